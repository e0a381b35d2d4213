package dmp

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/dmp/cda"
	"github.com/relais-dui/relais/domain"
)

// ErrNotForDMP is returned for a document of a kind that does not go to
// the DMP (identity papers, contracts, administrative decisions).
var ErrNotForDMP = errors.New("ce type de document n'est pas destiné au DMP")

func loinc(code, display string) cda.Code {
	return cda.Code{Code: code, System: "2.16.840.1.113883.6.1", SystemName: "LOINC", Display: display}
}

// PlanType is the XDS type of a personalised plan (projet personnalisé).
var PlanType = loinc("80788-3", "Projet personnalisé d'accompagnement")

// DocumentType is the XDS type code (CI-SIS JDV_J07) of a record document
// of kind k; false for the kinds that do not go to the DMP.
func DocumentType(k domain.DocumentKind) (cda.Code, bool) {
	switch k {
	case domain.DocKindCompteRendu:
		return loinc("11488-4", "CR ou fiche de consultation ou de visite"), true
	case domain.DocKindOrdonnance:
		return loinc("57833-6", "Prescription de produits de santé"), true
	case domain.DocKindBilan:
		return loinc("34842-5", "Grille d'évaluation médico-social"), true
	case domain.DocKindCourrier, domain.DocKindAutre:
		return loinc("28653-4", "Document du secteur social / médico-social"), true
	}
	return cda.Code{}, false
}

// PDFVersion says which version of a document a CDA is: a first version
// (Version 1, Replaces Nil) or the replacement of an earlier one.
type PDFVersion struct {
	ID, SetID uuid.UUID
	Version   int
	Replaces  uuid.UUID
}

// PDFOfRecord builds the CDA level-1 document of a PDF of the record (an
// uploaded document, a signed plan…) for the person u in estab.
func PDFOfRecord(u domain.Usager, id domain.Identity, estab domain.Establishment, typ cda.Code, title string, pdf []byte,
	v PDFVersion, author Author, at time.Time) ([]byte, error) {
	p, err := cda.PatientFrom(u, id)
	if err != nil {
		return nil, err
	}
	prof := cda.Professional{RPPS: author.RPPS, Family: author.Family, Given: author.Given}
	if author.Profession != "" {
		prof.Profession = cda.ProfessionCode(author.Profession)
	}
	h := cda.Header{ID: v.ID, SetID: v.SetID, Version: v.Version, Replaces: v.Replaces, Type: typ, Title: title, Effective: at,
		Patient: p, Author: cda.AuthorFor(prof), Category: estab.Category,
		Establishment: cda.Organization{FINESS: estab.FinessET, Name: estab.Name}}
	doc, err := cda.PDFDocument(h, pdf)
	if err != nil {
		return nil, fmt.Errorf("CDA du document « %s » : %w", title, err)
	}
	return doc, nil
}
