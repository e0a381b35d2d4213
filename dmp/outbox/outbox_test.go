package outbox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/dmp/outbox"
	"github.com/relais-dui/relais/dmp/xds"
	"github.com/relais-dui/relais/dmp/xds/xdstest"
	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/domain/ins"
	"github.com/relais-dui/relais/insi/insitest"
	"github.com/relais-dui/relais/internal/testpg"
	"github.com/relais-dui/relais/store"
)

func TestMain(m *testing.M) { os.Exit(testpg.Run(m)) }

var (
	source  = xds.Source{SourceID: "1.2.250.1.999.7", ContentType: xds.Code{Code: "SA17", CodeSystem: "1.2.250.1.71.4.2.4", DisplayName: "Etablissement pour personnes âgées"}}
	patient = xds.II{Root: xds.OIDINSTestNIR, Extension: "248000188004282"}
	matric  = ins.Matricule{Number: "2480001880042", Key: "82", OID: ins.OIDTestNIR}
)

// clock is the workers' time, moved by the tests (no sleeping).
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type env struct {
	db     *store.DB
	org    uuid.UUID
	estab  domain.Establishment
	usager domain.Usager
	peer   *xdstest.Peer
	client *xds.Client
	clock  *clock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, testpg.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{db: db, org: store.NewID(), clock: &clock{now: time.Now().UTC().Add(time.Minute).Truncate(time.Second)}}
	e.inTenant(t, func(tx domain.Tx) error {
		if err := tx.(*store.Tx).CreateOrganisation(&domain.Organisation{Name: "Les Tilleuls", FinessEJ: "690000017"}); err != nil {
			return err
		}
		e.estab = domain.Establishment{Name: "EHPAD Les Tilleuls", FinessET: "690000025", Category: domain.CatEHPAD}
		if err := tx.CreateEstablishment(&e.estab); err != nil {
			return err
		}
		u, err := domain.UsagerInput{BirthName: "DUPONT", FirstNames: "Odette Marie", BirthDate: "1948-02-03", Sex: "F", BirthPlaceCode: "71076"}.Parse(time.Now())
		if err != nil {
			return err
		}
		e.usager = u
		return tx.CreateUsager(&e.usager, &domain.Stay{EstablishmentID: e.estab.ID, Status: domain.StayAdmitted, Mode: domain.ModePermanent, AdmissionDate: time.Now().AddDate(-1, 0, 0).Truncate(24 * time.Hour)})
	})

	pki, err := insitest.NewPKI()
	if err != nil {
		t.Fatal(err)
	}
	e.peer = xdstest.New()
	e.peer.RequireClientCert = true
	e.peer.AddPatient(patient)
	srv := httptest.NewUnstartedServer(e.peer)
	srv.TLS = pki.ServerTLS()
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	if e.client, err = xds.NewClient(xds.Config{RepositoryURL: srv.URL + "/repository", RegistryURL: srv.URL + "/registry",
		Certificate: pki.Client, RootCAs: pki.CAPool, Software: xds.Software{ID: "relais", Name: "Relais", Version: "test"}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.client.Close)
	return e
}

func (e *env) inTenant(t *testing.T, fn func(tx domain.Tx) error) {
	t.Helper()
	if err := e.db.Records().InTenant(context.Background(), e.org, fn); err != nil {
		t.Fatal(err)
	}
}

// qualify gives the usager a qualified identity bearing the CDA's INS.
func (e *env) qualify(t *testing.T) {
	t.Helper()
	e.inTenant(t, func(tx domain.Tx) error {
		id, err := tx.Identity(e.usager.ID)
		if err != nil {
			return err
		}
		m := matric
		id.INS, id.INSRetrievedAt = &m, time.Now()
		ev, err := id.ValidateWithDocument(domain.DocCNI, false, store.NewID(), time.Now())
		if err != nil {
			return err
		}
		return tx.SaveIdentity(e.usager.ID, id, ev, "Accueil")
	})
}

func (e *env) worker(sender outbox.Sender) *outbox.Worker {
	return outbox.NewWorker(e.db.Records(), e.db, sender, outbox.Config{Source: source, Lease: 5 * time.Minute, Batch: 3, Now: e.clock.Now})
}

var userID = uuid.MustParse("0195f3a0-0000-7000-8000-000000000001")

func cda(t *testing.T, name, docID string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "xds", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if docID != "" {
		b = bytes.Replace(b, []byte(`extension="DOC-0001"`), []byte(`extension="`+docID+`"`), 1)
	}
	return b
}

func (e *env) request(doc []byte, masking ...xds.Masking) outbox.Request {
	return outbox.Request{UsagerID: e.usager.ID, EstablishmentID: e.estab.ID, Section: domain.SectionMedical, CDA: doc,
		ClassCode: xds.Code{Code: "11", CodeSystem: "1.2.250.1.213.1.1.4.1", DisplayName: "Compte rendu"}, FormatCode: xds.FormatPDF,
		Masking: masking, UserID: userID, Username: "medecin.ehpad", Role: "medecin", SubjectID: "810101234567",
		SubjectName: "Claire MARTIN", Profession: xds.Code{Code: "10", CodeSystem: "1.2.250.1.71.1.2.7", DisplayName: "Médecin"},
		StructureID: "1690000025", Sector: xds.Code{Code: "SA17", CodeSystem: "1.2.250.1.71.4.2.4"}}
}

func (e *env) enqueue(t *testing.T, r outbox.Request) (domain.DMPOutboxItem, bool, error) {
	t.Helper()
	var it domain.DMPOutboxItem
	var created bool
	err := e.db.Records().InTenant(context.Background(), e.org, func(tx domain.Tx) error {
		var err error
		it, created, err = outbox.Enqueue(tx, r)
		return err
	})
	return it, created, err
}

func (e *env) rows(t *testing.T) []domain.DMPOutboxItem {
	t.Helper()
	var out []domain.DMPOutboxItem
	e.inTenant(t, func(tx domain.Tx) error {
		var err error
		out, err = tx.DMPOutbox(e.usager.ID)
		return err
	})
	return out
}

func (e *env) trail(t *testing.T) string {
	t.Helper()
	var details []string
	e.inTenant(t, func(tx domain.Tx) error {
		rows, err := tx.Trail(domain.TrailQuery{UsagerID: e.usager.ID, Limit: 100})
		for _, r := range rows {
			if r.Action == domain.ActionExport {
				details = append(details, r.Detail)
			}
		}
		return err
	})
	return strings.Join(details, "\n")
}

func TestEnqueueRules(t *testing.T) {
	e := newEnv(t)
	doc := cda(t, "cda_v1.xml", "")
	var refusal *domain.DMPRefusal
	if _, _, err := e.enqueue(t, e.request(doc)); !errors.As(err, &refusal) || !strings.Contains(err.Error(), "n'est pas qualifiée (statut PROV)") {
		t.Fatalf("PROV identity: err = %v", err)
	}
	e.qualify(t)
	consent := domain.Consent{UsagerID: e.usager.ID, Scope: domain.ConsentDMP, Granted: false, GivenOn: time.Now().AddDate(0, -1, 0).Truncate(24 * time.Hour), GivenBy: "usager", RecordedBy: userID}
	e.inTenant(t, func(tx domain.Tx) error { return tx.SaveConsent(&consent) })
	if _, _, err := e.enqueue(t, e.request(doc)); !errors.As(err, &refusal) || !strings.Contains(err.Error(), "s'est opposée à l'alimentation de son DMP") {
		t.Fatalf("opposition: err = %v", err)
	}
	if n := len(e.rows(t)); n != 0 {
		t.Fatalf("refusals enqueued %d rows", n)
	}
	agreed := domain.Consent{UsagerID: e.usager.ID, Scope: domain.ConsentDMP, Granted: true, GivenOn: time.Now().Truncate(24 * time.Hour), GivenBy: "usager", RecordedBy: userID}
	e.inTenant(t, func(tx domain.Tx) error { return tx.SaveConsent(&agreed) })

	other := bytes.ReplaceAll(doc, []byte(patient.Extension), []byte("148000188004216"))
	if _, _, err := e.enqueue(t, e.request(other)); !errors.As(err, &refusal) || !strings.Contains(err.Error(), "ne correspond pas") {
		t.Errorf("CDA of another INS: err = %v", err)
	}
	it, created, err := e.enqueue(t, e.request(doc, xds.InvisibleToPatient))
	if err != nil || !created || it.Status != domain.DMPWaiting || it.UniqueID != "1.2.250.1.999.7.1^DOC-0001" {
		t.Fatalf("enqueue: %+v %v %v", it, created, err)
	}
	again, created, err := e.enqueue(t, e.request(doc, xds.InvisibleToPatient))
	if err != nil || created || again.ID != it.ID {
		t.Errorf("second enqueue: %+v created=%v err=%v", again, created, err)
	}
	if rows := e.rows(t); len(rows) != 1 || rows[0].Descriptor.Masking[0] != "INVISIBLE_PATIENT" {
		t.Errorf("rows = %+v", rows)
	}
	if tr := e.trail(t); strings.Count(tr, "envoi demandé") != 1 {
		t.Errorf("trail:\n%s", tr)
	}
}

// countingSender counts the sends per document and can stop the worker
// right after a send, before the outcome is recorded (a crash).
type countingSender struct {
	inner  *xds.Client
	mu     sync.Mutex
	counts map[string]int
	crash  context.CancelFunc
}

func (s *countingSender) Provide(ctx context.Context, a xds.Actor, sub xds.Submission) error {
	s.mu.Lock()
	s.counts[sub.UniqueID]++
	s.mu.Unlock()
	err := s.inner.Provide(ctx, a, sub)
	if s.crash != nil {
		s.crash()
	}
	return err
}

func (s *countingSender) Withdraw(ctx context.Context, a xds.Actor, wd xds.Withdrawal) error {
	return s.inner.Withdraw(ctx, a, wd)
}

func TestParallelWorkersSendEachRowOnce(t *testing.T) {
	e := newEnv(t)
	e.qualify(t)
	const n = 12
	for i := range n {
		if _, _, err := e.enqueue(t, e.request(cda(t, "cda_v1.xml", fmt.Sprintf("DOC-%04d", 100+i)))); err != nil {
			t.Fatal(err)
		}
	}
	sender := &countingSender{inner: e.client, counts: map[string]int{}}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for range 2 {
		w := e.worker(sender)
		wg.Go(func() {
			for {
				got, err := w.RunOnce(context.Background())
				if err != nil {
					errs <- err
					return
				}
				if got == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(sender.counts) != n {
		t.Errorf("%d documents sent, want %d", len(sender.counts), n)
	}
	for id, c := range sender.counts {
		if c != 1 {
			t.Errorf("%s sent %d times", id, c)
		}
	}
	if e.peer.Count() != n || e.peer.Requests() != n {
		t.Errorf("peer holds %d documents after %d requests, want %d", e.peer.Count(), e.peer.Requests(), n)
	}
	for _, r := range e.rows(t) {
		if r.Status != domain.DMPSent || r.Attempts != 1 || r.SentAt.IsZero() {
			t.Errorf("row %s: %s after %d attempts", r.UniqueID, r.Status, r.Attempts)
		}
	}
	// The indicator: the month's count for the establishment.
	e.inTenant(t, func(tx domain.Tx) error {
		now := e.clock.Now()
		counts, err := tx.DMPSentPerMonth([]uuid.UUID{e.estab.ID}, now.AddDate(0, -1, 0), now.AddDate(0, 1, 0))
		if err != nil {
			return err
		}
		paris, _ := time.LoadLocation("Europe/Paris")
		local := now.In(paris)
		month := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, time.UTC)
		if len(counts) != 1 || counts[0].Sent != n || !counts[0].Month.Equal(month) || counts[0].EstablishmentID != e.estab.ID {
			t.Errorf("sent per month = %+v, want %d in %s", counts, n, month.Format("2006-01"))
		}
		return nil
	})
}

func TestRetryWithBackoffThenSent(t *testing.T) {
	e := newEnv(t)
	e.qualify(t)
	it, _, err := e.enqueue(t, e.request(cda(t, "cda_v1.xml", "")))
	if err != nil {
		t.Fatal(err)
	}
	w := e.worker(&countingSender{inner: e.client, counts: map[string]int{}})
	ctx := context.Background()
	e.peer.FailNext(2)
	for attempt, wait := range []time.Duration{time.Minute, 2 * time.Minute} {
		if got, err := w.RunOnce(ctx); got != 1 || err != nil {
			t.Fatalf("attempt %d: handled %d, err %v", attempt+1, got, err)
		}
		r := e.rows(t)[0]
		if r.Status != domain.DMPWaiting || r.Attempts != attempt+1 || !r.NextAttemptAt.Equal(e.clock.Now().Add(wait)) ||
			!strings.Contains(r.LastError, "HTTP 503") {
			t.Fatalf("after a 503: %+v", r)
		}
		// Not due yet: nothing is claimed.
		if got, err := w.RunOnce(ctx); got != 0 || err != nil {
			t.Fatalf("before the backoff: handled %d, err %v", got, err)
		}
		e.clock.Add(wait)
	}
	if got, err := w.RunOnce(ctx); got != 1 || err != nil {
		t.Fatalf("third attempt: handled %d, err %v", got, err)
	}
	if r := e.rows(t)[0]; r.Status != domain.DMPSent || r.Attempts != 3 || r.LastError != "" {
		t.Errorf("after success: %+v", r)
	}
	if _, ok := e.peer.Document(it.UniqueID); !ok || e.peer.Count() != 1 {
		t.Error("document not at the peer")
	}
	tr := e.trail(t)
	for _, want := range []string{"tentative 1", "tentative 3", "non transmis, nouvel essai", "envoyé"} {
		if !strings.Contains(tr, want) {
			t.Errorf("trail lacks %q:\n%s", want, tr)
		}
	}
}

func TestRefusalStops(t *testing.T) {
	e := newEnv(t)
	e.qualify(t)
	if _, _, err := e.enqueue(t, e.request(cda(t, "cda_v1.xml", ""))); err != nil {
		t.Fatal(err)
	}
	e.peer.ClosePatient(patient)
	w := e.worker(&countingSender{inner: e.client, counts: map[string]int{}})
	ctx := context.Background()
	if got, err := w.RunOnce(ctx); got != 1 || err != nil {
		t.Fatalf("handled %d, err %v", got, err)
	}
	r := e.rows(t)[0]
	if r.Status != domain.DMPRefused || !strings.Contains(r.LastError, "Le DMP a refusé le document : le patient n'a pas de DMP") {
		t.Fatalf("after a refusal: %+v", r)
	}
	e.clock.Add(24 * time.Hour)
	if got, err := w.RunOnce(ctx); got != 0 || err != nil || e.peer.Requests() != 1 {
		t.Errorf("a refused row was claimed again: %d, %v, %d requests", got, err, e.peer.Requests())
	}
	if tr := e.trail(t); !strings.Contains(tr, "refusé : Le DMP a refusé") {
		t.Errorf("trail:\n%s", tr)
	}
}

// refusingSender answers as the DMP does for a person without a DMP.
type refusingSender struct{}

func (refusingSender) Provide(context.Context, xds.Actor, xds.Submission) error {
	return &xds.RefusedError{Errors: []xds.RegistryError{{Code: xds.CodeUnknownPatient, Context: "patient inconnu"}}}
}

func (refusingSender) Withdraw(context.Context, xds.Actor, xds.Withdrawal) error { return nil }

func TestCrashBetweenSendAndMark(t *testing.T) {
	e := newEnv(t)
	e.qualify(t)
	it, _, err := e.enqueue(t, e.request(cda(t, "cda_v1.xml", "")))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	crashing := &countingSender{inner: e.client, counts: map[string]int{}, crash: cancel}
	if _, err := e.worker(crashing).RunOnce(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("crashed round: err = %v", err)
	}
	if r := e.rows(t)[0]; r.Status != domain.DMPWaiting || r.Attempts != 1 {
		t.Fatalf("after the crash: %+v", r)
	}
	if e.peer.Count() != 1 {
		t.Fatal("the send before the crash did not reach the peer")
	}
	// Restart: within the lease nothing is claimed; after it the row is
	// sent again, the DMP answers duplicate, the row is marked sent.
	w := e.worker(&countingSender{inner: e.client, counts: map[string]int{}})
	if got, _ := w.RunOnce(context.Background()); got != 0 {
		t.Fatalf("claimed %d rows during the lease", got)
	}
	e.clock.Add(5*time.Minute + time.Second)
	if got, err := w.RunOnce(context.Background()); got != 1 || err != nil {
		t.Fatalf("after restart: handled %d, err %v", got, err)
	}
	if r := e.rows(t)[0]; r.Status != domain.DMPSent || r.Attempts != 2 {
		t.Errorf("after restart: %+v", r)
	}
	if e.peer.Count() != 1 || e.peer.Requests() != 2 {
		t.Errorf("peer: %d documents after %d requests, want 1 after 2", e.peer.Count(), e.peer.Requests())
	}
	if _, ok := e.peer.Document(it.UniqueID); !ok {
		t.Error("document missing")
	}
}

func TestReplaceAndWithdrawThroughOutbox(t *testing.T) {
	e := newEnv(t)
	e.qualify(t)
	w := e.worker(&countingSender{inner: e.client, counts: map[string]int{}})
	ctx := context.Background()
	if _, _, err := e.enqueue(t, e.request(cda(t, "cda_v1.xml", ""))); err != nil {
		t.Fatal(err)
	}
	if _, err := w.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	v2, _, err := e.enqueue(t, e.request(cda(t, "cda_v2.xml", "")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if old, _ := e.peer.Document("1.2.250.1.999.7.1^DOC-0001"); !old.Deprecated || old.ReplacedBy != v2.UniqueID {
		t.Fatalf("v1 not replaced: %+v", old)
	}
	var refusal *domain.DMPRefusal
	err = e.db.Records().InTenant(ctx, e.org, func(tx domain.Tx) error {
		_, _, err := outbox.EnqueueWithdrawal(tx, e.usager.ID, "1.2.250.1.999.7.1^DOC-0404", e.request(nil))
		return err
	})
	if !errors.As(err, &refusal) {
		t.Errorf("withdrawing a document never sent: %v", err)
	}
	e.inTenant(t, func(tx domain.Tx) error {
		_, _, err := outbox.EnqueueWithdrawal(tx, e.usager.ID, v2.UniqueID, e.request(nil))
		return err
	})
	if got, err := w.RunOnce(ctx); got != 1 || err != nil {
		t.Fatalf("withdrawal: handled %d, err %v", got, err)
	}
	if d, _ := e.peer.Document(v2.UniqueID); !d.Deprecated {
		t.Error("v2 still available")
	}
	if tr := e.trail(t); !strings.Contains(tr, "retiré") {
		t.Errorf("trail:\n%s", tr)
	}
}

func TestRunStopsWithContext(t *testing.T) {
	e := newEnv(t)
	w := outbox.NewWorker(e.db.Records(), e.db, refusingSender{}, outbox.Config{Source: source, Poll: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v", err)
	}
}
