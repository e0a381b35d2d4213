-- Foundation: tenancy, accounts, sessions, habilitations, the usager record
-- and the access trail. Every tenant table carries org_id and is protected by
-- row-level security against the per-transaction setting relais.org_id.

-- +goose Up

-- The application connects through this role (SET ROLE after connect): it is
-- neither owner nor superuser, so row-level security always applies to it.
-- +goose StatementBegin
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'relais_app') THEN
    CREATE ROLE relais_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;
-- +goose StatementEnd
GRANT relais_app TO CURRENT_USER;

-- The tenant of the current transaction; NULL when unset, so every policy
-- compares with NULL and matches nothing.
CREATE FUNCTION relais_tenant() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT NULLIF(current_setting('relais.org_id', true), '')::uuid $$;

CREATE TABLE organisations (
  id          uuid PRIMARY KEY,
  name        text NOT NULL CHECK (name <> ''),
  finess_ej   char(9) NOT NULL UNIQUE CHECK (finess_ej ~ '^[0-9][0-9AB][0-9]{7}$'),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE establishments (
  id          uuid PRIMARY KEY,
  org_id      uuid NOT NULL REFERENCES organisations(id),
  name        text NOT NULL CHECK (name <> ''),
  finess_et   char(9) NOT NULL UNIQUE CHECK (finess_et ~ '^[0-9][0-9AB][0-9]{7}$'),
  category    text NOT NULL CHECK (category IN ('EHPAD','SSIAD','SAAD','SPASAD','DITEP','IME','SESSAD','FOYER','FAM','MAS','ESAT','RESIDENCE_AUTONOMIE','AUTRE')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id)
);
CREATE INDEX establishments_org ON establishments (org_id, name);

CREATE TABLE users (
  id              uuid PRIMARY KEY,
  org_id          uuid NOT NULL REFERENCES organisations(id),
  username        text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
  display_name    text NOT NULL CHECK (display_name <> ''),
  password_hash   text NOT NULL,
  active          boolean NOT NULL DEFAULT true,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id)
);

-- A user's role in one establishment: the casbin subject.
CREATE TABLE memberships (
  org_id            uuid NOT NULL,
  user_id           uuid NOT NULL,
  establishment_id  uuid NOT NULL,
  role              text NOT NULL CHECK (role ~ '^[a-z_]{2,40}$'),
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, establishment_id, role),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, establishment_id) REFERENCES establishments (org_id, id)
);
CREATE INDEX memberships_establishment ON memberships (establishment_id);

CREATE TABLE sessions (
  token_hash  bytea PRIMARY KEY,
  org_id      uuid NOT NULL,
  user_id     uuid NOT NULL,
  csrf_token  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Failed logins, keyed by the name typed: read before the tenant is known.
CREATE TABLE login_failures (
  username  text NOT NULL,
  remote_ip text NOT NULL,
  at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_username ON login_failures (username, at);
CREATE INDEX login_failures_ip ON login_failures (remote_ip, at);

-- Casbin policy lines (role matrix per organisation). Loaded by our adapter.
CREATE TABLE casbin_rule (
  id     bigserial PRIMARY KEY,
  ptype  varchar(100) NOT NULL,
  v0     varchar(100) NOT NULL DEFAULT '',
  v1     varchar(100) NOT NULL DEFAULT '',
  v2     varchar(100) NOT NULL DEFAULT '',
  v3     varchar(100) NOT NULL DEFAULT '',
  v4     varchar(100) NOT NULL DEFAULT '',
  v5     varchar(100) NOT NULL DEFAULT '',
  UNIQUE (ptype, v0, v1, v2, v3, v4, v5)
);

CREATE TABLE usagers (
  id                uuid PRIMARY KEY,
  org_id            uuid NOT NULL REFERENCES organisations(id),
  birth_name        text NOT NULL CHECK (birth_name <> ''),
  used_name         text NOT NULL DEFAULT '',
  first_names       text[] NOT NULL CHECK (cardinality(first_names) > 0),
  used_first_name   text NOT NULL DEFAULT '',
  birth_date        date NOT NULL,
  sex               char(1) NOT NULL CHECK (sex IN ('F','M','I')),
  birth_place_code  text NOT NULL DEFAULT '' CHECK (birth_place_code = '' OR birth_place_code ~ '^([0-9]{2}|2A|2B)[0-9]{3}$'),
  identity_status   text NOT NULL DEFAULT 'PROV' CHECK (identity_status IN ('PROV','RECUP','VALI','QUAL')),
  address           text NOT NULL DEFAULT '',
  postal_code       text NOT NULL DEFAULT '',
  city              text NOT NULL DEFAULT '',
  phone             text NOT NULL DEFAULT '',
  email             text NOT NULL DEFAULT '',
  -- Upper-case, accent-free "NAME FIRSTNAME" used for search and ordering.
  sort_key          text NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id)
);
CREATE INDEX usagers_sort ON usagers (org_id, sort_key, id);
CREATE INDEX usagers_sort_prefix ON usagers (org_id, sort_key text_pattern_ops);

CREATE TABLE stays (
  id                uuid PRIMARY KEY,
  org_id            uuid NOT NULL,
  usager_id         uuid NOT NULL,
  establishment_id  uuid NOT NULL,
  status            text NOT NULL CHECK (status IN ('preadmission','admitted','discharged','cancelled')),
  mode              text NOT NULL,
  planned_entry     date,
  admission_date    date,
  discharge_date    date,
  discharge_reason  text NOT NULL DEFAULT '',
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id),
  FOREIGN KEY (org_id, establishment_id) REFERENCES establishments (org_id, id),
  CHECK (status <> 'admitted' OR admission_date IS NOT NULL),
  CHECK (status <> 'discharged' OR (admission_date IS NOT NULL AND discharge_date IS NOT NULL AND discharge_date >= admission_date AND discharge_reason <> ''))
);
CREATE INDEX stays_usager ON stays (usager_id);
CREATE INDEX stays_establishment ON stays (establishment_id, status, usager_id);
-- One open stay (pre-admission or admitted) per person and establishment.
CREATE UNIQUE INDEX stays_one_open ON stays (usager_id, establishment_id) WHERE status IN ('preadmission','admitted');

-- Entourage: family, legal representative, personne de confiance…
CREATE TABLE contacts (
  id                uuid PRIMARY KEY,
  org_id            uuid NOT NULL,
  usager_id         uuid NOT NULL,
  last_name         text NOT NULL CHECK (last_name <> ''),
  first_name        text NOT NULL DEFAULT '',
  relationship      text NOT NULL DEFAULT '',
  roles             text[] NOT NULL DEFAULT '{}',
  legal_protection  text NOT NULL DEFAULT '',
  phone             text NOT NULL DEFAULT '',
  email             text NOT NULL DEFAULT '',
  address           text NOT NULL DEFAULT '',
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id)
);
CREATE INDEX contacts_usager ON contacts (usager_id);

CREATE TABLE consents (
  id            uuid PRIMARY KEY,
  org_id        uuid NOT NULL,
  usager_id     uuid NOT NULL,
  scope         text NOT NULL,
  granted       boolean NOT NULL,
  given_on      date NOT NULL,
  given_by      text NOT NULL CHECK (given_by IN ('usager','representant_legal','personne_de_confiance')),
  given_by_name text NOT NULL DEFAULT '',
  withdrawn_on  date,
  recorded_by   uuid NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id)
);
CREATE INDEX consents_usager ON consents (usager_id);

-- Dated, authored entries of a record section (the section journal).
CREATE TABLE record_notes (
  id            uuid PRIMARY KEY,
  org_id        uuid NOT NULL,
  usager_id     uuid NOT NULL,
  section       text NOT NULL CHECK (section IN ('admin','social','educational','care','medical')),
  author_id     uuid NOT NULL,
  author_name   text NOT NULL,
  body          text NOT NULL CHECK (body <> ''),
  written_at    timestamptz NOT NULL DEFAULT now(),
  validated_by  uuid,
  validated_by_name text NOT NULL DEFAULT '',
  validated_at  timestamptz,
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id)
);
CREATE INDEX record_notes_usager ON record_notes (usager_id, section, written_at DESC);

-- Append-only access trail; each row's hash covers its fields and the
-- previous row's hash of the same organisation.
CREATE TABLE access_trail (
  seq               bigserial PRIMARY KEY,
  org_id            uuid NOT NULL,
  at                timestamptz NOT NULL,
  user_id           uuid NOT NULL,
  username          text NOT NULL,
  role              text NOT NULL,
  establishment_id  uuid,
  usager_id         uuid,
  section           text NOT NULL,
  action            text NOT NULL,
  detail            text NOT NULL DEFAULT '',
  prev_hash         bytea NOT NULL,
  hash              bytea NOT NULL
);
CREATE INDEX access_trail_usager ON access_trail (org_id, usager_id, seq DESC);
CREATE INDEX access_trail_org ON access_trail (org_id, seq DESC);

-- +goose StatementBegin
CREATE FUNCTION relais_trail_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'access_trail is append-only';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER access_trail_no_update BEFORE UPDATE OR DELETE OR TRUNCATE ON access_trail
  FOR EACH STATEMENT EXECUTE FUNCTION relais_trail_append_only();

-- Row-level security on every tenant table.
ALTER TABLE organisations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON organisations USING (id = relais_tenant()) WITH CHECK (id = relais_tenant());
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['establishments','users','memberships','sessions','usagers','stays','contacts','consents','record_notes','access_trail'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I USING (org_id = relais_tenant()) WITH CHECK (org_id = relais_tenant())', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

-- Lookups that must run before the tenant is known: they reveal only what the
-- caller already proves to know (the exact user name, the session secret).
CREATE FUNCTION relais_login_lookup(p_username text)
  RETURNS TABLE (id uuid, org_id uuid, password_hash text, active boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT id, org_id, password_hash, active FROM users WHERE username = p_username $$;

CREATE FUNCTION relais_session_lookup(p_token_hash bytea)
  RETURNS TABLE (user_id uuid, org_id uuid, csrf_token text, expires_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT user_id, org_id, csrf_token, expires_at FROM sessions WHERE token_hash = p_token_hash AND expires_at > now() $$;

REVOKE ALL ON FUNCTION relais_login_lookup(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION relais_session_lookup(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION relais_login_lookup(text), relais_session_lookup(bytea) TO relais_app;

GRANT SELECT, INSERT, UPDATE, DELETE ON
  organisations, establishments, users, memberships, sessions, login_failures, casbin_rule,
  usagers, stays, contacts, consents, record_notes
  TO relais_app;
GRANT SELECT, INSERT ON access_trail TO relais_app;
GRANT USAGE ON SEQUENCE access_trail_seq_seq, casbin_rule_id_seq TO relais_app;

-- +goose Down
DROP TABLE access_trail, record_notes, consents, contacts, stays, usagers, casbin_rule,
  login_failures, sessions, memberships, users, establishments, organisations;
DROP FUNCTION relais_trail_append_only(), relais_login_lookup(text), relais_session_lookup(bytea), relais_tenant();
