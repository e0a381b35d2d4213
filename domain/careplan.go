package domain

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

// The care plan (plan de soins): recurring care acts of a usager with their
// schedule (weekdays × moments of the day and/or an exact time). The
// occurrences of a day are computed from the schedule, never stored ahead;
// only the marks (done / not done, by whom, when) are stored, one per act,
// day and slot, so a double tap on a tablet cannot record a care act twice.
// A mark is changed only by an explicit correction with a reason, and the
// previous state is kept. SSIAD rounds (tournées) order the usagers a nurse
// or care assistant visits at home. Everything here belongs to the care
// section for rights.

// CareKind is the kind of a care act.
type CareKind string

// Care act kinds.
const (
	CareToilette     CareKind = "toilette_complete"
	CareAideToilette CareKind = "aide_toilette"
	CareDouche       CareKind = "douche"
	CarePansement    CareKind = "pansement"
	CareSurveillance CareKind = "surveillance"
	CareEscarres     CareKind = "prevention_escarres"
	CareChange       CareKind = "change"
	CareAideRepas    CareKind = "aide_repas"
	CareLeverCoucher CareKind = "aide_lever_coucher"
	CareInjection    CareKind = "injection"
	CareConstantes   CareKind = "constantes"
	CareAutre        CareKind = "autre"
)

// AllCareKinds in display order.
var AllCareKinds = []CareKind{CareToilette, CareAideToilette, CareDouche, CarePansement, CareSurveillance, CareEscarres,
	CareChange, CareAideRepas, CareLeverCoucher, CareInjection, CareConstantes, CareAutre}

// Label is the French name.
func (k CareKind) Label() string {
	switch k {
	case CareToilette:
		return "Toilette complète"
	case CareAideToilette:
		return "Aide à la toilette"
	case CareDouche:
		return "Douche"
	case CarePansement:
		return "Pansement"
	case CareSurveillance:
		return "Surveillance"
	case CareEscarres:
		return "Prévention d'escarres"
	case CareChange:
		return "Change"
	case CareAideRepas:
		return "Aide au repas"
	case CareLeverCoucher:
		return "Aide au lever / coucher"
	case CareInjection:
		return "Injection"
	case CareConstantes:
		return "Prise de constantes"
	case CareAutre:
		return "Autre"
	}
	return string(k)
}

// Valid reports whether k is known.
func (k CareKind) Valid() bool {
	for _, x := range AllCareKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Moment is a moment of the day care is given at.
type Moment string

// Moments of the day, in order.
const (
	MomentMorning   Moment = "matin"
	MomentNoon      Moment = "midi"
	MomentAfternoon Moment = "apres_midi"
	MomentEvening   Moment = "soir"
	MomentNight     Moment = "nuit"
)

// AllMoments in the order of the day.
var AllMoments = []Moment{MomentMorning, MomentNoon, MomentAfternoon, MomentEvening, MomentNight}

// Label is the French name.
func (m Moment) Label() string {
	switch m {
	case MomentMorning:
		return "Matin"
	case MomentNoon:
		return "Midi"
	case MomentAfternoon:
		return "Après-midi"
	case MomentEvening:
		return "Soir"
	case MomentNight:
		return "Nuit"
	}
	return string(m)
}

// Valid reports whether m is known.
func (m Moment) Valid() bool {
	for _, x := range AllMoments {
		if x == m {
			return true
		}
	}
	return false
}

func (m Moment) rank() int {
	for i, x := range AllMoments {
		if x == m {
			return i
		}
	}
	return len(AllMoments)
}

// MomentOf is the moment an exact time ("HH:MM") falls in: the checklist
// shows a 14:30 injection with the afternoon's care.
func MomentOf(hhmm string) Moment {
	switch {
	case hhmm < "06:00":
		return MomentNight
	case hhmm < "11:30":
		return MomentMorning
	case hhmm < "14:00":
		return MomentNoon
	case hhmm < "18:00":
		return MomentAfternoon
	case hhmm < "22:00":
		return MomentEvening
	}
	return MomentNight
}

// French weekday names, Monday first (time.Weekday counts from Sunday).
var frenchWeekdays = map[time.Weekday]string{time.Monday: "lundi", time.Tuesday: "mardi", time.Wednesday: "mercredi",
	time.Thursday: "jeudi", time.Friday: "vendredi", time.Saturday: "samedi", time.Sunday: "dimanche"}

// WeekdaysMondayFirst lists the days of the week as shown in forms.
var WeekdaysMondayFirst = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// WeekdayLabel is the French name of a weekday.
func WeekdayLabel(d time.Weekday) string { return frenchWeekdays[d] }

// CareAct is a recurring care act of a usager's care plan.
type CareAct struct {
	ID              uuid.UUID
	UsagerID        uuid.UUID
	EstablishmentID uuid.UUID
	Kind            CareKind
	Label           string // free label ("autre") or precision ("jambe gauche")
	Weekdays        []time.Weekday
	Moments         []Moment
	At              string    // exact time "HH:MM", "" when none
	Start           time.Time // first day (midnight UTC)
	End             time.Time // last day, zero when open-ended
	Instructions    string
	CreatedAt       time.Time
	AuthorID        uuid.UUID
	AuthorName      string
	StoppedAt       time.Time // zero while active
	StoppedByName   string
	StopReason      string
	UsagerName      string // filled by lists
}

// Title is what a nurse reads on a checklist line.
func (a CareAct) Title() string {
	switch {
	case a.Kind == CareAutre && a.Label != "":
		return a.Label
	case a.Label != "":
		return a.Kind.Label() + " — " + a.Label
	}
	return a.Kind.Label()
}

// Stopped is true once the act has been stopped.
func (a CareAct) Stopped() bool { return !a.StoppedAt.IsZero() }

// ScheduleLabel is the schedule in French: "tous les jours · matin, soir ·
// à 14:30".
func (a CareAct) ScheduleLabel() string {
	var days string
	if len(a.Weekdays) == 7 {
		days = "tous les jours"
	} else {
		var names []string
		for _, d := range WeekdaysMondayFirst {
			if a.OnWeekday(d) {
				names = append(names, frenchWeekdays[d])
			}
		}
		days = strings.Join(names, ", ")
	}
	parts := []string{days}
	if len(a.Moments) > 0 {
		var ms []string
		for _, m := range a.Moments {
			ms = append(ms, strings.ToLower(m.Label()))
		}
		parts = append(parts, strings.Join(ms, ", "))
	}
	if a.At != "" {
		parts = append(parts, "à "+a.At)
	}
	return strings.Join(parts, " · ")
}

// OnWeekday reports whether the act is scheduled on d.
func (a CareAct) OnWeekday(d time.Weekday) bool {
	for _, x := range a.Weekdays {
		if x == d {
			return true
		}
	}
	return false
}

// HasMoment reports whether the act is scheduled at m.
func (a CareAct) HasMoment(m Moment) bool {
	for _, x := range a.Moments {
		if x == m {
			return true
		}
	}
	return false
}

// DueOn reports whether the act is due on day (a calendar day, midnight
// UTC): within its dates, on one of its weekdays, and not stopped before
// that day (an act stopped during a day is no longer due that day).
func (a CareAct) DueOn(day time.Time) bool {
	day = CalendarDay(day)
	if day.Before(a.Start) || (!a.End.IsZero() && day.After(a.End)) || !a.OnWeekday(day.Weekday()) {
		return false
	}
	return a.StoppedAt.IsZero() || day.Before(ParisDay(a.StoppedAt))
}

// Slots are the occurrences of the act in a day: one per moment, plus one
// at the exact time, in the order of the day.
func (a CareAct) Slots() []string {
	var out []string
	for _, m := range AllMoments {
		if a.HasMoment(m) {
			out = append(out, string(m))
		}
	}
	if a.At != "" {
		out = append(out, a.At)
	}
	return out
}

// SlotMoment is the moment a slot belongs to (a slot is a moment or an
// exact time).
func SlotMoment(slot string) Moment {
	if m := Moment(slot); m.Valid() {
		return m
	}
	return MomentOf(slot)
}

// SlotLabel is a slot in French: "Matin" or "14:30".
func SlotLabel(slot string) string {
	if m := Moment(slot); m.Valid() {
		return m.Label()
	}
	return slot
}

// CalendarDay truncates a date to midnight UTC, the form days are kept in.
func CalendarDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// ParisDay is the calendar day (midnight UTC) of an instant in Paris.
func ParisDay(t time.Time) time.Time {
	p := t.In(Paris())
	return time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, time.UTC)
}

// NotDoneReason is why a scheduled care act was not done.
type NotDoneReason string

// Reasons for a care act not done.
const (
	NotDoneRefused     NotDoneReason = "refus"
	NotDoneAbsent      NotDoneReason = "absent"
	NotDoneHospital    NotDoneReason = "hospitalise"
	NotDonePostponed   NotDoneReason = "reporte"
	NotDoneOtherReason NotDoneReason = "autre"
)

// AllNotDoneReasons in display order.
var AllNotDoneReasons = []NotDoneReason{NotDoneRefused, NotDoneAbsent, NotDoneHospital, NotDonePostponed, NotDoneOtherReason}

// Label is the French name.
func (r NotDoneReason) Label() string {
	switch r {
	case NotDoneRefused:
		return "Refus de la personne"
	case NotDoneAbsent:
		return "Personne absente"
	case NotDoneHospital:
		return "Hospitalisée"
	case NotDonePostponed:
		return "Reporté"
	case NotDoneOtherReason:
		return "Autre motif"
	}
	return string(r)
}

// CareMark is the stored state of one occurrence: done or not done (with a
// reason), by whom and when. Corrections lists the earlier states, oldest
// first, each with the reason it was corrected.
type CareMark struct {
	ID          uuid.UUID
	ActID       uuid.UUID
	UsagerID    uuid.UUID
	Day         time.Time // calendar day, midnight UTC
	Slot        string    // moment or "HH:MM"
	Done        bool
	Reason      NotDoneReason // when not done
	ReasonText  string
	ByID        uuid.UUID
	ByName      string
	At          time.Time
	Corrections []CareCorrection
}

// Same reports whether m records the same state as o (a repeated tap).
func (m CareMark) Same(o CareMark) bool {
	return m.Done == o.Done && m.Reason == o.Reason && m.ReasonText == o.ReasonText
}

// Time is the hour it was marked, in Paris ("08:12").
func (m CareMark) Time() string { return m.At.In(Paris()).Format("15:04") }

// StateLabel is the state in French: "Fait" or "Non fait : refus…".
func (m CareMark) StateLabel() string {
	if m.Done {
		return "Fait"
	}
	s := "Non fait : " + strings.ToLower(m.Reason.Label())
	if m.ReasonText != "" {
		s += " (" + m.ReasonText + ")"
	}
	return s
}

// CareCorrection is a previous state of a mark, replaced by a correction.
type CareCorrection struct {
	Done        bool
	Reason      NotDoneReason
	ReasonText  string
	ByName      string // who had marked it
	At          time.Time
	Why         string // the reason for the correction
	CorrectedBy string
	CorrectedAt time.Time
}

// StateLabel is the replaced state in French.
func (c CareCorrection) StateLabel() string {
	return CareMark{Done: c.Done, Reason: c.Reason, ReasonText: c.ReasonText}.StateLabel()
}

// CareMarkInput is a mark as typed (quick button or the not-done form).
type CareMarkInput struct {
	Day              string
	Slot             string
	State            string // "fait" or "non_fait"
	Reason           string
	ReasonText       string
	Correction       bool
	CorrectionReason string
}

// Parse checks a mark of act: the day must be one the act is due on and the
// slot one of its slots (or an already stored slot, for a correction of an
// act whose schedule changed since); not done needs a reason, "autre" its
// text, a correction its own reason.
func (in CareMarkInput) Parse(act CareAct, storedSlot bool) (CareMark, string, error) {
	var v ValidationError
	m := CareMark{ActID: act.ID, UsagerID: act.UsagerID, Slot: strings.TrimSpace(in.Slot), ReasonText: strings.TrimSpace(in.ReasonText)}
	day, ok := ParseDate(in.Day)
	if !ok {
		v.Add("day", "Le jour du soin n'est pas valide.")
	}
	m.Day = day
	known := storedSlot
	for _, s := range act.Slots() {
		known = known || s == m.Slot
	}
	if ok && !storedSlot && !act.DueOn(day) {
		v.Add("day", "Ce soin n'est pas prévu ce jour-là.")
	} else if !known {
		v.Add("slot", "Ce moment ne fait pas partie du plan de soins de cet acte.")
	}
	switch in.State {
	case "fait":
		m.Done, m.ReasonText = true, ""
	case "non_fait":
		m.Reason = NotDoneReason(in.Reason)
		valid := false
		for _, r := range AllNotDoneReasons {
			valid = valid || r == m.Reason
		}
		if !valid {
			v.Add("reason", "Indiquez pourquoi le soin n'a pas été fait.")
		} else if m.Reason == NotDoneOtherReason && m.ReasonText == "" {
			v.Add("reason_text", "Précisez le motif.")
		}
	default:
		v.Add("state", "Indiquez si le soin a été fait ou non.")
	}
	why := strings.TrimSpace(in.CorrectionReason)
	if in.Correction && why == "" {
		v.Add("correction_reason", "Indiquez le motif de la correction.")
	}
	return m, why, v.Err()
}

// CareActInput is an act as typed in the care plan form.
type CareActInput struct {
	EstablishmentID string
	Kind            string
	Label           string
	Weekdays        []string // "0" (Sunday) … "6"
	Moments         []string
	At              string
	Start           string
	End             string
	Instructions    string
}

var hhmmRe = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// Parse checks an act; the establishment must be one of allowed (those of
// the record where the author defines care acts).
func (in CareActInput) Parse(allowed []uuid.UUID) (CareAct, error) {
	var v ValidationError
	a := CareAct{Kind: CareKind(in.Kind), Label: strings.TrimSpace(in.Label), At: strings.TrimSpace(in.At),
		Instructions: strings.TrimSpace(in.Instructions)}
	id, err := uuid.Parse(strings.TrimSpace(in.EstablishmentID))
	found := false
	for _, e := range allowed {
		found = found || (err == nil && e == id)
	}
	if !found {
		v.Add("establishment_id", "Choisissez l'établissement qui donne ce soin.")
	}
	a.EstablishmentID = id
	if !a.Kind.Valid() {
		v.Add("kind", "Choisissez le type de soin.")
	} else if a.Kind == CareAutre && a.Label == "" {
		v.Add("label", "Nommez le soin (type « Autre »).")
	}
	seen := map[time.Weekday]bool{}
	for _, s := range in.Weekdays {
		var d int
		if _, err := fmt.Sscanf(s, "%d", &d); err != nil || d < 0 || d > 6 {
			v.Add("weekdays", "Un jour de la semaine n'est pas reconnu.")
			continue
		}
		seen[time.Weekday(d)] = true
	}
	for _, d := range WeekdaysMondayFirst {
		if seen[d] {
			a.Weekdays = append(a.Weekdays, d)
		}
	}
	if len(a.Weekdays) == 0 {
		v.Add("weekdays", "Cochez au moins un jour de la semaine.")
	}
	ms := map[Moment]bool{}
	for _, s := range in.Moments {
		m := Moment(s)
		if !m.Valid() {
			v.Add("moments", "Un moment de la journée n'est pas reconnu.")
			continue
		}
		ms[m] = true
	}
	for _, m := range AllMoments {
		if ms[m] {
			a.Moments = append(a.Moments, m)
		}
	}
	if a.At != "" && !hhmmRe.MatchString(a.At) {
		v.Add("at", "L'heure doit s'écrire hh:mm (par exemple 14:30).")
	} else if a.At == "" && len(a.Moments) == 0 {
		v.Add("moments", "Cochez au moins un moment de la journée ou indiquez une heure précise.")
	}
	a.Start, _ = parseDateField(&v, "start", in.Start, true, "La date de début")
	if end, ok := parseDateField(&v, "end", in.End, false, "La date de fin"); ok {
		if !a.Start.IsZero() && end.Before(a.Start) {
			v.Add("end", "La date de fin ne peut précéder le début.")
		}
		a.End = end
	}
	return a, v.Err()
}

// Input gives back the form of an act.
func (a CareAct) Input() CareActInput {
	in := CareActInput{EstablishmentID: a.EstablishmentID.String(), Kind: string(a.Kind), Label: a.Label, At: a.At,
		Start: FormatDate(a.Start), End: FormatDate(a.End), Instructions: a.Instructions}
	for _, d := range a.Weekdays {
		in.Weekdays = append(in.Weekdays, fmt.Sprint(int(d)))
	}
	for _, m := range a.Moments {
		in.Moments = append(in.Moments, string(m))
	}
	return in
}

// Occurrence is one care act due in a day, with its mark once recorded.
type Occurrence struct {
	Act  CareAct
	Day  time.Time
	Slot string
	Mark *CareMark // nil while not marked
}

// Moment is the moment of the day the occurrence belongs to.
func (o Occurrence) Moment() Moment { return SlotMoment(o.Slot) }

// SlotLabel is the slot in French.
func (o Occurrence) SlotLabel() string { return SlotLabel(o.Slot) }

// Key identifies the occurrence in a page (element ids).
func (o Occurrence) Key() string {
	return o.Act.ID.String() + "-" + strings.ReplaceAll(o.Slot, ":", "")
}

// Occurrences expands the acts due on day into occurrences and attaches the
// marks of that day. A mark whose slot the schedule no longer yields (the act
// stopped or changed since) is still listed: what was done stays visible.
// The result is in the order of the day (moment, then time), then by
// person and act.
func Occurrences(acts []CareAct, marks []CareMark, day time.Time) []Occurrence {
	day = CalendarDay(day)
	type key struct {
		act  uuid.UUID
		slot string
	}
	byKey := map[key]*CareMark{}
	byAct := map[uuid.UUID][]*CareMark{}
	for i := range marks {
		if CalendarDay(marks[i].Day).Equal(day) {
			byKey[key{marks[i].ActID, marks[i].Slot}] = &marks[i]
			byAct[marks[i].ActID] = append(byAct[marks[i].ActID], &marks[i])
		}
	}
	out := make([]Occurrence, 0, 2*len(acts))
	for _, a := range acts {
		due := a.DueOn(day)
		slots := a.Slots()
		if due {
			for _, s := range slots {
				out = append(out, Occurrence{Act: a, Day: day, Slot: s, Mark: byKey[key{a.ID, s}]})
			}
		}
		for _, m := range byAct[a.ID] {
			if !due || !containsSlot(slots, m.Slot) {
				out = append(out, Occurrence{Act: a, Day: day, Slot: m.Slot, Mark: m})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		oi, oj := out[i], out[j]
		if ri, rj := oi.Moment().rank(), oj.Moment().rank(); ri != rj {
			return ri < rj
		}
		ti, tj := Moment(oi.Slot).Valid(), Moment(oj.Slot).Valid()
		if ti != tj {
			return ti // the moment's own care before its exact times
		}
		if oi.Slot != oj.Slot {
			return oi.Slot < oj.Slot
		}
		if oi.Act.UsagerName != oj.Act.UsagerName {
			return oi.Act.UsagerName < oj.Act.UsagerName
		}
		return oi.Act.ID.String() < oj.Act.ID.String()
	})
	return out
}

func containsSlot(slots []string, s string) bool {
	for _, x := range slots {
		if x == s {
			return true
		}
	}
	return false
}

// CareActQuery selects the acts of a day: those of the given usagers, or of
// the usagers admitted in the given establishments.
type CareActQuery struct {
	Usagers        []uuid.UUID
	Establishments []uuid.UUID
	Day            time.Time // acts whose dates cover this day (zero: all, stopped ones included)
}

// Round is an SSIAD home-care round (tournée): an ordered list of stops and
// who does it, by default and on given days.
type Round struct {
	ID              uuid.UUID
	EstablishmentID uuid.UUID
	Name            string
	DefaultUserID   uuid.UUID // Nil when none
	DefaultUserName string
	Stops           []RoundStop       // in order, filled by Round and MyRounds
	Assignments     []RoundAssignment // filled by Round, by day
	CreatedAt       time.Time
}

// RoundStop is a visit of the round: a usager and how to get in.
type RoundStop struct {
	ID          uuid.UUID
	RoundID     uuid.UUID
	UsagerID    uuid.UUID
	Position    int
	AccessNotes string // "clé dans la boîte à clés, code 1234", "code portail"
	Usager      Usager // filled by reads
}

// RoundAssignment says who does the round on a day.
type RoundAssignment struct {
	RoundID  uuid.UUID
	Day      time.Time
	UserID   uuid.UUID
	UserName string
}

// RoundInput is a round as typed.
type RoundInput struct {
	EstablishmentID string
	Name            string
	DefaultUserID   string
}

// Parse checks a round; allowed are the SSIAD where the author manages
// rounds, professionals the accounts that may do one there.
func (in RoundInput) Parse(allowed []uuid.UUID, professionals []uuid.UUID) (Round, error) {
	var v ValidationError
	r := Round{Name: strings.TrimSpace(in.Name)}
	id, err := uuid.Parse(strings.TrimSpace(in.EstablishmentID))
	if err != nil || !containsUUID(allowed, id) {
		v.Add("establishment_id", "Choisissez le service (SSIAD) de la tournée.")
	}
	r.EstablishmentID = id
	if r.Name == "" {
		v.Add("name", "Nommez la tournée (par exemple « Tournée Nord — matin »).")
	}
	if s := strings.TrimSpace(in.DefaultUserID); s != "" {
		u, err := uuid.Parse(s)
		if err != nil || !containsUUID(professionals, u) {
			v.Add("default_user_id", "Ce professionnel ne peut pas faire de tournée dans ce service.")
		}
		r.DefaultUserID = u
	}
	return r, v.Err()
}

func containsUUID(list []uuid.UUID, id uuid.UUID) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}

// MoveStop moves the stop at index i by delta (-1 up, +1 down) and renumbers
// positions from 1; out-of-range moves leave the order unchanged.
func MoveStop(stops []RoundStop, i, delta int) []RoundStop {
	out := append([]RoundStop{}, stops...)
	j := i + delta
	if i >= 0 && i < len(out) && j >= 0 && j < len(out) {
		out[i], out[j] = out[j], out[i]
	}
	for k := range out {
		out[k].Position = k + 1
	}
	return out
}

// CarePlanTx stores the care plan (plan de soins) and SSIAD rounds.
type CarePlanTx interface {
	SaveCareAct(a *CareAct) error
	CareAct(id uuid.UUID) (CareAct, error)
	// CareActs lists acts (with the usager's name), oldest first.
	CareActs(q CareActQuery) ([]CareAct, error)
	StopCareAct(id uuid.UUID, at time.Time, byName, reason string) error
	// MarkCare records a mark; a repeated identical mark is harmless (m
	// gets the stored one), a different one is ErrConflict.
	MarkCare(m *CareMark) error
	// CorrectCare replaces the mark of (act, day, slot), keeping the
	// previous state with why.
	CorrectCare(m *CareMark, why string) error
	CareMarkAt(act uuid.UUID, day time.Time, slot string) (CareMark, error)
	// CareMarks lists the marks of a day for the given acts.
	CareMarks(acts []uuid.UUID, day time.Time) ([]CareMark, error)

	SaveRound(r *Round) error
	Round(id uuid.UUID) (Round, error)
	Rounds(estabs []uuid.UUID) ([]Round, error)
	// SetRoundStops replaces the stops of a round, in the given order.
	SetRoundStops(round uuid.UUID, stops []RoundStop) error
	AssignRound(a RoundAssignment) error
	// MyRounds are the rounds user does on day: assigned that day, or by
	// default when nobody is assigned that day.
	MyRounds(user uuid.UUID, day time.Time, estabs []uuid.UUID) ([]Round, error)
	// PersonsToNotify lists the personnes à prévenir of the usagers.
	PersonsToNotify(usagers []uuid.UUID) (map[uuid.UUID][]Contact, error)
}
