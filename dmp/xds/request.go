package xds

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
)

// ErrBadRequest marks a request that cannot be read (the test peer answers
// it with a SOAP Sender fault).
var ErrBadRequest = errors.New("requête XDS.b invalide")

func badRequest(format string, a ...any) error {
	return fmt.Errorf("%w : %s", ErrBadRequest, fmt.Sprintf(format, a...))
}

// RequestEntry is a document entry read back from a request.
type RequestEntry struct {
	ID              string
	MimeType        string
	Slots           map[string][]string
	Classifications map[string][]Code   // by classification scheme
	Authors         []map[string]string // slot name → first value
	External        map[string]string   // by identification scheme
}

// Slot is the first value of a slot, or "".
func (e RequestEntry) Slot(name string) string {
	if v := e.Slots[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// UniqueID is XDSDocumentEntry.uniqueId.
func (e RequestEntry) UniqueID() string { return e.External[uuidDEUniqueID] }

// PatientID is XDSDocumentEntry.patientId.
func (e RequestEntry) PatientID() string { return e.External[uuidDEPatientID] }

// Confidentiality lists the confidentiality codes (level and masking).
func (e RequestEntry) Confidentiality() []Code { return e.Classifications[uuidDEConfidential] }

// Code of a single-valued classification: class, format, type, facility,
// practice setting (by their IHE scheme).
func (e RequestEntry) Code(scheme string) Code {
	if v := e.Classifications[scheme]; len(v) > 0 {
		return v[0]
	}
	return Code{}
}

// Classification schemes, exported for readers of requests.
const (
	SchemeClassCode       = uuidDEClass
	SchemeFormatCode      = uuidDEFormat
	SchemeTypeCode        = uuidDEType
	SchemeFacilityType    = uuidDEFacilityType
	SchemePracticeSetting = uuidDEPracticeSet
)

// RequestAssociation is an Association read back.
type RequestAssociation struct {
	Type, Source, Target string
	Slots                map[string][]string
}

// Request is an ITI-41 or ITI-57 request read back from its MTOM message.
type Request struct {
	Action string
	// Assertion facts the peer checks.
	AssertionPatientID string
	AssertionSubject   string
	SignatureChecked   bool // the VIHF signature verified (see checkSignature)
	SubmissionPatient  string
	SubmissionUniqueID string
	Entries            []RequestEntry
	Associations       []RequestAssociation
	// Documents by document entry id, from their XOP parts.
	Documents map[string][]byte
}

type rimSlot struct {
	Name   string   `xml:"name,attr"`
	Values []string `xml:"ValueList>Value"`
}

type rimClassification struct {
	Scheme string    `xml:"classificationScheme,attr"`
	Node   string    `xml:"nodeRepresentation,attr"`
	Slots  []rimSlot `xml:"Slot"`
	Name   struct {
		Value string `xml:"value,attr"`
	} `xml:"Name>LocalizedString"`
}

type rimExternal struct {
	Scheme string `xml:"identificationScheme,attr"`
	Value  string `xml:"value,attr"`
}

type rimObject struct {
	ID              string              `xml:"id,attr"`
	MimeType        string              `xml:"mimeType,attr"`
	Type            string              `xml:"associationType,attr"`
	Source          string              `xml:"sourceObject,attr"`
	Target          string              `xml:"targetObject,attr"`
	Slots           []rimSlot           `xml:"Slot"`
	Classifications []rimClassification `xml:"Classification"`
	External        []rimExternal       `xml:"ExternalIdentifier"`
}

type submitObjects struct {
	Packages     []rimObject `xml:"urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0 RegistryObjectList>RegistryPackage"`
	Entries      []rimObject `xml:"urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0 RegistryObjectList>ExtrinsicObject"`
	Associations []rimObject `xml:"urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0 RegistryObjectList>Association"`
}

type requestEnvelope struct {
	Header struct {
		Action   string `xml:"http://www.w3.org/2005/08/addressing Action"`
		Security struct {
			Assertion *struct {
				Subject    string `xml:"urn:oasis:names:tc:SAML:2.0:assertion Subject>NameID"`
				Attributes []struct {
					Name   string   `xml:"Name,attr"`
					Values []string `xml:"urn:oasis:names:tc:SAML:2.0:assertion AttributeValue"`
				} `xml:"urn:oasis:names:tc:SAML:2.0:assertion AttributeStatement>Attribute"`
			} `xml:"urn:oasis:names:tc:SAML:2.0:assertion Assertion"`
		} `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd Security"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Header"`
	Body struct {
		Provide *struct {
			Submit    submitObjects `xml:"urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0 SubmitObjectsRequest"`
			Documents []struct {
				ID      string `xml:"id,attr"`
				Include struct {
					Href string `xml:"href,attr"`
				} `xml:"http://www.w3.org/2004/08/xop/include Include"`
				Inline string `xml:",chardata"`
			} `xml:"urn:ihe:iti:xds-b:2007 Document"`
		} `xml:"urn:ihe:iti:xds-b:2007 ProvideAndRegisterDocumentSetRequest"`
		Update *submitObjects `xml:"urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0 SubmitObjectsRequest"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Body"`
}

// maxRequest bounds a request (a CDA with its PDF and the envelope).
const maxRequest = 32 << 20

// ParseRequest reads an MTOM request: its envelope, the metadata and the
// documents its XOP includes point to.
func ParseRequest(contentType string, body io.Reader) (*Request, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, badRequest("type de contenu %q illisible", contentType)
	}
	if mt != "multipart/related" || !strings.EqualFold(params["type"], "application/xop+xml") {
		return nil, badRequest("message MTOM attendu (multipart/related, application/xop+xml), reçu %s", mt)
	}
	root, parts, err := readMTOM(params, body, maxRequest)
	if err != nil {
		return nil, fmt.Errorf("%w : %v", ErrBadRequest, err)
	}
	var env requestEnvelope
	if err := xml.Unmarshal(root, &env); err != nil {
		return nil, badRequest("enveloppe SOAP illisible (%v)", err)
	}
	req := &Request{Action: strings.TrimSpace(env.Header.Action), Documents: map[string][]byte{}}
	if a := env.Header.Security.Assertion; a != nil {
		req.AssertionSubject = strings.TrimSpace(a.Subject)
		for _, at := range a.Attributes {
			if at.Name == "urn:oasis:names:tc:xacml:2.0:resource:resource-id" && len(at.Values) > 0 {
				req.AssertionPatientID = strings.TrimSpace(at.Values[0])
			}
		}
		if err := checkSignature(root); err != nil {
			return nil, badRequest("assertion VIHF : %v", err)
		}
		req.SignatureChecked = true
	}
	var submit *submitObjects
	switch {
	case env.Body.Provide != nil:
		submit = &env.Body.Provide.Submit
		for _, d := range env.Body.Provide.Documents {
			href := d.Include.Href
			if !strings.HasPrefix(href, "cid:") {
				return nil, badRequest("document %s sans xop:Include", d.ID)
			}
			data, ok := parts[strings.TrimPrefix(href, "cid:")]
			if !ok {
				return nil, badRequest("partie MTOM %s absente pour le document %s", href, d.ID)
			}
			req.Documents[d.ID] = data
		}
	case env.Body.Update != nil:
		submit = env.Body.Update
	default:
		return nil, badRequest("corps SOAP sans requête XDS.b")
	}
	if len(submit.Packages) != 1 {
		return nil, badRequest("un lot de soumission attendu, %d reçus", len(submit.Packages))
	}
	for _, ext := range submit.Packages[0].External {
		switch ext.Scheme {
		case uuidSSPatientID:
			req.SubmissionPatient = ext.Value
		case uuidSSUniqueID:
			req.SubmissionUniqueID = ext.Value
		}
	}
	for _, o := range submit.Entries {
		e := RequestEntry{ID: o.ID, MimeType: o.MimeType, Slots: map[string][]string{},
			Classifications: map[string][]Code{}, External: map[string]string{}}
		for _, s := range o.Slots {
			e.Slots[s.Name] = s.Values
		}
		for _, c := range o.Classifications {
			if c.Scheme == uuidDEAuthor {
				a := map[string]string{}
				for _, s := range c.Slots {
					if len(s.Values) > 0 {
						a[s.Name] = s.Values[0]
					}
				}
				e.Authors = append(e.Authors, a)
				continue
			}
			code := Code{Code: c.Node, DisplayName: c.Name.Value}
			for _, s := range c.Slots {
				if s.Name == "codingScheme" && len(s.Values) > 0 {
					code.CodeSystem = s.Values[0]
				}
			}
			e.Classifications[c.Scheme] = append(e.Classifications[c.Scheme], code)
		}
		for _, x := range o.External {
			e.External[x.Scheme] = x.Value
		}
		req.Entries = append(req.Entries, e)
	}
	for _, o := range submit.Associations {
		a := RequestAssociation{Type: o.Type, Source: o.Source, Target: o.Target, Slots: map[string][]string{}}
		for _, s := range o.Slots {
			a.Slots[s.Name] = s.Values
		}
		req.Associations = append(req.Associations, a)
	}
	return req, nil
}

// checkSignature verifies the enveloped signature of the VIHF assertion,
// on the condition that the assertion was sent in exclusive canonical form
// (Relais sends it so): the digest is taken over the assertion's bytes
// without the ds:Signature element, the signature over SignedInfo's bytes.
// It is not a general XML-DSig verifier (no canonicalisation of foreign
// serialisations): it proves what Relais sends verifies.
func checkSignature(env []byte) error {
	start := bytes.Index(env, []byte("<saml2:Assertion "))
	end := bytes.Index(env, []byte("</saml2:Assertion>"))
	if start < 0 || end < start {
		return errors.New("assertion introuvable")
	}
	assertion := env[start : end+len("</saml2:Assertion>")]
	sigStart := bytes.Index(assertion, []byte("<ds:Signature "))
	sigEnd := bytes.Index(assertion, []byte("</ds:Signature>"))
	if sigStart < 0 || sigEnd < sigStart {
		return errors.New("assertion non signée")
	}
	sig := assertion[sigStart : sigEnd+len("</ds:Signature>")]
	unsigned := append(append([]byte{}, assertion[:sigStart]...), assertion[sigEnd+len("</ds:Signature>"):]...)
	siStart := bytes.Index(sig, []byte("<ds:SignedInfo"))
	siEnd := bytes.Index(sig, []byte("</ds:SignedInfo>"))
	if siStart < 0 || siEnd < siStart {
		return errors.New("SignedInfo absent")
	}
	// exc-c14n of SignedInfo renders the ds declaration it inherits.
	si := bytes.Replace(sig[siStart:siEnd+len("</ds:SignedInfo>")], []byte("<ds:SignedInfo>"),
		[]byte(`<ds:SignedInfo xmlns:ds="`+NSDSig+`">`), 1)
	var parsed struct {
		Digest string `xml:"SignedInfo>Reference>DigestValue"`
		Value  string `xml:"SignatureValue"`
		Cert   string `xml:"KeyInfo>X509Data>X509Certificate"`
	}
	if err := xml.Unmarshal(sig, &parsed); err != nil {
		return fmt.Errorf("signature illisible (%v)", err)
	}
	digest := sha256.Sum256(unsigned)
	if base64.StdEncoding.EncodeToString(digest[:]) != strings.TrimSpace(parsed.Digest) {
		return errors.New("empreinte de l'assertion incorrecte")
	}
	der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(parsed.Cert))
	if err != nil {
		return errors.New("certificat illisible")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return errors.New("certificat illisible")
	}
	value, err := base64.StdEncoding.DecodeString(strings.TrimSpace(parsed.Value))
	if err != nil {
		return errors.New("valeur de signature illisible")
	}
	if err := VerifySignedInfo(cert, si, value); err != nil {
		return fmt.Errorf("signature invalide (%v)", err)
	}
	return nil
}
