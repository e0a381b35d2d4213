package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/fhir"
	"github.com/relais-dui/relais/store"
)

const clientHelp = `relais client : clients de l'API FHIR (partenaires)

  relais client create --id ID --name NOM --establishment FINESS_ET --role RÔLE --scopes "system/Patient.read ..."
      enregistre un client et affiche son identifiant et son secret (montré une seule fois)
  relais client revoke --id ID
      révoque le client : ses jetons cessent aussitôt de fonctionner
`

func cmdClient(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		io.WriteString(e.stderr, clientHelp)
		return usagef("sous-commande manquante")
	}
	switch args[0] {
	case "create":
		return clientCreate(ctx, e, args[1:])
	case "revoke":
		return clientRevoke(ctx, e, args[1:])
	case "help", "-h", "--help", "-help":
		io.WriteString(e.stdout, clientHelp)
		return nil
	}
	io.WriteString(e.stderr, clientHelp)
	return usagef("sous-commande inconnue %q", args[0])
}

func clientCreate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "client create", "client create --id ID --name NOM --establishment FINESS_ET --role RÔLE --scopes PORTÉES")
	id := fs.String("id", "", "identifiant public du client (3 à 63 caractères : minuscules, chiffres, . _ -)")
	name := fs.String("name", "", "nom du partenaire")
	finess := fs.String("establishment", "", "FINESS géographique (ET) de l'établissement au nom duquel il accède")
	roleName := fs.String("role", "", "rôle dont il reçoit les habilitations : "+roleList())
	scopes := fs.String("scopes", "", "portées séparées par des espaces, ex. \"system/Patient.read system/Observation.write\"")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkFINESS("establishment", *finess); err != nil {
		return err
	}
	db, err := openOwner(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	est, err := db.EstablishmentByFINESS(ctx, *finess)
	if errors.Is(err, domain.ErrNotFound) {
		return fmt.Errorf("aucun établissement de FINESS %s", *finess)
	} else if err != nil {
		return err
	}
	c, err := domain.APIClientInput{ClientID: *id, Name: *name, Establishment: est.ID.String(), Role: *roleName, Scopes: *scopes}.Parse(fhir.ResourceTypes())
	var v *domain.ValidationError
	if errors.As(err, &v) {
		return usagef("%s", v.Error())
	}
	secret, err := access.RegisterClient(ctx, db, est.OrgID, &c, "cli", "")
	if errors.Is(err, domain.ErrConflict) {
		return fmt.Errorf("l'identifiant de client %q est déjà pris", c.ClientID)
	}
	if err != nil {
		return err
	}
	e.logger.Info("API client created", "client_id", c.ClientID, "establishment", est.FinessET, "role", string(c.Role))
	fmt.Fprintf(e.stdout, "Client enregistré pour %s (rôle %s).\nclient_id=%s\nclient_secret=%s\nConservez ce secret : il ne sera plus affiché.\n",
		est.Name, c.Role.Label(), c.ClientID, secret)
	return nil
}

func clientRevoke(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "client revoke", "client revoke --id ID")
	id := fs.String("id", "", "identifiant public du client")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *id == "" {
		return usagef("--id est obligatoire")
	}
	db, err := openOwner(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	rec, err := db.LookupClient(ctx, *id)
	if errors.Is(err, domain.ErrNotFound) {
		return fmt.Errorf("aucun client %q", *id)
	} else if err != nil {
		return err
	}
	err = db.InTenant(ctx, rec.OrgID, func(tx *store.Tx) error { return tx.RevokeAPIClient(rec.ID, time.Now()) })
	if errors.Is(err, domain.ErrNotFound) {
		return fmt.Errorf("le client %q est déjà révoqué", *id)
	} else if err != nil {
		return err
	}
	e.logger.Info("API client revoked", "client_id", *id)
	fmt.Fprintf(e.stdout, "Client %s révoqué.\n", *id)
	return nil
}
