package frontend_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// TestBrowserHomeCareRound: on a tablet held upright, an SSIAD nurse opens
// her round, sees the visit with its access notes, marks a care act done,
// writes a targeted note through the "Transmission" link and lands back on
// her round.
func TestBrowserHomeCareRound(t *testing.T) {
	b := newBrowser(t)
	w := newWorld(t)
	nurse := w.addSSIADUser("ide.ssiad", domain.RoleInfirmier)
	var act domain.CareAct
	var stop uuid.UUID
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		act = domain.CareAct{UsagerID: w.athome, EstablishmentID: w.ssiad, Kind: domain.CarePansement, Label: "jambe gauche",
			Weekdays: domain.WeekdaysMondayFirst, Moments: []domain.Moment{domain.MomentMorning}, Start: domain.ParisDay(time.Now()).AddDate(0, 0, -7),
			Instructions: "Sérum physiologique, interface", AuthorID: nurse, AuthorName: "IDE SSIAD"}
		if err := tx.SaveCareAct(&act); err != nil {
			return err
		}
		r := domain.Round{EstablishmentID: w.ssiad, Name: "Tournée du Val", DefaultUserID: nurse}
		if err := tx.SaveRound(&r); err != nil {
			return err
		}
		if err := tx.SetRoundStops(r.ID, []domain.RoundStop{{UsagerID: w.athome, AccessNotes: "Code portail 4B27"}}); err != nil {
			return err
		}
		got, err := tx.Round(r.ID)
		if err != nil {
			return err
		}
		stop = got.Stops[0].ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	key := act.ID.String() + "-matin"
	b.step("20-tablette", chromedp.EmulateViewport(820, 1180))
	b.login(w.srv.URL, "ide.ssiad")
	b.step("21-tournee",
		chromedp.Navigate(w.srv.URL+"/tournee"),
		chromedp.WaitVisible(chromedp.ID("done-"+key)),
	)
	if got := b.text("#stop-" + stop.String()); !strings.Contains(got, "Code portail 4B27") || !strings.Contains(got, "DOMICILE Jeanne") {
		t.Fatalf("the visit shows %q", got)
	}
	b.step("22-soin-fait",
		chromedp.Click(chromedp.ID("done-"+key)),
		chromedp.WaitVisible(chromedp.ID("state-"+key)),
	)
	if got := b.text("p.flash"); got != "Le soin a été noté." {
		t.Fatalf("after marking: %q", got)
	}
	if got := b.text("#state-" + key); got != "Fait" {
		t.Fatalf("state shown %q", got)
	}
	if n := w.count("care_marks WHERE done AND slot = 'matin'"); n != 1 {
		t.Fatalf("%d done marks stored, want 1", n)
	}
	b.step("23-transmission",
		chromedp.Click(chromedp.ID("transmission-"+stop.String())),
		chromedp.WaitVisible(chromedp.ID("tc-save")),
		chromedp.SetValue(chromedp.ID("target"), "plaie"),
		chromedp.SendKeys(chromedp.ID("data"), "Plaie de jambe gauche propre, bords roses, pas d'odeur."),
		chromedp.SendKeys(chromedp.ID("actions"), "Pansement refait selon le protocole."),
	)
	b.step("24-retour-tournee",
		chromedp.Click(chromedp.ID("tc-save")),
		chromedp.WaitVisible(chromedp.ID("state-"+key)),
	)
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(strings.SplitN(loc, "?", 2)[0], "/tournee") {
		t.Fatalf("after the note the nurse is on %s, not her round", loc)
	}
	if n := w.count("targeted_notes WHERE target = 'plaie'"); n != 1 {
		t.Fatalf("%d targeted notes stored, want 1", n)
	}
}
