package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
)

const (
	systemLOINC = "http://loinc.org"
	systemUCUM  = "http://unitsofmeasure.org"
)

// codingOf names a code in LOINC, or in Relais's local system when LOINC
// has none (Algoplus).
func codingOf(code, display string) fm.Coding {
	system := systemLOINC
	if !isLOINC(code) {
		system = domain.LocalCodeSystem
	}
	return fm.Coding{System: ptr(system), Code: ptr(code), Display: ptr(display)}
}

func isLOINC(code string) bool { return strings.Contains(code, "-") }

// observation projects a measurement (vital signs profile shape): LOINC
// code, UCUM quantity; blood pressure is the panel with its two components.
// An erroneous entry is entered-in-error.
func observation(o domain.Observation) fm.Observation {
	k := o.Kind()
	status := fm.ObservationStatusFinal
	if o.Erroneous() {
		status = fm.ObservationStatusEnteredInError
	}
	out := fm.Observation{Id: ptr(o.ID.String()), Status: status, Subject: ref("Patient", o.UsagerID),
		Code:              fm.CodeableConcept{Coding: []fm.Coding{codingOf(k.LOINC, k.Label)}, Text: ptr(k.Label)},
		EffectiveDateTime: ptr(o.MeasuredAt.UTC().Format("2006-01-02T15:04:05Z")),
		Issued:            ptr(o.RecordedAt.UTC().Format("2006-01-02T15:04:05.000Z")),
		Performer:         []fm.Reference{{Display: ptr(o.AuthorName)}},
	}
	if o.Type != domain.ObsPain && o.Type != domain.ObsAlgoplus {
		out.Category = []fm.CodeableConcept{{Coding: []fm.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/observation-category"), Code: ptr("vital-signs")}}}}
	}
	qty := func(v float64) *fm.Quantity {
		return &fm.Quantity{Value: ptr(jsonNumber(v, k.Decimals)), Unit: ptr(k.Unit), System: ptr(systemUCUM), Code: ptr(k.UCUM)}
	}
	if k.Pair() {
		for i, v := range []float64{o.Value, o.Value2} {
			c := k.Components[i]
			out.Component = append(out.Component, fm.ObservationComponent{Code: fm.CodeableConcept{Coding: []fm.Coding{codingOf(c.LOINC, c.Label)}}, ValueQuantity: qty(v)})
		}
	} else {
		out.ValueQuantity = qty(o.Value)
	}
	if o.Flagged {
		out.Interpretation = []fm.CodeableConcept{{Coding: []fm.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"), Code: ptr("A"), Display: ptr("Abnormal")}},
			Text: ptr("Hors des valeurs habituelles, confirmé par le soignant")}}
	}
	if o.Comment != "" {
		out.Note = append(out.Note, fm.Annotation{Text: o.Comment})
	}
	if o.Erroneous() {
		out.Note = append(out.Note, fm.Annotation{Text: "Saisie erronée : " + o.ErroneousReason})
	}
	return out
}

// jsonNumber writes v with the type's decimals (72.5, not 72.500000001).
func jsonNumber(v float64, decimals int) json.Number {
	return json.Number(strconv.FormatFloat(v, 'f', decimals, 64))
}

// observationResource is Observation read and searched by patient, code
// (LOINC, or Relais's local code for Algoplus) and date of measurement.
func observationResource() filteredResource {
	// The store takes the types and the earliest date asked for: a
	// person's constantes over years are many.
	narrow := func(tx domain.Tx, usager uuid.UUID, params url.Values) ([]idResource, error) {
		q := domain.ObservationQuery{UsagerID: usager, IncludeErroneous: true}
		if codes, _ := codeParam(params["code"]); len(codes) > 0 {
			for _, k := range domain.ObservationKinds() {
				if matchCodes(codes, codingOf(k.LOINC, k.Label)) {
					q.Types = append(q.Types, k.Type)
				}
			}
			if len(q.Types) == 0 {
				return nil, nil // no kind has the code
			}
		}
		when, _ := dateParam(params, "date")
		q.Since = since(when)
		obs, err := tx.Observations(q)
		var out []idResource
		for _, o := range obs {
			out = append(out, idResource{o.ID, observation(o)})
		}
		return out, err
	}
	return filteredResource{scopedResource: scopedResource{name: "Observation",
		read: func(tx domain.Tx, id uuid.UUID) (uuid.UUID, any, error) {
			o, err := tx.Observation(id)
			return o.UsagerID, observation(o), err
		},
		list: func(tx domain.Tx, usager uuid.UUID) ([]idResource, error) { return narrow(tx, usager, nil) }},
		narrow: narrow,
		filter: func(params url.Values) (func(any) bool, error) {
			codes, err := codeParam(params["code"])
			if err != nil {
				return nil, err
			}
			when, err := dateParam(params, "date")
			return func(r any) bool {
				o := r.(fm.Observation)
				t, _ := parseInstant(*o.EffectiveDateTime)
				return matchDates(when, t) && matchCodes(codes, o.Code.Coding[0])
			}, err
		}}
}

// systemCode is one alternative of a token parameter; an empty system
// matches any.
type systemCode struct{ system, code string }

// codeParam reads the code parameter: LOINC or Relais's local system.
func codeParam(values []string) ([][]systemCode, error) {
	var out [][]systemCode
	for _, v := range values {
		var alts []systemCode
		for _, t := range strings.Split(v, ",") {
			sys, code, found := strings.Cut(strings.TrimSpace(t), "|")
			if !found {
				sys, code = "", sys
			}
			if sys != "" && sys != systemLOINC && sys != domain.LocalCodeSystem {
				return nil, paramError{"code", "code : seuls les systèmes " + systemLOINC + " et " + domain.LocalCodeSystem + " sont pris en charge."}
			}
			if code == "" {
				return nil, paramError{"code", "code attend un code LOINC (par exemple http://loinc.org|29463-7)."}
			}
			alts = append(alts, systemCode{sys, code})
		}
		out = append(out, alts)
	}
	return out, nil
}

func matchCodes(lists [][]systemCode, c fm.Coding) bool {
	for _, alts := range lists {
		ok := false
		for _, a := range alts {
			ok = ok || (*c.Code == a.code && (a.system == "" || *c.System == a.system))
		}
		if !ok {
			return false
		}
	}
	return true
}

// observationFromFHIR maps a posted Observation to the entry form of the
// UI (type, values, unit, time, comment, confirmation), so that the
// domain's own checks apply (ranges, decimals, units), and returns the
// person and the exact time of measurement (the form keeps minutes). A
// value outside the usual range is accepted when the Observation carries
// an interpretation: the partner states it is abnormal, as the UI's
// confirmation does. paths names where each form field came from.
func observationFromFHIR(o fm.Observation) (in domain.ObservationInput, usager uuid.UUID, at time.Time, paths map[string]string, err error) {
	paths = map[string]string{domain.ObsFieldType: "Observation.code", domain.ObsFieldMeasuredAt: "Observation.effectiveDateTime",
		domain.ObsFieldConfirm: "Observation.interpretation", domain.ObsFieldValue: "Observation.valueQuantity.value",
		domain.ObsFieldUnit: "Observation.valueQuantity.code"}
	id, ok := refID(o.Subject, "Patient")
	if !ok {
		return in, uuid.Nil, at, paths, badInput{"Observation.subject", "La personne mesurée est obligatoire (subject : Patient/<identifiant>)."}
	}
	switch o.Status {
	case fm.ObservationStatusFinal, fm.ObservationStatusAmended, fm.ObservationStatusCorrected:
	default:
		return in, id, at, paths, badInput{"Observation.status", "Seule une mesure définitive (final) est enregistrée."}
	}
	var kind domain.ObservationKind
	for _, c := range o.Code.Coding {
		if c.Code == nil || (c.System != nil && *c.System != systemLOINC && *c.System != domain.LocalCodeSystem) {
			continue
		}
		for _, k := range domain.ObservationKinds() {
			if k.LOINC == *c.Code {
				kind = k
			}
		}
	}
	if kind.Type == "" {
		var known []string
		for _, k := range domain.ObservationKinds() {
			known = append(known, k.LOINC+" ("+strings.ToLower(k.Label)+")")
		}
		return in, id, at, paths, badInput{"Observation.code", "Constante non prise en charge : codes attendus " + strings.Join(known, ", ") + "."}
	}
	in.Type = string(kind.Type)
	// quantity reads a value and checks its unit against the kind's UCUM
	// code (glucose: g/L or mmol/L).
	quantity := func(q *fm.Quantity, path string) (string, string, error) {
		if q == nil || q.Value == nil {
			return "", "", badInput{path + ".value", "Valeur manquante (valueQuantity.value)."}
		}
		if q.System != nil && *q.System != systemUCUM {
			return "", "", badInput{path + ".system", "Les unités sont en UCUM (système " + systemUCUM + ")."}
		}
		units := []string{kind.UCUM}
		if kind.Type == domain.ObsGlucose {
			units = append(units, "mmol/L")
		}
		if q.Code == nil || !slices.Contains(units, *q.Code) {
			return "", "", badInput{path + ".code", "Unité UCUM attendue pour " + strings.ToLower(kind.Label) + " : " + strings.Join(units, " ou ") + "."}
		}
		return q.Value.String(), *q.Code, nil
	}
	if kind.Pair() {
		for i, c := range o.Component {
			for n, want := range kind.Components {
				if len(c.Code.Coding) == 0 || c.Code.Coding[0].Code == nil || *c.Code.Coding[0].Code != want.LOINC {
					continue
				}
				path := fmt.Sprintf("Observation.component[%d].valueQuantity", i)
				v, _, err := quantity(c.ValueQuantity, path)
				if err != nil {
					return in, id, at, paths, err
				}
				if n == 0 {
					in.Value, paths[domain.ObsFieldValue] = v, path+".value"
				} else {
					in.Value2, paths[domain.ObsFieldValue2] = v, path+".value"
				}
			}
		}
		if in.Value == "" || in.Value2 == "" {
			return in, id, at, paths, badInput{"Observation.component", "La tension s'envoie en deux composantes : systolique (" + kind.Components[0].LOINC + ") et diastolique (" + kind.Components[1].LOINC + ")."}
		}
	} else {
		v, unit, err := quantity(o.ValueQuantity, "Observation.valueQuantity")
		if err != nil {
			return in, id, at, paths, err
		}
		in.Value, in.Unit = v, unit
	}
	if o.EffectiveDateTime != nil {
		t, ok := parseInstant(*o.EffectiveDateTime)
		if !ok {
			return in, id, at, paths, badInput{"Observation.effectiveDateTime", "Date et heure de la mesure attendues avec leur fuseau (AAAA-MM-JJThh:mm:ss+01:00)."}
		}
		at, in.MeasuredAt = t, t.In(domain.Paris()).Format("2006-01-02T15:04")
	}
	var notes []string
	for _, n := range o.Note {
		notes = append(notes, n.Text)
	}
	in.Comment = strings.Join(notes, "\n")
	in.Confirmed = len(o.Interpretation) > 0
	return in, id, at, paths, nil
}

// strictObservation decodes an Observation with its resourceType.
type strictObservation struct {
	fm.Observation
	ResourceType string `json:"resourceType"`
}

// createObservation records a measurement posted by a partner for a
// person of its establishment, with the UI's checks; nothing is stored
// when anything is refused.
func (s *Server) createObservation(c *gin.Context) {
	role, ok := s.allow(c, "Observation", "write")
	if !ok {
		return
	}
	body, ok := s.readBody(c)
	if !ok {
		return
	}
	var so strictObservation
	err := decodeStrict(body, "Observation", &so, func() string { return so.ResourceType })
	var in domain.ObservationInput
	var usager uuid.UUID
	var at time.Time
	paths := map[string]string{}
	if err == nil {
		in, usager, at, paths, err = observationFromFHIR(so.Observation)
	}
	now := s.cfg.Now()
	var o domain.Observation
	if err == nil {
		o, err = in.Parse(now)
	}
	if domain.NeedsConfirmation(err) {
		// The UI's message asks to tick a box; a partner confirms with an
		// interpretation.
		v, _ := domain.AsValidation(err)
		v.Fields[domain.ObsFieldConfirm] = "Valeur inhabituelle : confirmez-la en joignant une interprétation (interpretation, par exemple H, L ou A du système v3-ObservationInterpretation)."
	}
	if refuse(c, err, "Observation", paths) {
		return
	}
	if err != nil {
		s.internal(c, err)
		return
	}
	cp := client(c)
	if !at.IsZero() {
		o.MeasuredAt = at // to the second: the form keeps minutes
	}
	o.UsagerID, o.EstablishmentID, o.AuthorID, o.AuthorName, o.RecordedAt = usager, cp.Client.EstablishmentID, cp.UserID, authorName(c), now.UTC()
	var unknown bool
	var out fm.Observation
	err = s.inTenant(c, func(tx domain.Tx) error {
		if err := s.mustSee(c, tx, usager); errors.Is(err, domain.ErrNotFound) {
			unknown = true
			return nil
		} else if err != nil {
			return err
		}
		batch := []domain.Observation{o}
		if err := tx.SaveObservations(batch); err != nil {
			return err
		}
		saved, err := tx.Observation(batch[0].ID)
		if err != nil {
			return err
		}
		out = observation(saved)
		return s.trace(c, tx, role, usager, domain.SectionCare, domain.ActionWrite, "création Observation ("+o.Type.Label()+")")
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	if unknown {
		outcome(c, http.StatusBadRequest, fm.IssueTypeNotFound, "Personne introuvable dans l'établissement du client.", "Observation.subject")
		return
	}
	c.Header("Location", baseURL(c)+"/Observation/"+*out.Id)
	writeJSON(c, http.StatusCreated, out)
}
