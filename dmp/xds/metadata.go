package xds

import (
	"crypto/sha1" //nolint:gosec // XDS.b fixes SHA-1 for the document hash slot
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Namespaces of ebXML Registry 3.0 and IHE XDS.b.
const (
	NSRim  = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
	NSLcm  = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
	NSRs   = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
	NSXDSb = "urn:ihe:iti:xds-b:2007"
	NSXOP  = "http://www.w3.org/2004/08/xop/include"
)

// IHE ITI TF-3 §4.2 classification schemes and object types.
const (
	uuidSubmissionSet   = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
	uuidSSAuthor        = "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d"
	uuidSSContentType   = "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500"
	uuidSSPatientID     = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"
	uuidSSSourceID      = "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832"
	uuidSSUniqueID      = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"
	uuidStableEntry     = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
	uuidDEAuthor        = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"
	uuidDEClass         = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"
	uuidDEConfidential  = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"
	uuidDEFormat        = "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d"
	uuidDEFacilityType  = "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1"
	uuidDEPracticeSet   = "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead"
	uuidDEType          = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"
	uuidDEPatientID     = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"
	uuidDEUniqueID      = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
	assocHasMember      = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
	assocRPLC           = "urn:ihe:iti:2007:AssociationType:RPLC"
	assocUpdateStatus   = "urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus"
	statusApproved      = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
	statusDeprecated    = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"
	oidMaskingCodes     = "1.2.250.1.213.1.1.4.13"
	oidConfidentiality  = "2.16.840.1.113883.5.25"
	submissionSetSymbol = "SubmissionSet01"
)

// Masking is a DMP visibility restriction carried beside the
// confidentiality code (CI-SIS JDV_J08).
type Masking string

// Masking codes.
const (
	MaskedFromProfessionals Masking = "MASQUE_PS"
	InvisibleToPatient      Masking = "INVISIBLE_PATIENT"
)

// Label is the French display name of the code.
func (m Masking) Label() string {
	switch m {
	case MaskedFromProfessionals:
		return "Masqué aux professionnels de santé"
	case InvisibleToPatient:
		return "Non visible par le patient"
	}
	return string(m)
}

// Common codes of medico-social documents.
var (
	// FormatPDF is the XDS-SD format of a PDF wrapped in a CDA level 1.
	FormatPDF = Code{Code: "urn:ihe:iti:xds-sd:pdf:2008", CodeSystem: "1.3.6.1.4.1.19376.1.2.3", DisplayName: "Document à corps non structuré en Pdf/A-1"}
	// FormatDLU is the CI-SIS format of the structured DLU.
	FormatDLU = Code{Code: "urn:asip:ci-sis:dlu:2015", CodeSystem: "1.2.250.1.213.1.1.4.2.282", DisplayName: "Document de liaison d'urgence"}
)

// Document is one CDA to send with what the CDA itself does not say.
type Document struct {
	CDA        []byte
	ClassCode  Code // XDS classCode (CI-SIS JDV_J06)
	FormatCode Code
	Masking    []Masking
	Comments   string
}

// Source is the sending system, fixed per organisation.
type Source struct {
	// SourceID is the OID of the sending system (XDSSubmissionSet.sourceId).
	SourceID string
	// ContentType is the submission set contentTypeCode (the activity).
	ContentType Code
}

// Submission is a Provide and Register request, derived from the CDA.
type Submission struct {
	Source    Source
	Doc       Document
	Header    Header
	EntryUUID string // urn:uuid: of the document entry
	UniqueID  string // XDSDocumentEntry.uniqueId (the CDA id)
	Hash      string // SHA-1 of the CDA, lower-case hex
	Size      int
	// SubmissionUniqueID is the OID of this submission set; Time its time.
	SubmissionUniqueID string
	Time               time.Time
	// ReplacedEntryUUID is the entry the document replaces (RPLC), if any.
	ReplacedEntryUUID string
}

// entryNamespace derives entry UUIDs from document uniqueIds (UUID v5):
// Relais can then name the entry of a document it sent earlier (to replace
// or withdraw it) without storing what the registry would otherwise assign.
var entryNamespace = uuid.MustParse("3f0a8c4e-6d1b-5e7a-9c2d-1b4e8f0a6c3d")

// EntryUUID is the entryUUID Relais gives the document of uniqueId.
func EntryUUID(uniqueID string) string {
	return "urn:uuid:" + uuid.NewSHA1(entryNamespace, []byte(uniqueID)).String()
}

// NewSubmission derives the metadata of doc. ssUniqueID is the OID of the
// submission set (cda.OID of a fresh UUID in production).
func NewSubmission(src Source, doc Document, ssUniqueID string, now time.Time) (Submission, error) {
	h, err := ParseHeader(doc.CDA)
	if err != nil {
		return Submission{}, err
	}
	switch {
	case src.SourceID == "" || src.ContentType.IsZero():
		return Submission{}, errors.New("xds: source without sourceId or contentTypeCode")
	case doc.ClassCode.IsZero() || doc.FormatCode.IsZero():
		return Submission{}, cdaErr("classCode ou formatCode non renseigné")
	case ssUniqueID == "":
		return Submission{}, errors.New("xds: submission set without uniqueId")
	}
	for _, m := range doc.Masking {
		if m != MaskedFromProfessionals && m != InvisibleToPatient {
			return Submission{}, cdaErr("code de masquage inconnu %q", m)
		}
	}
	sum := sha1.Sum(doc.CDA) //nolint:gosec // fixed by XDS.b
	s := Submission{Source: src, Doc: doc, Header: h, UniqueID: h.ID.UniqueID(), Hash: hex.EncodeToString(sum[:]),
		Size: len(doc.CDA), SubmissionUniqueID: ssUniqueID, Time: now.UTC()}
	s.EntryUUID = EntryUUID(s.UniqueID)
	if h.Replaces.Root != "" {
		s.ReplacedEntryUUID = EntryUUID(h.Replaces.UniqueID())
	}
	return s, nil
}

// PatientID is the XDS patientId of an INS: NIR^^^&OID&ISO^NH.
func PatientID(ins II) string {
	return ins.Extension + "^^^&" + ins.Root + "&ISO^NH"
}

func hl7Time(t time.Time) string { return t.UTC().Format("20060102150405") }

// xcn is an author or authenticator in HL7 v2 XCN form:
// id^family^given^^^^^^&authority&ISO^nameType^^^idType.
func xcn(p Person) string {
	if p.ID.Root == "" {
		return ""
	}
	family := p.Family
	if family == "" {
		family = p.Device
	}
	nameType, idType := "D", "IDNPS"
	if p.ID.Root != OIDIdNatPS {
		nameType, idType = "U", "EI"
	}
	return p.ID.Extension + "^" + family + "^" + p.Given + "^^^^^^&" + p.ID.Root + "&ISO^" + nameType + "^^^" + idType
}

// xon is an organisation in HL7 v2 XON form.
func xon(name string, id II) string {
	if id.Root == "" {
		return name
	}
	return name + "^^^^^&" + id.Root + "&ISO^IDNST^^^" + id.Extension
}

func ceValue(c Code) string { return c.Code + "^" + c.DisplayName + "^&" + c.CodeSystem + "&ISO" }

// MetadataXML writes the lcm:SubmitObjectsRequest as a standalone document
// (the schema-validated part of the request).
func (s Submission) MetadataXML() []byte {
	w := &xw{pretty: true}
	w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	s.writeMetadata(w)
	w.b.WriteByte('\n')
	return w.b.Bytes()
}

// idGen numbers the symbolic ids of classifications and identifiers.
type idGen struct{ n int }

func (g *idGen) next(prefix string) string { g.n++; return prefix + strconv.Itoa(g.n) }

func (s Submission) writeMetadata(w *xw) {
	w.start("lcm:SubmitObjectsRequest", "xmlns:lcm", NSLcm, "xmlns:rim", NSRim)
	w.start("rim:RegistryObjectList")
	ids := &idGen{}
	s.writeSubmissionSet(w, ids)
	s.writeEntry(w, ids)
	writeAssociation(w, ids.next("as"), assocHasMember, submissionSetSymbol, s.EntryUUID, "SubmissionSetStatus", "Original")
	if s.ReplacedEntryUUID != "" {
		writeAssociation(w, ids.next("as"), assocRPLC, s.EntryUUID, s.ReplacedEntryUUID)
	}
	w.end("rim:RegistryObjectList")
	w.end("lcm:SubmitObjectsRequest")
}

func writeSlot(w *xw, name string, values ...string) {
	w.start("rim:Slot", "name", name)
	w.start("rim:ValueList")
	for _, v := range values {
		w.elem("rim:Value", v)
	}
	w.end("rim:ValueList")
	w.end("rim:Slot")
}

func writeLocalized(w *xw, elem, value string) {
	w.start(elem)
	w.start("rim:LocalizedString", "xml:lang", "fr-FR", "charset", "UTF-8", "value", value)
	w.end("rim:LocalizedString")
	w.end(elem)
}

func writeClassification(w *xw, id, scheme, object string, c Code) {
	w.start("rim:Classification", "id", id, "classificationScheme", scheme, "classifiedObject", object, "nodeRepresentation", c.Code)
	writeSlot(w, "codingScheme", c.CodeSystem)
	writeLocalized(w, "rim:Name", c.DisplayName)
	w.end("rim:Classification")
}

func writeExternalID(w *xw, id, scheme, object, value, name string) {
	w.start("rim:ExternalIdentifier", "id", id, "identificationScheme", scheme, "registryObject", object, "value", value)
	writeLocalized(w, "rim:Name", name)
	w.end("rim:ExternalIdentifier")
}

func writeAssociation(w *xw, id, typ, source, target string, slot ...string) {
	w.start("rim:Association", "id", id, "associationType", typ, "sourceObject", source, "targetObject", target)
	for i := 0; i+1 < len(slot); i += 2 {
		writeSlot(w, slot[i], slot[i+1])
	}
	w.end("rim:Association")
}

func writeAuthor(w *xw, id, scheme, object string, p Person) {
	w.start("rim:Classification", "id", id, "classificationScheme", scheme, "classifiedObject", object, "nodeRepresentation", "")
	if v := xcn(p); v != "" {
		writeSlot(w, "authorPerson", v)
	}
	if p.OrgName != "" {
		writeSlot(w, "authorInstitution", xon(p.OrgName, p.OrgID))
	}
	if !p.Specialty.IsZero() {
		writeSlot(w, "authorSpecialty", ceValue(p.Specialty))
	}
	w.end("rim:Classification")
}

func (s Submission) writeSubmissionSet(w *xw, ids *idGen) {
	w.start("rim:RegistryPackage", "id", submissionSetSymbol)
	writeSlot(w, "submissionTime", hl7Time(s.Time))
	writeLocalized(w, "rim:Name", s.Header.Title)
	w.start("rim:Classification", "id", ids.next("cl"), "classificationNode", uuidSubmissionSet, "classifiedObject", submissionSetSymbol)
	w.end("rim:Classification")
	writeAuthor(w, ids.next("cl"), uuidSSAuthor, submissionSetSymbol, s.Header.Authors[0])
	writeClassification(w, ids.next("cl"), uuidSSContentType, submissionSetSymbol, s.Source.ContentType)
	writeExternalID(w, ids.next("ei"), uuidSSUniqueID, submissionSetSymbol, s.SubmissionUniqueID, "XDSSubmissionSet.uniqueId")
	writeExternalID(w, ids.next("ei"), uuidSSSourceID, submissionSetSymbol, s.Source.SourceID, "XDSSubmissionSet.sourceId")
	writeExternalID(w, ids.next("ei"), uuidSSPatientID, submissionSetSymbol, PatientID(s.Header.PatientINS), "XDSSubmissionSet.patientId")
	w.end("rim:RegistryPackage")
}

// SourcePatientInfo is the PID lines of the strict traits.
func (h Header) SourcePatientInfo() []string {
	out := []string{"PID-5|" + h.BirthFamily + "^" + strings.Join(h.Given, " ") + "^^^^^L", "PID-7|" + h.BirthDate}
	if h.Sex != "" {
		out = append(out, "PID-8|"+h.Sex)
	}
	if h.BirthPlace != "" {
		out = append(out, "PID-11|^^^^^^BDL^^"+h.BirthPlace)
	}
	return out
}

func (s Submission) writeEntry(w *xw, ids *idGen) {
	h, e := s.Header, s.EntryUUID
	mime := "text/xml"
	w.start("rim:ExtrinsicObject", "id", e, "mimeType", mime, "objectType", uuidStableEntry)
	writeSlot(w, "creationTime", hl7Time(h.EffectiveTime))
	writeSlot(w, "hash", s.Hash)
	writeSlot(w, "languageCode", firstNonEmpty(h.Language, "fr-FR"))
	if v := xcn(h.LegalAuthenticator); v != "" {
		writeSlot(w, "legalAuthenticator", v)
	}
	if h.ServiceStart != "" {
		writeSlot(w, "serviceStartTime", h.ServiceStart)
	}
	if h.ServiceStop != "" {
		writeSlot(w, "serviceStopTime", h.ServiceStop)
	}
	writeSlot(w, "size", strconv.Itoa(s.Size))
	writeSlot(w, "sourcePatientId", PatientID(h.PatientINS))
	writeSlot(w, "sourcePatientInfo", h.SourcePatientInfo()...)
	writeLocalized(w, "rim:Name", h.Title)
	if s.Doc.Comments != "" {
		writeLocalized(w, "rim:Description", s.Doc.Comments)
	}
	for _, a := range h.Authors {
		writeAuthor(w, ids.next("cl"), uuidDEAuthor, e, a)
	}
	writeClassification(w, ids.next("cl"), uuidDEClass, e, s.Doc.ClassCode)
	conf := h.Confidentiality
	if conf.CodeSystem == "" {
		conf.CodeSystem = oidConfidentiality
	}
	writeClassification(w, ids.next("cl"), uuidDEConfidential, e, conf)
	for _, m := range s.Doc.Masking {
		writeClassification(w, ids.next("cl"), uuidDEConfidential, e, Code{Code: string(m), CodeSystem: oidMaskingCodes, DisplayName: m.Label()})
	}
	writeClassification(w, ids.next("cl"), uuidDEFormat, e, s.Doc.FormatCode)
	writeClassification(w, ids.next("cl"), uuidDEFacilityType, e, h.FacilityType)
	writeClassification(w, ids.next("cl"), uuidDEPracticeSet, e, h.PracticeSetting)
	writeClassification(w, ids.next("cl"), uuidDEType, e, h.Code)
	writeExternalID(w, ids.next("ei"), uuidDEPatientID, e, PatientID(h.PatientINS), "XDSDocumentEntry.patientId")
	writeExternalID(w, ids.next("ei"), uuidDEUniqueID, e, s.UniqueID, "XDSDocumentEntry.uniqueId")
	w.end("rim:ExtrinsicObject")
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// Withdrawal is an ITI-57 metadata update setting a document entry to
// Deprecated: the document leaves the person's DMP view.
type Withdrawal struct {
	Source             Source
	PatientINS         II
	UniqueID           string // the document withdrawn
	Author             Person
	SubmissionUniqueID string
	Time               time.Time
}

// MetadataXML writes the update request.
func (wd Withdrawal) MetadataXML() []byte {
	w := &xw{pretty: true}
	w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	wd.writeMetadata(w)
	w.b.WriteByte('\n')
	return w.b.Bytes()
}

func (wd Withdrawal) writeMetadata(w *xw) {
	ids := &idGen{}
	w.start("lcm:SubmitObjectsRequest", "xmlns:lcm", NSLcm, "xmlns:rim", NSRim)
	w.start("rim:RegistryObjectList")
	w.start("rim:RegistryPackage", "id", submissionSetSymbol)
	writeSlot(w, "submissionTime", hl7Time(wd.Time))
	w.start("rim:Classification", "id", ids.next("cl"), "classificationNode", uuidSubmissionSet, "classifiedObject", submissionSetSymbol)
	w.end("rim:Classification")
	writeAuthor(w, ids.next("cl"), uuidSSAuthor, submissionSetSymbol, wd.Author)
	writeClassification(w, ids.next("cl"), uuidSSContentType, submissionSetSymbol, wd.Source.ContentType)
	writeExternalID(w, ids.next("ei"), uuidSSUniqueID, submissionSetSymbol, wd.SubmissionUniqueID, "XDSSubmissionSet.uniqueId")
	writeExternalID(w, ids.next("ei"), uuidSSSourceID, submissionSetSymbol, wd.Source.SourceID, "XDSSubmissionSet.sourceId")
	writeExternalID(w, ids.next("ei"), uuidSSPatientID, submissionSetSymbol, PatientID(wd.PatientINS), "XDSSubmissionSet.patientId")
	w.end("rim:RegistryPackage")
	writeAssociation(w, ids.next("as"), assocUpdateStatus, submissionSetSymbol, EntryUUID(wd.UniqueID),
		"OriginalStatus", statusApproved, "NewStatus", statusDeprecated)
	w.end("rim:RegistryObjectList")
	w.end("lcm:SubmitObjectsRequest")
}

// validate checks a withdrawal before it is sent.
func (wd Withdrawal) validate() error {
	if wd.PatientINS.Extension == "" || wd.UniqueID == "" || wd.SubmissionUniqueID == "" || wd.Source.SourceID == "" {
		return fmt.Errorf("xds: withdrawal without patient, document, submission uniqueId or source")
	}
	return nil
}
