// Package cda builds HL7 CDA R2 documents with the CI-SIS header
// (structuration minimale): a PDF of the record as a level-1 document and
// the EHPAD emergency liaison document (DLU). Output is deterministic for
// fixed ids and clock, so documents are checked as golden files.
package cda

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/domain/ins"
)

// OIDs and code systems used by the header.
const (
	oidIdNatPS      = "1.2.250.1.71.4.2.1" // national identifiers of professionals
	oidIdNatStruct  = "1.2.250.1.71.4.2.2" // national identifiers of structures
	oidFacilityType = "1.2.250.1.71.4.2.4"
	oidPractice     = "1.2.250.1.213.1.1.4.9"
	oidLOINC        = "2.16.840.1.113883.6.1"
	oidSNOMED       = "2.16.840.1.113883.6.96"
	oidCIM10        = "2.16.840.1.113883.6.3"
	oidGender       = "2.16.840.1.113883.5.1"
	oidConfid       = "2.16.840.1.113883.5.25"
	oidSpecialty    = "1.2.250.1.213.1.1.4.5" // XDS author specialty (profession/savoir-faire)
	tmplHL7France   = "2.16.840.1.113883.2.8.2.1"
	tmplCISIS       = "1.2.250.1.213.1.1.1.1"
)

// Code is a coded value.
type Code struct{ Code, System, SystemName, Display string }

// Address is a postal address as the record holds it.
type Address struct{ Street, PostalCode, City string }

func (a Address) empty() bool { return a.Street == "" && a.PostalCode == "" && a.City == "" }

// Patient is the person with the INS and its strict traits.
type Patient struct {
	INS            ins.Matricule
	BirthName      string
	FirstNames     []string // birth first names, in order
	UsedName       string
	UsedFirstName  string
	BirthDate      time.Time
	Sex            domain.Sex
	BirthPlaceCode string // INSEE code of the birth commune, or 99 + country
	Address        Address
	Phone          string
}

// PatientFrom takes the traits of u for a document. Only a qualified
// identity may be used: otherwise the typed error says why, in French.
func PatientFrom(u domain.Usager, id domain.Identity) (Patient, error) {
	if !id.ShowsINS() || u.IdentityStatus != domain.IdentityQUAL {
		status := id.Status
		if status == "" {
			status = u.IdentityStatus
		}
		return Patient{}, &domain.IdentityNotQualifiedError{Status: status}
	}
	return Patient{INS: *id.INS, BirthName: u.BirthName, FirstNames: u.FirstNames, UsedName: u.UsedName,
		UsedFirstName: u.UsedFirstName, BirthDate: u.BirthDate, Sex: u.Sex, BirthPlaceCode: u.BirthPlaceCode,
		Address: Address{Street: u.Address, PostalCode: u.PostalCode, City: u.City}, Phone: u.Phone}, nil
}

// Organization is the establishment (FINESS géographique).
type Organization struct {
	FINESS  string
	Name    string
	Phone   string
	Address Address
}

// Professional is a person identified by an RPPS number.
type Professional struct {
	RPPS       string // 11 digits
	Family     string
	Given      string
	Profession Code // XDS author specialty (G15_10 médecin, G15_60 infirmier…)
}

// Professions of the TRE_G15 nomenclature that author documents here.
var (
	ProfessionMedecin   = Code{Code: "G15_10", System: oidSpecialty, Display: "Médecin"}
	ProfessionInfirmier = Code{Code: "G15_60", System: oidSpecialty, Display: "Infirmier"}
)

// ProfessionCode is the XDS author specialty of a TRE_G15 profession
// (G15_10 médecin, G15_60 infirmier…).
func ProfessionCode(p domain.Profession) Code {
	return Code{Code: "G15_" + string(p), System: oidSpecialty, Display: p.Label()}
}

// AuthorFor chooses the author of a document: the professional when they
// have a valid RPPS (idNatPS "8" + RPPS), otherwise nil, meaning the
// establishment signs as authoring device (accounts without RPPS).
func AuthorFor(p Professional) *Professional {
	if p.RPPS == "" || domain.CheckRPPS(p.RPPS) != "" || strings.TrimSpace(p.Family) == "" || p.Profession.Code == "" {
		return nil
	}
	return &p
}

// FacilityCode is the healthcare facility type (XDS healthcareFacilityTypeCode,
// TRE_A00 SA codes) of an establishment category.
func FacilityCode(c domain.Category) Code {
	switch c {
	case domain.CatEHPAD, domain.CatRA, domain.CatSSIAD, domain.CatSAAD, domain.CatSPASAD:
		return Code{Code: "SA17", System: oidFacilityType, Display: "Etablissement pour personnes âgées"}
	case domain.CatDITEP, domain.CatIME, domain.CatSESSAD, domain.CatFoyer, domain.CatFAM, domain.CatMAS, domain.CatESAT:
		return Code{Code: "SA16", System: oidFacilityType, Display: "Etablissement pour personnes handicapées"}
	}
	return Code{Code: "SA41", System: oidFacilityType, Display: "Autre établissement du domaine social ou médico-social"}
}

// Header is what the CI-SIS header of a document says.
type Header struct {
	ID        uuid.UUID // this version
	SetID     uuid.UUID // common to all versions
	Version   int       // 1, then 2… for replacements
	Replaces  uuid.UUID // id of the version replaced (RPLC); Nil for a first version
	Type      Code      // LOINC document type
	Title     string
	Effective time.Time
	// Confidentiality is N (normal), R (restricted) or V (very restricted).
	Confidentiality string
	Patient         Patient
	// Author nil: the establishment is the authoring device.
	Author        *Professional
	Establishment Organization
	Category      domain.Category
	// LegalAuthenticator nil: the author, or the establishment's director
	// account when the author is the device.
	LegalAuthenticator *Professional
	ServiceCode        *Code // documentationOf/serviceEvent/code
	ServiceStart       time.Time
	ServiceEnd         time.Time
	// EncounterStart is the start of the stay (componentOf); zero: unknown.
	EncounterStart time.Time
}

// ErrHeader is wrapped by the errors of an incomplete header.
var ErrHeader = errors.New("en-tête CDA incomplet")

func (h Header) check() error {
	var miss []string
	if h.ID == uuid.Nil || h.SetID == uuid.Nil {
		miss = append(miss, "identifiants du document")
	}
	if h.Version < 1 || (h.Version > 1) != (h.Replaces != uuid.Nil) {
		miss = append(miss, "version (une version 2 ou plus remplace une version précédente)")
	}
	if h.Patient.INS.IsZero() {
		miss = append(miss, "INS de la personne")
	}
	if h.Establishment.FINESS == "" || h.Establishment.Name == "" {
		miss = append(miss, "FINESS et nom de l'établissement")
	}
	if h.Effective.IsZero() {
		miss = append(miss, "date du document")
	}
	if len(miss) > 0 {
		return fmt.Errorf("%w : %s", ErrHeader, strings.Join(miss, ", "))
	}
	return nil
}

// ts writes a CDA timestamp in Paris time with its offset.
func ts(t time.Time) string { return t.In(domain.Paris()).Format("20060102150405-0700") }

func date(t time.Time) string { return t.Format("20060102") }

func uid(u uuid.UUID) string { return strings.ToUpper(u.String()) }

// OID is the 2.25 OID of a UUID (ITU-T X.667). Document ids are written as
// OIDs: the XDS uniqueId derived from them must be one.
func OID(u uuid.UUID) string { return "2.25." + new(big.Int).SetBytes(u[:]).String() }

func code(name string, c Code) *el {
	return e(name, at{"code", c.Code}, at{"displayName", c.Display}, at{"codeSystem", c.System}, at{"codeSystemName", c.SystemName})
}

func tmpl(root string) *el { return e("templateId", at{"root", root}) }

func addr(a Address) *el {
	if a.empty() {
		return e("addr", at{"nullFlavor", "NASK"})
	}
	return e("addr", optText("streetAddressLine", a.Street), optText("postalCode", a.PostalCode), optText("city", a.City))
}

func optText(name, s string) *el {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return e(name, s)
}

func telecom(phone string) *el {
	p := strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' {
			return -1
		}
		return r
	}, phone)
	if p == "" {
		return e("telecom", at{"nullFlavor", "NASK"})
	}
	return e("telecom", at{"value", "tel:" + p}, at{"use", "WP"})
}

func orgID(o Organization) *el {
	// A structure's national identifier is "1" + FINESS.
	return e("id", at{"root", oidIdNatStruct}, at{"extension", "1" + o.FINESS})
}

func psID(p *Professional) *el {
	// A professional's national identifier is "8" + RPPS.
	return e("id", at{"root", oidIdNatPS}, at{"extension", "8" + p.RPPS})
}

func personName(p *Professional) *el {
	return e("name", optText("given", p.Given), e("family", strings.ToUpper(p.Family)))
}

func practice() *el {
	return e("standardIndustryClassCode", at{"code", "ESSMS"}, at{"displayName", "Etablissement ou Service Social ou Médico-Social"},
		at{"codeSystem", oidPractice})
}

func representedOrg(o Organization) *el {
	return e("representedOrganization", orgID(o), e("name", o.Name), telecom(o.Phone), addr(o.Address), practice())
}

// header writes the header elements of h into doc, with the document's own
// templateIds after the French ones.
func (h Header) header(templates ...*el) []*el {
	out := []*el{
		e("realmCode", at{"code", "FR"}),
		e("typeId", at{"root", "2.16.840.1.113883.1.3"}, at{"extension", "POCD_HD000040"}),
		tmpl(tmplHL7France),
		tmpl(tmplCISIS),
	}
	out = append(out, templates...)
	conf := h.Confidentiality
	if conf == "" {
		conf = "N"
	}
	confLabel := map[string]string{"N": "Normal", "R": "Restreint", "V": "Très restreint"}[conf]
	out = append(out,
		e("id", at{"root", OID(h.ID)}),
		code("code", h.Type),
		e("title", h.Title),
		e("effectiveTime", at{"value", ts(h.Effective)}),
		e("confidentialityCode", at{"code", conf}, at{"displayName", confLabel}, at{"codeSystem", oidConfid}),
		e("languageCode", at{"code", "fr-FR"}),
		e("setId", at{"root", OID(h.SetID)}),
		e("versionNumber", at{"value", fmt.Sprint(h.Version)}),
		h.recordTarget(),
		h.author(),
	)
	return out
}

// tail is the part of the header after the informants: custodian,
// legalAuthenticator, participants, documentationOf, relatedDocument,
// componentOf (the schema order).
func (h Header) custodianAndSigner() []*el {
	o := h.Establishment
	signer := h.LegalAuthenticator
	if signer == nil {
		signer = h.Author
	}
	var entity *el
	if signer != nil {
		entity = e("assignedEntity", psID(signer), addr(o.Address), telecom(o.Phone),
			e("assignedPerson", personName(signer)), representedOrg(o))
	} else {
		entity = e("assignedEntity", orgID(o), addr(o.Address), telecom(o.Phone), representedOrg(o))
	}
	return []*el{
		e("custodian", e("assignedCustodian", e("representedCustodianOrganization",
			orgID(o), e("name", o.Name), telecom(o.Phone), addr(o.Address)))),
		e("legalAuthenticator", e("time", at{"value", ts(h.Effective)}), e("signatureCode", at{"code", "S"}), entity),
	}
}

func (h Header) documentationOf() *el {
	o := h.Establishment
	start, end := h.ServiceStart, h.ServiceEnd
	if start.IsZero() {
		start = h.Effective
	}
	var performer *el
	if p := h.Author; p != nil {
		performer = e("assignedEntity", psID(p), code("code", p.Profession), e("assignedPerson", personName(p)), representedOrg(o))
	} else {
		performer = e("assignedEntity", orgID(o), representedOrg(o))
	}
	var svcCode *el
	if h.ServiceCode != nil {
		svcCode = code("code", *h.ServiceCode)
	}
	var high *el
	if !end.IsZero() {
		high = e("high", at{"value", ts(end)})
	}
	return e("documentationOf", e("serviceEvent", svcCode,
		e("effectiveTime", e("low", at{"value", ts(start)}), high),
		e("performer", at{"typeCode", "PRF"}, performer)))
}

func (h Header) relatedDocument() *el {
	if h.Replaces == uuid.Nil {
		return nil
	}
	return e("relatedDocument", at{"typeCode", "RPLC"}, e("parentDocument", e("id", at{"root", OID(h.Replaces)})))
}

func (h Header) componentOf() *el {
	start := h.EncounterStart
	var low *el
	if start.IsZero() {
		low = e("low", at{"nullFlavor", "UNK"})
	} else {
		low = e("low", at{"value", date(start)})
	}
	return e("componentOf", e("encompassingEncounter",
		e("effectiveTime", low),
		e("location", e("healthCareFacility", code("code", FacilityCode(h.Category))))))
}

func (h Header) recordTarget() *el {
	p := h.Patient
	given := strings.Join(p.FirstNames, " ")
	first := ""
	if len(p.FirstNames) > 0 {
		first = p.FirstNames[0]
	}
	name := e("name",
		e("family", at{"qualifier", "BR"}, strings.ToUpper(p.BirthName)),
		e("given", strings.ToUpper(given)),
		e("given", at{"qualifier", "BR"}, strings.ToUpper(first)))
	if p.UsedName != "" {
		name.add(e("family", at{"qualifier", "CL"}, strings.ToUpper(p.UsedName)))
	}
	if p.UsedFirstName != "" {
		name.add(e("given", at{"qualifier", "CL"}, strings.ToUpper(p.UsedFirstName)))
	}
	sex := map[domain.Sex][2]string{domain.SexF: {"F", "Féminin"}, domain.SexM: {"M", "Masculin"}}[p.Sex]
	if sex[0] == "" {
		sex = [2]string{"U", "Inconnu"}
	}
	var birthplace *el
	if p.BirthPlaceCode != "" {
		birthplace = e("birthplace", e("place", e("addr", e("county", p.BirthPlaceCode))))
	}
	var phone *el
	if p.Phone != "" {
		phone = telecom(p.Phone)
		phone.attrs[1].Value = "H"
	}
	return e("recordTarget", e("patientRole",
		e("id", at{"root", p.INS.OID}, at{"extension", p.INS.String()}),
		addr(p.Address), phone,
		e("patient", at{"classCode", "PSN"}, name,
			e("administrativeGenderCode", at{"code", sex[0]}, at{"displayName", sex[1]}, at{"codeSystem", oidGender}),
			e("birthTime", at{"value", date(p.BirthDate)}),
			birthplace)))
}

func (h Header) author() *el {
	o := h.Establishment
	var who *el
	if p := h.Author; p != nil {
		who = e("assignedAuthor", psID(p), code("code", p.Profession), addr(o.Address), telecom(o.Phone),
			e("assignedPerson", personName(p)), representedOrg(o))
	} else {
		who = e("assignedAuthor", orgID(o), addr(o.Address), telecom(o.Phone),
			e("assignedAuthoringDevice", e("manufacturerModelName", "Relais"), e("softwareName", "Relais DUI")),
			representedOrg(o))
	}
	return e("author", e("time", at{"value", ts(h.Effective)}), who)
}

// document assembles a whole ClinicalDocument: header, informants and
// participants (DLU), then the body.
func (h Header) document(templates []*el, informants, participants []*el, body *el) ([]byte, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	root := e("ClinicalDocument", at{"xmlns", "urn:hl7-org:v3"}, at{"xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"})
	root.add(h.header(templates...), informants, h.custodianAndSigner(), participants,
		h.documentationOf(), h.relatedDocument(), h.componentOf(), e("component", body))
	return marshal(root)
}
