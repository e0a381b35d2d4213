package domain

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// Note is a dated, authored entry in one section of the record (the section
// journal). Later issues add structured entries (targeted notes, plans…);
// the journal stays for what has no structure.
type Note struct {
	ID              uuid.UUID
	UsagerID        uuid.UUID
	Section         Section
	AuthorID        uuid.UUID
	AuthorName      string
	Body            string
	WrittenAt       time.Time
	ValidatedBy     uuid.UUID
	ValidatedByName string
	ValidatedAt     time.Time
}

// MaxNoteLength bounds a journal entry.
const MaxNoteLength = 20000

// ParseNote checks a journal entry's body.
func ParseNote(section Section, body string) (Note, error) {
	var v ValidationError
	body = strings.TrimSpace(body)
	switch {
	case !section.IsRecord():
		v.Add("section", "Section inconnue.")
	case body == "":
		v.Add("body", "Le texte de la note est obligatoire.")
	case len(body) > MaxNoteLength:
		v.Add("body", "La note est trop longue (20 000 caractères au plus).")
	}
	return Note{Section: section, Body: body}, v.Err()
}
