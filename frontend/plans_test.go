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
	code, body := postPlan(dir, plan, plan+"/objectifs", url.Values{"title": {"Marcher jusqu'au jardin"}})
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
		if code, body := postPlan(dir, plan, plan+"/objectifs", g); code != http.StatusSeeOther {
			t.Fatalf("goal: %d\n%s", code, body)
		}
	}
	if code, _ := postPlan(dir, plan, plan+"/statut", url.Values{"status": {"ENCOURS"}}); code != http.StatusUnprocessableEntity {
		t.Errorf("ENCOURS without the structure's agreement: %d, want 422", code)
	}
	for _, a := range []url.Values{
		{"author": {"structure"}, "method": {"ecran"}, "name": {"Directeur Test"}, "date": {"2026-11-20"}},
		{"author": {"usager"}, "method": {"papier_scanne"}, "name": {"Jeanne Résidente"}, "date": {"2026-11-20"}},
	} {
		if code, body := postPlan(dir, plan, plan+"/accords", a); code != http.StatusSeeOther {
			t.Fatalf("agreement: %d\n%s", code, body)
		}
	}
	if code, _ := postPlan(dir, plan, plan+"/statut", url.Values{"status": {"ENCOURS"}}); code != http.StatusSeeOther {
		t.Fatalf("ENCOURS: %d", code)
	}
	_, page := dir.get(plan)
	assertUniqueIDs(t, page)
	goals := regexp.MustCompile(`name="result_([0-9a-f-]{36})"`).FindAllStringSubmatch(page, -1)
	if len(goals) == 0 {
		t.Fatal("the review form offers no goal")
	}
	if code, body := postPlan(dir, plan, plan+"/bilans", url.Values{"review_date": {"2026-11-22"}, "synthesis": {"Bonne adaptation."},
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
	if code, _ := postPlan(as, plan, plan+"/statut", url.Values{"status": {"ENPAUSE"}}); code != http.StatusForbidden {
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
	if code, _ := postPlan(c, plan, plan+"/attentes", url.Values{"exp_origin": {"usager"}, "exp_text": {"Garder mon chat"}, "entered_on_behalf": {"1"}}); code != http.StatusUnprocessableEntity {
		t.Errorf("a person's own expectation typed 'on behalf': %d, want 422", code)
	}
	if code, _ := postPlan(c, plan, plan+"/attentes", url.Values{"exp_origin": {"partenaire"}, "exp_author": {"SSIAD du Val"}, "exp_text": {"Transmettre le plan de soins à la sortie"}, "entered_on_behalf": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("partner expectation: %d", code)
	}
	if code, _ := postPlan(c, plan, plan+"/besoins", url.Values{"need_text": {"Aide à la toilette"}, "serafin_code": {"1.2.1.1"}}); code != http.StatusSeeOther {
		t.Fatalf("need: %d", code)
	}
	postPlan(c, plan, plan+"/objectifs", url.Values{"domain": {"sante"}, "title": {"Suivi du poids"}})
	_, page := c.get(plan)
	if !strings.Contains(html.UnescapeString(page), "Saisie par l'équipe pour le compte de : une structure partenaire") {
		t.Error("a partner contribution entered by staff is not marked as such")
	}
	goal := regexp.MustCompile(`/objectifs/([0-9a-f-]{36})/statut`).FindStringSubmatch(page)
	if goal == nil {
		t.Fatal("no goal status buttons")
	}
	if code, _ := postPlan(c, plan, plan+"/objectifs/"+goal[1]+"/actions", url.Values{"action_title": {" "}}); code != http.StatusUnprocessableEntity {
		t.Errorf("action without title: %d, want 422", code)
	}
	if code, _ := postPlan(c, plan, plan+"/objectifs/"+goal[1]+"/actions", url.Values{"action_title": {"Pesée le lundi"}, "action_end": {"2027-01-31"}}); code != http.StatusSeeOther {
		t.Fatalf("action: %d", code)
	}
	if n := w.count("plan_actions"); n != 1 {
		t.Errorf("%d actions stored, want 1", n)
	}
	if code, _ := postPlan(c, plan, plan+"/objectifs/"+goal[1]+"/statut", url.Values{"status": {"ACTIF"}}); code != http.StatusSeeOther {
		t.Fatalf("goal ACTIF: %d", code)
	}
	if code, _ := postPlan(c, plan, plan+"/objectifs/"+goal[1]+"/statut", url.Values{"status": {"ENPREPARATION"}}); code != http.StatusUnprocessableEntity {
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

var revisionField = regexp.MustCompile(`name="revision" value="([0-9]+)"`)

// postPlan posts a plan form as the browser would: with the revision the
// plan page shows now.
func postPlan(c *client, plan, path string, form url.Values) (int, string) {
	c.t.Helper()
	_, page := c.get(plan)
	m := revisionField.FindStringSubmatch(page)
	if m == nil {
		c.t.Fatalf("the plan page carries no revision field")
	}
	if form == nil {
		form = url.Values{}
	}
	if form.Get("revision") == "" {
		form.Set("revision", m[1])
	}
	return c.post(path, form)
}

// Two people open the same plan; the first saves, the second's save drawn
// from the older revision is refused (409) with who saved and when, and
// the plan holds the first one's change only.
func TestPlanConcurrentEditsRefused(t *testing.T) {
	w := newWorld(t)
	rec := "/usagers/" + w.resident.String()
	dir := w.login("u.directeur")
	if code, _ := dir.post(rec+"/projets", nil); code != http.StatusSeeOther {
		t.Fatalf("new plan: %d", code)
	}
	_, list := dir.get(rec + "/projets")
	plan := rec + "/projets/" + planLink.FindStringSubmatch(list)[1]
	nurse := w.login("u.infirmier")
	_, first := dir.get(plan)
	_, second := nurse.get(plan)
	rev1, rev2 := revisionField.FindStringSubmatch(first), revisionField.FindStringSubmatch(second)
	if rev1 == nil || rev2 == nil || rev1[1] != rev2[1] {
		t.Fatalf("both forms should carry the same revision: %v %v", rev1, rev2)
	}
	if code, body := dir.post(plan+"/besoins", url.Values{"revision": {rev1[1]}, "need_text": {"Besoin du directeur"}}); code != http.StatusSeeOther {
		t.Fatalf("first save: %d\n%s", code, body)
	}
	code, body := nurse.post(plan+"/besoins", url.Values{"revision": {rev2[1]}, "need_text": {"Besoin de l'infirmier"}})
	page := html.UnescapeString(body)
	if code != http.StatusConflict || !strings.Contains(page, "modifié entre-temps par Directeur Test le ") {
		t.Fatalf("stale save: %d, want 409 naming the director\n%s", code, page)
	}
	if n := w.count("plan_needs WHERE body = 'Besoin de l''infirmier'"); n != 0 {
		t.Error("the stale save was stored")
	}
	if n := w.count("plan_needs WHERE body = 'Besoin du directeur'"); n != 1 {
		t.Errorf("the first save is not there (%d)", n)
	}
	// The refusal shows the up-to-date plan and revision: saving again from
	// it works.
	if !strings.Contains(page, "Besoin du directeur") {
		t.Error("the refusal does not show the up-to-date plan")
	}
	if code, _ := postPlan(nurse, plan, plan+"/besoins", url.Values{"need_text": {"Besoin de l'infirmier"}}); code != http.StatusSeeOther {
		t.Errorf("save from the fresh revision: %d", code)
	}
	// A form without its revision is refused.
	if code, _ := dir.post(plan+"/besoins", url.Values{"need_text": {"Sans révision"}}); code != http.StatusBadRequest {
		t.Errorf("form without revision: %d, want 400", code)
	}
}
