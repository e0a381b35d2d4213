// Package dmp builds the documents Relais gives to the DMP and to emergency
// teams from the record: the EHPAD emergency liaison document (DLU), as a
// structured CDA and as a PDF for printing, and any PDF of the record as a
// CDA level-1 document (see dmp/cda).
package dmp

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/dmp/cda"
	"github.com/relais-dui/relais/domain"
)

// DLU is the emergency liaison document of a resident, read from the record
// at one instant.
type DLU struct {
	At            time.Time
	Usager        domain.Usager
	Identity      domain.Identity
	Establishment domain.Establishment
	StayStart     time.Time
	Info          domain.DLUInfo
	Trusted       []domain.Contact // personnes de confiance
	ToNotify      []domain.Contact // personnes à prévenir (and legal representatives)
	Problems      []domain.MedicalItem
	History       []domain.MedicalItem
	Allergies     []domain.MedicalItem
	Treatments    []domain.Prescription
}

// EHPADOf returns the first EHPAD among the establishments of a record's
// stays (visible ones), or false when the person is not an EHPAD resident.
func EHPADOf(tx domain.Tx, visible []uuid.UUID) (domain.Establishment, bool, error) {
	for _, id := range visible {
		e, err := tx.Establishment(id)
		if err != nil {
			return domain.Establishment{}, false, fmt.Errorf("read establishment: %w", err)
		}
		if e.Category == domain.CatEHPAD {
			return e, true, nil
		}
	}
	return domain.Establishment{}, false, nil
}

// LoadDLU gathers the DLU of usager in estab from the record as it is at now.
func LoadDLU(tx domain.Tx, usager domain.Usager, estab domain.Establishment, now time.Time) (DLU, error) {
	d := DLU{At: now, Usager: usager, Establishment: estab}
	var err error
	if d.Identity, err = tx.Identity(usager.ID); err != nil {
		return d, fmt.Errorf("read identity: %w", err)
	}
	if d.Info, err = tx.DLUInfo(usager.ID); err != nil {
		return d, fmt.Errorf("read DLU data: %w", err)
	}
	stays, err := tx.Stays(usager.ID)
	if err != nil {
		return d, fmt.Errorf("read stays: %w", err)
	}
	for _, s := range stays {
		if s.EstablishmentID == estab.ID && s.Status == domain.StayAdmitted && (d.StayStart.IsZero() || s.AdmissionDate.After(d.StayStart)) {
			d.StayStart = s.AdmissionDate
		}
	}
	contacts, err := tx.Contacts(usager.ID)
	if err != nil {
		return d, fmt.Errorf("read contacts: %w", err)
	}
	for _, c := range contacts {
		if c.Has(domain.ContactPersonneConfiance) {
			d.Trusted = append(d.Trusted, c)
		}
		if c.Has(domain.ContactPersonneAPrevenir) || c.Has(domain.ContactRepresentantLegal) {
			d.ToNotify = append(d.ToNotify, c)
		}
	}
	items, err := tx.MedicalItems(usager.ID)
	if err != nil {
		return d, fmt.Errorf("read medical items: %w", err)
	}
	for _, m := range items {
		if m.Status != domain.MedicalActive {
			continue
		}
		switch {
		case m.Kind.IsAllergy():
			d.Allergies = append(d.Allergies, m)
		case m.Kind == domain.MedicalDiagnosis:
			d.Problems = append(d.Problems, m)
		case m.Kind == domain.MedicalHistory || m.Kind == domain.MedicalSurgery:
			d.History = append(d.History, m)
		}
	}
	ps, err := tx.Prescriptions(usager.ID)
	if err != nil {
		return d, fmt.Errorf("read prescriptions: %w", err)
	}
	today := domain.ParisDay(now)
	for _, p := range ps {
		if !p.Ended(today) && !p.Start.After(today) {
			d.Treatments = append(d.Treatments, p)
		}
	}
	sort.SliceStable(d.Treatments, func(i, j int) bool { return d.Treatments[i].Drug < d.Treatments[j].Drug })
	return d, nil
}

// Missing lists in French what the nurse should fill in: the DLU data, the
// personne de confiance, and the identity (a DLU for the DMP needs a
// qualified INS).
func (d DLU) Missing() []string {
	out := d.Info.Missing()
	if len(d.Trusted) == 0 {
		out = append(out, "Aucune personne de confiance n'est désignée dans l'entourage (à défaut, indiquez-le en commentaire).")
	}
	if len(d.Trusted)+len(d.ToNotify) == 0 {
		out = append(out, "Aucune personne à prévenir n'est enregistrée dans l'entourage.")
	}
	if !d.Identity.ShowsINS() {
		out = append(out, "L'identité n'est pas qualifiée (INS) : le DLU peut être imprimé mais pas produit au format CDA pour le DMP.")
	}
	return out
}

// Author is the professional producing a document, when known.
type Author struct {
	RPPS, Family, Given string
	Profession          domain.Profession
}

// AuthorOf reads an account as an author: its RPPS and profession (set by
// the administrator), its display name split as "Prénom Nom".
func AuthorOf(p domain.Practitioner) Author {
	a := Author{RPPS: p.RPPS, Profession: p.Profession, Family: p.DisplayName}
	if f := strings.Fields(p.DisplayName); len(f) > 1 {
		a.Given, a.Family = strings.Join(f[:len(f)-1], " "), f[len(f)-1]
	}
	return a
}

// CDA builds the structured DLU. The id is new on each call; the setId is
// the same for all DLUs of a resident in an establishment, so successive
// ones are versions of one document.
func (d DLU) CDA(id uuid.UUID, author Author) ([]byte, error) {
	return d.cda(id, author, Version{Number: 1})
}

// cda builds version v of the DLU (v.Replaces names the version it
// replaces in the DMP).
func (d DLU) cda(id uuid.UUID, author Author, v Version) ([]byte, error) {
	p, err := cda.PatientFrom(d.Usager, d.Identity)
	if err != nil {
		return nil, err
	}
	prof := cda.Professional{RPPS: author.RPPS, Family: author.Family, Given: author.Given}
	if author.Profession != "" {
		prof.Profession = cda.ProfessionCode(author.Profession)
	}
	h := cda.Header{
		ID: id, SetID: DLUSetID(d.Establishment.ID, d.Usager.ID), Version: v.Number, Replaces: v.Replaces,
		Effective: d.At, Patient: p, Author: cda.AuthorFor(prof), Category: d.Establishment.Category,
		Establishment:  cda.Organization{FINESS: d.Establishment.FinessET, Name: d.Establishment.Name, Phone: d.Info.NursePhone},
		EncounterStart: d.StayStart,
	}
	in := cda.DLU{Header: h, Info: d.Info}
	for _, c := range append(append([]domain.Contact{}, d.Trusted...), d.ToNotify...) {
		in.Contacts = appendContact(in.Contacts, c)
	}
	for _, m := range d.Problems {
		in.Problems = append(in.Problems, cda.Problem{Label: m.Label, CIM10: m.Code, Onset: m.Onset})
	}
	for _, m := range d.History {
		in.History = append(in.History, cda.Problem{Label: m.Label, CIM10: m.Code, Onset: m.Onset})
	}
	for _, m := range d.Allergies {
		in.Allergies = append(in.Allergies, cda.Allergy{Label: m.Label, Intolerance: m.Kind == domain.MedicalIntolerance, Reaction: m.Reaction, Onset: m.Onset})
	}
	for _, t := range d.Treatments {
		tr := cda.Treatment{Drug: t.Drug, Schedule: t.ScheduleText(), Route: t.Route.Label(), Start: t.Start, End: t.End}
		if t.CodeSystem == domain.CodeCIP13 {
			tr.Code, tr.CodeSystem = t.Code, "1.2.250.1.213.2.3.2" // CIP
		}
		in.Treatments = append(in.Treatments, tr)
	}
	return cda.DLUDocument(in)
}

// appendContact adds c once, with both roles when it holds both.
func appendContact(list []cda.RelatedPerson, c domain.Contact) []cda.RelatedPerson {
	for _, x := range list {
		if x.Family == c.LastName && x.Given == c.FirstName && x.Phone == c.Phone {
			return list
		}
	}
	return append(list, cda.RelatedPerson{Family: c.LastName, Given: c.FirstName, Relationship: c.Relationship, Phone: c.Phone,
		Trusted: c.Has(domain.ContactPersonneConfiance), ToNotify: c.Has(domain.ContactPersonneAPrevenir) || c.Has(domain.ContactRepresentantLegal)})
}

func contactLine(c domain.Contact) string {
	s := strings.TrimSpace(strings.ToUpper(c.LastName) + " " + c.FirstName)
	if c.Relationship != "" {
		s += " (" + c.Relationship + ")"
	}
	if c.Phone != "" {
		s += " · " + c.Phone
	}
	return s
}

// ContactLine is how the page and the PDF name a contact.
func ContactLine(c domain.Contact) string { return contactLine(c) }
