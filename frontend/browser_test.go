package frontend_test

import (
	"context"
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

// TestBrowserLoginListDossierAdmit drives headless chromium through the
// daily path of a director: log in, find a person, open the dossier, create
// a new record and admit the person.
func TestBrowserLoginListDossierAdmit(t *testing.T) {
	chromium := chromiumPath(t)
	w := newWorld(t)
	shots := os.Getenv("RELAIS_SCREENSHOTS") // a directory to keep PNGs of each page, for humans

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("lang", "fr-FR"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1024, 1366), // a tablet held upright
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()

	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if shots != "" {
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err == nil {
				err = os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
			}
			if err != nil {
				t.Logf("screenshot %s: %v", name, err)
			}
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}

	step("01-login",
		chromedp.Navigate(w.srv.URL+"/usagers"), // redirected to the login page
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "u.directeur"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
	)
	step("02-liste",
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.list`)),
	)
	if got := text("main h1"); got != "Personnes accompagnées" {
		t.Fatalf("after login the page title is %q", got)
	}
	step("03-recherche",
		chromedp.SendKeys(chromedp.ID("q"), "resid"),
		chromedp.Click(chromedp.CSS(`form.filters button`)),
		chromedp.WaitVisible(chromedp.CSS(`a.rowlink`)),
	)
	step("04-dossier",
		chromedp.Click(chromedp.CSS(`a.rowlink`)),
		chromedp.WaitVisible(chromedp.CSS(`.banner h1`)),
	)
	if got := text(".banner h1"); !strings.Contains(got, "RÉSIDENTE") {
		t.Fatalf("dossier header %q", got)
	}
	step("05-nouveau",
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
	step("06-cree",
		chromedp.Click(chromedp.CSS(`.actions button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	)
	if got := text("p.flash"); got != "Le dossier a été créé." {
		t.Fatalf("after creation: %q", got)
	}
	step("07-admission",
		chromedp.Click(chromedp.CSS(`a[href$="/admission"]`)),
		chromedp.WaitVisible(chromedp.ID("admission_date")),
		chromedp.SetValue(chromedp.ID("admission_date"), "2026-11-20"),
	)
	step("08-admis",
		chromedp.Click(chromedp.CSS(`.actions button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	)
	if got := text("p.flash"); got != "L'admission a été enregistrée." {
		t.Fatalf("after admission: %q", got)
	}
	if got := text(".stay-admitted"); got != "Admis" {
		t.Fatalf("stay status shown %q, want Admis", got)
	}
	if n := w.count("stays WHERE status = 'admitted' AND admission_date = '2026-11-20'"); n != 1 {
		t.Fatalf("admitted stays in the database: %d, want 1", n)
	}
}
