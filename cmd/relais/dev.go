package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/relais-dui/relais/internal/demo"
	"github.com/relais-dui/relais/internal/pgcluster"
	"github.com/relais-dui/relais/server"
	"github.com/relais-dui/relais/store"
)

const (
	devDatabase = "relais"
	// devPGPort is tried first so the local database keeps one address
	// across runs (handy for psql); a busy port falls back to a free one.
	devPGPort = 54329
)

func cmdDev(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "dev", "dev [-dir var/pg]")
	dir := fs.String("dir", "var/pg", "répertoire du cluster PostgreSQL local")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := serverConfig(e)
	if err != nil {
		return err
	}
	port, err := devPort(e)
	if err != nil {
		return err
	}
	if e.getenv("DATABASE_URL") != "" {
		e.logger.Warn("DATABASE_URL is ignored by relais dev, which runs its own PostgreSQL under " + *dir)
	}
	if err := checkReachableByPostgres(*dir); err != nil {
		return err
	}
	return runDev(ctx, e, cfg, *dir, port)
}

// runDev starts PostgreSQL, prepares the database and serves until ctx ends.
// PostgreSQL is stopped on every way out, errors included, so no orphan
// server keeps var/pg locked for the next run.
func runDev(ctx context.Context, e *env, cfg server.Config, dir string, port int) (err error) {
	e.logger.Info("starting PostgreSQL", "dir", dir, "port", port)
	// Start is not cancelled by Ctrl-C: killing pg_ctl halfway could leave a
	// server running that we never learnt about, hence could not stop.
	cluster, err := pgcluster.Start(context.WithoutCancel(ctx), dir, pgcluster.Options{Durable: true, Port: port})
	if err != nil {
		return fmt.Errorf("démarrage de PostgreSQL : %w", err)
	}
	defer func() {
		e.logger.Info("stopping PostgreSQL")
		if stopErr := cluster.Stop(); stopErr != nil {
			err = errors.Join(err, fmt.Errorf("arrêt de PostgreSQL : %w", stopErr))
		}
	}()
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := ensureDatabase(ctx, cluster.DSN("postgres"), devDatabase); err != nil {
		return err
	}
	cfg.DatabaseURL = cluster.DSN(devDatabase)
	if err := migrate(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	password := demoPassword(e)
	if err := loadDemo(ctx, e, cfg.DatabaseURL, password); err != nil {
		return err
	}
	// The banner waits for /healthz so the URL printed is one that answers.
	serveCtx, stopAnnounce := context.WithCancel(ctx)
	defer stopAnnounce()
	go announce(serveCtx, e.stdout, cfg.Addr, cfg.DatabaseURL, password != defaultDemoPassword)
	return server.Run(ctx, cfg)
}

// devPort reads RELAIS_DEV_PG_PORT; by default the fixed port when free.
func devPort(e *env) (int, error) {
	if s := strings.TrimSpace(e.getenv("RELAIS_DEV_PG_PORT")); s != "" {
		p, err := strconv.Atoi(s)
		if err != nil || p < 0 || p > 65535 {
			return 0, fmt.Errorf("RELAIS_DEV_PG_PORT=%q : port invalide", s)
		}
		return p, nil
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(devPGPort)))
	if err != nil {
		return 0, nil // busy: let pgcluster pick a free port
	}
	l.Close()
	return devPGPort, nil
}

// checkReachableByPostgres explains, before initdb fails obscurely, that
// PostgreSQL (run as the postgres account when we are root) must be able to
// walk down to the data directory.
func checkReachableByPostgres(dir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("répertoire %s : %w", dir, err)
	}
	for d := filepath.Dir(abs); ; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err == nil && fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("le compte postgres ne peut pas traverser %s (droits %v) : placez le dépôt ailleurs ou utilisez -dir", d, fi.Mode().Perm())
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

// ensureDatabase creates database name when the cluster lacks it.
func ensureDatabase(ctx context.Context, adminURL, name string) error {
	admin, err := store.OpenOwner(ctx, adminURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	var exists bool
	if err := admin.SQL().QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("look for database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := admin.SQL().ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %q", name)); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// announce prints the address and the demo accounts once /healthz answers.
func announce(ctx context.Context, w io.Writer, addr, dbURL string, customPassword bool) {
	base := "http://" + browsable(addr)
	client := &http.Client{Timeout: time.Second}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
		if err != nil {
			return
		}
		resp, err := client.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			break
		}
	}
	printBanner(w, base, dbURL, customPassword)
}

func printBanner(w io.Writer, base, dbURL string, customPassword bool) {
	var b strings.Builder
	fmt.Fprintf(&b, "\nRelais est prêt : %s\n\n", base)
	if customPassword {
		fmt.Fprintln(&b, "Comptes de démonstration (mot de passe : celui de RELAIS_DEMO_PASSWORD) :")
	} else {
		fmt.Fprintf(&b, "Comptes de démonstration (mot de passe : %s) :\n", defaultDemoPassword)
	}
	for _, a := range demo.Accounts() {
		fmt.Fprintf(&b, "  %-14s %s — %s\n", a.Username, a.Role.Label(), strings.Join(a.EstablishmentNames(), ", "))
	}
	fmt.Fprintf(&b, "\nBase locale : psql '%s'\nCtrl-C pour arrêter.\n\n", dbURL)
	io.WriteString(w, b.String())
}

// browsable turns a listen address into one a browser can open: an empty or
// wildcard host becomes the loopback address.
func browsable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
