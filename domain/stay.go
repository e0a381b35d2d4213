package domain

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// StayStatus follows a stay from pre-admission to exit.
type StayStatus string

// Stay statuses.
const (
	StayPreadmission StayStatus = "preadmission"
	StayAdmitted     StayStatus = "admitted"
	StayDischarged   StayStatus = "discharged"
	StayCancelled    StayStatus = "cancelled"
)

// Label is the French name.
func (s StayStatus) Label() string {
	switch s {
	case StayPreadmission:
		return "Pré-admission"
	case StayAdmitted:
		return "Admis"
	case StayDischarged:
		return "Sorti"
	case StayCancelled:
		return "Annulé"
	}
	return string(s)
}

// AllStayStatuses in display order.
var AllStayStatuses = []StayStatus{StayPreadmission, StayAdmitted, StayDischarged, StayCancelled}

// Mode is the modalité d'accueil of a stay.
type Mode string

// Modes d'accueil.
const (
	ModePermanent  Mode = "hebergement_permanent"
	ModeTemporaire Mode = "hebergement_temporaire"
	ModeJour       Mode = "accueil_de_jour"
	ModeNuit       Mode = "accueil_de_nuit"
	ModeDomicile   Mode = "domicile"
	ModeInternat   Mode = "internat"
	ModeSemiInt    Mode = "semi_internat"
	ModeExternat   Mode = "externat"
	ModeSequentiel Mode = "accueil_sequentiel"
)

// AllModes in display order.
var AllModes = []Mode{ModePermanent, ModeTemporaire, ModeJour, ModeNuit, ModeDomicile, ModeInternat, ModeSemiInt, ModeExternat, ModeSequentiel}

// Label is the French name.
func (m Mode) Label() string {
	switch m {
	case ModePermanent:
		return "Hébergement permanent"
	case ModeTemporaire:
		return "Hébergement temporaire"
	case ModeJour:
		return "Accueil de jour"
	case ModeNuit:
		return "Accueil de nuit"
	case ModeDomicile:
		return "Intervention à domicile"
	case ModeInternat:
		return "Internat"
	case ModeSemiInt:
		return "Semi-internat"
	case ModeExternat:
		return "Externat"
	case ModeSequentiel:
		return "Accueil séquentiel"
	}
	return string(m)
}

// Valid reports whether m is known.
func (m Mode) Valid() bool {
	for _, k := range AllModes {
		if k == m {
			return true
		}
	}
	return false
}

// ExitReasons offered in the discharge form (free text is accepted too).
var ExitReasons = []string{"Retour à domicile", "Transfert vers un autre établissement", "Hospitalisation", "Décès", "Fin de prise en charge", "Fin de notification MDPH", "Autre"}

// Stay is a period of support in one establishment.
type Stay struct {
	ID              uuid.UUID
	OrgID           uuid.UUID
	UsagerID        uuid.UUID
	EstablishmentID uuid.UUID
	Status          StayStatus
	Mode            Mode
	PlannedEntry    time.Time
	AdmissionDate   time.Time
	DischargeDate   time.Time
	DischargeReason string
}

// Open reports whether the stay still binds the person to the establishment.
func (s Stay) Open() bool { return s.Status == StayPreadmission || s.Status == StayAdmitted }

// PreadmissionInput opens a stay in an establishment.
type PreadmissionInput struct {
	EstablishmentID string
	Mode            string
	PlannedEntry    string
}

// Parse checks the input.
func (in PreadmissionInput) Parse() (Stay, error) {
	var v ValidationError
	s := Stay{Status: StayPreadmission}
	id, err := uuid.Parse(in.EstablishmentID)
	if err != nil {
		v.Add("establishment_id", "Choisissez l'établissement ou le service.")
	}
	s.EstablishmentID = id
	s.Mode = Mode(in.Mode)
	if !s.Mode.Valid() {
		v.Add("mode", "Choisissez le mode d'accueil.")
	}
	if d, ok := parseDateField(&v, "planned_entry", in.PlannedEntry, false, "La date d'entrée prévue"); ok {
		s.PlannedEntry = d
	}
	return s, v.Err()
}

// Admit moves a pre-admission to admitted on date (typed).
func (s *Stay) Admit(date string, mode string) error {
	var v ValidationError
	if s.Status != StayPreadmission {
		v.Add("admission_date", "Seule une pré-admission peut être transformée en admission.")
		return v.Err()
	}
	d, ok := parseDateField(&v, "admission_date", date, true, "La date d'admission")
	if mode != "" {
		if !Mode(mode).Valid() {
			v.Add("mode", "Choisissez le mode d'accueil.")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	if ok {
		s.AdmissionDate = d
	}
	if mode != "" {
		s.Mode = Mode(mode)
	}
	s.Status = StayAdmitted
	return nil
}

// Discharge closes an admitted stay on date with a reason.
func (s *Stay) Discharge(date, reason string) error {
	var v ValidationError
	if s.Status != StayAdmitted {
		v.Add("discharge_date", "Seul un séjour en cours peut être clôturé par une sortie.")
		return v.Err()
	}
	d, ok := parseDateField(&v, "discharge_date", date, true, "La date de sortie")
	if ok && d.Before(s.AdmissionDate) {
		v.Add("discharge_date", "La date de sortie ne peut pas précéder la date d'admission ("+FrenchDate(s.AdmissionDate)+").")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		v.Add("discharge_reason", "Le motif de sortie est obligatoire.")
	}
	if err := v.Err(); err != nil {
		return err
	}
	s.DischargeDate, s.DischargeReason, s.Status = d, reason, StayDischarged
	return nil
}
