package dmp_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/dmp"
	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/domain/ins"
	"github.com/relais-dui/relais/internal/pdftext"
)

func TestDocumentType(t *testing.T) {
	for _, c := range []struct {
		kind domain.DocumentKind
		code string
	}{
		{domain.DocKindCompteRendu, "11488-4"}, {domain.DocKindOrdonnance, "57833-6"}, {domain.DocKindBilan, "34842-5"},
		{domain.DocKindCourrier, "28653-4"}, {domain.DocKindAutre, "28653-4"},
		{domain.DocKindPieceIdentite, ""}, {domain.DocKindContratSejour, ""}, {domain.DocKindNotificationMDPH, ""}, {domain.DocKindProtection, ""},
	} {
		got, ok := dmp.DocumentType(c.kind)
		if got.Code != c.code || ok != (c.code != "") {
			t.Errorf("DocumentType(%s) = %s %v, want %s", c.kind, got.Code, ok, c.code)
		}
	}
	for _, k := range domain.AllDocumentKinds {
		if _, ok := dmp.DocumentType(k); !ok && k != domain.DocKindPieceIdentite && k != domain.DocKindContratSejour &&
			k != domain.DocKindNotificationMDPH && k != domain.DocKindProtection {
			t.Errorf("kind %s has no DMP type and is not excluded on purpose", k)
		}
	}
}

// A PDF of the record becomes a level-1 CDA for a qualified identity only;
// a replacement keeps the set and names the version it replaces.
func TestPDFOfRecord(t *testing.T) {
	m, _ := ins.Parse("236056912300134", ins.OIDTestNIR)
	u := domain.Usager{BirthName: "Résidente", FirstNames: []string{"Jeanne", "Marie"}, BirthDate: time.Date(1936, 5, 4, 0, 0, 0, 0, time.UTC),
		Sex: domain.SexF, BirthPlaceCode: "69123", IdentityStatus: domain.IdentityQUAL}
	id := domain.Identity{Status: domain.IdentityQUAL, INS: &m, Document: domain.DocCNI}
	estab := domain.Establishment{Name: "IME Les Sources", FinessET: "690000041", Category: domain.CatIME}
	pdf := pdftext.Render("Bilan", []pdftext.Block{{Text: "Bilan orthophonique."}})
	typ, _ := dmp.DocumentType(domain.DocKindBilan)
	set := uuid.New()
	v1 := dmp.PDFVersion{ID: uuid.New(), SetID: set, Version: 1}
	doc, err := dmp.PDFOfRecord(u, id, estab, typ, "Bilan orthophonique", pdf, v1, dmp.Author{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`code="34842-5"`, `code="SA16"`, `root="1.3.6.1.4.1.19376.1.2.20"`, "<nonXMLBody>", "<assignedAuthoringDevice>"} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("level-1 CDA lacks %s", want)
		}
	}
	doc, err = dmp.PDFOfRecord(u, id, estab, typ, "Bilan orthophonique", pdf, dmp.PDFVersion{ID: uuid.New(), SetID: set, Version: 2, Replaces: v1.ID}, dmp.Author{}, time.Now())
	if err != nil || !strings.Contains(string(doc), `<versionNumber value="2">`) || !strings.Contains(string(doc), `typeCode="RPLC"`) {
		t.Errorf("replacement: %v", err)
	}
	id.Status, u.IdentityStatus = domain.IdentityVALI, domain.IdentityVALI
	var nq *domain.IdentityNotQualifiedError
	if doc, err := dmp.PDFOfRecord(u, id, estab, typ, "Bilan", pdf, v1, dmp.Author{}, time.Now()); !errors.As(err, &nq) || doc != nil {
		t.Errorf("non-qualified identity: %v", err)
	}
}
