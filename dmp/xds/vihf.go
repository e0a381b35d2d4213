package xds

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/google/uuid"
)

// Namespaces and algorithms of the VIHF assertion and its signature.
const (
	NSSAML2     = "urn:oasis:names:tc:SAML:2.0:assertion"
	NSDSig      = "http://www.w3.org/2000/09/xmldsig#"
	NSXSI       = "http://www.w3.org/2001/XMLSchema-instance"
	algExcC14N  = "http://www.w3.org/2001/10/xml-exc-c14n#"
	algEnvelope = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
	algSHA256   = "http://www.w3.org/2001/04/xmlenc#sha256"
	algRSA256   = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	algECDSA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
	// oidAccessMode is the code system of the VIHF access modes.
	oidAccessMode = "1.2.250.1.213.1.1.4.248"
)

// Actor is the professional on whose behalf the structure sends, as the
// VIHF assertion states it (indirect authentication: the structure
// authenticates with its certificate and vouches for its user).
type Actor struct {
	// SubjectID identifies the user: idNatPS for a health professional, the
	// structure's own identifier otherwise.
	SubjectID   string
	SubjectName string // "Prénom NOM"
	// Roles are the profession and, for a health professional, the
	// specialty (HL7 CE values).
	Roles []Code
	// Sector is the activity sector of the structure (SA17, SA16, SA41…).
	Sector Code
	// StructureID is the identifier of the structure (Identifiant_Structure:
	// "1" + FINESS for an establishment).
	StructureID string
}

// Software identifies the sending software (LPS attributes).
type Software struct {
	ID           string
	Name         string
	Version      string
	Homologation string // LPS_ID_HOMOLOGATION_DMP, issued by the DMP
}

// Signer signs the assertion with the organisation certificate.
type Signer struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// Assertion is a VIHF 3.0 SAML assertion before signature.
type Assertion struct {
	ID         string
	Issued     time.Time
	Issuer     string // subject DN of the organisation certificate
	Actor      Actor
	Software   Software
	PatientINS II
}

// NewAssertion prepares the assertion for one request.
func NewAssertion(s Signer, a Actor, sw Software, patient II, now time.Time) Assertion {
	return Assertion{ID: "_" + uuid.NewString(), Issued: now.UTC(), Issuer: s.Cert.Subject.String(), Actor: a,
		Software: sw, PatientINS: patient}
}

func samlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// writeAssertion writes the assertion in exclusive canonical form; sig, if
// not nil, is written as the enveloped signature after the Issuer.
func (a Assertion) writeAssertion(w *xw, sig []byte) {
	w.start("saml2:Assertion", "xmlns:saml2", NSSAML2, "ID", a.ID, "IssueInstant", samlTime(a.Issued), "Version", "2.0")
	w.elem("saml2:Issuer", a.Issuer, "Format", "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName")
	if sig != nil {
		w.raw(sig)
	}
	w.start("saml2:Subject")
	w.elem("saml2:NameID", a.Actor.SubjectID, "Format", "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified")
	w.end("saml2:Subject")
	w.start("saml2:Conditions", "NotBefore", samlTime(a.Issued.Add(-time.Minute)), "NotOnOrAfter", samlTime(a.Issued.Add(10*time.Minute)))
	w.end("saml2:Conditions")
	w.start("saml2:AuthnStatement", "AuthnInstant", samlTime(a.Issued))
	w.start("saml2:AuthnContext")
	w.elem("saml2:AuthnContextClassRef", "urn:oasis:names:tc:SAML:2.0:ac:classes:TLSClient")
	w.end("saml2:AuthnContext")
	w.end("saml2:AuthnStatement")
	w.start("saml2:AttributeStatement")
	attr := func(name string, values ...string) {
		w.start("saml2:Attribute", "Name", name)
		for _, v := range values {
			w.elem("saml2:AttributeValue", v)
		}
		w.end("saml2:Attribute")
	}
	ce := func(elem string, c Code) {
		w.start("saml2:AttributeValue")
		w.start(elem, "xmlns", NSCDA, "xmlns:xsi", NSXSI, "code", c.Code, "codeSystem", c.CodeSystem, "displayName", c.DisplayName, "xsi:type", "CE")
		w.end(elem)
		w.end("saml2:AttributeValue")
	}
	attr("VIHF_Version", "3.0")
	attr("Authentification_Mode", "INDIRECTE")
	attr("Ressource_URN", "urn:dmp")
	attr("Identifiant_Structure", a.Actor.StructureID)
	attr("Secteur_Activite", a.Actor.Sector.Code+"^"+a.Actor.Sector.CodeSystem)
	attr("urn:oasis:names:tc:xspa:1.0:subject:subject-id", a.Actor.SubjectName)
	w.start("saml2:Attribute", "Name", "urn:oasis:names:tc:xacml:2.0:subject:role")
	for _, r := range a.Actor.Roles {
		ce("Role", r)
	}
	w.end("saml2:Attribute")
	w.start("saml2:Attribute", "Name", "urn:oasis:names:tc:xspa:1.0:subject:purposeofuse")
	ce("PurposeOfUse", Code{Code: "normal", CodeSystem: oidAccessMode, DisplayName: "Accès normal"})
	w.end("saml2:Attribute")
	attr("urn:oasis:names:tc:xacml:2.0:resource:resource-id", PatientID(a.PatientINS))
	attr("LPS_ID", a.Software.ID)
	attr("LPS_Nom", a.Software.Name)
	attr("LPS_Version", a.Software.Version)
	if a.Software.Homologation != "" {
		attr("LPS_ID_HOMOLOGATION_DMP", a.Software.Homologation)
	}
	w.end("saml2:AttributeStatement")
	w.end("saml2:Assertion")
}

// Canonical is the assertion without its signature in exclusive canonical
// form: what the enveloped-signature and exc-c14n transforms yield, hence
// what the reference digests.
func (a Assertion) Canonical() []byte {
	w := &xw{}
	a.writeAssertion(w, nil)
	return w.b.Bytes()
}

// signedInfo is the canonical SignedInfo over digest (its namespace
// declaration included, as exc-c14n renders it on the apex).
func signedInfo(id, sigAlg string, digest []byte) []byte {
	w := &xw{}
	w.start("ds:SignedInfo", "xmlns:ds", NSDSig)
	w.start("ds:CanonicalizationMethod", "Algorithm", algExcC14N)
	w.end("ds:CanonicalizationMethod")
	w.start("ds:SignatureMethod", "Algorithm", sigAlg)
	w.end("ds:SignatureMethod")
	w.start("ds:Reference", "URI", "#"+id)
	w.start("ds:Transforms")
	w.start("ds:Transform", "Algorithm", algEnvelope)
	w.end("ds:Transform")
	w.start("ds:Transform", "Algorithm", algExcC14N)
	w.end("ds:Transform")
	w.end("ds:Transforms")
	w.start("ds:DigestMethod", "Algorithm", algSHA256)
	w.end("ds:DigestMethod")
	w.elem("ds:DigestValue", base64.StdEncoding.EncodeToString(digest))
	w.end("ds:Reference")
	w.end("ds:SignedInfo")
	return w.b.Bytes()
}

// Sign returns the signed assertion, ready for the WS-Security header.
func (a Assertion) Sign(s Signer) ([]byte, error) {
	if s.Cert == nil || s.Key == nil {
		return nil, errors.New("xds: no organisation certificate to sign the VIHF assertion")
	}
	var alg string
	switch s.Key.Public().(type) {
	case *rsa.PublicKey:
		alg = algRSA256
	case *ecdsa.PublicKey:
		alg = algECDSA256
	default:
		return nil, fmt.Errorf("xds: unsupported key type %T for the VIHF signature", s.Key.Public())
	}
	digest := sha256.Sum256(a.Canonical())
	si := signedInfo(a.ID, alg, digest[:])
	h := sha256.Sum256(si)
	raw, err := s.Key.Sign(rand.Reader, h[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("xds: sign VIHF assertion: %w", err)
	}
	if pub, ok := s.Key.Public().(*ecdsa.PublicKey); ok {
		// XML-DSig wants r||s, each the size of the curve order, not ASN.1.
		if raw, err = ecdsaRaw(raw, (pub.Curve.Params().BitSize+7)/8); err != nil {
			return nil, err
		}
	}
	sig := &xw{}
	sig.start("ds:Signature", "xmlns:ds", NSDSig)
	// In the document SignedInfo inherits the declaration from Signature;
	// exc-c14n of SignedInfo alone renders it on SignedInfo (signedInfo).
	sig.raw(bytes.Replace(si, []byte(`<ds:SignedInfo xmlns:ds="`+NSDSig+`">`), []byte("<ds:SignedInfo>"), 1))
	sig.elem("ds:SignatureValue", base64.StdEncoding.EncodeToString(raw))
	sig.start("ds:KeyInfo")
	sig.start("ds:X509Data")
	sig.elem("ds:X509Certificate", base64.StdEncoding.EncodeToString(s.Cert.Raw))
	sig.end("ds:X509Data")
	sig.end("ds:KeyInfo")
	sig.end("ds:Signature")
	out := &xw{}
	a.writeAssertion(out, sig.b.Bytes())
	return out.b.Bytes(), nil
}

func ecdsaRaw(der []byte, size int) ([]byte, error) {
	var v struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &v); err != nil {
		return nil, fmt.Errorf("xds: ECDSA signature: %w", err)
	}
	out := make([]byte, 2*size)
	v.R.FillBytes(out[:size])
	v.S.FillBytes(out[size:])
	return out, nil
}

// VerifySignedInfo checks a signature value over a canonical SignedInfo
// (used by the tests and the test peer).
func VerifySignedInfo(cert *x509.Certificate, si, sigValue []byte) error {
	h := sha256.Sum256(si)
	switch pub := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sigValue)
	case *ecdsa.PublicKey:
		n := len(sigValue) / 2
		if n == 0 || !ecdsa.Verify(pub, h[:], new(big.Int).SetBytes(sigValue[:n]), new(big.Int).SetBytes(sigValue[n:])) {
			return errors.New("signature ECDSA invalide")
		}
		return nil
	}
	return fmt.Errorf("type de clé %T non pris en charge", cert.PublicKey)
}
