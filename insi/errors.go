package insi

import (
	"errors"
	"fmt"
)

var (
	// ErrUnavailable wraps every failure to get an answer at all: network,
	// TLS handshake (including a refused client certificate), timeouts and
	// cancellations. The caller keeps the identity unchanged and may retry.
	// Timeouts also match context.DeadlineExceeded with errors.Is.
	ErrUnavailable = errors.New("téléservice INSi injoignable")

	// ErrMalformedResponse marks an answer that is not a SOAP 1.2 envelope
	// carrying a RESULTAT the contract allows (or a fault), or that is too big.
	ErrMalformedResponse = errors.New("réponse du téléservice INSi illisible")
)

// FaultError is a SOAP 1.2 fault sent by INSi (or by the test peer).
type FaultError struct {
	Code       string // env:Code/env:Value without its prefix: "Sender" or "Receiver"
	Subcode    string // env:Subcode/env:Value without its prefix, e.g. "siram_100"
	Reason     string // env:Reason/env:Text, in French as the service writes it
	Detail     string // text of siram:Erreur in env:Detail, when present
	DetailCode string // code attribute of siram:Erreur, e.g. "desir_550"
	Severity   string // severite attribute of siram:Erreur
}

// Error is shown to the professional, so it is French and keeps the codes
// the service desk asks for.
func (e *FaultError) Error() string {
	msg := "le téléservice INSi a refusé la demande"
	if e.Reason != "" {
		msg += " : " + e.Reason
	}
	codes := e.Subcode
	if codes == "" {
		codes = e.Code
	}
	if e.DetailCode != "" {
		if codes != "" {
			codes += ", "
		}
		codes += e.DetailCode
	}
	if codes != "" {
		msg += " (" + codes + ")"
	}
	return msg
}

// HTTPError is an HTTP answer that is neither a result nor a SOAP fault.
type HTTPError struct {
	StatusCode int
	Status     string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("le téléservice INSi a répondu %s", e.Status)
}

// QueryError reports a query that cannot be sent (a missing or malformed
// trait), with a French message for the form field.
type QueryError struct {
	Field   string
	Message string
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("recherche INSi impossible : %s", e.Message)
}
