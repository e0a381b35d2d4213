package xdstest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relais-dui/relais/dmp/xds"
	"github.com/relais-dui/relais/dmp/xds/xdstest"
	"github.com/relais-dui/relais/insi/insitest"
)

var (
	source  = xds.Source{SourceID: "1.2.250.1.999.7", ContentType: xds.Code{Code: "SA17", CodeSystem: "1.2.250.1.71.4.2.4", DisplayName: "Etablissement pour personnes âgées"}}
	class   = xds.Code{Code: "11", CodeSystem: "1.2.250.1.213.1.1.4.1", DisplayName: "Compte rendu"}
	patient = xds.II{Root: xds.OIDINSTestNIR, Extension: "248000188004282"}
	actor   = xds.Actor{SubjectID: "810101234567", SubjectName: "Claire MARTIN", StructureID: "1710000001",
		Sector: xds.Code{Code: "SA17", CodeSystem: "1.2.250.1.71.4.2.4"},
		Roles:  []xds.Code{{Code: "10", CodeSystem: "1.2.250.1.71.1.2.7", DisplayName: "Médecin"}}}
)

func cda(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// setup serves a peer over TLS requiring a client certificate of a test CA
// and returns a client holding one.
func setup(t *testing.T, withCert bool) (*xdstest.Peer, *xds.Client, *httptest.Server) {
	t.Helper()
	pki, err := insitest.NewPKI()
	if err != nil {
		t.Fatal(err)
	}
	peer := xdstest.New()
	peer.RequireClientCert = true
	peer.AddPatient(patient)
	srv := httptest.NewUnstartedServer(peer)
	srv.TLS = pki.ServerTLS()
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	cert := pki.Client
	if !withCert {
		// A certificate the server's CA did not sign: the handshake fails.
		other, err := insitest.NewPKI()
		if err != nil {
			t.Fatal(err)
		}
		cert = other.Client
	}
	client, err := xds.NewClient(xds.Config{RepositoryURL: srv.URL + "/repository", RegistryURL: srv.URL + "/registry",
		Certificate: cert, RootCAs: pki.CAPool, Software: xds.Software{ID: "relais", Name: "Relais", Version: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	return peer, client, srv
}

func submission(t *testing.T, name string, masking ...xds.Masking) xds.Submission {
	t.Helper()
	s, err := xds.NewSubmission(source, xds.Document{CDA: cda(t, name), ClassCode: class, FormatCode: xds.FormatPDF, Masking: masking},
		xds.NewSubmissionID(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestProvideReplaceWithdraw(t *testing.T) {
	peer, client, _ := setup(t, true)
	ctx := context.Background()
	v1 := submission(t, "cda_v1.xml", xds.InvisibleToPatient)
	if err := client.Provide(ctx, actor, v1); err != nil {
		t.Fatalf("provide v1: %v", err)
	}
	got, ok := peer.Document(v1.UniqueID)
	if !ok {
		t.Fatal("v1 not stored")
	}
	// The metadata read back from the MTOM request match the CDA.
	if !bytes.Equal(got.CDA, v1.Doc.CDA) || got.Entry.Slot("hash") != v1.Hash || got.PatientID != xds.PatientID(patient) ||
		got.Entry.Code(xds.SchemeTypeCode).Code != "11488-4" || got.Entry.Code(xds.SchemePracticeSetting).Code != "ESSMS" ||
		got.Entry.Code(xds.SchemeFacilityType).Code != "SA17" || got.Entry.Code(xds.SchemeFormatCode) != xds.FormatPDF {
		t.Errorf("stored v1 = %+v", got.Entry)
	}
	var confs []string
	for _, c := range got.Entry.Confidentiality() {
		confs = append(confs, c.Code)
	}
	if strings.Join(confs, ",") != "N,INVISIBLE_PATIENT" {
		t.Errorf("confidentiality = %v", confs)
	}
	if info := strings.Join(got.Entry.Slots["sourcePatientInfo"], "|"); !strings.Contains(info, "PID-5|DUPONT^Odette Marie") || !strings.Contains(info, "PID-7|19480203") {
		t.Errorf("sourcePatientInfo = %s", info)
	}

	v2 := submission(t, "cda_v2.xml")
	if err := client.Provide(ctx, actor, v2); err != nil {
		t.Fatalf("provide v2: %v", err)
	}
	old, _ := peer.Document(v1.UniqueID)
	repl, ok := peer.Document(v2.UniqueID)
	if !ok || !old.Deprecated || old.ReplacedBy != v2.UniqueID || repl.SetID != old.SetID || repl.Deprecated {
		t.Errorf("after replacement: v1 %+v, v2 %+v", old, repl)
	}

	wd := xds.Withdrawal{Source: source, PatientINS: patient, UniqueID: v2.UniqueID, Author: v2.Header.Authors[0],
		SubmissionUniqueID: xds.NewSubmissionID(), Time: time.Now()}
	if err := client.Withdraw(ctx, actor, wd); err != nil {
		t.Fatalf("withdraw: %v", err)
	}
	if d, _ := peer.Document(v2.UniqueID); !d.Deprecated {
		t.Error("v2 still available after withdrawal")
	}
	wd.UniqueID = "1.2.3^inconnu"
	var ref *xds.RefusedError
	if err := client.Withdraw(ctx, actor, wd); !errors.As(err, &ref) || !strings.Contains(err.Error(), "inconnu du DMP") {
		t.Errorf("withdrawing an unknown document: %v", err)
	}
}

func TestProvideAnswers(t *testing.T) {
	peer, client, _ := setup(t, true)
	ctx := context.Background()
	v1 := submission(t, "cda_v1.xml")

	peer.FailNext(1)
	err := client.Provide(ctx, actor, v1)
	var un *xds.UnavailableError
	if !errors.Is(err, xds.ErrUnavailable) || !errors.As(err, &un) || un.Status != http.StatusServiceUnavailable {
		t.Fatalf("503: err = %v", err)
	}
	if peer.Count() != 0 {
		t.Fatal("a 503 stored the document")
	}
	if err := client.Provide(ctx, actor, v1); err != nil {
		t.Fatalf("after the 503: %v", err)
	}
	// The same document again: a duplicate the outbox counts as sent.
	err = client.Provide(ctx, actor, v1)
	var ref *xds.RefusedError
	if !errors.As(err, &ref) || !ref.Duplicate() {
		t.Fatalf("resend: err = %v, want a duplicate refusal", err)
	}
	// Same uniqueId, other content: a real conflict.
	changed := submission(t, "cda_v1.xml")
	changed.Doc.CDA = bytes.Replace(changed.Doc.CDA, []byte("Bilan d'entrée"), []byte("Bilan d'accueil"), 1)
	changed, err = xds.NewSubmission(source, changed.Doc, xds.NewSubmissionID(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Provide(ctx, actor, changed); !errors.As(err, &ref) || ref.Duplicate() || !strings.Contains(err.Error(), "contenu différent") {
		t.Errorf("changed content under the same uniqueId: %v", err)
	}

	other := xds.II{Root: xds.OIDINSTestNIR, Extension: "148000188004216"}
	unknown := submission(t, "cda_v1.xml")
	unknown.Doc.CDA = bytes.ReplaceAll(bytes.ReplaceAll(unknown.Doc.CDA, []byte(patient.Extension), []byte(other.Extension)), []byte("DOC-0001"), []byte("DOC-0009"))
	if unknown, err = xds.NewSubmission(source, unknown.Doc, xds.NewSubmissionID(), time.Now()); err != nil {
		t.Fatal(err)
	}
	err = client.Provide(ctx, actor, unknown)
	if !errors.As(err, &ref) || ref.Errors[0].Code != xds.CodeUnknownPatient || !strings.Contains(err.Error(), "n'a pas de DMP") {
		t.Errorf("unknown patient: %v", err)
	}

	// A replacement whose original was never sent (fresh peer).
	_, client2, _ := setup(t, true)
	if err := client2.Provide(ctx, actor, submission(t, "cda_v2.xml")); !errors.As(err, &ref) || !strings.Contains(err.Error(), "inconnu") {
		t.Errorf("replacement of an unknown document: %v", err)
	}
}

func TestClientCertificateRequired(t *testing.T) {
	_, client, _ := setup(t, false)
	err := client.Provide(context.Background(), actor, submission(t, "cda_v1.xml"))
	if !errors.Is(err, xds.ErrUnavailable) {
		t.Errorf("untrusted client certificate: err = %v", err)
	}
}

// TestHostileRequests sends broken messages straight to the peer.
func TestHostileRequests(t *testing.T) {
	peer := xdstest.New()
	peer.AddPatient(patient)
	srv := httptest.NewServer(peer)
	t.Cleanup(srv.Close)
	good := submission(t, "cda_v1.xml")
	pki, err := insitest.NewPKI()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := xds.SignerFromCertificate(pki.Client)
	if err != nil {
		t.Fatal(err)
	}
	body, ct, err := xds.EncodeProvide(signer, actor, xds.Software{ID: "relais"}, good, srv.URL)
	if err != nil {
		t.Fatal(err)
	}

	post := func(ct string, body []byte) (int, string) {
		resp, err := http.Post(srv.URL, ct, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	cases := []struct {
		name   string
		ct     string
		body   []byte
		status int
		want   string
	}{
		{"not MTOM", "application/soap+xml", []byte("<x/>"), 400, "message MTOM attendu"},
		{"no boundary", `multipart/related; type="application/xop+xml"`, body, 400, "sans délimiteur"},
		{"truncated multipart", ct, body[:len(body)/2], 400, "mal formé"},
		{"missing XOP part", ct, cutPart(t, body, ct), 400, "absente pour le document"},
		{"hash mismatch", ct, bytes.Replace(body, []byte("Bilan d'entrée en EHPAD</title>"), []byte("Bilan d'entrée en EHPAX</title>"), 1), 200, "empreinte"},
		{"tampered assertion", ct, bytes.Replace(body, []byte("<saml2:AttributeValue>INDIRECTE"), []byte("<saml2:AttributeValue>DIRECTE"), 1), 400, "empreinte de l'assertion"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, answer := post(c.ct, c.body)
			if status != c.status || !strings.Contains(answer, c.want) {
				t.Errorf("status %d, answer %s; want %d mentioning %q", status, answer, c.status, c.want)
			}
			if c.status == 200 {
				if err := xds.ParseResponse(status, "application/soap+xml", []byte(answer)); err == nil {
					t.Error("the client reads the refusal as a success")
				}
			}
		})
	}
	if peer.Count() != 0 {
		t.Errorf("hostile requests stored %d documents", peer.Count())
	}
	if status, answer := post(ct, body); status != 200 || xds.ParseResponse(status, "application/soap+xml", []byte(answer)) != nil {
		t.Errorf("the untouched request fails: %d %s", status, answer)
	}
}

// cutPart removes the document part (the last one) of an MTOM body.
func cutPart(t *testing.T, body []byte, ct string) []byte {
	t.Helper()
	i := bytes.Index(body, []byte("Content-Id: <document1@relais>"))
	if i < 0 {
		t.Fatalf("no document part in %s", ct)
	}
	start := bytes.LastIndex(body[:i], []byte("--MIMEBoundary_"))
	end := bytes.Index(body[i:], []byte("\r\n--MIMEBoundary_"))
	return append(append([]byte{}, body[:start]...), body[i+end+2:]...)
}

// TestBuilderDocuments sends the documents of the CDA builder (dmp/cda's
// golden files): a PDF document, its replacement and a DLU.
func TestBuilderDocuments(t *testing.T) {
	peer, client, _ := setup(t, true)
	ins := xds.II{Root: xds.OIDINSTestNIR, Extension: "248066912300144"}
	peer.AddPatient(ins)
	ctx := context.Background()
	for _, f := range []struct {
		file   string
		format xds.Code
	}{{"pdf-level1.xml", xds.FormatPDF}, {"pdf-replacement.xml", xds.FormatPDF}, {"dlu-full.xml", xds.FormatDLU}} {
		doc, err := os.ReadFile(filepath.Join("..", "..", "cda", "testdata", f.file))
		if err != nil {
			t.Fatal(err)
		}
		s, err := xds.NewSubmission(source, xds.Document{CDA: doc, ClassCode: class, FormatCode: f.format}, xds.NewSubmissionID(), time.Now())
		if err != nil {
			t.Fatalf("%s: %v", f.file, err)
		}
		if !strings.HasPrefix(s.UniqueID, "2.25.") {
			t.Errorf("%s: uniqueId %s is not an OID", f.file, s.UniqueID)
		}
		if err := client.Provide(ctx, actor, s); err != nil {
			t.Errorf("%s: %v", f.file, err)
		}
	}
	if peer.Count() != 3 {
		t.Errorf("peer holds %d documents, want 3", peer.Count())
	}
	// The strict traits: birth name, the full list of birth first names
	// (not the first one again), birth date, sex.
	for _, id := range []string{"6F1C3B0E-1A2B-4C3D-8E9F-000000000001"} {
		d, ok := peer.Document(xds.II{Root: id}.UniqueID())
		if !ok {
			t.Fatalf("%s not stored", id)
		}
		if info := strings.Join(d.Entry.Slots["sourcePatientInfo"], "|"); !strings.HasPrefix(info, "PID-5|DUPONT^MARIE LOUISE^^^^^L|PID-7|") {
			t.Errorf("sourcePatientInfo = %s", info)
		}
	}
}

func TestPeerDown(t *testing.T) {
	_, client, srv := setup(t, true)
	srv.Close()
	err := client.Provide(context.Background(), actor, submission(t, "cda_v1.xml"))
	var un *xds.UnavailableError
	if !errors.Is(err, xds.ErrUnavailable) || !errors.As(err, &un) || un.Status != 0 {
		t.Errorf("peer down: err = %v", err)
	}
}
