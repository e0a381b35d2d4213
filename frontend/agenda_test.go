package frontend_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A weekly appointment with a professional appears every week in the week
// view, in that professional's agenda, and not in another's; a medical
// appointment stays hidden from a care assistant.
func TestAgendaWeekAndProfessional(t *testing.T) {
	w := newWorld(t)
	rec := "/usagers/" + w.resident.String()
	nurse := w.login("u.infirmier")
	_, form := nurse.get(rec + "/evenements/nouveau")
	kine := between(form, `<option value="`, `">Infirmier Test</option>`)
	if kine == "" {
		t.Fatal("the event form does not offer the professionals")
	}
	if code, body := nurse.post(rec+"/evenements", url.Values{"section": {"care"}, "type": {"rendez_vous"}, "title": {"Pansement"},
		"start": {"2026-11-23T10:00"}, "status": {"PLANIFIE"}, "professional": {kine}, "recurrence": {"hebdomadaire"}, "recur_until": {"2026-12-31"}}); code != http.StatusSeeOther {
		t.Fatalf("weekly appointment: %d\n%s", code, body)
	}
	doctor := w.login("u.medecin")
	if code, _ := doctor.post(rec+"/evenements", url.Values{"section": {"medical"}, "type": {"rendez_vous"}, "title": {"Consultation mémoire"},
		"start": {"2026-11-25T14:00"}, "status": {"PLANIFIE"}}); code != http.StatusSeeOther {
		t.Fatalf("medical appointment: %d", code)
	}
	_, week := nurse.get("/agenda?vue=semaine&date=2026-12-02")
	if strings.Count(week, "Pansement") != 1 {
		t.Errorf("week of 30/11: %d occurrences of the weekly appointment, want 1", strings.Count(week, "Pansement"))
	}
	_, mine := nurse.get("/agenda?vue=semaine&date=2026-11-23&pro=moi")
	if !strings.Contains(mine, "Pansement") || strings.Contains(mine, "Consultation mémoire") {
		t.Error("the nurse's own agenda must show her appointment only")
	}
	as := w.login("u.aide_soignant")
	_, asWeek := as.get("/agenda?vue=semaine&date=2026-11-23")
	if !strings.Contains(asWeek, "Pansement") || strings.Contains(asWeek, "Consultation mémoire") {
		t.Error("the care assistant sees the medical appointment or misses the care one")
	}
	_, docWeek := doctor.get("/agenda?vue=semaine&date=2026-11-23")
	if !strings.Contains(docWeek, "Consultation mémoire") {
		t.Error("the doctor misses the medical appointment")
	}
}

// between returns the text between the last `before` preceding `after`.
func between(s, before, after string) string {
	i := strings.Index(s, after)
	if i < 0 {
		return ""
	}
	j := strings.LastIndex(s[:i], before)
	if j < 0 {
		return ""
	}
	return s[j+len(before) : i]
}
