-- Events of the record (TDDUI Evenement) and the indexes the dossier timeline
-- pages through (newest first, keyset on time and id).

-- +goose Up
CREATE TABLE events (
  id            uuid PRIMARY KEY,
  org_id        uuid NOT NULL,
  usager_id     uuid NOT NULL,
  section       text NOT NULL CHECK (section IN ('admin','social','educational','care','medical')),
  type          text NOT NULL,
  serafin_code  text NOT NULL DEFAULT '',
  title         text NOT NULL CHECK (title <> ''),
  start_at      timestamptz NOT NULL,
  end_at        timestamptz,
  place         text NOT NULL DEFAULT '',
  status        text NOT NULL CHECK (status IN ('PLANIFIE','VALIDE','ANNULE','TERMINE')),
  reason        text NOT NULL DEFAULT '',
  participants  text NOT NULL DEFAULT '',
  author_id     uuid NOT NULL,
  author_name   text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id),
  CHECK (end_at IS NULL OR end_at >= start_at),
  CHECK (status <> 'ANNULE' OR reason <> '')
);
CREATE INDEX events_timeline ON events (usager_id, start_at DESC, id DESC);
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON events USING (org_id = relais_tenant()) WITH CHECK (org_id = relais_tenant());
GRANT SELECT, INSERT, UPDATE ON events TO relais_app;

CREATE INDEX record_notes_timeline ON record_notes (usager_id, written_at DESC, id DESC);

-- +goose Down
DROP INDEX record_notes_timeline;
DROP TABLE events;
