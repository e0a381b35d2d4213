package frontend_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// The home screen shows today's events of the people one follows, within
// one's section rights, and the plans due to those who read the records.
func TestHomeScreen(t *testing.T) {
	w := newWorld(t)
	today := time.Now().In(domain.Paris())
	at := time.Date(today.Year(), today.Month(), today.Day(), 23, 30, 0, 0, domain.Paris()).UTC()
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		for _, e := range []domain.Event{
			{UsagerID: w.resident, Section: domain.SectionCare, Type: domain.EventAppointment, Title: "Pédicure", Start: at, Status: domain.EventPlanned},
			{UsagerID: w.resident, Section: domain.SectionMedical, Type: domain.EventAppointment, Title: "Consultation cardiologie", Start: at, Status: domain.EventPlanned},
		} {
			e.AuthorID, e.AuthorName = store.NewID(), "IDE"
			if err := tx.SaveEvent(&e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	as := w.login("u.aide_soignant")
	code, page := as.get("/")
	if code != http.StatusOK || !strings.Contains(page, "Pédicure") || strings.Contains(page, "cardiologie") {
		t.Errorf("care assistant's home: %d; must show the care appointment and hide the medical one", code)
	}
	// The resident was admitted in January 2024 without a plan: late.
	if !strings.Contains(page, "Projets personnalisés à échéance") || !strings.Contains(page, "deadline-late") {
		t.Error("the late first plan is not on the home screen")
	}
	doc := w.login("u.medecin")
	if _, page := doc.get("/"); !strings.Contains(page, "cardiologie") {
		t.Error("the doctor's home misses the medical appointment")
	}
	// After logging in without a target page, the home screen opens.
	c := w.client()
	c.get("/login")
	if code, _ := c.post("/login", url.Values{"username": {"u.infirmier"}, "password": {testPassword}}); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
}

func TestPlansDuePerEstablishment(t *testing.T) {
	w := newWorld(t)
	code, page := w.login("u.directeur").get("/projets-a-echeance")
	if code != http.StatusOK || !strings.Contains(page, "EHPAD Les Tilleuls") || !strings.Contains(page, "RÉSIDENTE") || !strings.Contains(page, "deadline-late") {
		t.Errorf("plans due page: %d", code)
	}
}
