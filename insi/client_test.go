package insi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relais-dui/relais/insi"
	"github.com/relais-dui/relais/insi/insitest"
)

// testIdentification is the software identification every test client sends.
func testIdentification() insi.Identification {
	return insi.Identification{
		IDAM:            "RELAIS-TEST-IDAM",
		SoftwareName:    "Relais",
		SoftwareVersion: "0.1.0",
		Instance:        "8f0c7a52-3c1e-4f57-9a57-0d3f3c0b2a11",
		Emitter:         "350000000",
	}
}

// fixedIDs returns reproducible identifiers: id-0001, id-0002…
func fixedIDs() func() string {
	var n atomic.Int64
	return func() string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n.Add(1)) }
}

func fixedClock() time.Time { return time.Date(2025, time.March, 3, 9, 30, 0, 0, time.UTC) }

// tlsPeer starts the test peer over HTTPS requiring a client certificate.
func tlsPeer(t *testing.T) (*insitest.Peer, *httptest.Server, *insitest.PKI) {
	t.Helper()
	pki, err := insitest.NewPKI()
	if err != nil {
		t.Fatal(err)
	}
	peer := insitest.NewPeer(insitest.DemoIdentities())
	srv := peer.StartTLS(pki)
	t.Cleanup(srv.Close)
	return peer, srv, pki
}

// clientFor returns a client presenting (or not) the test client certificate.
func clientFor(t *testing.T, srv *httptest.Server, pki *insitest.PKI, withCert bool, opts ...insi.Option) *insi.Client {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: pki.ClientTLS(withCert)}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := insi.NewWithHTTPClient(srv.URL, &http.Client{Transport: tr}, testIdentification(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

type wantAttempt struct {
	firstNames string
	withPlace  bool
	code       string
}

func TestSearchByTraits(t *testing.T) {
	peer, srv, pki := tlsPeer(t)
	client := clientFor(t, srv, pki, true)

	tests := []struct {
		name     string
		q        insi.TraitsQuery
		wantCode string
		wantNIR  string
		wantMsg  string
		attempts []wantAttempt
	}{
		{
			name:     "00 on the first name alone",
			q:        insi.TraitsQuery{BirthName: "Dupont", FirstNames: []string{"Jeanne", "Marie"}, Sex: "F", BirthDate: day(1931, 4, 12), BirthPlaceCode: "35238"},
			wantCode: insi.CodeFound, wantNIR: "2310435238017", wantMsg: "Une identité trouvée",
			attempts: []wantAttempt{{"JEANNE", false, "00"}},
		},
		{
			name:     "01 on the first name, 00 with all first names",
			q:        insi.TraitsQuery{BirthName: "Lefèvre-Durand", FirstNames: []string{"Marie", "Jean"}, Sex: "M", BirthDate: day(1942, 7, 30)},
			wantCode: insi.CodeFound, wantNIR: "1420744109033", wantMsg: "Une identité trouvée",
			attempts: []wantAttempt{{"MARIE", false, "01"}, {"MARIE JEAN", false, "00"}},
		},
		{
			name:     "02 for homonyms until the birth place is given",
			q:        insi.TraitsQuery{BirthName: "MARTIN", FirstNames: []string{"Louis", "Henri"}, Sex: "M", BirthDate: day(1938, 5, 12), BirthPlaceCode: "29019"},
			wantCode: insi.CodeFound, wantNIR: "1380529019102", wantMsg: "Une identité trouvée",
			attempts: []wantAttempt{{"LOUIS", false, "02"}, {"LOUIS HENRI", false, "02"}, {"LOUIS HENRI", true, "00"}},
		},
		{
			name:     "02 left when nothing more discriminates",
			q:        insi.TraitsQuery{BirthName: "Martin", FirstNames: []string{"Louis"}, Sex: "M", BirthDate: day(1938, 5, 12)},
			wantCode: insi.CodeSeveral, wantMsg: "Plusieurs identités : précisez les traits",
			attempts: []wantAttempt{{"LOUIS", false, "02"}},
		},
		{
			name:     "01 after widening",
			q:        insi.TraitsQuery{BirthName: "Inconnu", FirstNames: []string{"Paul", "Jean"}, Sex: "M", BirthDate: day(1950, 1, 1), BirthPlaceCode: "75056"},
			wantCode: insi.CodeNotFound, wantMsg: "Aucune identité trouvée",
			attempts: []wantAttempt{{"PAUL", false, "01"}, {"PAUL JEAN", false, "01"}, {"PAUL JEAN", true, "01"}},
		},
		{
			name:     "case and accents do not matter",
			q:        insi.TraitsQuery{BirthName: "gregoire", FirstNames: []string{"elodie", "anne-sophie"}, Sex: "f", BirthDate: day(1957, 1, 23)},
			wantCode: insi.CodeFound, wantNIR: "2570135238140", wantMsg: "Une identité trouvée",
			attempts: []wantAttempt{{"ELODIE", false, "00"}},
		},
		{
			name:     "lunar birth date is sent as typed",
			q:        insi.TraitsQuery{BirthName: "Dupont", FirstNames: []string{"Jeanne"}, Sex: "F", LunarBirthDate: "1931-00-00"},
			wantCode: insi.CodeNotFound, wantMsg: "Aucune identité trouvée",
			attempts: []wantAttempt{{"JEANNE", false, "01"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(peer.Requests())
			res, err := client.SearchByTraits(context.Background(), tc.q)
			if err != nil {
				t.Fatalf("SearchByTraits: %v", err)
			}
			if res.Code != tc.wantCode || res.Message() != tc.wantMsg {
				t.Errorf("code %q message %q, want %q %q", res.Code, res.Message(), tc.wantCode, tc.wantMsg)
			}
			if tc.wantNIR == "" && res.Identity != nil {
				t.Errorf("identity %v for code %s", res.Identity, res.Code)
			}
			if tc.wantNIR != "" && (res.Identity == nil || res.Identity.NIR != tc.wantNIR) {
				t.Errorf("identity %+v, want NIR %s", res.Identity, tc.wantNIR)
			}
			var got []wantAttempt
			for _, a := range res.Attempts {
				got = append(got, wantAttempt{strings.Join(a.FirstNames, " "), a.WithBirthPlace, a.Code})
			}
			if !reflect.DeepEqual(got, tc.attempts) {
				t.Errorf("attempts %v, want %v", got, tc.attempts)
			}
			// Each attempt is one real exchange, identified by its MessageID.
			reqs := peer.Requests()[before:]
			if len(reqs) != len(res.Attempts) {
				t.Fatalf("peer saw %d requests for %d attempts", len(reqs), len(res.Attempts))
			}
			for i, r := range reqs {
				if r.MessageID != "uuid:"+res.Attempts[i].MessageID || r.Action != insi.ActionPrefix+insi.OpTraits {
					t.Errorf("request %d: action %q id %q, attempt id %q", i, r.Action, r.MessageID, res.Attempts[i].MessageID)
				}
			}
		})
	}
}

func TestSearchByTraitsIdentity(t *testing.T) {
	_, srv, pki := tlsPeer(t)
	client := clientFor(t, srv, pki, true)
	res, err := client.SearchByTraits(context.Background(), insi.TraitsQuery{
		BirthName: "N’Diaye", FirstNames: []string{"Aminata"}, Sex: "F", BirthDate: day(1948, 11, 2),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &insi.Identity{
		NIR: "2481199341045", Key: "05", OID: insi.OIDTestNIR,
		PastINS:   []insi.PastINS{{NIR: "2481199341998", Key: "22", OID: insi.OIDTestNIR}},
		BirthName: "N'DIAYE", FirstNames: []string{"AMINATA"}, Sex: "F",
		BirthDate: day(1948, 11, 2), BirthDateText: "1948-11-02", BirthPlaceCode: "99341",
	}
	if !reflect.DeepEqual(res.Identity, want) {
		t.Errorf("identity\n got %+v\nwant %+v", res.Identity, want)
	}
	if got := res.Attempts[0].Description(); got != "Premier prénom seul : Une identité trouvée (00)" {
		t.Errorf("description %q", got)
	}
}

func TestSearchByCarteVitale(t *testing.T) {
	peer, srv, pki := tlsPeer(t)
	client := clientFor(t, srv, pki, true)
	tests := []struct {
		name     string
		q        insi.VitaleQuery
		wantCode string
		wantNIR  string
	}{
		{"holder is the beneficiary", insi.VitaleQuery{HolderNIR: "2481199341045", HolderKey: "05", BirthName: "N'Diaye", BirthDate: "1948-11-02"}, insi.CodeFound, "2481199341045"},
		{"beneficiary with own matricule on another card", insi.VitaleQuery{HolderNIR: "2310435238017", BeneficiaryNIR: "135022A004011", BeneficiaryKey: "48", BirthDate: "1935-02-14", BirthRank: 1}, insi.CodeFound, "135022A004011"},
		{"birth date differs", insi.VitaleQuery{HolderNIR: "2481199341045", BirthDate: "1948-11-03"}, insi.CodeNotFound, ""},
		{"lunar date accepted", insi.VitaleQuery{HolderNIR: "2481199341045", BirthDate: "1948-00-00"}, insi.CodeNotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := client.SearchByCarteVitale(context.Background(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if res.Code != tc.wantCode {
				t.Errorf("code %s, want %s", res.Code, tc.wantCode)
			}
			if tc.wantNIR != "" && (res.Identity == nil || res.Identity.NIR != tc.wantNIR) {
				t.Errorf("identity %+v, want NIR %s", res.Identity, tc.wantNIR)
			}
			reqs := peer.Requests()
			if last := reqs[len(reqs)-1]; last.Action != insi.ActionPrefix+insi.OpCarteVitale {
				t.Errorf("action %q", last.Action)
			}
			if len(res.Attempts) != 1 || res.Attempts[0].Code != tc.wantCode {
				t.Errorf("attempts %+v", res.Attempts)
			}
		})
	}
}

func TestQueryErrors(t *testing.T) {
	_, srv, pki := tlsPeer(t)
	client := clientFor(t, srv, pki, true)
	ok := insi.TraitsQuery{BirthName: "DUPONT", FirstNames: []string{"JEANNE"}, Sex: "F", BirthDate: day(1931, 4, 12)}
	tests := []struct {
		name  string
		edit  func(*insi.TraitsQuery)
		field string
	}{
		{"no birth name", func(q *insi.TraitsQuery) { q.BirthName = "  " }, "BirthName"},
		{"no first name", func(q *insi.TraitsQuery) { q.FirstNames = []string{" "} }, "FirstNames"},
		{"bad sex", func(q *insi.TraitsQuery) { q.Sex = "X" }, "Sex"},
		{"no birth date", func(q *insi.TraitsQuery) { q.BirthDate = time.Time{} }, "BirthDate"},
		{"bad lunar date", func(q *insi.TraitsQuery) { q.LunarBirthDate = "12/04/1931" }, "BirthDate"},
		{"bad birth place", func(q *insi.TraitsQuery) { q.BirthPlaceCode = "Rennes" }, "BirthPlaceCode"},
		{"name too long", func(q *insi.TraitsQuery) { q.BirthName = strings.Repeat("A", 101) }, "BirthName"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := ok
			tc.edit(&q)
			_, err := client.SearchByTraits(context.Background(), q)
			var qe *insi.QueryError
			if !errors.As(err, &qe) || qe.Field != tc.field {
				t.Fatalf("error %v, want QueryError on %s", err, tc.field)
			}
		})
	}
	_, err := client.SearchByCarteVitale(context.Background(), insi.VitaleQuery{HolderNIR: "123", BirthDate: "1948-11-02"})
	var qe *insi.QueryError
	if !errors.As(err, &qe) || qe.Field != "HolderNIR" {
		t.Errorf("vitale error %v", err)
	}
}

func TestSOAPFault(t *testing.T) {
	peer, srv, pki := tlsPeer(t)
	client := clientFor(t, srv, pki, true)
	peer.FailWith(&insi.FaultError{
		Code: "Sender", Subcode: "siram_100",
		Reason:     "L'accès de ce logiciel au service n'est pas autorisé.",
		DetailCode: "desir_550", Detail: "Numéro d'autorisation inconnu.", Severity: "erreur",
	})
	res, err := client.SearchByTraits(context.Background(), insi.TraitsQuery{
		BirthName: "DUPONT", FirstNames: []string{"JEANNE", "MARIE"}, Sex: "F", BirthDate: day(1931, 4, 12),
	})
	var fe *insi.FaultError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v, want *FaultError", err)
	}
	want := insi.FaultError{Code: "Sender", Subcode: "siram_100",
		Reason:     "L'accès de ce logiciel au service n'est pas autorisé.",
		DetailCode: "desir_550", Detail: "Numéro d'autorisation inconnu.", Severity: "erreur"}
	if *fe != want {
		t.Errorf("fault %+v, want %+v", *fe, want)
	}
	if msg := fe.Error(); !strings.Contains(msg, "a refusé la demande") || !strings.Contains(msg, "siram_100, desir_550") {
		t.Errorf("message %q", msg)
	}
	// The search stops at the fault; the attempt made is still reported.
	if len(res.Attempts) != 1 || res.Attempts[0].Code != "" || res.Code != "" {
		t.Errorf("result %+v", res)
	}
	if d := res.Attempts[0].Description(); d != "Premier prénom seul : pas de réponse" {
		t.Errorf("description %q", d)
	}
}

func TestTimeout(t *testing.T) {
	peer, srv, pki := tlsPeer(t)
	peer.SetDelay(5 * time.Second)
	q := insi.TraitsQuery{BirthName: "DUPONT", FirstNames: []string{"JEANNE"}, Sex: "F", BirthDate: day(1931, 4, 12)}
	tests := []struct {
		name   string
		ctx    func() (context.Context, context.CancelFunc)
		client *insi.Client
	}{
		{"caller's deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 200*time.Millisecond)
		}, clientFor(t, srv, pki, true)},
		{"configured timeout", func() (context.Context, context.CancelFunc) {
			return context.WithCancel(context.Background())
		}, clientFor(t, srv, pki, true, insi.WithTimeout(200*time.Millisecond))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := tc.ctx()
			defer cancel()
			start := time.Now()
			res, err := tc.client.SearchByTraits(ctx, q)
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("gave up after %v", elapsed)
			}
			if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, insi.ErrUnavailable) {
				t.Fatalf("error %v, want deadline exceeded and ErrUnavailable", err)
			}
			if res.Code != "" || res.Identity != nil {
				t.Errorf("result %+v after a timeout", res)
			}
		})
	}
}

func TestRefusesClientWithoutCertificate(t *testing.T) {
	peer, srv, pki := tlsPeer(t)
	client := clientFor(t, srv, pki, false)
	_, err := client.SearchByTraits(context.Background(), insi.TraitsQuery{
		BirthName: "DUPONT", FirstNames: []string{"JEANNE"}, Sex: "F", BirthDate: day(1931, 4, 12),
	})
	// The refusal happens in the TLS handshake, before any HTTP exchange. With
	// TLS 1.3 the client may learn it as the server's alert or, when its
	// request was already on the wire, as a broken connection: both are
	// ErrUnavailable, and the peer must have handled nothing.
	if !errors.Is(err, insi.ErrUnavailable) {
		t.Fatalf("error %v, want ErrUnavailable from a refused TLS handshake", err)
	}
	if n := len(peer.Requests()); n != 0 {
		t.Errorf("peer handled %d requests from a client without certificate", n)
	}
}

func TestNewFromFiles(t *testing.T) {
	_, srv, pki := tlsPeer(t)
	cert, key, ca, err := pki.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	good := insi.Config{URL: srv.URL, CertFile: cert, KeyFile: key, CAFile: ca, Identification: testIdentification()}
	client, err := insi.New(good)
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.SearchByTraits(context.Background(), insi.TraitsQuery{
		BirthName: "SANTONI", FirstNames: []string{"PAUL"}, Sex: "M", BirthDate: day(1935, 2, 14),
	})
	if err != nil || res.Code != insi.CodeFound || res.Identity.BirthPlaceCode != "2A004" {
		t.Fatalf("result %+v, error %v", res, err)
	}

	tests := []struct {
		name string
		edit func(*insi.Config)
		want string
	}{
		{"plain http", func(c *insi.Config) { c.URL = "http://insi.example/lps" }, "https obligatoire"},
		{"no URL", func(c *insi.Config) { c.URL = "" }, "adresse du téléservice INSi invalide"},
		{"no certificate", func(c *insi.Config) { c.CertFile = "" }, "certificat et clé privée"},
		{"unreadable key", func(c *insi.Config) { c.KeyFile = ca }, "certificat INSi"},
		{"CA file without certificate", func(c *insi.Config) { c.CAFile = key }, "aucun certificat PEM"},
		{"no IDAM", func(c *insi.Config) { c.IDAM = "" }, "IDAM"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.edit(&cfg)
			_, err := insi.New(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestSimulationClient(t *testing.T) {
	peer := insitest.NewPeer(insitest.DemoIdentities())
	client, err := insi.NewWithHTTPClient(insitest.SimulationURL, peer.Client(), testIdentification())
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.SearchByTraits(context.Background(), insi.TraitsQuery{
		BirthName: "Dupont", FirstNames: []string{"Jeanne"}, Sex: "F", BirthDate: day(1931, 4, 12),
	})
	if err != nil || !res.Found() {
		t.Fatalf("result %+v, error %v", res, err)
	}
	peer.SetDelay(time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := client.SearchByTraits(ctx, insi.TraitsQuery{
		BirthName: "Dupont", FirstNames: []string{"Jeanne"}, Sex: "F", BirthDate: day(1931, 4, 12),
	}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want deadline exceeded", err)
	}
}
