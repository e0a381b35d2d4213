package domain

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// Staff meetings: réunion d'équipe, de synthèse, formation, analyse des
// pratiques… They are about no one in particular, held in one
// establishment with professional participants, and show in the agenda of
// that establishment and in "mon agenda" of each participant. A synthesis
// meeting may name the usagers it discusses: they are listed on the
// meeting's page only to readers who can open those records, and the
// meeting stays out of the usagers' timelines (what was said there goes in
// the record as notes, in the right section).

// MeetingKind is the kind of meeting.
type MeetingKind string

// Meeting kinds.
const (
	MeetingTeam        MeetingKind = "equipe"
	MeetingSynthesis   MeetingKind = "synthese"
	MeetingTraining    MeetingKind = "formation"
	MeetingPractice    MeetingKind = "analyse_pratiques"
	MeetingInstitution MeetingKind = "institution"
	MeetingOther       MeetingKind = "autre"
)

// AllMeetingKinds in display order.
var AllMeetingKinds = []MeetingKind{MeetingTeam, MeetingSynthesis, MeetingTraining, MeetingPractice, MeetingInstitution, MeetingOther}

// Label is the French name.
func (k MeetingKind) Label() string {
	switch k {
	case MeetingTeam:
		return "Réunion d'équipe"
	case MeetingSynthesis:
		return "Réunion de synthèse"
	case MeetingTraining:
		return "Formation"
	case MeetingPractice:
		return "Analyse des pratiques"
	case MeetingInstitution:
		return "Réunion institutionnelle"
	case MeetingOther:
		return "Autre réunion"
	}
	return string(k)
}

// Valid reports whether k is known.
func (k MeetingKind) Valid() bool {
	for _, x := range AllMeetingKinds {
		if x == k {
			return true
		}
	}
	return false
}

// MeetingStatus is planned or cancelled (a meeting held needs no status of
// its own: it is in the past).
type MeetingStatus string

// Meeting statuses.
const (
	MeetingPlanned   MeetingStatus = "PLANIFIE"
	MeetingCancelled MeetingStatus = "ANNULE"
)

// Label is the French name.
func (s MeetingStatus) Label() string {
	if s == MeetingCancelled {
		return "Annulée"
	}
	return "Prévue"
}

// MaxMeetingParticipants bounds a meeting's participants (an institutional
// meeting gathers a whole team, not the organisation).
const MaxMeetingParticipants = 200

// Meeting is a staff meeting.
type Meeting struct {
	ID              uuid.UUID
	EstablishmentID uuid.UUID
	Kind            MeetingKind
	Title           string
	Start           time.Time
	End             time.Time // zero when not said
	Place           string
	Recurrence      Recurrence
	RecurUntil      time.Time
	Status          MeetingStatus
	CancelReason    string
	Participants    []uuid.UUID // users
	Usagers         []uuid.UUID // discussed (synthesis meetings only)
	AuthorID        uuid.UUID
	AuthorName      string
	UpdatedAt       time.Time
}

// Occurrences lists the start times of m within [from, to), repetitions
// included (same rule as the events of the agenda).
func (m Meeting) Occurrences(from, to time.Time) []time.Time {
	return Event{Start: m.Start, Recurrence: m.Recurrence, RecurUntil: m.RecurUntil}.Occurrences(from, to)
}

// HasParticipant reports whether user takes part.
func (m Meeting) HasParticipant(user uuid.UUID) bool {
	for _, p := range m.Participants {
		if p == user {
			return true
		}
	}
	return false
}

// Cancel cancels the meeting (every occurrence) with a reason.
func (m *Meeting) Cancel(reason string) error {
	var v ValidationError
	reason = strings.TrimSpace(reason)
	switch {
	case m.Status == MeetingCancelled:
		v.Add("cancel_reason", "Cette réunion est déjà annulée.")
	case reason == "":
		v.Add("cancel_reason", "Indiquez pourquoi la réunion est annulée.")
	case len(reason) > 1000:
		v.Add("cancel_reason", "Le motif est trop long (1 000 caractères au plus).")
	}
	if err := v.Err(); err != nil {
		return err
	}
	m.Status, m.CancelReason = MeetingCancelled, reason
	return nil
}

// MeetingInput is the meeting form.
type MeetingInput struct {
	Establishment string
	Kind          string
	Title         string
	Start         string // 2006-01-02T15:04 (datetime-local), Paris time
	End           string
	Place         string
	Recurrence    string
	RecurUntil    string
	Participants  []string // user ids
	Usagers       []string // usager ids (synthesis)
}

// Parse checks the form; the title defaults to the kind's name. Whether
// participants belong to the establishment and usagers are followed there
// is checked by the caller, which knows the memberships and stays.
func (in MeetingInput) Parse() (Meeting, error) {
	var v ValidationError
	m := Meeting{Kind: MeetingKind(strings.TrimSpace(in.Kind)), Title: strings.TrimSpace(in.Title), Place: strings.TrimSpace(in.Place),
		Status: MeetingPlanned}
	id, err := uuid.Parse(strings.TrimSpace(in.Establishment))
	if err != nil {
		v.Add("establishment", "Choisissez l'établissement.")
	}
	m.EstablishmentID = id
	if !m.Kind.Valid() {
		v.Add("kind", "Choisissez le type de réunion.")
	}
	if m.Title == "" && m.Kind.Valid() {
		m.Title = m.Kind.Label()
	}
	if len(m.Title) > 200 {
		v.Add("title", "L'intitulé est trop long (200 caractères au plus).")
	}
	if len(m.Place) > 200 {
		v.Add("place", "Le lieu est trop long (200 caractères au plus).")
	}
	var ok bool
	if m.Start, ok = parseDateTime(in.Start); !ok || !strings.Contains(in.Start, ":") {
		v.Add("start", "Indiquez le jour et l'heure de début.")
	}
	if strings.TrimSpace(in.End) != "" {
		if m.End, ok = parseDateTime(in.End); !ok {
			v.Add("end", "L'heure de fin n'est pas valide.")
		} else if !m.End.After(m.Start) {
			v.Add("end", "La fin doit suivre le début.")
		}
	}
	switch m.Recurrence = Recurrence(in.Recurrence); m.Recurrence {
	case RecurNone:
	case RecurDaily, RecurWeekly:
		if d, ok := ParseDate(in.RecurUntil); !ok {
			v.Add("recur_until", "Indiquez jusqu'à quand la réunion se répète.")
		} else if !m.Start.IsZero() && (d.Before(m.Start.Truncate(24*time.Hour)) || d.After(m.Start.AddDate(1, 0, 0))) {
			v.Add("recur_until", "La répétition s'arrête après le début et au plus un an plus tard.")
		} else {
			m.RecurUntil = d
		}
	default:
		v.Add("recurrence", "Choisissez la répétition.")
	}
	m.Participants = parseIDs(&v, "participants", in.Participants, "Choisissez les participants dans la liste.")
	switch {
	case len(m.Participants) == 0:
		v.Add("participants", "Choisissez au moins un participant.")
	case len(m.Participants) > MaxMeetingParticipants:
		v.Add("participants", "Trop de participants (200 au plus).")
	}
	m.Usagers = parseIDs(&v, "usagers", in.Usagers, "Choisissez les personnes dans la liste.")
	if len(m.Usagers) > 0 && m.Kind.Valid() && m.Kind != MeetingSynthesis {
		v.Add("usagers", "Seule une réunion de synthèse nomme les personnes accompagnées dont elle parle.")
	}
	return m, v.Err()
}

// parseIDs reads distinct ids, skipping blanks.
func parseIDs(v *ValidationError, field string, raw []string, msg string) []uuid.UUID {
	var out []uuid.UUID
	seen := map[uuid.UUID]bool{}
	for _, r := range raw {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		id, err := uuid.Parse(r)
		if err != nil {
			v.Add(field, msg)
			continue
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// MeetingQuery selects the meeting occurrences of the agenda: meetings of
// Establishments overlapping [From, To), all of them or those Participant
// takes part in.
type MeetingQuery struct {
	Establishments []uuid.UUID
	Participant    uuid.UUID // Nil: every meeting
	From, To       time.Time
}

// MeetingItem is one occurrence of a meeting in the agenda.
type MeetingItem struct {
	MeetingID       uuid.UUID
	EstablishmentID uuid.UUID
	Kind            MeetingKind
	Title           string
	At              time.Time
	End             time.Time // of this occurrence; zero when not said
	Place           string
	Recurring       bool
	Status          MeetingStatus
	CancelReason    string
	Participants    []uuid.UUID
}

// MeetingTx stores staff meetings.
type MeetingTx interface {
	// SaveMeeting inserts (ID Nil) or updates a meeting with its
	// participants and usagers, all or nothing.
	SaveMeeting(m *Meeting) error
	Meeting(id uuid.UUID) (Meeting, error)
	// Meetings lists the occurrences of q, soonest first.
	Meetings(q MeetingQuery) ([]MeetingItem, error)
}

// EndHour is the Paris time the occurrence ends ("" when not said).
func (it MeetingItem) EndHour() string {
	if it.End.IsZero() {
		return ""
	}
	return it.End.In(Paris()).Format("15:04")
}
