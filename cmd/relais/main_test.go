package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/relais-dui/relais/internal/testpg"
)

func TestMain(m *testing.M) { os.Exit(testpg.Run(m)) }

// syncBuffer lets a command's goroutines (the dev banner) write while the
// test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type result struct {
	code           int
	stdout, stderr string
}

// cli runs the binary's entry point in-process with vars as its whole
// environment.
func cli(t *testing.T, ctx context.Context, vars map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut syncBuffer
	code := run(ctx, args, &env{
		getenv: func(k string) string { return vars[k] },
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errOut,
	})
	return result{code, out.String(), errOut.String()}
}

func TestHelpListsEveryCommand(t *testing.T) {
	r := cli(t, context.Background(), nil, "", "help")
	if r.code != 0 {
		t.Fatalf("help exited %d: %s", r.code, r.stderr)
	}
	for _, c := range []string{"serve", "migrate", "demo", "dev", "user", "org", "trail"} {
		if !strings.Contains(r.stdout, "  "+c+" ") {
			t.Errorf("help does not list %q:\n%s", c, r.stdout)
		}
	}
	if r := cli(t, context.Background(), nil, ""); r.code != 2 || !strings.Contains(r.stderr, "Commandes") {
		t.Errorf("no command: exit %d, stderr %q; want 2 and the help", r.code, r.stderr)
	}
}

// Bad input never touches the database: each case fails before connecting,
// with a message naming what is wrong.
func TestBadInputExitsNonZeroWithAMessage(t *testing.T) {
	db := map[string]string{"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
	cases := []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"unknown command", nil, []string{"frobnicate"}, "commande inconnue"},
		{"migrate without database", nil, []string{"migrate"}, "DATABASE_URL"},
		{"serve without database", nil, []string{"serve"}, "DATABASE_URL"},
		{"bad address", map[string]string{"RELAIS_ADDR": "huit-mille", "DATABASE_URL": "x"}, []string{"serve"}, "RELAIS_ADDR"},
		{"bad cookie flag", map[string]string{"RELAIS_SECURE_COOKIES": "peut-être", "DATABASE_URL": "x"}, []string{"serve"}, "RELAIS_SECURE_COOKIES"},
		{"bad log level", map[string]string{"RELAIS_LOG_LEVEL": "bavard"}, []string{"migrate"}, "RELAIS_LOG_LEVEL"},
		{"stray argument", db, []string{"migrate", "now"}, "argument inattendu"},
		{"unknown flag", db, []string{"demo", "--force"}, "force"},
		{"user without subcommand", db, []string{"user"}, "sous-commande manquante"},
		{"unknown role", db, []string{"user", "grant", "--username", "admin", "--establishment", "690000025", "--role", "chef"}, "rôle inconnu"},
		{"bad FINESS", db, []string{"user", "grant", "--username", "admin", "--establishment", "69-25", "--role", "medecin"}, "FINESS"},
		{"missing username", db, []string{"user", "set-password"}, "--username"},
		{"bad username", db, []string{"user", "create", "--username", "Jean Dupont", "--name", "J", "--org", "690000017"}, "identifiant"},
		{"missing name", db, []string{"user", "create", "--username", "jdupont", "--org", "690000017"}, "--name"},
		{"short password", db, []string{"user", "create", "--username", "jdupont", "--name", "J D", "--org", "690000017", "--password-stdin"}, "12 caractères"},
		{"unknown category", db, []string{"org", "add-establishment", "--org", "690000017", "--finess", "690000099", "--name", "X", "--category", "hopital"}, "catégorie inconnue"},
		{"trail without verify", db, []string{"trail"}, "sous-commande"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stdin := ""
			if c.name == "short password" {
				stdin = "court\n"
			}
			r := cli(t, context.Background(), c.vars, stdin, c.args...)
			if r.code == 0 {
				t.Fatalf("exit 0, want failure; stdout %q", r.stdout)
			}
			if !strings.Contains(r.stderr, c.want) {
				t.Errorf("stderr %q does not mention %q", r.stderr, c.want)
			}
		})
	}
}
