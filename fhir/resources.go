package fhir

import (
	"strings"

	"github.com/google/uuid"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
)

// Identifier systems of establishments (FINESS and the national structure
// id "1"+FINESS, DOMAIN.md › FHIR).
const (
	systemFINESS  = "https://finess.esante.gouv.fr"
	systemIdNatSt = "urn:oid:1.2.250.1.71.4.2.2"
)

func ref(typ string, id uuid.UUID) *fm.Reference {
	return &fm.Reference{Reference: ptr(typ + "/" + id.String())}
}

func date(t interface{ Format(string) string }) *string { return ptr(t.Format("2006-01-02")) }

// organisation projects the legal entity (FINESS juridique).
func organisation(o domain.Organisation) fm.Organization {
	return fm.Organization{Id: ptr(o.ID.String()), Active: ptr(true), Name: ptr(o.Name),
		Identifier: []fm.Identifier{{System: ptr(systemFINESS), Value: ptr(o.FinessEJ)}, {System: ptr(systemIdNatSt), Value: ptr("1" + o.FinessEJ)}},
		Type:       []fm.CodeableConcept{{Text: ptr("Entité juridique")}}}
}

// establishment projects an establishment or service (FINESS géographique),
// part of its organisation.
func establishment(e domain.Establishment) fm.Organization {
	return fm.Organization{Id: ptr(e.ID.String()), Active: ptr(true), Name: ptr(e.Name),
		Identifier: []fm.Identifier{{System: ptr(systemFINESS), Value: ptr(e.FinessET)}, {System: ptr(systemIdNatSt), Value: ptr("1" + e.FinessET)}},
		Type:       []fm.CodeableConcept{{Text: ptr(e.Category.Label())}},
		PartOf:     ref("Organization", e.OrgID)}
}

// homeCare categories visit people at home: their stays are home-health
// encounters; the others are residential or day care.
func homeCare(c domain.Category) bool {
	return c == domain.CatSSIAD || c == domain.CatSAAD || c == domain.CatSPASAD || c == domain.CatSESSAD
}

// encounter projects a stay (TDDUI: the stay is an Encounter).
func encounter(s domain.Stay, cat domain.Category) fm.Encounter {
	status := map[domain.StayStatus]fm.EncounterStatus{
		domain.StayPreadmission: fm.EncounterStatusPlanned, domain.StayAdmitted: fm.EncounterStatusInProgress,
		domain.StayDischarged: fm.EncounterStatusFinished, domain.StayCancelled: fm.EncounterStatusCancelled,
	}[s.Status]
	class := fm.Coding{System: ptr("http://terminology.hl7.org/CodeSystem/v3-ActCode"), Code: ptr("NONAC"), Display: ptr("inpatient non-acute")}
	if homeCare(cat) {
		class = fm.Coding{System: ptr("http://terminology.hl7.org/CodeSystem/v3-ActCode"), Code: ptr("HH"), Display: ptr("home health")}
	}
	e := fm.Encounter{Id: ptr(s.ID.String()), Status: status, Class: class, Subject: ref("Patient", s.UsagerID),
		ServiceProvider: ref("Organization", s.EstablishmentID), Type: []fm.CodeableConcept{{Text: ptr(s.Mode.Label())}}}
	start := s.AdmissionDate
	if start.IsZero() {
		start = s.PlannedEntry
	}
	if !start.IsZero() {
		e.Period = &fm.Period{Start: date(start)}
		if !s.DischargeDate.IsZero() {
			e.Period.End = date(s.DischargeDate)
		}
	}
	if s.DischargeReason != "" {
		e.Hospitalization = &fm.EncounterHospitalization{DischargeDisposition: &fm.CodeableConcept{Text: ptr(s.DischargeReason)}}
	}
	return e
}

// relatedPerson projects a member of the entourage; the roles (personne de
// confiance, à prévenir, représentant légal…) are its relationships.
func relatedPerson(c domain.Contact) fm.RelatedPerson {
	r := fm.RelatedPerson{Id: ptr(c.ID.String()), Active: ptr(true), Patient: *ref("Patient", c.UsagerID),
		Name: []fm.HumanName{{Family: ptr(strings.ToUpper(c.LastName)), Given: nonEmpty(c.FirstName)}}}
	if c.Relationship != "" {
		r.Relationship = append(r.Relationship, fm.CodeableConcept{Text: ptr(c.Relationship)})
	}
	for _, role := range c.Roles {
		r.Relationship = append(r.Relationship, fm.CodeableConcept{Text: ptr(role.Label())})
	}
	if c.Phone != "" {
		r.Telecom = append(r.Telecom, fm.ContactPoint{System: ptr(fm.ContactPointSystemPhone), Value: ptr(c.Phone)})
	}
	if c.Email != "" {
		r.Telecom = append(r.Telecom, fm.ContactPoint{System: ptr(fm.ContactPointSystemEmail), Value: ptr(c.Email)})
	}
	if c.Address != "" {
		r.Address = []fm.Address{{Text: ptr(c.Address)}}
	}
	return r
}

// allergy projects an allergy or intolerance of the medical section. An
// erroneous entry is entered-in-error and then carries no clinical status
// (FHIR invariant ait-2).
func allergy(m domain.MedicalItem) fm.AllergyIntolerance {
	a := fm.AllergyIntolerance{Id: ptr(m.ID.String()), Patient: *ref("Patient", m.UsagerID),
		Code: &fm.CodeableConcept{Text: ptr(m.Label)}, RecordedDate: ptr(m.RecordedAt.UTC().Format("2006-01-02T15:04:05Z")),
		Recorder: &fm.Reference{Display: ptr(m.AuthorName)}}
	typ := fm.AllergyIntoleranceTypeAllergy
	if m.Kind == domain.MedicalIntolerance {
		typ = fm.AllergyIntoleranceTypeIntolerance
	}
	a.Type = &typ
	switch m.Criticality {
	case domain.CriticalityHigh:
		a.Criticality = ptr(fm.AllergyIntoleranceCriticalityHigh)
	case domain.CriticalityLow:
		a.Criticality = ptr(fm.AllergyIntoleranceCriticalityLow)
	case domain.CriticalityUnknown:
		a.Criticality = ptr(fm.AllergyIntoleranceCriticalityUnableToAssess)
	}
	verification := "confirmed"
	switch m.Status {
	case domain.MedicalErroneous:
		verification = "entered-in-error"
	case domain.MedicalResolved:
		a.ClinicalStatus = clinical("resolved")
	default:
		a.ClinicalStatus = clinical("active")
	}
	a.VerificationStatus = &fm.CodeableConcept{Coding: []fm.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"), Code: ptr(verification)}}}
	if !m.Onset.IsZero() {
		a.OnsetDateTime = date(m.Onset)
	}
	if m.Reaction != "" {
		a.Reaction = []fm.AllergyIntoleranceReaction{{Manifestation: []fm.CodeableConcept{{Text: ptr(m.Reaction)}}}}
	}
	if m.Note != "" {
		a.Note = []fm.Annotation{{Text: m.Note}}
	}
	return a
}

func clinical(code string) *fm.CodeableConcept {
	return &fm.CodeableConcept{Coding: []fm.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"), Code: ptr(code)}}}
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
