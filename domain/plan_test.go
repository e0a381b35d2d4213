package domain

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func planDate(s string) time.Time {
	d, ok := ParseDate(s)
	if !ok {
		panic(s)
	}
	return d
}

func TestPlanLabelPerCategory(t *testing.T) {
	for _, c := range []Category{CatEHPAD, CatSSIAD, CatSAAD, CatSPASAD, CatRA} {
		if got := PlanLabel(c); got != "Projet d'accompagnement personnalisé" {
			t.Errorf("PlanLabel(%s) = %q", c, got)
		}
	}
	for _, c := range []Category{CatDITEP, CatIME, CatSESSAD, CatFoyer, CatFAM, CatMAS, CatESAT} {
		if got := PlanLabel(c); got != "Projet personnalisé d'accompagnement" {
			t.Errorf("PlanLabel(%s) = %q", c, got)
		}
	}
}

// Every (from, to) pair of plan statuses, with and without the structure's
// agreement.
func TestPlanTransitionsEveryPair(t *testing.T) {
	allowed := map[[2]PlanStatus]bool{
		{PlanEnPreparation, PlanEnCours}: true,
		{PlanEnPreparation, PlanTermine}: true,
		{PlanEnCours, PlanEnPause}:       true,
		{PlanEnCours, PlanTermine}:       true,
		{PlanEnPause, PlanEnCours}:       true,
		{PlanEnPause, PlanTermine}:       true,
	}
	on := planDate("2025-03-01")
	for _, from := range AllPlanStatuses {
		for _, to := range AllPlanStatuses {
			for _, agreed := range []bool{true, false} {
				p := Plan{Status: from, Version: 1}
				if from != PlanEnPreparation {
					p.StartedOn = planDate("2025-01-01")
				}
				if agreed {
					p.Agreements = []Agreement{{Author: AgreementStructure, Method: AgreementOnScreen, Date: on, Name: "La directrice"}}
				}
				err := p.MoveTo(to, on)
				want := allowed[[2]PlanStatus{from, to}] && (agreed || to != PlanEnCours)
				if want {
					if err != nil || p.Status != to {
						t.Errorf("%s → %s (accord %v): %v, status %s", from, to, agreed, err, p.Status)
					}
					continue
				}
				if err == nil {
					t.Errorf("%s → %s (accord %v) accepted", from, to, agreed)
					continue
				}
				if p.Status != from {
					t.Errorf("%s → %s refused but status changed to %s", from, to, p.Status)
				}
				if !errors.Is(err, ErrPlanTransition) || !strings.HasPrefix(err.Error(), "Le projet ne peut pas passer de") {
					t.Errorf("%s → %s: error %q is not a French transition error", from, to, err)
				}
				if allowed[[2]PlanStatus{from, to}] && to == PlanEnCours && !errors.Is(err, ErrNoStructureAgreement) {
					t.Errorf("%s → %s without agreement: %v, want ErrNoStructureAgreement", from, to, err)
				}
			}
		}
	}
}

func TestPlanStartDatesAndEnd(t *testing.T) {
	p := NewPlan(uuid.New(), uuid.New(), 0)
	if err := p.AddAgreement(Agreement{Author: AgreementStructure, Method: AgreementOnScreen, Date: planDate("2025-02-01"), Name: "Dir"}); err != nil {
		t.Fatal(err)
	}
	err := p.MoveTo(PlanEnCours, time.Date(2025, 2, 3, 22, 30, 0, 0, time.UTC))
	if err != nil || !p.StartedOn.Equal(planDate("2025-02-03")) {
		t.Fatalf("start: %v, %v", err, p.StartedOn)
	}
	_ = p.MoveTo(PlanEnPause, planDate("2025-03-01"))
	_ = p.MoveTo(PlanEnCours, planDate("2025-04-01"))
	if !p.StartedOn.Equal(planDate("2025-02-03")) {
		t.Errorf("resuming moved the start date to %v", p.StartedOn)
	}
	if err := p.MoveTo(PlanTermine, planDate("2025-05-01")); err != nil || !p.EndedOn.Equal(planDate("2025-05-01")) {
		t.Errorf("end: %v, %v", err, p.EndedOn)
	}
	if err := p.AddAgreement(Agreement{Author: AgreementUsager, Method: AgreementOnScreen, Date: planDate("2025-05-02"), Name: "X"}); !errors.Is(err, ErrPlanClosed) {
		t.Errorf("agreement on a closed plan: %v", err)
	}
}

func TestItemTransitionsEveryPair(t *testing.T) {
	allowed := map[[2]ItemStatus]bool{
		{ItemEnPreparation, ItemActif}:  true,
		{ItemEnPreparation, ItemAnnule}: true,
		{ItemActif, ItemTermine}:        true,
		{ItemActif, ItemAnnule}:         true,
	}
	for _, from := range AllItemStatuses {
		for _, to := range AllItemStatuses {
			g := Goal{Status: from}
			a := PlanAction{Status: from}
			errG, errA := g.MoveTo(to), a.MoveTo(to)
			if allowed[[2]ItemStatus{from, to}] {
				if errG != nil || errA != nil || g.Status != to || a.Status != to {
					t.Errorf("%s → %s refused: %v / %v", from, to, errG, errA)
				}
				continue
			}
			if errG == nil || errA == nil || g.Status != from || a.Status != from {
				t.Errorf("%s → %s accepted (goal %v, action %v)", from, to, errG, errA)
				continue
			}
			if !errors.Is(errG, ErrItemTransition) || !strings.Contains(errG.Error(), "l'objectif ne peut pas passer de") {
				t.Errorf("%s → %s: %q", from, to, errG)
			}
		}
	}
}

func TestCancellingAGoalClosesItsActions(t *testing.T) {
	g := Goal{Status: ItemActif, Actions: []PlanAction{{Status: ItemEnPreparation}, {Status: ItemActif}, {Status: ItemTermine}}}
	if err := g.MoveTo(ItemAnnule); err != nil {
		t.Fatal(err)
	}
	for i, want := range []ItemStatus{ItemAnnule, ItemAnnule, ItemTermine} {
		if g.Actions[i].Status != want {
			t.Errorf("action %d: %s, want %s", i, g.Actions[i].Status, want)
		}
	}
}

func TestGoalWithoutDomainIsRefused(t *testing.T) {
	_, err := GoalInput{Title: "Marcher jusqu'au jardin"}.Parse()
	v, ok := AsValidation(err)
	if !ok || !strings.Contains(v.Fields["domain"], "domaine") {
		t.Fatalf("goal without domain: %v", err)
	}
	_, err = GoalInput{Domain: "astrologie", Title: "x"}.Parse()
	if v, ok := AsValidation(err); !ok || v.Fields["domain"] == "" {
		t.Errorf("unknown domain: %v", err)
	}
	g, err := GoalInput{Domain: "autonomie", Title: "Marcher", Start: "01/03/2025", End: "2025-09-01"}.Parse()
	if err != nil || g.Domain != DomainAutonomie || g.Status != ItemEnPreparation || !g.End.Equal(planDate("2025-09-01")) {
		t.Errorf("goal: %+v, %v", g, err)
	}
	p := NewPlan(uuid.New(), uuid.New(), 0)
	if err := p.AddGoal(Goal{Title: "Sans domaine"}); err == nil {
		t.Error("AddGoal accepted a goal without domain")
	} else if v, _ := AsValidation(err); v == nil || v.Fields["domain"] == "" {
		t.Errorf("AddGoal: %v", err)
	}
	p.Goals = append(p.Goals, Goal{Title: "Sans domaine"})
	if v, _ := AsValidation(p.Validate()); v == nil || v.Fields["domain"] == "" {
		t.Errorf("Validate accepted a goal without domain")
	}
	for _, d := range AllGoalDomains {
		if d.Label() == string(d) {
			t.Errorf("domain %s has no French label", d)
		}
	}
}

func TestExpectationsOnBehalf(t *testing.T) {
	p := NewPlan(uuid.New(), uuid.New(), 0)
	if err := p.AddExpectation(Expectation{Origin: OriginPartenaire, Author: "SSR Les Pins", Text: "Poursuivre la kinésithérapie", EnteredOnBehalf: true}); err != nil {
		t.Fatal(err)
	}
	if l := p.Expectations[0].OnBehalfLabel(); !strings.Contains(l, "pour le compte de") {
		t.Errorf("on-behalf label %q", l)
	}
	if err := p.AddExpectation(Expectation{Origin: OriginUsager, Text: "x", EnteredOnBehalf: true}); err == nil {
		t.Error("the person's own expectation accepted as entered on behalf")
	}
	if err := p.AddExpectation(Expectation{Text: "x"}); err == nil {
		t.Error("expectation without origin accepted")
	}
	if err := p.AddNeed(Need{Text: "Aide à la toilette", SerafinCode: "1.2.1.1"}); err != nil {
		t.Error(err)
	}
	if err := p.AddNeed(Need{Text: "x", SerafinCode: "abc"}); err == nil {
		t.Error("bad SERAFIN code accepted")
	}
}

func TestRevisionCopiesOpenContent(t *testing.T) {
	p := NewPlan(uuid.New(), uuid.New(), 6)
	p.ID = uuid.New()
	p.Expectations = []Expectation{{ID: uuid.New(), Origin: OriginUsager, Text: "Rester au calme"}}
	p.Needs = []Need{{ID: uuid.New(), Text: "Sommeil"}}
	p.Goals = []Goal{
		{ID: uuid.New(), Domain: DomainSante, Title: "Dormir", Status: ItemActif, Actions: []PlanAction{{ID: uuid.New(), Title: "Rituel", Status: ItemActif}, {ID: uuid.New(), Title: "Fini", Status: ItemTermine}}},
		{ID: uuid.New(), Domain: DomainLoisirs, Title: "Annulé", Status: ItemAnnule},
	}
	if _, err := p.Revise(); !errors.Is(err, ErrPlanNotRunning) {
		t.Errorf("revising a draft: %v", err)
	}
	p.Agreements = []Agreement{{Author: AgreementStructure, Method: AgreementOnScreen, Date: planDate("2025-01-01"), Name: "Dir"}}
	if err := p.MoveTo(PlanEnCours, planDate("2025-01-02")); err != nil {
		t.Fatal(err)
	}
	n, err := p.Revise()
	if err != nil {
		t.Fatal(err)
	}
	if n.Version != 2 || n.PreviousID != p.ID || n.Status != PlanEnPreparation || n.PeriodicityMonths != 6 ||
		len(n.Agreements) != 0 || len(n.Reviews) != 0 || !n.StartedOn.IsZero() {
		t.Errorf("revision header: %+v", n)
	}
	if len(n.Expectations) != 1 || n.Expectations[0].ID != uuid.Nil || len(n.Needs) != 1 ||
		len(n.Goals) != 1 || n.Goals[0].ID != uuid.Nil || len(n.Goals[0].Actions) != 1 || n.Goals[0].Actions[0].ID != uuid.Nil {
		t.Errorf("revision content: %+v", n)
	}
	if p.Goals[0].ID == uuid.Nil || len(p.Goals[0].Actions) != 2 {
		t.Error("revising changed the previous version")
	}
	if err := n.MoveTo(PlanEnCours, planDate("2025-06-01")); !errors.Is(err, ErrNoStructureAgreement) {
		t.Errorf("revision started without its own agreement: %v", err)
	}
	if err := Supersede(&p, n, planDate("2025-06-01")); err != nil || p.Status != PlanTermine || !p.EndedOn.Equal(planDate("2025-06-01")) {
		t.Errorf("supersede: %v, %s", err, p.Status)
	}
}

func TestReviewChecks(t *testing.T) {
	p := NewPlan(uuid.New(), uuid.New(), 0)
	gid := uuid.New()
	p.Goals = []Goal{{ID: gid, Domain: DomainSante, Title: "x", Status: ItemActif}}
	r := Review{Date: planDate("2025-06-01"), Synthesis: "Bon semestre", NextReview: planDate("2025-12-01"),
		Evaluations: []GoalEvaluation{{GoalID: gid, Result: ResultPartiel, Comment: "progrès"}}}
	if err := p.AddReview(r); !errors.Is(err, ErrPlanNotRunning) {
		t.Errorf("review of a draft: %v", err)
	}
	p.Status, p.StartedOn = PlanEnCours, planDate("2025-01-01")
	bad := r
	bad.Evaluations = []GoalEvaluation{{GoalID: uuid.New(), Result: "peut-être"}}
	bad.NextReview = planDate("2025-05-01")
	err := p.AddReview(bad)
	v, ok := AsValidation(err)
	if !ok || v.Fields["evaluations"] == "" || v.Fields["result"] == "" || v.Fields["next_review"] == "" {
		t.Errorf("bad review: %v", err)
	}
	if err := p.AddReview(r); err != nil || len(p.Reviews) != 1 {
		t.Errorf("review: %v", err)
	}
	if ResultPartiel.Label() != "Partiellement atteint" {
		t.Error(ResultPartiel.Label())
	}
}

func TestAgreementChecks(t *testing.T) {
	p := NewPlan(uuid.New(), uuid.New(), 0)
	err := p.AddAgreement(Agreement{})
	v, ok := AsValidation(err)
	if !ok || v.Fields["author"] == "" || v.Fields["method"] == "" || v.Fields["date"] == "" || v.Fields["name"] == "" {
		t.Errorf("empty agreement: %v", err)
	}
	a := Agreement{Author: AgreementRepresentative, Method: AgreementPaperScanned, Date: planDate("2025-01-05"), Name: "M. Tuteur"}
	if err := p.AddAgreement(a); err != nil {
		t.Fatal(err)
	}
	if err := p.AddAgreement(a); err == nil {
		t.Error("second agreement of the same author accepted")
	}
	if !p.HasPersonAgreement() || p.HasStructureAgreement() {
		t.Error("agreement kinds")
	}
	if len(p.Warnings()) != 1 { // no goal yet; the person's agreement is there
		t.Errorf("warnings: %v", p.Warnings())
	}
}

func TestAddMonthsClampsLikePostgreSQL(t *testing.T) {
	for _, c := range []struct {
		from string
		n    int
		want string
	}{
		{"2024-08-31", 6, "2025-02-28"},
		{"2023-08-31", 6, "2024-02-29"},
		{"2024-01-15", 12, "2025-01-15"},
		{"2024-02-29", 12, "2025-02-28"},
		{"2024-12-31", 2, "2025-02-28"},
		{"2024-07-01", 6, "2025-01-01"},
	} {
		if got := AddMonths(planDate(c.from), c.n); !got.Equal(planDate(c.want)) {
			t.Errorf("AddMonths(%s, %d) = %s, want %s", c.from, c.n, FormatDate(got), c.want)
		}
	}
}

func TestDueDate(t *testing.T) {
	admission := planDate("2024-08-31")
	started := func(start string, periodicity int, reviews ...Review) *Plan {
		return &Plan{Status: PlanEnCours, StartedOn: planDate(start), PeriodicityMonths: periodicity, Reviews: reviews}
	}
	for _, c := range []struct {
		name string
		plan *Plan
		cat  Category
		want string
	}{
		{"no plan: 6 months after admission", nil, CatEHPAD, "2025-02-28"},
		{"draft never started: still the first plan", &Plan{Status: PlanEnPreparation}, CatSSIAD, "2025-02-28"},
		{"started plan: yearly", started("2024-11-15", 0), CatEHPAD, "2025-11-15"},
		{"periodicity ignored outside a DITEP", started("2024-11-15", 6), CatIME, "2025-11-15"},
		{"DITEP sets its own periodicity", started("2024-11-15", 6), CatDITEP, "2025-05-15"},
		{"DITEP without periodicity: yearly", started("2024-11-15", 0), CatDITEP, "2025-11-15"},
		{"last review restarts the year", started("2024-11-15", 0, Review{Date: planDate("2025-03-10")}), CatEHPAD, "2026-03-10"},
		{"next review set earlier wins", started("2024-11-15", 0, Review{Date: planDate("2025-03-10"), NextReview: planDate("2025-09-10")}), CatEHPAD, "2025-09-10"},
		{"next review later than a year: the year wins", started("2024-11-15", 0, Review{Date: planDate("2025-03-10"), NextReview: planDate("2026-09-10")}), CatEHPAD, "2026-03-10"},
		{"latest review counts", started("2024-11-15", 0, Review{Date: planDate("2025-03-10")}, Review{Date: planDate("2025-01-10")}), CatEHPAD, "2026-03-10"},
		{"terminated plan still dates the review", &Plan{Status: PlanTermine, StartedOn: planDate("2024-10-01"), EndedOn: planDate("2025-01-01")}, CatEHPAD, "2025-10-01"},
	} {
		if got := DueDate(c.plan, admission, c.cat); !got.Equal(planDate(c.want)) {
			t.Errorf("%s: due %s, want %s", c.name, FormatDate(got), c.want)
		}
	}
}

func TestDeadlineState(t *testing.T) {
	due := planDate("2025-06-30")
	for _, c := range []struct {
		today string
		want  Deadline
	}{
		{"2025-05-30", DeadlineOK},
		{"2025-05-31", DeadlineSoon},
		{"2025-06-15", DeadlineSoon},
		{"2025-06-30", DeadlineSoon},
		{"2025-07-01", DeadlineLate},
		{"2026-01-01", DeadlineLate},
	} {
		today := planDate(c.today).Add(15 * time.Hour) // time of day does not matter
		if got := DeadlineState(due, today); got != c.want {
			t.Errorf("today %s: %s, want %s", c.today, got, c.want)
		}
	}
	for _, s := range []Deadline{DeadlineLate, DeadlineSoon, DeadlineOK} {
		if s.Label() == string(s) {
			t.Errorf("%s has no French label", s)
		}
	}
}

func TestPlanAddAction(t *testing.T) {
	p := NewPlan(uuid.New(), uuid.New(), 0)
	g, err := GoalInput{Domain: string(DomainSante), Title: "Suivi du poids"}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	g.ID = uuid.New()
	if err := p.AddGoal(g); err != nil {
		t.Fatal(err)
	}
	if err := p.AddAction(g.ID, PlanAction{Title: " "}); err == nil {
		t.Error("an action without title was accepted")
	} else if v, ok := AsValidation(err); !ok || v.Fields["action_title"] == "" {
		t.Errorf("want a message on action_title, got %v", err)
	}
	if len(p.Goals[0].Actions) != 0 {
		t.Fatal("a refused action was kept")
	}
	if err := p.AddAction(g.ID, PlanAction{Title: "Pesée le lundi"}); err != nil || len(p.Goals[0].Actions) != 1 || p.Goals[0].Actions[0].Status != ItemEnPreparation {
		t.Errorf("valid action: %v, %+v", err, p.Goals[0].Actions)
	}
	if err := p.AddAction(uuid.New(), PlanAction{Title: "x"}); err == nil {
		t.Error("an action under an unknown goal was accepted")
	}
	p.Status = PlanEnCours
	if err := p.AddAction(g.ID, PlanAction{Title: "x"}); err == nil {
		t.Error("an action added to a running plan")
	}
}

// Moving a plan to ENCOURS activates its prepared goals and their prepared
// actions; cancelled and finished ones stay as they are, on a first start
// as on a resume after a pause.
func TestStartingAPlanActivatesPreparedGoals(t *testing.T) {
	agreed := []Agreement{{Author: AgreementStructure, Method: AgreementOnScreen, Date: planDate("2026-01-05"), Name: "La directrice"}}
	tests := []struct {
		name        string
		from        PlanStatus
		goal        ItemStatus
		actions     []ItemStatus
		wantGoal    ItemStatus
		wantActions []ItemStatus
	}{
		{"prepared goal and actions", PlanEnPreparation, ItemEnPreparation, []ItemStatus{ItemEnPreparation, ItemEnPreparation},
			ItemActif, []ItemStatus{ItemActif, ItemActif}},
		{"prepared goal, a cancelled action", PlanEnPreparation, ItemEnPreparation, []ItemStatus{ItemAnnule, ItemEnPreparation},
			ItemActif, []ItemStatus{ItemAnnule, ItemActif}},
		{"cancelled goal", PlanEnPreparation, ItemAnnule, []ItemStatus{ItemAnnule}, ItemAnnule, []ItemStatus{ItemAnnule}},
		{"finished goal", PlanEnPreparation, ItemTermine, []ItemStatus{ItemTermine, ItemAnnule}, ItemTermine, []ItemStatus{ItemTermine, ItemAnnule}},
		{"active goal, a prepared action", PlanEnPreparation, ItemActif, []ItemStatus{ItemActif, ItemEnPreparation},
			ItemActif, []ItemStatus{ItemActif, ItemActif}},
		{"goal without actions", PlanEnPreparation, ItemEnPreparation, nil, ItemActif, nil},
		{"resume after a pause", PlanEnPause, ItemEnPreparation, []ItemStatus{ItemEnPreparation, ItemTermine},
			ItemActif, []ItemStatus{ItemActif, ItemTermine}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := Goal{Domain: DomainSante, Title: "Objectif", Status: tc.goal}
			for _, st := range tc.actions {
				g.Actions = append(g.Actions, PlanAction{Title: "Action", Status: st})
			}
			p := Plan{Version: 1, Status: tc.from, Agreements: agreed, Goals: []Goal{g}}
			if tc.from != PlanEnPreparation {
				p.StartedOn = planDate("2026-01-06")
			}
			if err := p.MoveTo(PlanEnCours, planDate("2026-02-01")); err != nil {
				t.Fatal(err)
			}
			if got := p.Goals[0].Status; got != tc.wantGoal {
				t.Errorf("goal %s, want %s", got, tc.wantGoal)
			}
			for i, want := range tc.wantActions {
				if got := p.Goals[0].Actions[i].Status; got != want {
					t.Errorf("action %d: %s, want %s", i, got, want)
				}
			}
		})
	}
	// Other moves leave the goals alone.
	p := Plan{Version: 1, Status: PlanEnPreparation, Goals: []Goal{{Domain: DomainSante, Title: "x", Status: ItemEnPreparation}}}
	if err := p.MoveTo(PlanTermine, planDate("2026-02-01")); err != nil || p.Goals[0].Status != ItemEnPreparation {
		t.Errorf("abandoned draft: %v, goal %s", err, p.Goals[0].Status)
	}
}

func TestPlanStaleRevision(t *testing.T) {
	at := time.Date(2026, 11, 23, 13, 5, 0, 0, time.UTC)
	p := Plan{Revision: 4, UpdatedByName: "Marie Curie", UpdatedAt: at}
	if err := p.CheckRevision(4); err != nil {
		t.Fatalf("current revision refused: %v", err)
	}
	err := p.CheckRevision(3)
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("stale revision: %v, want ErrConflict", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "Marie Curie") || !strings.Contains(msg, "23/11/2026 à 14:05") {
		t.Errorf("message does not name who and when (Paris time): %s", msg)
	}
}
