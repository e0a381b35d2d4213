-- +goose Up
-- FHIR name search: `family` matches the birth name as well as the used
-- name, `given` any birth first name or the used first name. relais_fold is
-- the SQL twin of domain.SearchKey for names (upper case, French accents
-- removed), immutable so that it can be indexed.
-- +goose StatementBegin
CREATE FUNCTION relais_fold(s text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT upper(translate(s,
    'àáâãäåçèéêëìíîïñòóôõöùúûüýÿÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝŸ',
    'aaaaaaceeeeiiiinooooouuuuyyAAAAAACEEEEIIIINOOOOOUUUUYY'))
$$;
-- +goose StatementEnd

CREATE INDEX usagers_birth_name_fold ON usagers (org_id, relais_fold(birth_name) text_pattern_ops);

-- +goose Down
DROP INDEX usagers_birth_name_fold;
DROP FUNCTION relais_fold(text);
