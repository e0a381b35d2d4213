-- Medication: prescription lines typed from a prescriber's order (scheduled
-- intakes or "si besoin"), never deleted but stopped, and the register of
-- administrations. A planned intake has one current record; a correction
-- marks the record it replaces as superseded and points at it.

-- +goose Up
CREATE TABLE prescriptions (
  id                uuid PRIMARY KEY,
  org_id            uuid NOT NULL,
  usager_id         uuid NOT NULL,
  establishment_id  uuid NOT NULL,
  drug              text NOT NULL CHECK (drug <> ''),
  code              text NOT NULL DEFAULT '',
  code_system       text NOT NULL DEFAULT '' CHECK (code_system IN ('', 'CIP13', 'UCD')),
  unit              text NOT NULL CHECK (unit <> ''),
  route             text NOT NULL CHECK (route <> ''),
  as_needed         boolean NOT NULL,
  condition         text NOT NULL DEFAULT '',
  dose              numeric(10,3),
  max_per_24h       int CHECK (max_per_24h BETWEEN 1 AND 24),
  min_interval_min  int NOT NULL DEFAULT 0 CHECK (min_interval_min >= 0),
  weekdays          int NOT NULL DEFAULT 0 CHECK (weekdays BETWEEN 0 AND 127), -- bit n: time.Weekday n; 0: every day
  start_date        date NOT NULL,
  end_date          date,
  prescriber        text NOT NULL CHECK (prescriber <> ''),
  rpps              text NOT NULL CHECK (rpps ~ '^[0-9]{11}$'),
  order_date        date NOT NULL,
  notes             text NOT NULL DEFAULT '',
  created_at        timestamptz NOT NULL,
  created_by        uuid NOT NULL,
  created_by_name   text NOT NULL,
  stopped_at        timestamptz,
  stop_reason       text,
  stopped_by        uuid,
  stopped_by_name   text,
  FOREIGN KEY (org_id, establishment_id) REFERENCES establishments (org_id, id),
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id),
  CHECK (NOT as_needed OR (condition <> '' AND dose > 0 AND max_per_24h IS NOT NULL)),
  CHECK (end_date IS NULL OR end_date >= start_date),
  CHECK ((stopped_at IS NULL) = (stop_reason IS NULL) AND (stopped_at IS NULL) = (stopped_by IS NULL))
);
CREATE INDEX prescriptions_usager ON prescriptions (usager_id, start_date);
-- The round of an establishment: the lines in force on a day.
CREATE INDEX prescriptions_round ON prescriptions (establishment_id, start_date);

CREATE TABLE prescription_intakes (
  prescription_id  uuid NOT NULL REFERENCES prescriptions (id),
  org_id           uuid NOT NULL,
  minute           int NOT NULL CHECK (minute BETWEEN 0 AND 1439),
  quantity         numeric(10,3) NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (prescription_id, minute)
);

CREATE TABLE medication_administrations (
  id                 uuid PRIMARY KEY,
  org_id             uuid NOT NULL,
  prescription_id    uuid NOT NULL REFERENCES prescriptions (id),
  usager_id          uuid NOT NULL,
  establishment_id   uuid NOT NULL,
  planned_at         timestamptz,              -- NULL: a "si besoin" dose
  given_at           timestamptz NOT NULL,
  status             text NOT NULL CHECK (status IN ('given','refused','missed','held')),
  reason             text NOT NULL DEFAULT '',
  reason_text        text NOT NULL DEFAULT '',
  dose               numeric(10,3),
  decided_by         text NOT NULL DEFAULT '',
  why                text NOT NULL DEFAULT '',
  observation        text NOT NULL DEFAULT '',
  corrects           uuid REFERENCES medication_administrations (id),
  correction_reason  text NOT NULL DEFAULT '',
  superseded         boolean NOT NULL DEFAULT false,
  recorded_at        timestamptz NOT NULL,
  recorded_by        uuid NOT NULL,
  recorded_by_name   text NOT NULL,
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id),
  CHECK (status <> 'missed' OR reason <> ''),
  CHECK (planned_at IS NOT NULL OR (status = 'given' AND why <> '' AND observation <> '' AND decided_by <> '')),
  CHECK (corrects IS NULL OR correction_reason <> '')
);
-- One current record per planned intake: a second one is a conflict.
CREATE UNIQUE INDEX medication_administrations_intake ON medication_administrations (prescription_id, planned_at)
  WHERE planned_at IS NOT NULL AND NOT superseded;
-- The "si besoin" doses of the rolling 24 hours.
CREATE INDEX medication_administrations_as_needed ON medication_administrations (prescription_id, given_at)
  WHERE planned_at IS NULL AND NOT superseded;
CREATE INDEX medication_administrations_usager ON medication_administrations (usager_id, given_at);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['prescriptions','prescription_intakes','medication_administrations'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I USING (org_id = relais_tenant()) WITH CHECK (org_id = relais_tenant())', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

-- No DELETE: a prescription is stopped, a record corrected, never removed.
GRANT SELECT, INSERT ON prescription_intakes TO relais_app;
GRANT SELECT, INSERT, UPDATE ON prescriptions, medication_administrations TO relais_app;

-- +goose Down
DROP TABLE medication_administrations, prescription_intakes, prescriptions;
