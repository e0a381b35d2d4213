package xds

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"net/textproto"

	"github.com/google/uuid"
)

// SOAP 1.2, WS-Addressing, WS-Security and the IHE actions.
const (
	NSSoap12 = "http://www.w3.org/2003/05/soap-envelope"
	NSAddr   = "http://www.w3.org/2005/08/addressing"
	NSWSSE   = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	// ActionProvide is ITI-41, sent to the repository.
	ActionProvide = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
	// ActionUpdate is ITI-57, sent to the registry.
	ActionUpdate = "urn:ihe:iti:2010:UpdateDocumentSet"
)

// attachment is a binary part of an MTOM message.
type attachment struct {
	contentID string // without angle brackets
	mediaType string
	data      []byte
}

// envelope writes a SOAP 1.2 envelope with WS-Addressing and the signed
// assertion; body writes the content of soap:Body.
func envelope(action, to string, assertion []byte, body func(w *xw)) []byte {
	w := &xw{pretty: true}
	w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	w.start("soap:Envelope", "xmlns:soap", NSSoap12, "xmlns:wsa", NSAddr)
	w.start("soap:Header")
	w.elem("wsa:Action", action, "soap:mustUnderstand", "true")
	w.elem("wsa:MessageID", "urn:uuid:"+uuid.NewString())
	w.elem("wsa:To", to)
	// Synchronous answer on the same connection.
	w.start("wsa:ReplyTo")
	w.elem("wsa:Address", "http://www.w3.org/2005/08/addressing/anonymous")
	w.end("wsa:ReplyTo")
	w.start("wsse:Security", "xmlns:wsse", NSWSSE, "soap:mustUnderstand", "true")
	// The signed assertion goes in byte for byte: its digest covers these
	// exact bytes (no indentation inside).
	w.newline()
	w.raw(assertion)
	w.end("wsse:Security")
	w.end("soap:Header")
	w.start("soap:Body")
	body(w)
	w.end("soap:Body")
	w.end("soap:Envelope")
	w.b.WriteByte('\n')
	return w.b.Bytes()
}

// provideBody is the ITI-41 body: metadata and the document as an XOP include.
func provideBody(s Submission, cid string) func(w *xw) {
	return func(w *xw) {
		w.start("xdsb:ProvideAndRegisterDocumentSetRequest", "xmlns:xdsb", NSXDSb)
		s.writeMetadata(w)
		w.start("xdsb:Document", "id", s.EntryUUID)
		w.start("xop:Include", "xmlns:xop", NSXOP, "href", "cid:"+cid)
		w.end("xop:Include")
		w.end("xdsb:Document")
		w.end("xdsb:ProvideAndRegisterDocumentSetRequest")
	}
}

// mtom packs the envelope and its attachments as multipart/related
// (XOP/MTOM, SOAP 1.2 binding). It returns the body and its Content-Type.
func mtom(action string, env []byte, parts []attachment) ([]byte, string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	var rnd [12]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, "", fmt.Errorf("xds: MIME boundary: %w", err)
	}
	boundary := "MIMEBoundary_" + hex.EncodeToString(rnd[:])
	if err := mw.SetBoundary(boundary); err != nil {
		return nil, "", fmt.Errorf("xds: MIME boundary: %w", err)
	}
	const rootID = "root.message@relais"
	root := textproto.MIMEHeader{}
	root.Set("Content-Type", `application/xop+xml; charset=UTF-8; type="application/soap+xml"; action="`+action+`"`)
	root.Set("Content-Transfer-Encoding", "binary")
	root.Set("Content-ID", "<"+rootID+">")
	pw, err := mw.CreatePart(root)
	if err != nil {
		return nil, "", fmt.Errorf("xds: MTOM root part: %w", err)
	}
	if _, err := pw.Write(env); err != nil {
		return nil, "", fmt.Errorf("xds: MTOM root part: %w", err)
	}
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		h.Set("Content-Type", p.mediaType)
		h.Set("Content-Transfer-Encoding", "binary")
		h.Set("Content-ID", "<"+p.contentID+">")
		pw, err := mw.CreatePart(h)
		if err != nil {
			return nil, "", fmt.Errorf("xds: MTOM part: %w", err)
		}
		if _, err := pw.Write(p.data); err != nil {
			return nil, "", fmt.Errorf("xds: MTOM part: %w", err)
		}
	}
	if err := mw.Close(); err != nil {
		return nil, "", fmt.Errorf("xds: MTOM: %w", err)
	}
	ct := `multipart/related; type="application/xop+xml"; boundary="` + boundary + `"; start="<` + rootID +
		`>"; start-info="application/soap+xml"; action="` + action + `"`
	return buf.Bytes(), ct, nil
}
