package fhir_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// BenchmarkFHIRRegister measures a search of a long stay's register: a
// resident with three intakes a day traced for a year (1,095 records),
// all of it and one week of it (effective-time), one client at a time.
//
//	go test ./fhir -run '^$' -bench FHIRRegister -benchtime 20x
func BenchmarkFHIRRegister(b *testing.B) {
	a := newAPI(b)
	a.client("hopital", domain.RoleMedecin, "system/*.read")
	start := domain.ParisDay(time.Now()).AddDate(-1, 0, 0)
	p := domain.Prescription{UsagerID: a.inA, EstablishmentID: a.estA, Drug: "Furosémide 40 mg", Unit: "comprimé", Route: domain.RouteOral,
		Intakes: []domain.Intake{{Minute: 8 * 60, Quantity: 1}, {Minute: 12 * 60, Quantity: 1}, {Minute: 19 * 60, Quantity: 1}},
		Start:   start, Prescriber: "Dr Lemoine", RPPS: "10003012340", OrderDate: start, CreatedAt: time.Now(), CreatedBy: uuid.New(), CreatedName: "IDE"}
	err := a.db.InTenant(context.Background(), a.org, func(tx *store.Tx) error {
		if err := tx.SavePrescription(&p); err != nil {
			return err
		}
		for _, pi := range p.Planned(start, start.AddDate(0, 0, 364)) {
			ad := domain.Administration{PrescriptionID: p.ID, PlannedAt: pi.At, At: pi.At, Status: domain.AdminGiven, Dose: 1,
				RecordedAt: pi.At, ByID: uuid.New(), ByName: "IDE"}
			if err := tx.RecordAdministration(&ad); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	tok := a.bearer("hopital")
	get := func(b *testing.B, path string) {
		for b.Loop() {
			req, _ := http.NewRequest(http.MethodGet, a.srv.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("%s: %d", path, resp.StatusCode)
			}
			b.ReportMetric(float64(n), "bytes/op")
		}
	}
	base := "/fhir/MedicationAdministration?patient=" + a.inA.String()
	week := start.AddDate(0, 6, 0)
	b.Run("year", func(b *testing.B) { get(b, base) })
	b.Run("week", func(b *testing.B) {
		get(b, base+"&effective-time=ge"+week.Format("2006-01-02")+"&effective-time=lt"+week.AddDate(0, 0, 7).Format("2006-01-02")+"&_format="+url.QueryEscape("json"))
	})
}
