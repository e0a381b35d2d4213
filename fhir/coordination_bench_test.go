package fhir_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// BenchmarkFHIRCoordination measures a person's liaison notes (100, the
// most a search returns, each read with its recipients and replies) and
// events (200) searched with 16 concurrent clients over HTTP.
//
//	go test ./fhir -run '^$' -bench FHIRCoordination -benchtime 3s
func BenchmarkFHIRCoordination(b *testing.B) {
	a := newAPI(b)
	a.client("hopital", domain.RoleMedecin, "system/*.read")
	at := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	err := a.db.InTenant(context.Background(), a.org, func(tx *store.Tx) error {
		for i := range 100 {
			n := domain.LiaisonNote{EstablishmentID: a.estA, UsagerID: a.inA, Section: domain.SectionCare, Priority: domain.PriorityNormale,
				Body: fmt.Sprintf("Note %d", i), AuthorID: a.org, AuthorName: "Bench", CreatedAt: at.Add(time.Duration(i) * time.Hour),
				Roles: []domain.Role{domain.RoleInfirmier}}
			if err := tx.SaveLiaisonNote(&n); err != nil {
				return err
			}
		}
		for i := range 200 {
			e := domain.Event{UsagerID: a.inA, Section: domain.SectionCare, Type: domain.EventAppointment, Title: fmt.Sprintf("Rendez-vous %d", i),
				Start: at.AddDate(0, 0, i), Status: domain.EventValidated, AuthorID: a.org, AuthorName: "Bench"}
			if err := tx.SaveEvent(&e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	tok := a.bearer("hopital")
	transport := &http.Transport{MaxIdleConnsPerHost: 32}
	parallel := func(b *testing.B, path string) {
		b.SetParallelism(max(1, 16/runtimeProcs()))
		var failed atomic.Value
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req, _ := http.NewRequest(http.MethodGet, a.srv.URL+path, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := transport.RoundTrip(req)
				if err != nil {
					failed.Store(err)
					continue
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failed.Store(fmt.Errorf("%s: %d", path, resp.StatusCode))
				}
			}
		})
		if err, _ := failed.Load().(error); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
	}
	b.Run("communication-100", func(b *testing.B) { parallel(b, "/fhir/Communication?patient="+a.inA.String()) })
	b.Run("appointment-200", func(b *testing.B) { parallel(b, "/fhir/Appointment?patient="+a.inA.String()) })
	b.Run("appointment-month", func(b *testing.B) {
		parallel(b, "/fhir/Appointment?patient="+a.inA.String()+"&date=ge2026-03-01&date=lt2026-04-01")
	})
}
