// Package store keeps Relais' data in PostgreSQL through gorm. Every tenant
// operation runs inside a transaction whose relais.org_id setting scopes the
// row-level security policies, so a query that forgets its org_id filter still
// sees one organisation only.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// AppRole is the restricted role the application switches to after connecting.
const AppRole = "relais_app"

// DB is the application's handle on PostgreSQL.
type DB struct {
	gorm *gorm.DB
	sql  *sql.DB
}

// Open connects as the restricted application role: after each connection is
// made it runs SET ROLE relais_app, so row-level security applies even when
// the URL names the schema owner or a superuser.
func Open(ctx context.Context, url string) (*DB, error) {
	return open(ctx, url, func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, "SET ROLE "+AppRole)
		return err
	})
}

// OpenOwner connects as the URL's own role, for migrations, demo loading and
// trail verification: tasks of the operator, not of a request.
func OpenOwner(ctx context.Context, url string) (*DB, error) {
	return open(ctx, url, nil)
}

func open(ctx context.Context, url string, after func(context.Context, *pgx.Conn) error) (*DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	var opts []stdlib.OptionOpenDB
	if after != nil {
		opts = append(opts, stdlib.OptionAfterConnect(after))
	}
	sqlDB := stdlib.OpenDB(*cfg, opts...)
	// Keep the whole pool idle between bursts: with Go's default of 2 idle
	// connections, 20 concurrent requests open and close PostgreSQL
	// connections (each one a process fork plus SET ROLE) all the time.
	sqlDB.SetMaxOpenConns(20)
	sqlDB.SetMaxIdleConns(20)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	g, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		TranslateError:         true,
	})
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("open gorm: %w", err)
	}
	return &DB{gorm: g, sql: sqlDB}, nil
}

// SQL exposes the pool for migrations and health checks.
func (db *DB) SQL() *sql.DB { return db.sql }

// Close releases the pool.
func (db *DB) Close() error { return db.sql.Close() }

// Ping reports whether PostgreSQL answers.
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

// Tx is a transaction scoped to one organisation.
type Tx struct {
	g   *gorm.DB
	Org uuid.UUID
}

// InTenant runs fn in a transaction with relais.org_id set to org. Everything
// fn writes commits together or not at all.
func (db *DB) InTenant(ctx context.Context, org uuid.UUID, fn func(tx *Tx) error) error {
	if org == uuid.Nil {
		return errors.New("store: tenant transaction without an organisation")
	}
	return db.gorm.WithContext(ctx).Transaction(func(g *gorm.DB) error {
		if err := g.Exec("SELECT set_config('relais.org_id', ?, true)", org.String()).Error; err != nil {
			return fmt.Errorf("set tenant: %w", err)
		}
		return fn(&Tx{g: g, Org: org})
	})
}

// Unscoped runs fn in a transaction without tenant: only the SECURITY DEFINER
// lookups (login, session) and non-tenant tables answer there.
func (db *DB) Unscoped(ctx context.Context, fn func(tx *Tx) error) error {
	return db.gorm.WithContext(ctx).Transaction(func(g *gorm.DB) error {
		return fn(&Tx{g: g})
	})
}

// Gorm gives package-internal repositories and tests the raw handle.
func (tx *Tx) Gorm() *gorm.DB { return tx.g }

// NewID returns a time-ordered UUID (v7).
func NewID() uuid.UUID { return uuid.Must(uuid.NewV7()) }
