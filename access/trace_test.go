package access_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

func TestTraceChainsAndTamperingShows(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, 2)
	org, estab := w.orgs[0], w.estabs[0][0]
	p := &access.Principal{UserID: store.NewID(), OrgID: org, Username: "dr.martin"}
	usager := store.NewID()
	var seqs []int64
	for i := range 3 {
		err := w.db.InTenant(ctx, org, func(tx *store.Tx) error {
			return access.Trace(tx, p, domain.RoleMedecin, estab, usager, domain.SectionMedical, domain.ActionRead, fmt.Sprint("lecture ", i))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	err := w.db.InTenant(ctx, org, func(tx *store.Tx) error {
		rows, err := tx.Trail(domain.TrailQuery{UsagerID: usager})
		if err != nil {
			return err
		}
		if len(rows) != 3 {
			t.Fatalf("%d trail rows, want 3", len(rows))
		}
		r := rows[0]
		if r.UserID != p.UserID || r.Username != "dr.martin" || r.Role != "medecin" || r.EstablishmentID != estab ||
			r.Section != domain.SectionMedical || r.Action != domain.ActionRead || r.Detail != "lecture 2" {
			t.Errorf("newest trail row = %+v", r)
		}
		for i := len(rows) - 1; i >= 0; i-- {
			seqs = append(seqs, rows[i].Seq)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// A principal of another organisation cannot be traced into this one.
	other := &access.Principal{UserID: store.NewID(), OrgID: w.orgs[1], Username: "x"}
	err = w.db.InTenant(ctx, org, func(tx *store.Tx) error {
		return access.Trace(tx, other, domain.RoleMedecin, uuid.Nil, uuid.Nil, domain.SectionAdmin, domain.ActionRead, "")
	})
	if !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("trace of another organisation's principal: error = %v, want ErrForbidden", err)
	}

	owner, err := store.OpenOwner(ctx, w.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	if n, err := owner.VerifyTrail(ctx); err != nil || n != 3 {
		t.Fatalf("VerifyTrail = %d, %v; want 3 rows intact", n, err)
	}
	for _, q := range []string{
		`ALTER TABLE access_trail DISABLE TRIGGER access_trail_no_update`,
		fmt.Sprintf(`UPDATE access_trail SET detail = 'x' WHERE seq = %d`, seqs[1]),
	} {
		if _, err := owner.SQL().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	_, err = owner.VerifyTrail(ctx)
	var broken *domain.TrailBrokenError
	if !errors.As(err, &broken) || broken.Seq != seqs[1] || broken.OrgID != org {
		t.Errorf("VerifyTrail after tampering = %v, want TrailBrokenError at seq %d", err, seqs[1])
	}
}
