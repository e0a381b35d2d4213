// Command relais is the one binary of Relais: it serves the application,
// migrates the schema, loads demo data, runs a local development stack and
// manages accounts. Configuration comes from the environment
// (docs/configuration.md); flags only carry the arguments of a command.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // Europe/Paris must load even on a machine without a tz database
)

func main() {
	// SIGINT (Ctrl-C) and SIGTERM (systemd, docker stop) cancel the context:
	// every command then stops cleanly (HTTP server drained, PostgreSQL of
	// `relais dev` shut down) instead of dying mid-write.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, restore the default handling: a second
		// Ctrl-C ends a shutdown that hangs.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], &env{
		getenv: os.Getenv,
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
	})
	stop()
	os.Exit(code)
}

// env is what a command may touch of the outside world; tests give their
// own so commands run in-process.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	logger *slog.Logger
}

// command is one subcommand of the binary.
type command struct {
	name    string
	summary string // French, shown by `relais help`
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "sert l'application (migre le schéma au démarrage) ; DATABASE_URL requis", cmdServe},
		{"migrate", "applique les migrations du schéma ; DATABASE_URL requis", cmdMigrate},
		{"demo", "charge les données de démonstration (sans effet si déjà chargées) ; DATABASE_URL requis", cmdDemo},
		{"dev", "PostgreSQL local sous ./var/pg, migrations, démonstration et serveur (make run)", cmdDev},
		{"org", "organismes : org create | add-establishment (relais org help)", cmdOrg},
		{"user", "comptes : user create | set-password | grant | revoke (relais user help)", cmdUser},
		{"trail", "piste d'audit : trail verify contrôle le chaînage des empreintes", cmdTrail},
		{"client", "clients de l'API FHIR : client create | revoke (relais client help)", cmdClient},
		{"help", "affiche cette aide", nil},
	}
}

// usageError is a mistake in the command line: exit code 2 and a hint.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// run dispatches args and returns the process exit code: 0 success, 1 failure,
// 2 bad command line.
func run(ctx context.Context, args []string, e *env) int {
	if e.logger == nil {
		logger, err := newLogger(e.getenv, e.stderr)
		if err != nil {
			fmt.Fprintln(e.stderr, "relais:", err)
			return 2
		}
		e.logger = logger
	}
	if len(args) == 0 {
		printHelp(e.stderr)
		return 2
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		printHelp(e.stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == name && c.run != nil {
			return exitCode(e, name, c.run(ctx, e, args[1:]))
		}
	}
	fmt.Fprintf(e.stderr, "relais : commande inconnue %q\n\n", name)
	printHelp(e.stderr)
	return 2
}

// exitCode prints err for a person and maps it to the exit status.
func exitCode(e *env, name string, err error) int {
	var u usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelpShown):
		return 0
	case errors.As(err, &u):
		fmt.Fprintf(e.stderr, "relais %s : %s\n(relais help pour la liste des commandes)\n", name, u.msg)
		return 2
	case errors.Is(err, context.Canceled):
		// Interrupted on purpose: not a failure worth a stack of messages.
		fmt.Fprintf(e.stderr, "relais %s : interrompu\n", name)
		return 130
	default:
		fmt.Fprintf(e.stderr, "relais %s : %v\n", name, err)
		return 1
	}
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "Relais — dossier de l'usager informatisé pour les établissements et services médico-sociaux.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage : relais <commande> [options]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commandes :")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Configuration par variables d'environnement : voir docs/configuration.md.")
}

// newLogger builds the structured logger from RELAIS_LOG_LEVEL and
// RELAIS_LOG_FORMAT. Logs go to stderr so stdout stays for command output.
func newLogger(getenv func(string) string, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if s := getenv("RELAIS_LOG_LEVEL"); s != "" {
		if err := level.UnmarshalText([]byte(s)); err != nil {
			return nil, fmt.Errorf("RELAIS_LOG_LEVEL=%q : niveau inconnu (debug, info, warn, error)", s)
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	switch f := strings.ToLower(getenv("RELAIS_LOG_FORMAT")); f {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("RELAIS_LOG_FORMAT=%q : format inconnu (text, json)", f)
	}
}

// errHelpShown reports that a flag set printed its help on -h: success.
var errHelpShown = errors.New("help shown")
