package fhir

import (
	"encoding/json"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
)

// Medication resources have their own Go types: samply's MedicationRequest
// and MedicationAdministration marshal every medication[x] alternative (an
// empty medicationReference beside medicationCodeableConcept), which is not
// valid FHIR. These types hold only the elements Relais emits.

// Code systems of drugs (ANS terminologies) and of Relais's own codes.
const (
	systemCIP13        = "http://data.esante.gouv.fr/ansm/medicament/codeCIP13"
	systemUCD          = "http://data.esante.gouv.fr/ansm/medicament/UCD"
	systemRPPS         = "urn:oid:1.2.250.1.71.4.2.1" // idNatPS: "8" + RPPS
	systemRoute        = "https://relais-dui.fr/CodeSystem/route"
	systemAdminStatus  = "https://relais-dui.fr/CodeSystem/administration-status"
	extPlannedTime     = "https://relais-dui.fr/StructureDefinition/planned-time"
	systemMissedReason = "https://relais-dui.fr/CodeSystem/missed-reason"
)

type medicationRequestJSON struct {
	ResourceType              string              `json:"resourceType"`
	ID                        string              `json:"id"`
	Status                    string              `json:"status"`
	StatusReason              *fm.CodeableConcept `json:"statusReason,omitempty"`
	Intent                    string              `json:"intent"`
	MedicationCodeableConcept fm.CodeableConcept  `json:"medicationCodeableConcept"`
	Subject                   fm.Reference        `json:"subject"`
	AuthoredOn                string              `json:"authoredOn"`
	Requester                 *fm.Reference       `json:"requester,omitempty"`
	Recorder                  *fm.Reference       `json:"recorder,omitempty"`
	Note                      []fm.Annotation     `json:"note,omitempty"`
	DosageInstruction         []fm.Dosage         `json:"dosageInstruction"`
}

type medicationAdministrationJSON struct {
	ResourceType              string                          `json:"resourceType"`
	ID                        string                          `json:"id"`
	Extension                 []fm.Extension                  `json:"extension,omitempty"`
	Status                    string                          `json:"status"`
	StatusReason              []fm.CodeableConcept            `json:"statusReason,omitempty"`
	MedicationCodeableConcept fm.CodeableConcept              `json:"medicationCodeableConcept"`
	Subject                   fm.Reference                    `json:"subject"`
	EffectiveDateTime         string                          `json:"effectiveDateTime"`
	Performer                 []medicationAdministrationActor `json:"performer,omitempty"`
	ReasonCode                []fm.CodeableConcept            `json:"reasonCode,omitempty"`
	Request                   *fm.Reference                   `json:"request,omitempty"`
	Note                      []fm.Annotation                 `json:"note,omitempty"`
	Dosage                    *medicationAdministrationDosage `json:"dosage,omitempty"`
}

type medicationAdministrationActor struct {
	Actor fm.Reference `json:"actor"`
}

type medicationAdministrationDosage struct {
	Route *fm.CodeableConcept `json:"route,omitempty"`
	Dose  *fm.Quantity        `json:"dose,omitempty"`
}

// medication names the drug: its text, and its CIP13 or UCD code when the
// line has one.
func medication(p domain.Prescription) fm.CodeableConcept {
	cc := fm.CodeableConcept{Text: ptr(p.Drug)}
	switch p.CodeSystem {
	case domain.CodeCIP13:
		cc.Coding = []fm.Coding{{System: ptr(systemCIP13), Code: ptr(p.Code), Display: ptr(p.Drug)}}
	case domain.CodeUCD:
		cc.Coding = []fm.Coding{{System: ptr(systemUCD), Code: ptr(p.Code), Display: ptr(p.Drug)}}
	}
	return cc
}

// ucumUnits are the dose units that have a UCUM code; the others
// (comprimé, goutte…) travel as text.
var ucumUnits = map[string]string{"mg": "mg", "g": "g", "µg": "ug", "ml": "mL", "UI": "[iU]"}

func doseQuantity(q float64, unit string) *fm.Quantity {
	out := &fm.Quantity{Value: ptr(json.Number(strconv.FormatFloat(q, 'f', -1, 64))), Unit: ptr(unit)}
	if code, ok := ucumUnits[unit]; ok {
		out.System, out.Code = ptr(systemUCUM), ptr(code)
	}
	return out
}

func route(r domain.Route) *fm.CodeableConcept {
	return &fm.CodeableConcept{Coding: []fm.Coding{{System: ptr(systemRoute), Code: ptr(string(r)), Display: ptr(r.Label())}}, Text: ptr(r.Label())}
}

var fhirWeekdays = map[time.Weekday]fm.DaysOfWeek{time.Monday: fm.DaysOfWeekMon, time.Tuesday: fm.DaysOfWeekTue, time.Wednesday: fm.DaysOfWeekWed,
	time.Thursday: fm.DaysOfWeekThu, time.Friday: fm.DaysOfWeekFri, time.Saturday: fm.DaysOfWeekSat, time.Sunday: fm.DaysOfWeekSun}

// medicationRequestStatus is the state of a line on day (a Paris calendar
// day): stopped once the arrêt is recorded, completed after its end date.
func medicationRequestStatus(p domain.Prescription, day time.Time) string {
	switch {
	case p.Stopped():
		return "stopped"
	case p.Ended(day):
		return "completed"
	}
	return "active"
}

// medicationRequest projects one line of a prescriber's order: one dosage
// per intake time (each has its quantity), or one "si besoin" dosage with
// its condition and its maximum over 24 hours. A change of dosage is an
// arrêt (stopped, with its reason) and a new line.
func medicationRequest(p domain.Prescription, now time.Time) medicationRequestJSON {
	mr := medicationRequestJSON{ResourceType: "MedicationRequest", ID: p.ID.String(), Status: medicationRequestStatus(p, domain.ParisDay(now)),
		Intent: "order", MedicationCodeableConcept: medication(p), Subject: *ref("Patient", p.UsagerID), AuthoredOn: p.OrderDate.Format("2006-01-02"),
		Requester: &fm.Reference{Display: ptr(p.Prescriber), Identifier: &fm.Identifier{System: ptr(systemRPPS), Value: ptr("8" + p.RPPS)}},
		Recorder:  &fm.Reference{Display: ptr(p.CreatedName)}}
	if p.Stopped() {
		mr.StatusReason = &fm.CodeableConcept{Text: ptr(p.StopReason)}
		mr.Note = append(mr.Note, fm.Annotation{AuthorString: ptr(p.StoppedName), Time: ptr(p.StoppedAt.UTC().Format(time.RFC3339)), Text: "Arrêt : " + p.StopReason})
	}
	if p.Notes != "" {
		mr.Note = append(mr.Note, fm.Annotation{Text: p.Notes})
	}
	bounds := &fm.Period{Start: date(p.Start)}
	if !p.End.IsZero() {
		bounds.End = date(p.End)
	}
	if p.AsNeeded {
		d := fm.Dosage{Text: ptr(p.ScheduleText()), AsNeededCodeableConcept: &fm.CodeableConcept{Text: ptr(p.Condition)},
			Timing: &fm.Timing{Repeat: &fm.TimingRepeat{BoundsPeriod: bounds}}, Route: route(p.Route),
			DoseAndRate: []fm.DosageDoseAndRate{{DoseQuantity: doseQuantity(p.Dose, p.Unit)}},
			MaxDosePerPeriod: &fm.Ratio{Numerator: &fm.Quantity{Value: ptr(json.Number(strconv.Itoa(p.MaxPer24h)))},
				Denominator: &fm.Quantity{Value: ptr(json.Number("24")), Unit: ptr("h"), System: ptr(systemUCUM), Code: ptr("h")}}}
		if p.MinInterval > 0 {
			d.AdditionalInstruction = []fm.CodeableConcept{{Text: ptr(domain.IntervalText(p.MinInterval) + " au moins entre deux prises")}}
		}
		mr.DosageInstruction = []fm.Dosage{d}
		return mr
	}
	var days []fm.DaysOfWeek
	for _, w := range p.Weekdays {
		days = append(days, fhirWeekdays[w])
	}
	for i, in := range p.Intakes {
		mr.DosageInstruction = append(mr.DosageInstruction, fm.Dosage{Sequence: ptr(i + 1),
			Text:        ptr(in.Clock() + " : " + domain.DoseText(in.Quantity, p.Unit)),
			Timing:      &fm.Timing{Repeat: &fm.TimingRepeat{BoundsPeriod: bounds, DayOfWeek: days, TimeOfDay: []string{in.Clock() + ":00"}}},
			Route:       route(p.Route),
			DoseAndRate: []fm.DosageDoseAndRate{{DoseQuantity: doseQuantity(in.Quantity, p.Unit)}}})
	}
	return mr
}

// medicationAdministration projects one record of the register: given is
// completed; refused, missed and held are not-done with their reason; a
// record replaced by a correction is entered-in-error.
func medicationAdministration(a domain.Administration, p domain.Prescription) medicationAdministrationJSON {
	ma := medicationAdministrationJSON{ResourceType: "MedicationAdministration", ID: a.ID.String(), Status: "completed",
		MedicationCodeableConcept: medication(p), Subject: *ref("Patient", a.UsagerID), EffectiveDateTime: a.At.UTC().Format(time.RFC3339),
		Performer: []medicationAdministrationActor{{Actor: fm.Reference{Display: ptr(a.ByName)}}},
		Request:   ref("MedicationRequest", a.PrescriptionID), Dosage: &medicationAdministrationDosage{Route: route(p.Route)}}
	if !a.PlannedAt.IsZero() {
		ma.Extension = []fm.Extension{{Url: extPlannedTime, ValueDateTime: ptr(a.PlannedAt.UTC().Format(time.RFC3339))}}
	}
	if a.Status == domain.AdminGiven {
		ma.Dosage.Dose = doseQuantity(a.Dose, p.Unit)
	} else {
		ma.Status = "not-done"
		reason := fm.CodeableConcept{Coding: []fm.Coding{{System: ptr(systemAdminStatus), Code: ptr(string(a.Status)), Display: ptr(a.Status.Label())}}, Text: ptr(a.Status.Label())}
		if a.Status == domain.AdminMissed {
			reason.Coding = append(reason.Coding, fm.Coding{System: ptr(systemMissedReason), Code: ptr(a.Reason), Display: ptr(domain.MissedReasonLabel(a.Reason))})
		}
		if a.ReasonText != "" {
			reason.Text = ptr(a.Status.Label() + " : " + a.ReasonText)
		}
		ma.StatusReason = []fm.CodeableConcept{reason}
	}
	if a.AsNeeded() {
		ma.ReasonCode = []fm.CodeableConcept{{Text: ptr(a.Why)}}
		ma.Note = append(ma.Note, fm.Annotation{Text: "Si besoin décidé par " + a.DecidedBy + " ; observation : " + a.Observation})
	}
	if a.Corrected() {
		ma.Note = append(ma.Note, fm.Annotation{Text: "Correction de MedicationAdministration/" + a.Corrects.String() + " : " + a.CorrectionReason})
	}
	if a.Superseded {
		ma.Status = "entered-in-error"
		ma.Note = append(ma.Note, fm.Annotation{Text: "Remplacé par une correction du registre."})
	}
	return ma
}

// registerBounds span every record of a register.
var (
	registerFrom = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	registerTo   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// medicationResources are MedicationRequest and MedicationAdministration
// as a client of estab sees them: read and searched as the UI's treatments
// page governs them (care section), the lines and records of its own
// establishment only (the UI shows those of the establishments the user
// works in).
func (s *Server) medicationResources(estab uuid.UUID) []filteredResource {
	prescriptions := func(tx domain.Tx, usager uuid.UUID) ([]domain.Prescription, error) {
		all, err := tx.Prescriptions(usager)
		var out []domain.Prescription
		for _, p := range all {
			if p.EstablishmentID == estab {
				out = append(out, p)
			}
		}
		return out, err
	}
	return []filteredResource{
		{scopedResource: scopedResource{name: "MedicationRequest",
			read: func(tx domain.Tx, id uuid.UUID) (uuid.UUID, any, error) {
				p, err := tx.Prescription(id)
				if err == nil && p.EstablishmentID != estab {
					err = domain.ErrNotFound
				}
				return p.UsagerID, medicationRequest(p, s.cfg.Now()), err
			},
			list: func(tx domain.Tx, usager uuid.UUID) ([]idResource, error) {
				ps, err := prescriptions(tx, usager)
				var out []idResource
				for _, p := range ps {
					out = append(out, idResource{p.ID, medicationRequest(p, s.cfg.Now())})
				}
				return out, err
			}},
			filter: func(params url.Values) (func(any) bool, error) {
				status, err := tokenParam(params, "status", []string{"active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown"})
				return func(r any) bool { return matchTokens(status, r.(medicationRequestJSON).Status) }, err
			}},
		{scopedResource: scopedResource{name: "MedicationAdministration",
			read: func(tx domain.Tx, id uuid.UUID) (uuid.UUID, any, error) {
				a, err := tx.Administration(id)
				if err == nil && a.EstablishmentID != estab {
					err = domain.ErrNotFound
				}
				if err != nil {
					return uuid.Nil, nil, err
				}
				p, err := tx.Prescription(a.PrescriptionID)
				return a.UsagerID, medicationAdministration(a, p), err
			},
			list: func(tx domain.Tx, usager uuid.UUID) ([]idResource, error) {
				ps, err := prescriptions(tx, usager)
				if err != nil {
					return nil, err
				}
				byID := map[uuid.UUID]domain.Prescription{}
				ids := make([]uuid.UUID, 0, len(ps))
				for _, p := range ps {
					byID[p.ID] = p
					ids = append(ids, p.ID)
				}
				as, err := tx.Administrations(ids, registerFrom, registerTo)
				var out []idResource
				for _, a := range as {
					out = append(out, idResource{a.ID, medicationAdministration(a, byID[a.PrescriptionID])})
				}
				return out, err
			}},
			filter: func(params url.Values) (func(any) bool, error) {
				status, err := tokenParam(params, "status", []string{"in-progress", "not-done", "on-hold", "completed", "entered-in-error", "stopped", "unknown"})
				if err != nil {
					return nil, err
				}
				when, err := dateParam(params, "effective-time")
				return func(r any) bool {
					ma := r.(medicationAdministrationJSON)
					t, _ := parseInstant(ma.EffectiveDateTime)
					return matchTokens(status, ma.Status) && matchDates(when, t)
				}, err
			}},
	}
}
