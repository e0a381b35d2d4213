-- The medical section of the record (allergies and intolerances, history,
-- diagnoses, medical reports) and delegations (bris de glace): bounded,
-- reasoned openings of a section a professional's role does not read.

-- +goose Up
CREATE TABLE medical_items (
  id           uuid PRIMARY KEY,
  org_id       uuid NOT NULL,
  usager_id    uuid NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('allergie','intolerance','antecedent','antecedent_chirurgical','antecedent_familial','diagnostic')),
  label        text NOT NULL CHECK (label <> ''),
  code         text NOT NULL DEFAULT '',
  reaction     text NOT NULL DEFAULT '',
  criticality  text NOT NULL DEFAULT '' CHECK (criticality IN ('','low','high','unable-to-assess')),
  onset        date,
  note         text NOT NULL DEFAULT '',
  status       text NOT NULL CHECK (status IN ('active','resolved','entered-in-error')),
  status_note  text NOT NULL DEFAULT '',
  author_id    uuid NOT NULL,
  author_name  text NOT NULL,
  recorded_at  timestamptz NOT NULL,
  changed_at   timestamptz,
  changed_by   text NOT NULL DEFAULT '',
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id),
  CHECK (kind NOT IN ('allergie','intolerance') OR criticality <> '')
);
-- The banner reads the active allergies of a usager on every page.
CREATE INDEX medical_items_usager ON medical_items (usager_id, (status <> 'active'), recorded_at DESC);

CREATE TABLE medical_reports (
  id           uuid PRIMARY KEY,
  org_id       uuid NOT NULL,
  usager_id    uuid NOT NULL,
  kind         text NOT NULL,
  title        text NOT NULL CHECK (title <> ''),
  report_date  date NOT NULL,
  body         text NOT NULL CHECK (body <> ''),
  author_id    uuid NOT NULL,
  author_name  text NOT NULL,
  recorded_at  timestamptz NOT NULL,
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id)
);
CREATE INDEX medical_reports_usager ON medical_reports (usager_id, report_date DESC);

CREATE TABLE delegations (
  id                uuid PRIMARY KEY,
  org_id            uuid NOT NULL,
  user_id           uuid NOT NULL,
  user_name         text NOT NULL,
  role              text NOT NULL,
  establishment_id  uuid NOT NULL,
  usager_id         uuid NOT NULL,
  section           text NOT NULL CHECK (section IN ('social','educational','care','medical')),
  reason            text NOT NULL CHECK (length(reason) >= 15),
  started_at        timestamptz NOT NULL,
  expires_at        timestamptz NOT NULL,
  ended_at          timestamptz,
  ended_by          text NOT NULL DEFAULT '',
  FOREIGN KEY (org_id, establishment_id) REFERENCES establishments (org_id, id),
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id),
  -- The issue's bound, kept by the database too.
  CHECK (expires_at > started_at AND expires_at <= started_at + interval '24 hours')
);
CREATE INDEX delegations_user ON delegations (user_id, usager_id, expires_at DESC);
CREATE INDEX delegations_estab ON delegations (establishment_id, started_at DESC);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['medical_items','medical_reports','delegations'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I USING (org_id = relais_tenant()) WITH CHECK (org_id = relais_tenant())', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

-- Reports are never rewritten (only moved to the kept record on a merge);
-- items and delegations change status only.
GRANT SELECT, INSERT ON medical_reports TO relais_app;
GRANT UPDATE (usager_id) ON medical_reports TO relais_app;
GRANT SELECT, INSERT, UPDATE ON medical_items, delegations TO relais_app;

-- +goose Down
DROP TABLE delegations, medical_reports, medical_items;
