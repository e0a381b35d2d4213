package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/internal/demo"
	"github.com/relais-dui/relais/internal/testpg"
	"github.com/relais-dui/relais/store"
)

// demoDB is a database with the demo loaded through the command itself.
func demoDB(t *testing.T) map[string]string {
	t.Helper()
	vars := map[string]string{"DATABASE_URL": testpg.New(t), "RELAIS_LOG_LEVEL": "warn"}
	if r := cli(t, context.Background(), vars, "", "demo"); r.code != 0 {
		t.Fatalf("demo exited %d: %s", r.code, r.stderr)
	}
	return vars
}

func mustOwner(t *testing.T, url string) *store.DB {
	t.Helper()
	db, err := store.OpenOwner(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func roles(t *testing.T, db *store.DB, username, finess string) []string {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT m.role FROM memberships m JOIN users u ON u.id = m.user_id
		JOIN establishments e ON e.id = m.establishment_id WHERE u.username = $1 AND e.finess_et = $2 ORDER BY 1`, username, finess)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func TestUserLifecycle(t *testing.T) {
	ctx := context.Background()
	vars := demoDB(t)
	db := mustOwner(t, vars["DATABASE_URL"])

	r := cli(t, ctx, vars, "mot-de-passe-solide\n", "user", "create", "--username", "jdupont", "--name", " Jeanne  Dupont ",
		"--org", demo.TilleulsFINESS, "--password-stdin")
	if r.code != 0 {
		t.Fatalf("create exited %d: %s", r.code, r.stderr)
	}
	rec, err := db.LookupLogin(ctx, "jdupont")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := access.VerifyPassword(rec.PasswordHash, "mot-de-passe-solide"); !ok || err != nil {
		t.Fatalf("the password read on stdin does not verify (%v)", err)
	}
	if r := cli(t, ctx, vars, "", "user", "create", "--username", "jdupont", "--name", "Autre", "--org", demo.TilleulsFINESS); r.code == 0 || !strings.Contains(r.stderr, "déjà pris") {
		t.Errorf("second create: exit %d, stderr %q; want a refusal", r.code, r.stderr)
	}
	if r := cli(t, ctx, vars, "", "user", "create", "--username", "x.y", "--name", "X", "--org", "990000011"); r.code != 1 || !strings.Contains(r.stderr, "aucun organisme") {
		t.Errorf("create in unknown org: exit %d, stderr %q", r.code, r.stderr)
	}

	grant := []string{"user", "grant", "--username", "jdupont", "--establishment", demo.SSIADFINESS, "--role", "infirmier"}
	if r := cli(t, ctx, vars, "", grant...); r.code != 0 {
		t.Fatalf("grant exited %d: %s", r.code, r.stderr)
	}
	if r := cli(t, ctx, vars, "", grant...); r.code != 0 || !strings.Contains(r.stdout, "déjà") {
		t.Errorf("granting again: exit %d, stdout %q; want success saying it was already so", r.code, r.stdout)
	}
	if got := roles(t, db, "jdupont", demo.SSIADFINESS); len(got) != 1 || got[0] != "infirmier" {
		t.Errorf("roles in the SSIAD: %v, want [infirmier]", got)
	}
	// An establishment of another organisation is refused: accounts never
	// cross tenants.
	if r := cli(t, ctx, vars, "", "user", "grant", "--username", "jdupont", "--establishment", demo.FAMFINESS, "--role", "infirmier"); r.code != 1 || !strings.Contains(r.stderr, "n'appartient pas") {
		t.Errorf("grant in another organisation: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := cli(t, ctx, vars, "", "user", "grant", "--username", "personne", "--establishment", demo.SSIADFINESS, "--role", "infirmier"); r.code != 1 || !strings.Contains(r.stderr, "compte inconnu") {
		t.Errorf("grant to an unknown account: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := cli(t, ctx, vars, "", "user", "grant", "--username", "jdupont", "--establishment", "690000999", "--role", "infirmier"); r.code != 1 || !strings.Contains(r.stderr, "aucun établissement") {
		t.Errorf("grant in an unknown establishment: exit %d, stderr %q", r.code, r.stderr)
	}

	revoke := append([]string{"user", "revoke"}, grant[2:]...)
	if r := cli(t, ctx, vars, "", revoke...); r.code != 0 {
		t.Fatalf("revoke exited %d: %s", r.code, r.stderr)
	}
	if got := roles(t, db, "jdupont", demo.SSIADFINESS); len(got) != 0 {
		t.Errorf("roles after revoke: %v", got)
	}
	if r := cli(t, ctx, vars, "", revoke...); r.code != 1 || !strings.Contains(r.stderr, "n'a pas le rôle") {
		t.Errorf("revoking again: exit %d, stderr %q", r.code, r.stderr)
	}

	r = cli(t, ctx, vars, "", "user", "set-password", "--username", "jdupont")
	if r.code != 0 {
		t.Fatalf("set-password exited %d: %s", r.code, r.stderr)
	}
	_, generated, ok := strings.Cut(r.stdout, "une seule fois) : ")
	generated = strings.TrimSpace(generated)
	if !ok || len(generated) < access.MinPasswordLength {
		t.Fatalf("no generated password in %q", r.stdout)
	}
	rec, err = db.LookupLogin(ctx, "jdupont")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := access.VerifyPassword(rec.PasswordHash, generated); !ok {
		t.Error("the printed password does not verify")
	}
	if ok, _ := access.VerifyPassword(rec.PasswordHash, "mot-de-passe-solide"); ok {
		t.Error("the old password still verifies")
	}
}

func TestOrgCreateSeedsTheRoleMatrix(t *testing.T) {
	ctx := context.Background()
	vars := map[string]string{"DATABASE_URL": testpg.New(t), "RELAIS_LOG_LEVEL": "warn"}
	if r := cli(t, ctx, vars, "", "org", "create", "--finess", "130000011", "--name", "Association Mistral"); r.code != 0 {
		t.Fatalf("org create exited %d: %s", r.code, r.stderr)
	}
	if r := cli(t, ctx, vars, "", "org", "create", "--finess", "130000011", "--name", "Doublon"); r.code != 1 || !strings.Contains(r.stderr, "existe déjà") {
		t.Errorf("second org create: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := cli(t, ctx, vars, "", "org", "add-establishment", "--org", "130000011", "--finess", "130000029", "--name", "IME Le Phare", "--category", "ime"); r.code != 0 {
		t.Fatalf("add-establishment exited %d: %s", r.code, r.stderr)
	}
	db := mustOwner(t, vars["DATABASE_URL"])
	o, err := db.OrganisationByFINESS(ctx, "130000011")
	if err != nil {
		t.Fatal(err)
	}
	e, err := db.EstablishmentByFINESS(ctx, "130000029")
	if err != nil || e.OrgID != o.ID || e.Category != domain.CatIME {
		t.Fatalf("establishment %+v (%v), want an IME of %s", e, err, o.ID)
	}
	rules, err := db.OrgPolicyRules(ctx, o.ID)
	if err != nil || len(rules) == 0 {
		t.Errorf("%d policy rules (%v) for the new organisation, want the default matrix", len(rules), err)
	}
}

func TestTrailVerifyReportsTampering(t *testing.T) {
	ctx := context.Background()
	vars := demoDB(t)
	db := mustOwner(t, vars["DATABASE_URL"])

	if r := cli(t, ctx, vars, "", "trail", "verify"); r.code != 0 || !strings.Contains(r.stdout, "0 lignes vérifiées") {
		t.Fatalf("verify on an empty trail: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	o, err := db.OrganisationByFINESS(ctx, demo.TilleulsFINESS)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := db.LookupLogin(ctx, "dir.ehpad")
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	err = db.InTenant(ctx, o.ID, func(tx *store.Tx) error {
		for i := 0; i < 3; i++ {
			e := domain.TrailEntry{UserID: rec.UserID, Username: "dir.ehpad", Role: "directeur",
				Section: domain.SectionCare, Action: domain.ActionRead, Detail: "lecture"}
			if err := tx.AppendTrail(&e); err != nil {
				return err
			}
			seqs = append(seqs, e.Seq)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := cli(t, ctx, vars, "", "trail", "verify"); r.code != 0 || strings.TrimSpace(r.stdout) != "3 lignes vérifiées" {
		t.Fatalf("verify on an intact trail: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	// Tamper as a superuser would: bypass the append-only trigger for this
	// session and rewrite the middle row.
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `SET session_replication_role = replica`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `UPDATE access_trail SET detail = 'rien' WHERE seq = $1`, seqs[1]); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	r := cli(t, ctx, vars, "", "trail", "verify")
	if r.code == 0 {
		t.Fatalf("verify passed a tampered trail: %q", r.stdout)
	}
	if want := "seq " + strconv.FormatInt(seqs[1], 10); !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q does not name %q", r.stderr, want)
	}
}

// TestDevServesAndStopsPostgres runs `relais dev` as `make run` does, on a
// private directory and ports: the banner appears once /healthz answers, and
// cancelling (Ctrl-C) stops the HTTP server and then PostgreSQL.
func TestDevServesAndStopsPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second PostgreSQL cluster")
	}
	// As root, PostgreSQL runs as the postgres account, which must walk
	// down the directory: t.TempDir nests in a 0700 parent, so make our own.
	tmp, err := os.MkdirTemp("", "relais-dev-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	if err := os.Chmod(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "pg")
	addr := freeAddr(t)
	vars := map[string]string{"RELAIS_ADDR": addr, "RELAIS_DEV_PG_PORT": "0", "RELAIS_LOG_LEVEL": "warn"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"dev", "-dir", dir}, &env{getenv: func(k string) string { return vars[k] },
			stdin: strings.NewReader(""), stdout: &out, stderr: &errOut})
	}()
	deadline := time.Now().Add(3 * time.Minute)
	for !strings.Contains(out.String(), "Relais est prêt") {
		select {
		case code := <-done:
			t.Fatalf("dev exited %d before being ready: %s", code, errOut.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("dev not ready after 3 minutes: %s", errOut.String())
		}
	}
	for _, a := range demo.Accounts() {
		if !strings.Contains(out.String(), a.Username) {
			t.Errorf("banner does not list %s:\n%s", a.Username, out.String())
		}
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz answered %d", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("dev exited %d after Ctrl-C: %s", code, errOut.String())
		}
	case <-time.After(90 * time.Second):
		t.Fatal("dev did not stop within 90 s of cancellation")
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "postmaster.pid")); !os.IsNotExist(err) {
		t.Errorf("PostgreSQL still running after dev returned (postmaster.pid: %v)", err)
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("the HTTP server still answers after dev returned")
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
