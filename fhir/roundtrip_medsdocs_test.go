package fhir

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/png"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

func pngFile(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDocumentRoundTrip: domain → FHIR JSON (with the file inline, as a
// partner posts it) → domain keeps every field of the upload form.
func TestDocumentRoundTrip(t *testing.T) {
	usager := uuid.New()
	for _, in := range []domain.DocumentInput{
		{Section: domain.SectionMedical, Kind: "compte_rendu", Title: "Compte rendu d'hospitalisation", Confidentiality: "restreint", Content: []byte("%PDF-1.7\n1 0 obj\n%%EOF\n")},
		{Section: domain.SectionAdmin, Kind: "piece_identite", Title: "Carte d'identité", Confidentiality: "normal", Content: pngFile(t)},
		{Section: domain.SectionEducational, Kind: "bilan", Title: "Bilan éducatif — 2026", Confidentiality: "normal", Content: []byte("%PDF-1.4\n%%EOF")},
	} {
		d, err := domain.ParseDocument(in)
		if err != nil {
			t.Fatal(err)
		}
		d.ID, d.UsagerID, d.UploadedAt, d.UploadedByName = uuid.New(), usager, time.Now(), "Test"
		r := documentReference(d)
		r.Content[0].Attachment.Data = ptr(base64.StdEncoding.EncodeToString(d.Content))
		body, err := marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back strictDocumentReference
		if err := decodeStrict(body, "DocumentReference", &back, func() string { return back.ResourceType }); err != nil {
			t.Fatalf("%s: our own JSON refused: %v", d.Title, err)
		}
		in2, who, declared, err := documentFromFHIR(back.DocumentReference)
		if err != nil {
			t.Fatal(err)
		}
		d2, err := domain.ParseDocument(in2)
		if err != nil {
			t.Fatal(err)
		}
		if who != usager || declared != d.ContentType || d2.Section != d.Section || d2.Kind != d.Kind || d2.Title != d.Title ||
			d2.Confidentiality != d.Confidentiality || d2.ContentType != d.ContentType || d2.Size != d.Size ||
			!bytes.Equal(d2.SHA256, d.SHA256) || !bytes.Equal(d2.Content, d.Content) {
			t.Errorf("round trip lost data:\n%+v\n%+v", d, d2)
		}
	}
}
