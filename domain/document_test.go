package domain_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/relais-dui/relais/domain"
)

func testImage(t *testing.T, format string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var b bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestParseDocument(t *testing.T) {
	pdf := []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	pngData, jpegData := testImage(t, "png"), testImage(t, "jpeg")
	ok := domain.DocumentInput{Section: domain.SectionMedical, Kind: "compte_rendu", Title: "  Compte   rendu  ", Content: pdf}
	tests := []struct {
		name        string
		change      func(in *domain.DocumentInput)
		field       string // "" when valid
		contentType string
	}{
		{"pdf", func(in *domain.DocumentInput) {}, "", domain.ContentTypePDF},
		{"png", func(in *domain.DocumentInput) { in.Content = pngData }, "", domain.ContentTypePNG},
		{"jpeg", func(in *domain.DocumentInput) { in.Content = jpegData }, "", domain.ContentTypeJPEG},
		{"restricted", func(in *domain.DocumentInput) { in.Confidentiality = "restreint" }, "", domain.ContentTypePDF},
		{"text named like a pdf", func(in *domain.DocumentInput) { in.Content = []byte("ceci n'est pas un PDF\n") }, "file", ""},
		{"html", func(in *domain.DocumentInput) { in.Content = []byte("<html><script>alert(1)</script></html>") }, "file", ""},
		{"gif", func(in *domain.DocumentInput) { in.Content = []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;") }, "file", ""},
		{"png magic without a header", func(in *domain.DocumentInput) { in.Content = []byte("\x89PNG\r\n\x1a\nrubbish") }, "file", ""},
		{"pdf header not at the start", func(in *domain.DocumentInput) { in.Content = append([]byte("MZ"), pdf...) }, "file", ""},
		{"empty file", func(in *domain.DocumentInput) { in.Content = nil }, "file", ""},
		{"over the size limit", func(in *domain.DocumentInput) {
			in.Content = append(append([]byte{}, pdf...), make([]byte, domain.MaxDocumentSize)...)
		}, "file", ""},
		{"cut by the edge", func(in *domain.DocumentInput) { in.TooLarge = true }, "file", ""},
		{"no title", func(in *domain.DocumentInput) { in.Title = "  " }, "title", ""},
		{"title too long", func(in *domain.DocumentInput) { in.Title = strings.Repeat("é", 201) }, "title", ""},
		{"no type", func(in *domain.DocumentInput) { in.Kind = "" }, "doc_type", ""},
		{"unknown type", func(in *domain.DocumentInput) { in.Kind = "radio" }, "doc_type", ""},
		{"unknown confidentiality", func(in *domain.DocumentInput) { in.Confidentiality = "secret" }, "confidentiality", ""},
		{"not a record section", func(in *domain.DocumentInput) { in.Section = domain.SectionTrail }, "section", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := ok
			tc.change(&in)
			d, err := domain.ParseDocument(in)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if d.ContentType != tc.contentType || d.Size != int64(len(in.Content)) || len(d.SHA256) != 32 || d.Title != "Compte rendu" {
					t.Errorf("parsed: type %s, size %d, title %q", d.ContentType, d.Size, d.Title)
				}
				return
			}
			v, isV := domain.AsValidation(err)
			if !isV || v.Fields[tc.field] == "" {
				t.Fatalf("want a message on %s, got %v", tc.field, err)
			}
		})
	}
}

func TestDocumentFileNameAndSize(t *testing.T) {
	d := domain.Document{Title: "Compte rendu d'hôpital: 12/03", ContentType: domain.ContentTypePNG}
	if got := d.FileName(); got != "Compte_rendu_d_hôpital_1203.png" {
		t.Errorf("file name %q", got)
	}
	if got := (domain.Document{Title: "../..", ContentType: domain.ContentTypePDF}).FileName(); got != "document.pdf" {
		t.Errorf("file name of a path-like title: %q", got)
	}
	for n, want := range map[int64]string{12: "12 octets", 2048: "2 Ko", 3 << 20: "3 Mo", 3<<20 + 300<<10: "3,3 Mo"} {
		if got := domain.FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}
