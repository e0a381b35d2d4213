-- Access layer support: an index for per-organisation policy lines and a
-- purge of expired sessions the application role may run without a tenant.

-- +goose Up

-- Casbin p-lines are (role, organisation, section, action): v1 is the
-- organisation, which the matrix editor replaces as a whole.
CREATE INDEX casbin_rule_domain ON casbin_rule (v1, ptype);

-- Expired sessions of every organisation; RLS hides them from the
-- application role outside a tenant, hence SECURITY DEFINER. It only deletes
-- what can no longer be used.
CREATE FUNCTION relais_purge_expired_sessions() RETURNS bigint
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public
  AS $$ WITH gone AS (DELETE FROM sessions WHERE expires_at <= now() RETURNING 1) SELECT count(*) FROM gone $$;
REVOKE ALL ON FUNCTION relais_purge_expired_sessions() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION relais_purge_expired_sessions() TO relais_app;

-- +goose Down
DROP FUNCTION relais_purge_expired_sessions();
DROP INDEX casbin_rule_domain;
