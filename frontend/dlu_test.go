package frontend_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/domain/ins"
	"github.com/relais-dui/relais/store"
)

// getRaw fetches path and returns the response with its body read.
func (c *client) getRaw(path string) (*http.Response, []byte) {
	c.t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, b
}

// qualify gives the resident a qualified identity (INS + identity document).
func (w *world) qualify(t *testing.T) {
	t.Helper()
	m, err := ins.Parse("236056912300134", ins.OIDTestNIR)
	if err != nil {
		t.Fatal(err)
	}
	err = w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		id := domain.Identity{INS: &m, INSRetrievedAt: time.Now(), Document: domain.DocCNI, DocumentCheckedAt: time.Now()}
		return tx.SaveIdentity(w.resident, id, domain.IdentityEvent{Kind: domain.EventDocumentChecked, From: domain.IdentityPROV, To: domain.IdentityQUAL,
			Description: "test"}, "Test")
	})
	if err != nil {
		t.Fatal(err)
	}
}

// completeDLU fills the resident's DLU form as a nurse does.
func completeDLU(t *testing.T, nurse *client, base string) {
	t.Helper()
	nurse.get(base + "/dlu/modifier")
	form := url.Values{"gir": {"3"}, "gir_date": {"2026-01-10"}, "devices": {"pacemaker", "protheses_dentaires"}, "directives": {"oui"},
		"directives_at": {"Classeur de soins"}, "palliative": {"non"}, "states": {"peut_alerter", "chutes"}, "states_checked": {"1"},
		"bmr": {"non"}, "hospital_name": {"Hôpital Édouard Herriot"}, "gp_name": {"Dr Paul Bernard"}, "gp_phone": {"04 78 12 34 56"},
		"nurse_phone": {"04 78 00 00 02"}, "comment": {"Parler face à elle."}}
	if code, _ := nurse.post(base+"/dlu", form); code != http.StatusSeeOther {
		t.Fatalf("nurse saving the DLU = %d", code)
	}
}

// The DLU page of an EHPAD resident: read under the medical file's right,
// missing data listed in French, completed by the nurse, printed as PDF,
// downloaded as CDA once the identity is qualified; every view traced.
func TestDLUPage(t *testing.T) {
	w := newWorld(t)
	base := "/usagers/" + w.resident.String()
	nurse, aide := w.login("u.infirmier"), w.login("u.aide_soignant")

	if code, _ := aide.get(base + "/dlu"); code != http.StatusForbidden {
		t.Errorf("aide-soignant reading the DLU = %d, want 403", code)
	}
	code, body := nurse.get(base + "/dlu")
	body = html.UnescapeString(body)
	if code != http.StatusOK {
		t.Fatalf("nurse reading the DLU = %d", code)
	}
	for _, want := range []string{"Le GIR (autonomie) n'est pas renseigné.", "Le médecin traitant n'est pas renseigné.",
		"Aucune personne de confiance", "L'identité n'est pas qualifiée", `id="dlu-cda-disabled"`, "DLU (liaison d'urgence)"} {
		if !strings.Contains(body, want) {
			t.Errorf("empty DLU page lacks %q", want)
		}
	}
	if code, _ := nurse.get(base + "/dlu.xml"); code != http.StatusConflict {
		t.Errorf("CDA of a non-qualified identity = %d, want 409", code)
	}

	// A refused form stores nothing and says why beside the field.
	before := w.count("dlu_info")
	nurse.get(base + "/dlu/modifier")
	code, body = nurse.post(base+"/dlu", url.Values{"gir": {"9"}, "gp_rpps": {"123"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), "Le GIR est un nombre de 1 à 6.") ||
		!strings.Contains(html.UnescapeString(body), "Le numéro RPPS compte 11 chiffres.") {
		t.Errorf("bad DLU form: %d", code)
	}
	if w.count("dlu_info") != before {
		t.Error("a refused DLU form was stored")
	}
	if code, _ := aide.post(base+"/dlu", url.Values{"gir": {"3"}}); code != http.StatusForbidden {
		t.Errorf("aide-soignant saving the DLU = %d, want 403", code)
	}
	completeDLU(t, nurse, base)
	_, body = nurse.get(base + "/dlu")
	body = html.UnescapeString(body)
	for _, want := range []string{"GIR 3", "Stimulateur cardiaque (pacemaker)", "Classeur de soins", "Dr Paul Bernard", "04 78 00 00 02",
		"Hôpital Édouard Herriot", "Chutes", "Parler face à elle."} {
		if !strings.Contains(body, want) {
			t.Errorf("completed DLU page lacks %q", want)
		}
	}
	if strings.Contains(body, "Le GIR (autonomie) n'est pas renseigné.") {
		t.Error("the GIR is still listed as missing")
	}

	resp, pdf := nurse.getRaw(base + "/dlu.pdf")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Errorf("DLU PDF: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	w.qualify(t)
	_, body = nurse.get(base + "/dlu")
	if !strings.Contains(body, `id="dlu-cda"`) {
		t.Error("the CDA download is not offered for a qualified identity with a complete DLU")
	}
	resp, doc := nurse.getRaw(base + "/dlu.xml")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/xml") {
		t.Fatalf("DLU CDA: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{`code="74207-2"`, `extension="236056912300134"`, `root="1.2.250.1.213.1.1.1.22"`, `code="SA17"`, "<assignedAuthoringDevice>"} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("DLU CDA lacks %s", want)
		}
	}
	// Once the account carries an RPPS and a profession, the nurse is the
	// author (idNatPS "8" + RPPS).
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		var id uuid.UUID
		if err := tx.Gorm().Raw(`SELECT id FROM users WHERE username = 'u.infirmier'`).Row().Scan(&id); err != nil {
			return err
		}
		return tx.SetProfessional(id, "10001234565", domain.ProfessionInfirmier)
	})
	if err != nil {
		t.Fatal(err)
	}
	_, doc = nurse.getRaw(base + "/dlu.xml")
	for _, want := range []string{`extension="810001234565"`, `code="G15_60"`} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("DLU CDA by a nurse with RPPS lacks %s", want)
		}
	}

	var details []string
	err = w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		return tx.Gorm().Raw(`SELECT detail FROM access_trail WHERE usager_id = ? AND detail LIKE '%DLU%' ORDER BY seq`, w.resident).Scan(&details).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	trail := strings.Join(details, "\n")
	for _, want := range []string{"Consultation du DLU", "DLU mis à jour", "Impression du DLU (PDF)", "Téléchargement du DLU au format CDA"} {
		if !strings.Contains(trail, want) {
			t.Errorf("trail lacks %q:\n%s", want, trail)
		}
	}
}
