package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/internal/testpg"
	"github.com/relais-dui/relais/store"
)

func planDay(s string) time.Time {
	d, ok := domain.ParseDate(s)
	if !ok {
		panic(s)
	}
	return d
}

// admitted creates a usager admitted in establishment on date.
func admittedUsager(t *testing.T, f fixture, name string, establishment uuid.UUID, on string) domain.Usager {
	t.Helper()
	u := usager(t, name, "Jeanne", "1940-05-06")
	stay := domain.Stay{EstablishmentID: establishment, Status: domain.StayAdmitted, Mode: domain.ModePermanent, AdmissionDate: planDay(on)}
	f.tx(t, func(tx *store.Tx) error { return tx.CreateUsager(&u, &stay) })
	return u
}

func structureAgreement(on string) domain.Agreement {
	return domain.Agreement{Author: domain.AgreementStructure, Method: domain.AgreementOnScreen, Date: planDay(on), Name: "Mme la directrice"}
}

// draftPlan builds a first plan with one of each part.
func draftPlan(t *testing.T, u domain.Usager, establishment uuid.UUID) domain.Plan {
	t.Helper()
	p := domain.NewPlan(u.ID, establishment, 0)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(p.AddExpectation(domain.Expectation{Origin: domain.OriginUsager, Text: "Continuer à jardiner", RecordedOn: planDay("2025-01-10")}))
	must(p.AddExpectation(domain.Expectation{Origin: domain.OriginPartenaire, Author: "SSR Les Pins", Text: "Poursuivre la rééducation", EnteredOnBehalf: true}))
	must(p.AddNeed(domain.Need{Text: "Aide à la marche", SerafinCode: "1.1.1.2"}))
	g, err := domain.GoalInput{Domain: "autonomie", Title: "Marcher jusqu'au jardin", PersonOpinion: "D'accord", ExpectedResult: "Sans aide",
		Referent: uuid.NewString(), Start: "2025-01-15", End: "2025-12-31"}.Parse()
	must(err)
	g.Actions = []domain.PlanAction{{Title: "Séance de kiné hebdomadaire", Status: domain.ItemEnPreparation}, {Title: "Promenade accompagnée"}}
	must(p.AddGoal(g))
	g2, err := domain.GoalInput{Domain: "vie_sociale", Title: "Participer à l'atelier chant"}.Parse()
	must(err)
	must(p.AddGoal(g2))
	return p
}

func TestPlanRevisionKeepsHistory(t *testing.T) {
	f := newFixture(t)
	u := admittedUsager(t, f, "Lefèvre", f.ehpad.ID, "2024-10-01")
	p := draftPlan(t, u, f.ehpad.ID)
	f.tx(t, func(tx *store.Tx) error { return tx.CreatePlan(&p) })

	var v1 domain.Plan
	f.tx(t, func(tx *store.Tx) error {
		var err error
		if v1, err = tx.Plan(p.ID); err != nil {
			return err
		}
		if v1.Version != 1 || v1.Status != domain.PlanEnPreparation || len(v1.Expectations) != 2 || len(v1.Needs) != 1 ||
			len(v1.Goals) != 2 || len(v1.Goals[0].Actions) != 2 || v1.Goals[0].ReferentID == uuid.Nil ||
			!v1.Goals[0].End.Equal(planDay("2025-12-31")) || v1.Needs[0].SerafinCode != "1.1.1.2" {
			t.Fatalf("v1 read back: %+v", v1)
		}
		if !v1.Expectations[1].EnteredOnBehalf || v1.Expectations[1].Origin != domain.OriginPartenaire || v1.Expectations[0].EnteredOnBehalf {
			t.Errorf("partner contribution not marked as entered on behalf: %+v", v1.Expectations)
		}
		// Agreements, start, goal activation, review: each saved as a whole.
		if err := v1.AddAgreement(structureAgreement("2025-01-20")); err != nil {
			return err
		}
		if err := v1.AddAgreement(domain.Agreement{Author: domain.AgreementUsager, Method: domain.AgreementPaperScanned, Date: planDay("2025-01-21"), Name: "Jeanne Lefèvre"}); err != nil {
			return err
		}
		// Starting the plan activates its prepared goals.
		if err := v1.MoveTo(domain.PlanEnCours, planDay("2025-01-22")); err != nil {
			return err
		}
		if err := tx.SavePlan(&v1); err != nil {
			return err
		}
		if err := v1.AddReview(domain.Review{Date: planDay("2025-07-01"), Synthesis: "Progrès nets", NextReview: planDay("2026-01-15"),
			Evaluations: []domain.GoalEvaluation{{GoalID: v1.Goals[0].ID, Result: domain.ResultPartiel, Comment: "Avec canne"},
				{GoalID: v1.Goals[1].ID, Result: domain.ResultAtteint}}}); err != nil {
			return err
		}
		return tx.SavePlan(&v1)
	})

	var v2 domain.Plan
	f.tx(t, func(tx *store.Tx) error {
		var err error
		if v2, err = tx.StartRevision(v1.ID); err != nil {
			return err
		}
		if _, err := tx.StartRevision(v1.ID); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("second revision of v1: %v, want ErrConflict", err)
		}
		return nil
	})
	if v2.Version != 2 || v2.PreviousID != v1.ID || v2.Status != domain.PlanEnPreparation || len(v2.Goals) != 2 {
		t.Fatalf("v2: %+v", v2)
	}
	f.tx(t, func(tx *store.Tx) error {
		got, err := tx.Plan(v1.ID)
		if err != nil || got.Status != domain.PlanEnCours {
			t.Errorf("v1 while v2 is drafted: %s, %v", got.Status, err)
		}
		v2, err = tx.Plan(v2.ID)
		if err != nil {
			return err
		}
		if err := v2.AddAgreement(structureAgreement("2026-01-10")); err != nil {
			return err
		}
		if err := v2.MoveTo(domain.PlanEnCours, planDay("2026-01-12")); err != nil {
			return err
		}
		return tx.SavePlan(&v2)
	})

	f.tx(t, func(tx *store.Tx) error {
		plans, err := tx.Plans(u.ID)
		if err != nil {
			return err
		}
		if len(plans) != 2 || plans[0].Version != 2 || plans[1].Version != 1 {
			t.Fatalf("plans of the usager: %d versions", len(plans))
		}
		now, old := plans[0], plans[1]
		if now.Status != domain.PlanEnCours || !now.StartedOn.Equal(planDay("2026-01-12")) {
			t.Errorf("v2: %s from %v", now.Status, now.StartedOn)
		}
		if old.Status != domain.PlanTermine || !old.EndedOn.Equal(planDay("2026-01-12")) {
			t.Errorf("v1 after v2 started: %s ended %v, want TERMINE on 12/01/2026", old.Status, old.EndedOn)
		}
		// v1 is readable in full: its goals, agreements and review.
		if len(old.Goals) != 2 || len(old.Agreements) != 2 || len(old.Reviews) != 1 || len(old.Reviews[0].Evaluations) != 2 ||
			old.Reviews[0].Evaluations[0].Result != domain.ResultPartiel || old.Reviews[0].Evaluations[0].GoalID != old.Goals[0].ID ||
			!old.Reviews[0].NextReview.Equal(planDay("2026-01-15")) || len(old.Goals[0].Actions) != 2 {
			t.Errorf("v1 history: %+v", old)
		}
		if old.Goals[0].ID == now.Goals[0].ID || now.Goals[0].Title != old.Goals[0].Title {
			t.Errorf("v2 goals are not copies of v1's")
		}
		// A terminated version never changes again.
		old.Goals[0].Title = "réécrit"
		if err := tx.SavePlan(&old); !errors.Is(err, domain.ErrPlanClosed) {
			t.Errorf("saving terminated v1: %v, want ErrPlanClosed", err)
		}
		return nil
	})
}

func TestPlanEnCoursRefusedWithoutStructureAgreement(t *testing.T) {
	f := newFixture(t)
	u := admittedUsager(t, f, "Garnier", f.ssiad.ID, "2025-01-01")
	p := draftPlan(t, u, f.ssiad.ID)
	f.tx(t, func(tx *store.Tx) error { return tx.CreatePlan(&p) })
	f.tx(t, func(tx *store.Tx) error {
		got, err := tx.Plan(p.ID)
		if err != nil {
			return err
		}
		// Only the person agreed: the domain refuses, with the reason.
		if err := got.AddAgreement(domain.Agreement{Author: domain.AgreementUsager, Method: domain.AgreementOnScreen, Date: planDay("2025-02-01"), Name: "M. Garnier"}); err != nil {
			return err
		}
		err = got.MoveTo(domain.PlanEnCours, planDay("2025-02-02"))
		if !errors.Is(err, domain.ErrNoStructureAgreement) || got.Status != domain.PlanEnPreparation {
			t.Errorf("MoveTo ENCOURS without the structure: %v", err)
		}
		// A caller that forces the status is refused by the store, and none
		// of the other changes made with it is stored.
		got.Status, got.StartedOn = domain.PlanEnCours, planDay("2025-02-02")
		got.Goals = got.Goals[:1]
		got.Expectations = append(got.Expectations, domain.Expectation{Origin: domain.OriginProche, Text: "Plus de visites"})
		err = tx.SavePlan(&got)
		if v, ok := domain.AsValidation(err); !ok || v.Fields["status"] == "" {
			t.Errorf("SavePlan ENCOURS without the structure's agreement: %v", err)
		}
		// The transaction goes on; the stored plan is untouched.
		back, err := tx.Plan(p.ID)
		if err != nil {
			return err
		}
		if back.Status != domain.PlanEnPreparation || !back.StartedOn.IsZero() || len(back.Goals) != 2 ||
			len(back.Expectations) != 2 || len(back.Agreements) != 0 {
			t.Errorf("something was stored: %s, %d goals, %d expectations, %d agreements", back.Status, len(back.Goals),
				len(back.Expectations), len(back.Agreements))
		}
		return nil
	})
}

// A failure half-way through the parts (here a database constraint on the
// second goal's action) leaves nothing of the save.
func TestPlanSaveIsAllOrNothing(t *testing.T) {
	f := newFixture(t)
	u := admittedUsager(t, f, "Roux", f.ehpad.ID, "2025-01-01")
	p := draftPlan(t, u, f.ehpad.ID)
	f.tx(t, func(tx *store.Tx) error { return tx.CreatePlan(&p) })
	f.tx(t, func(tx *store.Tx) error {
		got, err := tx.Plan(p.ID)
		if err != nil {
			return err
		}
		got.Needs = nil
		got.Goals[1].Actions = []domain.PlanAction{{ID: got.Goals[0].Actions[0].ID, Title: "même id", Status: domain.ItemActif}}
		got.Goals[1].Actions = append(got.Goals[1].Actions, got.Goals[0].Actions[0]) // duplicate key
		if err := tx.SavePlan(&got); err == nil {
			t.Fatal("save with a duplicate action id accepted")
		}
		back, err := tx.Plan(p.ID)
		if err != nil {
			return err
		}
		if len(back.Needs) != 1 || len(back.Goals) != 2 || len(back.Goals[0].Actions) != 2 || len(back.Goals[1].Actions) != 0 {
			t.Errorf("partial save stored: %+v", back)
		}
		return nil
	})
}

func TestPlanGoalWithoutDomainRefused(t *testing.T) {
	f := newFixture(t)
	u := admittedUsager(t, f, "Bonnet", f.ehpad.ID, "2025-01-01")
	p := draftPlan(t, u, f.ehpad.ID)
	p.Goals = append(p.Goals, domain.Goal{Title: "Sans domaine"})
	f.tx(t, func(tx *store.Tx) error {
		err := tx.CreatePlan(&p)
		v, ok := domain.AsValidation(err)
		if !ok || v.Fields["domain"] != "Choisissez le domaine de l'objectif (santé, autonomie, vie sociale…)." {
			t.Errorf("goal without domain: %v", err)
		}
		plans, err := tx.Plans(u.ID)
		if err != nil || len(plans) != 0 {
			t.Errorf("a plan was stored: %d, %v", len(plans), err)
		}
		// The database refuses it too, whatever the caller.
		err = tx.Gorm().Exec(`SAVEPOINT raw`).Error
		if err == nil {
			q := store.NewID()
			err = tx.Gorm().Exec(`INSERT INTO plans (id, org_id, usager_id, establishment_id, version, status) VALUES (?, ?, ?, ?, 1, 'ENPREPARATION')`,
				q, f.org, u.ID, f.ehpad.ID).Error
			if err == nil {
				err = tx.Gorm().Exec(`INSERT INTO plan_goals (id, org_id, plan_id, position, domain, title, status) VALUES (?, ?, ?, 0, '', 'x', 'ACTIF')`,
					store.NewID(), f.org, q).Error
				if err == nil {
					t.Error("the database accepted a goal without domain")
				}
			}
		}
		return tx.Gorm().Exec(`ROLLBACK TO SAVEPOINT raw`).Error
	})
}

func TestPlansDue(t *testing.T) {
	f := newFixture(t)
	var ditep domain.Establishment
	f.tx(t, func(tx *store.Tx) error {
		ditep = domain.Establishment{Name: "DITEP", FinessET: "690000041", Category: domain.CatDITEP}
		return tx.CreateEstablishment(&ditep)
	})
	today := time.Date(2025, 6, 15, 9, 30, 0, 0, time.UTC)
	start := func(u domain.Usager, est uuid.UUID, on string, periodicity int, review *domain.Review) domain.Plan {
		t.Helper()
		p := domain.NewPlan(u.ID, est, periodicity)
		var g domain.Goal
		f.tx(t, func(tx *store.Tx) error {
			var err error
			if g, err = (domain.GoalInput{Domain: "sante", Title: "Dormir"}).Parse(); err != nil {
				return err
			}
			if err := p.AddGoal(g); err != nil {
				return err
			}
			if err := p.AddAgreement(structureAgreement(on)); err != nil {
				return err
			}
			if err := p.MoveTo(domain.PlanEnCours, planDay(on)); err != nil {
				return err
			}
			if err := tx.CreatePlan(&p); err != nil {
				return err
			}
			if review != nil {
				if err := p.AddReview(*review); err != nil {
					return err
				}
				return tx.SavePlan(&p)
			}
			return nil
		})
		return p
	}
	// Late first plan: admitted 01/11/2024, nothing started (a draft only).
	lateFirst := admittedUsager(t, f, "Aubry", f.ehpad.ID, "2024-11-01")
	draft := draftPlan(t, lateFirst, f.ehpad.ID)
	f.tx(t, func(tx *store.Tx) error { return tx.CreatePlan(&draft) })
	// Late first plan, no plan at all.
	noPlan := admittedUsager(t, f, "Blanc", f.ehpad.ID, "2024-12-10")
	// Soon-due review: started 10/07/2024, yearly.
	soon := admittedUsager(t, f, "Carpentier", f.ehpad.ID, "2024-01-10")
	soonPlan := start(soon, f.ehpad.ID, "2024-07-10", 0, nil)
	// Review set a next date within 30 days.
	nextSoon := admittedUsager(t, f, "Denis", f.ehpad.ID, "2024-01-10")
	start(nextSoon, f.ehpad.ID, "2025-01-05", 0, &domain.Review{Date: planDay("2025-03-01"), Synthesis: "Point d'étape", NextReview: planDay("2025-07-01")})
	// Up to date: started 01/03/2025 (review due 01/03/2026).
	upToDate := admittedUsager(t, f, "Esnault", f.ehpad.ID, "2024-09-01")
	start(upToDate, f.ehpad.ID, "2025-03-01", 0, nil)
	// Recently admitted, first plan not yet due (01/11/2025).
	recent := admittedUsager(t, f, "Fabre", f.ehpad.ID, "2025-05-01")
	// SSIAD: late first plan, but another establishment.
	otherEst := admittedUsager(t, f, "Gauthier", f.ssiad.ID, "2024-06-01")
	// DITEP with a 6-month periodicity: started 01/01/2025, due 01/07/2025.
	ditepSoon := admittedUsager(t, f, "Henry", ditep.ID, "2024-09-01")
	start(ditepSoon, ditep.ID, "2025-01-01", 6, nil)
	// Discharged: no longer listed.
	gone := admittedUsager(t, f, "Imbert", f.ehpad.ID, "2023-01-01")
	f.tx(t, func(tx *store.Tx) error {
		stays, err := tx.Stays(gone.ID)
		if err != nil {
			return err
		}
		if err := stays[0].Discharge("2025-01-31", "Décès"); err != nil {
			return err
		}
		return tx.SaveStay(&stays[0])
	})

	var due []domain.PlanDue
	f.tx(t, func(tx *store.Tx) error {
		var err error
		due, err = tx.PlansDue([]uuid.UUID{f.ehpad.ID, ditep.ID}, today)
		return err
	})
	type want struct {
		due   string
		state domain.Deadline
		first bool
	}
	wants := map[uuid.UUID]want{
		lateFirst.ID: {"2025-05-01", domain.DeadlineLate, true},
		noPlan.ID:    {"2025-06-10", domain.DeadlineLate, true},
		soon.ID:      {"2025-07-10", domain.DeadlineSoon, false},
		nextSoon.ID:  {"2025-07-01", domain.DeadlineSoon, false},
		ditepSoon.ID: {"2025-07-01", domain.DeadlineSoon, false},
	}
	got := map[uuid.UUID]domain.PlanDue{}
	for _, d := range due {
		got[d.UsagerID] = d
	}
	for id, w := range wants {
		d, ok := got[id]
		if !ok {
			t.Errorf("usager %s missing from the plans due", id)
			continue
		}
		if !d.Due.Equal(planDay(w.due)) || d.State != w.state || d.FirstPlan != w.first {
			t.Errorf("%s: due %s %s first=%v, want %s %s first=%v", d.UsagerName, domain.FormatDate(d.Due), d.State, d.FirstPlan, w.due, w.state, w.first)
		}
	}
	for _, u := range []domain.Usager{upToDate, recent, otherEst, gone} {
		if d, ok := got[u.ID]; ok {
			t.Errorf("%s listed (due %s) but should not be", d.UsagerName, domain.FormatDate(d.Due))
		}
	}
	if len(due) != len(wants) {
		t.Errorf("%d lines, want %d", len(due), len(wants))
	}
	if len(due) > 0 && due[0].UsagerID != lateFirst.ID {
		t.Errorf("most overdue first: got %s", due[0].UsagerName)
	}
	if d := got[soon.ID]; d.PlanID != soonPlan.ID || d.Version != 1 || d.Status != domain.PlanEnCours || d.UsagerName == "" {
		t.Errorf("review line: %+v", d)
	}
}

// Another organisation sees none of the plans.
func TestPlansConfinedToTheirOrganisation(t *testing.T) {
	f := newFixture(t)
	u := admittedUsager(t, f, "Jacob", f.ehpad.ID, "2025-01-01")
	p := draftPlan(t, u, f.ehpad.ID)
	f.tx(t, func(tx *store.Tx) error { return tx.CreatePlan(&p) })
	other := store.NewID()
	err := f.db.InTenant(context.Background(), other, func(tx *store.Tx) error {
		if _, err := tx.Plan(p.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("other organisation reads the plan: %v", err)
		}
		var n int64
		if err := tx.Gorm().Raw(`SELECT (SELECT count(*) FROM plans) + (SELECT count(*) FROM plan_goals) + (SELECT count(*) FROM plan_expectations)`).Scan(&n).Error; err != nil {
			return err
		}
		if n != 0 {
			t.Errorf("other organisation sees %d plan rows", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A second plan while one is drafted is a conflict; after the first ended,
// a new plan follows it as the next version.
func TestNewPlanFollowsAnEndedOne(t *testing.T) {
	f := newFixture(t)
	u := admittedUsager(t, f, "Klein", f.ehpad.ID, "2025-01-01")
	p := draftPlan(t, u, f.ehpad.ID)
	f.tx(t, func(tx *store.Tx) error { return tx.CreatePlan(&p) })
	f.tx(t, func(tx *store.Tx) error {
		again := domain.NewPlan(u.ID, f.ehpad.ID, 0)
		if err := tx.CreatePlan(&again); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("second plan beside a draft: %v, want ErrConflict", err)
		}
		if err := p.MoveTo(domain.PlanTermine, planDay("2025-02-01")); err != nil {
			return err
		}
		if err := tx.SavePlan(&p); err != nil {
			return err
		}
		next := domain.NewPlan(u.ID, f.ehpad.ID, 0)
		if err := tx.CreatePlan(&next); err != nil {
			return err
		}
		if next.Version != 2 || next.PreviousID != p.ID {
			t.Errorf("new plan after an ended one: version %d after %s", next.Version, next.PreviousID)
		}
		return nil
	})
}

// A revision stored already running ends the version it revises.
func TestCreateRunningRevisionEndsThePrevious(t *testing.T) {
	f := newFixture(t)
	u := admittedUsager(t, f, "Laine", f.ehpad.ID, "2025-01-01")
	p := draftPlan(t, u, f.ehpad.ID)
	f.tx(t, func(tx *store.Tx) error {
		if err := p.AddAgreement(structureAgreement("2025-02-01")); err != nil {
			return err
		}
		if err := p.MoveTo(domain.PlanEnCours, planDay("2025-02-01")); err != nil {
			return err
		}
		if err := tx.CreatePlan(&p); err != nil {
			return err
		}
		n, err := p.Revise()
		if err != nil {
			return err
		}
		if err := n.AddAgreement(structureAgreement("2025-09-01")); err != nil {
			return err
		}
		if err := n.MoveTo(domain.PlanEnCours, planDay("2025-09-02")); err != nil {
			return err
		}
		if err := tx.CreatePlan(&n); err != nil {
			return err
		}
		old, err := tx.Plan(p.ID)
		if err != nil || old.Status != domain.PlanTermine || !old.EndedOn.Equal(planDay("2025-09-02")) {
			t.Errorf("previous version: %s ended %v (%v)", old.Status, old.EndedOn, err)
		}
		return nil
	})
}

// BenchmarkPlansDue lists the plans due of a director of two establishments
// (1,000 admitted usagers) in an organisation of 100,000 usagers spread over
// 200 establishments, 70 % with a started plan and half of those reviewed.
func BenchmarkPlansDue(b *testing.B) {
	ctx := context.Background()
	dsn := testpg.New(b)
	owner, err := store.OpenOwner(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer owner.Close()
	org := store.NewID()
	err = owner.InTenant(ctx, org, func(tx *store.Tx) error {
		return tx.CreateOrganisation(&domain.Organisation{Name: "Bench", FinessEJ: "750000001"})
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO establishments (id, org_id, name, finess_et, category)
			SELECT gen_random_uuid(), $1, 'Étab ' || i, '69' || lpad(i::text, 7, '0'), CASE WHEN i % 10 = 0 THEN 'DITEP' ELSE 'EHPAD' END
			FROM generate_series(1, 200) i`,
		`INSERT INTO usagers (id, org_id, birth_name, first_names, birth_date, sex, sort_key)
			SELECT gen_random_uuid(), $1, 'NOM' || i, '{Jeanne}', date '1930-01-01' + (i % 9000), 'F', 'NOM' || i
			FROM generate_series(1, 100000) i`,
		`INSERT INTO stays (id, org_id, usager_id, establishment_id, status, mode, admission_date)
			SELECT gen_random_uuid(), $1, u.id, e.id, 'admitted', 'hebergement_permanent', date '2022-01-01' + (u.n * 7 % 1200)::integer
			FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM usagers WHERE org_id = $1) u
			JOIN (SELECT id, row_number() OVER (ORDER BY finess_et) - 1 AS k FROM establishments WHERE org_id = $1) e ON e.k = u.n % 200`,
		`INSERT INTO plans (id, org_id, usager_id, establishment_id, version, status, started_on)
			SELECT gen_random_uuid(), $1, usager_id, establishment_id, 1, 'ENCOURS', admission_date + 150
			FROM stays WHERE org_id = $1 AND hashtext(usager_id::text) % 10 < 7`,
		`INSERT INTO plan_reviews (id, org_id, plan_id, review_date, synthesis, next_review)
			SELECT gen_random_uuid(), $1, id, started_on + 200, 'Bilan', CASE WHEN version % 2 = 1 THEN started_on + 500 END
			FROM plans WHERE org_id = $1 AND hashtext(id::text) % 2 = 0`,
		`ANALYZE`,
	} {
		args := []any{org}
		if q == `ANALYZE` {
			args = nil
		}
		if _, err := owner.SQL().ExecContext(ctx, q, args...); err != nil {
			b.Fatal(err)
		}
	}
	var ests []uuid.UUID
	rows, err := owner.SQL().QueryContext(ctx, `SELECT id FROM establishments WHERE org_id = $1 ORDER BY finess_et LIMIT 2`, org)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id uuid.UUID
		rows.Scan(&id)
		ests = append(ests, id)
	}
	rows.Close()
	app, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer app.Close()
	today := time.Date(2025, 6, 15, 0, 0, 0, 0, time.UTC)
	n := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := app.InTenant(ctx, org, func(tx *store.Tx) error {
			due, err := tx.PlansDue(ests, today)
			n = len(due)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "lines")
}

// Two people read the same revision; the first save wins, the second is
// refused with who saved and when, and stores nothing.
func TestPlanStaleSaveRefused(t *testing.T) {
	f := newFixture(t)
	u := admittedUsager(t, f, "Fabre", f.ehpad.ID, "2025-01-01")
	p := draftPlan(t, u, f.ehpad.ID)
	f.tx(t, func(tx *store.Tx) error { return tx.CreatePlan(&p) })
	if p.Revision != 1 {
		t.Fatalf("new plan at revision %d, want 1", p.Revision)
	}
	var first, second domain.Plan
	f.tx(t, func(tx *store.Tx) error {
		var err error
		if first, err = tx.Plan(p.ID); err != nil {
			return err
		}
		second, err = tx.Plan(p.ID)
		return err
	})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(first.AddNeed(domain.Need{Text: "Besoin de la première"}))
	first.UpdatedBy, first.UpdatedByName = store.NewID(), "Alice Première"
	f.tx(t, func(tx *store.Tx) error { return tx.SavePlan(&first) })
	if first.Revision != 2 {
		t.Errorf("revision after a save: %d, want 2", first.Revision)
	}
	must(second.AddNeed(domain.Need{Text: "Besoin de la seconde"}))
	second.UpdatedByName = "Bruno Second"
	f.tx(t, func(tx *store.Tx) error {
		err := tx.SavePlan(&second)
		var stale *domain.PlanStaleError
		if !errors.As(err, &stale) || !errors.Is(err, domain.ErrConflict) || stale.By != "Alice Première" || stale.At.IsZero() {
			t.Errorf("stale save: %v, want PlanStaleError by Alice Première", err)
		}
		back, err := tx.Plan(p.ID)
		if err != nil {
			return err
		}
		if back.Revision != 2 || len(back.Needs) != 2 || back.Needs[1].Text != "Besoin de la première" || back.UpdatedByName != "Alice Première" {
			t.Errorf("stored after the refused save: revision %d, needs %+v, by %q", back.Revision, back.Needs, back.UpdatedByName)
		}
		return nil
	})
}
