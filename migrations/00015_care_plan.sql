-- The care plan (plan de soins): recurring care acts of a usager with their
-- schedule, the marks of their occurrences (done / not done, one per act,
-- day and slot: a double tap cannot record twice), the states replaced by a
-- correction, and the SSIAD home-care rounds with their ordered stops and
-- who does them on which day.

-- +goose Up
CREATE TABLE care_acts (
  id                uuid PRIMARY KEY,
  org_id            uuid NOT NULL,
  usager_id         uuid NOT NULL,
  establishment_id  uuid NOT NULL,
  kind              text NOT NULL,
  label             text NOT NULL DEFAULT '',
  weekdays          int[] NOT NULL CHECK (cardinality(weekdays) > 0),
  moments           text[] NOT NULL DEFAULT '{}',
  at_time           text NOT NULL DEFAULT '' CHECK (at_time = '' OR at_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  start_date        date NOT NULL,
  end_date          date CHECK (end_date IS NULL OR end_date >= start_date),
  instructions      text NOT NULL DEFAULT '',
  created_at        timestamptz NOT NULL,
  author_id         uuid NOT NULL,
  author_name       text NOT NULL,
  stopped_at        timestamptz,
  stopped_by_name   text NOT NULL DEFAULT '',
  stop_reason       text NOT NULL DEFAULT '',
  FOREIGN KEY (org_id, establishment_id) REFERENCES establishments (org_id, id),
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id),
  CHECK (cardinality(moments) > 0 OR at_time <> '')
);
-- The usager's plan, and the day's checklist of an establishment.
CREATE INDEX care_acts_usager ON care_acts (usager_id, created_at);
CREATE INDEX care_acts_estab ON care_acts (establishment_id, start_date) WHERE stopped_at IS NULL;

CREATE TABLE care_marks (
  id           uuid PRIMARY KEY,
  org_id       uuid NOT NULL,
  act_id       uuid NOT NULL REFERENCES care_acts (id),
  usager_id    uuid NOT NULL,
  day          date NOT NULL,
  slot         text NOT NULL,
  done         boolean NOT NULL,
  reason       text NOT NULL DEFAULT '',
  reason_text  text NOT NULL DEFAULT '',
  by_id        uuid NOT NULL,
  by_name      text NOT NULL,
  at           timestamptz NOT NULL,
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id),
  UNIQUE (act_id, day, slot),
  CHECK (done = (reason = '')),
  CHECK (reason IN ('', 'refus', 'absent', 'hospitalise', 'reporte', 'autre'))
);
CREATE INDEX care_marks_day ON care_marks (day, act_id);

-- A correction keeps the state it replaced.
CREATE TABLE care_mark_corrections (
  id            uuid PRIMARY KEY,
  org_id        uuid NOT NULL,
  mark_id       uuid NOT NULL REFERENCES care_marks (id),
  done          boolean NOT NULL,
  reason        text NOT NULL DEFAULT '',
  reason_text   text NOT NULL DEFAULT '',
  by_name       text NOT NULL,
  at            timestamptz NOT NULL,
  why           text NOT NULL CHECK (why <> ''),
  corrected_by  uuid NOT NULL,
  corrected_by_name text NOT NULL,
  corrected_at  timestamptz NOT NULL
);
CREATE INDEX care_mark_corrections_mark ON care_mark_corrections (mark_id, corrected_at);

CREATE TABLE care_rounds (
  id                uuid PRIMARY KEY,
  org_id            uuid NOT NULL,
  establishment_id  uuid NOT NULL,
  name              text NOT NULL CHECK (name <> ''),
  default_user_id   uuid REFERENCES users (id),
  created_at        timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, establishment_id) REFERENCES establishments (org_id, id)
);
CREATE INDEX care_rounds_estab ON care_rounds (establishment_id, name);
CREATE INDEX care_rounds_default ON care_rounds (default_user_id) WHERE default_user_id IS NOT NULL;

CREATE TABLE care_round_stops (
  id            uuid PRIMARY KEY,
  org_id        uuid NOT NULL,
  round_id      uuid NOT NULL REFERENCES care_rounds (id),
  usager_id     uuid NOT NULL,
  position      int NOT NULL CHECK (position > 0),
  access_notes  text NOT NULL DEFAULT '',
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id)
);
CREATE INDEX care_round_stops_round ON care_round_stops (round_id, position);
CREATE INDEX care_round_stops_usager ON care_round_stops (usager_id);

CREATE TABLE care_round_assignments (
  org_id    uuid NOT NULL,
  round_id  uuid NOT NULL REFERENCES care_rounds (id),
  day       date NOT NULL,
  user_id   uuid NOT NULL REFERENCES users (id),
  PRIMARY KEY (round_id, day)
);
CREATE INDEX care_round_assignments_user ON care_round_assignments (user_id, day);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['care_acts','care_marks','care_mark_corrections','care_rounds','care_round_stops','care_round_assignments'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I USING (org_id = relais_tenant()) WITH CHECK (org_id = relais_tenant())', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

GRANT SELECT, INSERT, UPDATE ON care_acts, care_marks, care_rounds TO relais_app;
GRANT SELECT, INSERT ON care_mark_corrections TO relais_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON care_round_stops, care_round_assignments TO relais_app;

-- +goose Down
DROP TABLE care_round_assignments, care_round_stops, care_rounds, care_mark_corrections, care_marks, care_acts;
