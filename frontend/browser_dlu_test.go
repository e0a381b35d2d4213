package frontend_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserDLU: a nurse opens a resident's DLU from the care navigation,
// sees what is missing, completes it on the tablet form and comes back to
// the document with the missing list shortened.
func TestBrowserDLU(t *testing.T) {
	b := newBrowser(t)
	w := newWorld(t)
	b.login(w.srv.URL, "u.infirmier")
	base := w.srv.URL + "/usagers/" + w.resident.String()
	b.step("dlu-01-navigation",
		chromedp.Navigate(base+"/medical"),
		chromedp.WaitVisible(chromedp.CSS(`nav.tabs a[href$="/dlu"]`)),
		chromedp.Click(chromedp.CSS(`nav.tabs a[href$="/dlu"]`)),
		chromedp.WaitVisible(chromedp.ID("dlu-missing")),
	)
	if got := b.text("#dlu-missing"); !strings.Contains(got, "Le GIR (autonomie) n'est pas renseigné.") {
		t.Fatalf("missing list: %q", got)
	}
	b.step("dlu-02-formulaire",
		chromedp.Click(chromedp.ID("dlu-edit")),
		chromedp.WaitVisible(chromedp.ID("dlu-save")),
		chromedp.SendKeys(chromedp.ID("gp_name"), "Dr Paul Bernard"),
		chromedp.SendKeys(chromedp.ID("nurse_phone"), "04 78 00 00 02"),
		chromedp.SendKeys(chromedp.ID("hospital_name"), "Hôpital Nord"),
		chromedp.SetValue(chromedp.ID("gir"), "3"),
		chromedp.Click(chromedp.CSS(`input[name=directives][value=non]`)),
		chromedp.Click(chromedp.CSS(`input[name=bmr][value=non]`)),
		chromedp.Click(chromedp.CSS(`input[name=devices][value=pacemaker]`)),
		chromedp.Click(chromedp.CSS(`input[name=states][value=chutes]`)),
	)
	b.step("dlu-03-enregistre",
		chromedp.Click(chromedp.ID("dlu-save")),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
		chromedp.WaitVisible(chromedp.ID("dlu-pdf")),
	)
	if got := b.text("p.flash"); got != "Le DLU a été mis à jour." {
		t.Fatalf("after saving: %q", got)
	}
	if got := b.text("#dlu-missing"); strings.Contains(got, "GIR") || strings.Contains(got, "médecin traitant") {
		t.Errorf("still missing after saving: %q", got)
	}
	if got := b.text("#h-autonomy + dl"); !strings.Contains(got, "GIR 3") || !strings.Contains(got, "Stimulateur cardiaque") {
		t.Errorf("autonomy card: %q", got)
	}
	// Once the identity is qualified, the CDA download is offered.
	w.qualify(t)
	b.step("dlu-04-qualifiee",
		chromedp.Navigate(base+"/dlu"),
		chromedp.WaitVisible(chromedp.ID("dlu-cda")),
	)
	// The nurse sends it to the DMP from the DMP tab; the outbox worker (in
	// the background under `relais serve`) sends it; the panel says so.
	sendDue := w.dmpWorker(t)
	b.step("dlu-05-dmp",
		chromedp.Click(chromedp.CSS(`nav.tabs a[href$="/dmp"]`)),
		chromedp.WaitVisible(chromedp.ID("dmp-send-dlu")),
		chromedp.Click(chromedp.ID("dmp-send-dlu")),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	)
	if got := b.text("#dmp-documents tbody"); !strings.Contains(got, "En attente d'envoi") {
		t.Fatalf("after sending: %q", got)
	}
	if n := sendDue(); n != 1 {
		t.Fatalf("worker sent %d documents", n)
	}
	b.step("dlu-06-dmp-envoye",
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.ID("dmp-documents")),
	)
	if got := b.text("#dmp-documents tbody"); !strings.Contains(got, "Envoyé le") {
		t.Fatalf("after the worker: %q", got)
	}
}
