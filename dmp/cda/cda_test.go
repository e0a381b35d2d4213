package cda_test

import (
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/dmp/cda"
	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/domain/ins"
	"github.com/relais-dui/relais/internal/pdftext"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// checkCDA locates ../shared/cda/check-cda relative to the module root.
func checkCDA(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	script := filepath.Join(root, "..", "shared", "cda", "check-cda")
	if _, err := os.Stat(script); err != nil {
		t.Fatalf("check-cda introuvable (%s) : les documents CDA ne peuvent pas être vérifiés ; le script est attendu à ../shared/cda/check-cda depuis la racine du module", script)
	}
	return script
}

var (
	clock = time.Date(2026, 3, 14, 10, 30, 0, 0, time.UTC)
	estab = cda.Organization{FINESS: "690000001", Name: "EHPAD Les Tilleuls", Phone: "04 78 00 00 01",
		Address: cda.Address{Street: "12 rue des Tilleuls", PostalCode: "69003", City: "Lyon"}}
	doctor = cda.Professional{RPPS: "10001234565", Family: "Martin", Given: "Claire", Profession: cda.ProfessionMedecin}
)

func qualPatient(t testing.TB) cda.Patient {
	t.Helper()
	m, err := ins.Parse("248066912300144", ins.OIDTestNIR)
	if err != nil {
		t.Fatal(err)
	}
	u := domain.Usager{BirthName: "Dupont", UsedName: "Durand", FirstNames: []string{"Marie", "Louise"}, BirthDate: time.Date(1948, 6, 12, 0, 0, 0, 0, time.UTC),
		Sex: domain.SexF, BirthPlaceCode: "69123", IdentityStatus: domain.IdentityQUAL, Address: "12 rue des Tilleuls", PostalCode: "69003", City: "Lyon"}
	id := domain.Identity{Status: domain.IdentityQUAL, INS: &m, Document: domain.DocCNI}
	p, err := cda.PatientFrom(u, id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func header(t testing.TB, n int) cda.Header {
	return cda.Header{
		ID: uuid.MustParse("6f1c3b0e-1a2b-4c3d-8e9f-00000000000" + string(rune('0'+n))), SetID: uuid.MustParse("6f1c3b0e-1a2b-4c3d-8e9f-0000000000aa"),
		Version: 1, Effective: clock, Patient: qualPatient(t), Author: cda.AuthorFor(doctor),
		Establishment: estab, Category: domain.CatEHPAD, EncounterStart: time.Date(2024, 9, 2, 0, 0, 0, 0, time.UTC),
	}
}

func golden(t *testing.T, name string, got []byte) string {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (lancer avec -update pour créer le fichier)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the built document (run with -update after checking the change)", path)
	}
	return path
}

func pdfHeader(t testing.TB, n int) cda.Header {
	h := header(t, n)
	h.Type = cda.Code{Code: "11488-4", System: "2.16.840.1.113883.6.1", Display: "Compte rendu de consultation"}
	h.Title = "Compte rendu de consultation"
	return h
}

// TestGoldenDocuments builds each document, compares it with its golden
// file and runs the ANS checks on it (schema, header, content models, DLU).
func TestGoldenDocuments(t *testing.T) {
	script := checkCDA(t)
	pdf := pdftext.Render("Compte rendu", []pdftext.Block{{Text: "Consultation du 14 mars 2026."}})
	cases := []struct {
		name  string
		build func() ([]byte, error)
		dlu   bool
	}{
		{"pdf-level1.xml", func() ([]byte, error) { return cda.PDFDocument(pdfHeader(t, 1), pdf) }, false},
		{"pdf-replacement.xml", func() ([]byte, error) {
			h := pdfHeader(t, 2)
			h.Version, h.Replaces = 2, uuid.MustParse("6f1c3b0e-1a2b-4c3d-8e9f-000000000001")
			h.Author = nil // the establishment as authoring device
			return cda.PDFDocument(h, pdf)
		}, false},
		{"dlu-full.xml", func() ([]byte, error) { return cda.DLUDocument(fullDLU(t)) }, true},
		{"dlu-minimal.xml", func() ([]byte, error) { return cda.DLUDocument(minimalDLU(t)) }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.build()
			if err != nil {
				t.Fatal(err)
			}
			path := golden(t, c.name, got)
			args := []string{path}
			if c.dlu {
				args = append(args, "--dlu")
			}
			out, err := exec.Command(script, args...).CombinedOutput()
			if err != nil {
				t.Errorf("check-cda %s: %v\n%s", c.name, err, out)
			}
		})
	}
}

func TestNotQualifiedIdentityProducesNothing(t *testing.T) {
	m, _ := ins.Parse("248066912300144", ins.OIDTestNIR)
	for _, id := range []domain.Identity{
		{Status: domain.IdentityPROV},
		{Status: domain.IdentityRECUP, INS: &m},
		{Status: domain.IdentityVALI, Document: domain.DocCNI},
		{Status: domain.IdentityQUAL, INS: &m, Document: domain.DocCNI, Douteuse: true},
	} {
		u := domain.Usager{BirthName: "Dupont", FirstNames: []string{"Marie"}, IdentityStatus: id.Status}
		p, err := cda.PatientFrom(u, id)
		var nq *domain.IdentityNotQualifiedError
		if !errors.As(err, &nq) {
			t.Fatalf("%s: want IdentityNotQualifiedError, got %v", id.Status, err)
		}
		if !p.INS.IsZero() {
			t.Errorf("%s: a patient was produced", id.Status)
		}
		h := cda.Header{ID: uuid.New(), SetID: uuid.New(), Version: 1, Effective: clock, Patient: p, Establishment: estab}
		if doc, err := cda.PDFDocument(h, []byte("%PDF-1.4")); err == nil || doc != nil {
			t.Errorf("%s: a document was built without INS", id.Status)
		}
	}
}

func TestFacilityCode(t *testing.T) {
	for _, c := range []struct {
		cat  domain.Category
		want string
	}{
		{domain.CatEHPAD, "SA17"}, {domain.CatRA, "SA17"}, {domain.CatSSIAD, "SA17"},
		{domain.CatIME, "SA16"}, {domain.CatDITEP, "SA16"}, {domain.CatFAM, "SA16"}, {domain.CatMAS, "SA16"}, {domain.CatESAT, "SA16"},
		{domain.CatAutre, "SA41"}, {"", "SA41"},
	} {
		if got := cda.FacilityCode(c.cat).Code; got != c.want {
			t.Errorf("FacilityCode(%q) = %s, want %s", c.cat, got, c.want)
		}
	}
}

func TestAuthorFor(t *testing.T) {
	for _, c := range []struct {
		name   string
		p      cda.Professional
		device bool
	}{
		{"valid RPPS", doctor, false},
		{"no RPPS", cda.Professional{Family: "Martin"}, true},
		{"bad key", cda.Professional{RPPS: "10001234566", Family: "Martin"}, true},
		{"short", cda.Professional{RPPS: "1000123", Family: "Martin"}, true},
		{"no name", cda.Professional{RPPS: doctor.RPPS}, true},
		{"no profession", cda.Professional{RPPS: doctor.RPPS, Family: "Martin"}, true},
		{"nurse", cda.Professional{RPPS: doctor.RPPS, Family: "Morel", Profession: cda.ProfessionCode(domain.ProfessionInfirmier)}, false},
	} {
		got := cda.AuthorFor(c.p)
		if (got == nil) != c.device {
			t.Errorf("%s: device=%v, want %v", c.name, got == nil, c.device)
		}
	}
}

func minimalInfo() domain.DLUInfo {
	return domain.DLUInfo{GIR: 4, Directives: domain.No, Palliative: domain.No, StatesChecked: true,
		States: map[domain.PatientState]bool{domain.StateCanAlert: true, domain.StateOriented: true},
		BMR:    domain.No, HospitalName: "Hôpital Édouard Herriot", GPName: "Dr Bernard", NursePhone: "04 78 00 00 02"}
}

func minimalDLU(t testing.TB) cda.DLU {
	return cda.DLU{Header: header(t, 3), Info: minimalInfo()}
}

func fullDLU(t testing.TB) cda.DLU {
	info := minimalInfo()
	info.GIRDate = time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	info.Devices = []domain.Device{domain.DevicePacemaker, domain.DeviceDentures, domain.DeviceHearingAid}
	info.DevicesOther = "Matelas anti-escarre"
	info.Directives, info.DirectivesAt = domain.Yes, "Classeur de soins, bureau infirmier"
	info.States = map[domain.PatientState]bool{domain.StateCanAlert: true, domain.StateDisoriented: true, domain.StateHearing: true,
		domain.StateFalls: true, domain.StatePressureRisk: true}
	info.BMR, info.BMRDetail = domain.Yes, "Entérobactérie BLSE (urines, janvier 2026)"
	info.HospitalFINESS, info.HospitalPhone = "690781810", "04 72 11 00 00"
	info.GPName, info.GPRPPS, info.GPPhone = "Dr Paul Bernard", "10001234565", "04 78 12 34 56"
	info.CoordDoctorName, info.CoordDoctorPhone = "Dr Claire Martin", "04 78 00 00 03"
	info.Comment = "Malentendante : parler face à elle, côté gauche."
	return cda.DLU{
		Header: header(t, 4),
		Info:   info,
		Contacts: []cda.RelatedPerson{
			{Family: "Dupont", Given: "Jean", Relationship: "fils", Phone: "06 12 34 56 78", Trusted: true, ToNotify: true},
			{Family: "Roux", Given: "Anne", Relationship: "nièce", Phone: "06 98 76 54 32", ToNotify: true},
		},
		Problems:  []cda.Problem{{Label: "Insuffisance cardiaque", CIM10: "I50.9", Onset: time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)}, {Label: "Maladie d'Alzheimer"}},
		History:   []cda.Problem{{Label: "Fracture du col du fémur droit", CIM10: "S72.0", Onset: time.Date(2021, 11, 3, 0, 0, 0, 0, time.UTC)}},
		Allergies: []cda.Allergy{{Label: "Pénicilline", Reaction: "Œdème de Quincke", Onset: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)}, {Label: "Lactose", Intolerance: true}},
		Treatments: []cda.Treatment{
			{Drug: "Furosémide 40 mg comprimé", Code: "3400930000000", CodeSystem: "1.2.250.1.213.2.3.2", Schedule: "08:00 : 1 comprimé", Route: "Per os", Start: time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)},
			{Drug: "Paracétamol 500 mg gélule", Schedule: "Si besoin : 1 gélule, au plus 3 fois par 24 h", Route: "Per os", Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)},
		},
	}
}

func TestDLUMissingDataProducesNothing(t *testing.T) {
	d := minimalDLU(t)
	d.Info.GPName, d.Info.BMR = "", domain.Unknown
	doc, err := cda.DLUDocument(d)
	var m *cda.MissingError
	if !errors.As(err, &m) || doc != nil {
		t.Fatalf("want MissingError and no document, got %v", err)
	}
	if len(m.Missing) != 2 {
		t.Errorf("missing = %q, want the GP and the BMR", m.Missing)
	}
}

// BenchmarkDLUDocument builds the full DLU (the page's CDA download).
func BenchmarkDLUDocument(b *testing.B) {
	d := fullDLU(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cda.DLUDocument(d); err != nil {
			b.Fatal(err)
		}
	}
}
