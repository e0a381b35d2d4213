package xds

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/dmp/cda"
)

// NSCDA is the namespace of HL7 CDA R2 documents.
const NSCDA = "urn:hl7-org:v3"

// OIDs of the INS (assigning authorities of the patient identifier).
const (
	OIDINSNIR     = "1.2.250.1.213.1.4.8"
	OIDINSNIA     = "1.2.250.1.213.1.4.9"
	OIDINSTestNIR = "1.2.250.1.213.1.4.10"
	OIDINSDemoNIR = "1.2.250.1.213.1.4.11"
	// OIDIdNatPS is the assigning authority of national health
	// professional identifiers (idNatPS) and of structures (idNatSt).
	OIDIdNatPS = "1.2.250.1.71.4.2.1"
	OIDIdNatSt = "1.2.250.1.71.4.2.2"
)

// insOIDs are the roots a recordTarget id must carry to be an INS.
var insOIDs = map[string]bool{OIDINSNIR: true, OIDINSNIA: true, OIDINSTestNIR: true, OIDINSDemoNIR: true}

// Code is a coded value (CDA CE, XDS classification).
type Code struct {
	Code        string
	CodeSystem  string
	DisplayName string
}

// IsZero reports whether no code is set.
func (c Code) IsZero() bool { return c.Code == "" }

// II is an instance identifier (root and optional extension).
type II struct {
	Root      string
	Extension string
}

// UniqueID is the XDS form of a CDA id: root^extension, or root alone. XDS
// uniqueIds are OIDs: a UUID root is written as its 2.25 OID (ITU-T X.667,
// the same identifier in OID form).
func (i II) UniqueID() string {
	root := i.Root
	if u, err := uuid.Parse(root); err == nil && len(root) == 36 {
		root = cda.OID(u)
	}
	if i.Extension == "" {
		return root
	}
	return root + "^" + i.Extension
}

// Person is an author or legal authenticator as the CDA header names them.
type Person struct {
	ID        II
	Family    string
	Given     string
	Specialty Code   // assignedAuthor/code
	Device    string // assignedAuthoringDevice/softwareName when the author is a device
	OrgID     II     // representedOrganization/id
	OrgName   string // representedOrganization/name
}

// Header is the part of a CDA R2 header the XDS metadata is derived from.
type Header struct {
	ID                 II
	SetID              II
	Version            int
	Code               Code // the document type (LOINC): XDS typeCode
	Title              string
	EffectiveTime      time.Time
	Confidentiality    Code
	Language           string
	PatientINS         II // recordTarget/patientRole/id carrying the INS
	BirthFamily        string
	Given              []string
	Sex                string // administrativeGenderCode: M, F, U
	BirthDate          string // YYYYMMDD as written
	BirthPlace         string // birthplace county (INSEE code of the commune)
	Authors            []Person
	LegalAuthenticator Person
	FacilityType       Code // encompassingEncounter/location/healthCareFacility/code
	PracticeSetting    Code // serviceEvent performer's representedOrganization/standardIndustryClassCode
	ServiceStart       string
	ServiceStop        string
	Replaces           II // relatedDocument[@typeCode=RPLC]/parentDocument/id
	MediaType          string
}

// The raw CDA structure, only what the header needs.
type cdaII struct {
	Root      string `xml:"root,attr"`
	Extension string `xml:"extension,attr"`
}

func (i cdaII) ii() II { return II(i) }

type cdaCE struct {
	Code        string `xml:"code,attr"`
	CodeSystem  string `xml:"codeSystem,attr"`
	DisplayName string `xml:"displayName,attr"`
}

func (c cdaCE) code() Code { return Code(c) }

type cdaValue struct {
	Value string `xml:"value,attr"`
}

type cdaPart struct {
	Qualifier string `xml:"qualifier,attr"`
	Text      string `xml:",chardata"`
}

type cdaName struct {
	Family []cdaPart `xml:"urn:hl7-org:v3 family"`
	Given  []cdaPart `xml:"urn:hl7-org:v3 given"`
}

type cdaOrg struct {
	ID       []cdaII `xml:"urn:hl7-org:v3 id"`
	Name     string  `xml:"urn:hl7-org:v3 name"`
	Industry cdaCE   `xml:"urn:hl7-org:v3 standardIndustryClassCode"`
}

type cdaAssigned struct {
	ID     []cdaII `xml:"urn:hl7-org:v3 id"`
	Code   cdaCE   `xml:"urn:hl7-org:v3 code"`
	Person struct {
		Name cdaName `xml:"urn:hl7-org:v3 name"`
	} `xml:"urn:hl7-org:v3 assignedPerson"`
	Device struct {
		SoftwareName string `xml:"urn:hl7-org:v3 softwareName"`
	} `xml:"urn:hl7-org:v3 assignedAuthoringDevice"`
	Org cdaOrg `xml:"urn:hl7-org:v3 representedOrganization"`
}

type cdaDoc struct {
	XMLName         xml.Name `xml:"urn:hl7-org:v3 ClinicalDocument"`
	ID              cdaII    `xml:"urn:hl7-org:v3 id"`
	Code            cdaCE    `xml:"urn:hl7-org:v3 code"`
	Title           string   `xml:"urn:hl7-org:v3 title"`
	EffectiveTime   cdaValue `xml:"urn:hl7-org:v3 effectiveTime"`
	Confidentiality cdaCE    `xml:"urn:hl7-org:v3 confidentialityCode"`
	Language        cdaCE    `xml:"urn:hl7-org:v3 languageCode"`
	SetID           cdaII    `xml:"urn:hl7-org:v3 setId"`
	Version         cdaValue `xml:"urn:hl7-org:v3 versionNumber"`
	RecordTarget    []struct {
		PatientRole struct {
			ID      []cdaII `xml:"urn:hl7-org:v3 id"`
			Patient struct {
				Name       []cdaName `xml:"urn:hl7-org:v3 name"`
				Gender     cdaCE     `xml:"urn:hl7-org:v3 administrativeGenderCode"`
				BirthTime  cdaValue  `xml:"urn:hl7-org:v3 birthTime"`
				Birthplace struct {
					County string `xml:"urn:hl7-org:v3 place>addr>county"`
				} `xml:"urn:hl7-org:v3 birthplace"`
			} `xml:"urn:hl7-org:v3 patient"`
		} `xml:"urn:hl7-org:v3 patientRole"`
	} `xml:"urn:hl7-org:v3 recordTarget"`
	Author []struct {
		Assigned cdaAssigned `xml:"urn:hl7-org:v3 assignedAuthor"`
	} `xml:"urn:hl7-org:v3 author"`
	LegalAuthenticator struct {
		Assigned cdaAssigned `xml:"urn:hl7-org:v3 assignedEntity"`
	} `xml:"urn:hl7-org:v3 legalAuthenticator"`
	RelatedDocument []struct {
		TypeCode string  `xml:"typeCode,attr"`
		ParentID []cdaII `xml:"urn:hl7-org:v3 parentDocument>id"`
	} `xml:"urn:hl7-org:v3 relatedDocument"`
	DocumentationOf []struct {
		ServiceEvent struct {
			EffectiveTime struct {
				Low  cdaValue `xml:"urn:hl7-org:v3 low"`
				High cdaValue `xml:"urn:hl7-org:v3 high"`
			} `xml:"urn:hl7-org:v3 effectiveTime"`
			Performer []struct {
				Assigned cdaAssigned `xml:"urn:hl7-org:v3 assignedEntity"`
			} `xml:"urn:hl7-org:v3 performer"`
		} `xml:"urn:hl7-org:v3 serviceEvent"`
	} `xml:"urn:hl7-org:v3 documentationOf"`
	Facility cdaCE `xml:"urn:hl7-org:v3 componentOf>encompassingEncounter>location>healthCareFacility>code"`
	Body     struct {
		NonXML struct {
			Text struct {
				MediaType string `xml:"mediaType,attr"`
			} `xml:"urn:hl7-org:v3 text"`
		} `xml:"urn:hl7-org:v3 nonXMLBody"`
	} `xml:"urn:hl7-org:v3 component"`
}

// ErrCDA marks a CDA document the metadata cannot be derived from.
var ErrCDA = errors.New("document CDA inexploitable")

func cdaErr(format string, a ...any) error {
	return fmt.Errorf("%w : %s", ErrCDA, fmt.Sprintf(format, a...))
}

// maxCDA bounds what ParseHeader reads: a CDA with a PDF inside stays far
// below; more is hostile or a mistake.
const maxCDA = 20 << 20

// ParseHeader reads the header fields of a CDA R2 document.
func ParseHeader(doc []byte) (Header, error) {
	var h Header
	if len(doc) > maxCDA {
		return h, cdaErr("document trop volumineux (%d octets)", len(doc))
	}
	var d cdaDoc
	dec := xml.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&d); err != nil {
		return h, cdaErr("XML illisible (%v)", err)
	}
	h.ID, h.SetID = d.ID.ii(), d.SetID.ii()
	h.Code, h.Title = d.Code.code(), strings.TrimSpace(d.Title)
	h.Confidentiality, h.Language = d.Confidentiality.code(), d.Language.Code
	h.MediaType = d.Body.NonXML.Text.MediaType
	if h.ID.Root == "" {
		return h, cdaErr("identifiant du document (id) absent")
	}
	if h.SetID.Root == "" {
		return h, cdaErr("identifiant de l'ensemble de versions (setId) absent")
	}
	if h.Code.Code == "" || h.Code.CodeSystem == "" {
		return h, cdaErr("type de document (code) absent")
	}
	if _, err := fmt.Sscanf(d.Version.Value, "%d", &h.Version); err != nil || h.Version < 1 {
		return h, cdaErr("numéro de version (versionNumber) absent ou invalide")
	}
	t, err := parseHL7Time(d.EffectiveTime.Value)
	if err != nil {
		return h, cdaErr("date du document (effectiveTime) : %v", err)
	}
	h.EffectiveTime = t
	if h.Confidentiality.Code == "" {
		return h, cdaErr("niveau de confidentialité (confidentialityCode) absent")
	}
	if len(d.RecordTarget) != 1 {
		return h, cdaErr("un seul patient attendu (recordTarget), %d trouvés", len(d.RecordTarget))
	}
	pr := d.RecordTarget[0].PatientRole
	for _, id := range pr.ID {
		if insOIDs[id.Root] {
			h.PatientINS = id.ii()
			break
		}
	}
	if h.PatientINS.Extension == "" {
		return h, cdaErr("INS du patient absente de recordTarget")
	}
	p := pr.Patient
	for _, n := range p.Name {
		for _, f := range n.Family {
			if f.Qualifier == "BR" || h.BirthFamily == "" && f.Qualifier == "" {
				h.BirthFamily = strings.TrimSpace(f.Text)
			}
		}
		// CI-SIS: an unqualified given holds the full list of birth first
		// names, given@BR the first one alone; take the list when present.
		var list, first []string
		for _, g := range n.Given {
			switch g.Qualifier {
			case "":
				list = append(list, strings.Fields(g.Text)...)
			case "BR":
				first = append(first, strings.Fields(g.Text)...)
			}
		}
		if len(list) == 0 {
			list = first
		}
		h.Given = append(h.Given, list...)
	}
	if h.BirthFamily == "" {
		return h, cdaErr("nom de naissance du patient absent")
	}
	h.Sex, h.BirthDate, h.BirthPlace = p.Gender.Code, d.RecordTarget[0].PatientRole.Patient.BirthTime.Value, p.Birthplace.County
	if len(h.BirthDate) < 8 {
		return h, cdaErr("date de naissance du patient absente")
	}
	h.BirthDate = h.BirthDate[:8]
	for _, a := range d.Author {
		h.Authors = append(h.Authors, a.Assigned.person())
	}
	if len(h.Authors) == 0 {
		return h, cdaErr("auteur absent")
	}
	h.LegalAuthenticator = d.LegalAuthenticator.Assigned.person()
	for _, r := range d.RelatedDocument {
		if r.TypeCode == "RPLC" && len(r.ParentID) > 0 {
			h.Replaces = r.ParentID[0].ii()
		}
	}
	if h.Version > 1 && h.Replaces.Root == "" {
		return h, cdaErr("version %d sans document remplacé (relatedDocument RPLC)", h.Version)
	}
	if h.Replaces.Root != "" && h.Replaces == h.ID {
		return h, cdaErr("le document se remplace lui-même")
	}
	h.FacilityType = d.Facility.code()
	if h.FacilityType.Code == "" {
		return h, cdaErr("type d'établissement (healthCareFacility/code) absent")
	}
	for _, doc := range d.DocumentationOf {
		se := doc.ServiceEvent
		if h.ServiceStart == "" {
			h.ServiceStart, h.ServiceStop = se.EffectiveTime.Low.Value, se.EffectiveTime.High.Value
		}
		for _, perf := range se.Performer {
			if h.PracticeSetting.Code == "" {
				h.PracticeSetting = perf.Assigned.Org.Industry.code()
			}
		}
	}
	if h.PracticeSetting.Code == "" {
		return h, cdaErr("cadre d'exercice (standardIndustryClassCode du performer) absent")
	}
	return h, nil
}

func (a cdaAssigned) person() Person {
	p := Person{Specialty: a.Code.code(), Device: strings.TrimSpace(a.Device.SoftwareName), OrgName: strings.TrimSpace(a.Org.Name)}
	if len(a.ID) > 0 {
		p.ID = a.ID[0].ii()
	}
	if len(a.Org.ID) > 0 {
		p.OrgID = a.Org.ID[0].ii()
	}
	if len(a.Person.Name.Family) > 0 {
		p.Family = strings.TrimSpace(a.Person.Name.Family[0].Text)
	}
	if len(a.Person.Name.Given) > 0 {
		p.Given = strings.TrimSpace(a.Person.Name.Given[0].Text)
	}
	return p
}

// parseHL7Time reads a TS value: YYYYMMDD[HHMM[SS]][±ZZZZ].
func parseHL7Time(s string) (time.Time, error) {
	for _, layout := range []string{"20060102150405-0700", "200601021504-0700", "20060102150405", "200601021504", "20060102"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("valeur %q illisible", s)
}
