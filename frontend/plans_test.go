package frontend_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var planLink = regexp.MustCompile(`/projets/([0-9a-f-]{36})`)

// Build a plan through the forms: two goals, the agreements, ENCOURS, a
// review; refusals are explained beside the field and store nothing.
func TestPlanThroughTheForms(t *testing.T) {
	w := newWorld(t)
	rec := "/usagers/" + w.resident.String()
	dir := w.login("u.directeur")
	if code, _ := dir.post(rec+"/projets", nil); code != http.StatusSeeOther {
		t.Fatalf("new plan: %d", code)
	}
	_, list := dir.get(rec + "/projets")
	m := planLink.FindStringSubmatch(list)
	if m == nil {
		t.Fatal("no plan listed")
	}
	plan := rec + "/projets/" + m[1]
	code, body := dir.post(plan+"/objectifs", url.Values{"title": {"Marcher jusqu'au jardin"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), "Choisissez le domaine de l'objectif") {
		t.Fatalf("goal without domain: %d", code)
	}
	if w.count("plan_goals") != 0 {
		t.Fatal("a refused goal was stored")
	}
	for _, g := range []url.Values{
		{"domain": {"autonomie"}, "title": {"Marcher jusqu'au jardin chaque jour"}, "person_opinion": {"Oui, avec ma canne"}},
		{"domain": {"vie_sociale"}, "title": {"Participer à l'atelier chant"}},
	} {
		if code, body := dir.post(plan+"/objectifs", g); code != http.StatusSeeOther {
			t.Fatalf("goal: %d\n%s", code, body)
		}
	}
	if code, _ := dir.post(plan+"/statut", url.Values{"status": {"ENCOURS"}}); code != http.StatusUnprocessableEntity {
		t.Errorf("ENCOURS without the structure's agreement: %d, want 422", code)
	}
	for _, a := range []url.Values{
		{"author": {"structure"}, "method": {"ecran"}, "name": {"Directeur Test"}, "date": {"2026-11-20"}},
		{"author": {"usager"}, "method": {"papier_scanne"}, "name": {"Jeanne Résidente"}, "date": {"2026-11-20"}},
	} {
		if code, body := dir.post(plan+"/accords", a); code != http.StatusSeeOther {
			t.Fatalf("agreement: %d\n%s", code, body)
		}
	}
	if code, _ := dir.post(plan+"/statut", url.Values{"status": {"ENCOURS"}}); code != http.StatusSeeOther {
		t.Fatalf("ENCOURS: %d", code)
	}
	_, page := dir.get(plan)
	goals := regexp.MustCompile(`name="result_([0-9a-f-]{36})"`).FindAllStringSubmatch(page, -1)
	if len(goals) == 0 {
		t.Fatal("the review form offers no goal")
	}
	if code, body := dir.post(plan+"/bilans", url.Values{"date": {"2026-11-22"}, "synthesis": {"Bonne adaptation."},
		"result_" + goals[0][1]: {"partiellement_atteint"}, "comment_" + goals[0][1]: {"Avec aide"}}); code != http.StatusSeeOther {
		t.Fatalf("review: %d\n%s", code, body)
	}
	_, page = dir.get(plan)
	for _, want := range []string{"En cours", "Partiellement atteint", "Avec aide", "Marcher jusqu"} {
		if !strings.Contains(html.UnescapeString(page), want) {
			t.Errorf("plan page misses %q", want)
		}
	}
	if code, print := dir.get(plan + "/impression"); code != http.StatusOK || !strings.Contains(print, "Signature") {
		t.Errorf("print view: %d", code)
	}
	// A care assistant reads the plan but may not validate it.
	as := w.login("u.aide_soignant")
	if code, _ := as.get(plan); code != http.StatusOK {
		t.Errorf("aide-soignant reading the plan: %d", code)
	}
	if code, _ := as.post(plan+"/statut", url.Values{"status": {"ENPAUSE"}}); code != http.StatusForbidden {
		t.Errorf("aide-soignant pausing the plan: %d, want 403", code)
	}
}
