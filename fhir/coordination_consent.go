package fhir

import (
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
)

// consent projects an agreement or a refusal of the record (partage
// d'informations, DMP, MSSanté…) as a privacy Consent: the object as
// category, permit or deny as provision, OPTIN or OPTOUT as policy rule; a
// withdrawn consent is inactive and its provision period ends then.
func consent(c domain.Consent) fm.Consent {
	status, provision, rule := fm.ConsentStateActive, fm.ConsentProvisionTypePermit, "OPTIN"
	if !c.Granted {
		provision, rule = fm.ConsentProvisionTypeDeny, "OPTOUT"
	}
	if !c.WithdrawnOn.IsZero() {
		status = fm.ConsentStateInactive
	}
	out := fm.Consent{Id: ptr(c.ID.String()), Status: status,
		Scope: fm.CodeableConcept{Coding: []fm.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/consentscope"), Code: ptr("patient-privacy"), Display: ptr("Privacy Consent")}}},
		Category: []fm.CodeableConcept{{Coding: []fm.Coding{{System: ptr("urn:relais:consent-scope"), Code: ptr(string(c.Scope)), Display: ptr(c.Scope.Label())}},
			Text: ptr(c.Scope.Label())}},
		Patient:    ref("Patient", c.UsagerID),
		PolicyRule: &fm.CodeableConcept{Coding: []fm.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/v3-ActCode"), Code: ptr(rule)}}},
		Provision:  &fm.ConsentProvision{Type: &provision},
	}
	if !c.GivenOn.IsZero() {
		out.DateTime = date(c.GivenOn)
		out.Provision.Period = &fm.Period{Start: date(c.GivenOn)}
		if !c.WithdrawnOn.IsZero() {
			out.Provision.Period.End = date(c.WithdrawnOn)
		}
	}
	// Who expressed it: the person, or a relative named by the record.
	switch c.GivenBy {
	case "usager":
		out.Performer = []fm.Reference{{Reference: ptr("Patient/" + c.UsagerID.String()), Display: ptr(domain.GivenByLabel(c.GivenBy))}}
	case "":
	default:
		name := domain.GivenByLabel(c.GivenBy)
		if c.GivenByName != "" {
			name += " : " + c.GivenByName
		}
		out.Performer = []fm.Reference{{Type: ptr("RelatedPerson"), Display: ptr(name)}}
	}
	return out
}
