package domain

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// Events (TDDUI Evenement): what happens to the person — a fall, a stay in
// hospital, a visit, an appointment… — with dates, place, participants and a
// status. The dossier's timeline shows them with everything else dated.

// EventType is the kind of event.
type EventType string

// Event types (free types use EventOther with a label).
const (
	EventFall            EventType = "chute"
	EventHospitalisation EventType = "hospitalisation"
	EventReturn          EventType = "retour"
	EventAbsence         EventType = "absence"
	EventVisit           EventType = "visite"
	EventAppointment     EventType = "rendez_vous"
	EventIncident        EventType = "incident"
	EventBehaviour       EventType = "comportement"
	EventFamilyContact   EventType = "contact_famille"
	EventSerafin         EventType = "prestation_serafin"
	EventOther           EventType = "autre"
)

// AllEventTypes in display order.
var AllEventTypes = []EventType{EventFall, EventHospitalisation, EventReturn, EventAbsence, EventVisit, EventAppointment,
	EventIncident, EventBehaviour, EventFamilyContact, EventSerafin, EventOther}

// Label is the French name.
func (t EventType) Label() string {
	switch t {
	case EventFall:
		return "Chute"
	case EventHospitalisation:
		return "Hospitalisation"
	case EventReturn:
		return "Retour"
	case EventAbsence:
		return "Absence"
	case EventVisit:
		return "Visite"
	case EventAppointment:
		return "Rendez-vous"
	case EventIncident:
		return "Incident"
	case EventBehaviour:
		return "Comportement"
	case EventFamilyContact:
		return "Contact avec la famille"
	case EventSerafin:
		return "Prestation SERAFIN-PH"
	case EventOther:
		return "Autre"
	}
	return string(t)
}

// EventStatus follows TDDUI.
type EventStatus string

// Event statuses.
const (
	EventPlanned   EventStatus = "PLANIFIE"
	EventValidated EventStatus = "VALIDE"
	EventCancelled EventStatus = "ANNULE"
	EventDone      EventStatus = "TERMINE"
)

// Label is the French name.
func (s EventStatus) Label() string {
	switch s {
	case EventPlanned:
		return "Planifié"
	case EventValidated:
		return "Validé"
	case EventCancelled:
		return "Annulé"
	case EventDone:
		return "Terminé"
	}
	return string(s)
}

// Event is one event of a usager's record.
type Event struct {
	ID           uuid.UUID
	UsagerID     uuid.UUID
	Section      Section
	Type         EventType
	SerafinCode  string // for disability services
	Title        string
	Start        time.Time
	End          time.Time // zero when instantaneous
	Place        string
	Status       EventStatus
	Reason       string // why it was cancelled or not done
	Participants string
	AuthorID     uuid.UUID
	AuthorName   string
	// ProfessionalID is the professional the appointment is with (agenda per
	// professional); Nil when none.
	ProfessionalID uuid.UUID
	Recurrence     Recurrence
	RecurUntil     time.Time
}

// Recurrence repeats an event in the agenda.
type Recurrence string

// Recurrences.
const (
	RecurNone   Recurrence = ""
	RecurDaily  Recurrence = "quotidienne"
	RecurWeekly Recurrence = "hebdomadaire"
)

// Label is the French name.
func (r Recurrence) Label() string {
	switch r {
	case RecurDaily:
		return "Tous les jours"
	case RecurWeekly:
		return "Toutes les semaines"
	}
	return "Une seule fois"
}

// Occurrences lists the start times of e within [from, to): the event
// itself, or each repetition up to RecurUntil (inclusive, by day).
func (e Event) Occurrences(from, to time.Time) []time.Time {
	step := map[Recurrence]int{RecurDaily: 1, RecurWeekly: 7}[e.Recurrence]
	if step == 0 {
		if !e.Start.Before(from) && e.Start.Before(to) {
			return []time.Time{e.Start}
		}
		return nil
	}
	until := e.RecurUntil.AddDate(0, 0, 1)
	var out []time.Time
	// Repeat in Paris time so a weekly 10:00 stays at 10:00 across DST.
	start := e.Start.In(Paris())
	for i := 0; ; i++ {
		at := start.AddDate(0, 0, i*step)
		if !at.Before(to) || !at.Before(until) || i > 800 {
			return out
		}
		if !at.Before(from) {
			out = append(out, at.UTC())
		}
	}
}

// EventInput is an event as typed.
type EventInput struct {
	Section      string
	Type         string
	SerafinCode  string
	Title        string
	Start        string // 2006-01-02T15:04 (datetime-local) or a date
	End          string
	Place        string
	Status       string
	Reason       string
	Participants string
	Professional string // user id, optional
	Recurrence   string
	RecurUntil   string
}

// Parse checks the input; times are read in Europe/Paris.
func (in EventInput) Parse() (Event, error) {
	var v ValidationError
	e := Event{Section: Section(in.Section), Type: EventType(in.Type), SerafinCode: strings.TrimSpace(in.SerafinCode),
		Title: strings.TrimSpace(in.Title), Place: strings.TrimSpace(in.Place), Status: EventStatus(in.Status),
		Reason: strings.TrimSpace(in.Reason), Participants: strings.TrimSpace(in.Participants)}
	if !e.Section.IsRecord() {
		v.Add("section", "Choisissez la section du dossier.")
	}
	known := false
	for _, t := range AllEventTypes {
		known = known || t == e.Type
	}
	if !known {
		v.Add("type", "Choisissez le type d'événement.")
	}
	if e.Type == EventSerafin && e.SerafinCode == "" {
		v.Add("serafin_code", "Indiquez le code de prestation SERAFIN-PH.")
	}
	if e.Title == "" {
		v.Add("title", "Décrivez l'événement en quelques mots.")
	}
	var ok bool
	if e.Start, ok = parseDateTime(in.Start); !ok {
		v.Add("start", "La date de début est obligatoire (jj/mm/aaaa hh:mm).")
	}
	if strings.TrimSpace(in.End) != "" {
		if e.End, ok = parseDateTime(in.End); !ok {
			v.Add("end", "La date de fin n'est pas valide.")
		} else if e.End.Before(e.Start) {
			v.Add("end", "La fin ne peut pas précéder le début.")
		}
	}
	if p := strings.TrimSpace(in.Professional); p != "" {
		id, err := uuid.Parse(p)
		if err != nil {
			v.Add("professional", "Choisissez le professionnel dans la liste.")
		}
		e.ProfessionalID = id
	}
	switch e.Recurrence = Recurrence(in.Recurrence); e.Recurrence {
	case RecurNone:
	case RecurDaily, RecurWeekly:
		if d, ok := ParseDate(in.RecurUntil); !ok {
			v.Add("recur_until", "Indiquez jusqu'à quand l'événement se répète.")
		} else if !e.Start.IsZero() && (d.Before(e.Start.Truncate(24*time.Hour)) || d.After(e.Start.AddDate(1, 0, 0))) {
			v.Add("recur_until", "La répétition s'arrête après le début et au plus un an plus tard.")
		} else {
			e.RecurUntil = d
		}
	default:
		v.Add("recurrence", "Choisissez la répétition.")
	}
	switch e.Status {
	case EventPlanned, EventValidated, EventDone:
	case EventCancelled:
		if e.Reason == "" {
			v.Add("reason", "Indiquez pourquoi l'événement n'a pas eu lieu.")
		}
	default:
		v.Add("status", "Choisissez le statut.")
	}
	return e, v.Err()
}

func parseDateTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "02/01/2006 15:04", "2006-01-02", "02/01/2006"} {
		if t, err := time.ParseInLocation(layout, s, Paris()); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// TimelineItem is one dated line of the dossier's timeline, from any source.
type TimelineItem struct {
	At      time.Time
	ID      uuid.UUID
	Kind    string // "event", "note", "targeted", "stay", "identity"
	Section Section
	Title   string
	Detail  string
	Author  string
}

// TimelineQuery pages a usager's timeline, newest first (keyset on At, ID).
type TimelineQuery struct {
	UsagerID uuid.UUID
	Sections []Section // readable sections; items of others are left out
	Kind     string    // optional filter
	Before   time.Time
	BeforeID uuid.UUID
	Limit    int
}

// AgendaItem is an occurrence of an event to come, with the person it concerns.
type AgendaItem struct {
	EventID        uuid.UUID
	ProfessionalID uuid.UUID
	Recurring      bool
	UsagerID       uuid.UUID
	Usager         Usager
	Section        Section
	Type           EventType
	Title          string
	At             time.Time
	Place          string
	Status         EventStatus
}
