package xds

import (
	"bytes"
	"strings"
)

// xw writes XML by hand: encoding/xml's encoder cannot choose prefixes, and
// the signed SAML assertion must come out in exclusive canonical form
// (attributes in the order given, which the caller keeps canonical, no
// empty-element tags, C14N escaping), so that the bytes written are the bytes
// digested.
type xw struct {
	b      bytes.Buffer
	depth  int
	pretty bool // indent (metadata, envelope); never for signed parts
	open   bool // the last start tag has no content yet
}

func (w *xw) newline() {
	if !w.pretty {
		return
	}
	w.b.WriteByte('\n')
	for range w.depth {
		w.b.WriteString("  ")
	}
}

// start opens an element; attrs are name/value pairs written in the order
// given (namespace declarations first, then attributes sorted as C14N sorts
// them, when the part is signed).
func (w *xw) start(name string, attrs ...string) {
	w.newline()
	w.b.WriteByte('<')
	w.b.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.b.WriteByte(' ')
		w.b.WriteString(attrs[i])
		w.b.WriteString(`="`)
		w.b.WriteString(escapeAttr(attrs[i+1]))
		w.b.WriteByte('"')
	}
	w.b.WriteByte('>')
	w.depth++
	w.open = true
}

// end closes an element; an element with text only stays on one line.
func (w *xw) end(name string) {
	w.depth--
	if !w.open {
		w.newline()
	}
	w.open = false
	w.b.WriteString("</")
	w.b.WriteString(name)
	w.b.WriteByte('>')
}

// elem writes <name attrs>text</name>.
func (w *xw) elem(name, text string, attrs ...string) {
	w.start(name, attrs...)
	w.text(text)
	w.end(name)
}

// text writes character data (C14N escaping: &, <, > and CR).
func (w *xw) text(s string) {
	w.b.WriteString(escapeText(s))
}

// raw appends bytes already serialised.
func (w *xw) raw(p []byte) {
	w.b.Write(p)
	w.open = false
}

var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#xD;")

var attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", `"`, "&quot;", "\t", "&#x9;", "\n", "&#xA;", "\r", "&#xD;")

func escapeText(s string) string { return textEscaper.Replace(s) }
func escapeAttr(s string) string { return attrEscaper.Replace(s) }
