package frontend_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// An event recorded in the care section shows in the timeline of readers of
// care and not of others; a medical event is hidden from a care assistant;
// bad input is refused beside the field and nothing is stored.
func TestEventsAndTimelineFollowSections(t *testing.T) {
	w := newWorld(t)
	rec := "/usagers/" + w.resident.String()
	nurse := w.login("u.infirmier")
	code, body := nurse.post(rec+"/evenements", url.Values{"section": {"care"}, "type": {"chute"}, "title": {""}, "start": {"2026-11-20T07:45"}, "status": {"TERMINE"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="title-error"`) || w.count("events") != 0 {
		t.Fatalf("event without description: %d, %d events stored", code, w.count("events"))
	}
	if code, _ := nurse.post(rec+"/evenements", url.Values{"section": {"care"}, "type": {"chute"}, "title": {"Chute dans la salle de bain"},
		"start": {"2026-11-20T07:45"}, "status": {"TERMINE"}, "place": {"chambre 12"}}); code != http.StatusSeeOther {
		t.Fatalf("care event: %d", code)
	}
	doctor := w.login("u.medecin")
	if code, _ := doctor.post(rec+"/evenements", url.Values{"section": {"medical"}, "type": {"hospitalisation"}, "title": {"Hospitalisation pour pneumopathie"},
		"start": {"2026-11-21T10:00"}, "status": {"TERMINE"}}); code != http.StatusSeeOther {
		t.Fatalf("medical event: %d", code)
	}
	// A care assistant may not write in the medical section.
	as := w.login("u.aide_soignant")
	if code, _ := as.post(rec+"/evenements", url.Values{"section": {"medical"}, "type": {"incident"}, "title": {"x"},
		"start": {"2026-11-21T10:00"}, "status": {"TERMINE"}}); code != http.StatusForbidden {
		t.Errorf("aide-soignant writes a medical event: %d", code)
	}
	_, asView := as.get(rec + "/chronologie")
	if !strings.Contains(asView, "Chute dans la salle de bain") || strings.Contains(asView, "pneumopathie") {
		t.Error("the care assistant's timeline must show the fall and hide the medical event")
	}
	_, docView := doctor.get(rec + "/chronologie?type=event")
	if !strings.Contains(docView, "pneumopathie") || !strings.Contains(docView, "Hospitalisation") {
		t.Error("the doctor's timeline misses the medical event")
	}
	_, educ := w.login("u.educateur").get(rec + "/chronologie")
	if strings.Contains(educ, "salle de bain") {
		t.Error("an educator (no care read) sees a care event")
	}
	if w.count("access_trail WHERE detail = 'consultation de la chronologie' AND section = 'medical'") == 0 {
		t.Error("reading medical items in the timeline is not traced")
	}
}
