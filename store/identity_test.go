package store_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/domain/ins"
	"github.com/relais-dui/relais/internal/testpg"
	"github.com/relais-dui/relais/store"
)

func person(t testing.TB, name, first, birth string) domain.Usager {
	t.Helper()
	u, err := domain.UsagerInput{BirthName: name, FirstNames: first, BirthDate: birth, Sex: "F"}.Parse(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestIdentityMatchesAndDuplicatePairs(t *testing.T) {
	f := newFixture(t)
	stay := func() *domain.Stay {
		return &domain.Stay{EstablishmentID: f.ehpad.ID, Status: domain.StayPreadmission, Mode: domain.ModePermanent}
	}
	marie := person(t, "Lefèvre", "Marie Louise", "1938-04-12")
	variant := person(t, "LEFEBVRE", "Marie", "1938-04-12")
	swapped := person(t, "Lefevre", "Marie", "1938-12-04")
	other := person(t, "Bernard", "Paule", "1938-04-12") // same birth date only
	f.tx(t, func(tx *store.Tx) error {
		for _, u := range []*domain.Usager{&marie, &variant, &swapped, &other} {
			if err := tx.CreateUsager(u, stay()); err != nil {
				return err
			}
		}
		return nil
	})
	f.tx(t, func(tx *store.Tx) error {
		newcomer := person(t, "Le Fèvre", "marie", "1938-04-12")
		m, err := tx.IdentityMatches(newcomer)
		if err != nil {
			return err
		}
		got := map[uuid.UUID]bool{}
		for _, x := range m {
			got[x.Usager.ID] = true
		}
		if !got[marie.ID] || !got[variant.ID] || !got[swapped.ID] || m[0].Score < m[len(m)-1].Score {
			t.Errorf("matches for a newcomer (want the three spellings and dates, best first): %+v", m)
		}
		for _, x := range m {
			if x.Usager.ID == other.ID {
				t.Errorf("a person sharing only the birth date was proposed: %v", x.Reasons)
			}
		}
		pairs, err := tx.DuplicatePairs(50)
		if err != nil {
			return err
		}
		names := map[string]bool{}
		for _, p := range pairs {
			a, b := p.A.BirthName, p.B.BirthName
			if a > b {
				a, b = b, a
			}
			names[a+"/"+b] = true
		}
		if !names["LEFEBVRE/Lefèvre"] {
			t.Errorf("spelling variants not paired: %v", names)
		}
		// Declared distinct: no longer proposed.
		if err := tx.MarkDistinct(marie.ID, variant.ID, store.NewID()); err != nil {
			return err
		}
		pairs, err = tx.DuplicatePairs(50)
		for _, p := range pairs {
			if (p.A.ID == marie.ID && p.B.ID == variant.ID) || (p.A.ID == variant.ID && p.B.ID == marie.ID) {
				t.Error("a pair declared distinct is still proposed")
			}
		}
		return err
	})
}

func TestMergeMovesEverythingAndKeepsAnAlias(t *testing.T) {
	f := newFixture(t)
	kept := person(t, "Dupont", "Jeanne", "1940-02-02")
	dup := person(t, "DUPOND", "Jeanne", "1940-02-02")
	var keptStay, dupStay domain.Stay
	f.tx(t, func(tx *store.Tx) error {
		keptStay = domain.Stay{EstablishmentID: f.ehpad.ID, Status: domain.StayPreadmission, Mode: domain.ModePermanent}
		if err := tx.CreateUsager(&kept, &keptStay); err != nil {
			return err
		}
		dupStay = domain.Stay{EstablishmentID: f.ssiad.ID, Status: domain.StayPreadmission, Mode: domain.ModeDomicile}
		if err := tx.CreateUsager(&dup, &dupStay); err != nil {
			return err
		}
		for i, id := range []uuid.UUID{kept.ID, dup.ID, dup.ID} {
			n := domain.Note{UsagerID: id, Section: domain.SectionCare, AuthorID: store.NewID(), AuthorName: "IDE", Body: fmt.Sprintf("note %d", i)}
			if err := tx.SaveNote(&n); err != nil {
				return err
			}
		}
		c := domain.Contact{UsagerID: dup.ID, LastName: "Dupond", Phone: "0600000000", Roles: []domain.ContactRole{domain.ContactPersonneAPrevenir}}
		if err := tx.SaveContact(&c); err != nil {
			return err
		}
		cs := domain.Consent{UsagerID: dup.ID, Scope: domain.ConsentDMP, Granted: true, GivenOn: time.Now().UTC().Truncate(24 * time.Hour), GivenBy: "usager", RecordedBy: store.NewID()}
		if err := tx.SaveConsent(&cs); err != nil {
			return err
		}
		return tx.AppendTrail(&domain.TrailEntry{UserID: store.NewID(), Username: "x", Role: "directeur", UsagerID: dup.ID, Section: domain.SectionAdmin, Action: domain.ActionWrite, Detail: "avant fusion"})
	})
	var res domain.MergeResult
	f.tx(t, func(tx *store.Tx) error {
		var err error
		res, err = tx.MergeUsagers(kept.ID, dup.ID)
		return err
	})
	if res.Moved["record_notes"] != 2 || res.Moved["stays"] != 1 || res.Moved["contacts"] != 1 || res.Moved["consents"] != 1 {
		t.Errorf("moved = %v", res.Moved)
	}
	f.tx(t, func(tx *store.Tx) error {
		notes, _ := tx.Notes(kept.ID, domain.SectionCare)
		stays, _ := tx.Stays(kept.ID)
		contacts, _ := tx.Contacts(kept.ID)
		consents, _ := tx.Consents(kept.ID)
		if len(notes) != 3 || len(stays) != 2 || len(contacts) != 1 || len(consents) != 1 {
			t.Errorf("after merge: %d notes, %d stays, %d contacts, %d consents", len(notes), len(stays), len(contacts), len(consents))
		}
		alias, err := tx.Usager(dup.ID)
		if err != nil || alias.MergedInto != kept.ID {
			t.Errorf("merged record: %+v, %v", alias.MergedInto, err)
		}
		page, err := tx.ListUsagers(domain.UsagerQuery{Establishments: []uuid.UUID{f.ehpad.ID, f.ssiad.ID}})
		if err != nil || len(page.Rows) != 1 {
			t.Errorf("list after merge shows %d records, want the kept one only", len(page.Rows))
		}
		trail, err := tx.Trail(domain.TrailQuery{UsagerID: kept.ID})
		if err != nil || len(trail) != 1 || trail[0].Detail != "avant fusion" {
			t.Errorf("the merged record's trail is not read through the kept one: %+v %v", trail, err)
		}
		return nil
	})
	// Merging again, or into itself, is refused.
	err := f.db.InTenant(context.Background(), f.org, func(tx *store.Tx) error { _, err := tx.MergeUsagers(kept.ID, dup.ID); return err })
	if !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("second merge: %v, want ErrNotFound", err)
	}
	err = f.db.InTenant(context.Background(), f.org, func(tx *store.Tx) error { _, err := tx.MergeUsagers(kept.ID, kept.ID); return err })
	if _, ok := domain.AsValidation(err); !ok {
		t.Errorf("merge into itself: %v", err)
	}
}

func TestMergeRefusesTwoOpenStaysInOneEstablishment(t *testing.T) {
	f := newFixture(t)
	a, b := person(t, "Durand", "Paul", "1941-01-01"), person(t, "Durant", "Paul", "1941-01-01")
	f.tx(t, func(tx *store.Tx) error {
		for _, u := range []*domain.Usager{&a, &b} {
			if err := tx.CreateUsager(u, &domain.Stay{EstablishmentID: f.ehpad.ID, Status: domain.StayPreadmission, Mode: domain.ModePermanent}); err != nil {
				return err
			}
		}
		return nil
	})
	err := f.db.InTenant(context.Background(), f.org, func(tx *store.Tx) error { _, err := tx.MergeUsagers(a.ID, b.ID); return err })
	v, ok := domain.AsValidation(err)
	if !ok || !strings.Contains(v.Fields["merge"], "séjour ouvert") {
		t.Fatalf("merge with two open stays: %v", err)
	}
	f.tx(t, func(tx *store.Tx) error {
		s, _ := tx.Stays(b.ID)
		if len(s) != 1 {
			t.Error("a refused merge moved rows")
		}
		return nil
	})
}

// Every table holding a usager's rows must be known to the merge.
func TestMergeCoversEveryUsagerTable(t *testing.T) {
	ctx := context.Background()
	db, err := store.OpenOwner(ctx, testpg.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.SQL().QueryContext(ctx, `SELECT table_name FROM information_schema.columns
		WHERE table_schema = 'public' AND column_name = 'usager_id' ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	// The trail is read through the alias; a record's versions are its own
	// history and stay with the merged-away record.
	handled := append(store.MergedTables(), "access_trail", "usager_versions")
	sort.Strings(handled)
	for _, tb := range tables {
		i := sort.SearchStrings(handled, tb)
		if i == len(handled) || handled[i] != tb {
			t.Errorf("table %s has a usager_id but the merge does not move it", tb)
		}
	}
}

// BenchmarkIdentityMatches checks a new identity against 100,000 records
// (target: under 20 ms per check).
func BenchmarkIdentityMatches(b *testing.B) {
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
	names := []string{"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
		"Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard", "Bonnet", "Dupont",
		"Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefebvre", "Faure", "André", "Mercier", "Blanc", "Guérin"}
	firsts := []string{"Marie", "Jeanne", "Louise", "Paul", "Jean", "Pierre", "Anne", "Michel", "Suzanne", "Henri", "Yvonne", "Marcel"}
	const n = 100000
	base := time.Date(1925, 1, 1, 0, 0, 0, 0, time.UTC)
	for start := 0; start < n; start += 1000 {
		var sb strings.Builder
		args := []any{}
		sb.WriteString(`INSERT INTO usagers (id, org_id, birth_name, first_names, birth_date, sex, sort_key, name_key, phonetic_key, first_phonetic) VALUES `)
		for i := start; i < start+1000; i++ {
			u := domain.Usager{BirthName: names[i%len(names)] + fmt.Sprintf("%c", 'a'+rune(i/len(names)%26)), FirstNames: []string{firsts[i%len(firsts)]},
				BirthDate: base.AddDate(0, 0, (i*7919)%(365*30)), Sex: domain.SexF}
			k := u.Keys()
			if i > start {
				sb.WriteString(",")
			}
			p := len(args)
			fmt.Fprintf(&sb, "($%d,$%d,$%d,ARRAY[$%d],$%d,'F',$%d,$%d,$%d,$%d)", p+1, p+2, p+3, p+4, p+5, p+6, p+7, p+8, p+9)
			args = append(args, store.NewID(), org, u.BirthName, u.FirstNames[0], u.BirthDate, u.SortKey(), k.NameKey, k.Phonetic, k.FirstPhonetic)
		}
		if _, err := owner.SQL().ExecContext(ctx, sb.String(), args...); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := owner.SQL().ExecContext(ctx, `ANALYZE usagers`); err != nil {
		b.Fatal(err)
	}
	app, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer app.Close()
	probe := domain.Usager{BirthName: "Lefebvrea", FirstNames: []string{"Marie"}, BirthDate: base.AddDate(0, 0, 4000), Sex: domain.SexF}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := app.InTenant(ctx, org, func(tx *store.Tx) error {
			_, err := tx.IdentityMatches(probe)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// The qualification evidence round-trips with its history, and two records
// holding one INS are proposed as one person whatever their traits.
func TestIdentityEvidenceRoundTripAndSameINS(t *testing.T) {
	f := newFixture(t)
	a, b := person(t, "Martin", "Claire", "1945-03-03"), person(t, "Bertin", "Odile", "1950-06-06")
	f.tx(t, func(tx *store.Tx) error {
		for _, u := range []*domain.Usager{&a, &b} {
			if err := tx.CreateUsager(u, &domain.Stay{EstablishmentID: f.ehpad.ID, Status: domain.StayPreadmission, Mode: domain.ModePermanent}); err != nil {
				return err
			}
		}
		return nil
	})
	m := ins.Matricule{Number: "297022A020778", Key: "78", OID: ins.OIDTestNIR}
	by := store.NewID()
	f.tx(t, func(tx *store.Tx) error {
		for _, u := range []uuid.UUID{a.ID, b.ID} {
			id, err := tx.Identity(u)
			if err != nil {
				return err
			}
			if id.Status != domain.IdentityPROV || id.INS != nil {
				t.Errorf("new identity: %+v", id)
			}
			id.INS, id.INSRetrievedAt = &m, time.Now()
			id.PastINS = []ins.Matricule{{Number: "180032B020401", Key: "23", OID: ins.OIDTestNIR}}
			ev, err := id.ValidateWithDocument(domain.DocCNI, false, by, time.Now())
			if err != nil {
				return err
			}
			if err := tx.SaveIdentity(u, id, ev, "Agent d'accueil"); err != nil {
				return err
			}
		}
		return nil
	})
	f.tx(t, func(tx *store.Tx) error {
		id, err := tx.Identity(a.ID)
		if err != nil {
			return err
		}
		if id.Status != domain.IdentityQUAL || *id.INS != m || len(id.PastINS) != 1 || id.Document != domain.DocCNI || id.DocumentCheckedBy != by {
			t.Errorf("identity read back: %+v", id)
		}
		u, _ := tx.Usager(a.ID)
		if u.IdentityStatus != domain.IdentityQUAL {
			t.Errorf("usager status %s, want QUAL", u.IdentityStatus)
		}
		h, err := tx.IdentityHistory(a.ID)
		if err != nil || len(h) != 1 || h[0].ByName != "Agent d'accueil" || h[0].Kind != domain.EventDocumentChecked {
			t.Errorf("history: %+v %v", h, err)
		}
		pairs, err := tx.DuplicatePairs(10)
		if err != nil {
			return err
		}
		if len(pairs) != 1 || pairs[0].Score != 100 {
			t.Errorf("records sharing an INS: %+v", pairs)
		}
		return nil
	})
}
