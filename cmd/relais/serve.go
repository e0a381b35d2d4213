package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/relais-dui/relais/insi"
	"github.com/relais-dui/relais/server"
	"github.com/relais-dui/relais/store"
)

const defaultAddr = "127.0.0.1:8080"

// newFlags makes a flag set that reports errors instead of exiting, so the
// command functions stay testable in-process.
func newFlags(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("relais "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage : relais %s\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and refuses stray positional arguments, which are
// nearly always a forgotten "--" or a typo.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelpShown
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usagef("argument inattendu %q", fs.Arg(0))
	}
	return nil
}

// serverConfig reads the serve configuration from the environment.
func serverConfig(e *env) (server.Config, error) {
	cfg := server.Config{
		Addr:        strings.TrimSpace(e.getenv("RELAIS_ADDR")),
		DatabaseURL: strings.TrimSpace(e.getenv("DATABASE_URL")),
		Logger:      e.logger,
	}
	if cfg.Addr == "" {
		cfg.Addr = defaultAddr
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return cfg, fmt.Errorf("RELAIS_ADDR=%q : adresse invalide, attendu hôte:port (ex. 127.0.0.1:8080)", cfg.Addr)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return cfg, fmt.Errorf("RELAIS_ADDR=%q : port invalide", cfg.Addr)
	}
	// Cookies are Secure unless Relais is only reachable from this machine:
	// a browser drops Secure cookies on plain http://127.0.0.1, which would
	// make local use impossible, while anything else must be behind TLS.
	cfg.SecureCookies = !isLoopback(host)
	if s := strings.TrimSpace(e.getenv("RELAIS_SECURE_COOKIES")); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return cfg, fmt.Errorf("RELAIS_SECURE_COOKIES=%q : attendu true ou false", s)
		}
		cfg.SecureCookies = b
	}
	cfg.INSi = insi.Config{
		URL:      strings.TrimSpace(e.getenv("RELAIS_INSI_URL")),
		CertFile: strings.TrimSpace(e.getenv("RELAIS_INSI_CERT")),
		KeyFile:  strings.TrimSpace(e.getenv("RELAIS_INSI_KEY")),
		CAFile:   strings.TrimSpace(e.getenv("RELAIS_INSI_CA")),
		Identification: insi.Identification{
			IDAM: strings.TrimSpace(e.getenv("RELAIS_INSI_IDAM")), SoftwareName: "Relais", SoftwareVersion: server.Version,
		},
	}
	cfg.DMP = server.DMPConfig{
		RepositoryURL: strings.TrimSpace(e.getenv("RELAIS_DMP_URL")),
		RegistryURL:   strings.TrimSpace(e.getenv("RELAIS_DMP_REGISTRY_URL")),
		CertFile:      strings.TrimSpace(e.getenv("RELAIS_DMP_CERT")),
		KeyFile:       strings.TrimSpace(e.getenv("RELAIS_DMP_KEY")),
		CAFile:        strings.TrimSpace(e.getenv("RELAIS_DMP_CA")),
		SourceOID:     strings.TrimSpace(e.getenv("RELAIS_DMP_SOURCE_OID")),
		Homologation:  strings.TrimSpace(e.getenv("RELAIS_DMP_HOMOLOGATION")),
	}
	if cfg.DMP.RepositoryURL != "" && (cfg.DMP.CertFile == "" || cfg.DMP.KeyFile == "" || cfg.DMP.SourceOID == "") {
		return cfg, errors.New("RELAIS_DMP_URL est défini : RELAIS_DMP_CERT, RELAIS_DMP_KEY et RELAIS_DMP_SOURCE_OID sont aussi obligatoires (voir docs/configuration.md)")
	}
	if cfg.INSi.URL != "" && (cfg.INSi.CertFile == "" || cfg.INSi.KeyFile == "" || cfg.INSi.IDAM == "") {
		return cfg, errors.New("RELAIS_INSI_URL est défini : RELAIS_INSI_CERT, RELAIS_INSI_KEY et RELAIS_INSI_IDAM sont aussi obligatoires (voir docs/configuration.md)")
	}
	return cfg, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// databaseURL returns DATABASE_URL or a clear error when it is missing.
func databaseURL(e *env) (string, error) {
	u := strings.TrimSpace(e.getenv("DATABASE_URL"))
	if u == "" {
		return "", errors.New("DATABASE_URL n'est pas défini (ex. postgres://relais@localhost:5432/relais ; voir docs/configuration.md)")
	}
	return u, nil
}

func cmdServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve", "serve")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := serverConfig(e)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL, err = databaseURL(e); err != nil {
		return err
	}
	return server.Run(ctx, cfg)
}

func cmdMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "migrate", "migrate")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	url, err := databaseURL(e)
	if err != nil {
		return err
	}
	if err := migrate(ctx, url); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "Schéma à jour.")
	return nil
}

// migrate applies the migrations as the URL's own role (the schema owner).
func migrate(ctx context.Context, url string) error {
	owner, err := store.OpenOwner(ctx, url)
	if err != nil {
		return err
	}
	defer owner.Close()
	return owner.Migrate(ctx)
}
