-- Identitovigilance: keys to find possible duplicates through indexes, the
-- merge of two records of one person (the merged one stays as an alias), and
-- pairs an administrator has declared to be two different people.

-- +goose Up
ALTER TABLE usagers
  ADD COLUMN name_key text NOT NULL DEFAULT '',        -- birth name + first first name, folded
  ADD COLUMN phonetic_key text NOT NULL DEFAULT '',    -- French phonetic key of the birth name
  ADD COLUMN first_phonetic text NOT NULL DEFAULT '',  -- of the first first name
  ADD COLUMN merged_into uuid,
  ADD COLUMN merged_at timestamptz,
  ADD CONSTRAINT usagers_merged_into FOREIGN KEY (org_id, merged_into) REFERENCES usagers (org_id, id),
  ADD CONSTRAINT usagers_not_merged_into_self CHECK (merged_into IS NULL OR merged_into <> id);

CREATE INDEX usagers_birth_date ON usagers (org_id, birth_date) WHERE merged_into IS NULL;
CREATE INDEX usagers_name_key ON usagers (org_id, name_key) WHERE merged_into IS NULL;
CREATE INDEX usagers_merged_into ON usagers (merged_into) WHERE merged_into IS NOT NULL;

-- Two records an administrator has checked and found to be two people.
CREATE TABLE identity_distinct (
  org_id      uuid NOT NULL,
  usager_a    uuid NOT NULL,
  usager_b    uuid NOT NULL,
  decided_by  uuid NOT NULL,
  decided_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (usager_a, usager_b),
  CHECK (usager_a < usager_b),
  FOREIGN KEY (org_id, usager_a) REFERENCES usagers (org_id, id),
  FOREIGN KEY (org_id, usager_b) REFERENCES usagers (org_id, id)
);
ALTER TABLE identity_distinct ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON identity_distinct USING (org_id = relais_tenant()) WITH CHECK (org_id = relais_tenant());
GRANT SELECT, INSERT, DELETE ON identity_distinct TO relais_app;

-- +goose Down
DROP TABLE identity_distinct;
DROP INDEX usagers_birth_date, usagers_name_key, usagers_merged_into;
ALTER TABLE usagers DROP CONSTRAINT usagers_not_merged_into_self, DROP CONSTRAINT usagers_merged_into,
  DROP COLUMN merged_at, DROP COLUMN merged_into, DROP COLUMN first_phonetic, DROP COLUMN phonetic_key, DROP COLUMN name_key;
