package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

func TestTargetedNoteInputParse(t *testing.T) {
	long := strings.Repeat("é", domain.TargetTextMax+1)
	tests := []struct {
		name    string
		in      domain.TargetedNoteInput
		field   string // the field refused, "" when accepted
		message string
		label   string // TargetLabel when accepted
	}{
		{"listed target", domain.TargetedNoteInput{Target: "douleur", Data: "Se plaint du genou droit, EVA 6"}, "", "", "Douleur"},
		{"missing target", domain.TargetedNoteInput{Data: "x"}, "target", "Choisissez la cible", ""},
		{"unknown target", domain.TargetedNoteInput{Target: "astrologie", Data: "x"}, "target", "pas dans la liste", ""},
		{"free target", domain.TargetedNoteInput{Target: "autre", TargetOther: " Appareil auditif ", Data: "Perdu"}, "", "", "Appareil auditif"},
		{"free target not typed", domain.TargetedNoteInput{Target: "autre", Data: "x"}, "target_other", "Précisez la cible", ""},
		{"free target too long", domain.TargetedNoteInput{Target: "autre", TargetOther: strings.Repeat("a", 81), Data: "x"}, "target_other", "80 caractères", ""},
		{"free text left beside a listed target", domain.TargetedNoteInput{Target: "sommeil", TargetOther: "oubli", Data: "x"}, "", "", "Sommeil"},
		{"missing data", domain.TargetedNoteInput{Target: "chute", Data: "  ", Actions: "Relevée"}, "data", "Les données", ""},
		{"data too long", domain.TargetedNoteInput{Target: "chute", Data: long}, "data", "4 000 caractères", ""},
		{"actions too long", domain.TargetedNoteInput{Target: "chute", Data: "x", Actions: long}, "actions", "4 000 caractères", ""},
		{"results too long", domain.TargetedNoteInput{Target: "chute", Data: "x", Results: long}, "results", "4 000 caractères", ""},
		{"macrocible", domain.TargetedNoteInput{Target: "comportement", Macro: "admission", Data: "x"}, "", "", "Comportement"},
		{"unknown macrocible", domain.TargetedNoteInput{Target: "comportement", Macro: "transfert", Data: "x"}, "macro", "macrocible", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := tt.in.Parse()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if n.TargetLabel() != tt.label {
					t.Errorf("target label %q, want %q", n.TargetLabel(), tt.label)
				}
				return
			}
			v, ok := domain.AsValidation(err)
			if !ok {
				t.Fatalf("accepted or not a validation error: %v", err)
			}
			if msg := v.Fields[tt.field]; !strings.Contains(msg, tt.message) {
				t.Errorf("message on %s = %q, want it to contain %q (all: %v)", tt.field, msg, tt.message, v.Fields)
			}
		})
	}
}

func TestTargetedResultAndClosure(t *testing.T) {
	author, other := uuid.New(), uuid.New()
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	n, err := domain.TargetedNoteInput{Target: "douleur", Data: "EVA 6"}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	n.Signed(author, "A", at)
	if !n.ResultAt.IsZero() {
		t.Fatal("a note without result has a result signature")
	}
	if err := n.Close("result", "", other, "B", at.Add(time.Hour)); err == nil || !strings.Contains(err.Error(), "Notez le résultat") {
		t.Fatalf("closing without a result: %v", err)
	}
	if err := n.AddResult("result", " ", other, "B", at.Add(time.Hour)); err == nil {
		t.Fatal("empty result accepted")
	}
	if err := n.AddResult("result", "EVA 2 après antalgique", other, "B", at.Add(6*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n.AuthorID != author || n.ResultByID != other || !n.ResultAt.Equal(at.Add(6*time.Hour)) || !n.ResultLater() {
		t.Errorf("result signature: %+v", n)
	}
	if err := n.AddResult("result", "encore", other, "B", at.Add(7*time.Hour)); err == nil {
		t.Error("a second result overwrote the first")
	}
	if err := n.Close("result", "", author, "A", at.Add(8*time.Hour)); err != nil {
		t.Fatalf("closing with a result: %v", err)
	}
	if n.Open() || n.ClosedByID != author || n.Results != "EVA 2 après antalgique" {
		t.Errorf("closure: %+v", n)
	}
	if err := n.Close("result", "x", author, "A", at.Add(9*time.Hour)); err == nil {
		t.Error("closed twice")
	}
	// Closing with the result typed in the closing form signs both.
	m, _ := domain.TargetedNoteInput{Target: "chute", Data: "Au sol"}.Parse()
	m.Signed(author, "A", at)
	if err := m.Close("result", "Pas de lésion", other, "B", at.Add(time.Hour)); err != nil || m.ResultByID != other || m.ClosedByID != other {
		t.Errorf("close with result: %v %+v", err, m)
	}
	// A result typed with the note is the author's.
	r, _ := domain.TargetedNoteInput{Target: "sommeil", Data: "Réveils", Results: "Rendormi"}.Parse()
	r.Signed(author, "A", at)
	if r.ResultByID != author || !r.ResultAt.Equal(at) || r.ResultLater() {
		t.Errorf("result at writing time: %+v", r)
	}
}

func TestShifts(t *testing.T) {
	paris := domain.Paris()
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		at        time.Time
		wantDay   time.Time
		wantShift domain.Shift
		prevDay   time.Time
		prevShift domain.Shift
	}{
		{time.Date(2026, 11, 20, 23, 30, 0, 0, paris), day(2026, 11, 20), domain.ShiftNight, day(2026, 11, 20), domain.ShiftAfternoon},
		{time.Date(2026, 11, 21, 6, 50, 0, 0, paris), day(2026, 11, 20), domain.ShiftNight, day(2026, 11, 20), domain.ShiftAfternoon},
		{time.Date(2026, 11, 21, 7, 0, 0, 0, paris), day(2026, 11, 21), domain.ShiftMorning, day(2026, 11, 20), domain.ShiftNight},
		{time.Date(2026, 11, 21, 13, 59, 0, 0, paris), day(2026, 11, 21), domain.ShiftMorning, day(2026, 11, 20), domain.ShiftNight},
		{time.Date(2026, 11, 21, 14, 0, 0, 0, paris), day(2026, 11, 21), domain.ShiftAfternoon, day(2026, 11, 21), domain.ShiftMorning},
		{time.Date(2026, 11, 21, 21, 0, 0, 0, paris), day(2026, 11, 21), domain.ShiftNight, day(2026, 11, 21), domain.ShiftAfternoon},
		{time.Date(2027, 1, 1, 0, 10, 0, 0, paris), day(2026, 12, 31), domain.ShiftNight, day(2026, 12, 31), domain.ShiftAfternoon},
	}
	for _, tt := range tests {
		d, s := domain.ShiftOf(tt.at)
		if !d.Equal(tt.wantDay) || s != tt.wantShift {
			t.Errorf("ShiftOf(%s) = %s %s, want %s %s", tt.at, d.Format("2006-01-02"), s, tt.wantDay.Format("2006-01-02"), tt.wantShift)
		}
		from, to := domain.ShiftWindow(d, s)
		if tt.at.Before(from) || !tt.at.Before(to) {
			t.Errorf("%s not in its shift window [%s, %s)", tt.at, from, to)
		}
		pd, ps := domain.PreviousShift(tt.at)
		if !pd.Equal(tt.prevDay) || ps != tt.prevShift {
			t.Errorf("PreviousShift(%s) = %s %s, want %s %s", tt.at, pd.Format("2006-01-02"), ps, tt.prevDay.Format("2006-01-02"), tt.prevShift)
		}
	}
	// The night across the autumn DST change lasts 11 hours of real time.
	from, to := domain.ShiftWindow(day(2026, 10, 24), domain.ShiftNight)
	if to.Sub(from) != 11*time.Hour || from.In(paris).Hour() != 21 || to.In(paris).Hour() != 7 {
		t.Errorf("DST night: %s → %s", from.In(paris), to.In(paris))
	}
}
