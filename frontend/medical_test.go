package frontend_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/relais-dui/relais/store"
)

// The medical section: who reads it, who writes which part, and the allergy
// banner on every page of the record for the care and medical readers.
func TestMedicalSection(t *testing.T) {
	w := newWorld(t)
	base := "/usagers/" + w.resident.String()
	doctor, nurse, aide, educ := w.login("u.medecin"), w.login("u.infirmier"), w.login("u.aide_soignant"), w.login("u.educateur")

	t.Run("reading", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			c      *client
			status int
		}{{"médecin", doctor, http.StatusOK}, {"infirmier", nurse, http.StatusOK}, {"aide-soignant", aide, http.StatusForbidden}, {"éducateur", educ, http.StatusForbidden}} {
			if code, _ := tc.c.get(base + "/medical"); code != tc.status {
				t.Errorf("%s: GET medical = %d, want %d", tc.name, code, tc.status)
			}
		}
		if code, _ := aide.get(base + "/sections/care"); code != http.StatusOK {
			t.Errorf("aide-soignant reading care = %d", code)
		}
		code, body := aide.get(base + "/medical")
		if code != http.StatusForbidden || !strings.Contains(body, `id="ask-delegation"`) {
			t.Errorf("a refused read should offer a delegation: %d", code)
		}
	})

	t.Run("writing", func(t *testing.T) {
		// Forms are built afresh for each client: post adds the client's CSRF token.
		diag := func() url.Values {
			return url.Values{"kind": {"diagnostic"}, "label": {"Diabète de type 2"}, "code": {"E11.9"}}
		}
		if code, _ := nurse.post(base+"/medical/elements", diag()); code != http.StatusForbidden {
			t.Errorf("nurse recording a diagnosis = %d, want 403", code)
		}
		before := w.count("medical_items")
		bad := url.Values{"kind": {"diagnostic"}, "label": {"Diabète"}, "code": {"E119X"}}
		code, body := doctor.post(base+"/medical/elements", bad)
		if code != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), "Le code CIM-10 doit avoir la forme") {
			t.Errorf("bad CIM-10 code: %d", code)
		}
		if w.count("medical_items") != before {
			t.Error("a refused item was stored")
		}
		if code, _ := doctor.post(base+"/medical/elements", diag()); code != http.StatusSeeOther {
			t.Errorf("doctor recording a diagnosis = %d", code)
		}
		allergy := func() url.Values {
			return url.Values{"kind": {"allergie"}, "label": {"Pénicilline"}, "criticality": {"high"}, "reaction": {"œdème de Quincke"}}
		}
		if code, _ := nurse.post(base+"/medical/elements", allergy()); code != http.StatusSeeOther {
			t.Errorf("nurse recording an allergy = %d", code)
		}
		if code, _ := aide.post(base+"/medical/elements", allergy()); code != http.StatusForbidden {
			t.Errorf("aide-soignant recording an allergy = %d, want 403", code)
		}
		report := func() url.Values {
			return url.Values{"report_kind": {"consultation"}, "title": {"Consultation gériatrique"}, "date": {"2026-01-15"}, "body": {"RAS."}}
		}
		if code, _ := nurse.post(base+"/medical/comptes-rendus", report()); code != http.StatusForbidden {
			t.Errorf("nurse writing a report = %d, want 403", code)
		}
		if code, _ := doctor.post(base+"/medical/comptes-rendus", report()); code != http.StatusSeeOther {
			t.Errorf("doctor writing a report = %d", code)
		}
		_, body = nurse.get(base + "/medical")
		for _, want := range []string{"Diabète de type 2", "E11.9", "Pénicilline", "Consultation gériatrique"} {
			if !strings.Contains(html.UnescapeString(body), want) {
				t.Errorf("medical page lacks %q", want)
			}
		}
	})

	t.Run("allergy banner", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			c    *client
			path string
			show bool
		}{
			{"aide-soignant on the timeline", aide, base + "/chronologie", true},
			{"nurse on the plans", nurse, base + "/projets", true},
			{"educator on the admin section", educ, base + "/sections/admin", false},
		} {
			code, body := tc.c.get(tc.path)
			if code != http.StatusOK {
				t.Fatalf("%s: %d", tc.name, code)
			}
			shown := strings.Contains(body, `id="allergy-banner"`) && strings.Contains(html.UnescapeString(body), "Pénicilline (œdème de Quincke) — gravité élevée")
			if shown != tc.show {
				t.Errorf("%s: banner shown = %v", tc.name, shown)
			}
		}
	})

	t.Run("status change", func(t *testing.T) {
		id := w.scalarID(`SELECT id FROM medical_items WHERE label = 'Pénicilline'`)
		code, body := nurse.post(base+"/medical/elements/"+id+"/statut", url.Values{"status": {"entered-in-error"}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), "Indiquez pourquoi la saisie est erronée.") {
			t.Errorf("erroneous without reason = %d", code)
		}
		if code, _ := nurse.post(base+"/medical/elements/"+id+"/statut", url.Values{"status": {"entered-in-error"}, "status_note": {"autre résidente"}}); code != http.StatusSeeOther {
			t.Errorf("erroneous with reason = %d", code)
		}
		if _, body := aide.get(base + "/chronologie"); strings.Contains(body, "Pénicilline") {
			t.Error("an erroneous allergy is still on the banner")
		}
	})
}

// Delegation (bris de glace): bounded, reasoned, read-only, traced and
// shown to the director.
func TestDelegation(t *testing.T) {
	w := newWorld(t)
	base := "/usagers/" + w.resident.String()
	aide, director := w.login("u.aide_soignant"), w.login("u.directeur")

	before := w.count("delegations")
	for _, tc := range []struct {
		name string
		form url.Values
		msg  string
	}{
		{"no reason", url.Values{"section": {"medical"}, "hours": {"4"}}, "Le motif est obligatoire"},
		{"short reason", url.Values{"section": {"medical"}, "hours": {"4"}, "reason": {"urgence"}}, "Précisez le motif"},
		{"more than 24 h", url.Values{"section": {"medical"}, "hours": {"48"}, "reason": {"Chute de nuit, SAMU appelé"}}, "La durée va de 1 à 24 heures."},
		{"a section already readable", url.Values{"section": {"care"}, "hours": {"4"}, "reason": {"Chute de nuit, SAMU appelé"}}, "Vous lisez déjà cette section"},
	} {
		code, body := aide.post(base+"/delegation", tc.form)
		if code != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), tc.msg) {
			t.Errorf("%s: %d, want 422 with %q", tc.name, code, tc.msg)
		}
	}
	if w.count("delegations") != before {
		t.Fatal("a refused delegation was stored")
	}

	code, _ := aide.post(base+"/delegation", url.Values{"section": {"medical"}, "hours": {"2"}, "reason": {"Chute de nuit, SAMU appelé : antécédents"}})
	if code != http.StatusSeeOther {
		t.Fatalf("open delegation = %d", code)
	}
	code, body := aide.get(base + "/medical")
	if code != http.StatusOK || !strings.Contains(body, "Accès par délégation") {
		t.Fatalf("reading under delegation = %d", code)
	}
	if code, _ := aide.get(base + "/sections/medical"); code != http.StatusOK {
		t.Errorf("medical tab under delegation = %d", code)
	}
	// Reading only: the delegation does not let her write.
	if code, _ := aide.post(base+"/medical/comptes-rendus", url.Values{"report_kind": {"autre"}, "title": {"x"}, "date": {"2026-01-01"}, "body": {"x"}}); code != http.StatusForbidden {
		t.Errorf("writing under delegation = %d, want 403", code)
	}
	// Every read is in the trail, marked as done under the delegation.
	if n := w.count(`access_trail WHERE username = 'u.aide_soignant' AND section = 'medical' AND action = 'read' AND detail LIKE 'Bris de glace%'`); n < 2 {
		t.Errorf("%d reads traced under the delegation, want 2", n)
	}

	// The director sees it on the home screen and with its reads.
	_, home := director.get("/")
	if !strings.Contains(home, `id="home-delegations"`) || !strings.Contains(html.UnescapeString(home), "Chute de nuit, SAMU appelé") {
		t.Error("the director's home does not show the delegation")
	}
	id := w.scalarID(`SELECT id FROM delegations`)
	code, detail := director.get("/delegations/" + id)
	if code != http.StatusOK || strings.Count(detail, "Bris de glace (délégation") < 2 {
		t.Errorf("delegation detail = %d, reads listed: %d", code, strings.Count(detail, "Bris de glace (délégation"))
	}
	if code, _ := aide.get("/delegations"); code != http.StatusForbidden {
		t.Errorf("an aide-soignant listing delegations = %d, want 403", code)
	}

	// Past its end, the section is closed again.
	w.exec(`UPDATE delegations SET started_at = now() - interval '3 hours', expires_at = now() - interval '1 hour'`)
	if code, _ := aide.get(base + "/medical"); code != http.StatusForbidden {
		t.Errorf("reading after the delegation's end = %d, want 403", code)
	}

	// A director can stop a running delegation.
	if code, _ := aide.post(base+"/delegation", url.Values{"section": {"medical"}, "hours": {"24"}, "reason": {"Reprise du dossier après hospitalisation"}}); code != http.StatusSeeOther {
		t.Fatalf("second delegation = %d", code)
	}
	second := w.scalarID(`SELECT id FROM delegations WHERE ended_at IS NULL AND expires_at > now()`)
	if code, _ := director.post("/delegations/"+second+"/fin", nil); code != http.StatusSeeOther {
		t.Fatalf("director stopping = %d", code)
	}
	if code, _ := aide.get(base + "/medical"); code != http.StatusForbidden {
		t.Errorf("reading after the director stopped it = %d, want 403", code)
	}
}

func (w *world) scalarID(query string) string {
	w.t.Helper()
	var id string
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		return tx.Gorm().Raw(query).Row().Scan(&id)
	})
	if err != nil {
		w.t.Fatalf("%s: %v", query, err)
	}
	return id
}

func (w *world) exec(query string) {
	w.t.Helper()
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		return tx.Gorm().Exec(query).Error
	})
	if err != nil {
		w.t.Fatalf("%s: %v", query, err)
	}
}
