-- Partner API clients (FHIR): OAuth 2.0 client-credentials. A client belongs
-- to one establishment and acts with one role there: its SMART scopes are
-- intersected with that role's habilitations. Secrets and tokens are kept
-- hashed; a revoked client's tokens stop at once (the lookup joins the client).

-- +goose Up
CREATE TABLE api_clients (
  id                uuid PRIMARY KEY,
  org_id            uuid NOT NULL REFERENCES organisations (id),
  client_id         text NOT NULL UNIQUE CHECK (client_id ~ '^[a-z0-9][a-z0-9._-]{2,62}$'),
  name              text NOT NULL CHECK (name <> ''),
  establishment_id  uuid NOT NULL,
  role              text NOT NULL,
  scopes            text[] NOT NULL CHECK (cardinality(scopes) > 0),
  secret_hash       text NOT NULL,
  active            boolean NOT NULL DEFAULT true,
  created_at        timestamptz NOT NULL DEFAULT now(),
  created_by        text NOT NULL,
  revoked_at        timestamptz,
  FOREIGN KEY (org_id, establishment_id) REFERENCES establishments (org_id, id)
);

CREATE TABLE api_tokens (
  token_hash  bytea PRIMARY KEY,
  org_id      uuid NOT NULL,
  client      uuid NOT NULL REFERENCES api_clients (id),
  scopes      text[] NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX api_tokens_expiry ON api_tokens (expires_at);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['api_clients','api_tokens'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I USING (org_id = relais_tenant()) WITH CHECK (org_id = relais_tenant())', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

-- Before the tenant is known: the client id alone (the secret is checked by
-- the caller against the hash), and a token by its hash.
CREATE FUNCTION relais_client_lookup(p_client_id text)
  RETURNS TABLE (id uuid, org_id uuid, secret_hash text, active boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT id, org_id, secret_hash, active FROM api_clients WHERE client_id = p_client_id $$;

CREATE FUNCTION relais_token_lookup(p_token_hash bytea)
  RETURNS TABLE (client uuid, org_id uuid, scopes text[], expires_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT t.client, t.org_id, t.scopes, t.expires_at FROM api_tokens t JOIN api_clients c ON c.id = t.client
        WHERE t.token_hash = p_token_hash AND t.expires_at > now() AND c.active $$;

CREATE FUNCTION relais_purge_expired_tokens() RETURNS bigint
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public
  AS $$ WITH gone AS (DELETE FROM api_tokens WHERE expires_at <= now() RETURNING 1) SELECT count(*) FROM gone $$;

REVOKE ALL ON FUNCTION relais_client_lookup(text), relais_token_lookup(bytea), relais_purge_expired_tokens() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION relais_client_lookup(text), relais_token_lookup(bytea), relais_purge_expired_tokens() TO relais_app;

GRANT SELECT, INSERT, UPDATE ON api_clients TO relais_app;
GRANT SELECT, INSERT, DELETE ON api_tokens TO relais_app;

-- +goose Down
DROP FUNCTION relais_purge_expired_tokens(), relais_token_lookup(bytea), relais_client_lookup(text);
DROP TABLE api_tokens, api_clients;
