-- Presence register of day services: one line per person, establishment and day.

-- +goose Up
CREATE TABLE presences (
  org_id            uuid NOT NULL,
  establishment_id  uuid NOT NULL,
  usager_id         uuid NOT NULL,
  day               date NOT NULL,
  status            text NOT NULL CHECK (status IN ('present','absent','excuse')),
  reason            text NOT NULL DEFAULT '',
  recorded_by       uuid NOT NULL,
  recorded_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (establishment_id, day, usager_id),
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id),
  FOREIGN KEY (org_id, establishment_id) REFERENCES establishments (org_id, id),
  CHECK (status <> 'absent' OR reason <> '')
);
CREATE INDEX presences_usager ON presences (usager_id, day);
ALTER TABLE presences ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON presences USING (org_id = relais_tenant()) WITH CHECK (org_id = relais_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON presences TO relais_app;

-- +goose Down
DROP TABLE presences;
