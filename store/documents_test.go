package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

func testDocument(t *testing.T, section domain.Section, title, conf string, content []byte) domain.Document {
	t.Helper()
	d, err := domain.ParseDocument(domain.DocumentInput{Section: section, Kind: "compte_rendu", Title: title, Confidentiality: conf, Content: content})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDocumentsSaveListContentRestrictedAndMerge(t *testing.T) {
	f := newFixture(t)
	kept, dup := usager(t, "Garnier", "Lucie", "1939-02-03"), usager(t, "Garnier", "Lucy", "1939-02-03")
	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	f.tx(t, func(tx *store.Tx) error {
		if err := tx.CreateUsager(&kept, &domain.Stay{EstablishmentID: f.ehpad.ID, Status: domain.StayPreadmission, Mode: domain.ModePermanent}); err != nil {
			return err
		}
		if err := tx.CreateUsager(&dup, &domain.Stay{EstablishmentID: f.ssiad.ID, Status: domain.StayPreadmission, Mode: domain.ModePermanent}); err != nil {
			return err
		}
		for _, d := range []domain.Document{
			testDocument(t, domain.SectionMedical, "Compte rendu d'hospitalisation", "normal", pdf),
			testDocument(t, domain.SectionMedical, "Avis psychiatrique", "restreint", pdf),
			testDocument(t, domain.SectionCare, "Plan de soins", "", pdf),
		} {
			d.UsagerID, d.UploadedBy, d.UploadedByName = kept.ID, store.NewID(), "Dr Test"
			if err := tx.SaveDocument(&d); err != nil {
				return err
			}
		}
		d := testDocument(t, domain.SectionMedical, "Ordonnance du doublon", "normal", pdf)
		d.UsagerID, d.UploadedBy, d.UploadedByName = dup.ID, store.NewID(), "Dr Test"
		return tx.SaveDocument(&d)
	})
	f.tx(t, func(tx *store.Tx) error {
		all, err := tx.Documents(kept.ID, domain.SectionMedical, true)
		if err != nil {
			return err
		}
		open, err := tx.Documents(kept.ID, domain.SectionMedical, false)
		if err != nil {
			return err
		}
		if len(all) != 2 || len(open) != 1 || open[0].Title != "Compte rendu d'hospitalisation" {
			t.Fatalf("medical documents: %d with restricted, %d without (%+v)", len(all), len(open), open)
		}
		if all[0].Content != nil {
			t.Error("a list carries the content")
		}
		if all[0].Title != "Avis psychiatrique" || all[0].Size != int64(len(pdf)) || len(all[0].SHA256) != 32 || all[0].ContentType != domain.ContentTypePDF {
			t.Errorf("metadata: %+v", all[0])
		}
		content, err := tx.DocumentContent(all[0].ID)
		if err != nil || !bytes.Equal(content, pdf) {
			t.Errorf("content: %q, %v", content, err)
		}
		meta, err := tx.Document(all[0].ID)
		if err != nil || meta.UsagerID != kept.ID || !meta.Restricted() {
			t.Errorf("document: %+v, %v", meta, err)
		}
		res, err := tx.MergeUsagers(kept.ID, dup.ID)
		if err != nil {
			return err
		}
		if res.Moved["documents"] != 1 {
			t.Errorf("merge moved %d documents, want 1", res.Moved["documents"])
		}
		after, err := tx.Documents(kept.ID, domain.SectionMedical, true)
		if err != nil || len(after) != 3 {
			t.Errorf("after merge the kept record has %d medical documents (%v), want 3", len(after), err)
		}
		return nil
	})
	// Another organisation sees nothing.
	var id = store.NewID()
	f.tx(t, func(tx *store.Tx) error {
		docs, err := tx.Documents(kept.ID, domain.SectionCare, true)
		if err != nil || len(docs) != 1 {
			t.Fatalf("care documents: %d, %v", len(docs), err)
		}
		id = docs[0].ID
		return nil
	})
	other := store.NewID()
	err := f.db.InTenant(context.Background(), other, func(tx *store.Tx) error {
		_, err := tx.DocumentContent(id)
		return err
	})
	if !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("another organisation reading the content: %v, want ErrNotFound", err)
	}
}
