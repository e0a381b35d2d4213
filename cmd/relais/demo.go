package main

import (
	"context"
	"fmt"

	"github.com/relais-dui/relais/internal/demo"
	"github.com/relais-dui/relais/store"
)

const defaultDemoPassword = demo.DefaultPassword

// demoPassword is RELAIS_DEMO_PASSWORD, or the documented default.
func demoPassword(e *env) string {
	if p := e.getenv("RELAIS_DEMO_PASSWORD"); p != "" {
		return p
	}
	return defaultDemoPassword
}

func cmdDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "demo", "demo")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	url, err := databaseURL(e)
	if err != nil {
		return err
	}
	// Migrating first lets `relais demo` work on an empty database on its
	// own; it is a no-op on an up-to-date schema.
	if err := migrate(ctx, url); err != nil {
		return err
	}
	if err := loadDemo(ctx, e, url, demoPassword(e)); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "Données de démonstration en place.")
	return nil
}

// loadDemo runs demo.Load on an owner connection (see demo.Load for why).
func loadDemo(ctx context.Context, e *env, url, password string) error {
	owner, err := store.OpenOwner(ctx, url)
	if err != nil {
		return err
	}
	defer owner.Close()
	e.logger.Info("loading demo data")
	return demo.Load(ctx, owner, password)
}
