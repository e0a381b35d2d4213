package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

const userHelp = `Usage :
  relais user create --username NOM --name "Prénom Nom" --org FINESS_EJ [--password-stdin]
  relais user set-password --username NOM [--password-stdin]
  relais user grant --username NOM --establishment FINESS_ET --role RÔLE
  relais user revoke --username NOM --establishment FINESS_ET --role RÔLE

Sans --password-stdin, un mot de passe provisoire est tiré au hasard et affiché une fois.
Avec --password-stdin, la première ligne de l'entrée standard est le mot de passe
(ex. printf '%s\n' "$MOT_DE_PASSE" | relais user set-password --username jdupont --password-stdin).
`

func cmdUser(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		io.WriteString(e.stderr, userHelp)
		return usagef("sous-commande manquante")
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "create":
		return userCreate(ctx, e, rest)
	case "set-password":
		return userSetPassword(ctx, e, rest)
	case "grant":
		return userMembership(ctx, e, "grant", rest)
	case "revoke":
		return userMembership(ctx, e, "revoke", rest)
	case "help", "-h", "--help", "-help":
		io.WriteString(e.stdout, userHelp)
		fmt.Fprintf(e.stdout, "\nRôles : %s\n", roleList())
		return nil
	}
	io.WriteString(e.stderr, userHelp)
	return usagef("sous-commande inconnue %q", sub)
}

func checkUsername(name string) error {
	if name == "" {
		return usagef("--username est obligatoire")
	}
	if !domain.ValidUsername(name) {
		return usagef("identifiant %q invalide : 2 à 63 caractères parmi a-z, 0-9, point, tiret, tiret bas, en commençant par une lettre ou un chiffre", name)
	}
	return nil
}

func checkFINESS(flag, v string) error {
	if v == "" {
		return usagef("--%s est obligatoire (numéro FINESS à 9 caractères)", flag)
	}
	if !domain.ValidFINESS(v) {
		return usagef("--%s %q : un numéro FINESS compte 9 caractères (chiffres, le 2e pouvant être A ou B pour la Corse)", flag, v)
	}
	return nil
}

// password reads the password from stdin (first line) or, without
// --password-stdin, draws one and prints it once: typing a password as a
// flag would leave it in the shell history and in ps.
func password(e *env, fromStdin bool) (pw string, generated bool, err error) {
	if !fromStdin {
		pw, err = generatePassword()
		return pw, true, err
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("lecture du mot de passe sur l'entrée standard : %w", err)
	}
	pw = strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", false, usagef("--password-stdin : aucun mot de passe lu sur l'entrée standard")
	}
	if err := access.CheckPasswordPolicy(pw); err != nil {
		return "", false, fmt.Errorf("mot de passe refusé : %w", err)
	}
	return pw, false, nil
}

// generatePassword draws 4 groups of 5 characters from an alphabet without
// look-alikes (0/O, 1/l/I), with a digit and both cases guaranteed so that it
// passes any composition rule; about 110 bits of entropy.
func generatePassword() (string, error) {
	const lower, upper, digits = "abcdefghijkmnopqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789"
	const all = lower + upper + digits
	for {
		b := make([]byte, 20)
		if _, err := rand.Read(b); err != nil {
			return "", fmt.Errorf("tirage du mot de passe : %w", err)
		}
		var s strings.Builder
		for i, c := range b {
			if i > 0 && i%5 == 0 {
				s.WriteByte('-')
			}
			s.WriteByte(all[int(c)%len(all)])
		}
		pw := s.String()
		if strings.ContainsAny(pw, lower) && strings.ContainsAny(pw, upper) && strings.ContainsAny(pw, digits) &&
			access.CheckPasswordPolicy(pw) == nil {
			return pw, nil
		}
	}
}

func userCreate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "user create", `user create --username NOM --name "Prénom Nom" --org FINESS_EJ [--password-stdin]`)
	username := fs.String("username", "", "identifiant de connexion (minuscules)")
	name := fs.String("name", "", "nom affiché")
	org := fs.String("org", "", "FINESS juridique (EJ) de l'organisme gestionnaire")
	fromStdin := fs.Bool("password-stdin", false, "lire le mot de passe sur l'entrée standard")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkUsername(*username); err != nil {
		return err
	}
	display := strings.Join(strings.Fields(*name), " ")
	if display == "" {
		return usagef("--name est obligatoire (nom affiché, ex. \"Marie Dupont\")")
	}
	if err := checkFINESS("org", *org); err != nil {
		return err
	}
	pw, generated, err := password(e, *fromStdin)
	if err != nil {
		return err
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
	hash, err := access.HashPassword(pw)
	if err != nil {
		return err
	}
	u := domain.User{Username: *username, DisplayName: display, Active: true}
	err = db.InTenant(ctx, o.ID, func(tx *store.Tx) error { return tx.CreateUser(&u, hash) })
	if errors.Is(err, domain.ErrConflict) {
		return fmt.Errorf("l'identifiant %q est déjà pris", *username)
	} else if err != nil {
		return err
	}
	e.logger.Info("user created", "username", u.Username, "org", o.FinessEJ)
	fmt.Fprintf(e.stdout, "Compte %s créé dans %s.\n", u.Username, o.Name)
	if generated {
		fmt.Fprintf(e.stdout, "Mot de passe provisoire (affiché une seule fois) : %s\n", pw)
	}
	fmt.Fprintf(e.stdout, "Habilitez-le ensuite : relais user grant --username %s --establishment FINESS_ET --role RÔLE\n", u.Username)
	return nil
}

// lookupUser finds an account across organisations by its login name.
func lookupUser(ctx context.Context, db *store.DB, username string) (store.LoginRecord, error) {
	rec, err := db.LookupLogin(ctx, username)
	if errors.Is(err, domain.ErrNotFound) {
		return rec, fmt.Errorf("compte inconnu : %q", username)
	}
	return rec, err
}

func userSetPassword(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "user set-password", "user set-password --username NOM [--password-stdin]")
	username := fs.String("username", "", "identifiant de connexion")
	fromStdin := fs.Bool("password-stdin", false, "lire le mot de passe sur l'entrée standard")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkUsername(*username); err != nil {
		return err
	}
	pw, generated, err := password(e, *fromStdin)
	if err != nil {
		return err
	}
	db, err := openOwner(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	rec, err := lookupUser(ctx, db, *username)
	if err != nil {
		return err
	}
	hash, err := access.HashPassword(pw)
	if err != nil {
		return err
	}
	var closed int64
	err = db.InTenant(ctx, rec.OrgID, func(tx *store.Tx) error {
		if err := tx.SetPasswordHash(rec.UserID, hash); err != nil {
			return err
		}
		// A reset by the operator usually follows a forgotten or leaked
		// password: open sessions must not outlive the old one.
		closed, err = tx.DeleteUserSessions(rec.UserID)
		return err
	})
	if err != nil {
		return err
	}
	e.logger.Info("password set", "username", *username, "sessions_closed", closed)
	fmt.Fprintf(e.stdout, "Mot de passe de %s modifié ; %d session(s) fermée(s).\n", *username, closed)
	if generated {
		fmt.Fprintf(e.stdout, "Mot de passe provisoire (affiché une seule fois) : %s\n", pw)
	}
	return nil
}

func userMembership(ctx context.Context, e *env, verb string, args []string) error {
	fs := newFlags(e, "user "+verb, "user "+verb+" --username NOM --establishment FINESS_ET --role RÔLE")
	username := fs.String("username", "", "identifiant de connexion")
	finess := fs.String("establishment", "", "FINESS géographique (ET) de l'établissement ou du service")
	roleName := fs.String("role", "", "rôle : "+roleList())
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkUsername(*username); err != nil {
		return err
	}
	if err := checkFINESS("establishment", *finess); err != nil {
		return err
	}
	role := domain.Role(*roleName)
	if !role.Valid() {
		return usagef("rôle inconnu %q ; rôles possibles : %s", *roleName, roleList())
	}
	db, err := openOwner(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	rec, err := lookupUser(ctx, db, *username)
	if err != nil {
		return err
	}
	est, err := db.EstablishmentByFINESS(ctx, *finess)
	if errors.Is(err, domain.ErrNotFound) {
		return fmt.Errorf("aucun établissement de FINESS %s", *finess)
	} else if err != nil {
		return err
	}
	if est.OrgID != rec.OrgID {
		return fmt.Errorf("l'établissement %s (%s) n'appartient pas à l'organisme du compte %s", est.Name, est.FinessET, *username)
	}
	m := domain.Membership{UserID: rec.UserID, EstablishmentID: est.ID, Role: role}
	err = db.InTenant(ctx, rec.OrgID, func(tx *store.Tx) error {
		if verb == "grant" {
			return tx.AddMembership(m)
		}
		return tx.RemoveMembership(m)
	})
	switch {
	case verb == "grant" && errors.Is(err, domain.ErrConflict):
		// Granting what is already held is what the operator wanted: say so, succeed.
		fmt.Fprintf(e.stdout, "%s est déjà %s dans %s.\n", *username, role.Label(), est.Name)
		return nil
	case verb == "revoke" && errors.Is(err, domain.ErrNotFound):
		return fmt.Errorf("%s n'a pas le rôle %s dans %s", *username, role, est.Name)
	case err != nil:
		return err
	}
	e.logger.Info("membership "+verb, "username", *username, "establishment", est.FinessET, "role", string(role))
	if verb == "grant" {
		fmt.Fprintf(e.stdout, "%s est désormais %s dans %s.\n", *username, role.Label(), est.Name)
	} else {
		fmt.Fprintf(e.stdout, "%s n'est plus %s dans %s.\n", *username, role.Label(), est.Name)
	}
	return nil
}

func roleList() string {
	names := make([]string, len(domain.AllRoles))
	for i, r := range domain.AllRoles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
