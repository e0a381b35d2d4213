package domain

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// MedicalTx stores the medical section (history, allergies, diagnoses,
// reports) and delegations (bris de glace).
type MedicalTx interface {
	SaveMedicalItem(m *MedicalItem) error
	MedicalItem(id uuid.UUID) (MedicalItem, error)
	// MedicalItems lists a usager's items, active ones first.
	MedicalItems(usager uuid.UUID) ([]MedicalItem, error)
	// Allergies are the active allergies and intolerances: the banner.
	Allergies(usager uuid.UUID) ([]MedicalItem, error)
	SaveMedicalReport(r *MedicalReport) error
	MedicalReports(usager uuid.UUID) ([]MedicalReport, error)

	SaveDelegation(d *Delegation) error
	Delegation(id uuid.UUID) (Delegation, error)
	// ActiveDelegations are user's delegations on usager running at now.
	ActiveDelegations(user, usager uuid.UUID, now time.Time) ([]Delegation, error)
	// Delegations lists the delegations opened in estabs since, newest first.
	Delegations(estabs []uuid.UUID, since time.Time) ([]Delegation, error)
	// DelegationReads are the trail entries written under a delegation: the
	// user's accesses to the usager's section during its window.
	DelegationReads(d Delegation) ([]TrailEntry, error)
}

// MedicalKind is what a medical item records.
type MedicalKind string

// Medical item kinds.
const (
	MedicalAllergy     MedicalKind = "allergie"
	MedicalIntolerance MedicalKind = "intolerance"
	MedicalHistory     MedicalKind = "antecedent"
	MedicalSurgery     MedicalKind = "antecedent_chirurgical"
	MedicalFamily      MedicalKind = "antecedent_familial"
	MedicalDiagnosis   MedicalKind = "diagnostic"
)

// MedicalKinds in display order.
var MedicalKinds = []MedicalKind{MedicalAllergy, MedicalIntolerance, MedicalDiagnosis, MedicalHistory, MedicalSurgery, MedicalFamily}

// Label is the French name of the kind.
func (k MedicalKind) Label() string {
	switch k {
	case MedicalAllergy:
		return "Allergie"
	case MedicalIntolerance:
		return "Intolérance"
	case MedicalHistory:
		return "Antécédent médical"
	case MedicalSurgery:
		return "Antécédent chirurgical"
	case MedicalFamily:
		return "Antécédent familial"
	case MedicalDiagnosis:
		return "Diagnostic"
	}
	return string(k)
}

// Valid reports whether k is a known kind.
func (k MedicalKind) Valid() bool {
	for _, x := range MedicalKinds {
		if x == k {
			return true
		}
	}
	return false
}

// IsAllergy tells the kinds shown on the allergy banner.
func (k MedicalKind) IsAllergy() bool { return k == MedicalAllergy || k == MedicalIntolerance }

// Criticality of an allergy (FHIR AllergyIntolerance.criticality).
type Criticality string

// Criticalities.
const (
	CriticalityLow     Criticality = "low"
	CriticalityHigh    Criticality = "high"
	CriticalityUnknown Criticality = "unable-to-assess"
)

// Label is the French name of the criticality.
func (c Criticality) Label() string {
	switch c {
	case CriticalityLow:
		return "faible"
	case CriticalityHigh:
		return "élevée"
	case CriticalityUnknown:
		return "non évaluée"
	}
	return ""
}

// MedicalStatus is the clinical status of an item.
type MedicalStatus string

// Statuses: an erroneous entry stays (struck through) with its reason.
const (
	MedicalActive    MedicalStatus = "active"
	MedicalResolved  MedicalStatus = "resolved"
	MedicalErroneous MedicalStatus = "entered-in-error"
)

// Label is the French name of the status.
func (s MedicalStatus) Label() string {
	switch s {
	case MedicalActive:
		return "actif"
	case MedicalResolved:
		return "résolu"
	case MedicalErroneous:
		return "saisie erronée"
	}
	return string(s)
}

// MedicalItem is an allergy, intolerance, history item or diagnosis.
type MedicalItem struct {
	ID          uuid.UUID
	UsagerID    uuid.UUID
	Kind        MedicalKind
	Label       string // substance, condition or diagnosis
	Code        string // CIM-10 for diagnoses and history, optional
	Reaction    string // allergies: what happens
	Criticality Criticality
	Onset       time.Time // optional (date)
	Note        string
	Status      MedicalStatus
	StatusNote  string // why resolved / erroneous
	AuthorID    uuid.UUID
	AuthorName  string
	RecordedAt  time.Time
	ChangedAt   time.Time
	ChangedBy   string
}

// MedicalItemInput is the form of a medical item.
type MedicalItemInput struct {
	Kind, Label, Code, Reaction, Criticality, Onset, Note string
}

// Parse checks the form: a label, a known kind, a CIM-10-shaped code and a
// past onset date; an allergy needs its criticality (the banner says it).
func (in MedicalItemInput) Parse(today time.Time) (MedicalItem, error) {
	var v ValidationError
	m := MedicalItem{Kind: MedicalKind(in.Kind), Label: strings.TrimSpace(in.Label), Code: strings.ToUpper(strings.TrimSpace(in.Code)),
		Reaction: strings.TrimSpace(in.Reaction), Note: strings.TrimSpace(in.Note), Status: MedicalActive}
	if !m.Kind.Valid() {
		v.Add("kind", "Choisissez le type : allergie, intolérance, diagnostic ou antécédent.")
	}
	switch {
	case m.Label == "":
		v.Add("label", "Indiquez la substance, la maladie ou le diagnostic.")
	case utf8.RuneCountInString(m.Label) > 200:
		v.Add("label", "Le libellé est trop long (200 caractères au plus).")
	}
	if m.Code != "" && !validCIM10(m.Code) {
		v.Add("code", "Le code CIM-10 doit avoir la forme lettre + 2 chiffres, éventuellement suivis d'un point et de chiffres (ex. I10, E11.9).")
	}
	if m.Kind.IsAllergy() {
		switch Criticality(in.Criticality) {
		case CriticalityLow, CriticalityHigh, CriticalityUnknown:
			m.Criticality = Criticality(in.Criticality)
		default:
			v.Add("criticality", "Indiquez la gravité de la réaction (faible, élevée ou non évaluée).")
		}
	}
	if s := strings.TrimSpace(in.Onset); s != "" {
		d, err := time.ParseInLocation("2006-01-02", s, time.UTC)
		switch {
		case err != nil:
			v.Add("onset", "La date doit être au format jj/mm/aaaa.")
		case d.After(today):
			v.Add("onset", "La date ne peut pas être dans le futur.")
		default:
			m.Onset = d
		}
	}
	if len(m.Reaction) > 1000 || len(m.Note) > 4000 {
		v.Add("note", "Le commentaire est trop long.")
	}
	return m, v.Err()
}

// validCIM10 accepts the shape of an ICD-10 code: a letter, two digits,
// then optionally a dot and up to four characters (French extensions).
func validCIM10(s string) bool {
	if len(s) < 3 || s[0] < 'A' || s[0] > 'Z' || s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9' {
		return false
	}
	rest := s[3:]
	if rest == "" {
		return true
	}
	if rest[0] != '.' || len(rest) < 2 || len(rest) > 5 {
		return false
	}
	for _, r := range rest[1:] {
		if (r < '0' || r > '9') && (r < 'A' || r > 'Z') && r != '+' {
			return false
		}
	}
	return true
}

// ChangeStatus moves an item to resolved or erroneous, with the reason;
// an item already closed does not move again.
func (m *MedicalItem) ChangeStatus(to MedicalStatus, note, by string, at time.Time) error {
	var v ValidationError
	note = strings.TrimSpace(note)
	switch {
	case m.Status != MedicalActive:
		v.Add("status", "Cet élément n'est plus actif.")
	case to != MedicalResolved && to != MedicalErroneous:
		v.Add("status", "Statut inconnu.")
	case to == MedicalErroneous && note == "":
		v.Add("status_note", "Indiquez pourquoi la saisie est erronée.")
	}
	if err := v.Err(); err != nil {
		return err
	}
	m.Status, m.StatusNote, m.ChangedBy, m.ChangedAt = to, note, by, at
	return nil
}

// ReportKind classifies a medical report.
type ReportKind string

// Report kinds.
const (
	ReportConsultation    ReportKind = "consultation"
	ReportHospitalisation ReportKind = "hospitalisation"
	ReportSpecialist      ReportKind = "specialiste"
	ReportBiology         ReportKind = "biologie"
	ReportImaging         ReportKind = "imagerie"
	ReportOther           ReportKind = "autre"
)

// ReportKinds in display order.
var ReportKinds = []ReportKind{ReportConsultation, ReportHospitalisation, ReportSpecialist, ReportBiology, ReportImaging, ReportOther}

// Label is the French name of the report kind.
func (k ReportKind) Label() string {
	switch k {
	case ReportConsultation:
		return "Consultation"
	case ReportHospitalisation:
		return "Compte rendu d'hospitalisation"
	case ReportSpecialist:
		return "Avis de spécialiste"
	case ReportBiology:
		return "Biologie"
	case ReportImaging:
		return "Imagerie"
	case ReportOther:
		return "Autre"
	}
	return string(k)
}

// MedicalReport is a dated medical text (consultation, hospital report
// summary…); scanned originals go to the documents of the medical section.
type MedicalReport struct {
	ID         uuid.UUID
	UsagerID   uuid.UUID
	Kind       ReportKind
	Title      string
	Date       time.Time
	Body       string
	AuthorID   uuid.UUID
	AuthorName string
	RecordedAt time.Time
}

// MedicalReportInput is the report form.
type MedicalReportInput struct{ Kind, Title, Date, Body string }

// Parse checks the report form.
func (in MedicalReportInput) Parse(today time.Time) (MedicalReport, error) {
	var v ValidationError
	r := MedicalReport{Kind: ReportKind(in.Kind), Title: strings.TrimSpace(in.Title), Body: strings.TrimSpace(in.Body)}
	valid := false
	for _, k := range ReportKinds {
		valid = valid || k == r.Kind
	}
	if !valid {
		v.Add("report_kind", "Choisissez le type de compte rendu.")
	}
	if r.Title == "" {
		v.Add("title", "Le titre est obligatoire.")
	} else if utf8.RuneCountInString(r.Title) > 200 {
		v.Add("title", "Le titre est trop long (200 caractères au plus).")
	}
	d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(in.Date), time.UTC)
	switch {
	case err != nil:
		v.Add("date", "Indiquez la date du compte rendu.")
	case d.After(today):
		v.Add("date", "La date ne peut pas être dans le futur.")
	default:
		r.Date = d
	}
	if r.Body == "" {
		v.Add("body", "Le texte du compte rendu est obligatoire.")
	} else if len(r.Body) > MaxNoteLength*5 {
		v.Add("body", "Le compte rendu est trop long (100 000 caractères au plus).")
	}
	return r, v.Err()
}
