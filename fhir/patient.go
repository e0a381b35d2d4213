package fhir

import (
	"strings"

	"github.com/google/uuid"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/domain/ins"
)

// Canonical URLs of the FR Core artefacts Relais emits (one place).
const (
	frCorePatientINS       = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-ins"
	extIdentityReliability = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability"
	extBirthListGivenName  = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-birth-list-given-name"
	extBirthPlace          = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"
	extInseeCode           = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code"
	csIdentityStatus       = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status"
	csValidationMode       = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-mode-validation-identity"
	csIdentifierType       = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"
)

// validationModes maps the identity documents of the RNIV to the FR Core
// validation-mode codes; documents that do not validate an identity have none.
var validationModes = map[domain.DocumentType]string{
	domain.DocCNI:              "CN",
	domain.DocPasseport:        "PA",
	domain.DocTitreSejour:      "CS",
	domain.DocExtraitNaissance: "AN",
	domain.DocLivretFamille:    "LE",
}

// patient projects a record on FR Core Patient (INS profile when the
// identity is qualified). The matricule INS travels only for a QUAL
// identity (RNIV); the birth traits always do.
func patient(u domain.Usager, id domain.Identity) fm.Patient {
	p := fm.Patient{Id: ptr(u.ID.String()), Active: ptr(u.MergedInto == uuid.Nil)}
	if !u.UpdatedAt.IsZero() {
		p.Meta = &fm.Meta{VersionId: ptr(version(u)), LastUpdated: ptr(u.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z"))}
	}
	if id.Status == domain.IdentityQUAL && id.INS != nil {
		p.Meta = orMeta(p.Meta)
		p.Meta.Profile = []string{frCorePatientINS}
		code := "INS-NIR"
		if id.INS.OID == ins.OIDNIA {
			code = "INS-NIA"
		}
		p.Identifier = append(p.Identifier, fm.Identifier{
			Use:    ptr(fm.IdentifierUseOfficial),
			Type:   &fm.CodeableConcept{Coding: []fm.Coding{{System: ptr(csIdentifierType), Code: ptr(code)}}},
			System: ptr("urn:oid:" + id.INS.OID),
			Value:  ptr(id.INS.String()),
		})
	}
	// Names as recorded (the round trip must not lose their case).
	p.Name = append(p.Name, fm.HumanName{Use: ptr(fm.NameUseOfficial), Family: ptr(u.BirthName), Given: u.FirstNames})
	if u.UsedName != "" || u.UsedFirstName != "" {
		n := fm.HumanName{Use: ptr(fm.NameUseUsual)}
		if u.UsedName != "" {
			n.Family = ptr(u.UsedName)
		}
		if u.UsedFirstName != "" {
			n.Given = []string{u.UsedFirstName}
		}
		p.Name = append(p.Name, n)
	}
	p.Gender = ptr(gender(u.Sex))
	p.BirthDate = ptr(u.BirthDate.Format("2006-01-02"))
	if len(u.FirstNames) > 0 {
		p.Extension = append(p.Extension, fm.Extension{Url: extBirthListGivenName, ValueString: ptr(strings.Join(u.FirstNames, " "))})
	}
	if u.BirthPlaceCode != "" {
		p.Extension = append(p.Extension, fm.Extension{Url: extBirthPlace, ValueAddress: &fm.Address{
			Extension: []fm.Extension{{Url: extInseeCode, ValueCoding: &fm.Coding{System: ptr("https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM"), Code: ptr(u.BirthPlaceCode)}}}}})
	}
	p.Extension = append(p.Extension, reliability(id))
	if u.Address != "" || u.City != "" {
		a := fm.Address{Use: ptr(fm.AddressUseHome), City: strOrNil(u.City), PostalCode: strOrNil(u.PostalCode)}
		if u.Address != "" {
			a.Line = []string{u.Address}
		}
		p.Address = []fm.Address{a}
	}
	if u.Phone != "" {
		p.Telecom = append(p.Telecom, fm.ContactPoint{System: ptr(fm.ContactPointSystemPhone), Value: ptr(u.Phone)})
	}
	if u.Email != "" {
		p.Telecom = append(p.Telecom, fm.ContactPoint{System: ptr(fm.ContactPointSystemEmail), Value: ptr(u.Email)})
	}
	return p
}

// reliability is the RNIV status with, when an identity document was
// checked, its validation mode and date.
func reliability(id domain.Identity) fm.Extension {
	e := fm.Extension{Url: extIdentityReliability}
	e.Extension = append(e.Extension, fm.Extension{Url: "identityStatus", ValueCoding: &fm.Coding{System: ptr(csIdentityStatus), Code: ptr(string(id.Status))}})
	if mode, ok := validationModes[id.Document]; ok && !id.DocumentCheckedAt.IsZero() {
		e.Extension = append(e.Extension,
			fm.Extension{Url: "validationMode", ValueCoding: &fm.Coding{System: ptr(csValidationMode), Code: ptr(mode)}},
			fm.Extension{Url: "validationDate", ValueDate: ptr(id.DocumentCheckedAt.In(domain.Paris()).Format("2006-01-02"))})
	}
	if !id.INSRetrievedAt.IsZero() {
		e.Extension = append(e.Extension, fm.Extension{Url: "dateInterrogationINSi", ValueDate: ptr(id.INSRetrievedAt.In(domain.Paris()).Format("2006-01-02"))})
	}
	return e
}

func gender(s domain.Sex) fm.AdministrativeGender {
	switch s {
	case domain.SexF:
		return fm.AdministrativeGenderFemale
	case domain.SexM:
		return fm.AdministrativeGenderMale
	}
	return fm.AdministrativeGenderUnknown
}

func orMeta(m *fm.Meta) *fm.Meta {
	if m == nil {
		return &fm.Meta{}
	}
	return m
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
