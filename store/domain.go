package store

import (
	"context"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

var _ domain.Tx = (*Tx)(nil)

// Records returns db as the domain's Store interface.
func (db *DB) Records() domain.Store { return records{db} }

type records struct{ db *DB }

func (r records) InTenant(ctx context.Context, org uuid.UUID, fn func(domain.Tx) error) error {
	return r.db.InTenant(ctx, org, func(tx *Tx) error { return fn(tx) })
}

func (r records) Ping(ctx context.Context) error { return r.db.Ping(ctx) }
