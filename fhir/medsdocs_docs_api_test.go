package fhir_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

const pdfFile = "%PDF-1.4\n% Relais test\n%%EOF\n"

// document stores a PDF in a section of usager's record.
func (a *api) document(usager uuid.UUID, s domain.Section, kind, title string, restricted bool) domain.Document {
	a.t.Helper()
	conf := "normal"
	if restricted {
		conf = "restreint"
	}
	d, err := domain.ParseDocument(domain.DocumentInput{Section: s, Kind: kind, Title: title, Confidentiality: conf, Content: []byte(pdfFile)})
	if err != nil {
		a.t.Fatal(err)
	}
	d.UsagerID, d.UploadedBy, d.UploadedByName = usager, uuid.New(), "Test"
	if err := a.db.InTenant(context.Background(), a.org, func(tx *store.Tx) error { return tx.SaveDocument(&d) }); err != nil {
		a.t.Fatal(err)
	}
	return d
}

// Documents: each client sees the sections its role reads, restricted
// documents only where it validates (as in the UI), nothing of B; the file
// is on Binary.
func TestDocumentResources(t *testing.T) {
	a := newAPI(t)
	a.client("hopital", domain.RoleMedecin, "system/*.read")
	a.client("infirmier", domain.RoleInfirmier, "system/*.read")
	a.client("educ", domain.RoleEducateur, "system/*.read")
	a.client("patients-only", domain.RoleMedecin, "system/Patient.read")
	tok, ide, educ := a.bearer("hopital"), a.bearer("infirmier"), a.bearer("educ")
	admin := a.document(a.inA, domain.SectionAdmin, "contrat_sejour", "Contrat de séjour", false)
	a.document(a.inA, domain.SectionMedical, "ordonnance", "Ordonnance du Dr Lemoine", false)
	restricted := a.document(a.inA, domain.SectionMedical, "compte_rendu", "Compte rendu psychiatrique", true)
	a.document(a.inA, domain.SectionCare, "bilan", "Bilan de chute", false)
	ofB := a.document(a.inB, domain.SectionAdmin, "courrier", "Courrier", false)

	p := "/fhir/DocumentReference?patient=" + a.inA.String()
	today := domain.ParisDay(time.Now()).Format("2006-01-02")
	total := func(n int) func(map[string]any) bool {
		return func(b map[string]any) bool { return b["total"].(float64) == float64(n) }
	}
	for _, tc := range []struct {
		name, token, path string
		code              int
		check             func(map[string]any) bool
		param             string
	}{
		{"doctor: every section, restricted included", tok, p, 200, total(4), ""},
		{"nurse: no restricted medical document", ide, p, 200, total(3), ""},
		{"educator: the admin section only", educ, p, 200, total(1), ""},
		{"by type", tok, p + "&type=compte_rendu,ordonnance", 200, total(2), ""},
		{"by type with its system", tok, p + "&type=https://relais-dui.fr/CodeSystem/document-type|bilan", 200, total(1), ""},
		{"by section", tok, p + "&category=medical", 200, total(2), ""},
		{"deposited today", tok, p + "&date=" + today, 200, total(4), ""},
		{"deposited before today", tok, p + "&date=lt" + today, 200, total(0), ""},
		{"person of B", tok, "/fhir/DocumentReference?patient=" + a.inB.String(), 200, total(0), ""},
		{"unknown type", tok, p + "&type=radio", 400, nil, "type"},
		{"unknown section", tok, p + "&category=secret", 400, nil, "category"},
		{"bad date", tok, p + "&date=demain", 400, nil, "date"},
		{"undeclared parameter", tok, p + "&author=x", 400, nil, "author"},
		{"scope without DocumentReference", a.bearer("patients-only"), p, 403, nil, ""},
		{"read", tok, "/fhir/DocumentReference/" + admin.ID.String(), 200, func(r map[string]any) bool {
			att := r["content"].([]any)[0].(map[string]any)["attachment"].(map[string]any)
			return att["url"] == "Binary/"+admin.ID.String() && att["contentType"] == "application/pdf" && att["size"].(float64) == float64(len(pdfFile))
		}, ""},
		{"restricted, doctor", tok, "/fhir/DocumentReference/" + restricted.ID.String(), 200, nil, ""},
		{"restricted, nurse", ide, "/fhir/DocumentReference/" + restricted.ID.String(), 403, nil, ""},
		{"medical document, educator", educ, "/fhir/DocumentReference/" + restricted.ID.String(), 403, nil, ""},
		{"document of B", tok, "/fhir/DocumentReference/" + ofB.ID.String(), 404, nil, ""},
		{"binary", tok, "/fhir/Binary/" + restricted.ID.String(), 200, func(r map[string]any) bool {
			data, _ := base64.StdEncoding.DecodeString(r["data"].(string))
			return r["contentType"] == "application/pdf" && string(data) == pdfFile
		}, ""},
		{"binary, restricted, nurse", ide, "/fhir/Binary/" + restricted.ID.String(), 403, nil, ""},
		{"binary of B", tok, "/fhir/Binary/" + ofB.ID.String(), 404, nil, ""},
		{"binary, unknown", tok, "/fhir/Binary/" + uuid.NewString(), 404, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := a.get(tc.token, tc.path)
			if code != tc.code {
				t.Fatalf("%d %v", code, out)
			}
			if code >= 400 {
				if _, expr := diagnostics(t, out); expr != tc.param {
					t.Fatalf("expression %q, want %q", expr, tc.param)
				}
			} else if tc.check != nil && !tc.check(out) {
				t.Fatalf("unexpected resource %v", out)
			}
		})
	}
	if n := a.count(`SELECT count(*) FROM access_trail WHERE username = 'client:hopital' AND section = 'medical' AND usager_id = ?`, a.inA); n != 6 {
		t.Errorf("medical document reads traced: %d, want 6", n)
	}
}

func newDocument(usager uuid.UUID, section, confidentiality string, content []byte) string {
	category := ""
	if section != "" {
		category = `"category":[{"coding":[{"system":"urn:relais:section","code":"` + section + `"}]}],`
	}
	return `{"resourceType":"DocumentReference","status":"current",
 "type":{"coding":[{"system":"https://relais-dui.fr/CodeSystem/document-type","code":"compte_rendu"}]},` + category + `
 "subject":{"reference":"Patient/` + usager.String() + `"},
 "securityLabel":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"` + confidentiality + `"}]}],
 "content":[{"attachment":{"contentType":"application/pdf","title":"Compte rendu de consultation","data":"` + base64.StdEncoding.EncodeToString(content) + `"}}]}`
}

func TestDocumentCreate(t *testing.T) {
	a := newAPI(t)
	a.client("hopital", domain.RoleMedecin, "system/*.*")
	a.client("soignant", domain.RoleAideSoignant, "system/*.*")
	a.client("lecteur", domain.RoleMedecin, "system/*.read")
	tok := a.bearer("hopital")
	good := newDocument(a.inA, "medical", "N", []byte(pdfFile))
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), domain.MaxDocumentSize)...)

	before := a.count(`SELECT count(*) FROM documents`)
	for _, tc := range []struct {
		name, token, body string
		code              int
		path              string
	}{
		{"malformed JSON", tok, `{"resourceType":"DocumentReference",`, 400, ""},
		{"wrong resourceType", tok, strings.Replace(good, `"DocumentReference"`, `"Binary"`, 1), 400, "DocumentReference.resourceType"},
		{"unknown element", tok, strings.Replace(good, `"status"`, `"statut":"x","status"`, 1), 400, "DocumentReference.statut"},
		{"bad base64", tok, strings.Replace(good, `"data":"`, `"data":"%%%`, 1), 400, "DocumentReference.content[0].attachment.data"},
		{"not a PDF, JPEG or PNG", tok, newDocument(a.inA, "medical", "N", []byte("<html>bonjour</html>")), 400, "DocumentReference.content[0].attachment.data"},
		{"declared type differs", tok, strings.Replace(good, `"application/pdf"`, `"image/png"`, 1), 400, "DocumentReference.content[0].attachment.contentType"},
		{"too big", tok, newDocument(a.inA, "medical", "N", big), 400, "DocumentReference.content[0].attachment.data"},
		{"no title", tok, strings.Replace(good, `"title":"Compte rendu de consultation",`, "", 1), 400, "DocumentReference.content[0].attachment.title"},
		{"unknown type", tok, strings.Replace(good, `"code":"compte_rendu"`, `"code":"radio"`, 1), 400, "DocumentReference.type"},
		{"no section", tok, newDocument(a.inA, "", "N", []byte(pdfFile)), 400, "DocumentReference.category"},
		{"unknown section", tok, newDocument(a.inA, "secret", "N", []byte(pdfFile)), 400, "DocumentReference.category"},
		{"person of B", tok, newDocument(a.inB, "medical", "N", []byte(pdfFile)), 400, "DocumentReference.subject"},
		{"restricted without validate", a.bearer("soignant"), newDocument(a.inA, "care", "R", []byte(pdfFile)), 400, "DocumentReference.securityLabel"},
		{"section the role may not write", a.bearer("soignant"), good, 403, ""},
		{"read-only scope", a.bearer("lecteur"), good, 403, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, out := a.send(http.MethodPost, tc.token, "/fhir/DocumentReference", tc.body)
			if code != tc.code {
				t.Fatalf("%d %v", code, out)
			}
			if d, expr := diagnostics(t, out); expr != tc.path || d == "" {
				t.Fatalf("expression %q (want %q), diagnostics %q", expr, tc.path, d)
			}
		})
	}
	if a.count(`SELECT count(*) FROM documents`) != before {
		t.Fatal("a refused document was stored")
	}

	code, h, created := a.send(http.MethodPost, tok, "/fhir/DocumentReference", good)
	if code != http.StatusCreated || !strings.Contains(h.Get("Location"), "/fhir/DocumentReference/") {
		t.Fatalf("create: %d %v %v", code, h, created)
	}
	id := created["id"].(string)
	code, bin := a.get(tok, "/fhir/Binary/"+id)
	if data, _ := base64.StdEncoding.DecodeString(bin["data"].(string)); code != 200 || string(data) != pdfFile {
		t.Fatalf("the file read back: %d %v", code, bin)
	}
	if n := a.count(`SELECT count(*) FROM documents WHERE id = ? AND section = 'medical' AND usager_id = ? AND uploaded_by_name <> ''`, id, a.inA); n != 1 {
		t.Errorf("stored document: %d", n)
	}
	if n := a.count(`SELECT count(*) FROM access_trail WHERE username = 'client:hopital' AND action = 'write' AND section = 'medical'`); n != 1 {
		t.Errorf("write traced: %d", n)
	}
	code, _, created = a.send(http.MethodPost, a.bearer("soignant"), "/fhir/DocumentReference", newDocument(a.inA, "care", "N", []byte(pdfFile)))
	if code != http.StatusCreated {
		t.Fatalf("an aide-soignant's client writes the care section: %d %v", code, created)
	}
}
