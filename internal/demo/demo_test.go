package demo_test

import (
	"context"
	"os"
	"testing"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/internal/demo"
	"github.com/relais-dui/relais/internal/testpg"
	"github.com/relais-dui/relais/store"
)

func TestMain(m *testing.M) { os.Exit(testpg.Run(m)) }

// ownerDB opens a fresh migrated database as its owner.
func ownerDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.OpenOwner(context.Background(), testpg.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// counts reads the size of every table the demo writes.
func counts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"organisations", "establishments", "users", "memberships", "usagers", "stays",
		"contacts", "consents", "casbin_rule", "access_trail"} {
		var n int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

func TestLoadTwiceChangesNothingAndEveryAccountExists(t *testing.T) {
	ctx, db := context.Background(), ownerDB(t)

	if err := demo.Load(ctx, db, demo.DefaultPassword); err != nil {
		t.Fatalf("first load: %v", err)
	}
	first := counts(t, db)
	var hashes []string
	rows, err := db.SQL().Query(`SELECT password_hash FROM users ORDER BY username`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	rows.Close()

	if err := demo.Load(ctx, db, "un-autre-mot-de-passe-2026"); err != nil {
		t.Fatalf("second load: %v", err)
	}
	second := counts(t, db)
	for table, n := range first {
		if second[table] != n {
			t.Errorf("%s: %d rows after the first load, %d after the second", table, n, second[table])
		}
	}
	rows, err = db.SQL().Query(`SELECT password_hash FROM users ORDER BY username`)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; rows.Next(); i++ {
		var h string
		if err := rows.Scan(&h); err != nil {
			t.Fatal(err)
		}
		if i >= len(hashes) || h != hashes[i] {
			t.Errorf("the second load rewrote a password hash")
		}
	}
	rows.Close()

	if first["organisations"] != 2 || first["establishments"] != 4 {
		t.Errorf("%d organisations and %d establishments, want 2 and 4", first["organisations"], first["establishments"])
	}
	if first["consents"] < 5 || first["contacts"] < 65 {
		t.Errorf("%d consents and %d contacts: the entourage looks empty", first["consents"], first["contacts"])
	}
	if first["casbin_rule"] == 0 {
		t.Error("no role matrix was seeded")
	}
	if first["access_trail"] != 0 {
		t.Error("loading demo data wrote to the access trail, which traces people's actions")
	}

	perOrg := map[string]int{}
	orgs := map[string]domain.Organisation{}
	for _, f := range []string{demo.TilleulsFINESS, demo.HorizonFINESS} {
		o, err := db.OrganisationByFINESS(ctx, f)
		if err != nil {
			t.Fatalf("organisation %s: %v", f, err)
		}
		orgs[f] = o
		var n int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM usagers WHERE org_id = $1`, o.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		perOrg[f] = n
	}
	if n := perOrg[demo.TilleulsFINESS]; n < 55 || n > 65 {
		t.Errorf("Les Tilleuls has %d usagers, want about 60", n)
	}
	if n := perOrg[demo.HorizonFINESS]; n != 5 {
		t.Errorf("Horizon has %d usagers, want 5", n)
	}

	for _, a := range demo.Accounts() {
		rec, err := db.LookupLogin(ctx, a.Username)
		if err != nil {
			t.Errorf("account %s: %v", a.Username, err)
			continue
		}
		if !rec.Active || rec.OrgID != orgs[a.OrgFINESS].ID {
			t.Errorf("account %s: active %v, organisation %s, want active in %s", a.Username, rec.Active, rec.OrgID, a.OrgFINESS)
		}
		var n int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM memberships m JOIN establishments e ON e.id = m.establishment_id
			WHERE m.user_id = $1 AND m.role = $2 AND e.finess_et = ANY($3)`, rec.UserID, string(a.Role), a.Establishments).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(a.Establishments) {
			t.Errorf("account %s holds %s in %d establishments, want %d", a.Username, a.Role, n, len(a.Establishments))
		}
	}
}

// Stays must fit the establishment: an EHPAD houses, a SSIAD goes home, a
// DITEP has internat, semi-internat or externat. A discharged stay carries its
// reason (the schema insists too).
func TestStaysFitTheirEstablishment(t *testing.T) {
	ctx, db := context.Background(), ownerDB(t)
	if err := demo.Load(ctx, db, demo.DefaultPassword); err != nil {
		t.Fatal(err)
	}
	allowed := map[string][]string{
		"EHPAD": {"hebergement_permanent", "hebergement_temporaire"},
		"SSIAD": {"domicile"},
		"DITEP": {"internat", "semi_internat", "externat"},
		"FAM":   {"hebergement_permanent", "accueil_de_jour"},
	}
	rows, err := db.SQL().Query(`SELECT e.category, s.mode, s.status, count(*),
		min(extract(year FROM u.birth_date)), max(extract(year FROM u.birth_date))
		FROM stays s JOIN establishments e ON e.id = s.establishment_id JOIN usagers u ON u.id = s.usager_id
		GROUP BY 1, 2, 3`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	statuses := map[string]map[string]int{}
	for rows.Next() {
		var cat, mode, status string
		var n, minY, maxY int
		if err := rows.Scan(&cat, &mode, &status, &n, &minY, &maxY); err != nil {
			t.Fatal(err)
		}
		ok := false
		for _, m := range allowed[cat] {
			ok = ok || m == mode
		}
		if !ok {
			t.Errorf("%d %s stays in mode %s", n, cat, mode)
		}
		if statuses[cat] == nil {
			statuses[cat] = map[string]int{}
		}
		statuses[cat][status] += n
		switch cat {
		case "EHPAD", "SSIAD":
			if minY < 1925 || maxY > 1950 {
				t.Errorf("%s usagers born %d–%d, want 1925–1950", cat, minY, maxY)
			}
		case "DITEP":
			if minY < 2008 || maxY > 2016 {
				t.Errorf("DITEP usagers born %d–%d, want 2008–2016", minY, maxY)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, cat := range []string{"EHPAD", "SSIAD", "DITEP"} {
		s := statuses[cat]
		if s["admitted"] <= s["preadmission"]+s["discharged"] || s["preadmission"] == 0 || s["discharged"] == 0 {
			t.Errorf("%s stays %v: want mostly admitted, with a few pre-admissions and discharges", cat, s)
		}
	}
	var protected, parental int
	if err := db.SQL().QueryRow(`SELECT count(*) FILTER (WHERE legal_protection IN ('tutelle','curatelle','curatelle_renforcee','habilitation_familiale')),
		count(*) FILTER (WHERE legal_protection = 'autorite_parentale') FROM contacts WHERE 'representant_legal' = ANY(roles)`).Scan(&protected, &parental); err != nil {
		t.Fatal(err)
	}
	if protected == 0 || parental == 0 {
		t.Errorf("%d adult protection measures and %d parental authorities: want some of each", protected, parental)
	}
}

func TestLoadRefusesAWeakPassword(t *testing.T) {
	ctx, db := context.Background(), ownerDB(t)
	if err := demo.Load(ctx, db, "abc"); err == nil {
		t.Fatal("Load accepted a three-letter password")
	}
	var n int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM organisations`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d organisations (%v) after a refused load, want none", n, err)
	}
}

// The demo holds one duplicate (the SSIAD's old record of an EHPAD resident,
// with a spelling slip) for the identitovigilance screens, and only that one.
func TestDemoHoldsOneDuplicatePair(t *testing.T) {
	ctx, db := context.Background(), ownerDB(t)
	if err := demo.Load(ctx, db, demo.DefaultPassword); err != nil {
		t.Fatal(err)
	}
	org, err := db.OrganisationByFINESS(ctx, demo.TilleulsFINESS)
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTenant(ctx, org.ID, func(tx *store.Tx) error {
		pairs, err := tx.DuplicatePairs(50)
		if err != nil {
			return err
		}
		if len(pairs) != 1 {
			t.Fatalf("%d duplicate pairs in the demo, want 1: %+v", len(pairs), pairs)
		}
		if domain.NameKey(pairs[0].A.BirthName) == domain.NameKey(pairs[0].B.BirthName) {
			t.Errorf("the demo pair should differ by a spelling slip: %s / %s", pairs[0].A.BirthName, pairs[0].B.BirthName)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The demo fills the sections and the timeline: notes in care, medical and
// educational, and events in every status a newcomer should see.
func TestDemoHasActivity(t *testing.T) {
	ctx, db := context.Background(), ownerDB(t)
	if err := demo.Load(ctx, db, demo.DefaultPassword); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`SELECT count(*) FROM record_notes WHERE section = 'care'`,
		`SELECT count(*) FROM record_notes WHERE section = 'medical'`,
		`SELECT count(*) FROM record_notes WHERE section = 'educational'`,
		`SELECT count(*) FROM events WHERE status = 'TERMINE'`,
		`SELECT count(*) FROM events WHERE status = 'PLANIFIE'`,
		`SELECT count(*) FROM events WHERE status = 'ANNULE'`,
		`SELECT count(*) FROM events WHERE serafin_code <> ''`,
	} {
		var n int
		if err := db.SQL().QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("demo has nothing for: %s", q)
		}
	}
}

// The demo shows personalised plans in every state, including a revision
// whose first version is ended, and admitted people still without a plan.
func TestDemoHasPlansInEveryState(t *testing.T) {
	ctx, db := context.Background(), ownerDB(t)
	if err := demo.Load(ctx, db, demo.DefaultPassword); err != nil {
		t.Fatal(err)
	}
	for _, status := range []string{"ENPREPARATION", "ENCOURS", "ENPAUSE", "TERMINE"} {
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM plans WHERE status = $1`, status).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("no demo plan in status %s", status)
		}
	}
	var without int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM stays s WHERE s.status = 'admitted'
		AND NOT EXISTS (SELECT 1 FROM plans p WHERE p.usager_id = s.usager_id)`).Scan(&without); err != nil {
		t.Fatal(err)
	}
	if without == 0 {
		t.Error("every admitted person has a plan: the plans-due lists would be empty")
	}
}

// The cahier de liaison of the demo has notes, one urgent and answered.
func TestDemoHasLiaisonNotes(t *testing.T) {
	ctx, db := context.Background(), ownerDB(t)
	if err := demo.Load(ctx, db, demo.DefaultPassword); err != nil {
		t.Fatal(err)
	}
	var notes, urgent, replies int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE parent_id IS NULL), count(*) FILTER (WHERE priority = 'urgente' AND parent_id IS NULL),
		count(*) FILTER (WHERE parent_id IS NOT NULL) FROM liaison_notes`).Scan(&notes, &urgent, &replies); err != nil {
		t.Fatal(err)
	}
	if notes < 3 || urgent != 1 || replies != 1 {
		t.Errorf("liaison notes %d, urgent %d, replies %d", notes, urgent, replies)
	}
}

// The demo holds documents (valid PDFs) in the administrative and medical sections.
func TestDemoHasDocuments(t *testing.T) {
	ctx, db := context.Background(), ownerDB(t)
	if err := demo.Load(ctx, db, demo.DefaultPassword); err != nil {
		t.Fatal(err)
	}
	var admin, medical int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE section = 'admin'), count(*) FILTER (WHERE section = 'medical')
		FROM documents WHERE content_type = 'application/pdf'`).Scan(&admin, &medical); err != nil {
		t.Fatal(err)
	}
	if admin == 0 || medical == 0 {
		t.Errorf("demo documents: %d administrative, %d medical", admin, medical)
	}
}

// The DITEP's register has a few weeks of presence, with absences by reason.
func TestDemoHasAPresenceRegister(t *testing.T) {
	ctx, db := context.Background(), ownerDB(t)
	if err := demo.Load(ctx, db, demo.DefaultPassword); err != nil {
		t.Fatal(err)
	}
	var present, absent int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE status = 'present'), count(*) FILTER (WHERE status = 'absent')
		FROM presences`).Scan(&present, &absent); err != nil {
		t.Fatal(err)
	}
	if present == 0 || absent == 0 {
		t.Errorf("demo presence register: %d present, %d absent", present, absent)
	}
	var holiday int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM presences WHERE day = '2026-11-11'`).Scan(&holiday); err != nil || holiday != 0 {
		t.Errorf("lines on the 11 November holiday: %d (%v)", holiday, err)
	}
}
