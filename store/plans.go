package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/relais-dui/relais/domain"
)

// Personalised plans. A plan version is an aggregate (header, expectations,
// needs, goals with their actions, agreements, reviews with evaluations)
// written as a whole inside a savepoint: either everything of a save is
// stored or nothing is, even when the caller goes on with its transaction
// after an error.

const planColumns = `id, org_id, usager_id, establishment_id, version, previous_id, status, periodicity_months,
	started_on, ended_on, created_at, revision, updated_by, updated_by_name, updated_at`

func scanPlan(s scanner) (domain.Plan, error) {
	var p domain.Plan
	var prev uuid.NullUUID
	var status string
	var started, ended sql.NullTime
	var updatedBy uuid.NullUUID
	if err := s.Scan(&p.ID, &p.OrgID, &p.UsagerID, &p.EstablishmentID, &p.Version, &prev, &status, &p.PeriodicityMonths,
		&started, &ended, &p.CreatedAt, &p.Revision, &updatedBy, &p.UpdatedByName, &p.UpdatedAt); err != nil {
		return p, err
	}
	p.PreviousID, p.Status, p.UpdatedBy, p.UpdatedAt = prev.UUID, domain.PlanStatus(status), updatedBy.UUID, p.UpdatedAt.UTC()
	p.StartedOn, p.EndedOn = nullDate(started), nullDate(ended)
	return p, nil
}

func planUUIDArg(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id
}

// planSavepoint runs fn in a nested transaction (SAVEPOINT): an error rolls back
// what fn did and leaves the outer transaction usable.
func (tx *Tx) planSavepoint(fn func(in *Tx) error) error {
	return tx.g.Transaction(func(g *gorm.DB) error { return fn(&Tx{g: g, Org: tx.Org}) })
}

// CreatePlan stores a new plan version with all its parts (a first plan,
// or a revision drafted by domain.Plan.Revise). Ids left Nil are assigned.
// A plan without PreviousID for a usager whose latest version is TERMINE
// becomes that version's successor (Version and PreviousID set); ErrConflict
// while the latest version is still drafted or running.
func (tx *Tx) CreatePlan(p *domain.Plan) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if p.ID == uuid.Nil {
		p.ID = NewID()
	}
	p.OrgID = tx.Org
	return tx.planSavepoint(func(in *Tx) error {
		if p.PreviousID == uuid.Nil {
			// A new plan after an ended one (plan closed, or a draft
			// abandoned) follows it as the next version; while a version is
			// drafted or running, it is revised or continued instead.
			last, err := scanPlan(in.g.Raw(`SELECT `+planColumns+` FROM plans WHERE usager_id = ? AND establishment_id = ?
				ORDER BY version DESC LIMIT 1 FOR UPDATE`, p.UsagerID, p.EstablishmentID).Row())
			switch {
			case err == sql.ErrNoRows:
			case err != nil:
				return mapErr("find latest plan", err)
			case last.Status != domain.PlanTermine:
				return fmt.Errorf("create plan: a version is %s: %w", last.Status, domain.ErrConflict)
			default:
				p.Version, p.PreviousID = last.Version+1, last.ID
			}
		}
		if err := in.endPrevious(p); err != nil {
			return err
		}
		err := in.g.Raw(`INSERT INTO plans (id, org_id, usager_id, establishment_id, version, previous_id, status,
			periodicity_months, started_on, ended_on, updated_by, updated_by_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING created_at, revision, updated_at`,
			p.ID, p.OrgID, p.UsagerID, p.EstablishmentID, p.Version, planUUIDArg(p.PreviousID), string(p.Status),
			p.PeriodicityMonths, dateArg(p.StartedOn), dateArg(p.EndedOn), planUUIDArg(p.UpdatedBy), p.UpdatedByName).Row().Scan(
			&p.CreatedAt, &p.Revision, &p.UpdatedAt)
		if err != nil {
			return mapErr("create plan", err)
		}
		return in.insertPlanParts(p)
	})
}

// SavePlan stores the whole plan p (status, dates, every part) over its
// stored version. A stored TERMINE version is never changed. p.Revision is
// the revision p was read at: when the stored one moved on (someone saved
// meanwhile), the save is refused with a *domain.PlanStaleError naming
// them; otherwise the revision goes up by one and p.UpdatedBy/UpdatedByName
// are recorded as the last saver. When p is a revision that starts
// (ENCOURS), the version it revises ends (TERMINE) in the same savepoint.
// Nothing is stored when any check fails.
func (tx *Tx) SavePlan(p *domain.Plan) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return tx.planSavepoint(func(in *Tx) error {
		stored, err := scanPlan(in.g.Raw(`SELECT `+planColumns+` FROM plans WHERE id = ? FOR UPDATE`, p.ID).Row())
		if err != nil {
			return mapSQL("lock plan", err)
		}
		if stored.Status == domain.PlanTermine {
			return fmt.Errorf("save plan: %w", domain.ErrPlanClosed)
		}
		// Checked under the row lock: of two saves drawn from the same
		// revision, the second waits here and is refused.
		if err := stored.CheckRevision(p.Revision); err != nil {
			return err
		}
		if stored.UsagerID != p.UsagerID || stored.EstablishmentID != p.EstablishmentID || stored.Version != p.Version ||
			stored.PreviousID != p.PreviousID {
			return fmt.Errorf("save plan: identity of the version changed: %w", domain.ErrConflict)
		}
		if stored.Status != p.Status && !stored.Status.CanMoveTo(p.Status) {
			return &domain.PlanTransitionError{From: stored.Status, To: p.Status}
		}
		if err := in.endPrevious(p); err != nil {
			return err
		}
		p.OrgID = tx.Org
		err = in.g.Raw(`UPDATE plans SET status = ?, periodicity_months = ?, started_on = ?, ended_on = ?,
			revision = revision + 1, updated_by = ?, updated_by_name = ?, updated_at = now() WHERE id = ?
			RETURNING revision, updated_at`,
			string(p.Status), p.PeriodicityMonths, dateArg(p.StartedOn), dateArg(p.EndedOn), planUUIDArg(p.UpdatedBy),
			p.UpdatedByName, p.ID).Row().Scan(&p.Revision, &p.UpdatedAt)
		if err != nil {
			return mapSQL("update plan", err)
		}
		// Reviews first: their evaluations reference goals.
		for _, t := range []string{"plan_reviews", "plan_goals", "plan_expectations", "plan_needs", "plan_agreements"} {
			if err := in.g.Exec(`DELETE FROM `+t+` WHERE plan_id = ?`, p.ID).Error; err != nil {
				return mapErr("clear "+t, err)
			}
		}
		return in.insertPlanParts(p)
	})
}

// endPrevious ends (TERMINE) the version p revises when p starts running,
// on p's start date (domain.Supersede).
func (tx *Tx) endPrevious(p *domain.Plan) error {
	if p.Status != domain.PlanEnCours || p.PreviousID == uuid.Nil {
		return nil
	}
	prev, err := scanPlan(tx.g.Raw(`SELECT `+planColumns+` FROM plans WHERE id = ? FOR UPDATE`, p.PreviousID).Row())
	if err != nil {
		return mapSQL("lock previous plan", err)
	}
	if !prev.Status.Open() {
		return nil
	}
	on := p.StartedOn
	if on.IsZero() {
		on = time.Now()
	}
	if err := domain.Supersede(&prev, *p, on); err != nil {
		return err
	}
	// The ended version's revision moves on too: a form still open on it
	// is stale.
	return affected("end previous plan", tx.g.Exec(`UPDATE plans SET status = ?, ended_on = ?, revision = revision + 1,
		updated_by = ?, updated_by_name = ?, updated_at = now() WHERE id = ?`,
		string(prev.Status), dateArg(prev.EndedOn), planUUIDArg(p.UpdatedBy), p.UpdatedByName, prev.ID))
}

// insertPlanRows inserts rows (ncols values each) with one multi-row INSERT.
func (tx *Tx) insertPlanRows(what, head string, ncols int, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", ncols), ", ") + ")"
	var b strings.Builder
	args := make([]any, 0, len(rows)*ncols)
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
		args = append(args, r...)
	}
	return mapErr(what, tx.g.Exec(head+" VALUES "+b.String(), args...).Error)
}

// insertPlanParts writes every part of p, assigning missing ids.
func (tx *Tx) insertPlanParts(p *domain.Plan) error {
	var rows [][]any
	for i := range p.Expectations {
		e := &p.Expectations[i]
		if e.ID == uuid.Nil {
			e.ID = NewID()
		}
		rows = append(rows, []any{e.ID, tx.Org, p.ID, i, string(e.Origin), e.Author, e.Text, e.EnteredOnBehalf, dateArg(e.RecordedOn)})
	}
	if err := tx.insertPlanRows("store expectations", `INSERT INTO plan_expectations (id, org_id, plan_id, position, origin, author,
		body, entered_on_behalf, recorded_on)`, 9, rows); err != nil {
		return err
	}
	rows = nil
	for i := range p.Needs {
		n := &p.Needs[i]
		if n.ID == uuid.Nil {
			n.ID = NewID()
		}
		rows = append(rows, []any{n.ID, tx.Org, p.ID, i, n.Text, n.SerafinCode})
	}
	if err := tx.insertPlanRows("store needs", `INSERT INTO plan_needs (id, org_id, plan_id, position, body, serafin_code)`, 6, rows); err != nil {
		return err
	}
	rows = nil
	var actions [][]any
	for i := range p.Goals {
		g := &p.Goals[i]
		if g.ID == uuid.Nil {
			g.ID = NewID()
		}
		rows = append(rows, []any{g.ID, tx.Org, p.ID, i, string(g.Domain), g.Title, g.PersonOpinion, g.ExpectedResult,
			planUUIDArg(g.ReferentID), dateArg(g.Start), dateArg(g.End), string(g.Status)})
		for j := range g.Actions {
			a := &g.Actions[j]
			if a.ID == uuid.Nil {
				a.ID = NewID()
			}
			actions = append(actions, []any{a.ID, tx.Org, p.ID, g.ID, j, a.Title, planUUIDArg(a.ReferentID), dateArg(a.Start),
				dateArg(a.End), string(a.Status)})
		}
	}
	if err := tx.insertPlanRows("store goals", `INSERT INTO plan_goals (id, org_id, plan_id, position, domain, title, person_opinion,
		expected_result, referent_id, start_on, end_on, status)`, 12, rows); err != nil {
		return err
	}
	if err := tx.insertPlanRows("store actions", `INSERT INTO plan_actions (id, org_id, plan_id, goal_id, position, title, referent_id,
		start_on, end_on, status)`, 10, actions); err != nil {
		return err
	}
	rows = nil
	for i := range p.Agreements {
		a := &p.Agreements[i]
		if a.ID == uuid.Nil {
			a.ID = NewID()
		}
		rows = append(rows, []any{a.ID, tx.Org, p.ID, string(a.Author), string(a.Method), dateArg(a.Date), a.Name})
	}
	if err := tx.insertPlanRows("store agreements", `INSERT INTO plan_agreements (id, org_id, plan_id, author, method, given_on, name)`,
		7, rows); err != nil {
		return err
	}
	rows = nil
	var evals [][]any
	for i := range p.Reviews {
		r := &p.Reviews[i]
		if r.ID == uuid.Nil {
			r.ID = NewID()
		}
		rows = append(rows, []any{r.ID, tx.Org, p.ID, dateArg(r.Date), r.Synthesis, dateArg(r.NextReview)})
		for _, e := range r.Evaluations {
			evals = append(evals, []any{tx.Org, r.ID, e.GoalID, string(e.Result), e.Comment})
		}
	}
	if err := tx.insertPlanRows("store reviews", `INSERT INTO plan_reviews (id, org_id, plan_id, review_date, synthesis, next_review)`,
		6, rows); err != nil {
		return err
	}
	return tx.insertPlanRows("store evaluations", `INSERT INTO plan_goal_evaluations (org_id, review_id, goal_id, result, comment)`,
		5, evals)
}

// Plan reads one version with all its parts.
func (tx *Tx) Plan(id uuid.UUID) (domain.Plan, error) {
	p, err := scanPlan(tx.g.Raw(`SELECT `+planColumns+` FROM plans WHERE id = ?`, id).Row())
	if err != nil {
		return p, mapSQL("read plan", err)
	}
	plans := []domain.Plan{p}
	if err := tx.loadPlanParts(plans); err != nil {
		return p, err
	}
	return plans[0], nil
}

// Plans lists every version of every plan of a usager, with their parts:
// by establishment, newest version first. Parts are read with one query per
// kind for the whole list.
func (tx *Tx) Plans(usager uuid.UUID) ([]domain.Plan, error) {
	rows, err := tx.g.Raw(`SELECT `+planColumns+` FROM plans WHERE usager_id = ? ORDER BY establishment_id, version DESC`, usager).Rows()
	if err != nil {
		return nil, mapErr("list plans", err)
	}
	var out []domain.Plan
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan plan: %w", err)
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr("list plans", err)
	}
	return out, tx.loadPlanParts(out)
}

// StartRevision drafts and stores the next version of the running plan id
// (domain.Plan.Revise). ErrConflict when a revision of it already exists.
func (tx *Tx) StartRevision(id uuid.UUID) (domain.Plan, error) {
	p, err := tx.Plan(id)
	if err != nil {
		return domain.Plan{}, err
	}
	n, err := p.Revise()
	if err != nil {
		return domain.Plan{}, err
	}
	if err := tx.CreatePlan(&n); err != nil {
		return domain.Plan{}, err
	}
	return n, nil
}

// loadPlanParts fills the parts of plans (one query per kind).
func (tx *Tx) loadPlanParts(plans []domain.Plan) error {
	if len(plans) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(plans))
	idx := make(map[uuid.UUID]int, len(plans))
	for i, p := range plans {
		ids[i], idx[p.ID] = p.ID, i
	}
	each := func(what, q string, scan func(rows *sql.Rows) error) error {
		rows, err := tx.g.Raw(q, ids).Rows()
		if err != nil {
			return mapErr(what, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
		return mapErr(what, rows.Err())
	}
	err := each("read expectations", `SELECT plan_id, id, origin, author, body, entered_on_behalf, recorded_on
		FROM plan_expectations WHERE plan_id IN ? ORDER BY plan_id, position`, func(rows *sql.Rows) error {
		var pid uuid.UUID
		var e domain.Expectation
		var origin string
		var rec sql.NullTime
		if err := rows.Scan(&pid, &e.ID, &origin, &e.Author, &e.Text, &e.EnteredOnBehalf, &rec); err != nil {
			return err
		}
		e.Origin, e.RecordedOn = domain.ExpectationOrigin(origin), nullDate(rec)
		plans[idx[pid]].Expectations = append(plans[idx[pid]].Expectations, e)
		return nil
	})
	if err != nil {
		return err
	}
	err = each("read needs", `SELECT plan_id, id, body, serafin_code FROM plan_needs WHERE plan_id IN ? ORDER BY plan_id, position`,
		func(rows *sql.Rows) error {
			var pid uuid.UUID
			var n domain.Need
			if err := rows.Scan(&pid, &n.ID, &n.Text, &n.SerafinCode); err != nil {
				return err
			}
			plans[idx[pid]].Needs = append(plans[idx[pid]].Needs, n)
			return nil
		})
	if err != nil {
		return err
	}
	type goalAt struct{ plan, goal int }
	goals := map[uuid.UUID]goalAt{}
	err = each("read goals", `SELECT plan_id, id, domain, title, person_opinion, expected_result, referent_id, start_on, end_on, status
		FROM plan_goals WHERE plan_id IN ? ORDER BY plan_id, position`, func(rows *sql.Rows) error {
		var pid uuid.UUID
		var g domain.Goal
		var dom, status string
		var ref uuid.NullUUID
		var start, end sql.NullTime
		if err := rows.Scan(&pid, &g.ID, &dom, &g.Title, &g.PersonOpinion, &g.ExpectedResult, &ref, &start, &end, &status); err != nil {
			return err
		}
		g.Domain, g.Status, g.ReferentID = domain.GoalDomain(dom), domain.ItemStatus(status), ref.UUID
		g.Start, g.End = nullDate(start), nullDate(end)
		i := idx[pid]
		plans[i].Goals = append(plans[i].Goals, g)
		goals[g.ID] = goalAt{i, len(plans[i].Goals) - 1}
		return nil
	})
	if err != nil {
		return err
	}
	err = each("read actions", `SELECT goal_id, id, title, referent_id, start_on, end_on, status
		FROM plan_actions WHERE plan_id IN ? ORDER BY plan_id, goal_id, position`, func(rows *sql.Rows) error {
		var gid uuid.UUID
		var a domain.PlanAction
		var status string
		var ref uuid.NullUUID
		var start, end sql.NullTime
		if err := rows.Scan(&gid, &a.ID, &a.Title, &ref, &start, &end, &status); err != nil {
			return err
		}
		a.Status, a.ReferentID, a.Start, a.End = domain.ItemStatus(status), ref.UUID, nullDate(start), nullDate(end)
		at, ok := goals[gid]
		if !ok {
			return fmt.Errorf("action %s of an unknown goal", a.ID)
		}
		g := &plans[at.plan].Goals[at.goal]
		g.Actions = append(g.Actions, a)
		return nil
	})
	if err != nil {
		return err
	}
	err = each("read agreements", `SELECT plan_id, id, author, method, given_on, name FROM plan_agreements
		WHERE plan_id IN ? ORDER BY plan_id, given_on, id`, func(rows *sql.Rows) error {
		var pid uuid.UUID
		var a domain.Agreement
		var author, method string
		if err := rows.Scan(&pid, &a.ID, &author, &method, &a.Date, &a.Name); err != nil {
			return err
		}
		a.Author, a.Method, a.Date = domain.AgreementAuthor(author), domain.AgreementMethod(method), a.Date.UTC()
		plans[idx[pid]].Agreements = append(plans[idx[pid]].Agreements, a)
		return nil
	})
	if err != nil {
		return err
	}
	type reviewAt struct{ plan, review int }
	reviews := map[uuid.UUID]reviewAt{}
	err = each("read reviews", `SELECT plan_id, id, review_date, synthesis, next_review FROM plan_reviews
		WHERE plan_id IN ? ORDER BY plan_id, review_date, id`, func(rows *sql.Rows) error {
		var pid uuid.UUID
		var r domain.Review
		var next sql.NullTime
		if err := rows.Scan(&pid, &r.ID, &r.Date, &r.Synthesis, &next); err != nil {
			return err
		}
		r.Date, r.NextReview = r.Date.UTC(), nullDate(next)
		i := idx[pid]
		plans[i].Reviews = append(plans[i].Reviews, r)
		reviews[r.ID] = reviewAt{i, len(plans[i].Reviews) - 1}
		return nil
	})
	if err != nil {
		return err
	}
	return each("read evaluations", `SELECT e.review_id, e.goal_id, e.result, e.comment FROM plan_goal_evaluations e
		JOIN plan_reviews r ON r.id = e.review_id JOIN plan_goals g ON g.id = e.goal_id
		WHERE r.plan_id IN ? ORDER BY e.review_id, g.position`, func(rows *sql.Rows) error {
		var rid uuid.UUID
		var e domain.GoalEvaluation
		var result string
		if err := rows.Scan(&rid, &e.GoalID, &result, &e.Comment); err != nil {
			return err
		}
		e.Result = domain.EvaluationResult(result)
		at, ok := reviews[rid]
		if !ok {
			return fmt.Errorf("evaluation of an unknown review %s", rid)
		}
		r := &plans[at.plan].Reviews[at.review]
		r.Evaluations = append(r.Evaluations, e)
		return nil
	})
}

// plansDueSQL takes the establishments, today and the soon window in days.
const plansDueSQL = `SELECT x.usager_id, x.establishment_id, x.category, x.admission_date, x.birth_name, x.used_name,
			x.first_names, x.used_first_name, x.sex, x.plan_id, x.version, x.status, x.periodicity_months, x.started_on,
			x.review_date, x.next_review
		FROM (
			SELECT s.usager_id, s.establishment_id, e.category, s.admission_date,
				u.birth_name, u.used_name, array_to_json(u.first_names)::text AS first_names, u.used_first_name, u.sex,
				p.id AS plan_id, p.version, p.status, p.periodicity_months, p.started_on, r.review_date, r.next_review,
				CASE WHEN p.id IS NULL THEN (s.admission_date + interval '6 months')::date
				ELSE LEAST((GREATEST(p.started_on, COALESCE(r.review_date, p.started_on)) + make_interval(months =>
						CASE WHEN e.category = 'DITEP' AND p.periodicity_months > 0 THEN p.periodicity_months ELSE 12 END))::date,
					COALESCE(r.next_review, 'infinity'::date))
				END AS due
			FROM stays s
			JOIN establishments e ON e.id = s.establishment_id
			-- LATERAL: one primary-key probe per stay, never a scan of every usager.
			JOIN LATERAL (SELECT birth_name, used_name, first_names, used_first_name, sex FROM usagers
				WHERE id = s.usager_id AND merged_into IS NULL LIMIT 1) u ON true
			LEFT JOIN LATERAL (SELECT id, version, status, periodicity_months, started_on FROM plans
				WHERE usager_id = s.usager_id AND establishment_id = s.establishment_id AND started_on IS NOT NULL
				ORDER BY version DESC LIMIT 1) p ON true
			LEFT JOIN LATERAL (SELECT review_date, next_review FROM plan_reviews
				WHERE plan_id = p.id ORDER BY review_date DESC, id DESC LIMIT 1) r ON true
			WHERE s.establishment_id IN ? AND s.status = 'admitted' AND s.admission_date IS NOT NULL
		) x
		WHERE x.due <= ?::date + ?::integer
		ORDER BY x.due, x.usager_id, x.establishment_id`

// PlansDue lists, for the admitted usagers of establishments, the plans late
// or due within domain.SoonDays of today: first plans not started six months
// after admission, and reviews due (domain.DueDate). One query: each
// admitted stay (stays_establishment index) joins its latest started
// version (plans_started) and that version's last review
// (plan_reviews_plan); the due date is computed in SQL with the same rule as
// domain.DueDate, which then recomputes it for the line. Most overdue first.
func (tx *Tx) PlansDue(establishments []uuid.UUID, today time.Time) ([]domain.PlanDue, error) {
	if len(establishments) == 0 {
		return nil, nil
	}
	rows, err := tx.g.Raw(plansDueSQL, establishments, dateArg(today), domain.SoonDays).Rows()
	if err != nil {
		return nil, mapErr("plans due", err)
	}
	defer rows.Close()
	var out []domain.PlanDue
	for rows.Next() {
		var d domain.PlanDue
		var u domain.Usager
		var cat, firstNames, sex string
		var planID uuid.NullUUID
		var version, periodicity sql.NullInt64
		var status sql.NullString
		var started, reviewed, next sql.NullTime
		if err := rows.Scan(&d.UsagerID, &d.EstablishmentID, &cat, &d.AdmissionDate, &u.BirthName, &u.UsedName, &firstNames,
			&u.UsedFirstName, &sex, &planID, &version, &status, &periodicity, &started, &reviewed, &next); err != nil {
			return nil, fmt.Errorf("scan plan due: %w", err)
		}
		if err := json.Unmarshal([]byte(firstNames), &u.FirstNames); err != nil {
			return nil, fmt.Errorf("decode first names: %w", err)
		}
		u.Sex = domain.Sex(sex)
		d.UsagerName = u.DisplayName()
		d.Category, d.AdmissionDate = domain.Category(cat), d.AdmissionDate.UTC()
		var ref *domain.Plan
		if planID.Valid {
			p := domain.Plan{ID: planID.UUID, Version: int(version.Int64), Status: domain.PlanStatus(status.String),
				PeriodicityMonths: int(periodicity.Int64), StartedOn: nullDate(started)}
			if reviewed.Valid {
				p.Reviews = []domain.Review{{Date: nullDate(reviewed), NextReview: nullDate(next)}}
			}
			ref = &p
			d.PlanID, d.Version, d.Status = p.ID, p.Version, p.Status
		}
		d.FirstPlan = ref == nil
		d.Due = domain.DueDate(ref, d.AdmissionDate, d.Category)
		d.State = domain.DeadlineState(d.Due, today)
		if d.State != domain.DeadlineOK {
			out = append(out, d)
		}
	}
	return out, mapErr("plans due", rows.Err())
}
