-- Personalised plans (TDDUI ProjetPersonnalise): one row per version, with
-- expectations, needs, goals and their actions, agreements, and reviews with
-- their per-goal evaluations. Only plans carries usager_id (the parts hang
-- on the plan), so a merge of duplicate records moves plans alone.

-- +goose Up
CREATE TABLE plans (
  id                  uuid PRIMARY KEY,
  org_id              uuid NOT NULL,
  usager_id           uuid NOT NULL,
  establishment_id    uuid NOT NULL,
  version             integer NOT NULL CHECK (version >= 1),
  previous_id         uuid,
  status              text NOT NULL CHECK (status IN ('ENPREPARATION','ENCOURS','ENPAUSE','TERMINE')),
  periodicity_months  integer NOT NULL DEFAULT 0 CHECK (periodicity_months BETWEEN 0 AND 12),
  started_on          date,
  ended_on            date,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, id),
  UNIQUE (usager_id, establishment_id, version),
  FOREIGN KEY (org_id, usager_id) REFERENCES usagers (org_id, id),
  FOREIGN KEY (org_id, establishment_id) REFERENCES establishments (org_id, id),
  FOREIGN KEY (org_id, previous_id) REFERENCES plans (org_id, id),
  CHECK ((version = 1) = (previous_id IS NULL)),
  CHECK (status = 'ENPREPARATION' OR started_on IS NOT NULL OR status = 'TERMINE'),
  CHECK (status <> 'TERMINE' OR ended_on IS NOT NULL)
);
-- One revision per version, one draft and one running plan per person and
-- establishment.
CREATE UNIQUE INDEX plans_one_revision ON plans (previous_id) WHERE previous_id IS NOT NULL;
CREATE UNIQUE INDEX plans_one_draft ON plans (usager_id, establishment_id) WHERE status = 'ENPREPARATION';
CREATE UNIQUE INDEX plans_one_running ON plans (usager_id, establishment_id) WHERE status IN ('ENCOURS','ENPAUSE');
-- The "plans due" list finds the latest started version per stay through this.
CREATE INDEX plans_started ON plans (usager_id, establishment_id, version DESC) WHERE started_on IS NOT NULL;

CREATE TABLE plan_expectations (
  id                 uuid PRIMARY KEY,
  org_id             uuid NOT NULL,
  plan_id            uuid NOT NULL,
  position           integer NOT NULL,
  origin             text NOT NULL CHECK (origin IN ('usager','proche','professionnel','partenaire')),
  author             text NOT NULL DEFAULT '',
  body               text NOT NULL CHECK (body <> ''),
  entered_on_behalf  boolean NOT NULL DEFAULT false,
  recorded_on        date,
  FOREIGN KEY (org_id, plan_id) REFERENCES plans (org_id, id) ON DELETE CASCADE,
  CHECK (NOT (entered_on_behalf AND origin = 'usager'))
);
CREATE INDEX plan_expectations_plan ON plan_expectations (plan_id, position);

CREATE TABLE plan_needs (
  id            uuid PRIMARY KEY,
  org_id        uuid NOT NULL,
  plan_id       uuid NOT NULL,
  position      integer NOT NULL,
  body          text NOT NULL CHECK (body <> ''),
  serafin_code  text NOT NULL DEFAULT '',
  FOREIGN KEY (org_id, plan_id) REFERENCES plans (org_id, id) ON DELETE CASCADE
);
CREATE INDEX plan_needs_plan ON plan_needs (plan_id, position);

CREATE TABLE plan_goals (
  id               uuid PRIMARY KEY,
  org_id           uuid NOT NULL,
  plan_id          uuid NOT NULL,
  position         integer NOT NULL,
  domain           text NOT NULL CHECK (domain <> ''),
  title            text NOT NULL CHECK (title <> ''),
  person_opinion   text NOT NULL DEFAULT '',
  expected_result  text NOT NULL DEFAULT '',
  referent_id      uuid,
  start_on         date,
  end_on           date,
  status           text NOT NULL CHECK (status IN ('ENPREPARATION','ACTIF','TERMINE','ANNULE')),
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, plan_id) REFERENCES plans (org_id, id) ON DELETE CASCADE,
  CHECK (end_on IS NULL OR start_on IS NULL OR end_on >= start_on)
);
CREATE INDEX plan_goals_plan ON plan_goals (plan_id, position);
CREATE INDEX plan_goals_referent ON plan_goals (referent_id) WHERE referent_id IS NOT NULL;

CREATE TABLE plan_actions (
  id           uuid PRIMARY KEY,
  org_id       uuid NOT NULL,
  plan_id      uuid NOT NULL,
  goal_id      uuid NOT NULL,
  position     integer NOT NULL,
  title        text NOT NULL CHECK (title <> ''),
  referent_id  uuid,
  start_on     date,
  end_on       date,
  status       text NOT NULL CHECK (status IN ('ENPREPARATION','ACTIF','TERMINE','ANNULE')),
  FOREIGN KEY (org_id, plan_id) REFERENCES plans (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, goal_id) REFERENCES plan_goals (org_id, id) ON DELETE CASCADE,
  CHECK (end_on IS NULL OR start_on IS NULL OR end_on >= start_on)
);
CREATE INDEX plan_actions_plan ON plan_actions (plan_id, goal_id, position);
CREATE INDEX plan_actions_goal ON plan_actions (goal_id);

CREATE TABLE plan_agreements (
  id        uuid PRIMARY KEY,
  org_id    uuid NOT NULL,
  plan_id   uuid NOT NULL,
  author    text NOT NULL CHECK (author IN ('structure','usager','representant_legal')),
  method    text NOT NULL CHECK (method IN ('ecran','papier_scanne')),
  given_on  date NOT NULL,
  name      text NOT NULL CHECK (name <> ''),
  FOREIGN KEY (org_id, plan_id) REFERENCES plans (org_id, id) ON DELETE CASCADE,
  UNIQUE (plan_id, author)
);

CREATE TABLE plan_reviews (
  id           uuid PRIMARY KEY,
  org_id       uuid NOT NULL,
  plan_id      uuid NOT NULL,
  review_date  date NOT NULL,
  synthesis    text NOT NULL CHECK (synthesis <> ''),
  next_review  date,
  UNIQUE (org_id, id),
  FOREIGN KEY (org_id, plan_id) REFERENCES plans (org_id, id) ON DELETE CASCADE,
  CHECK (next_review IS NULL OR next_review > review_date)
);
CREATE INDEX plan_reviews_plan ON plan_reviews (plan_id, review_date DESC, id DESC);

CREATE TABLE plan_goal_evaluations (
  org_id     uuid NOT NULL,
  review_id  uuid NOT NULL,
  goal_id    uuid NOT NULL,
  result     text NOT NULL CHECK (result IN ('atteint','partiellement_atteint','non_atteint')),
  comment    text NOT NULL DEFAULT '',
  PRIMARY KEY (review_id, goal_id),
  FOREIGN KEY (org_id, review_id) REFERENCES plan_reviews (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, goal_id) REFERENCES plan_goals (org_id, id) ON DELETE CASCADE
);
CREATE INDEX plan_goal_evaluations_goal ON plan_goal_evaluations (goal_id);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['plans','plan_expectations','plan_needs','plan_goals','plan_actions','plan_agreements',
                           'plan_reviews','plan_goal_evaluations'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I USING (org_id = relais_tenant()) WITH CHECK (org_id = relais_tenant())', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

-- A version is never deleted (earlier versions stay readable); its parts are
-- rewritten as a whole while it is saved.
GRANT SELECT, INSERT, UPDATE ON plans TO relais_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON plan_expectations, plan_needs, plan_goals, plan_actions, plan_agreements,
  plan_reviews, plan_goal_evaluations TO relais_app;

-- +goose Down
DROP TABLE plan_goal_evaluations, plan_reviews, plan_agreements, plan_actions, plan_goals, plan_needs,
  plan_expectations, plans;
