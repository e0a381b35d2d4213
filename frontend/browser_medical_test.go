package frontend_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserDelegation: the doctor records a severe allergy; the
// aide-soignante sees it on the banner of the record, is refused the medical
// section, opens it by bris de glace with a reason, and reads it under the
// delegation banner.
func TestBrowserDelegation(t *testing.T) {
	b := newBrowser(t)
	w := newWorld(t)
	rec := w.srv.URL + "/usagers/" + w.resident.String()

	b.login(w.srv.URL, "u.medecin")
	b.step("30-medical",
		chromedp.Navigate(rec+"/medical"),
		chromedp.WaitVisible(chromedp.ID("kind")),
		chromedp.SetValue(chromedp.ID("kind"), "allergie"),
		chromedp.SendKeys(chromedp.ID("label"), "Pénicillines"),
		chromedp.Click(chromedp.CSS(`input[name=criticality][value=high]`)),
		chromedp.SendKeys(chromedp.ID("reaction"), "œdème de Quincke"),
		chromedp.Click(chromedp.ID("medical-item-save")),
		chromedp.WaitVisible(chromedp.CSS(`#allergy-banner.has-allergies`)),
	)
	b.step("31-logout", chromedp.Click(chromedp.CSS(`form.logout button`)), chromedp.WaitVisible(chromedp.ID("username")))

	b.login(w.srv.URL, "u.aide_soignant")
	b.step("32-banner", chromedp.Navigate(rec+"/chronologie"), chromedp.WaitVisible(chromedp.ID("allergy-banner")))
	if got := b.text("#allergy-banner"); !strings.Contains(got, "Pénicillines (œdème de Quincke) — gravité élevée") {
		t.Fatalf("banner reads %q", got)
	}
	b.step("33-refused", chromedp.Navigate(rec+"/medical"), chromedp.WaitVisible(chromedp.ID("ask-delegation")))
	b.step("34-form", chromedp.Click(chromedp.ID("ask-delegation")), chromedp.WaitVisible(chromedp.ID("reason")))
	b.step("35-open",
		chromedp.SendKeys(chromedp.ID("reason"), "Malaise de nuit, le 15 demande les antécédents"),
		chromedp.Click(chromedp.ID("delegation-open")),
		chromedp.WaitVisible(chromedp.CSS(`.delegation-banner`)),
	)
	if got := b.text("h2#h-allergies"); got != "Allergies et intolérances" {
		t.Fatalf("medical page under delegation shows %q", got)
	}
	if n := w.count(`access_trail WHERE username = 'u.aide_soignant' AND section = 'medical' AND detail LIKE 'Bris de glace%'`); n != 1 {
		t.Fatalf("%d reads traced under the delegation, want 1", n)
	}
}
