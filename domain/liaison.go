package domain

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// Priority of a liaison note.
type Priority string

// Priorities, from the least to the most pressing.
const (
	PriorityNormale    Priority = "normale"
	PriorityImportante Priority = "importante"
	PriorityUrgente    Priority = "urgente"
)

// AllPriorities in display order.
var AllPriorities = []Priority{PriorityNormale, PriorityImportante, PriorityUrgente}

// Label is the French name of the priority.
func (p Priority) Label() string {
	switch p {
	case PriorityNormale:
		return "Normale"
	case PriorityImportante:
		return "Importante"
	case PriorityUrgente:
		return "Urgente"
	}
	return string(p)
}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool {
	for _, k := range AllPriorities {
		if k == p {
			return true
		}
	}
	return false
}

// LiaisonNote is an entry of the cahier de liaison: a note about a usager
// (or, with UsagerID Nil, about the establishment in general) written in one
// establishment and addressed to users and/or roles there. Its section
// decides who may read it (the section's read right in that establishment).
// A reply has a ParentID and inherits the establishment, usager and section
// of the note it answers; it has no recipients of its own.
type LiaisonNote struct {
	ID              uuid.UUID
	EstablishmentID uuid.UUID
	UsagerID        uuid.UUID // Nil: about the establishment or a unit
	Section         Section
	Priority        Priority
	Body            string
	AuthorID        uuid.UUID
	AuthorName      string
	ParentID        uuid.UUID
	CreatedAt       time.Time
	Users           []uuid.UUID // recipient users
	Roles           []Role      // recipient roles of the establishment
}

// LiaisonRead is a read receipt: the first time a user opened a note.
type LiaisonRead struct {
	UserID   uuid.UUID
	UserName string
	ReadAt   time.Time
}

// LiaisonRow is a line of an inbox or of a usager's list of notes.
type LiaisonRow struct {
	LiaisonNote
	UsagerName string // empty when about the establishment
	Replies    int
	ReadAt     time.Time // zero: unread by the asking user
}

// LiaisonScope is what a user may see: the roles they hold per establishment
// (recipient matching) and the (establishment, section) pairs they may read.
type LiaisonScope struct {
	UserID   uuid.UUID
	Roles    []Membership
	Readable []EstabSection
}

// EstabSection is a section readable in one establishment.
type EstabSection struct {
	EstablishmentID uuid.UUID
	Section         Section
}

// LiaisonQuery selects the notes addressed to a user.
type LiaisonQuery struct {
	Scope  LiaisonScope
	Unread bool // only the unread ones
	Read   bool // only the read ones
	Limit  int
}

// MaxLiaisonLength bounds a liaison note's text.
const MaxLiaisonLength = 10000

// LiaisonInput is a liaison note as typed in the form.
type LiaisonInput struct {
	EstablishmentID string
	UsagerID        string
	Section         string
	Priority        string
	Body            string
	Users           []string
	Roles           []string
}

// Parse checks the form values; members lists the memberships of the chosen
// establishment (recipients must be among them). French messages per field.
func (in LiaisonInput) Parse(members []Membership) (LiaisonNote, error) {
	var v ValidationError
	n := LiaisonNote{Section: Section(in.Section), Priority: Priority(in.Priority), Body: strings.TrimSpace(in.Body)}
	id, err := uuid.Parse(in.EstablishmentID)
	if err != nil {
		v.Add("establishment_id", "Choisissez l'établissement de la note.")
	}
	n.EstablishmentID = id
	if in.UsagerID != "" {
		u, err := uuid.Parse(in.UsagerID)
		if err != nil {
			v.Add("usager_id", "Personne accompagnée inconnue.")
		}
		n.UsagerID = u
	}
	if !n.Section.IsRecord() {
		v.Add("section", "Choisissez la section de la note (elle décide qui peut la lire).")
	}
	if !n.Priority.Valid() {
		v.Add("priority", "Choisissez la priorité de la note.")
	}
	switch {
	case n.Body == "":
		v.Add("body", "Le texte de la note est obligatoire.")
	case len(n.Body) > MaxLiaisonLength:
		v.Add("body", "La note est trop longue (10 000 caractères au plus).")
	}
	inEstab := map[uuid.UUID]bool{}
	roles := map[Role]bool{}
	for _, m := range members {
		if m.EstablishmentID == n.EstablishmentID {
			inEstab[m.UserID] = true
			roles[m.Role] = true
		}
	}
	seenU := map[uuid.UUID]bool{}
	for _, s := range in.Users {
		if s == "" {
			continue
		}
		u, err := uuid.Parse(s)
		if err != nil || !inEstab[u] {
			v.Add("recipients", "Un destinataire choisi n'appartient pas à l'établissement de la note.")
			continue
		}
		if !seenU[u] {
			seenU[u] = true
			n.Users = append(n.Users, u)
		}
	}
	seenR := map[Role]bool{}
	for _, s := range in.Roles {
		if s == "" {
			continue
		}
		r := Role(s)
		if !r.Valid() {
			v.Add("recipients", "Rôle destinataire inconnu.")
			continue
		}
		if !roles[r] {
			v.Add("recipients", "Personne n'a le rôle « "+r.Label()+" » dans l'établissement de la note.")
			continue
		}
		if !seenR[r] {
			seenR[r] = true
			n.Roles = append(n.Roles, r)
		}
	}
	if len(in.Users) == 0 && len(in.Roles) == 0 || len(n.Users)+len(n.Roles) == 0 {
		v.Add("recipients", "Choisissez au moins un destinataire (une personne ou un rôle).")
	}
	return n, v.Err()
}

// ParseReply checks a reply's text.
func ParseReply(body string) (string, error) {
	var v ValidationError
	body = strings.TrimSpace(body)
	switch {
	case body == "":
		v.Add("body", "Le texte de la réponse est obligatoire.")
	case len(body) > MaxLiaisonLength:
		v.Add("body", "La réponse est trop longue (10 000 caractères au plus).")
	}
	return body, v.Err()
}

// Excerpt is the beginning of the note for lists (at most 120 characters).
func (n LiaisonNote) Excerpt() string {
	r := []rune(strings.Join(strings.Fields(n.Body), " "))
	if len(r) <= 120 {
		return string(r)
	}
	return string(r[:119]) + "…"
}
