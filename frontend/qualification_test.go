package frontend_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

func (w *world) identity(t *testing.T) domain.Identity {
	t.Helper()
	var id domain.Identity
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		var err error
		id, err = tx.Identity(w.resident)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Document checks, the douteuse attribute and a strict-trait change walk the
// RNIV status through the UI; refusals are explained beside the field.
func TestIdentityQualificationThroughTheDossier(t *testing.T) {
	w := newWorld(t)
	c := w.login("u.secretariat")
	rec := "/usagers/" + w.resident.String()
	steps := []struct {
		name    string
		path    string
		form    url.Values
		code    int
		message string
		status  domain.IdentityStatus
	}{
		{"traits not confirmed", "/identite/piece", url.Values{"document_type": {"CNI"}}, 422, "Confirmez que les cinq traits stricts", domain.IdentityPROV},
		{"driving licence refused", "/identite/piece", url.Values{"document_type": {"PERMIS_CONDUIRE"}, "traits_checked": {"1"}}, 422, "haut niveau de confiance", domain.IdentityPROV},
		{"birth extract without photo Vitale refused", "/identite/piece", url.Values{"document_type": {"EXTRAIT_NAISSANCE"}, "traits_checked": {"1"}}, 422, "carte Vitale avec photographie", domain.IdentityPROV},
		{"doubt without a reason", "/identite/attributs", url.Values{"flag": {"douteuse"}}, 422, "Indiquez le motif.", domain.IdentityPROV},
		{"doubt declared", "/identite/attributs", url.Values{"flag": {"douteuse"}, "reason": {"photo peu ressemblante"}}, 303, "", domain.IdentityPROV},
		{"document refused while doubtful", "/identite/piece", url.Values{"document_type": {"CNI"}, "traits_checked": {"1"}}, 422, "levez d'abord le doute", domain.IdentityPROV},
		{"doubt lifted", "/identite/attributs", url.Values{"flag": {"douteuse_levee"}, "reason": {"fille présente avec le livret"}}, 303, "", domain.IdentityPROV},
		{"birth extract with photo Vitale in an EHPAD", "/identite/piece", url.Values{"document_type": {"EXTRAIT_NAISSANCE"}, "photo_vitale": {"1"}, "traits_checked": {"1"}}, 303, "", domain.IdentityVALI},
	}
	for _, s := range steps {
		code, body := c.post(rec+s.path, s.form)
		if code != s.code {
			t.Fatalf("%s: %d, want %d\n%s", s.name, code, s.code, body)
		}
		if s.message != "" && !strings.Contains(body, html.EscapeString(s.message)) {
			t.Errorf("%s: message %q not shown", s.name, s.message)
		}
		if got := w.identity(t).Status; got != s.status {
			t.Errorf("%s: status %s, want %s", s.name, got, s.status)
		}
	}
	_, page := c.get(rec)
	if !strings.Contains(page, "Identité validée") || !strings.Contains(page, "Extrait d&#39;acte de naissance avec carte Vitale") {
		t.Error("the identity card does not show the validation")
	}
	// Changing a strict trait drops the evidence: back to provisional.
	form := url.Values{"birth_name": {"Résidente-Martin"}, "first_names": {"Jeanne Marie"}, "birth_date": {"1936-05-04"}, "sex": {"F"}, "birth_place_code": {"69123"}}
	if code, _ := c.post(rec+"/identite", form); code != http.StatusSeeOther {
		t.Fatalf("edit identity: %d", code)
	}
	if id := w.identity(t); id.Status != domain.IdentityPROV || id.Document != "" {
		t.Errorf("after a strict trait change: %+v", id)
	}
	_, trail := w.login("u.directeur").get(rec + "/trail")
	for _, want := range []string{"Identité déclarée douteuse", "Preuve : Extrait d", "Trait strict modifié (nom de naissance)"} {
		if !strings.Contains(html.UnescapeString(trail), want) {
			t.Errorf("trail misses %q", want)
		}
	}
	// A care assistant may read the card but not change the identity.
	as := w.login("u.aide_soignant")
	if code, _ := as.post(rec+"/identite/attributs", url.Values{"flag": {"fictive"}, "reason": {"essai"}}); code != http.StatusForbidden {
		t.Errorf("aide-soignant flags an identity: %d, want 403", code)
	}
}
