-- DMP outbox (issue 7, item 5): documents decided to be sent to the person's
-- DMP, written in the transaction that decided it, then sent by a worker.
-- One row per document version and kind: the CDA's uniqueId makes
-- enqueueing idempotent, and a resend after a crash is recognised by the
-- DMP as the same document.

-- +goose Up
CREATE TABLE dmp_outbox (
  id                 uuid PRIMARY KEY,
  org_id             uuid NOT NULL,
  usager_id          uuid NOT NULL,
  establishment_id   uuid NOT NULL,
  kind               text NOT NULL CHECK (kind IN ('provide','withdraw')),
  unique_id          text NOT NULL CHECK (unique_id <> '' AND char_length(unique_id) <= 128),
  set_id             text NOT NULL DEFAULT '',
  title              text NOT NULL DEFAULT '',
  cda                bytea CHECK (kind = 'withdraw' OR octet_length(cda) > 0),
  descriptor         jsonb NOT NULL,
  section            text NOT NULL CHECK (section IN ('admin','social','educational','care','medical')),
  requested_by       uuid NOT NULL,
  requested_by_name  text NOT NULL,
  requested_role     text NOT NULL,
  status             text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting','sent','refused')),
  attempts           integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at    timestamptz NOT NULL,
  last_error         text NOT NULL DEFAULT '',
  created_at         timestamptz NOT NULL DEFAULT now(),
  sent_at            timestamptz,
  UNIQUE (unique_id, kind),
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id),
  FOREIGN KEY (org_id, establishment_id) REFERENCES establishments (org_id, id)
);
-- The worker's scan: due rows only.
CREATE INDEX dmp_outbox_due ON dmp_outbox (next_attempt_at) WHERE status = 'waiting';
-- The dossier's DMP panel.
CREATE INDEX dmp_outbox_usager ON dmp_outbox (usager_id, created_at DESC);
-- The documents sent per month of an establishment (indicators).
CREATE INDEX dmp_outbox_sent ON dmp_outbox (establishment_id, sent_at) WHERE status = 'sent';

ALTER TABLE dmp_outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON dmp_outbox USING (org_id = relais_tenant()) WITH CHECK (org_id = relais_tenant());
GRANT SELECT, INSERT, UPDATE ON dmp_outbox TO relais_app;

-- The worker serves every organisation: it asks which have due rows, then
-- claims them inside each organisation's tenant transaction.
CREATE FUNCTION relais_dmp_outbox_due_orgs(p_now timestamptz)
  RETURNS TABLE (org_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT DISTINCT org_id FROM dmp_outbox WHERE status = 'waiting' AND next_attempt_at <= p_now $$;
REVOKE ALL ON FUNCTION relais_dmp_outbox_due_orgs(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION relais_dmp_outbox_due_orgs(timestamptz) TO relais_app;

-- +goose Down
DROP FUNCTION relais_dmp_outbox_due_orgs(timestamptz);
DROP TABLE dmp_outbox;
