-- Documents of the record (issue 4, item 6): PDF, JPEG and PNG files attached
-- to one section, stored in PostgreSQL. The type is recognised from the
-- content by the application; the checks below are the last line of defence.

-- +goose Up
CREATE TABLE documents (
  id               uuid PRIMARY KEY,
  org_id           uuid NOT NULL,
  usager_id        uuid NOT NULL,
  section          text NOT NULL CHECK (section IN ('admin','social','educational','care','medical')),
  doc_type         text NOT NULL CHECK (doc_type ~ '^[a-z_]{2,40}$'),
  title            text NOT NULL CHECK (title <> '' AND char_length(title) <= 200),
  -- restreint: shown only to the roles holding validate on the section.
  confidentiality  text NOT NULL DEFAULT 'normal' CHECK (confidentiality IN ('normal','restreint')),
  content_type     text NOT NULL CHECK (content_type IN ('application/pdf','image/jpeg','image/png')),
  size_bytes       integer NOT NULL CHECK (size_bytes > 0 AND size_bytes <= 10485760),
  sha256           bytea NOT NULL CHECK (octet_length(sha256) = 32),
  content          bytea NOT NULL CHECK (octet_length(content) = size_bytes),
  uploaded_by      uuid NOT NULL,
  uploaded_by_name text NOT NULL,
  uploaded_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id)
);
-- PDF, JPEG and PNG are compressed already: keep the content out of line
-- (TOAST) without spending CPU on a second compression. Lists never read it.
ALTER TABLE documents ALTER COLUMN content SET STORAGE EXTERNAL;
-- The dossier lists one section's documents of a usager, newest first.
CREATE INDEX documents_usager ON documents (usager_id, section, uploaded_at DESC);

ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON documents USING (org_id = relais_tenant()) WITH CHECK (org_id = relais_tenant());
-- A document is part of the record and of its trail: the application adds and
-- reads, never rewrites or deletes (a merge moves rows to the kept record,
-- which is an UPDATE of usager_id only).
GRANT SELECT, INSERT ON documents TO relais_app;
GRANT UPDATE (usager_id) ON documents TO relais_app;

-- +goose Down
DROP TABLE documents;
