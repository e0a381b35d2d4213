package frontend_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// ssiadNurse creates a nurse of the SSIAD only (no role in the EHPAD).
func (w *world) ssiadNurse() string {
	w.t.Helper()
	hash, err := access.HashPassword(testPassword)
	if err != nil {
		w.t.Fatal(err)
	}
	err = w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		u := domain.User{Username: "u.ide_ssiad", DisplayName: "Infirmière SSIAD", Active: true}
		if err := tx.CreateUser(&u, hash); err != nil {
			return err
		}
		return tx.AddMembership(domain.Membership{UserID: u.ID, EstablishmentID: w.ssiad, Role: domain.RoleInfirmier})
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return "u.ide_ssiad"
}

var meetingLink = regexp.MustCompile(`/agenda/reunions/([0-9a-f-]{36})`)

// A nurse plans the EHPAD's weekly team meeting with a care assistant: it
// shows in the establishment's week and in each participant's own agenda,
// not in the agenda of a non-participant's "mon agenda", and never to a
// user of another establishment. A synthesis may name a resident; other
// meetings may not. Cancelling needs a reason.
func TestStaffMeetings(t *testing.T) {
	w := newWorld(t)
	nurse := w.login("u.infirmier")
	nurseID, asID := w.userID("u.infirmier").String(), w.userID("u.aide_soignant").String()
	if code, form := nurse.get("/agenda/reunions/nouvelle?date=2026-11-23"); code != http.StatusOK || !strings.Contains(form, `value="`+asID+`"`) {
		t.Fatalf("meeting form: %d, or the care assistant is not offered", code)
	} else {
		assertUniqueIDs(t, form)
	}
	team := url.Values{"establishment": {w.ehpad.String()}, "kind": {"equipe"}, "title": {"Réunion d'équipe soignante"},
		"start": {"2026-11-24T14:00"}, "end": {"2026-11-24T15:00"}, "place": {"Salle de transmissions"},
		"recurrence": {"hebdomadaire"}, "recur_until": {"2027-03-31"}}
	// Without participants: refused beside the field, nothing stored.
	code, body := nurse.post("/agenda/reunions", team)
	if code != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), "Choisissez au moins un participant.") {
		t.Fatalf("meeting without participants: %d", code)
	}
	// A participant of another establishment is refused too.
	ssiadUser := w.ssiadNurse()
	team["participants"] = []string{nurseID, w.userID(ssiadUser).String()}
	if code, body := nurse.post("/agenda/reunions", team); code != http.StatusUnprocessableEntity ||
		!strings.Contains(html.UnescapeString(body), "Les participants sont des professionnels de l'établissement.") {
		t.Errorf("participant from the SSIAD: %d", code)
	}
	// Naming a resident in a team meeting is refused: only a synthesis does.
	team["participants"] = []string{nurseID, asID}
	team["usagers"] = []string{w.resident.String()}
	if code, body := nurse.post("/agenda/reunions", team); code != http.StatusUnprocessableEntity ||
		!strings.Contains(html.UnescapeString(body), "Seule une réunion de synthèse nomme") {
		t.Errorf("a team meeting naming a resident: %d", code)
	}
	if w.count("meetings") != 0 {
		t.Fatal("a refused meeting was stored")
	}
	delete(team, "usagers")
	code, _ = nurse.post("/agenda/reunions", team)
	if code != http.StatusSeeOther {
		t.Fatalf("team meeting: %d", code)
	}
	synth := url.Values{"establishment": {w.ehpad.String()}, "kind": {"synthese"}, "start": {"2026-11-26T10:00"},
		"participants": {nurseID}, "usagers": {w.resident.String()}}
	if code, body := nurse.post("/agenda/reunions", synth); code != http.StatusSeeOther {
		t.Fatalf("synthesis: %d\n%s", code, body)
	}
	if w.count("meetings") != 2 || w.count("meeting_participants") != 3 || w.count("meeting_usagers") != 1 {
		t.Errorf("stored: %d meetings, %d participants, %d usagers", w.count("meetings"), w.count("meeting_participants"), w.count("meeting_usagers"))
	}
	if n := w.count("access_trail WHERE detail LIKE 'réunion planifiée%'"); n != 2 {
		t.Errorf("%d traced meetings, want 2", n)
	}
	// The establishment's week, the participants' own agendas.
	dir := w.login("u.directeur")
	_, week := dir.get("/agenda?vue=semaine&date=2026-12-01")
	if strings.Count(html.UnescapeString(week), "Réunion d'équipe soignante") != 1 {
		t.Errorf("the weekly meeting should show once in the week of 30/11")
	}
	as := w.login("u.aide_soignant")
	_, mine := as.get("/agenda?vue=semaine&date=2026-11-23&pro=moi")
	mine = html.UnescapeString(mine)
	if !strings.Contains(mine, "Réunion d'équipe soignante") || strings.Contains(mine, "Réunion de synthèse") {
		t.Error("the care assistant's agenda must show her team meeting and not the synthesis she is not part of")
	}
	doctor := w.login("u.medecin")
	if _, docs := doctor.get("/agenda?vue=semaine&date=2026-11-23&pro=moi"); strings.Contains(html.UnescapeString(docs), "Réunion d'équipe soignante") {
		t.Error("the doctor is not a participant: the meeting is not in his own agenda")
	}
	if _, all := doctor.get("/agenda?vue=semaine&date=2026-11-23"); !strings.Contains(html.UnescapeString(all), "Réunion d'équipe soignante") {
		t.Error("the doctor of the EHPAD sees the EHPAD's meetings in the agenda of everyone")
	}
	// The synthesis page names the resident to those who read her record.
	_, dirWeek := dir.get("/agenda?vue=semaine&date=2026-11-23")
	ids := meetingLink.FindAllStringSubmatch(dirWeek, -1)
	if len(ids) < 2 {
		t.Fatalf("meeting links in the director's week: %d", len(ids))
	}
	var teamPage, synthPage string
	for _, m := range ids {
		_, page := dir.get("/agenda/reunions/" + m[1])
		page = html.UnescapeString(page)
		if strings.Contains(page, "Réunion d'équipe soignante</h1>") {
			teamPage = "/agenda/reunions/" + m[1]
		} else if strings.Contains(page, "Réunion de synthèse</h1>") {
			synthPage = "/agenda/reunions/" + m[1]
			if !strings.Contains(page, "Personnes dont on parle") || !strings.Contains(page, "/usagers/"+w.resident.String()) {
				t.Error("the synthesis page does not name the resident to the director")
			}
		}
	}
	if teamPage == "" || synthPage == "" {
		t.Fatal("meeting pages not found")
	}
	// A user of another establishment neither sees nor reaches them.
	other := w.login(ssiadUser)
	if _, week := other.get("/agenda?vue=semaine&date=2026-11-23"); strings.Contains(html.UnescapeString(week), "Réunion") &&
		strings.Contains(html.UnescapeString(week), "Salle de transmissions") {
		t.Error("a SSIAD nurse sees the EHPAD's meetings")
	}
	if code, _ := other.get(synthPage); code != http.StatusNotFound {
		t.Errorf("SSIAD nurse opening the EHPAD synthesis: %d, want 404", code)
	}
	if code, _ := other.post(teamPage+"/annulation", url.Values{"cancel_reason": {"Pourquoi pas"}}); code != http.StatusNotFound {
		t.Errorf("SSIAD nurse cancelling the EHPAD meeting: %d, want 404", code)
	}
	// Editing by another writer of the establishment; cancelling needs a reason.
	edit := url.Values{"kind": {"equipe"}, "title": {"Réunion d'équipe soignante"}, "start": {"2026-11-24T14:30"}, "end": {"2026-11-24T15:30"},
		"place": {"Salle du conseil"}, "recurrence": {"hebdomadaire"}, "recur_until": {"2027-03-31"}, "participants": {nurseID, asID}}
	if code, body := as.post(teamPage, edit); code != http.StatusSeeOther {
		t.Fatalf("edit by the care assistant: %d\n%s", code, body)
	}
	if code, body := as.post(teamPage+"/annulation", url.Values{"cancel_reason": {" "}}); code != http.StatusUnprocessableEntity ||
		!strings.Contains(html.UnescapeString(body), "Indiquez pourquoi la réunion est annulée.") {
		t.Errorf("cancel without a reason: %d", code)
	}
	if code, _ := as.post(teamPage+"/annulation", url.Values{"cancel_reason": {"Grève des transports"}}); code != http.StatusSeeOther {
		t.Fatalf("cancel: %d", code)
	}
	_, week = dir.get("/agenda?vue=semaine&date=2026-11-23")
	week = html.UnescapeString(week)
	if !strings.Contains(week, "annulée</strong> : Grève des transports") || !strings.Contains(week, "Salle du conseil") {
		t.Error("the agenda does not show the cancelled, edited meeting")
	}
	if code, _ := as.post(teamPage, edit); code != http.StatusUnprocessableEntity {
		t.Errorf("editing a cancelled meeting: %d, want 422", code)
	}
	// Today's meetings one takes part in are on the home screen.
	today := time.Now().In(domain.Paris()).Format("2006-01-02")
	if code, body := nurse.post("/agenda/reunions", url.Values{"establishment": {w.ehpad.String()}, "kind": {"formation"},
		"title": {"Formation gestes et postures"}, "start": {today + "T00:05"}, "participants": {asID}}); code != http.StatusSeeOther {
		t.Fatalf("today's training: %d\n%s", code, body)
	}
	if _, home := as.get("/"); !strings.Contains(home, "Formation gestes et postures") {
		t.Error("the care assistant's home does not show today's training")
	}
	if _, home := dir.get("/"); strings.Contains(home, "Formation gestes et postures") {
		t.Error("the director is not a participant: the training is not on his home screen")
	}
}
