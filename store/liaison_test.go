package store_test

import (
	"context"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/internal/testpg"
	"github.com/relais-dui/relais/store"
)

func TestLiaisonInboxReceiptsAndScope(t *testing.T) {
	f := newFixture(t)
	var nurse, aide, author domain.User
	var resident domain.Usager
	f.tx(t, func(tx *store.Tx) error {
		for _, u := range []*domain.User{&nurse, &aide, &author} {
			*u = domain.User{Username: "u" + store.NewID().String()[28:], DisplayName: "Soignant", Active: true}
			if err := tx.CreateUser(u, "x"); err != nil {
				return err
			}
		}
		for _, m := range []domain.Membership{{UserID: nurse.ID, EstablishmentID: f.ehpad.ID, Role: domain.RoleInfirmier},
			{UserID: aide.ID, EstablishmentID: f.ehpad.ID, Role: domain.RoleAideSoignant},
			{UserID: author.ID, EstablishmentID: f.ehpad.ID, Role: domain.RoleInfirmier}} {
			if err := tx.AddMembership(m); err != nil {
				return err
			}
		}
		resident = usager(t, "Durand", "Paule", "1938-02-03")
		return tx.CreateUsager(&resident, &domain.Stay{EstablishmentID: f.ehpad.ID, Status: domain.StayAdmitted,
			Mode: domain.ModePermanent, AdmissionDate: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
	})
	base := time.Now().UTC().Add(-time.Hour)
	mk := func(p domain.Priority, body string, at time.Time, users []uuid.UUID, roles []domain.Role) domain.LiaisonNote {
		n := domain.LiaisonNote{EstablishmentID: f.ehpad.ID, UsagerID: resident.ID, Section: domain.SectionCare, Priority: p,
			Body: body, AuthorID: author.ID, AuthorName: "Auteur", CreatedAt: at, Users: users, Roles: roles}
		f.tx(t, func(tx *store.Tx) error { return tx.SaveLiaisonNote(&n) })
		return n
	}
	old := mk(domain.PriorityUrgente, "ancienne", time.Now().Add(-store.LiaisonWindow-time.Hour), nil, []domain.Role{domain.RoleInfirmier})
	a := mk(domain.PriorityNormale, "a", base, []uuid.UUID{nurse.ID}, nil)
	b := mk(domain.PriorityUrgente, "b", base.Add(time.Minute), nil, []domain.Role{domain.RoleInfirmier})
	c := mk(domain.PriorityImportante, "c", base.Add(2*time.Minute), []uuid.UUID{nurse.ID}, []domain.Role{domain.RoleInfirmier})
	mk(domain.PriorityUrgente, "pour l'aide", base, []uuid.UUID{aide.ID}, nil)
	elsewhere := domain.LiaisonNote{EstablishmentID: f.ssiad.ID, Section: domain.SectionCare, Priority: domain.PriorityUrgente,
		Body: "ssiad", AuthorID: author.ID, AuthorName: "Auteur", Roles: []domain.Role{domain.RoleInfirmier}}
	f.tx(t, func(tx *store.Tx) error { return tx.SaveLiaisonNote(&elsewhere) })

	scope := domain.LiaisonScope{UserID: nurse.ID,
		Roles:    []domain.Membership{{UserID: nurse.ID, EstablishmentID: f.ehpad.ID, Role: domain.RoleInfirmier}},
		Readable: []domain.EstabSection{{EstablishmentID: f.ehpad.ID, Section: domain.SectionCare}}}
	inbox := func(q domain.LiaisonQuery) []string {
		var out []string
		f.tx(t, func(tx *store.Tx) error {
			q.Scope = scope
			rows, err := tx.LiaisonInbox(q)
			for _, r := range rows {
				out = append(out, r.Body)
			}
			return err
		})
		return out
	}
	unread := func() (n int) {
		f.tx(t, func(tx *store.Tx) (err error) { n, err = tx.LiaisonUnread(scope); return })
		return
	}
	if got := inbox(domain.LiaisonQuery{}); !sameStrings(got, []string{"b", "c", "a"}) {
		t.Fatalf("inbox = %v, want unread by priority then date: b c a (no old, no other recipient, no SSIAD)", got)
	}
	if n := unread(); n != 3 {
		t.Fatalf("unread = %d", n)
	}
	at := time.Now().UTC().Truncate(time.Microsecond)
	f.tx(t, func(tx *store.Tx) error {
		if err := tx.MarkLiaisonRead(b.ID, nurse.ID, at); err != nil {
			return err
		}
		return tx.MarkLiaisonRead(b.ID, nurse.ID, at.Add(time.Hour)) // second opening: first receipt kept
	})
	if got := inbox(domain.LiaisonQuery{}); !sameStrings(got, []string{"c", "a", "b"}) {
		t.Errorf("after reading b: %v", got)
	}
	if got := inbox(domain.LiaisonQuery{Unread: true}); !sameStrings(got, []string{"c", "a"}) {
		t.Errorf("unread filter: %v", got)
	}
	if got := inbox(domain.LiaisonQuery{Read: true}); !sameStrings(got, []string{"b"}) {
		t.Errorf("read filter: %v", got)
	}
	if n := unread(); n != 2 {
		t.Errorf("unread after one reading = %d", n)
	}
	f.tx(t, func(tx *store.Tx) error {
		reads, err := tx.LiaisonReads(b.ID)
		if err != nil {
			return err
		}
		if len(reads) != 1 || !reads[0].ReadAt.Equal(at) || reads[0].UserID != nurse.ID {
			t.Errorf("reads = %+v, want one at %v", reads, at)
		}
		// Replies thread in order under their note, and a reply to a reply is refused.
		for i, body := range []string{"r1", "r2"} {
			r := domain.LiaisonNote{ParentID: c.ID, Priority: c.Priority, Body: body, AuthorID: nurse.ID, AuthorName: "Inf",
				CreatedAt: base.Add(time.Duration(10+i) * time.Minute)}
			if err := tx.SaveLiaisonNote(&r); err != nil {
				return err
			}
			if r.Section != domain.SectionCare || r.UsagerID != resident.ID || r.EstablishmentID != f.ehpad.ID {
				t.Errorf("reply does not inherit its note: %+v", r)
			}
		}
		replies, err := tx.LiaisonReplies(c.ID)
		if err != nil {
			return err
		}
		if len(replies) != 2 || replies[0].Body != "r1" || replies[1].Body != "r2" {
			t.Errorf("replies = %+v", replies)
		}
		rr := domain.LiaisonNote{ParentID: replies[0].ID, Priority: c.Priority, Body: "x", AuthorID: nurse.ID, AuthorName: "Inf"}
		if err := tx.SaveLiaisonNote(&rr); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("reply to a reply: %v", err)
		}
		full, err := tx.LiaisonNote(c.ID)
		if err != nil {
			return err
		}
		if len(full.Users) != 1 || len(full.Roles) != 1 {
			t.Errorf("recipients = %v %v", full.Users, full.Roles)
		}
		rows, err := tx.UsagerLiaison(resident.ID, scope)
		if err != nil {
			return err
		}
		if len(rows) != 5 || rows[len(rows)-1].ID != old.ID {
			t.Errorf("usager's notes = %d (oldest last, window not applied on the dossier)", len(rows))
		}
		return nil
	})
	// Without care read, nothing.
	scope.Readable = []domain.EstabSection{{EstablishmentID: f.ehpad.ID, Section: domain.SectionEducational}}
	if got := inbox(domain.LiaisonQuery{}); len(got) != 0 {
		t.Errorf("inbox without care read = %v", got)
	}
	// Another organisation sees nothing (RLS).
	err := f.db.InTenant(context.Background(), store.NewID(), func(tx *store.Tx) error {
		_, err := tx.LiaisonNote(a.ID)
		return err
	})
	if !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("another tenant reads a liaison note: %v", err)
	}
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// BenchmarkLiaisonUnread measures the nav badge's count for a nurse of an
// establishment whose role receives 60 notes a day for two years (about
// 44,000 notes, 5,400 in the window), 95 % of them read.
func BenchmarkLiaisonUnread(b *testing.B) {
	ctx := context.Background()
	dsn := testpg.New(b)
	owner, err := store.OpenOwner(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer owner.Close()
	org, estab, nurse := store.NewID(), store.NewID(), store.NewID()
	stmts := []string{
		`INSERT INTO organisations (id, name, finess_ej) SELECT org, 'Bench', '750000001' FROM p`,
		`INSERT INTO establishments (id, org_id, name, finess_et, category) SELECT estab, org, 'EHPAD', '750000019', 'EHPAD' FROM p`,
		`INSERT INTO users (id, org_id, username, display_name, password_hash) SELECT nurse, org, 'bench.nurse', 'Nurse', 'x' FROM p`,
		`INSERT INTO liaison_notes (id, org_id, establishment_id, section, priority, body, author_id, author_name, created_at)
		 SELECT gen_random_uuid(), org, estab, 'care', 'normale', 'note ' || g, nurse, 'A', now() - (g * interval '24 minutes')
		 FROM p, generate_series(1, 43800) g`,
		`INSERT INTO liaison_recipients (org_id, note_id, establishment_id, role, created_at)
		 SELECT org_id, id, establishment_id, 'infirmier', created_at FROM liaison_notes, p`,
		`INSERT INTO liaison_reads (org_id, note_id, user_id, read_at)
		 SELECT org_id, id, nurse, created_at + interval '1 hour' FROM liaison_notes, p WHERE random() < 0.95`,
		`INSERT INTO liaison_unread (org_id, user_id, note_id, created_at)
		 SELECT org_id, nurse, id, created_at FROM liaison_notes n, p
		 WHERE NOT EXISTS (SELECT 1 FROM liaison_reads r WHERE r.note_id = n.id)`,
	}
	for _, s := range stmts {
		// Every statement names the three values, typed, so one argument list fits all.
		s = "WITH p AS (SELECT $1::uuid AS org, $2::uuid AS estab, $3::uuid AS nurse) " + s
		if _, err := owner.SQL().ExecContext(ctx, s, org, estab, nurse); err != nil {
			b.Fatalf("%s: %v", s, err)
		}
	}
	if _, err := owner.SQL().ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	scope := domain.LiaisonScope{UserID: nurse,
		Roles:    []domain.Membership{{UserID: nurse, EstablishmentID: estab, Role: domain.RoleInfirmier}},
		Readable: []domain.EstabSection{{EstablishmentID: estab, Section: domain.SectionCare}, {EstablishmentID: estab, Section: domain.SectionMedical}}}
	var times []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		err := db.InTenant(ctx, org, func(tx *store.Tx) error {
			n, err := tx.LiaisonUnread(scope)
			if err == nil && n == 0 {
				b.Fatal("no unread note")
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
}
