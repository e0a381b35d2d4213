-- The national DUI transfer (TDDUI): each resource of an imported bundle is
-- linked to the record it became, per receiving organisation, so importing
-- the same bundle again finds its records instead of creating duplicates.
-- source_key is the resource's business identifier (system|value), or its
-- fullUrl when it has none.

-- +goose Up
CREATE TABLE transfer_links (
  org_id         uuid NOT NULL,
  resource_type  text NOT NULL CHECK (resource_type <> ''),
  source_key     text NOT NULL CHECK (source_key <> ''),
  local_id       uuid NOT NULL,
  usager_id      uuid NOT NULL,
  imported_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, resource_type, source_key),
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id)
);
CREATE INDEX transfer_links_usager ON transfer_links (usager_id);

ALTER TABLE transfer_links ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON transfer_links USING (org_id = relais_tenant()) WITH CHECK (org_id = relais_tenant());
-- UPDATE for identity merges (usager_id moves to the kept record).
GRANT SELECT, INSERT, UPDATE ON transfer_links TO relais_app;

-- +goose Down
DROP TABLE transfer_links;
