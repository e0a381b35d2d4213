package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/relais-dui/relais/domain"
)

const trailHelp = `Usage :
  relais trail verify   recalcule le chaînage des empreintes de la piste d'audit de chaque organisme
`

// errTrailBroken marks a tampered trail in the returned error, for callers
// (and tests) that tell it from an unreachable database.
var errTrailBroken = errors.New("piste d'audit altérée")

func cmdTrail(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, trailHelp)
		return usagef("sous-commande manquante")
	}
	switch args[0] {
	case "verify":
	case "help", "-h", "--help", "-help":
		fmt.Fprint(e.stdout, trailHelp)
		return nil
	default:
		fmt.Fprint(e.stderr, trailHelp)
		return usagef("sous-commande inconnue %q", args[0])
	}
	fs := newFlags(e, "trail verify", "trail verify")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	// The owner connection reads every organisation's chain: verification
	// is an operator's check across tenants.
	db, err := openOwner(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	checked, err := db.VerifyTrail(ctx)
	var broken *domain.TrailBrokenError
	if errors.As(err, &broken) {
		return fmt.Errorf("%w : organisme %s, ligne seq %d : %s", errTrailBroken, broken.OrgID, broken.Seq, broken.Reason)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d lignes vérifiées\n", checked)
	return nil
}
