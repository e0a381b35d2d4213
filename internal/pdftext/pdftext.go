// Package pdftext writes simple text documents as PDF (A4, Helvetica,
// WinAnsi encoding): headings and wrapped paragraphs over as many pages as
// needed. It is what Relais needs to hand a plan or a letter to a family —
// no layout engine, no dependency.
package pdftext

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Block is a heading or a paragraph.
type Block struct {
	Text    string
	Heading bool
}

const (
	pageW, pageH   = 595, 842 // A4 in points
	margin         = 56
	bodySize       = 11
	headingSize    = 14
	leading        = 1.35
	avgCharAdvance = 0.5 // Helvetica average advance per point of size, for wrapping
)

// Render lays blocks out on A4 pages and returns the PDF bytes.
func Render(title string, blocks []Block) []byte {
	var pages []string
	var page strings.Builder
	y := float64(pageH - margin)
	newPage := func() {
		if page.Len() > 0 {
			pages = append(pages, page.String())
		}
		page.Reset()
		y = pageH - margin
	}
	write := func(line string, size int, bold bool) {
		step := float64(size) * leading
		if y-step < margin {
			newPage()
		}
		y -= step
		font := "F1"
		if bold {
			font = "F2"
		}
		fmt.Fprintf(&page, "BT /%s %d Tf %d %.1f Td (%s) Tj ET\n", font, size, margin, y, escape(line))
	}
	all := append([]Block{{Text: title, Heading: true}}, blocks...)
	for _, b := range all {
		size := bodySize
		if b.Heading {
			size = headingSize
			y -= 6
		}
		width := int(float64(pageW-2*margin) / (float64(size) * avgCharAdvance))
		for _, l := range wrap(b.Text, width) {
			write(l, size, b.Heading)
		}
		y -= 4
	}
	newPage()
	return assemble(pages)
}

// wrap cuts text into lines of at most width characters at spaces.
func wrap(text string, width int) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, w := range strings.Fields(para) {
			switch {
			case line == "":
				line = w
			case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) <= width:
				line += " " + w
			default:
				out = append(out, line)
				line = w
			}
		}
		out = append(out, line)
	}
	return out
}

// escape encodes s in WinAnsi (cp1252) inside a PDF string literal.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '(', ')':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '’':
			b.WriteString(`\222`)
		case 'œ':
			b.WriteString(`\234`)
		case 'Œ':
			b.WriteString(`\214`)
		case '€':
			b.WriteString(`\200`)
		case '…':
			b.WriteString(`\205`)
		case '•':
			b.WriteString(`\225`)
		case '–', '—':
			b.WriteString(`\226`)
		default:
			if r < 128 {
				b.WriteRune(r)
			} else if r < 256 {
				fmt.Fprintf(&b, `\%03o`, r)
			} else {
				b.WriteByte('?')
			}
		}
	}
	return b.String()
}

// assemble writes the PDF objects with a correct cross-reference table.
func assemble(pages []string) []byte {
	n := len(pages)
	// Objects: 1 catalog, 2 pages, 3 font, 4 bold font, then page/content pairs.
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"", // pages, filled below
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
	}
	kids := make([]string, n)
	for i, content := range pages {
		pageObj, contentObj := 5+2*i, 6+2*i
		kids[i] = fmt.Sprintf("%d 0 R", pageObj)
		objects = append(objects,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>", pageW, pageH, contentObj),
			fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	}
	objects[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n)
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}
