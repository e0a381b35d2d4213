package frontend_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's chromium. Outside CI a machine without it skips
// the browser test; in CI (CI=true) its absence is a failure, because
// `make test` installs it.
func chromiumPath(t *testing.T) string {
	for _, p := range []string{os.Getenv("RELAIS_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found: `make test` installs Debian's chromium package")
	}
	t.Skip("chromium not installed (make install-chromium)")
	return ""
}

// browser is a headless chromium tab with helpers that fail the test.
type browser struct {
	t     *testing.T
	ctx   context.Context
	shots string // a directory to keep PNGs of each step, for humans (RELAIS_SCREENSHOTS)
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	chromium := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("lang", "fr-FR"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1024, 1366), // a tablet held upright
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute) // generous: CI machines are slow, a hang still fails
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return &browser{t: t, ctx: ctx, shots: os.Getenv("RELAIS_SCREENSHOTS")}
}

// step runs actions, then keeps a screenshot named name when asked to.
func (b *browser) step(name string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", name, err)
	}
	if b.shots != "" {
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err == nil {
			err = os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644)
		}
		if err != nil {
			b.t.Logf("screenshot %s: %v", name, err)
		}
	}
}

// text reads the text of the first element matching a CSS selector.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

// login signs in through the login page.
func (b *browser) login(base, username string) {
	b.t.Helper()
	b.step("login-"+username,
		chromedp.Navigate(base+"/usagers"), // redirected to the login page
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.list`)),
	)
}

// TestBrowserLoginListDossierAdmit drives headless chromium through the
// daily path of a director: log in, find a person, open the dossier, create
// a new record and admit the person.
func TestBrowserLoginListDossierAdmit(t *testing.T) {
	b := newBrowser(t)
	w := newWorld(t)
	b.login(w.srv.URL, "u.directeur")
	if got := b.text("main h1"); got != "Personnes accompagnées" {
		t.Fatalf("after login the page title is %q", got)
	}
	// The full list has rowlinks too: wait for the searched person's row,
	// not for any row (the click could land before the results arrive).
	resident := chromedp.Search(`//a[contains(@class, "rowlink")][contains(., "RÉSIDENTE")]`)
	b.step("03-recherche",
		chromedp.SendKeys(chromedp.ID("q"), "resid"),
		chromedp.Click(chromedp.CSS(`form.filters button`)),
		chromedp.WaitVisible(chromedp.CSS(`input#q[value="resid"]`)),
		chromedp.WaitVisible(resident),
	)
	b.step("04-dossier",
		chromedp.Click(resident),
		chromedp.WaitVisible(chromedp.CSS(`.banner h1`)),
	)
	if got := b.text(".banner h1"); !strings.Contains(got, "RÉSIDENTE") {
		t.Fatalf("dossier header %q", got)
	}
	b.step("05-nouveau",
		chromedp.Navigate(w.srv.URL+"/usagers/nouveau"),
		chromedp.WaitVisible(chromedp.ID("birth_name")),
		chromedp.SendKeys(chromedp.ID("birth_name"), "Lemoine"),
		chromedp.SendKeys(chromedp.ID("first_names"), "Henriette Paule"),
		chromedp.SetValue(chromedp.ID("birth_date"), "1938-11-02"),
		chromedp.Click(chromedp.CSS(`input[name=sex][value=F]`)),
		chromedp.SendKeys(chromedp.ID("birth_place_code"), "69123"),
		chromedp.SetValue(chromedp.ID("establishment_id"), w.ehpad.String()),
		chromedp.SetValue(chromedp.ID("mode"), "hebergement_permanent"),
	)
	b.step("06-cree",
		chromedp.Click(chromedp.CSS(`.actions button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	)
	if got := b.text("p.flash"); got != "Le dossier a été créé." {
		t.Fatalf("after creation: %q", got)
	}
	b.step("07-admission",
		chromedp.Click(chromedp.CSS(`a[href$="/admission"]`)),
		chromedp.WaitVisible(chromedp.ID("admission_date")),
		chromedp.SetValue(chromedp.ID("admission_date"), "2026-11-20"),
	)
	b.step("08-admis",
		chromedp.Click(chromedp.CSS(`.actions button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	)
	if got := b.text("p.flash"); got != "L'admission a été enregistrée." {
		t.Fatalf("after admission: %q", got)
	}
	if got := b.text(".stay-admitted"); got != "Admis" {
		t.Fatalf("stay status shown %q, want Admis", got)
	}
	if n := w.count("stays WHERE status = 'admitted' AND admission_date = '2026-11-20'"); n != 1 {
		t.Fatalf("admitted stays in the database: %d, want 1", n)
	}
}

// TestBrowserQualifyIdentity: the front desk searches the INS of a person
// (simulated INSi), compares the traits, accepts, validates with a document
// and sees the identity qualified.
func TestBrowserQualifyIdentity(t *testing.T) {
	b := newBrowser(t)
	w := newWorld(t)
	b.login(w.srv.URL, "u.secretariat")
	rec := w.srv.URL + "/usagers/" + w.insiOne.String()
	b.step("10-dossier", chromedp.Navigate(rec), chromedp.WaitVisible(chromedp.CSS(`a[href$="/identite/ins"]`)))
	b.step("11-ins",
		chromedp.Click(chromedp.CSS(`a[href$="/identite/ins"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=mode][value=traits] ~ button`)),
	)
	b.step("12-reponse",
		chromedp.Click(chromedp.CSS(`input[name=mode][value=traits] ~ button`)),
		chromedp.WaitVisible(chromedp.CSS(`table.compare`)),
	)
	if got := b.text("#h-res"); !strings.Contains(got, "Une identité trouvée (00)") {
		t.Fatalf("INSi answer heading %q", got)
	}
	b.step("13-acceptee",
		chromedp.Click(chromedp.CSS(`form[action$="/identite/ins/accepter"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	)
	if got := b.text("section[aria-labelledby=h-rniv] > p .badge"); got != "Identité récupérée" {
		t.Fatalf("after accepting the INS: %q", got)
	}
	b.step("14-piece",
		chromedp.Click(chromedp.CSS(`a[href$="/identite/piece"]`)),
		chromedp.WaitVisible(chromedp.ID("document_type")),
		chromedp.SetValue(chromedp.ID("document_type"), "CNI"),
		chromedp.Click(chromedp.CSS(`input[name=traits_checked]`)),
	)
	b.step("15-qualifiee",
		chromedp.Click(chromedp.CSS(`.actions button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	)
	if got := b.text("section[aria-labelledby=h-rniv] > p .badge"); got != "Identité qualifiée" {
		t.Fatalf("after the document check: %q", got)
	}
	if got := b.text(".banner .badge"); got != "Identité qualifiée" {
		t.Fatalf("the header badge says %q", got)
	}
	if got := b.text("section[aria-labelledby=h-rniv] dl.facts dd strong"); got != "2 31 04 35 238 017 43" {
		t.Fatalf("matricule shown %q", got)
	}
}

// TestBrowserPlan: a director builds a personalised plan with two goals,
// records the agreements, starts it, reviews one goal and opens the print view.
func TestBrowserPlan(t *testing.T) {
	b := newBrowser(t)
	w := newWorld(t)
	b.login(w.srv.URL, "u.directeur")
	rec := w.srv.URL + "/usagers/" + w.resident.String()
	b.step("20-projets", chromedp.Navigate(rec), chromedp.Click(chromedp.CSS(`a[href$="/projets"]`)), chromedp.WaitVisible(chromedp.CSS(`form[action$="/projets"] button`)))
	b.step("21-nouveau", chromedp.Click(chromedp.CSS(`form[action$="/projets"] button`)), chromedp.WaitVisible(chromedp.CSS(`#h-goals`)))
	for i, goal := range []struct{ domain, title string }{{"autonomie", "Marcher jusqu'au jardin"}, {"vie_sociale", "Rejoindre la chorale"}} {
		b.step(fmt.Sprintf("22-objectif-%d", i+1),
			chromedp.Click(chromedp.CSS(`section[aria-labelledby=h-goals] summary`)),
			chromedp.WaitVisible(chromedp.ID("domain")),
			chromedp.SetValue(chromedp.ID("domain"), goal.domain),
			chromedp.SendKeys(chromedp.ID("title"), goal.title),
			chromedp.Click(chromedp.CSS(`form[action$="/objectifs"] button`)),
			chromedp.WaitVisible(chromedp.Search(`//strong[text()="`+goal.title+`"]`)),
		)
	}
	for i, who := range []struct{ author, name string }{{"structure", "Directeur Test"}, {"usager", "Jeanne Résidente"}} {
		b.step(fmt.Sprintf("23-accord-%d", i+1),
			chromedp.Click(chromedp.CSS(`section[aria-labelledby=h-agreements] summary`)),
			chromedp.WaitVisible(chromedp.ID("author")),
			chromedp.SetValue(chromedp.ID("author"), who.author),
			chromedp.SendKeys(chromedp.ID("name"), who.name),
			chromedp.Click(chromedp.CSS(`form[action$="/accords"] button`)),
			chromedp.WaitVisible(chromedp.Search(`//li[contains(., "`+who.name+`")]`)),
		)
	}
	b.step("24-encours",
		chromedp.Click(chromedp.CSS(`form[action$="/statut"] input[value=ENCOURS] + button`)),
		chromedp.WaitVisible(chromedp.CSS(`h2 .plan-ENCOURS`)),
	)
	if got := b.text("h2 .badge"); got != "En cours" {
		t.Fatalf("plan status after start: %q", got)
	}
	b.step("25-bilan",
		chromedp.Click(chromedp.CSS(`section[aria-labelledby=h-reviews] summary`)),
		chromedp.WaitVisible(chromedp.ID("synthesis")),
		chromedp.SendKeys(chromedp.ID("synthesis"), "Se déplace avec plus d'assurance."),
		chromedp.Click(chromedp.CSS(`input[type=radio][value=atteint]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/bilans"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.review .badge`)),
	)
	if got := b.text(".review .badge"); got != "Atteint" {
		t.Fatalf("review shows %q", got)
	}
	b.step("26-impression",
		chromedp.Click(chromedp.CSS(`a[href$="/impression"]`)),
		chromedp.WaitVisible(chromedp.CSS(`article.print`)),
	)
	if got := b.text("article.print h1"); !strings.Contains(got, "Projet d'accompagnement personnalisé") {
		t.Fatalf("print view title %q", got)
	}
}
