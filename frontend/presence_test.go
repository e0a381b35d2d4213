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

// The establishment's opening drives the register and its summary: a
// settings writer sets the EHPAD open 7/7 with holidays, then a closure,
// then half-days with accueil modes; the register then asks for the
// morning and the afternoon, and the summary counts half-days per mode.
func TestOpeningSettingsDriveTheRegister(t *testing.T) {
	w := newWorld(t)
	settings := "/admin/etablissements/" + w.ehpad.String()
	reg := "/presences/" + w.ehpad.String()
	adm := w.login("u.administrateur")
	if code, page := adm.get("/admin/etablissements"); code != http.StatusOK || !strings.Contains(html.UnescapeString(page), "du lundi au vendredi, jours fériés exclus") {
		t.Fatalf("establishment list: %d", code)
	}
	code, body := adm.post(settings, url.Values{"open_on_holidays": {"1"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), "Cochez au moins un jour d'ouverture.") {
		t.Fatalf("opening without a day: %d", code)
	}
	if w.count("establishment_opening") != 0 {
		t.Fatal("a refused opening was stored")
	}
	every := url.Values{"weekdays": {"1", "2", "3", "4", "5", "6", "7"}, "open_on_holidays": {"1"}}
	if code, _ := adm.post(settings, every); code != http.StatusSeeOther {
		t.Fatalf("7/7: %d", code)
	}
	sec := w.login("u.secretariat")
	if _, page := sec.get(reg + "/synthese?mois=2026-11"); !strings.Contains(page, "30 jours d'ouverture") {
		t.Errorf("a 7/7 establishment open on holidays should count 30 days in November 2026")
	}
	// A closure period: refused when the dates are reversed, then counted.
	code, body = adm.post(settings+"/fermetures", url.Values{"label": {"Travaux"}, "first": {"2026-11-20"}, "last": {"2026-11-10"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), "Le dernier jour ne peut pas précéder le premier.") {
		t.Errorf("reversed closure: %d", code)
	}
	if code, _ := adm.post(settings+"/fermetures", url.Values{"label": {"Travaux"}, "first": {"2026-11-23"}, "last": {"2026-11-30"}}); code != http.StatusSeeOther {
		t.Fatalf("closure: %d", code)
	}
	if _, page := sec.get(reg + "/synthese?mois=2026-11"); !strings.Contains(page, "22 jours d'ouverture") || !strings.Contains(page, "Travaux du 23/11/2026") {
		t.Errorf("the closure is not counted in the summary")
	}
	if _, page := sec.get(reg + "?jour=2026-11-24"); !strings.Contains(html.UnescapeString(page), "Établissement fermé ce jour : Travaux") {
		t.Errorf("the register does not say the establishment is closed")
	}
	// Half-days with two accueil modes.
	half := url.Values{"weekdays": {"1", "2", "3", "4", "5"}, "half_days": {"1"}, "modes": {"semi_internat", "externat"}}
	if code, _ := adm.post(settings, half); code != http.StatusSeeOther {
		t.Fatalf("half-days: %d", code)
	}
	r := w.resident.String()
	_, page := sec.get(reg + "?jour=2026-11-10")
	for _, want := range []string{`name="status_` + r + `_matin"`, `name="status_` + r + `_apres_midi"`, `name="mode_` + r + `"`, "Semi-internat"} {
		if !strings.Contains(page, want) {
			t.Errorf("half-day register misses %s", want)
		}
	}
	assertUniqueIDs(t, page)
	bad := url.Values{"jour": {"2026-11-10"}, "status_" + r + "_matin": {"present"}, "mode_" + r: {"internat"}}
	if code, body := sec.post(reg, bad); code != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), "Choisissez un mode d'accueil de l'établissement.") {
		t.Errorf("a mode the establishment does not offer: %d", code)
	}
	if w.count("presences") != 0 {
		t.Fatal("a refused register stored lines")
	}
	good := url.Values{"jour": {"2026-11-10"}, "status_" + r + "_matin": {"present"}, "status_" + r + "_apres_midi": {"absent"},
		"reason_" + r + "_apres_midi": {"Rendez-vous médical"}, "mode_" + r: {"semi_internat"}}
	if code, body := sec.post(reg, good); code != http.StatusSeeOther {
		t.Fatalf("half-day register: %d\n%s", code, body)
	}
	if n := w.count("presences WHERE half = 'matin' AND mode = 'semi_internat'"); n != 1 {
		t.Errorf("%d morning lines in semi-internat, want 1", n)
	}
	_, page = sec.get(reg + "/synthese?mois=2026-11")
	page = html.UnescapeString(page)
	for _, want := range []string{"14 jours d'ouverture (28 demi-journées)", "Décompte en demi-journées", "dont Semi-internat", "Rendez-vous médical : 1"} {
		if !strings.Contains(page, want) {
			t.Errorf("half-day summary misses %q", want)
		}
	}
	// Rights: the director reads the settings but may not change them; a
	// nurse has no access to them.
	dir := w.login("u.directeur")
	if code, _ := dir.get(settings); code != http.StatusOK {
		t.Errorf("director reading the settings: %d", code)
	}
	if code, _ := dir.post(settings, every); code != http.StatusForbidden {
		t.Errorf("director changing the settings: %d, want 403", code)
	}
	if code, _ := w.login("u.infirmier").get(settings); code != http.StatusForbidden {
		t.Errorf("nurse reading the settings: %d, want 403", code)
	}
	if code, _ := adm.get("/admin/etablissements/" + w.foreignEstab().String()); code != http.StatusNotFound {
		t.Errorf("another organisation's establishment: %d, want 404", code)
	}
	if n := w.count("access_trail WHERE section = 'settings' AND detail LIKE 'jours d''ouverture%'"); n != 2 {
		t.Errorf("%d traced opening changes, want 2", n)
	}
}
