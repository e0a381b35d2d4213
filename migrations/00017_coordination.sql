-- Coordination (issue 4, second part): optimistic locking of plans, the
-- opening days of each establishment (weekdays, public holidays, closure
-- periods, half-days and accueil modes) used by the presence register, the
-- half-day register lines, and staff meetings in the agenda.

-- +goose Up
-- A plan version counts its saves: a form carries the revision it was drawn
-- from and a save over a newer one is refused, naming who saved meanwhile.
ALTER TABLE plans
  ADD COLUMN revision integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
  ADD COLUMN updated_by uuid,
  ADD COLUMN updated_by_name text NOT NULL DEFAULT '';

-- Opening settings of an establishment; no row means Monday to Friday,
-- closed on public holidays, by whole days.
CREATE TABLE establishment_opening (
  establishment_id  uuid PRIMARY KEY,
  org_id            uuid NOT NULL,
  -- ISO weekdays open, '1' Monday … '7' Sunday, ascending, e.g. '12345'.
  weekdays          text NOT NULL CHECK (weekdays ~ '^1?2?3?4?5?6?7?$'),
  open_on_holidays  boolean NOT NULL DEFAULT false,
  half_days         boolean NOT NULL DEFAULT false,
  modes             text[] NOT NULL DEFAULT '{}',
  updated_by        uuid NOT NULL,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, establishment_id) REFERENCES establishments (org_id, id)
);

CREATE TABLE establishment_closures (
  id                uuid PRIMARY KEY,
  org_id            uuid NOT NULL,
  establishment_id  uuid NOT NULL,
  first_day         date NOT NULL,
  last_day          date NOT NULL,
  label             text NOT NULL CHECK (label <> ''),
  FOREIGN KEY (org_id, establishment_id) REFERENCES establishments (org_id, id),
  CHECK (last_day >= first_day)
);
CREATE INDEX establishment_closures_estab ON establishment_closures (establishment_id, first_day);

-- Register lines by half-day ('matin', 'apres_midi') where the
-- establishment counts half-days, 'jour' otherwise; each line records the
-- accueil mode of that presence ('' when not said).
ALTER TABLE presences
  ADD COLUMN half text NOT NULL DEFAULT 'jour' CHECK (half IN ('jour','matin','apres_midi')),
  ADD COLUMN mode text NOT NULL DEFAULT '',
  DROP CONSTRAINT presences_pkey,
  ADD PRIMARY KEY (establishment_id, day, usager_id, half);

-- Staff meetings (réunion d'équipe, de synthèse, formation…): about no one
-- in particular, in an establishment, with professional participants.
CREATE TABLE meetings (
  id                uuid PRIMARY KEY,
  org_id            uuid NOT NULL,
  establishment_id  uuid NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('equipe','synthese','formation','analyse_pratiques','institution','autre')),
  title             text NOT NULL CHECK (title <> ''),
  start_at          timestamptz NOT NULL,
  end_at            timestamptz,
  place             text NOT NULL DEFAULT '',
  recurrence        text NOT NULL DEFAULT '' CHECK (recurrence IN ('', 'quotidienne', 'hebdomadaire')),
  recur_until       date,
  status            text NOT NULL CHECK (status IN ('PLANIFIE','ANNULE')),
  cancel_reason     text NOT NULL DEFAULT '',
  author_id         uuid NOT NULL,
  author_name       text NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, establishment_id) REFERENCES establishments (org_id, id),
  CHECK (end_at IS NULL OR end_at >= start_at),
  CHECK (recurrence = '' OR recur_until IS NOT NULL),
  CHECK (status <> 'ANNULE' OR cancel_reason <> '')
);
CREATE INDEX meetings_agenda ON meetings (establishment_id, start_at);
CREATE INDEX meetings_recurring ON meetings (establishment_id, recur_until) WHERE recurrence <> '';

CREATE TABLE meeting_participants (
  org_id      uuid NOT NULL,
  meeting_id  uuid NOT NULL,
  user_id     uuid NOT NULL,
  PRIMARY KEY (meeting_id, user_id),
  FOREIGN KEY (org_id, meeting_id) REFERENCES meetings (org_id, id) ON DELETE CASCADE
);
CREATE INDEX meeting_participants_user ON meeting_participants (user_id);

-- The usagers a synthesis meeting discusses. No unique key: a merge of two
-- records both named in one meeting moves both rows (read back distinct).
CREATE TABLE meeting_usagers (
  org_id      uuid NOT NULL,
  meeting_id  uuid NOT NULL,
  usager_id   uuid NOT NULL,
  FOREIGN KEY (org_id, meeting_id) REFERENCES meetings (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id)
);
CREATE INDEX meeting_usagers_meeting ON meeting_usagers (meeting_id);
CREATE INDEX meeting_usagers_usager ON meeting_usagers (usager_id);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['establishment_opening','establishment_closures','meetings','meeting_participants','meeting_usagers'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I USING (org_id = relais_tenant()) WITH CHECK (org_id = relais_tenant())', t);
  END LOOP;
END
$$;
-- +goose StatementEnd
GRANT SELECT, INSERT, UPDATE, DELETE ON establishment_opening, establishment_closures, meeting_participants, meeting_usagers TO relais_app;
GRANT SELECT, INSERT, UPDATE ON meetings TO relais_app;

-- +goose Down
DROP TABLE meeting_usagers, meeting_participants, meetings, establishment_closures, establishment_opening;
DELETE FROM presences WHERE half <> 'jour';
ALTER TABLE presences DROP CONSTRAINT presences_pkey, DROP COLUMN mode, DROP COLUMN half,
  ADD PRIMARY KEY (establishment_id, day, usager_id);
ALTER TABLE plans DROP COLUMN updated_by_name, DROP COLUMN updated_by, DROP COLUMN revision;
