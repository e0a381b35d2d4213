package fhir_test

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/internal/pgcluster"
	"github.com/relais-dui/relais/store"
)

// BenchmarkFHIRPatient measures GET /fhir/Patient/{id} and a search by name
// with 16 concurrent clients over HTTP, against `pgbench -S` (16 clients)
// on the same PostgreSQL in the same run: the API's throughput is read
// against what the database alone gives.
//
//	go test ./fhir -run '^$' -bench FHIRPatient -benchtime 3s
func BenchmarkFHIRPatient(b *testing.B) {
	a := newAPI(b)
	a.client("hopital", domain.RoleMedecin, "system/Patient.read")
	err := a.db.InTenant(context.Background(), a.org, func(tx *store.Tx) error {
		for i := range 2000 {
			a.usager(tx, "Résident "+string(rune('A'+i/26/26%26))+string(rune('A'+i/26%26))+string(rune('A'+i%26)), "Jean", "1950-01-01", "M", a.estA)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	tok := a.bearer("hopital")
	transport := &http.Transport{MaxIdleConnsPerHost: 32}
	get := func(path string) error {
		req, _ := http.NewRequest(http.MethodGet, a.srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := transport.RoundTrip(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: %d", path, resp.StatusCode)
		}
		return nil
	}
	parallel := func(b *testing.B, path string) {
		b.SetParallelism(max(1, 16/runtimeProcs()))
		var failed atomic.Value
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := get(path); err != nil {
					failed.Store(err)
				}
			}
		})
		if err, _ := failed.Load().(error); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
	}
	b.Run("read", func(b *testing.B) { parallel(b, "/fhir/Patient/"+a.inA.String()) })
	b.Run("search-name", func(b *testing.B) { parallel(b, "/fhir/Patient?name=resident%20ab&_count=20") })
	b.Run("pgbench-S", func(b *testing.B) {
		bin, err := pgcluster.FindBinDir()
		if err != nil {
			b.Skip(err)
		}
		pgbench := filepath.Join(bin, "pgbench")
		if out, err := exec.Command(pgbench, "-i", "-q", "-s", "1", a.dsn).CombinedOutput(); err != nil {
			b.Fatalf("pgbench -i: %v: %s", err, out)
		}
		b.ResetTimer()
		out, err := exec.Command(pgbench, "-S", "-n", "-c", "16", "-j", "2", "-t", strconv.Itoa(max(1, b.N/16)), a.dsn).CombinedOutput()
		if err != nil {
			b.Fatalf("pgbench -S: %v: %s", err, out)
		}
		m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(out)
		if m == nil {
			b.Fatalf("pgbench output: %s", out)
		}
		tps, _ := strconv.ParseFloat(string(m[1]), 64)
		b.ReportMetric(tps, "tps")
	})
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
