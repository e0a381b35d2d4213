package store_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

func TestTimelineMergesSourcesPagesAndRespectsSections(t *testing.T) {
	f := newFixture(t)
	u := usager(t, "Chrono", "Anne", "1940-01-01")
	author := store.NewID()
	base := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	f.tx(t, func(tx *store.Tx) error {
		if err := tx.CreateUsager(&u, &domain.Stay{EstablishmentID: f.ehpad.ID, Status: domain.StayPreadmission, Mode: domain.ModePermanent}); err != nil {
			return err
		}
		for i := 0; i < 5; i++ {
			e := domain.Event{UsagerID: u.ID, Section: domain.SectionCare, Type: domain.EventFall, Title: fmt.Sprintf("chute %d", i),
				Start: base.Add(time.Duration(2*i) * time.Hour), Status: domain.EventDone, AuthorID: author, AuthorName: "IDE"}
			if err := tx.SaveEvent(&e); err != nil {
				return err
			}
			n := domain.Note{UsagerID: u.ID, Section: domain.SectionMedical, AuthorID: author, AuthorName: "Dr", Body: fmt.Sprintf("note %d", i),
				WrittenAt: base.Add(time.Duration(2*i+1) * time.Hour)}
			if err := tx.SaveNote(&n); err != nil {
				return err
			}
		}
		return nil
	})
	f.tx(t, func(tx *store.Tx) error {
		q := domain.TimelineQuery{UsagerID: u.ID, Sections: domain.RecordSections, Limit: 4}
		var all []domain.TimelineItem
		for {
			page, err := tx.Timeline(q)
			if err != nil {
				return err
			}
			all = append(all, page...)
			if len(page) < q.Limit {
				break
			}
			q.Before, q.BeforeID = page[len(page)-1].At, page[len(page)-1].ID
		}
		if len(all) != 11 { // 5 events, 5 notes, 1 stay
			t.Fatalf("%d items, want 11", len(all))
		}
		for i := 1; i < len(all); i++ {
			if all[i].At.After(all[i-1].At) {
				t.Fatalf("item %d out of order", i)
			}
		}
		// The pre-admission (dated today) comes first, then the newest note and event.
		if all[0].Kind != "stay" || all[0].Detail != "Pré-admission" || all[1].Title != "note 4" || all[2].Title != "chute 4" || all[2].Detail != "Chute" {
			t.Errorf("newest first: %+v %+v %+v", all[0], all[1], all[2])
		}
		careOnly, err := tx.Timeline(domain.TimelineQuery{UsagerID: u.ID, Sections: []domain.Section{domain.SectionCare}})
		if err != nil {
			return err
		}
		for _, it := range careOnly {
			if it.Section != domain.SectionCare {
				t.Errorf("a %s item shown to a reader of care only", it.Section)
			}
		}
		if len(careOnly) != 5 {
			t.Errorf("care-only timeline: %d items, want 5", len(careOnly))
		}
		return nil
	})
	err := f.db.InTenant(context.Background(), f.org, func(tx *store.Tx) error {
		return tx.SaveEvent(&domain.Event{UsagerID: u.ID, Section: domain.SectionCare, Type: domain.EventVisit, Title: "x", Start: base,
			Status: domain.EventCancelled, AuthorID: author, AuthorName: "IDE"})
	})
	if err == nil {
		t.Error("a cancelled event without a reason was stored")
	}
}

func TestEventInputParse(t *testing.T) {
	ok := domain.EventInput{Section: "care", Type: "chute", Title: "Chute dans la chambre", Start: "2026-11-20T07:45", Status: "TERMINE"}
	if _, err := ok.Parse(); err != nil {
		t.Fatalf("valid event: %v", err)
	}
	tests := []struct {
		name  string
		edit  func(*domain.EventInput)
		field string
	}{
		{"no section", func(e *domain.EventInput) { e.Section = "" }, "section"},
		{"unknown type", func(e *domain.EventInput) { e.Type = "fete" }, "type"},
		{"no title", func(e *domain.EventInput) { e.Title = " " }, "title"},
		{"bad start", func(e *domain.EventInput) { e.Start = "demain" }, "start"},
		{"end before start", func(e *domain.EventInput) { e.End = "2026-11-20T06:00" }, "end"},
		{"cancelled without reason", func(e *domain.EventInput) { e.Status = "ANNULE" }, "reason"},
		{"SERAFIN without code", func(e *domain.EventInput) { e.Type = "prestation_serafin" }, "serafin_code"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := ok
			tc.edit(&in)
			_, err := in.Parse()
			v, isV := domain.AsValidation(err)
			if !isV || v.Fields[tc.field] == "" {
				t.Errorf("want a French message on %s, got %v", tc.field, err)
			}
		})
	}
}

// BenchmarkTimelineFirstPage reads the first page of a record holding
// 10,000 timeline items (target: p95 under 50 ms).
func BenchmarkTimelineFirstPage(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b)
	u := usager(b, "Longue", "Histoire", "1935-05-05")
	author := store.NewID()
	err := f.db.InTenant(ctx, f.org, func(tx *store.Tx) error {
		if err := tx.CreateUsager(&u, &domain.Stay{EstablishmentID: f.ehpad.ID, Status: domain.StayPreadmission, Mode: domain.ModePermanent}); err != nil {
			return err
		}
		if err := tx.Gorm().Exec(`INSERT INTO events (id, org_id, usager_id, section, type, title, start_at, status, author_id, author_name)
			SELECT gen_random_uuid(), ?, ?, (ARRAY['care','medical','social'])[1 + g % 3], 'visite', 'visite ' || g,
			       now() - g * interval '1 hour', 'TERMINE', ?, 'IDE' FROM generate_series(1, 5000) g`, f.org, u.ID, author).Error; err != nil {
			return err
		}
		return tx.Gorm().Exec(`INSERT INTO record_notes (id, org_id, usager_id, section, author_id, author_name, body, written_at)
			SELECT gen_random_uuid(), ?, ?, (ARRAY['care','educational','admin'])[1 + g % 3], ?, 'AS', 'transmission ' || g,
			       now() - g * interval '1 hour' - interval '30 minutes' FROM generate_series(1, 5000) g`, f.org, u.ID, author).Error
	})
	if err != nil {
		b.Fatal(err)
	}
	q := domain.TimelineQuery{UsagerID: u.ID, Sections: domain.RecordSections, Limit: 50}
	var durations []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		err := f.db.InTenant(ctx, f.org, func(tx *store.Tx) error {
			page, err := tx.Timeline(q)
			if err == nil && len(page) != 50 {
				err = fmt.Errorf("page of %d", len(page))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	b.ReportMetric(float64(p95(durations).Microseconds())/1000, "p95-ms")
}

func p95(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration{}, ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)*95)/100]
}
