package pdftext

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The cross-reference table must point at each object exactly, or readers
// refuse the file; long text must flow onto further pages.
func TestRenderIsConsistentAndPaginates(t *testing.T) {
	var blocks []Block
	for i := 0; i < 120; i++ {
		blocks = append(blocks, Block{Text: fmt.Sprintf("• Paragraphe %d : l'élève « Œuvre » réussit — coût 10 € ; (parenthèses) et \\ barre.", i)})
	}
	pdf := Render("Projet d'accompagnement personnalisé", blocks)
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.4")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Fatal("not a PDF")
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n`).FindSubmatch(pdf)
	xref, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(pdf[xref:], []byte("xref\n")) {
		t.Fatal("startxref does not point at the xref table")
	}
	entries := regexp.MustCompile(`(\d{10}) 00000 n `).FindAllSubmatch(pdf[xref:], -1)
	for i, e := range entries {
		off, _ := strconv.Atoi(string(e[1]))
		if want := fmt.Sprintf("%d 0 obj", i+1); !bytes.HasPrefix(pdf[off:], []byte(want)) {
			t.Fatalf("xref entry %d points at %q", i+1, pdf[off:off+10])
		}
	}
	pages := regexp.MustCompile(`/Count (\d+)`).FindSubmatch(pdf)
	if n, _ := strconv.Atoi(string(pages[1])); n < 2 {
		t.Errorf("%d page(s) for 120 paragraphs, want several", n)
	}
	if !strings.Contains(string(pdf), `\351l\350ve`) || !strings.Contains(string(pdf), `\214uvre`) {
		t.Error("accents are not encoded in WinAnsi")
	}
	if !strings.Contains(string(pdf), `(\225 Paragraphe`) {
		t.Error("the bullet of a list is not encoded in WinAnsi")
	}
}

func TestWrap(t *testing.T) {
	lines := wrap("un deux trois quatre cinq", 10)
	for _, l := range lines {
		if len(l) > 10 {
			t.Errorf("line %q longer than 10", l)
		}
	}
	if strings.Join(lines, " ") != "un deux trois quatre cinq" {
		t.Errorf("wrap lost words: %q", lines)
	}
}
