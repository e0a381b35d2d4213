package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestMedicalItemInputParse(t *testing.T) {
	today := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		in    MedicalItemInput
		field string // the field in error, "" when valid
	}{
		{"allergy", MedicalItemInput{Kind: "allergie", Label: "Pénicilline", Criticality: "high", Reaction: "œdème"}, ""},
		{"allergy without criticality", MedicalItemInput{Kind: "allergie", Label: "Pénicilline"}, "criticality"},
		{"intolerance unknown criticality", MedicalItemInput{Kind: "intolerance", Label: "Lactose", Criticality: "unable-to-assess"}, ""},
		{"diagnosis with code", MedicalItemInput{Kind: "diagnostic", Label: "Diabète de type 2", Code: "e11.9"}, ""},
		{"diagnosis short code", MedicalItemInput{Kind: "diagnostic", Label: "HTA", Code: "I10"}, ""},
		{"bad code", MedicalItemInput{Kind: "diagnostic", Label: "HTA", Code: "110"}, "code"},
		{"bad code suffix", MedicalItemInput{Kind: "diagnostic", Label: "HTA", Code: "I10-1"}, "code"},
		{"no label", MedicalItemInput{Kind: "antecedent", Label: "  "}, "label"},
		{"unknown kind", MedicalItemInput{Kind: "autre", Label: "x"}, "kind"},
		{"future onset", MedicalItemInput{Kind: "antecedent", Label: "Fracture", Onset: "2027-01-01"}, "onset"},
		{"bad onset", MedicalItemInput{Kind: "antecedent", Label: "Fracture", Onset: "01/01/2020"}, "onset"},
		{"past onset", MedicalItemInput{Kind: "antecedent_chirurgical", Label: "Prothèse de hanche", Onset: "2019-03-02"}, ""},
		{"too long", MedicalItemInput{Kind: "antecedent", Label: strings.Repeat("é", 201)}, "label"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tc.in.Parse(today)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if m.Status != MedicalActive || m.Code != strings.ToUpper(tc.in.Code) {
					t.Fatalf("parsed %+v", m)
				}
				return
			}
			var v *ValidationError
			if !errors.As(err, &v) || v.Fields[tc.field] == "" {
				t.Fatalf("want a message on %s, got %v", tc.field, err)
			}
		})
	}
}

func TestMedicalItemChangeStatus(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		from MedicalStatus
		to   MedicalStatus
		note string
		ok   bool
	}{
		{"resolve", MedicalActive, MedicalResolved, "", true},
		{"erroneous with reason", MedicalActive, MedicalErroneous, "autre patient", true},
		{"erroneous without reason", MedicalActive, MedicalErroneous, " ", false},
		{"back to active", MedicalActive, MedicalActive, "", false},
		{"already resolved", MedicalResolved, MedicalErroneous, "x", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := MedicalItem{Status: tc.from}
			err := m.ChangeStatus(tc.to, tc.note, "Dr Martin", at)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && (m.Status != tc.to || m.ChangedBy != "Dr Martin" || !m.ChangedAt.Equal(at)) {
				t.Fatalf("item %+v", m)
			}
			if !tc.ok && m.Status != tc.from {
				t.Fatalf("status moved to %s on a refused change", m.Status)
			}
		})
	}
}

func TestMedicalReportInputParse(t *testing.T) {
	today := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	ok := MedicalReportInput{Kind: "consultation", Title: "Consultation gériatrique", Date: "2026-11-20", Body: "Examen clinique sans particularité."}
	if _, err := ok.Parse(today); err != nil {
		t.Fatal(err)
	}
	bad := MedicalReportInput{Kind: "x", Date: "2026-12-01"}
	_, err := bad.Parse(today)
	var v *ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("want validation error, got %v", err)
	}
	for _, f := range []string{"report_kind", "title", "date", "body"} {
		if v.Fields[f] == "" {
			t.Errorf("no message on %s", f)
		}
	}
}

func TestDelegationInputParse(t *testing.T) {
	now := time.Date(2026, 11, 23, 22, 30, 0, 0, time.UTC)
	reason := "Chute de nuit, appel du SAMU : antécédents et traitements"
	tests := []struct {
		name  string
		in    DelegationInput
		field string
		dur   time.Duration
	}{
		{"four hours", DelegationInput{Section: "medical", Reason: reason, Hours: "4"}, "", 4 * time.Hour},
		{"the maximum", DelegationInput{Section: "care", Reason: reason, Hours: "24"}, "", 24 * time.Hour},
		{"over 24 h", DelegationInput{Section: "medical", Reason: reason, Hours: "25"}, "hours", 0},
		{"zero", DelegationInput{Section: "medical", Reason: reason, Hours: "0"}, "hours", 0},
		{"not a number", DelegationInput{Section: "medical", Reason: reason, Hours: "2h"}, "hours", 0},
		{"huge number", DelegationInput{Section: "medical", Reason: reason, Hours: "99999999999999999999"}, "hours", 0},
		{"no reason", DelegationInput{Section: "medical", Reason: "  ", Hours: "4"}, "reason", 0},
		{"reason too short", DelegationInput{Section: "medical", Reason: "urgence", Hours: "4"}, "reason", 0},
		{"admin section", DelegationInput{Section: "admin", Reason: reason, Hours: "4"}, "section", 0},
		{"settings", DelegationInput{Section: "settings", Reason: reason, Hours: "4"}, "section", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := tc.in.Parse(now)
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := d.ExpiresAt.Sub(d.StartedAt); got != tc.dur || !d.StartedAt.Equal(now) {
					t.Fatalf("duration %s from %s", got, d.StartedAt)
				}
				return
			}
			var v *ValidationError
			if !errors.As(err, &v) || v.Fields[tc.field] == "" {
				t.Fatalf("want a message on %s, got %v", tc.field, err)
			}
		})
	}
}

func TestDelegationWindow(t *testing.T) {
	start := time.Date(2026, 11, 23, 22, 0, 0, 0, time.UTC)
	d := Delegation{StartedAt: start, ExpiresAt: start.Add(4 * time.Hour)}
	for _, tc := range []struct {
		at     time.Time
		active bool
	}{
		{start.Add(-time.Second), false},
		{start, true},
		{start.Add(3 * time.Hour), true}, // across midnight
		{start.Add(4 * time.Hour), false},
	} {
		if got := d.ActiveAt(tc.at); got != tc.active {
			t.Errorf("ActiveAt(%s) = %v", tc.at, got)
		}
	}
	if err := d.Close("Mme la directrice", start.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if d.ActiveAt(start.Add(2*time.Hour)) || !d.End().Equal(start.Add(time.Hour)) {
		t.Fatalf("closed delegation still open: %+v", d)
	}
	if err := d.Close("x", start.Add(2*time.Hour)); err == nil {
		t.Fatal("closing twice accepted")
	}
}
