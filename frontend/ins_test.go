package frontend_test

import (
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/frontend"
	"github.com/relais-dui/relais/insi"
	"github.com/relais-dui/relais/insi/insitest"
	"github.com/relais-dui/relais/store"
)

// insiIdentity reads the identity of the usager known to the INSi peer.
func (w *world) insiIdentity(t *testing.T) domain.Identity {
	t.Helper()
	var out domain.Identity
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		var err error
		out, err = tx.Identity(w.insiOne)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Search the INS by traits (simulated INSi), accept it, validate with a
// document: the identity is qualified and the matricule is shown.
func TestINSSearchAcceptAndQualify(t *testing.T) {
	w := newWorld(t)
	c := w.login("u.secretariat")
	rec := "/usagers/" + w.insiOne.String()
	code, page := c.get(rec + "/identite/ins")
	if code != http.StatusOK || !strings.Contains(page, "Simulation") {
		t.Fatalf("INS page: %d; the simulation must be announced", code)
	}
	code, page = c.post(rec+"/identite/ins", url.Values{"mode": {"traits"}})
	if code != http.StatusOK || !strings.Contains(page, "Une identité trouvée") || strings.Contains(page, "différent") {
		t.Fatalf("search: %d\n%s", code, page)
	}
	if got := w.insiIdentity(t); got.INS != nil {
		t.Fatal("a search alone recorded the INS")
	}
	if code, _ := c.post(rec+"/identite/ins/accepter", url.Values{"mode": {"traits"}}); code != http.StatusSeeOther {
		t.Fatalf("accept: %d", code)
	}
	id := w.insiIdentity(t)
	if id.Status != domain.IdentityRECUP || id.INS == nil || id.INS.Number != "2310435238017" {
		t.Fatalf("after accepting: %+v", id)
	}
	_, page = c.get(rec)
	if strings.Contains(page, "2 31 04 35 238 017 43") {
		t.Error("the matricule is shown before the identity is qualified")
	}
	if code, _ := c.post(rec+"/identite/piece", url.Values{"document_type": {"PASSEPORT"}, "traits_checked": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("document: %d", code)
	}
	if id := w.insiIdentity(t); id.Status != domain.IdentityQUAL {
		t.Fatalf("status %s, want QUAL", id.Status)
	}
	_, page = c.get(rec)
	if !strings.Contains(page, "Identité qualifiée") || !strings.Contains(page, "2 31 04 35 238 017 43") {
		t.Error("a qualified identity must show its status and matricule")
	}
	_, trail := w.login("u.directeur").get(rec + "/trail")
	if !strings.Contains(html.UnescapeString(trail), "recherche INSi (traits du dossier) : Une identité trouvée [simulation]") {
		t.Error("INSi calls are not in the trail")
	}
	if strings.Contains(trail, "2310435238017") {
		t.Error("the trail holds the matricule")
	}
}

// A doubtful identity may not query INSi; traits that differ cannot be accepted.
func TestINSRefusals(t *testing.T) {
	w := newWorld(t)
	c := w.login("u.secretariat")
	rec := "/usagers/" + w.insiOne.String()
	// Change the birth place: the INSi answer no longer matches the record.
	form := url.Values{"birth_name": {"Dupont"}, "first_names": {"Jeanne Marie"}, "birth_date": {"1931-04-12"}, "sex": {"F"}, "birth_place_code": {"35001"}}
	if code, _ := c.post(rec+"/identite", form); code != http.StatusSeeOther {
		t.Fatalf("edit: %d", code)
	}
	code, page := c.post(rec+"/identite/ins", url.Values{"mode": {"traits"}})
	if code != http.StatusOK || !strings.Contains(page, "différent") {
		t.Fatalf("search with a differing birth place: %d", code)
	}
	if code, _ := c.post(rec+"/identite/ins/accepter", url.Values{"mode": {"traits"}}); code != http.StatusUnprocessableEntity {
		t.Errorf("accepting differing traits: %d, want 422", code)
	}
	if id := w.insiIdentity(t); id.INS != nil {
		t.Error("differing traits recorded an INS")
	}
	if code, _ := c.post(rec+"/identite/attributs", url.Values{"flag": {"douteuse"}, "reason": {"deux cartes Vitale différentes"}}); code != http.StatusSeeOther {
		t.Fatalf("douteuse: %d", code)
	}
	trailBefore := w.count("access_trail WHERE detail LIKE 'recherche INSi%'")
	code, page = c.post(rec+"/identite/ins", url.Values{"mode": {"traits"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, "Identité douteuse") {
		t.Errorf("search for a doubtful identity: %d", code)
	}
	if w.count("access_trail WHERE detail LIKE 'recherche INSi%'") != trailBefore {
		t.Error("INSi was queried for a doubtful identity")
	}
}

// When INSi does not answer in time, the user is told and nothing changes.
func TestINSTimeoutLeavesIdentityUnchanged(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	peer := insitest.NewPeer(insitest.DemoIdentities())
	peer.SetDelay(2 * time.Second)
	client, err := insi.NewWithHTTPClient(insitest.SimulationURL, peer.Client(),
		insi.Identification{IDAM: "TEST", SoftwareName: "Relais", SoftwareVersion: "test"}, insi.WithTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	authz, err := access.NewAuthorizer(ctx, w.db)
	if err != nil {
		t.Fatal(err)
	}
	ui, err := frontend.New(frontend.Config{Store: w.db.Records(), Auth: access.NewAuth(w.db, access.AuthOptions{}), Authz: authz,
		INSi: insi.NewService(client, true), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	ui.Register(r)
	slow := httptest.NewServer(r)
	defer slow.Close()
	w.srv = slow
	c := w.login("u.secretariat")
	code, page := c.post("/usagers/"+w.insiOne.String()+"/identite/ins/accepter", url.Values{"mode": {"traits"}})
	if code != http.StatusBadGateway || !strings.Contains(html.UnescapeString(page), "n'a pas répondu à temps") {
		t.Fatalf("timeout: %d", code)
	}
	if id := w.insiIdentity(t); id.INS != nil || id.Status != domain.IdentityPROV {
		t.Errorf("identity changed by a timeout: %+v", id)
	}
}
