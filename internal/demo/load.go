// Package demo loads the demonstration data of Relais: two organisations,
// their establishments, about 65 usagers with stays, entourage and consents,
// and one account per typical role. The data is made up, deterministic and
// built through the same domain parsers as the forms, so it obeys the rules a
// user would meet.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/internal/pdftext"
	"github.com/relais-dui/relais/store"
)

// DefaultPassword is the demo accounts' password when RELAIS_DEMO_PASSWORD is
// unset (documented in the README).
const DefaultPassword = "relais-demo-2026"

// Load creates the demo organisations that do not exist yet (found by FINESS
// EJ) and makes sure each has its role matrix. A second run changes nothing:
// an organisation already present is left as it is, accounts and passwords
// included, so demo data edited in the UI is never overwritten.
//
// db must be an owner connection (store.OpenOwner): finding an organisation
// by FINESS looks across tenants, which row-level security rightly forbids
// to the application role. Loading demo data is an operator's task, like
// migrating. Each organisation is written in one transaction: it is there
// whole or not at all.
func Load(ctx context.Context, db *store.DB, password string) error {
	if err := access.CheckPasswordPolicy(password); err != nil {
		return fmt.Errorf("mot de passe des comptes de démonstration : %w", err)
	}
	authz, err := access.NewAuthorizer(ctx, db)
	if err != nil {
		return fmt.Errorf("demo: authorizer: %w", err)
	}
	for _, o := range organisations() {
		org, err := db.OrganisationByFINESS(ctx, o.FINESS)
		switch {
		case err == nil:
		case errors.Is(err, domain.ErrNotFound):
			if org, err = loadOrganisation(ctx, db, o, password); err != nil {
				return fmt.Errorf("demo: %s: %w", o.Name, err)
			}
		default:
			return fmt.Errorf("demo: %w", err)
		}
		// Seeding writes the matrix only when the organisation has none, so
		// this also repairs a run interrupted between the two steps without
		// undoing an administrator's later edits.
		if err := authz.SeedDefaults(ctx, org.ID); err != nil {
			return fmt.Errorf("demo: role matrix of %s: %w", o.Name, err)
		}
	}
	return registerDemoPartner(ctx, db, password)
}

// DemoPartner is the FHIR API client of the demo EHPAD: every scope, the
// doctor's habilitations, the demo password as its secret.
const DemoPartner = "demo-partner"

func registerDemoPartner(ctx context.Context, db *store.DB, password string) error {
	if _, err := db.LookupClient(ctx, DemoPartner); err == nil {
		return nil
	} else if !errors.Is(err, domain.ErrNotFound) {
		return fmt.Errorf("demo: %s: %w", DemoPartner, err)
	}
	est, err := db.EstablishmentByFINESS(ctx, EHPADFINESS)
	if err != nil {
		return fmt.Errorf("demo: %s: %w", DemoPartner, err)
	}
	c := domain.APIClient{ClientID: DemoPartner, Name: "Partenaire de démonstration (centre hospitalier)", EstablishmentID: est.ID,
		Role: domain.RoleMedecin, Scopes: []domain.Scope{"system/*.*"}}
	if _, err := access.RegisterClient(ctx, db, est.OrgID, &c, "demo", password); err != nil {
		return fmt.Errorf("demo: %s: %w", DemoPartner, err)
	}
	return nil
}

func loadOrganisation(ctx context.Context, db *store.DB, spec orgSpec, password string) (domain.Organisation, error) {
	org := domain.Organisation{ID: store.NewID(), Name: spec.Name, FinessEJ: spec.FINESS}
	// Hash before the transaction: argon2id is deliberately slow and the
	// transaction should not hold its locks meanwhile.
	var accounts []Account
	hashes := map[string]string{}
	for _, a := range Accounts() {
		if a.OrgFINESS != spec.FINESS {
			continue
		}
		h, err := access.HashPassword(password)
		if err != nil {
			return org, fmt.Errorf("hash password of %s: %w", a.Username, err)
		}
		accounts, hashes[a.Username] = append(accounts, a), h
	}
	today := time.Now().UTC()
	err := db.InTenant(ctx, org.ID, func(tx *store.Tx) error {
		if err := tx.CreateOrganisation(&org); err != nil {
			return err
		}
		estIDs := map[string]uuid.UUID{}
		for _, es := range spec.Establishments {
			e := domain.Establishment{Name: es.Name, FinessET: es.FINESS, Category: es.Category}
			if err := tx.CreateEstablishment(&e); err != nil {
				return err
			}
			estIDs[es.FINESS] = e.ID
		}
		users := map[string]domain.User{}
		for _, a := range accounts {
			u := domain.User{Username: a.Username, DisplayName: a.DisplayName, Active: true}
			if err := tx.CreateUser(&u, hashes[a.Username]); err != nil {
				return fmt.Errorf("account %s: %w", a.Username, err)
			}
			users[a.Username] = u
			if p, ok := professionals()[a.Username]; ok {
				if err := tx.SetProfessional(u.ID, p.rpps, p.profession); err != nil {
					return fmt.Errorf("account %s: %w", a.Username, err)
				}
			}
			for _, f := range a.Establishments {
				if err := tx.AddMembership(domain.Membership{UserID: u.ID, EstablishmentID: estIDs[f], Role: a.Role}); err != nil {
					return fmt.Errorf("account %s: %w", a.Username, err)
				}
			}
		}
		for i, p := range people(spec.FINESS) {
			if err := createPerson(tx, p, estIDs, users, today); err != nil {
				return fmt.Errorf("usager %d (%s): %w", i+1, p.identity.BirthName, err)
			}
		}
		if err := createCoordination(tx, spec, estIDs, users, today); err != nil {
			return fmt.Errorf("coordination: %w", err)
		}
		if err := createAdverseEvents(tx, spec, estIDs, users, today); err != nil {
			return err
		}
		return createCareFile(tx, spec, estIDs, users, today)
	})
	return org, err
}

// createPerson stores one usager, walking each stay through the domain's
// state machine (pre-admission, admission, discharge) as a user would.
func createPerson(tx *store.Tx, p person, estIDs map[string]uuid.UUID, users map[string]domain.User, today time.Time) error {
	u, err := p.identity.Parse(today)
	if err != nil {
		return err
	}
	stays := make([]domain.Stay, len(p.stays))
	for i, sp := range p.stays {
		s, err := domain.PreadmissionInput{EstablishmentID: estIDs[sp.FINESS].String(), Mode: string(sp.Mode), PlannedEntry: sp.PlannedEntry}.Parse()
		if err != nil {
			return err
		}
		if sp.Admitted != "" {
			if err := s.Admit(sp.Admitted, ""); err != nil {
				return err
			}
		}
		if sp.Discharged != "" {
			if err := s.Discharge(sp.Discharged, sp.Reason); err != nil {
				return err
			}
		}
		stays[i] = s
	}
	var first *domain.Stay
	if len(stays) > 0 {
		first = &stays[0]
	}
	if err := tx.CreateUsager(&u, first); err != nil {
		return err
	}
	for i := 1; i < len(stays); i++ {
		stays[i].UsagerID = u.ID
		if err := tx.SaveStay(&stays[i]); err != nil {
			return err
		}
	}
	for _, in := range p.contacts {
		c, err := in.Parse()
		if err != nil {
			return fmt.Errorf("contact %s: %w", in.LastName, err)
		}
		c.UsagerID = u.ID
		if err := tx.SaveContact(&c); err != nil {
			return err
		}
	}
	for _, cp := range p.consents {
		c, err := cp.input.Parse(today)
		if err != nil {
			return fmt.Errorf("consent %s: %w", cp.input.Scope, err)
		}
		c.UsagerID, c.RecordedBy = u.ID, users[cp.recordedBy].ID
		if c.RecordedBy == uuid.Nil {
			return fmt.Errorf("consent %s: recorded by unknown account %q", cp.input.Scope, cp.recordedBy)
		}
		if err := tx.SaveConsent(&c); err != nil {
			return err
		}
	}
	for _, np := range p.notes {
		author, ok := users[np.author]
		if !ok {
			return fmt.Errorf("note by unknown account %q", np.author)
		}
		n, err := domain.ParseNote(np.section, np.body)
		if err != nil {
			return err
		}
		at, err := time.ParseInLocation("2006-01-02T15:04", np.at, domain.Paris())
		if err != nil {
			return fmt.Errorf("note date %q: %w", np.at, err)
		}
		n.UsagerID, n.AuthorID, n.AuthorName, n.WrittenAt = u.ID, author.ID, author.DisplayName, at.UTC()
		if err := tx.SaveNote(&n); err != nil {
			return err
		}
	}
	for _, lp := range p.liaison {
		author, ok := users[lp.author]
		if !ok {
			return fmt.Errorf("liaison note by unknown account %q", lp.author)
		}
		at, err := time.ParseInLocation("2006-01-02T15:04", lp.at, domain.Paris())
		if err != nil {
			return fmt.Errorf("liaison date %q: %w", lp.at, err)
		}
		note := domain.LiaisonNote{EstablishmentID: stays[0].EstablishmentID, UsagerID: u.ID, Section: lp.section, Priority: lp.priority,
			Body: lp.body, AuthorID: author.ID, AuthorName: author.DisplayName, CreatedAt: at.UTC(), Roles: lp.roles}
		if err := tx.SaveLiaisonNote(&note); err != nil {
			return fmt.Errorf("liaison note: %w", err)
		}
		if lp.reply != "" {
			r := users[lp.replier]
			reply := domain.LiaisonNote{EstablishmentID: note.EstablishmentID, UsagerID: u.ID, Section: lp.section, Priority: lp.priority,
				Body: lp.reply, AuthorID: r.ID, AuthorName: r.DisplayName, CreatedAt: at.Add(2 * time.Hour).UTC(), ParentID: note.ID}
			if err := tx.SaveLiaisonNote(&reply); err != nil {
				return fmt.Errorf("liaison reply: %w", err)
			}
		}
	}
	for _, dp := range p.docs {
		author, ok := users[dp.author]
		if !ok {
			return fmt.Errorf("document by unknown account %q", dp.author)
		}
		doc, err := domain.ParseDocument(domain.DocumentInput{Section: dp.section, Kind: string(dp.kind), Title: dp.title,
			Content: pdftext.Render(dp.title, linesToBlocks(append([]string{u.DisplayName()}, dp.lines...)))})
		if err != nil {
			return fmt.Errorf("document %q: %w", dp.title, err)
		}
		at, err := time.ParseInLocation("2006-01-02T15:04", dp.at, domain.Paris())
		if err != nil {
			return fmt.Errorf("document date %q: %w", dp.at, err)
		}
		doc.UsagerID, doc.UploadedBy, doc.UploadedByName, doc.UploadedAt = u.ID, author.ID, author.DisplayName, at.UTC()
		if err := tx.SaveDocument(&doc); err != nil {
			return fmt.Errorf("document %q: %w", dp.title, err)
		}
	}
	if p.plan != "" {
		if err := createPlan(tx, u.ID, stays[0].EstablishmentID, p.plan, users); err != nil {
			return fmt.Errorf("plan: %w", err)
		}
	}
	for _, ep := range p.events {
		author, ok := users[ep.author]
		if !ok {
			return fmt.Errorf("event by unknown account %q", ep.author)
		}
		e, err := ep.input.Parse()
		if err != nil {
			return fmt.Errorf("event %q: %w", ep.input.Title, err)
		}
		e.UsagerID, e.AuthorID, e.AuthorName = u.ID, author.ID, author.DisplayName
		if err := tx.SaveEvent(&e); err != nil {
			return err
		}
	}
	return nil
}

func linesToBlocks(lines []string) []pdftext.Block {
	out := make([]pdftext.Block, len(lines))
	for i, l := range lines {
		out[i] = pdftext.Block{Text: l}
	}
	return out
}

// createPlan builds a personalised plan through the domain's own steps, as
// the screens would: goals, agreements, start, review, pause or revision.
func createPlan(tx *store.Tx, usager, estab uuid.UUID, kind string, users map[string]domain.User) error {
	d := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	p := domain.NewPlan(usager, estab, 0)
	if err := p.AddExpectation(domain.Expectation{Origin: domain.OriginUsager, Author: "La personne", Text: "Continuer à sortir au jardin et voir ma famille le dimanche.", RecordedOn: d("2026-03-02")}); err != nil {
		return err
	}
	if err := p.AddExpectation(domain.Expectation{Origin: domain.OriginProche, Author: "Sa fille", Text: "Être prévenue de tout changement de traitement.", EnteredOnBehalf: true, RecordedOn: d("2026-03-02")}); err != nil {
		return err
	}
	goals := []domain.GoalInput{
		{Domain: string(domain.DomainAutonomie), Title: "Marcher chaque jour jusqu'au jardin avec le déambulateur", PersonOpinion: "D'accord, si quelqu'un m'accompagne les jours de pluie", ExpectedResult: "Sortie quotidienne", Start: "2026-03-15", End: "2027-03-15"},
		{Domain: string(domain.DomainVieSociale), Title: "Participer à l'atelier chant du jeudi", ExpectedResult: "Une participation par semaine", Start: "2026-03-15"},
	}
	for _, gi := range goals {
		g, err := gi.Parse()
		if err != nil {
			return err
		}
		if err := p.AddGoal(g); err != nil {
			return err
		}
	}
	if err := tx.CreatePlan(&p); err != nil {
		return err
	}
	if kind == "draft" {
		return nil
	}
	for _, a := range []domain.Agreement{
		{Author: domain.AgreementStructure, Method: domain.AgreementOnScreen, Date: d("2026-03-14"), Name: users["dir.ehpad"].DisplayName},
		{Author: domain.AgreementUsager, Method: domain.AgreementPaperScanned, Date: d("2026-03-14"), Name: "La personne accompagnée"},
	} {
		if err := p.AddAgreement(a); err != nil {
			return err
		}
	}
	if err := p.MoveTo(domain.PlanEnCours, d("2026-03-15")); err != nil {
		return err
	}
	if err := p.AddReview(domain.Review{Date: d("2026-09-15"), Synthesis: "Bonne adaptation, sorties au jardin presque quotidiennes.", NextReview: d("2027-03-15"),
		Evaluations: []domain.GoalEvaluation{{GoalID: p.Goals[0].ID, Result: domain.ResultPartiel, Comment: "Sorties les jours secs"}}}); err != nil {
		return err
	}
	if err := tx.SavePlan(&p); err != nil {
		return err
	}
	if kind == "paused" {
		if err := p.MoveTo(domain.PlanEnPause, d("2026-10-20")); err != nil {
			return err
		}
		return tx.SavePlan(&p)
	}
	if kind == "revised" {
		next, err := tx.StartRevision(p.ID)
		if err != nil {
			return err
		}
		if err := next.AddAgreement(domain.Agreement{Author: domain.AgreementStructure, Method: domain.AgreementOnScreen, Date: d("2026-11-02"), Name: users["dir.ehpad"].DisplayName}); err != nil {
			return err
		}
		if err := next.MoveTo(domain.PlanEnCours, d("2026-11-03")); err != nil {
			return err
		}
		return tx.SavePlan(&next)
	}
	return nil
}
