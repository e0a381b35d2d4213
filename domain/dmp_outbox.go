package domain

import (
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
)

// DMPOutboxTx holds the DMP outbox: documents decided to be sent, claimed
// by a worker, retried, and their final state.
type DMPOutboxTx interface {
	// EnqueueDMP adds a row in the caller's transaction (the one that
	// decided the send). A row of the same uniqueId and kind already there
	// is left as it is and returned with created false: enqueueing is
	// idempotent.
	EnqueueDMP(item *DMPOutboxItem) (created bool, err error)
	// DMPOutbox lists a usager's rows, newest first (no CDA content).
	DMPOutbox(usager uuid.UUID) ([]DMPOutboxItem, error)
	// ClaimDMP takes up to limit due rows no other worker holds (FOR UPDATE
	// SKIP LOCKED), counts the attempt and leases them until now+lease, so a
	// worker that dies mid-send leaves them to be claimed again later.
	ClaimDMP(now time.Time, lease time.Duration, limit int) ([]DMPOutboxItem, error)
	// MarkDMP records the outcome of the attempt the row was claimed for;
	// false when the row was claimed again since (lease expired).
	MarkDMP(id uuid.UUID, attempt int, o DMPOutcome) (bool, error)
	// DMPSentPerMonth counts the documents sent (withdrawals excluded) per
	// establishment and month (Europe/Paris) in [from, to): the ESMS
	// Numérique indicator.
	DMPSentPerMonth(establishments []uuid.UUID, from, to time.Time) ([]DMPMonthCount, error)
}

// DMPMonthCount is a number of documents sent in a month.
type DMPMonthCount struct {
	EstablishmentID uuid.UUID
	Month           time.Time // first day of the month, Europe/Paris date at midnight UTC
	Sent            int
}

// DMPOutboxStatus is the state of an outbox row.
type DMPOutboxStatus string

// Outbox states.
const (
	DMPWaiting DMPOutboxStatus = "waiting"
	DMPSent    DMPOutboxStatus = "sent"
	DMPRefused DMPOutboxStatus = "refused"
)

// Label is the French name.
func (s DMPOutboxStatus) Label() string {
	switch s {
	case DMPWaiting:
		return "En attente d'envoi"
	case DMPSent:
		return "Envoyé"
	case DMPRefused:
		return "Refusé"
	}
	return string(s)
}

// DMPKind is what a row asks the DMP.
type DMPKind string

// Row kinds.
const (
	DMPProvide  DMPKind = "provide"  // send (or replace: the CDA says so)
	DMPWithdraw DMPKind = "withdraw" // deprecate a document sent earlier
)

// DMP masking codes (CI-SIS JDV_J08), chosen per document.
const (
	DMPMaskedFromProfessionals = "MASQUE_PS"
	DMPInvisibleToPatient      = "INVISIBLE_PATIENT"
)

// DMPCode is a coded value of the XDS metadata.
type DMPCode struct {
	Code, System, Display string
}

// DMPDescriptor is what the CDA does not say about a document to send, and
// who sends it (for the VIHF assertion).
type DMPDescriptor struct {
	ClassCode  DMPCode
	FormatCode DMPCode
	Masking    []string
	Comments   string
	// PatientINS is the INS (matricule and OID): needed to withdraw.
	PatientINS, PatientINSOID string
	// The sender as the VIHF assertion names it.
	SubjectID, SubjectName string
	Role                   DMPCode
	StructureID            string
	Sector                 DMPCode
}

// DMPOutboxItem is one row of the outbox: one document version.
type DMPOutboxItem struct {
	ID              uuid.UUID
	UsagerID        uuid.UUID
	EstablishmentID uuid.UUID
	Kind            DMPKind
	UniqueID        string // the CDA id as XDS writes it (root^extension)
	SetID           string
	Title           string
	CDA             []byte
	Descriptor      DMPDescriptor
	Section         Section
	RequestedBy     uuid.UUID
	RequestedByName string
	RequestedRole   string
	Status          DMPOutboxStatus
	Attempts        int
	NextAttemptAt   time.Time
	LastError       string // French, shown to the user
	CreatedAt       time.Time
	SentAt          time.Time
}

// DMPOutcome is the result of one attempt.
type DMPOutcome struct {
	Status    DMPOutboxStatus // DMPSent, DMPRefused, or DMPWaiting to retry
	Reason    string          // French: the refusal, or the failure before a retry
	At        time.Time
	NextTryAt time.Time // for a retry
}

// DMPRefusal is why nothing is sent: French, for the user.
type DMPRefusal struct{ Reason string }

func (r *DMPRefusal) Error() string { return r.Reason }

// CheckDMPSend decides whether a document of this person may go to the
// DMP: only for a qualified identity (INS qualified, RNIV), never against
// the person's opposition (the latest consent of scope alimentation_dmp),
// and with masking codes the DMP knows, the DLU staying visible to
// professionals (it exists for the emergency teams).
func CheckDMPSend(id Identity, consents []Consent, typeCode string, masking []string) error {
	if !id.ShowsINS() {
		status := id.Status
		if status == "" {
			status = IdentityPROV
		}
		return &DMPRefusal{Reason: fmt.Sprintf("L'identité de la personne n'est pas qualifiée (statut %s) : aucun document n'est envoyé au DMP sans INS qualifiée.", status)}
	}
	if c, ok := latestConsent(consents, ConsentDMP); ok {
		switch {
		case !c.Granted && c.WithdrawnOn.IsZero():
			return &DMPRefusal{Reason: fmt.Sprintf("La personne s'est opposée à l'alimentation de son DMP (recueilli le %s) : le document n'est pas envoyé.", c.GivenOn.Format("02/01/2006"))}
		case c.Granted && !c.WithdrawnOn.IsZero():
			return &DMPRefusal{Reason: fmt.Sprintf("La personne a retiré son accord à l'alimentation de son DMP le %s : le document n'est pas envoyé.", c.WithdrawnOn.Format("02/01/2006"))}
		}
	}
	for _, m := range masking {
		switch m {
		case DMPMaskedFromProfessionals:
			if typeCode == "74207-2" {
				return &DMPRefusal{Reason: "Le document de liaison d'urgence ne peut pas être masqué aux professionnels de santé : il sert aux équipes d'urgence."}
			}
		case DMPInvisibleToPatient:
		default:
			return &DMPRefusal{Reason: fmt.Sprintf("Code de masquage inconnu : %s.", m)}
		}
	}
	return nil
}

// latestConsent is the most recent consent of a scope (by date given, then
// by record order).
func latestConsent(cs []Consent, scope ConsentScope) (Consent, bool) {
	var of []Consent
	for _, c := range cs {
		if c.Scope == scope {
			of = append(of, c)
		}
	}
	if len(of) == 0 {
		return Consent{}, false
	}
	sort.SliceStable(of, func(i, j int) bool { return of[i].GivenOn.Before(of[j].GivenOn) })
	return of[len(of)-1], true
}

// DMPBackoff is the wait before attempt n+1 after n failed attempts:
// 1 minute doubling each time, at most 6 hours. Nothing is ever dropped:
// a document waits as long as the DMP is unreachable.
func DMPBackoff(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}
