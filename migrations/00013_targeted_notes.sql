-- Targeted notes (transmissions ciblées): a target, then Données / Actions /
-- Résultats, signed by a personal account in the establishment they were
-- written in. The result may be added later by someone else (its own
-- signature); a target stays open until closed (who and when kept). The
-- note's text is never rewritten: only the result and the closure are set
-- once, afterwards.

-- +goose Up
CREATE TABLE targeted_notes (
  id                uuid PRIMARY KEY,
  org_id            uuid NOT NULL,
  establishment_id  uuid NOT NULL,
  usager_id         uuid NOT NULL,
  target            text NOT NULL CHECK (target <> ''),
  target_other      text NOT NULL DEFAULT '',
  macro             text NOT NULL DEFAULT '' CHECK (macro IN ('','admission','changement','sortie')),
  data              text NOT NULL CHECK (data <> ''),
  actions           text NOT NULL DEFAULT '',
  results           text NOT NULL DEFAULT '',
  written_at        timestamptz NOT NULL,
  author_id         uuid NOT NULL,
  author_name       text NOT NULL,
  result_at         timestamptz,
  result_by         uuid,
  result_by_name    text NOT NULL DEFAULT '',
  closed_at         timestamptz,
  closed_by         uuid,
  closed_by_name    text NOT NULL DEFAULT '',
  FOREIGN KEY (org_id, establishment_id) REFERENCES establishments (org_id, id),
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id),
  CHECK (target <> 'autre' OR target_other <> ''),
  CHECK ((results = '') = (result_at IS NULL) AND (result_at IS NULL) = (result_by IS NULL)),
  CHECK ((closed_at IS NULL) = (closed_by IS NULL)),
  -- A target is closed on a result.
  CHECK (closed_at IS NULL OR results <> '')
);
-- The dossier's list and the timeline (newest first), its open targets.
CREATE INDEX targeted_notes_usager ON targeted_notes (usager_id, written_at DESC, id DESC);
CREATE INDEX targeted_notes_usager_open ON targeted_notes (usager_id) WHERE closed_at IS NULL;
-- The handover: a shift's notes and the open targets of an establishment.
CREATE INDEX targeted_notes_estab ON targeted_notes (establishment_id, written_at);
CREATE INDEX targeted_notes_estab_open ON targeted_notes (establishment_id, written_at) WHERE closed_at IS NULL;

ALTER TABLE targeted_notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON targeted_notes USING (org_id = relais_tenant()) WITH CHECK (org_id = relais_tenant());

GRANT SELECT, INSERT, UPDATE ON targeted_notes TO relais_app;

-- +goose Down
DROP TABLE targeted_notes;
