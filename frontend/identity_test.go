package frontend_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// Creating a record close to an existing one warns first and stores
// nothing; the user confirms it is another person, and only then it exists.
func TestCreateWarnsOfPossibleHomonym(t *testing.T) {
	w := newWorld(t)
	c := w.login("u.directeur")
	// The world holds "Résidente Jeanne Marie", born 1936-05-04, in the EHPAD
	// and "Domicile Jeanne Marie" (same birth date) in the SSIAD.
	// A close identity also lives in the SSIAD, where the director has no role.
	hidden, err := domain.UsagerInput{BirthName: "Résidente", FirstNames: "Jeanne", BirthDate: "1936-05-04", Sex: "F", UsedName: "Cachée"}.Parse(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	err = w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		return tx.CreateUsager(&hidden, &domain.Stay{EstablishmentID: w.ssiad, Status: domain.StayPreadmission, Mode: domain.ModeDomicile})
	})
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"birth_name": {"RESIDENTE"}, "first_names": {"Jeanne"}, "birth_date": {"1936-05-04"}, "sex": {"F"},
		"establishment_id": {w.ehpad.String()}, "mode": {"hebergement_permanent"}}
	before := w.count("usagers")
	code, body := c.post("/usagers", form)
	if code != http.StatusConflict {
		t.Fatalf("close identity: %d, want 409 with a warning", code)
	}
	if !strings.Contains(body, "Homonyme possible") || !strings.Contains(body, `href="/usagers/`+w.resident.String()+`"`) {
		t.Error("the warning does not link the existing record")
	}
	if strings.Contains(body, "CACHÉE") || strings.Contains(body, hidden.ID.String()) || !strings.Contains(body, "SSIAD du Val") {
		t.Error("a record outside the user's establishments must be signalled without being shown")
	}
	if w.count("usagers") != before {
		t.Fatal("a record was created before confirmation")
	}
	if !strings.Contains(body, `value="RESIDENTE"`) {
		t.Error("the form lost what was typed")
	}
	form.Set("homonym_confirmed", "1")
	if code, _ := c.post("/usagers", form); code != http.StatusSeeOther {
		t.Fatalf("confirmed creation: %d", code)
	}
	if w.count("usagers") != before+1 || w.count("access_trail WHERE detail LIKE '%homonyme possible écarté%'") != 1 {
		t.Error("confirmed creation not stored or not traced as such")
	}
}

// The administrator sees the pair, merges it, and the merged record becomes
// an alias that leads to the kept one; the trail of both says so.
func TestDuplicatesMergeFromTheAdministration(t *testing.T) {
	w := newWorld(t)
	dir := w.login("u.directeur")
	form := url.Values{"birth_name": {"Résidente"}, "first_names": {"Jeanne Marie"}, "birth_date": {"1936-05-04"}, "sex": {"F"},
		"establishment_id": {w.ehpad.String()}, "mode": {"hebergement_temporaire"}, "homonym_confirmed": {"1"}}
	// Same person entered twice: the director first discharges the first stay so both may coexist.
	code, _ := dir.post("/usagers/"+w.resident.String()+"/sejours/"+w.stayOf(w.resident).String()+"/sortie",
		url.Values{"discharge_date": {"2024-06-01"}, "discharge_reason": {"Hospitalisation"}})
	if code != http.StatusSeeOther {
		t.Fatalf("discharge: %d", code)
	}
	if code, _ := dir.post("/usagers", form); code != http.StatusSeeOther {
		t.Fatalf("second record: %d", code)
	}
	dup := w.idOf("birth_name = 'Résidente' AND id <> '" + w.resident.String() + "'")

	admin := w.login("u.administrateur")
	_, page := admin.get("/admin/identitovigilance")
	if !strings.Contains(page, "fusionner="+dup.String()) && !strings.Contains(page, "fusionner="+w.resident.String()) {
		t.Fatalf("the pair is not listed:\n%s", page)
	}
	if code, page := admin.get("/admin/identitovigilance/fusion?garder=" + w.resident.String() + "&fusionner=" + dup.String()); code != http.StatusOK || !strings.Contains(page, "Confirmer la fusion") {
		t.Fatalf("merge form: %d", code)
	}
	code, _ = admin.post("/admin/identitovigilance/fusion", url.Values{"kept": {w.resident.String()}, "merged": {dup.String()}})
	if code != http.StatusSeeOther {
		t.Fatalf("merge: %d", code)
	}
	if n := w.count("stays WHERE usager_id = '" + w.resident.String() + "'"); n != 2 {
		t.Errorf("kept record has %d stays, want 2", n)
	}
	code, _ = dir.get("/usagers/" + dup.String())
	if code != http.StatusSeeOther {
		t.Errorf("opening the alias: %d, want a redirect to the kept record", code)
	}
	_, trail := dir.get("/usagers/" + w.resident.String() + "/trail")
	if !strings.Contains(trail, "fusion : le dossier "+dup.String()) || !strings.Contains(trail, html.EscapeString("rattaché au dossier")) {
		t.Error("the trail does not show the merge on both records")
	}
	if _, page := admin.get("/admin/identitovigilance"); strings.Contains(page, dup.String()) {
		t.Error("a merged record is still proposed")
	}
}

func TestAdministratorDeclaresTwoPeople(t *testing.T) {
	w := newWorld(t)
	dir := w.login("u.directeur")
	if code, _ := dir.post("/usagers", url.Values{"birth_name": {"Residente"}, "first_names": {"Jeanne"}, "birth_date": {"1936-05-04"}, "sex": {"F"},
		"establishment_id": {w.ehpad.String()}, "mode": {"accueil_de_jour"}, "homonym_confirmed": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("create: %d", code)
	}
	other := w.idOf("birth_name = 'Residente'")
	admin := w.login("u.administrateur")
	if code, _ := admin.post("/admin/identitovigilance/distincts", url.Values{"a": {w.resident.String()}, "b": {other.String()}}); code != http.StatusSeeOther {
		t.Fatalf("distinct: %d", code)
	}
	if _, page := admin.get("/admin/identitovigilance"); strings.Contains(page, "fusionner="+other.String()) && strings.Contains(page, "garder="+w.resident.String()) {
		t.Error("a pair declared distinct is still proposed")
	}
	// A care assistant has no access to the identitovigilance screens.
	if code, _ := w.login("u.aide_soignant").get("/admin/identitovigilance"); code != http.StatusForbidden {
		t.Errorf("aide-soignant: %d, want 403", code)
	}
}
