// Package migrations holds the versioned SQL schema of Relais and applies it
// with goose. Files are embedded so the binary migrates itself at start.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"github.com/pressly/goose/v3"
)

//go:embed *.sql
var files embed.FS

// Up applies every pending migration. db must connect as the schema owner
// (not the restricted application role).
func Up(ctx context.Context, db *sql.DB) error {
	// Parallel work lands migrations whose numbers were reserved earlier;
	// each one is independent, so a lower number arriving after a higher
	// one is applied rather than refused.
	p, err := goose.NewProvider(goose.DialectPostgres, db, files, goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}
