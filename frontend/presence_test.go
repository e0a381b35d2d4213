package frontend_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The day register is saved whole or not at all, and the month summary
// counts it against the open days.
func TestPresenceRegisterAndMonthlySummary(t *testing.T) {
	w := newWorld(t)
	reg := "/presences/" + w.ehpad.String()
	sec := w.login("u.secretariat")
	r, k := "status_"+w.resident.String(), "status_"+w.insiOne.String()
	bad := url.Values{"jour": {"2026-11-10"}, r: {"present"}, k: {"absent"}} // absence without a reason
	code, body := sec.post(reg, bad)
	if code != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), "Indiquez le motif de l'absence.") {
		t.Fatalf("absence without reason: %d", code)
	}
	if w.count("presences") != 0 {
		t.Fatal("a refused register stored lines")
	}
	good := url.Values{"jour": {"2026-11-10"}, r: {"present"}, k: {"absent"}, "reason_" + w.insiOne.String(): {"Maladie"}}
	if code, _ := sec.post(reg, good); code != http.StatusSeeOther {
		t.Fatalf("register: %d", code)
	}
	if code, _ := sec.post(reg, url.Values{"jour": {"2026-11-12"}, r: {"excuse"}}); code != http.StatusSeeOther {
		t.Fatalf("second day: %d", code)
	}
	if w.count("presences") != 3 || w.count("access_trail WHERE detail LIKE 'registre de présence%'") != 3 {
		t.Errorf("presences %d, trail rows %d", w.count("presences"), w.count("access_trail WHERE detail LIKE 'registre de présence%'"))
	}
	_, page := sec.get(reg + "/synthese?mois=2026-11")
	if !strings.Contains(page, "20 jours d'ouverture") || !strings.Contains(page, "Maladie : 1") {
		t.Errorf("month summary misses the open days or the absence reason:\n%s", page)
	}
	// A care assistant reads the register but may not record it.
	as := w.login("u.aide_soignant")
	if code, _ := as.get(reg); code != http.StatusOK {
		t.Errorf("aide-soignant reading the register: %d", code)
	}
	if code, _ := as.post(reg, good); code != http.StatusForbidden {
		t.Errorf("aide-soignant recording the register: %d, want 403", code)
	}
	// Another organisation's establishment is not found.
	if code, _ := sec.get("/presences/" + w.foreignEstab().String()); code != http.StatusNotFound {
		t.Errorf("foreign establishment: %d, want 404", code)
	}
}
