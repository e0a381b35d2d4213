package domain

import (
	"strings"
	"testing"
	"time"
)

// Every pair of statuses: the allowed moves pass with an analysis (and the
// ARS dates of a serious FEI), all others are refused in French.
func TestAdverseTransitions(t *testing.T) {
	allowed := map[[2]AdverseStatus]bool{
		{AdverseDeclared, AdverseAnalysis}: true,
		{AdverseAnalysis, AdverseActions}:  true,
		{AdverseAnalysis, AdverseClosed}:   true,
		{AdverseActions, AdverseAnalysis}:  true,
		{AdverseActions, AdverseClosed}:    true,
	}
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, from := range AllAdverseStatuses {
		for _, to := range AllAdverseStatuses {
			f := AdverseEvent{Status: from, Severity: 2, Causes: "défaut de barrière de lit"}
			err := AdverseMove(f, to)
			if allowed[[2]AdverseStatus{from, to}] != (err == nil) {
				t.Errorf("%s → %s: allowed %v, got %v", from, to, allowed[[2]AdverseStatus{from, to}], err)
			}
			if err != nil && !strings.Contains(err.Error(), "impossible") {
				t.Errorf("%s → %s: message %q", from, to, err)
			}
		}
	}
	cases := []struct {
		name string
		f    AdverseEvent
		to   AdverseStatus
		msg  string // "" when allowed
	}{
		{"actions need the analysis", AdverseEvent{Status: AdverseAnalysis, Severity: 1}, AdverseActions, "analyse des causes"},
		{"closing needs the analysis", AdverseEvent{Status: AdverseActions, Severity: 1}, AdverseClosed, "analyse des causes"},
		{"serious closed without ARS part 1", AdverseEvent{Status: AdverseActions, Severity: 4, Causes: "x"}, AdverseClosed, "partie 1"},
		{"life threatening closed without part 1", AdverseEvent{Status: AdverseActions, Severity: 2, LifeThreatening: true, Causes: "x"}, AdverseClosed, "partie 1"},
		{"serious closed without part 2", AdverseEvent{Status: AdverseActions, Severity: 5, Causes: "x", ARSPart1: day}, AdverseClosed, "partie 2"},
		{"serious closed with both parts", AdverseEvent{Status: AdverseActions, Severity: 5, Causes: "x", ARSPart1: day, ARSPart2: day}, AdverseClosed, ""},
		{"analysis needs nothing", AdverseEvent{Status: AdverseDeclared, Severity: 5}, AdverseAnalysis, ""},
	}
	for _, c := range cases {
		err := AdverseMove(c.f, c.to)
		if c.msg == "" && err != nil || c.msg != "" && (err == nil || !strings.Contains(err.Error(), c.msg)) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.msg)
		}
		if v, ok := AsValidation(err); err != nil && (!ok || v.Fields["status"] == "") {
			t.Errorf("%s: the refusal is not on the status field: %v", c.name, err)
		}
	}
}

// Serious ⇔ severity 4–5 or life threatening; part 1 late after 48 h of the
// declaration in Relais; part 2 due 3 months after part 1 (soon within 30
// days, late from the day after).
func TestAdverseDeadlines(t *testing.T) {
	declared := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	p1 := time.Date(2026, 1, 11, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		f        AdverseEvent
		now      time.Time
		want     ARSDeadline
		part2Due string
	}{
		{"not serious", AdverseEvent{Severity: 3, DeclaredAt: declared}, declared.Add(100 * 24 * time.Hour), "", ""},
		{"part 1 just declared in Relais", AdverseEvent{Severity: 4, DeclaredAt: declared}, declared.Add(time.Hour), ARSPart1Pending, "2026-04-12"},
		{"part 1 at 48 h", AdverseEvent{Severity: 4, DeclaredAt: declared}, declared.Add(48 * time.Hour), ARSPart1Pending, "2026-04-12"},
		{"part 1 after 48 h", AdverseEvent{Severity: 5, DeclaredAt: declared}, declared.Add(48*time.Hour + time.Minute), ARSPart1Late, "2026-04-12"},
		{"life threatening at severity 1", AdverseEvent{Severity: 1, LifeThreatening: true, DeclaredAt: declared}, declared.Add(72 * time.Hour), ARSPart1Late, "2026-04-12"},
		{"part 2 far", AdverseEvent{Severity: 4, DeclaredAt: declared, ARSPart1: p1}, time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC), ARSPart2Pending, "2026-04-11"},
		{"part 2 within 30 days", AdverseEvent{Severity: 4, DeclaredAt: declared, ARSPart1: p1}, time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC), ARSPart2Soon, "2026-04-11"},
		{"part 2 on its due day", AdverseEvent{Severity: 4, DeclaredAt: declared, ARSPart1: p1}, time.Date(2026, 4, 11, 20, 0, 0, 0, time.UTC), ARSPart2Soon, "2026-04-11"},
		{"part 2 the day after", AdverseEvent{Severity: 4, DeclaredAt: declared, ARSPart1: p1}, time.Date(2026, 4, 12, 8, 0, 0, 0, time.UTC), ARSPart2Late, "2026-04-11"},
		{"both declared", AdverseEvent{Severity: 4, DeclaredAt: declared, ARSPart1: p1, ARSPart2: p1.AddDate(0, 2, 0)}, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), ARSDone, "2026-04-11"},
		{"part 1 late in November, part 2 clamps at month end", AdverseEvent{Severity: 4, DeclaredAt: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)},
			time.Date(2026, 12, 1, 10, 0, 1, 0, time.UTC), ARSPart1Late, "2027-02-28"},
	}
	for _, c := range cases {
		if got := c.f.ARSState(c.now); got != c.want {
			t.Errorf("%s: state %q, want %q", c.name, got, c.want)
		}
		if got := FormatDate(c.f.ARSPart2Due()); got != c.part2Due {
			t.Errorf("%s: part 2 due %q, want %q", c.name, got, c.part2Due)
		}
		if c.want != "" && c.want.Label() == string(c.want) {
			t.Errorf("%s: no French label", c.name)
		}
	}
}

func TestAdverseInputParse(t *testing.T) {
	ok := AdverseInput{EstablishmentID: "0b9c0c86-8b5b-4a2f-9d6f-7f3f1d2a4e11", OccurredAt: "2026-01-10T07:30", Description: "Chute",
		Category: "chute", Severity: "2"}
	if _, err := ok.Parse(); err != nil {
		t.Fatal(err)
	}
	bad := AdverseInput{Severity: "6", Category: "x", UsagerID: "nope"}
	_, err := bad.Parse()
	v, _ := AsValidation(err)
	for _, field := range []string{"establishment_id", "occurred_at", "description", "category", "severity", "usager_id"} {
		if v == nil || v.Fields[field] == "" {
			t.Errorf("%s: no message", field)
		}
	}
	f := AdverseEvent{Severity: 2, OccurredAt: time.Date(2026, 1, 10, 7, 0, 0, 0, time.UTC)}
	err = AdverseFollowUpInput{Causes: "x", ARSPart1: "2026-01-11"}.Apply(&f)
	if v, _ := AsValidation(err); v == nil || v.Fields["ars_part1"] == "" {
		t.Errorf("ARS date on a non-serious FEI: %v", err)
	}
	f.Severity = 4
	err = AdverseFollowUpInput{Causes: "x", ARSPart1: "2026-01-11", ARSPart2: "2026-01-05"}.Apply(&f)
	if v, _ := AsValidation(err); v == nil || v.Fields["ars_part2"] == "" {
		t.Errorf("part 2 before part 1: %v", err)
	}
	if err := (AdverseFollowUpInput{Causes: "x", ARSPart1: "2026-01-11"}).Apply(&f); err != nil || f.ARSPart1.IsZero() {
		t.Errorf("serious FEI part 1: %v", err)
	}
	if _, err := (AdverseActionInput{}).Parse(); err == nil {
		t.Error("empty corrective action accepted")
	}
}
