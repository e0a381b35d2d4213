package cda

import (
	"bytes"
	"encoding/xml"
	"fmt"
)

// el is an XML element of the document under construction. The CDA is
// written from this small ordered tree rather than from struct tags: the
// element order of the CDA schema matters and sections mix many optional
// parts, which a tree states directly.
type el struct {
	name  string
	attrs []xml.Attr
	kids  []any // *el or text (string)
}

// at is an attribute of e.
type at struct{ k, v string }

// e builds an element from its parts: attributes (at), child elements
// (*el, []*el), text (string). Nil elements and empty attribute values are
// skipped so optional parts can be passed inline.
func e(name string, parts ...any) *el {
	x := &el{name: name}
	for _, p := range parts {
		switch v := p.(type) {
		case at:
			if v.v != "" {
				x.attrs = append(x.attrs, xml.Attr{Name: xml.Name{Local: v.k}, Value: v.v})
			}
		case *el:
			if v != nil {
				x.kids = append(x.kids, v)
			}
		case []*el:
			for _, k := range v {
				if k != nil {
					x.kids = append(x.kids, k)
				}
			}
		case string:
			if v != "" {
				x.kids = append(x.kids, v)
			}
		case []any:
			x.add(v...)
		case nil:
		default:
			panic(fmt.Sprintf("cda: unexpected part %T", p))
		}
	}
	return x
}

func (x *el) add(parts ...any) *el {
	y := e("", parts...)
	x.attrs = append(x.attrs, y.attrs...)
	x.kids = append(x.kids, y.kids...)
	return x
}

// marshal writes the document with an XML declaration, indented, ending
// with a newline: the same tree always gives the same bytes.
func marshal(root *el) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := root.encode(enc); err != nil {
		return nil, fmt.Errorf("écriture du CDA : %w", err)
	}
	if err := enc.Flush(); err != nil {
		return nil, fmt.Errorf("écriture du CDA : %w", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

func (x *el) encode(enc *xml.Encoder) error {
	start := xml.StartElement{Name: xml.Name{Local: x.name}, Attr: x.attrs}
	if err := enc.EncodeToken(start); err != nil {
		return err
	}
	for _, k := range x.kids {
		switch v := k.(type) {
		case *el:
			if err := v.encode(enc); err != nil {
				return err
			}
		case string:
			if err := enc.EncodeToken(xml.CharData(v)); err != nil {
				return err
			}
		}
	}
	return enc.EncodeToken(start.End())
}
