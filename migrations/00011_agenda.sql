-- Agenda: an event may name the professional it involves and repeat (daily
-- or weekly until a date), so appointments show per person and per
-- professional in day and week views.

-- +goose Up
ALTER TABLE events
  ADD COLUMN professional_id uuid,
  ADD COLUMN recurrence text NOT NULL DEFAULT '' CHECK (recurrence IN ('', 'quotidienne', 'hebdomadaire')),
  ADD COLUMN recur_until date,
  ADD CONSTRAINT events_recurrence_bounded CHECK (recurrence = '' OR recur_until IS NOT NULL);
CREATE INDEX events_agenda ON events (org_id, start_at) WHERE status IN ('PLANIFIE','VALIDE');
CREATE INDEX events_agenda_recurring ON events (org_id, recur_until) WHERE recurrence <> '' AND status IN ('PLANIFIE','VALIDE');

-- +goose Down
DROP INDEX events_agenda_recurring, events_agenda;
ALTER TABLE events DROP CONSTRAINT events_recurrence_bounded, DROP COLUMN recur_until, DROP COLUMN recurrence, DROP COLUMN professional_id;
