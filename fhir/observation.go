package fhir

import (
	"encoding/json"
	"strconv"
	"strings"

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
