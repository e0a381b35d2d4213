package domain

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// The document de liaison d'urgence (DLU) of an EHPAD resident gathers what
// an emergency team needs at any hour. Most of it comes from the record
// (identity, entourage, medical items, prescriptions); DLUInfo holds the
// rest: autonomy (GIR), devices, advance directives, the patient's state
// and risks, multi-resistant bacteria, the preferred hospital, the general
// practitioner and the EHPAD's own contacts.

// DLUTx stores the DLU data of a usager (one row per usager).
type DLUTx interface {
	// DLUInfo returns the usager's DLU data; a usager without any yet gets
	// a zero DLUInfo carrying only UsagerID (not an error).
	DLUInfo(usager uuid.UUID) (DLUInfo, error)
	SaveDLUInfo(d *DLUInfo) error
}

// Device is a medical device or prosthesis the emergency team must know of.
type Device string

// Devices.
const (
	DevicePacemaker     Device = "pacemaker"
	DeviceDefibrillator Device = "defibrillateur"
	DeviceOxygen        Device = "oxygene"
	DeviceCPAP          Device = "ppc"
	DeviceDentures      Device = "protheses_dentaires"
	DeviceHearingAid    Device = "appareil_auditif"
	DeviceGlasses       Device = "lunettes"
	DeviceJoint         Device = "prothese_articulaire"
	DeviceCatheter      Device = "sonde_urinaire"
	DeviceStoma         Device = "stomie"
	DevicePort          Device = "chambre_implantable"
	DeviceGastrostomy   Device = "gastrostomie"
	DeviceWalking       Device = "aide_marche"
	DeviceWheelchair    Device = "fauteuil_roulant"
)

// AllDevices in display order.
var AllDevices = []Device{DevicePacemaker, DeviceDefibrillator, DeviceOxygen, DeviceCPAP, DeviceDentures, DeviceHearingAid,
	DeviceGlasses, DeviceJoint, DeviceCatheter, DeviceStoma, DevicePort, DeviceGastrostomy, DeviceWalking, DeviceWheelchair}

// Label is the French name.
func (d Device) Label() string {
	switch d {
	case DevicePacemaker:
		return "Stimulateur cardiaque (pacemaker)"
	case DeviceDefibrillator:
		return "Défibrillateur implantable"
	case DeviceOxygen:
		return "Oxygénothérapie"
	case DeviceCPAP:
		return "Appareil de ventilation (PPC)"
	case DeviceDentures:
		return "Prothèses dentaires"
	case DeviceHearingAid:
		return "Appareils auditifs"
	case DeviceGlasses:
		return "Lunettes"
	case DeviceJoint:
		return "Prothèse articulaire (hanche, genou…)"
	case DeviceCatheter:
		return "Sonde urinaire"
	case DeviceStoma:
		return "Stomie"
	case DevicePort:
		return "Chambre implantable"
	case DeviceGastrostomy:
		return "Gastrostomie"
	case DeviceWalking:
		return "Aide à la marche (canne, déambulateur)"
	case DeviceWheelchair:
		return "Fauteuil roulant"
	}
	return string(d)
}

// PatientState is an item of the DLU "état du patient" (state and risks),
// coded in SNOMED CT by the CI-SIS value set JDV_ObservationEtatPatient.
type PatientState string

// States and risks, grouped as the DLU shows them.
const (
	StateCanAlert     PatientState = "peut_alerter"
	StateOriented     PatientState = "oriente"
	StateDisoriented  PatientState = "desoriente"
	StateAgitated     PatientState = "agite"
	StateOpposing     PatientState = "opposant"
	StateSuicideRisk  PatientState = "risque_suicidaire"
	StateVisual       PatientState = "deficit_visuel"
	StateHearing      PatientState = "deficit_auditif"
	StateLanguage     PatientState = "trouble_langage"
	StateFalls        PatientState = "chutes"
	StateWandering    PatientState = "deambulation"
	StateRunaway      PatientState = "fugue"
	StateRestraint    PatientState = "contention"
	StatePressureRisk PatientState = "risque_escarre"
	StateChoking      PatientState = "fausse_route"
)

// StateGroup is a titled group of states.
type StateGroup struct {
	Title  string
	States []PatientState
}

// StateGroups are the DLU's four groups, in order.
var StateGroups = []StateGroup{
	{"État psychique", []PatientState{StateCanAlert, StateOriented, StateDisoriented, StateAgitated, StateOpposing, StateSuicideRisk}},
	{"Handicaps, déficits", []PatientState{StateVisual, StateHearing, StateLanguage}},
	{"Déplacements, transferts", []PatientState{StateFalls, StateWandering, StateRunaway, StateRestraint}},
	{"Autres risques", []PatientState{StatePressureRisk, StateChoking}},
}

// Label is the French name.
func (s PatientState) Label() string {
	switch s {
	case StateCanAlert:
		return "Peut alerter"
	case StateOriented:
		return "Orienté(e)"
	case StateDisoriented:
		return "Désorienté(e)"
	case StateAgitated:
		return "Agité(e)"
	case StateOpposing:
		return "Opposant(e)"
	case StateSuicideRisk:
		return "Risque suicidaire"
	case StateVisual:
		return "Déficit visuel"
	case StateHearing:
		return "Déficit auditif"
	case StateLanguage:
		return "Trouble du langage"
	case StateFalls:
		return "Chutes"
	case StateWandering:
		return "Déambulation"
	case StateRunaway:
		return "Risque de fugue"
	case StateRestraint:
		return "Contention"
	case StatePressureRisk:
		return "Risque d'escarre"
	case StateChoking:
		return "Risque de fausse route"
	}
	return string(s)
}

// SNOMED is the SNOMED CT code and display of the state (CI-SIS value set).
func (s PatientState) SNOMED() (code, display string) {
	switch s {
	case StateCanAlert:
		return "288575003", "capable de communiquer"
	case StateOriented:
		return "247663003", "bien orienté"
	case StateDisoriented:
		return "62476001", "désorienté(e)"
	case StateAgitated:
		return "24199005", "sensation d'agitation"
	case StateOpposing:
		return "248043008", "comportement non-conciliant"
	case StateSuicideRisk:
		return "425104003", "comportement suicidaire"
	case StateVisual:
		return "397540003", "malvoyance"
	case StateHearing:
		return "15188001", "perte auditive"
	case StateLanguage:
		return "62305002", "trouble du langage"
	case StateFalls:
		return "161898004", "chutes"
	case StateWandering:
		return "50239007", "errance"
	case StateRunaway:
		return "248046000", "fugue"
	case StateRestraint:
		return "386423001", "contention physique"
	case StatePressureRisk:
		return "285304000", "à risque d'escarre"
	case StateChoking:
		return "249492002", "fausse route alimentaire"
	}
	return "", ""
}

// YesNo is a tri-state answer: "" not said yet, "oui", "non".
type YesNo string

// Answers.
const (
	Unknown YesNo = ""
	Yes     YesNo = "oui"
	No      YesNo = "non"
)

// Label is the French answer.
func (y YesNo) Label() string {
	switch y {
	case Yes:
		return "Oui"
	case No:
		return "Non"
	}
	return "Non renseigné"
}

// DLUInfo is the DLU data the rest of the record does not hold.
type DLUInfo struct {
	UsagerID uuid.UUID
	GIR      int // 1 to 6; 0 when not evaluated yet
	GIRDate  time.Time
	Devices  []Device
	// DevicesOther names devices not in the list.
	DevicesOther string
	Directives   YesNo  // advance directives written?
	DirectivesAt string // where they are kept
	Palliative   YesNo  // palliative care in progress?
	States       map[PatientState]bool
	// StatesChecked tells that the state has been filled in (all false is
	// then an answer, not a gap).
	StatesChecked bool
	BMR           YesNo
	BMRDetail     string
	// The hospital the resident prefers (or is followed in).
	HospitalName   string
	HospitalFINESS string
	HospitalPhone  string
	// The general practitioner (médecin traitant).
	GPName  string
	GPRPPS  string
	GPPhone string
	// The EHPAD's contacts for the emergency team.
	NursePhone       string // infirmier(e), 24 h/24
	CoordDoctorName  string // médecin coordonnateur
	CoordDoctorPhone string
	Comment          string
	UpdatedAt        time.Time
	UpdatedBy        uuid.UUID
	UpdatedByName    string
}

// Has reports whether d lists device x.
func (d DLUInfo) Has(x Device) bool {
	for _, y := range d.Devices {
		if y == x {
			return true
		}
	}
	return false
}

// DeviceLabels lists the devices in French, the free text last.
func (d DLUInfo) DeviceLabels() []string {
	var out []string
	for _, x := range d.Devices {
		out = append(out, x.Label())
	}
	if d.DevicesOther != "" {
		out = append(out, d.DevicesOther)
	}
	return out
}

// Missing lists, in French, the DLU data still to fill in.
func (d DLUInfo) Missing() []string {
	var out []string
	if d.GIR == 0 {
		out = append(out, "Le GIR (autonomie) n'est pas renseigné.")
	}
	if d.Directives == Unknown {
		out = append(out, "Indiquez si la personne a rédigé des directives anticipées.")
	} else if d.Directives == Yes && d.DirectivesAt == "" {
		out = append(out, "Indiquez où sont conservées les directives anticipées.")
	}
	if !d.StatesChecked {
		out = append(out, "L'état psychique, les déficits et les risques ne sont pas renseignés.")
	}
	if d.BMR == Unknown {
		out = append(out, "Indiquez si la personne est porteuse d'une bactérie multirésistante (BMR).")
	}
	if d.HospitalName == "" {
		out = append(out, "L'établissement de santé de préférence n'est pas renseigné.")
	}
	if d.GPName == "" {
		out = append(out, "Le médecin traitant n'est pas renseigné.")
	}
	if d.NursePhone == "" {
		out = append(out, "Le téléphone de l'infirmier(e) joignable 24 h/24 n'est pas renseigné.")
	}
	return out
}

// DLUInput is the DLU form.
type DLUInput struct {
	GIR, GIRDate                                           string
	Devices                                                []string
	DevicesOther                                           string
	Directives, DirectivesAt, Palliative                   string
	States                                                 []string
	StatesChecked                                          bool
	BMR, BMRDetail                                         string
	HospitalName, HospitalFINESS, HospitalPhone            string
	GPName, GPRPPS, GPPhone                                string
	NursePhone, CoordDoctorName, CoordDoctorPhone, Comment string
}

func parseYesNo(v *ValidationError, field, s string) YesNo {
	switch YesNo(s) {
	case Unknown, Yes, No:
		return YesNo(s)
	}
	v.Add(field, "Répondez oui ou non.")
	return Unknown
}

// Parse checks the form against today. Every field may stay empty (the page
// then lists it as missing) but what is typed must be valid.
func (in DLUInput) Parse(today time.Time) (DLUInfo, error) {
	var v ValidationError
	d := DLUInfo{
		DevicesOther: strings.TrimSpace(in.DevicesOther), DirectivesAt: strings.TrimSpace(in.DirectivesAt),
		BMRDetail: strings.TrimSpace(in.BMRDetail), HospitalName: strings.TrimSpace(in.HospitalName),
		HospitalFINESS: strings.TrimSpace(in.HospitalFINESS), HospitalPhone: strings.TrimSpace(in.HospitalPhone),
		GPName: strings.TrimSpace(in.GPName), GPRPPS: strings.TrimSpace(in.GPRPPS), GPPhone: strings.TrimSpace(in.GPPhone),
		NursePhone: strings.TrimSpace(in.NursePhone), CoordDoctorName: strings.TrimSpace(in.CoordDoctorName),
		CoordDoctorPhone: strings.TrimSpace(in.CoordDoctorPhone), Comment: strings.TrimSpace(in.Comment),
		StatesChecked: in.StatesChecked, States: map[PatientState]bool{},
	}
	if s := strings.TrimSpace(in.GIR); s != "" {
		g, err := strconv.Atoi(s)
		if err != nil || g < 1 || g > 6 {
			v.Add("gir", "Le GIR est un nombre de 1 à 6.")
		}
		d.GIR = g
		if d.GIR < 1 || d.GIR > 6 {
			d.GIR = 0
		}
	}
	if s := strings.TrimSpace(in.GIRDate); s != "" {
		t, err := time.ParseInLocation("2006-01-02", s, time.UTC)
		switch {
		case err != nil:
			v.Add("gir_date", "La date doit être au format jj/mm/aaaa.")
		case t.After(today):
			v.Add("gir_date", "La date de l'évaluation ne peut pas être dans le futur.")
		default:
			d.GIRDate = t
		}
	}
	seen := map[Device]bool{}
	for _, s := range in.Devices {
		x := Device(s)
		known := false
		for _, k := range AllDevices {
			known = known || k == x
		}
		if !known {
			v.Add("devices", "Appareillage inconnu : "+s+".")
			continue
		}
		if !seen[x] {
			seen[x] = true
			d.Devices = append(d.Devices, x)
		}
	}
	// Keep the display order whatever the form's.
	var ordered []Device
	for _, k := range AllDevices {
		if seen[k] {
			ordered = append(ordered, k)
		}
	}
	d.Devices = ordered
	d.Directives = parseYesNo(&v, "directives", in.Directives)
	d.Palliative = parseYesNo(&v, "palliative", in.Palliative)
	d.BMR = parseYesNo(&v, "bmr", in.BMR)
	for _, s := range in.States {
		x := PatientState(s)
		if c, _ := x.SNOMED(); c == "" {
			v.Add("states", "Élément d'état inconnu : "+s+".")
			continue
		}
		d.States[x] = true
		d.StatesChecked = true
	}
	if d.States[StateOriented] && d.States[StateDisoriented] {
		v.Add("states", "La personne ne peut pas être à la fois orientée et désorientée.")
	}
	if d.HospitalFINESS != "" && !ValidFINESS(d.HospitalFINESS) {
		v.Add("hospital_finess", "Le numéro FINESS compte 9 caractères (ex. 690781810).")
	}
	if d.GPRPPS != "" {
		if msg := CheckRPPS(d.GPRPPS); msg != "" {
			v.Add("gp_rpps", msg)
		}
	}
	for field, p := range map[string]string{"hospital_phone": d.HospitalPhone, "gp_phone": d.GPPhone, "nurse_phone": d.NursePhone, "coord_doctor_phone": d.CoordDoctorPhone} {
		if p != "" && !phoneRe.MatchString(p) {
			v.Add(field, "Le numéro de téléphone n'est pas valide (10 chiffres, ex. 04 78 00 00 00).")
		}
	}
	for field, s := range map[string]string{"devices_other": d.DevicesOther, "directives_at": d.DirectivesAt, "bmr_detail": d.BMRDetail,
		"hospital_name": d.HospitalName, "gp_name": d.GPName, "coord_doctor_name": d.CoordDoctorName} {
		if utf8.RuneCountInString(s) > 300 {
			v.Add(field, "Le texte est trop long (300 caractères au plus).")
		}
	}
	if utf8.RuneCountInString(d.Comment) > 2000 {
		v.Add("comment", "Le commentaire est trop long (2 000 caractères au plus).")
	}
	return d, v.Err()
}

// Input returns the form values of d.
func (d DLUInfo) Input() DLUInput {
	in := DLUInput{DevicesOther: d.DevicesOther, Directives: string(d.Directives), DirectivesAt: d.DirectivesAt,
		Palliative: string(d.Palliative), StatesChecked: d.StatesChecked, BMR: string(d.BMR), BMRDetail: d.BMRDetail,
		HospitalName: d.HospitalName, HospitalFINESS: d.HospitalFINESS, HospitalPhone: d.HospitalPhone,
		GPName: d.GPName, GPRPPS: d.GPRPPS, GPPhone: d.GPPhone, NursePhone: d.NursePhone,
		CoordDoctorName: d.CoordDoctorName, CoordDoctorPhone: d.CoordDoctorPhone, Comment: d.Comment}
	if d.GIR > 0 {
		in.GIR = strconv.Itoa(d.GIR)
	}
	if !d.GIRDate.IsZero() {
		in.GIRDate = d.GIRDate.Format("2006-01-02")
	}
	for _, x := range d.Devices {
		in.Devices = append(in.Devices, string(x))
	}
	for _, g := range StateGroups {
		for _, s := range g.States {
			if d.States[s] {
				in.States = append(in.States, string(s))
			}
		}
	}
	return in
}
