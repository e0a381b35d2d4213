package frontend_test

import (
	"context"
	"crypto/sha256"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/internal/pdftext"
	"github.com/relais-dui/relais/server"
	"github.com/relais-dui/relais/store"
)

// dmpWorker is the DMP outbox worker on one simulated DMP, as `relais
// serve` runs it in the background; each call sends what is due.
func (w *world) dmpWorker(t *testing.T) func() int {
	t.Helper()
	worker, client, err := server.NewDMPWorker(w.db, server.DMPConfig{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return func() int {
		t.Helper()
		n, err := worker.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
}

// The DMP panel: nothing leaves for a non-qualified identity; the nurse
// sends the DLU, sees it waiting then sent; a second DLU replaces the
// first; a withdrawal is asked and done; an aide-soignant sees nothing.
func TestDMPPanel(t *testing.T) {
	w := newWorld(t)
	base := "/usagers/" + w.resident.String()
	nurse, aide := w.login("u.infirmier"), w.login("u.aide_soignant")
	sendDue := w.dmpWorker(t)
	page := func() string {
		t.Helper()
		code, body := nurse.get(base + "/dmp")
		if code != http.StatusOK {
			t.Fatalf("DMP panel = %d", code)
		}
		return html.UnescapeString(body)
	}
	if code, _ := aide.get(base + "/dmp"); code != http.StatusForbidden {
		t.Errorf("aide-soignant reading the DMP panel = %d, want 403", code)
	}
	body := page()
	for _, want := range []string{"Non qualifiée", `id="dmp-send-dlu-disabled"`, "Aucun document envoyé au DMP", "Non recueilli"} {
		if !strings.Contains(body, want) {
			t.Errorf("panel of a PROV identity lacks %q", want)
		}
	}
	completeDLU(t, nurse, base)
	nurse.get(base + "/dmp")
	code, body := nurse.post(base+"/dmp/dlu", url.Values{})
	if code != http.StatusConflict || !strings.Contains(html.UnescapeString(body), "identité qualifiée") {
		t.Errorf("sending for a PROV identity = %d", code)
	}
	if n := w.count("dmp_outbox"); n != 0 {
		t.Fatalf("%d rows enqueued for a PROV identity", n)
	}

	w.qualify(t)
	body = page()
	if !strings.Contains(body, `id="dmp-send-dlu"`) || !strings.Contains(body, "Qualifiée (INS)") {
		t.Fatal("the send button is not offered for a qualified identity with a complete DLU")
	}
	if code, _ := nurse.post(base+"/dmp/dlu", url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("sending the DLU = %d", code)
	}
	body = page()
	if !strings.Contains(body, "En attente d'envoi") || !strings.Contains(body, "Document de liaison d'urgence") {
		t.Error("the DLU is not shown waiting")
	}
	nurse.get(base + "/dmp")
	if code, body := nurse.post(base+"/dmp/dlu", url.Values{}); code != http.StatusConflict || !strings.Contains(html.UnescapeString(body), "attend déjà") {
		t.Errorf("a second send while the first waits = %d", code)
	}
	if n := w.count("dmp_outbox"); n != 1 {
		t.Fatalf("rows after two sends, one waiting: %d", n)
	}

	if n := sendDue(); n != 1 {
		t.Fatalf("worker sent %d rows", n)
	}
	body = page()
	if !strings.Contains(body, "Envoyé le") || !strings.Contains(body, "Retirer du DMP") || !strings.Contains(body, "nouvelle version du DLU") {
		t.Fatalf("the sent DLU is not shown as sent: %s", body)
	}

	// A new version replaces the first.
	nurse.get(base + "/dmp")
	if code, _ := nurse.post(base+"/dmp/dlu", url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("sending a new DLU version = %d", code)
	}
	sendDue()
	body = page()
	if strings.Count(body, "Envoyé le") != 1 || !strings.Contains(body, "Remplacé par une version plus récente") {
		t.Errorf("after a replacement: one sent, one replaced expected: %s", body[strings.Index(body, "Documents envoyés"):])
	}
	var latest string
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		return tx.Gorm().Raw(`SELECT unique_id FROM dmp_outbox WHERE kind = 'provide' AND status = 'sent' ORDER BY sent_at DESC LIMIT 1`).Row().Scan(&latest)
	})
	if err != nil {
		t.Fatal(err)
	}
	nurse.get(base + "/dmp")
	if code, _ := aide.post(base+"/dmp/retrait", url.Values{"unique_id": {latest}}); code != http.StatusForbidden {
		t.Errorf("aide-soignant withdrawing = %d", code)
	}
	if code, _ := nurse.post(base+"/dmp/retrait", url.Values{"unique_id": {latest}}); code != http.StatusSeeOther {
		t.Fatalf("withdrawing = %d", code)
	}
	if !strings.Contains(page(), "Retrait en attente") {
		t.Error("the withdrawal is not shown waiting")
	}
	sendDue()
	if !strings.Contains(page(), "Retiré du DMP") {
		t.Error("the withdrawal is not shown done")
	}

	// A PDF report of the record goes in a CDA level 1; an identity card
	// is not offered.
	var report uuid.UUID
	err = w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		pdf := pdftext.Render("Compte rendu", []pdftext.Block{{Text: "Visite du médecin traitant."}})
		sum := sha256.Sum256(pdf)
		for _, d := range []domain.Document{
			{UsagerID: w.resident, Section: domain.SectionCare, Kind: domain.DocKindCompteRendu, Title: "CR de visite", ContentType: "application/pdf", Content: pdf, SHA256: sum[:], Confidentiality: domain.ConfidentialityNormal},
			{UsagerID: w.resident, Section: domain.SectionCare, Kind: domain.DocKindPieceIdentite, Title: "Carte d'identité", ContentType: "application/pdf", Content: pdf, SHA256: sum[:], Confidentiality: domain.ConfidentialityNormal},
		} {
			if err := tx.SaveDocument(&d); err != nil {
				return err
			}
			if d.Kind == domain.DocKindCompteRendu {
				report = d.ID
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	body = page()
	if !strings.Contains(body, "CR de visite") || strings.Contains(body, "Carte d'identité") {
		t.Error("the record's documents offered for the DMP: the report only")
	}
	if code, body := nurse.post(base+"/dmp/document", url.Values{"document_id": {report.String()}, "masquage": {"SECRET"}}); code != http.StatusConflict ||
		!strings.Contains(html.UnescapeString(body), "Code de masquage inconnu") {
		t.Errorf("an unknown masking code = %d", code)
	}
	nurse.get(base + "/dmp")
	if code, _ := nurse.post(base+"/dmp/document", url.Values{"document_id": {report.String()}, "masquage": {"INVISIBLE_PATIENT"}}); code != http.StatusSeeOther {
		t.Fatalf("sending the report = %d", code)
	}
	if n := sendDue(); n != 1 {
		t.Fatalf("worker sent %d rows", n)
	}
	var masking string
	err = w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		items, err := tx.DMPOutbox(w.resident)
		if len(items) > 0 {
			masking = strings.Join(items[0].Descriptor.Masking, " ")
		}
		return err
	})
	if err != nil || masking != "INVISIBLE_PATIENT" {
		t.Errorf("the report's masking: %q %v", masking, err)
	}
	// The director's home counts this month's documents sent per
	// establishment: the two DLU versions and the report (the withdrawal
	// is not a document sent).
	_, home := w.login("u.directeur").get("/")
	home = html.UnescapeString(home)
	month := domain.FrenchMonthShort(time.Now().In(domain.Paris()))
	if i := strings.Index(home, `id="home-dmp"`); i < 0 || !strings.Contains(home[i:], month) || !strings.Contains(home[i:], "<td>3</td></tr>") {
		t.Errorf("director's DMP card: %s", home)
	}
	if body = page(); !strings.Contains(body, "CR de visite") || strings.Count(body, "Envoyé le") != 1 || !strings.Contains(body, ">Envoyé<") {
		t.Errorf("the report is not shown sent: %s", body[strings.Index(body, "Documents du dossier"):])
	}
}
