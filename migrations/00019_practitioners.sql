-- Professionals as partners see them (FHIR Practitioner): an account's RPPS
-- number (national idNatPS "8"+RPPS) and health profession (TRE_G15 code),
-- both optional; and the index the FHIR Appointment search by date walks.

-- +goose Up
ALTER TABLE users
  ADD COLUMN rpps text NOT NULL DEFAULT '' CHECK (rpps = '' OR rpps ~ '^[0-9]{11}$'),
  ADD COLUMN profession text NOT NULL DEFAULT '' CHECK (profession ~ '^[0-9]{0,2}$');
-- One account per professional in an organisation.
CREATE UNIQUE INDEX users_rpps ON users (org_id, rpps) WHERE rpps <> '';
CREATE INDEX events_usager_start ON events (usager_id, start_at, id);

-- +goose Down
DROP INDEX events_usager_start;
DROP INDEX users_rpps;
ALTER TABLE users DROP COLUMN profession, DROP COLUMN rpps;
