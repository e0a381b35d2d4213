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

// TestObservationRoundTrip: domain → FHIR JSON → domain keeps the type,
// the values, the time (to the second), the comment and the confirmation
// of an unusual value. (Glucose typed in mmol/L travels in g/L, its
// canonical unit: the value is the same, the unit typed is not kept.)
func TestObservationRoundTrip(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	at := time.Date(2026, 11, 23, 8, 42, 17, 0, time.UTC)
	for _, o := range []domain.Observation{
		{Type: domain.ObsWeight, Value: 61.4, Comment: "Après le petit-déjeuner"},
		{Type: domain.ObsBloodPress, Value: 172, Value2: 88, Flagged: true, Comment: "Contrôlée 20 min plus tard"},
		{Type: domain.ObsTemperature, Value: 38.6, Flagged: true},
		{Type: domain.ObsGlucose, Value: 1.25},
		{Type: domain.ObsSpO2, Value: 97},
		{Type: domain.ObsPulse, Value: 72},
		{Type: domain.ObsPain, Value: 2},
		{Type: domain.ObsAlgoplus, Value: 1},
	} {
		o.ID, o.UsagerID, o.MeasuredAt, o.RecordedAt, o.AuthorName = uuid.New(), uuid.New(), at, now, "Test"
		body, err := marshal(observation(o))
		if err != nil {
			t.Fatal(err)
		}
		var back strictObservation
		if err := decodeStrict(body, "Observation", &back, func() string { return back.ResourceType }); err != nil {
			t.Fatalf("%s: our own JSON refused: %v", o.Type, err)
		}
		in, who, when, _, err := observationFromFHIR(back.Observation)
		if err != nil {
			t.Fatalf("%s: %v", o.Type, err)
		}
		o2, err := in.Parse(now)
		if err != nil {
			t.Fatalf("%s: %v", o.Type, err)
		}
		if who != o.UsagerID || !when.Equal(at) || o2.Type != o.Type || o2.Value != o.Value || o2.Value2 != o.Value2 ||
			o2.Comment != o.Comment || o2.Flagged != o.Flagged {
			t.Errorf("round trip lost data:\n%+v\n%+v", o, o2)
		}
	}
}
