-- +goose Up
-- A token's lookup also returns its client (name, establishment, role), so
-- authenticating a FHIR request costs one query instead of two
-- transactions. Still only active clients' unexpired tokens.
DROP FUNCTION relais_token_lookup(bytea);
CREATE FUNCTION relais_token_lookup(p_token_hash bytea)
  RETURNS TABLE (client uuid, org_id uuid, scopes text[], expires_at timestamptz,
                 client_id text, name text, establishment_id uuid, role text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT t.client, t.org_id, t.scopes, t.expires_at, c.client_id, c.name, c.establishment_id, c.role
        FROM api_tokens t JOIN api_clients c ON c.id = t.client
        WHERE t.token_hash = p_token_hash AND t.expires_at > now() AND c.active $$;
REVOKE ALL ON FUNCTION relais_token_lookup(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION relais_token_lookup(bytea) TO relais_app;

-- +goose Down
DROP FUNCTION relais_token_lookup(bytea);
CREATE FUNCTION relais_token_lookup(p_token_hash bytea)
  RETURNS TABLE (client uuid, org_id uuid, scopes text[], expires_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT t.client, t.org_id, t.scopes, t.expires_at FROM api_tokens t JOIN api_clients c ON c.id = t.client
        WHERE t.token_hash = p_token_hash AND t.expires_at > now() AND c.active $$;
REVOKE ALL ON FUNCTION relais_token_lookup(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION relais_token_lookup(bytea) TO relais_app;
