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
	assertUniqueIDs(t, page)
	goals := regexp.MustCompile(`name="result_([0-9a-f-]{36})"`).FindAllStringSubmatch(page, -1)
	if len(goals) == 0 {
		t.Fatal("the review form offers no goal")
	}
	if code, body := dir.post(plan+"/bilans", url.Values{"review_date": {"2026-11-22"}, "synthesis": {"Bonne adaptation."},
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
	if code, pdf := dir.get(plan + "/pdf"); code != http.StatusOK || !strings.HasPrefix(pdf, "%PDF-") || !strings.Contains(pdf, "Participer \\340 l'atelier chant") {
		t.Errorf("PDF download: %d, %d bytes", code, len(pdf))
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

// Expectations keep their origin; one typed by staff for a partner is marked
// as such; needs and goal statuses are recorded; nothing partial on refusal.
func TestPlanExpectationsNeedsAndGoalStatus(t *testing.T) {
	w := newWorld(t)
	rec := "/usagers/" + w.resident.String()
	c := w.login("u.directeur")
	c.post(rec+"/projets", nil)
	_, list := c.get(rec + "/projets")
	plan := rec + "/projets/" + planLink.FindStringSubmatch(list)[1]
	if code, _ := c.post(plan+"/attentes", url.Values{"exp_origin": {"usager"}, "exp_text": {"Garder mon chat"}, "entered_on_behalf": {"1"}}); code != http.StatusUnprocessableEntity {
		t.Errorf("a person's own expectation typed 'on behalf': %d, want 422", code)
	}
	if code, _ := c.post(plan+"/attentes", url.Values{"exp_origin": {"partenaire"}, "exp_author": {"SSIAD du Val"}, "exp_text": {"Transmettre le plan de soins à la sortie"}, "entered_on_behalf": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("partner expectation: %d", code)
	}
	if code, _ := c.post(plan+"/besoins", url.Values{"need_text": {"Aide à la toilette"}, "serafin_code": {"1.2.1.1"}}); code != http.StatusSeeOther {
		t.Fatalf("need: %d", code)
	}
	c.post(plan+"/objectifs", url.Values{"domain": {"sante"}, "title": {"Suivi du poids"}})
	_, page := c.get(plan)
	if !strings.Contains(html.UnescapeString(page), "Saisie par l'équipe pour le compte de : une structure partenaire") {
		t.Error("a partner contribution entered by staff is not marked as such")
	}
	goal := regexp.MustCompile(`/objectifs/([0-9a-f-]{36})/statut`).FindStringSubmatch(page)
	if goal == nil {
		t.Fatal("no goal status buttons")
	}
	if code, _ := c.post(plan+"/objectifs/"+goal[1]+"/actions", url.Values{"action_title": {" "}}); code != http.StatusUnprocessableEntity {
		t.Errorf("action without title: %d, want 422", code)
	}
	if code, _ := c.post(plan+"/objectifs/"+goal[1]+"/actions", url.Values{"action_title": {"Pesée le lundi"}, "action_end": {"2027-01-31"}}); code != http.StatusSeeOther {
		t.Fatalf("action: %d", code)
	}
	if n := w.count("plan_actions"); n != 1 {
		t.Errorf("%d actions stored, want 1", n)
	}
	if code, _ := c.post(plan+"/objectifs/"+goal[1]+"/statut", url.Values{"status": {"ACTIF"}}); code != http.StatusSeeOther {
		t.Fatalf("goal ACTIF: %d", code)
	}
	if code, _ := c.post(plan+"/objectifs/"+goal[1]+"/statut", url.Values{"status": {"ENPREPARATION"}}); code != http.StatusUnprocessableEntity {
		t.Errorf("goal back to ENPREPARATION: %d, want 422", code)
	}
	if n := w.count("plan_goals WHERE status = 'ACTIF'"); n != 1 {
		t.Errorf("%d active goals, want 1", n)
	}
}

var idAttr = regexp.MustCompile(` id="([^"]+)"`)

// assertUniqueIDs fails on a page where two elements share an id: labels,
// error messages and browser tests would then reach the wrong field.
func assertUniqueIDs(t *testing.T, page string) {
	t.Helper()
	seen := map[string]bool{}
	for _, m := range idAttr.FindAllStringSubmatch(page, -1) {
		if seen[m[1]] {
			t.Errorf("id %q used twice on the page", m[1])
		}
		seen[m[1]] = true
	}
}
