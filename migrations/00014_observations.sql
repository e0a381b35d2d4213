-- Observations (constantes) of a usager: one row per measurement, values in
-- the canonical unit of the type (blood pressure: systolic in value,
-- diastolic in value2), the unit typed, the flag of a confirmed unusual
-- value. An erroneous entry is marked with its reason, never deleted.

-- +goose Up
CREATE TABLE observations (
  id                 uuid PRIMARY KEY,
  org_id             uuid NOT NULL,
  usager_id          uuid NOT NULL,
  establishment_id   uuid NOT NULL,
  type               text NOT NULL CHECK (type IN ('poids','tension','pouls','temperature','spo2','glycemie','douleur','algoplus')),
  value              numeric(7,2) NOT NULL,
  value2             numeric(7,2),
  entered_unit       text NOT NULL,
  measured_at        timestamptz NOT NULL,
  recorded_at        timestamptz NOT NULL DEFAULT now(),
  author_id          uuid NOT NULL,
  author_name        text NOT NULL,
  comment            text NOT NULL DEFAULT '',
  flagged            boolean NOT NULL DEFAULT false,
  erroneous_at       timestamptz,
  erroneous_by       uuid,
  erroneous_by_name  text,
  erroneous_reason   text,
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id),
  FOREIGN KEY (org_id, establishment_id) REFERENCES establishments (org_id, id),
  CHECK ((type = 'tension') = (value2 IS NOT NULL)),
  CHECK (value2 IS NULL OR value > value2),
  CHECK ((erroneous_at IS NULL) = (erroneous_reason IS NULL) AND (erroneous_reason IS NULL OR erroneous_reason <> ''))
);
-- Charts and the latest value per type read a usager's series of one type.
CREATE INDEX observations_series ON observations (usager_id, type, measured_at DESC);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['observations'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I USING (org_id = relais_tenant()) WITH CHECK (org_id = relais_tenant())', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

-- No DELETE: an erroneous entry stays, marked.
GRANT SELECT, INSERT, UPDATE ON observations TO relais_app;

-- +goose Down
DROP TABLE observations;
