-- +goose Up
-- Every version of a person's administrative record, as FHIR Patient
-- versions (vread, _history). A version is identified by the row's
-- updated_at, which is also its ETag. Filled by a trigger so that every path
-- that writes usagers (forms, FHIR, INSi, merges, imports) keeps history.
CREATE TABLE usager_versions (
  org_id     uuid NOT NULL REFERENCES organisations(id),
  usager_id  uuid NOT NULL REFERENCES usagers(id),
  updated_at timestamptz NOT NULL,
  snapshot   jsonb NOT NULL,
  PRIMARY KEY (usager_id, updated_at)
);

-- +goose StatementBegin
CREATE FUNCTION relais_usager_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A write that does not move updated_at keeps the same version (and ETag):
  -- its snapshot is refreshed rather than a new version invented.
  INSERT INTO usager_versions (org_id, usager_id, updated_at, snapshot)
  VALUES (NEW.org_id, NEW.id, NEW.updated_at, to_jsonb(NEW))
  ON CONFLICT (usager_id, updated_at) DO UPDATE SET snapshot = EXCLUDED.snapshot;
  RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER usager_version AFTER INSERT OR UPDATE ON usagers
  FOR EACH ROW EXECUTE FUNCTION relais_usager_version();

-- Existing records start their history with their current version.
INSERT INTO usager_versions (org_id, usager_id, updated_at, snapshot)
SELECT org_id, id, updated_at, to_jsonb(u) FROM usagers u;

ALTER TABLE usager_versions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON usager_versions USING (org_id = relais_tenant()) WITH CHECK (org_id = relais_tenant());

-- Append-mostly: no DELETE for the application.
GRANT SELECT, INSERT, UPDATE ON usager_versions TO relais_app;

-- +goose Down
DROP TRIGGER usager_version ON usagers;
DROP FUNCTION relais_usager_version();
DROP TABLE usager_versions;
