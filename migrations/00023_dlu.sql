-- The data of the EHPAD emergency liaison document (DLU) that the rest of
-- the record does not hold: autonomy (GIR), devices, advance directives,
-- state and risks, multi-resistant bacteria, preferred hospital, general
-- practitioner and the EHPAD's contacts. Each save is a new row (the latest
-- one is the DLU's), so what an emergency team was given stays readable.

-- +goose Up
CREATE TABLE dlu_info (
  id                  uuid PRIMARY KEY,
  org_id              uuid NOT NULL,
  usager_id           uuid NOT NULL,
  gir                 smallint NOT NULL DEFAULT 0 CHECK (gir BETWEEN 0 AND 6),
  gir_date            date,
  devices             text[] NOT NULL DEFAULT '{}',
  devices_other       text NOT NULL DEFAULT '',
  directives          text NOT NULL DEFAULT '' CHECK (directives IN ('','oui','non')),
  directives_at       text NOT NULL DEFAULT '',
  palliative          text NOT NULL DEFAULT '' CHECK (palliative IN ('','oui','non')),
  states              text[] NOT NULL DEFAULT '{}',
  states_checked      boolean NOT NULL DEFAULT false,
  bmr                 text NOT NULL DEFAULT '' CHECK (bmr IN ('','oui','non')),
  bmr_detail          text NOT NULL DEFAULT '',
  hospital_name       text NOT NULL DEFAULT '',
  hospital_finess     text NOT NULL DEFAULT '',
  hospital_phone      text NOT NULL DEFAULT '',
  gp_name             text NOT NULL DEFAULT '',
  gp_rpps             text NOT NULL DEFAULT '',
  gp_phone            text NOT NULL DEFAULT '',
  nurse_phone         text NOT NULL DEFAULT '',
  coord_doctor_name   text NOT NULL DEFAULT '',
  coord_doctor_phone  text NOT NULL DEFAULT '',
  comment             text NOT NULL DEFAULT '',
  updated_at          timestamptz NOT NULL,
  updated_by          uuid NOT NULL,
  updated_by_name     text NOT NULL,
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id)
);
CREATE INDEX dlu_info_usager ON dlu_info (usager_id, updated_at DESC);

ALTER TABLE dlu_info ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON dlu_info USING (org_id = relais_tenant()) WITH CHECK (org_id = relais_tenant());
-- UPDATE only for identity merges (usager_id moves); a save inserts.
GRANT SELECT, INSERT, UPDATE ON dlu_info TO relais_app;

-- +goose Down
DROP TABLE dlu_info;
