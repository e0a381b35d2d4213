-- Adverse events (fiche d'événement indésirable, FEI) of an establishment,
-- optionally about a usager and drafted from a timeline event, with their
-- analysis, the ARS declaration dates of the serious ones, and the
-- corrective actions.

-- +goose Up
CREATE TABLE adverse_events (
  id                uuid PRIMARY KEY,
  org_id            uuid NOT NULL,
  establishment_id  uuid NOT NULL,
  usager_id         uuid,
  from_event_id     uuid REFERENCES events (id),
  occurred_at       timestamptz NOT NULL,
  place             text NOT NULL DEFAULT '',
  description       text NOT NULL CHECK (description <> ''),
  measures          text NOT NULL DEFAULT '',
  category          text NOT NULL,
  severity          int NOT NULL CHECK (severity BETWEEN 1 AND 5),
  life_threatening  boolean NOT NULL DEFAULT false,
  status            text NOT NULL CHECK (status IN ('DECLAREE','EN_ANALYSE','ACTIONS','CLOTUREE')),
  causes            text NOT NULL DEFAULT '',
  ars_part1         date,
  ars_part2         date,
  closed_at         timestamptz,
  declared_at       timestamptz NOT NULL,
  author_id         uuid NOT NULL,
  author_name       text NOT NULL,
  FOREIGN KEY (org_id, establishment_id) REFERENCES establishments (org_id, id),
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id),
  CHECK (ars_part2 IS NULL OR ars_part1 IS NOT NULL),
  CHECK ((status = 'CLOTUREE') = (closed_at IS NOT NULL))
);
-- The establishment's list, open ones first.
CREATE INDEX adverse_events_estab ON adverse_events (establishment_id, (status = 'CLOTUREE'), occurred_at DESC);
CREATE INDEX adverse_events_usager ON adverse_events (usager_id) WHERE usager_id IS NOT NULL;

CREATE TABLE adverse_actions (
  id          uuid PRIMARY KEY,
  org_id      uuid NOT NULL,
  adverse_id  uuid NOT NULL REFERENCES adverse_events (id),
  title       text NOT NULL CHECK (title <> ''),
  owner       text NOT NULL CHECK (owner <> ''),
  due         date NOT NULL,
  done        boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX adverse_actions_fei ON adverse_actions (adverse_id, created_at);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['adverse_events','adverse_actions'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I USING (org_id = relais_tenant()) WITH CHECK (org_id = relais_tenant())', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

GRANT SELECT, INSERT, UPDATE ON adverse_events, adverse_actions TO relais_app;

-- +goose Down
DROP TABLE adverse_actions, adverse_events;
