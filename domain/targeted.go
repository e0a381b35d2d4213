package domain

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Targeted notes (transmissions ciblées): a target (cible), then Données,
// Actions, Résultats (DAR). The result may come later, written by another
// shift; a target stays open until someone closes it. Like a paper record,
// a written note is never edited: a correction is a new note or a result.
// Notes belong to the care section and to the establishment they were
// written in, which is what the per-shift handover (relève) reads.

// TargetedNoteTx stores targeted notes (transmissions ciblées).
type TargetedNoteTx interface {
	// SaveTargetedNote inserts a new note (its text is never rewritten).
	SaveTargetedNote(n *TargetedNote) error
	// SaveTargetedFollowUp stores the result added later and the closure;
	// it refuses (ErrConflict) to overwrite a result or reopen a target.
	SaveTargetedFollowUp(n *TargetedNote) error
	TargetedNote(id uuid.UUID) (TargetedNote, error)
	// TargetedNotes lists a usager's notes: open targets first, then the
	// history, newest first, at most limit of them.
	TargetedNotes(usager uuid.UUID, limit int) ([]TargetedNote, error)
	// ShiftNotes lists the notes written in estab within [from, to), and
	// OpenTargets the targets still open there, with the usagers' names.
	ShiftNotes(estab uuid.UUID, from, to time.Time) ([]TargetedNote, error)
	OpenTargets(estab uuid.UUID) ([]TargetedNote, error)
}

// Target is the subject of a targeted note.
type Target string

// Targets of the list; TargetOther is a free target typed by the author.
const (
	TargetPain        Target = "douleur"
	TargetFall        Target = "chute"
	TargetFood        Target = "alimentation"
	TargetHydration   Target = "hydratation"
	TargetSleep       Target = "sommeil"
	TargetBehaviour   Target = "comportement"
	TargetWound       Target = "plaie"
	TargetElimination Target = "elimination"
	TargetBreathing   Target = "respiration"
	TargetMobility    Target = "mobilite"
	TargetMood        Target = "humeur"
	TargetHygiene     Target = "hygiene"
	TargetSkin        Target = "etat_cutane"
	TargetOther       Target = "autre"
)

// AllTargets in display order, the free target last.
var AllTargets = []Target{TargetPain, TargetFall, TargetFood, TargetHydration, TargetSleep, TargetBehaviour, TargetWound,
	TargetElimination, TargetBreathing, TargetMobility, TargetMood, TargetHygiene, TargetSkin, TargetOther}

// Label is the French name.
func (t Target) Label() string {
	switch t {
	case TargetPain:
		return "Douleur"
	case TargetFall:
		return "Chute"
	case TargetFood:
		return "Alimentation"
	case TargetHydration:
		return "Hydratation"
	case TargetSleep:
		return "Sommeil"
	case TargetBehaviour:
		return "Comportement"
	case TargetWound:
		return "Plaie"
	case TargetElimination:
		return "Élimination"
	case TargetBreathing:
		return "Respiration"
	case TargetMobility:
		return "Mobilité"
	case TargetMood:
		return "Humeur"
	case TargetHygiene:
		return "Soins d'hygiène"
	case TargetSkin:
		return "État cutané"
	case TargetOther:
		return "Autre cible (à préciser)"
	}
	return string(t)
}

// Macrocible marks the notes that sum up a stage of the stay.
type Macrocible string

// Macrocibles: at admission (within 48–72 h), on a change of situation, at
// exit. MacroNone is an ordinary note.
const (
	MacroNone      Macrocible = ""
	MacroAdmission Macrocible = "admission"
	MacroChange    Macrocible = "changement"
	MacroExit      Macrocible = "sortie"
)

// AllMacrocibles in display order (without MacroNone).
var AllMacrocibles = []Macrocible{MacroAdmission, MacroChange, MacroExit}

// Label is the French name.
func (m Macrocible) Label() string {
	switch m {
	case MacroAdmission:
		return "Macrocible d'admission"
	case MacroChange:
		return "Macrocible de changement"
	case MacroExit:
		return "Macrocible de sortie"
	}
	return ""
}

// Limits of the typed texts: a free target is a few words, a DAR part a few
// paragraphs.
const (
	TargetOtherMax = 80
	TargetTextMax  = 4000
)

// TargetedNote is one transmission ciblée.
type TargetedNote struct {
	ID              uuid.UUID
	UsagerID        uuid.UUID
	UsagerName      string // filled by the handover lists
	EstablishmentID uuid.UUID
	Target          Target
	TargetOther     string // the free target when Target is TargetOther
	Macro           Macrocible
	Data            string
	Actions         string
	Results         string
	WrittenAt       time.Time
	AuthorID        uuid.UUID
	AuthorName      string
	// The result keeps its own author and time: often another shift's.
	ResultAt     time.Time
	ResultByID   uuid.UUID
	ResultByName string
	ClosedAt     time.Time
	ClosedByID   uuid.UUID
	ClosedByName string
}

// TargetLabel is the target as shown: the free target's own words.
func (n TargetedNote) TargetLabel() string {
	if n.Target == TargetOther {
		return n.TargetOther
	}
	return n.Target.Label()
}

// Open is true until the target is closed.
func (n TargetedNote) Open() bool { return n.ClosedAt.IsZero() }

// ResultLater is true when the result was added after the note (by its
// author or someone else), so the page shows its own signature.
func (n TargetedNote) ResultLater() bool {
	return !n.ResultAt.IsZero() && (n.ResultByID != n.AuthorID || !n.ResultAt.Equal(n.WrittenAt))
}

// TargetedNoteInput is a note as typed.
type TargetedNoteInput struct {
	Target      string
	TargetOther string
	Macro       string
	Data        string
	Actions     string
	Results     string
}

func tooLong(s string, max int) bool { return utf8.RuneCountInString(s) > max }

// Parse checks a note; author, usager, establishment and time are set by
// the caller.
func (in TargetedNoteInput) Parse() (TargetedNote, error) {
	var v ValidationError
	n := TargetedNote{Target: Target(strings.TrimSpace(in.Target)), TargetOther: strings.TrimSpace(in.TargetOther),
		Macro: Macrocible(strings.TrimSpace(in.Macro)), Data: strings.TrimSpace(in.Data), Actions: strings.TrimSpace(in.Actions),
		Results: strings.TrimSpace(in.Results)}
	known := false
	for _, t := range AllTargets {
		known = known || t == n.Target
	}
	switch {
	case n.Target == "":
		v.Add("target", "Choisissez la cible de la transmission.")
	case !known:
		v.Add("target", "Cette cible n'est pas dans la liste : choisissez « Autre cible » et précisez-la.")
	case n.Target == TargetOther && n.TargetOther == "":
		v.Add("target_other", "Précisez la cible.")
	case n.Target == TargetOther && tooLong(n.TargetOther, TargetOtherMax):
		v.Add("target_other", "La cible tient en quelques mots (80 caractères au plus).")
	}
	if n.Target != TargetOther {
		n.TargetOther = "" // a leftover of the free field is not a second target
	}
	if n.Macro != MacroNone && n.Macro != MacroAdmission && n.Macro != MacroChange && n.Macro != MacroExit {
		v.Add("macro", "Choisissez une macrocible de la liste.")
	}
	if n.Data == "" {
		v.Add("data", "Les données (ce que vous avez observé) sont obligatoires.")
	}
	for _, f := range []struct{ name, text, label string }{{"data", n.Data, "Les données"}, {"actions", n.Actions, "Les actions"},
		{"results", n.Results, "Les résultats"}} {
		if tooLong(f.text, TargetTextMax) {
			v.Add(f.name, f.label+" dépassent 4 000 caractères : scindez en plusieurs transmissions.")
		}
	}
	return n, v.Err()
}

// Signed sets the author and time; a result typed with the note is the
// author's, at the same time.
func (n *TargetedNote) Signed(by uuid.UUID, name string, at time.Time) {
	n.AuthorID, n.AuthorName, n.WrittenAt = by, name, at.UTC()
	if n.Results != "" {
		n.ResultAt, n.ResultByID, n.ResultByName = n.WrittenAt, by, name
	}
}

// AddResult sets the result written later by another professional (or the
// author). A target has one result: a further evaluation is a new note.
// The message is on field.
func (n *TargetedNote) AddResult(field, text string, by uuid.UUID, name string, at time.Time) error {
	var v ValidationError
	text = strings.TrimSpace(text)
	switch {
	case !n.Open():
		v.Add(field, "Cette cible est close : écrivez une nouvelle transmission.")
	case n.Results != "":
		v.Add(field, "Le résultat est déjà noté : une nouvelle évaluation fait l'objet d'une nouvelle transmission.")
	case text == "":
		v.Add(field, "Écrivez le résultat observé.")
	case tooLong(text, TargetTextMax):
		v.Add(field, "Le résultat dépasse 4 000 caractères.")
	}
	if err := v.Err(); err != nil {
		return err
	}
	n.Results, n.ResultAt, n.ResultByID, n.ResultByName = text, at.UTC(), by, name
	return nil
}

// Close closes the target; without a result yet, text is the result
// written with the closure (and required).
func (n *TargetedNote) Close(field, text string, by uuid.UUID, name string, at time.Time) error {
	if !n.Open() {
		var v ValidationError
		v.Add(field, "Cette cible est déjà close.")
		return v.Err()
	}
	if n.Results == "" {
		if strings.TrimSpace(text) == "" {
			var v ValidationError
			v.Add(field, "Notez le résultat avant de clore la cible.")
			return v.Err()
		}
		if err := n.AddResult(field, text, by, name, at); err != nil {
			return err
		}
	}
	n.ClosedAt, n.ClosedByID, n.ClosedByName = at.UTC(), by, name
	return nil
}

// Shift is a care team's shift (poste), in Paris time.
type Shift string

// The three shifts: 07–14 h, 14–21 h, 21–07 h (the night runs over midnight
// and belongs to the day it starts).
const (
	ShiftMorning   Shift = "matin"
	ShiftAfternoon Shift = "apres-midi"
	ShiftNight     Shift = "nuit"
)

// AllShifts in the order of the day.
var AllShifts = []Shift{ShiftMorning, ShiftAfternoon, ShiftNight}

// Label is the French name with the hours.
func (s Shift) Label() string {
	switch s {
	case ShiftMorning:
		return "Matin (7 h – 14 h)"
	case ShiftAfternoon:
		return "Après-midi (14 h – 21 h)"
	case ShiftNight:
		return "Nuit (21 h – 7 h)"
	}
	return string(s)
}

// ParseShift reads a shift name; ok is false for anything else.
func ParseShift(s string) (Shift, bool) {
	for _, sh := range AllShifts {
		if string(sh) == s {
			return sh, true
		}
	}
	return "", false
}

func (s Shift) hours() (start, end int) {
	switch s {
	case ShiftMorning:
		return 7, 14
	case ShiftAfternoon:
		return 14, 21
	}
	return 21, 24 + 7
}

// ShiftWindow is the [from, to) interval, in UTC, of shift s of the Paris
// calendar day of day (only its date counts). Hours are wall-clock hours, so
// a night across a DST change lasts 9 or 11 hours.
func ShiftWindow(day time.Time, s Shift) (from, to time.Time) {
	start, end := s.hours()
	y, m, d := day.Date()
	from = time.Date(y, m, d, start, 0, 0, 0, Paris())
	to = time.Date(y, m, d+end/24, end%24, 0, 0, 0, Paris())
	return from.UTC(), to.UTC()
}

// ShiftOf is the shift an instant falls in and the Paris day it started
// (midnight UTC of that date): 06:50 belongs to the previous day's night.
func ShiftOf(t time.Time) (time.Time, Shift) {
	p := t.In(Paris())
	day := time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, time.UTC)
	switch h := p.Hour(); {
	case h < 7:
		return day.AddDate(0, 0, -1), ShiftNight
	case h < 14:
		return day, ShiftMorning
	case h < 21:
		return day, ShiftAfternoon
	}
	return day, ShiftNight
}

// PreviousShift is the shift that ended last before now: the one a team
// taking over reads at its handover.
func PreviousShift(now time.Time) (time.Time, Shift) {
	day, s := ShiftOf(now)
	switch s {
	case ShiftMorning:
		return day.AddDate(0, 0, -1), ShiftNight
	case ShiftAfternoon:
		return day, ShiftMorning
	}
	return day, ShiftAfternoon
}
