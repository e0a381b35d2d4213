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

type fixture struct {
	db    *store.DB
	org   uuid.UUID
	ehpad domain.Establishment
	ssiad domain.Establishment
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, testpg.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := fixture{db: db, org: store.NewID()}
	err = db.InTenant(ctx, f.org, func(tx *store.Tx) error {
		if err := tx.CreateOrganisation(&domain.Organisation{Name: "Les Tilleuls", FinessEJ: "690000017"}); err != nil {
			return err
		}
		f.ehpad = domain.Establishment{Name: "EHPAD", FinessET: "690000025", Category: domain.CatEHPAD}
		f.ssiad = domain.Establishment{Name: "SSIAD", FinessET: "690000033", Category: domain.CatSSIAD}
		if err := tx.CreateEstablishment(&f.ehpad); err != nil {
			return err
		}
		return tx.CreateEstablishment(&f.ssiad)
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f fixture) tx(t *testing.T, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := f.db.InTenant(context.Background(), f.org, fn); err != nil {
		t.Fatal(err)
	}
}

func usager(t testing.TB, name, first, birth string) domain.Usager {
	t.Helper()
	u, err := domain.UsagerInput{BirthName: name, FirstNames: first, BirthDate: birth, Sex: "F", BirthPlaceCode: "69123"}.Parse(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestUsagerRoundTripWithStayContactConsentAndNote(t *testing.T) {
	f := newFixture(t)
	u := usager(t, "Dupont-Aubert", "Marie Élise", "1938-04-12")
	u.UsedName = "Martin"
	stay := domain.Stay{EstablishmentID: f.ehpad.ID, Status: domain.StayPreadmission, Mode: domain.ModePermanent}
	f.tx(t, func(tx *store.Tx) error { return tx.CreateUsager(&u, &stay) })

	f.tx(t, func(tx *store.Tx) error {
		got, err := tx.Usager(u.ID)
		if err != nil {
			return err
		}
		if got.BirthName != "Dupont-Aubert" || len(got.FirstNames) != 2 || got.FirstNames[1] != "Élise" ||
			!got.BirthDate.Equal(u.BirthDate) || got.IdentityStatus != domain.IdentityPROV || got.UsedName != "Martin" {
			t.Errorf("usager read back differs: %+v", got)
		}
		stays, err := tx.Stays(u.ID)
		if err != nil || len(stays) != 1 || stays[0].Status != domain.StayPreadmission {
			t.Fatalf("stays = %+v, %v", stays, err)
		}
		s := stays[0]
		if err := s.Admit("2024-02-01", ""); err != nil {
			return err
		}
		if err := tx.SaveStay(&s); err != nil {
			return err
		}
		c := domain.Contact{UsagerID: u.ID, LastName: "Dupont", FirstName: "Paul", Roles: []domain.ContactRole{domain.ContactPersonneConfiance}, Phone: "0601020304"}
		if err := tx.SaveContact(&c); err != nil {
			return err
		}
		cs := domain.Consent{UsagerID: u.ID, Scope: domain.ConsentDMP, Granted: true, GivenOn: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), GivenBy: "usager", RecordedBy: store.NewID()}
		if err := tx.SaveConsent(&cs); err != nil {
			return err
		}
		n := domain.Note{UsagerID: u.ID, Section: domain.SectionCare, AuthorID: store.NewID(), AuthorName: "IDE", Body: "Chute sans gravité"}
		return tx.SaveNote(&n)
	})
	f.tx(t, func(tx *store.Tx) error {
		stays, _ := tx.Stays(u.ID)
		if stays[0].Status != domain.StayAdmitted || domain.FormatDate(stays[0].AdmissionDate) != "2024-02-01" {
			t.Errorf("stay after admission = %+v", stays[0])
		}
		cs, err := tx.Contacts(u.ID)
		if err != nil || len(cs) != 1 || !cs[0].Has(domain.ContactPersonneConfiance) {
			t.Errorf("contacts = %+v, %v", cs, err)
		}
		con, err := tx.Consents(u.ID)
		if err != nil || len(con) != 1 || !con[0].Granted || con[0].Scope != domain.ConsentDMP {
			t.Errorf("consents = %+v, %v", con, err)
		}
		notes, err := tx.Notes(u.ID, domain.SectionCare)
		if err != nil || len(notes) != 1 || notes[0].Body != "Chute sans gravité" {
			t.Errorf("notes = %+v, %v", notes, err)
		}
		if other, _ := tx.Notes(u.ID, domain.SectionMedical); len(other) != 0 {
			t.Errorf("medical section shows a care note")
		}
		return nil
	})
}

func TestSecondOpenStayInSameEstablishmentIsAConflict(t *testing.T) {
	f := newFixture(t)
	u := usager(t, "Durand", "Jean", "1940-01-01")
	f.tx(t, func(tx *store.Tx) error {
		return tx.CreateUsager(&u, &domain.Stay{EstablishmentID: f.ehpad.ID, Status: domain.StayPreadmission, Mode: domain.ModePermanent})
	})
	err := f.db.InTenant(context.Background(), f.org, func(tx *store.Tx) error {
		return tx.SaveStay(&domain.Stay{UsagerID: u.ID, EstablishmentID: f.ehpad.ID, Status: domain.StayPreadmission, Mode: domain.ModeTemporaire})
	})
	if !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("second open stay: err = %v, want ErrConflict", err)
	}
}

func TestListUsagersKeysetSearchAndVisibility(t *testing.T) {
	f := newFixture(t)
	f.tx(t, func(tx *store.Tx) error {
		for i := 0; i < 25; i++ {
			u := usager(t, "Nom"+string(rune('a'+i)), "Anne", "1940-01-01")
			est := f.ehpad.ID
			if i%5 == 0 {
				est = f.ssiad.ID
			}
			if err := tx.CreateUsager(&u, &domain.Stay{EstablishmentID: est, Status: domain.StayPreadmission, Mode: domain.ModeDomicile}); err != nil {
				return err
			}
		}
		élodie := usager(t, "Lefèvre", "Élodie", "1950-03-03")
		return tx.CreateUsager(&élodie, &domain.Stay{EstablishmentID: f.ehpad.ID, Status: domain.StayPreadmission, Mode: domain.ModePermanent})
	})
	tests := []struct {
		name string
		q    domain.UsagerQuery
		want int
	}{
		{"both establishments", domain.UsagerQuery{Establishments: []uuid.UUID{f.ehpad.ID, f.ssiad.ID}}, 26},
		{"only the SSIAD is visible", domain.UsagerQuery{Establishments: []uuid.UUID{f.ssiad.ID}}, 5},
		{"no establishment, nothing", domain.UsagerQuery{}, 0},
		{"filter narrower than visibility", domain.UsagerQuery{Establishments: []uuid.UUID{f.ehpad.ID, f.ssiad.ID}, Establishment: f.ssiad.ID}, 5},
		{"accent-insensitive search", domain.UsagerQuery{Establishments: []uuid.UUID{f.ehpad.ID}, Search: "lefevre"}, 1},
		{"search on first name", domain.UsagerQuery{Establishments: []uuid.UUID{f.ehpad.ID}, Search: "elo"}, 1},
		{"status filter", domain.UsagerQuery{Establishments: []uuid.UUID{f.ehpad.ID}, Status: domain.StayAdmitted}, 0},
		{"LIKE wildcards are literal", domain.UsagerQuery{Establishments: []uuid.UUID{f.ehpad.ID}, Search: "%"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seen := map[uuid.UUID]bool{}
			q := tc.q
			q.Limit = 7
			f.tx(t, func(tx *store.Tx) error {
				for {
					page, err := tx.ListUsagers(q)
					if err != nil {
						return err
					}
					for _, r := range page.Rows {
						if seen[r.ID] {
							t.Fatalf("row %s returned twice", r.ID)
						}
						seen[r.ID] = true
						if len(r.Stays) == 0 {
							t.Errorf("row %s without its stays", r.ID)
						}
					}
					if !page.More {
						return nil
					}
					last := page.Rows[len(page.Rows)-1]
					q.AfterKey, q.AfterID = last.SortKey, last.ID
				}
			})
			if len(seen) != tc.want {
				t.Errorf("got %d usagers, want %d", len(seen), tc.want)
			}
		})
	}
}
