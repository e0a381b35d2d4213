// Package testpg gives each test a fresh, migrated PostgreSQL database in a
// throwaway cluster started once per test binary. There is no database mock
// anywhere in Relais: tests run against the real server.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(testpg.Run(m)) }
//
// then in a test: dsn := testpg.New(t).
package testpg

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"

	"github.com/relais-dui/relais/internal/pgcluster"
	"github.com/relais-dui/relais/store"
)

const template = "relais_template"

// harness is set once by Run, before any test starts, and read-only after.
var harness struct {
	cluster *pgcluster.Cluster
	admin   *sql.DB
	counter atomic.Int64
}

// Run starts the cluster, migrates the template database, runs the tests and
// removes everything. It returns the exit code for os.Exit.
func Run(m *testing.M) int {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "relais-testpg-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testpg:", err)
		return 2
	}
	defer os.RemoveAll(dir)
	c, err := pgcluster.Start(ctx, dir, pgcluster.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "testpg:", err)
		return 2
	}
	defer func() {
		if err := c.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "testpg:", err)
		}
	}()
	admin, err := sql.Open("pgx", c.DSN("postgres"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "testpg:", err)
		return 2
	}
	defer admin.Close()
	if err := prepareTemplate(ctx, admin, c); err != nil {
		fmt.Fprintln(os.Stderr, "testpg:", err)
		return 2
	}
	harness.cluster, harness.admin = c, admin
	return m.Run()
}

func prepareTemplate(ctx context.Context, admin *sql.DB, c *pgcluster.Cluster) error {
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+template); err != nil {
		return fmt.Errorf("create template: %w", err)
	}
	db, err := store.OpenOwner(ctx, c.DSN(template))
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Migrate(ctx)
}

// New returns the URL of a new database cloned from the migrated template,
// connecting as the superuser (the owner). It is dropped when t ends.
func New(t testing.TB) string {
	t.Helper()
	if harness.cluster == nil {
		t.Fatal("testpg: call testpg.Run from TestMain")
	}
	name := fmt.Sprintf("t%d_%s", harness.counter.Add(1), sanitize(t.Name()))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := harness.admin.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %q TEMPLATE %s", name, template)); err != nil {
		t.Fatalf("testpg: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if _, err := harness.admin.ExecContext(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %q WITH (FORCE)", name)); err != nil {
			t.Errorf("testpg: drop database: %v", err)
		}
	})
	return harness.cluster.DSN(name)
}

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
		if b.Len() >= 40 {
			break
		}
	}
	return b.String()
}
