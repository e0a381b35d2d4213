package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

const orgHelp = `Usage :
  relais org create --finess FINESS_EJ --name "Nom de l'organisme gestionnaire"
  relais org add-establishment --org FINESS_EJ --finess FINESS_ET --name "Nom" --category CATÉGORIE

La création d'un organisme pose sa matrice des rôles par défaut, que ses administrateurs modifient ensuite.
`

// cmdOrg creates organisations and establishments: without it a production
// database could only be filled by hand, the demo being off limits there.
func cmdOrg(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, orgHelp)
		return usagef("sous-commande manquante")
	}
	switch args[0] {
	case "create":
		return orgCreate(ctx, e, args[1:])
	case "add-establishment":
		return orgAddEstablishment(ctx, e, args[1:])
	case "help", "-h", "--help", "-help":
		fmt.Fprint(e.stdout, orgHelp)
		fmt.Fprintf(e.stdout, "\nCatégories : %s\n", categoryList())
		return nil
	}
	fmt.Fprint(e.stderr, orgHelp)
	return usagef("sous-commande inconnue %q", args[0])
}

func orgCreate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "org create", `org create --finess FINESS_EJ --name "Nom"`)
	finess := fs.String("finess", "", "FINESS juridique (EJ) de l'organisme gestionnaire")
	name := fs.String("name", "", "raison sociale")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkFINESS("finess", *finess); err != nil {
		return err
	}
	o := domain.Organisation{ID: store.NewID(), Name: strings.Join(strings.Fields(*name), " "), FinessEJ: *finess}
	if o.Name == "" {
		return usagef("--name est obligatoire")
	}
	db, err := openOwner(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	err = db.InTenant(ctx, o.ID, func(tx *store.Tx) error { return tx.CreateOrganisation(&o) })
	if errors.Is(err, domain.ErrConflict) {
		return fmt.Errorf("un organisme de FINESS %s existe déjà", o.FinessEJ)
	} else if err != nil {
		return err
	}
	authz, err := access.NewAuthorizer(ctx, db)
	if err != nil {
		return err
	}
	if err := authz.SeedDefaults(ctx, o.ID); err != nil {
		return fmt.Errorf("matrice des rôles de %s : %w", o.Name, err)
	}
	e.logger.Info("organisation created", "finess", o.FinessEJ)
	fmt.Fprintf(e.stdout, "Organisme %s (%s) créé avec la matrice des rôles par défaut.\n", o.Name, o.FinessEJ)
	return nil
}

func orgAddEstablishment(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "org add-establishment", `org add-establishment --org FINESS_EJ --finess FINESS_ET --name "Nom" --category CATÉGORIE`)
	org := fs.String("org", "", "FINESS juridique (EJ) de l'organisme gestionnaire")
	finess := fs.String("finess", "", "FINESS géographique (ET) de l'établissement ou du service")
	name := fs.String("name", "", "nom de l'établissement ou du service")
	category := fs.String("category", "", "catégorie : "+categoryList())
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkFINESS("org", *org); err != nil {
		return err
	}
	if err := checkFINESS("finess", *finess); err != nil {
		return err
	}
	est := domain.Establishment{Name: strings.Join(strings.Fields(*name), " "), FinessET: *finess, Category: domain.Category(strings.ToUpper(*category))}
	if est.Name == "" {
		return usagef("--name est obligatoire")
	}
	if !est.Category.Valid() {
		return usagef("catégorie inconnue %q ; catégories possibles : %s", *category, categoryList())
	}
	db, err := openOwner(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	o, err := db.OrganisationByFINESS(ctx, *org)
	if errors.Is(err, domain.ErrNotFound) {
		return fmt.Errorf("aucun organisme de FINESS %s", *org)
	} else if err != nil {
		return err
	}
	err = db.InTenant(ctx, o.ID, func(tx *store.Tx) error { return tx.CreateEstablishment(&est) })
	if errors.Is(err, domain.ErrConflict) {
		return fmt.Errorf("un établissement de FINESS %s existe déjà", est.FinessET)
	} else if err != nil {
		return err
	}
	e.logger.Info("establishment created", "org", o.FinessEJ, "finess", est.FinessET)
	fmt.Fprintf(e.stdout, "Établissement %s (%s, %s) ajouté à %s.\n", est.Name, est.FinessET, est.Category.Label(), o.Name)
	return nil
}

// openOwner connects to DATABASE_URL as its own role, for operator commands.
func openOwner(ctx context.Context, e *env) (*store.DB, error) {
	url, err := databaseURL(e)
	if err != nil {
		return nil, err
	}
	return store.OpenOwner(ctx, url)
}

func categoryList() string {
	names := make([]string, len(domain.AllCategories))
	for i, c := range domain.AllCategories {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}
