package insi

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"time"
)

// Namespaces of the contract (DESIR_ICIR_EXP_1.5.0.wsdl and its XSDs).
const (
	NSSoap12    = "http://www.w3.org/2003/05/soap-envelope"
	NSAddr      = "http://www.w3.org/2005/08/addressing"
	NSCtxBAM    = "urn:siram:bam:ctxbam"
	NSCtxLPS    = "urn:siram:lps:ctxlps"
	NSRecSans   = "http://www.cnamts.fr/INSiRecSans"
	NSRecVit    = "http://www.cnamts.fr/INSiRecVit"
	NSResultat  = "http://www.cnamts.fr/INSiResultat"
	NSSiram     = "urn:siram"
	ctxBAMVer   = "01_02" // version of the CTXBAM schema the WSDL imports
	ctxLPSVer   = "01_00" // version of the CTXLPS schema the WSDL imports
	idamRefCode = "4"     // IDAM@R: the referential of the authorisation number, fixed for LPS
)

// xmlWriter writes an indented XML document by hand: encoding/xml's encoder
// cannot choose prefixes, and the service's tooling expects ordinary
// prefixed SOAP. Text and attribute values are always escaped.
type xmlWriter struct {
	b     bytes.Buffer
	depth int
}

func (w *xmlWriter) indent() {
	w.b.WriteByte('\n')
	for range w.depth {
		w.b.WriteString("  ")
	}
}

// start opens an element; attrs are name/value pairs.
func (w *xmlWriter) start(name string, attrs ...string) {
	w.indent()
	w.b.WriteByte('<')
	w.b.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.b.WriteByte(' ')
		w.b.WriteString(attrs[i])
		w.b.WriteString(`="`)
		_ = xml.EscapeText(&w.b, []byte(attrs[i+1])) // writes to a bytes.Buffer cannot fail
		w.b.WriteByte('"')
	}
	w.b.WriteByte('>')
	w.depth++
}

func (w *xmlWriter) end(name string) {
	w.depth--
	w.indent()
	w.b.WriteString("</")
	w.b.WriteString(name)
	w.b.WriteByte('>')
}

// leaf writes <name attrs>text</name> on one line.
func (w *xmlWriter) leaf(name, text string, attrs ...string) {
	w.start(name, attrs...)
	w.depth--
	_ = xml.EscapeText(&w.b, []byte(text))
	w.b.WriteString("</")
	w.b.WriteString(name)
	w.b.WriteByte('>')
}

// leafIf writes the element only when text is not empty: optional elements
// of the contract are left out rather than sent empty.
func (w *xmlWriter) leafIf(name, text string) {
	if text != "" {
		w.leaf(name, text)
	}
}

func (w *xmlWriter) empty(name string) {
	w.indent()
	w.b.WriteString("<" + name + "/>")
}

// envelopeIDs are the identifiers of one request, made fresh for each call.
type envelopeIDs struct {
	message string // WS-Addressing MessageID (without the uuid: prefix)
	bam     string // ContexteBAM/Id
	lps     string // ContexteLPS/Id
}

func (c *Client) newEnvelopeIDs() envelopeIDs {
	return envelopeIDs{message: c.newID(), bam: c.newID(), lps: c.newID()}
}

// lpsName is the ctxlps:Nom value: urn:lps:<name>:<version>, the form seen in
// requests accepted by the service.
func (id Identification) lpsName() string {
	if strings.HasPrefix(id.SoftwareName, "urn:") {
		return id.SoftwareName
	}
	return "urn:lps:" + id.SoftwareName + ":" + id.SoftwareVersion
}

// writeEnvelope builds a full SOAP 1.2 request: WS-Addressing Action and
// MessageID, then the ContexteBAM and ContexteLPS headers the WSDL binds to
// both operations, then the body. coverage fills ctxbam:COUVERTURE, which the
// schema requires even when empty (traits search).
//
// The wsse:Security header of the WSDL is not sent: it carries a signed
// assertion only in the CPS-card mode; with the structure's certificate the
// authentication is the TLS client certificate itself.
func (c *Client) writeEnvelope(op string, ids envelopeIDs, when time.Time, coverage, body func(*xmlWriter)) []byte {
	w := &xmlWriter{}
	w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	w.start("soap:Envelope", "xmlns:soap", NSSoap12, "xmlns:wsa", NSAddr)
	w.start("soap:Header")
	w.leaf("wsa:Action", ActionPrefix+op)
	w.leaf("wsa:MessageID", "uuid:"+ids.message)

	stamp := when.UTC().Format("2006-01-02T15:04:05.000Z")
	w.start("ctxbam:ContexteBAM", "xmlns:ctxbam", NSCtxBAM, "Version", ctxBAMVer)
	w.leaf("ctxbam:Id", ids.bam)
	w.leaf("ctxbam:Temps", stamp)
	w.leafIf("ctxbam:Emetteur", c.id.Emitter)
	if coverage == nil {
		w.empty("ctxbam:COUVERTURE")
	} else {
		w.start("ctxbam:COUVERTURE")
		coverage(w)
		w.end("ctxbam:COUVERTURE")
	}
	w.end("ctxbam:ContexteBAM")

	w.start("ctxlps:ContexteLPS", "xmlns:ctxlps", NSCtxLPS, "Nature", "CTXLPS", "Version", ctxLPSVer)
	w.leaf("ctxlps:Id", ids.lps)
	w.leaf("ctxlps:Temps", stamp)
	w.leafIf("ctxlps:Emetteur", c.id.Emitter)
	w.start("ctxlps:LPS")
	w.leaf("ctxlps:IDAM", c.id.IDAM, "R", idamRefCode)
	w.leaf("ctxlps:Version", c.id.SoftwareVersion)
	w.leaf("ctxlps:Instance", c.id.Instance)
	w.leaf("ctxlps:Nom", c.id.lpsName())
	w.end("ctxlps:LPS")
	w.end("ctxlps:ContexteLPS")
	w.end("soap:Header")

	w.start("soap:Body")
	body(w)
	w.end("soap:Body")
	w.end("soap:Envelope")
	w.b.WriteByte('\n')
	return w.b.Bytes()
}

// sentTraits is one attempt of a traits search, already normalised.
type sentTraits struct {
	birthName  string
	firstNames []string
	sex        string
	birthDate  string
	birthPlace string // empty: not sent
}

func traitsBody(t sentTraits) func(*xmlWriter) {
	return func(w *xmlWriter) {
		w.start("ins:RECSANSVITALE", "xmlns:ins", NSRecSans)
		w.leaf("ins:NomNaissance", t.birthName)
		// The list goes in one Prenom, names separated by spaces: the INS
		// convention for a first-name list, and the form the service answers
		// with (ListePrenom).
		w.leaf("ins:Prenom", strings.Join(t.firstNames, " "))
		w.leaf("ins:Sexe", t.sex)
		w.leaf("ins:DateNaissance", t.birthDate)
		w.leafIf("ins:LieuNaissance", t.birthPlace)
		w.end("ins:RECSANSVITALE")
	}
}

// vitaleCoverage repeats the card data in ctxbam:COUVERTURE (ASSURE and
// BENEFICIAIRE), as the CTXBAM schema lays it out.
func vitaleCoverage(q VitaleQuery) func(*xmlWriter) {
	return func(w *xmlWriter) {
		w.start("ctxbam:ASSURE")
		w.start("ctxbam:Id")
		w.leaf("ctxbam:Num", q.HolderNIR)
		w.leafIf("ctxbam:Cle", q.HolderKey)
		w.end("ctxbam:Id")
		w.end("ctxbam:ASSURE")
		w.start("ctxbam:BENEFICIAIRE")
		if q.BeneficiaryNIR != "" {
			w.start("ctxbam:Nir")
			w.leaf("ctxbam:Num", q.BeneficiaryNIR)
			w.leafIf("ctxbam:Cle", q.BeneficiaryKey)
			w.end("ctxbam:Nir")
		}
		w.leaf("ctxbam:DateNai", q.BirthDate)
		w.leaf("ctxbam:Rang", strconv.Itoa(q.BirthRank))
		w.end("ctxbam:BENEFICIAIRE")
	}
}

func vitaleBody(q VitaleQuery) func(*xmlWriter) {
	return func(w *xmlWriter) {
		w.start("ins:RECVITALE", "xmlns:ins", NSRecVit)
		if q.BeneficiaryNIR != "" {
			w.start("ins:MatriculeIndividu")
			w.leaf("ins:NumIdentifiant", q.BeneficiaryNIR)
			w.leafIf("ins:Cle", q.BeneficiaryKey)
			w.end("ins:MatriculeIndividu")
		}
		w.start("ins:MatriculeOD")
		w.leaf("ins:NumIdentifiant", q.HolderNIR)
		w.leafIf("ins:Cle", q.HolderKey)
		w.end("ins:MatriculeOD")
		w.leafIf("ins:NomNaissance", q.BirthName)
		w.leaf("ins:DateNaissance", q.BirthDate)
		w.leaf("ins:RangNaissance", strconv.Itoa(q.BirthRank))
		w.end("ins:RECVITALE")
	}
}
