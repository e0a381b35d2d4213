package domain

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Delegation (bris de glace) lets a professional read a section of one
// record that their role does not open, for a bounded time and with a
// reason. It grants reading only: writing stays with the roles that hold it.
// Every read under it is in the trail; directors see each delegation.
type Delegation struct {
	ID              uuid.UUID
	UserID          uuid.UUID
	UserName        string
	Role            Role // the role the user holds where the record is
	EstablishmentID uuid.UUID
	UsagerID        uuid.UUID
	UsagerName      string // for lists
	Section         Section
	Reason          string
	StartedAt       time.Time
	ExpiresAt       time.Time
	EndedAt         time.Time // closed early by the user or a director
	EndedBy         string
}

// MaxDelegation bounds a delegation (issue: at most 24 h).
const MaxDelegation = 24 * time.Hour

// MinDelegationReason is the shortest accepted reason: "urgence" alone does
// not tell a director why the record was opened.
const MinDelegationReason = 15

// DelegationInput is the form of a delegation request.
type DelegationInput struct {
	Section string
	Reason  string
	Hours   string
}

// DelegableSections are the record sections a delegation may open.
var DelegableSections = []Section{SectionSocial, SectionEducational, SectionCare, SectionMedical}

// Parse checks the request: a section of the record, a reason, and a
// duration from 1 to 24 hours starting now.
func (in DelegationInput) Parse(now time.Time) (Delegation, error) {
	var v ValidationError
	d := Delegation{Section: Section(in.Section), Reason: strings.TrimSpace(in.Reason), StartedAt: now}
	ok := false
	for _, s := range DelegableSections {
		ok = ok || s == d.Section
	}
	if !ok {
		v.Add("section", "Choisissez la section à ouvrir.")
	}
	switch n := utf8.RuneCountInString(d.Reason); {
	case n == 0:
		v.Add("reason", "Le motif est obligatoire : il est montré à la direction.")
	case n < MinDelegationReason:
		v.Add("reason", "Précisez le motif (15 caractères au moins) : la direction doit comprendre pourquoi le dossier a été ouvert.")
	case n > 1000:
		v.Add("reason", "Le motif est trop long (1 000 caractères au plus).")
	}
	hours := 0
	for _, r := range strings.TrimSpace(in.Hours) {
		if r < '0' || r > '9' || hours > 100 {
			hours = -1
			break
		}
		hours = hours*10 + int(r-'0')
	}
	if hours < 1 || time.Duration(hours)*time.Hour > MaxDelegation {
		v.Add("hours", "La durée va de 1 à 24 heures.")
	} else {
		d.ExpiresAt = now.Add(time.Duration(hours) * time.Hour)
	}
	return d, v.Err()
}

// ActiveAt reports whether the delegation opens the section at t.
func (d Delegation) ActiveAt(t time.Time) bool {
	return !t.Before(d.StartedAt) && t.Before(d.ExpiresAt) && (d.EndedAt.IsZero() || t.Before(d.EndedAt))
}

// End is when the delegation stopped or will stop.
func (d Delegation) End() time.Time {
	if !d.EndedAt.IsZero() && d.EndedAt.Before(d.ExpiresAt) {
		return d.EndedAt
	}
	return d.ExpiresAt
}

// Close ends the delegation early.
func (d *Delegation) Close(by string, at time.Time) error {
	if !d.ActiveAt(at) {
		var v ValidationError
		v.Add("delegation", "Cette délégation est déjà terminée.")
		return v.Err()
	}
	d.EndedAt, d.EndedBy = at, by
	return nil
}
