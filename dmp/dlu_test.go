package dmp_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/dmp"
	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/domain/ins"
	"github.com/relais-dui/relais/internal/testpg"
	"github.com/relais-dui/relais/store"
)

func TestMain(m *testing.M) { os.Exit(testpg.Run(m)) }

// A DLU gathered from a stored record (contacts, medical items, a CIP-coded
// prescription, DLU data) lists nothing missing, prints, and its CDA passes
// the ANS checks; a stopped prescription and a resolved item are left out.
func TestDLUFromTheRecord(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "..", "shared", "cda", "check-cda")
	if _, err := os.Stat(script); err != nil {
		t.Fatalf("check-cda introuvable (%s) : attendu à ../shared/cda/check-cda depuis la racine du module", script)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, testpg.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	org, now := store.NewID(), time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	var d dmp.DLU
	err = db.InTenant(ctx, org, func(tx *store.Tx) error {
		if err := tx.CreateOrganisation(&domain.Organisation{Name: "Les Tilleuls", FinessEJ: "690000017"}); err != nil {
			return err
		}
		e := domain.Establishment{Name: "EHPAD Les Tilleuls", FinessET: "690000025", Category: domain.CatEHPAD}
		if err := tx.CreateEstablishment(&e); err != nil {
			return err
		}
		u, err := domain.UsagerInput{BirthName: "Résidente", FirstNames: "Jeanne Marie", BirthDate: "1936-05-04", Sex: "F", BirthPlaceCode: "69123"}.Parse(now)
		if err != nil {
			return err
		}
		if err := tx.CreateUsager(&u, &domain.Stay{EstablishmentID: e.ID, Status: domain.StayAdmitted, Mode: domain.ModePermanent,
			AdmissionDate: time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC)}); err != nil {
			return err
		}
		m, err := ins.Parse("236056912300134", ins.OIDTestNIR)
		if err != nil {
			return err
		}
		if err := tx.SaveIdentity(u.ID, domain.Identity{INS: &m, INSRetrievedAt: now, Document: domain.DocCNI, DocumentCheckedAt: now},
			domain.IdentityEvent{Kind: domain.EventDocumentChecked, To: domain.IdentityQUAL}, "Test"); err != nil {
			return err
		}
		if u, err = tx.Usager(u.ID); err != nil {
			return err
		}
		c := domain.Contact{UsagerID: u.ID, LastName: "Résidente", FirstName: "Paul", Relationship: "fils", Phone: "06 12 34 56 78",
			Roles: []domain.ContactRole{domain.ContactPersonneConfiance, domain.ContactPersonneAPrevenir}}
		if err := tx.SaveContact(&c); err != nil {
			return err
		}
		by := store.NewID()
		for _, in := range []domain.MedicalItemInput{
			{Kind: "allergie", Label: "Pénicillines", Criticality: "high", Reaction: "œdème de Quincke"},
			{Kind: "diagnostic", Label: "Insuffisance cardiaque", Code: "I50.9", Onset: "2021-06-01"},
			{Kind: "antecedent_chirurgical", Label: "Prothèse totale de hanche", Onset: "2016-09-12"},
			{Kind: "diagnostic", Label: "Bronchite aiguë", Code: "J20.9"},
		} {
			item, err := in.Parse(now)
			if err != nil {
				return err
			}
			item.UsagerID, item.AuthorID, item.AuthorName, item.RecordedAt = u.ID, by, "Dr Test", now
			if err := tx.SaveMedicalItem(&item); err != nil {
				return err
			}
			if item.Label == "Bronchite aiguë" {
				if err := item.ChangeStatus(domain.MedicalResolved, "guérie", "Dr Test", now); err != nil {
					return err
				}
				if err := tx.SaveMedicalItem(&item); err != nil {
					return err
				}
			}
		}
		for _, p := range []domain.Prescription{
			{Drug: "Furosémide 40 mg, comprimé", Code: "3400930000000", CodeSystem: domain.CodeCIP13, Intakes: []domain.Intake{{Minute: 480, Quantity: 1}}},
			{Drug: "Amoxicilline 1 g, comprimé", Intakes: []domain.Intake{{Minute: 480, Quantity: 1}}},
		} {
			p.UsagerID, p.EstablishmentID, p.Unit, p.Route, p.Start = u.ID, e.ID, "comprimé", domain.RouteOral, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			p.Prescriber, p.RPPS, p.OrderDate, p.CreatedAt, p.CreatedBy, p.CreatedName = "Dr Test", "10001234565", p.Start, now, by, "IDE Test"
			if err := tx.SavePrescription(&p); err != nil {
				return err
			}
			if strings.HasPrefix(p.Drug, "Amoxicilline") {
				if err := tx.StopPrescription(p.ID, now.AddDate(0, 0, -3), "fin du traitement", by, "Dr Test"); err != nil {
					return err
				}
			}
		}
		info, err := domain.DLUInput{GIR: "2", Directives: "non", Palliative: "non", StatesChecked: true, BMR: "non",
			HospitalName: "Hôpital Nord", GPName: "Dr Girard", GPPhone: "04 00 00 00 11", NursePhone: "04 00 00 00 12"}.Parse(now)
		if err != nil {
			return err
		}
		info.UsagerID, info.UpdatedBy, info.UpdatedByName, info.UpdatedAt = u.ID, by, "IDE Test", now
		if err := tx.SaveDLUInfo(&info); err != nil {
			return err
		}
		d, err = dmp.LoadDLU(tx, u, e, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if m := d.Missing(); len(m) != 0 {
		t.Errorf("missing: %q", m)
	}
	if len(d.Treatments) != 1 || len(d.Problems) != 1 || len(d.History) != 1 || len(d.Allergies) != 1 || len(d.Trusted) != 1 {
		t.Errorf("gathered %d treatments, %d problems, %d history, %d allergies, %d trusted", len(d.Treatments), len(d.Problems), len(d.History), len(d.Allergies), len(d.Trusted))
	}
	pdf := string(d.PDF())
	if !strings.HasPrefix(pdf, "%PDF-") {
		t.Error("the DLU PDF is not a PDF")
	}
	// The PDF writes text in WinAnsi: é is \351.
	for _, want := range []string{`P\351nicillines`, `Furos\351mide 40 mg`, `Dr Girard \267 `, `GIR 2`, `Personne de confiance : R\311SIDENTE Paul (fils)`} {
		if !strings.Contains(pdf, strings.NewReplacer("(", `\(`, ")", `\)`).Replace(want)) {
			t.Errorf("the DLU PDF lacks %q", want)
		}
	}
	doc, err := d.CDA(uuid.MustParse("0b7c6f4e-5d3a-4e2f-9a1b-2c3d4e5f6a7b"), dmp.AuthorOf(domain.Practitioner{User: domain.User{DisplayName: "Claire Morel"}, RPPS: "10001234565", Profession: domain.ProfessionInfirmier}))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`extension="810001234565"`, "<given>Claire</given>", "<family>MOREL</family>", `code="G15_60"`} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("the nurse is not the author: %s missing", want)
		}
	}
	path := filepath.Join(t.TempDir(), "dlu.xml")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(script, path, "--dlu").CombinedOutput(); err != nil {
		t.Errorf("check-cda: %v\n%s", err, out)
	}

	// Without a qualified identity nothing is produced.
	d.Identity.Status, d.Usager.IdentityStatus = domain.IdentityVALI, domain.IdentityVALI
	var nq *domain.IdentityNotQualifiedError
	if doc, err := d.CDA(uuid.New(), dmp.Author{}); !errors.As(err, &nq) || doc != nil {
		t.Errorf("non-qualified identity: %v", err)
	}
}
