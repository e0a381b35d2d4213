package store

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/relais-dui/relais/domain"
)

// mapErr turns driver errors into domain errors, wrapping with what failed.
func mapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("%s: %w", what, domain.ErrNotFound)
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505": // unique_violation
			return fmt.Errorf("%s: %w (%s)", what, domain.ErrConflict, pg.ConstraintName)
		case "23503": // foreign_key_violation: the referenced row is not visible to this tenant
			return fmt.Errorf("%s: %w (%s)", what, domain.ErrNotFound, pg.ConstraintName)
		}
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return fmt.Errorf("%s: %w", what, domain.ErrConflict)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// textArray passes a []string as one PostgreSQL text[] value (gorm would
// otherwise expand a slice into a list of parameters).
type textArray []string

// Value encodes the array literal, quoting every element.
func (a textArray) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}
