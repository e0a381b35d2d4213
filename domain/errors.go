// Package domain holds Relais' entities, their rules and the repository
// interfaces the store implements. It imports no web or database library.
package domain

import (
	"errors"
	"sort"
	"strings"
)

// ErrNotFound is returned when a record does not exist or is not visible to
// the caller's organisation (the two are indistinguishable on purpose).
var ErrNotFound = errors.New("introuvable")

// ErrForbidden is returned when the record exists in the caller's
// organisation but their habilitations do not cover the action.
var ErrForbidden = errors.New("accès refusé")

// ErrConflict is returned when a change clashes with the stored state.
var ErrConflict = errors.New("conflit avec l'état enregistré")

// ValidationError carries one French message per invalid field, keyed by the
// form field name, so every edge (HTML form, JSON, FHIR) can show them.
type ValidationError struct {
	Fields map[string]string
}

// Add records a message for field (the first message per field wins).
func (v *ValidationError) Add(field, msg string) {
	if v.Fields == nil {
		v.Fields = map[string]string{}
	}
	if _, ok := v.Fields[field]; !ok {
		v.Fields[field] = msg
	}
}

// Err returns v when it holds messages, nil otherwise.
func (v *ValidationError) Err() error {
	if len(v.Fields) == 0 {
		return nil
	}
	return v
}

func (v *ValidationError) Error() string {
	keys := make([]string, 0, len(v.Fields))
	for k := range v.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " : " + v.Fields[k]
	}
	return "données invalides (" + strings.Join(parts, " ; ") + ")"
}

// AsValidation unwraps a *ValidationError from err.
func AsValidation(err error) (*ValidationError, bool) {
	var v *ValidationError
	ok := errors.As(err, &v)
	return v, ok
}
