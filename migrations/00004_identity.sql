-- Identity qualification (RNIV): the evidence behind the status (INS from
-- INSi, identity document checked), the attributes douteuse and fictive, and
-- the history of identity changes shown on the dossier.

-- +goose Up
ALTER TABLE usagers
  ADD COLUMN identity_douteuse boolean NOT NULL DEFAULT false,
  ADD COLUMN douteuse_reason text NOT NULL DEFAULT '',
  ADD COLUMN identity_fictive boolean NOT NULL DEFAULT false,
  ADD COLUMN fictive_reason text NOT NULL DEFAULT '',
  ADD COLUMN ins_number text NOT NULL DEFAULT '' CHECK (ins_number = '' OR ins_number ~ '^[0-9][0-9]{4}([0-9]{2}|2A|2B)[0-9]{6}$'),
  ADD COLUMN ins_key text NOT NULL DEFAULT '' CHECK (ins_key = '' OR ins_key ~ '^[0-9]{2}$'),
  ADD COLUMN ins_oid text NOT NULL DEFAULT '',
  ADD COLUMN ins_retrieved_at timestamptz,
  ADD COLUMN past_ins jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN document_type text NOT NULL DEFAULT '',
  ADD COLUMN document_with_photo_vitale boolean NOT NULL DEFAULT false,
  ADD COLUMN document_checked_at timestamptz,
  ADD COLUMN document_checked_by uuid,
  ADD CONSTRAINT usagers_ins_complete CHECK ((ins_number = '') = (ins_key = '') AND (ins_number = '') = (ins_oid = ''));

-- Two live records with one INS are one person: the identitovigilance list
-- finds them through this index.
CREATE INDEX usagers_ins ON usagers (org_id, ins_number) WHERE ins_number <> '' AND merged_into IS NULL;

CREATE TABLE identity_events (
  id            uuid PRIMARY KEY,
  org_id        uuid NOT NULL,
  usager_id     uuid NOT NULL,
  kind          text NOT NULL,
  from_status   text NOT NULL,
  to_status     text NOT NULL,
  at            timestamptz NOT NULL,
  by_user       uuid,
  by_name       text NOT NULL DEFAULT '',
  description   text NOT NULL,
  evidence      text NOT NULL DEFAULT '',
  evidence_code text NOT NULL DEFAULT '',
  reason        text NOT NULL DEFAULT '',
  warnings      text[] NOT NULL DEFAULT '{}',
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id)
);
CREATE INDEX identity_events_usager ON identity_events (usager_id, at DESC);
ALTER TABLE identity_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON identity_events USING (org_id = relais_tenant()) WITH CHECK (org_id = relais_tenant());
-- History is written once: no UPDATE or DELETE for the application (a merge
-- moves rows to the kept record, which is an UPDATE of usager_id only).
GRANT SELECT, INSERT ON identity_events TO relais_app;
GRANT UPDATE (usager_id) ON identity_events TO relais_app;

-- +goose Down
DROP TABLE identity_events;
DROP INDEX usagers_ins;
ALTER TABLE usagers DROP CONSTRAINT usagers_ins_complete,
  DROP COLUMN document_checked_by, DROP COLUMN document_checked_at, DROP COLUMN document_with_photo_vitale,
  DROP COLUMN document_type, DROP COLUMN past_ins, DROP COLUMN ins_retrieved_at, DROP COLUMN ins_oid,
  DROP COLUMN ins_key, DROP COLUMN ins_number, DROP COLUMN fictive_reason, DROP COLUMN identity_fictive,
  DROP COLUMN douteuse_reason, DROP COLUMN identity_douteuse;
