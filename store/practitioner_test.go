package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// Professionals: by establishment, RPPS and a word of the name; one RPPS
// per organisation.
func TestPractitioners(t *testing.T) {
	f := newFixture(t)
	var doctor, nurse uuid.UUID
	f.tx(t, func(tx *store.Tx) error {
		for _, u := range []struct {
			id    *uuid.UUID
			login string
			name  string
			estab uuid.UUID
		}{{&doctor, "a.lemoine", "Dr Anne Le Moine", f.ehpad.ID}, {&nurse, "k.benali", "Karima Bénali", f.ssiad.ID}} {
			usr := domain.User{Username: u.login, DisplayName: u.name, Active: true}
			if err := tx.CreateUser(&usr, "x"); err != nil {
				return err
			}
			if err := tx.AddMembership(domain.Membership{UserID: usr.ID, EstablishmentID: u.estab, Role: domain.RoleInfirmier}); err != nil {
				return err
			}
			*u.id = usr.ID
		}
		return tx.SetProfessional(doctor, "10003080008", domain.ProfessionMedecin)
	})
	f.tx(t, func(tx *store.Tx) error {
		for _, tc := range []struct {
			q    domain.PractitionerQuery
			want []uuid.UUID
		}{
			{domain.PractitionerQuery{EstablishmentID: f.ehpad.ID}, []uuid.UUID{doctor}},
			{domain.PractitionerQuery{EstablishmentID: f.ssiad.ID}, []uuid.UUID{nurse}},
			{domain.PractitionerQuery{EstablishmentID: f.ehpad.ID, RPPS: "10003080008"}, []uuid.UUID{doctor}},
			{domain.PractitionerQuery{EstablishmentID: f.ssiad.ID, RPPS: "10003080008"}, nil},
			{domain.PractitionerQuery{EstablishmentID: f.ehpad.ID, Name: "moi"}, []uuid.UUID{doctor}},
			{domain.PractitionerQuery{EstablishmentID: f.ehpad.ID, Name: "anne le"}, []uuid.UUID{doctor}},
			{domain.PractitionerQuery{EstablishmentID: f.ehpad.ID, Name: "oine"}, nil},
			{domain.PractitionerQuery{EstablishmentID: f.ssiad.ID, Name: "BENALI"}, []uuid.UUID{nurse}},
			{domain.PractitionerQuery{EstablishmentID: f.ehpad.ID, ID: nurse}, nil},
		} {
			ps, err := tx.Practitioners(tc.q)
			if err != nil {
				return err
			}
			var got []uuid.UUID
			for _, p := range ps {
				got = append(got, p.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("%+v: %v, want %v", tc.q, got, tc.want)
			}
		}
		p, err := tx.Practitioner(doctor)
		if err != nil || p.RPPS != "10003080008" || p.Profession != domain.ProfessionMedecin || len(p.Memberships) != 1 {
			t.Errorf("practitioner %+v %v", p, err)
		}
		return nil
	})
	err := f.db.InTenant(t.Context(), f.org, func(tx *store.Tx) error { return tx.SetProfessional(nurse, "10003080008", domain.ProfessionInfirmier) })
	if !errors.Is(err, domain.ErrConflict) {
		t.Errorf("one RPPS for two accounts: %v", err)
	}
}

// A record's events within bounds; the trail of one establishment about a
// person within dates; liaison threads of the readable sections.
func TestEventsTrailAndThreads(t *testing.T) {
	f := newFixture(t)
	u := usager(t, "Fil", "Anne", "1940-01-01")
	base := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	author := store.NewID()
	var notes []uuid.UUID
	f.tx(t, func(tx *store.Tx) error {
		if err := tx.CreateUsager(&u, &domain.Stay{EstablishmentID: f.ehpad.ID, Status: domain.StayAdmitted, Mode: domain.ModePermanent, AdmissionDate: base}); err != nil {
			return err
		}
		for i := range 3 {
			e := domain.Event{UsagerID: u.ID, Section: domain.SectionCare, Type: domain.EventVisit, Title: fmt.Sprintf("visite %d", i),
				Start: base.AddDate(0, 0, i), Status: domain.EventPlanned, AuthorID: author, AuthorName: "IDE"}
			if err := tx.SaveEvent(&e); err != nil {
				return err
			}
		}
		for i, sec := range []domain.Section{domain.SectionCare, domain.SectionMedical, domain.SectionCare} {
			n := domain.LiaisonNote{EstablishmentID: f.ehpad.ID, UsagerID: u.ID, Section: sec, Priority: domain.PriorityNormale,
				Body: fmt.Sprintf("note %d", i), AuthorID: author, AuthorName: "IDE", CreatedAt: base.Add(time.Duration(i) * time.Hour),
				Roles: []domain.Role{domain.RoleInfirmier}}
			if err := tx.SaveLiaisonNote(&n); err != nil {
				return err
			}
			notes = append(notes, n.ID)
		}
		r := domain.LiaisonNote{ParentID: notes[0], Body: "réponse", AuthorID: author, AuthorName: "Dr", CreatedAt: base.Add(5 * time.Hour), Priority: domain.PriorityNormale}
		if err := tx.SaveLiaisonNote(&r); err != nil {
			return err
		}
		notes = append(notes, r.ID)
		for _, estab := range []uuid.UUID{f.ehpad.ID, f.ssiad.ID} {
			e := domain.TrailEntry{UserID: author, Username: "ide", Role: "infirmier", EstablishmentID: estab, UsagerID: u.ID,
				Section: domain.SectionCare, Action: domain.ActionRead, Detail: "lecture"}
			if err := tx.AppendTrail(&e); err != nil {
				return err
			}
		}
		return nil
	})
	f.tx(t, func(tx *store.Tx) error {
		for _, tc := range []struct {
			from, to time.Time
			want     []string
		}{
			{time.Time{}, time.Time{}, []string{"visite 0", "visite 1", "visite 2"}},
			{base.AddDate(0, 0, 1), time.Time{}, []string{"visite 1", "visite 2"}},
			{time.Time{}, base.AddDate(0, 0, 1), []string{"visite 0"}},
		} {
			events, err := tx.UsagerEvents(u.ID, tc.from, tc.to)
			if err != nil {
				return err
			}
			var got []string
			for _, e := range events {
				got = append(got, e.Title)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("events [%v, %v): %v, want %v", tc.from, tc.to, got, tc.want)
			}
		}
		rows, err := tx.EstablishmentTrail(domain.EstablishmentTrailQuery{EstablishmentID: f.ehpad.ID, UsagerID: u.ID})
		if err != nil {
			return err
		}
		if len(rows) != 1 || rows[0].EstablishmentID != f.ehpad.ID {
			t.Errorf("trail of the EHPAD: %+v", rows)
		}
		if rows, _ := tx.EstablishmentTrail(domain.EstablishmentTrailQuery{EstablishmentID: f.ehpad.ID, UsagerID: u.ID, To: time.Now().Add(-time.Hour)}); len(rows) != 0 {
			t.Errorf("trail before its rows: %d", len(rows))
		}
		if len(rows) == 1 {
			if row, err := tx.TrailRow(rows[0].Seq); err != nil || row.Detail != "lecture" {
				t.Errorf("trail row: %+v %v", row, err)
			}
		}
		threads, err := tx.LiaisonThreads(u.ID, []domain.EstabSection{{EstablishmentID: f.ehpad.ID, Section: domain.SectionCare}})
		if err != nil {
			return err
		}
		var got []uuid.UUID
		for _, n := range threads {
			got = append(got, n.ID)
			if n.ParentID == uuid.Nil && len(n.Roles) != 1 {
				t.Errorf("note %s without its recipient", n.Body)
			}
		}
		// Newest note first, each followed by its replies; the medical note left out.
		if want := []uuid.UUID{notes[2], notes[0], notes[3]}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("threads %v, want %v", got, want)
		}
		if none, err := tx.LiaisonThreads(u.ID, nil); err != nil || len(none) != 0 {
			t.Errorf("no readable section: %d %v", len(none), err)
		}
		return nil
	})
}
