package cda

import (
	"bytes"
	"encoding/base64"
	"errors"
)

// tmplXDSSD is the IHE XDS-SD template of a scanned or PDF document in a
// CDA level-1 body.
const tmplXDSSD = "1.3.6.1.4.1.19376.1.2.20"

// ErrNotPDF is returned when the content given as PDF is not one.
var ErrNotPDF = errors.New("le contenu n'est pas un PDF")

// PDFDocument builds a CDA level-1 document carrying pdf (base64 in
// nonXMLBody) with the CI-SIS header h.
func PDFDocument(h Header, pdf []byte) ([]byte, error) {
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return nil, ErrNotPDF
	}
	body := e("nonXMLBody", e("text", at{"mediaType", "application/pdf"}, at{"representation", "B64"},
		base64.StdEncoding.EncodeToString(pdf)))
	return h.document([]*el{tmpl(tmplXDSSD)}, nil, nil, body)
}
