package fhir_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/fhir"
	"github.com/relais-dui/relais/internal/demo"
	"github.com/relais-dui/relais/internal/testpg"
	"github.com/relais-dui/relais/server"
	"github.com/relais-dui/relais/store"
)

// transfer is the demo loaded in a test database: the EHPAD of Les
// Tilleuls exports, the FAM of Fondation Horizon imports.
type transfer struct {
	*api
	owner            *store.DB
	tilleuls, horizn uuid.UUID
	ehpad, fam       uuid.UUID
	exporter         string // token of a doctor's client of the EHPAD
	importer         string // token of a front desk's client of the FAM
}

func newTransfer(t testing.TB) *transfer {
	t.Helper()
	ctx := context.Background()
	dsn := testpg.New(t)
	owner, err := store.OpenOwner(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { owner.Close() })
	if err := demo.Load(ctx, owner, demo.DefaultPassword); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h, err := server.NewHandler(ctx, db, server.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	x := &transfer{api: &api{t: t, dsn: dsn, db: db, srv: srv}, owner: owner}
	ehpad, err := owner.EstablishmentByFINESS(ctx, demo.EHPADFINESS)
	if err != nil {
		t.Fatal(err)
	}
	fam, err := owner.EstablishmentByFINESS(ctx, demo.FAMFINESS)
	if err != nil {
		t.Fatal(err)
	}
	x.ehpad, x.tilleuls, x.fam, x.horizn = ehpad.ID, ehpad.OrgID, fam.ID, fam.OrgID
	for _, c := range []domain.APIClient{
		{ClientID: "ehpad-export", Name: "Export EHPAD", EstablishmentID: x.ehpad, Role: domain.RoleMedecin, Scopes: []domain.Scope{"system/*.read"}},
		{ClientID: "fam-import", Name: "Import FAM", EstablishmentID: x.fam, Role: domain.RoleSecretariat, Scopes: []domain.Scope{"system/*.write", "system/*.read"}},
		{ClientID: "fam-lecture", Name: "Lecture FAM", EstablishmentID: x.fam, Role: domain.RoleSecretariat, Scopes: []domain.Scope{"system/*.read"}},
	} {
		if _, err := access.RegisterClient(ctx, owner, ehpadOr(c, x), &c, "test", secret); err != nil {
			t.Fatal(err)
		}
	}
	x.exporter, x.importer = x.bearer("ehpad-export"), x.bearer("fam-import")
	return x
}

func ehpadOr(c domain.APIClient, x *transfer) uuid.UUID {
	if c.EstablishmentID == x.ehpad {
		return x.tilleuls
	}
	return x.horizn
}

// person picks a resident of the EHPAD whose record has a plan, an
// entourage and an allergy (the richest the demo has), not yet used.
func (x *transfer) person(skip ...uuid.UUID) uuid.UUID {
	x.t.Helper()
	var ids []uuid.UUID
	err := x.owner.SQL().QueryRow(`SELECT coalesce(array_to_json(array_agg(id ORDER BY score DESC, id))::text, '[]') FROM (
		SELECT u.id, (SELECT count(*) FROM stays s WHERE s.usager_id = u.id) * 100 + (SELECT count(*) FROM plans p WHERE p.usager_id = u.id) * 10
		  + (SELECT count(*) FROM medical_items m WHERE m.usager_id = u.id AND m.kind IN ('allergie','intolerance'))
		  + least((SELECT count(*) FROM liaison_notes l WHERE l.usager_id = u.id), 1) * 1000
		  + least((SELECT count(*) FROM documents d WHERE d.usager_id = u.id AND d.section <> 'educational'), 1) * 1000
		  + least((SELECT count(*) FROM events e WHERE e.usager_id = u.id AND e.section <> 'educational'), 1) * 1000 AS score
		FROM usagers u WHERE u.merged_into IS NULL
		  AND EXISTS (SELECT 1 FROM stays s WHERE s.usager_id = u.id AND s.establishment_id = $1 AND s.status = 'admitted')
		  AND EXISTS (SELECT 1 FROM plans p WHERE p.usager_id = u.id)
		  AND EXISTS (SELECT 1 FROM contacts c WHERE c.usager_id = u.id)) x`, x.ehpad).Scan(jsonScan(&ids))
	if err != nil {
		x.t.Fatal(err)
	}
	for _, id := range ids {
		if !slices.Contains(skip, id) {
			return id
		}
	}
	x.t.Fatal("no demo resident with a plan and an entourage")
	return uuid.Nil
}

// jsonScan scans a JSON column into v.
type jsonScanner struct{ v any }

func (j jsonScanner) Scan(src any) error {
	var b []byte
	switch s := src.(type) {
	case string:
		b = []byte(s)
	case []byte:
		b = s
	}
	return json.Unmarshal(b, j.v)
}

func jsonScan(v any) jsonScanner { return jsonScanner{v} }

func (x *transfer) export(id uuid.UUID) []byte {
	x.t.Helper()
	code, body := x.do(http.MethodGet, x.exporter, "/fhir/Patient/"+id.String()+"/$export-dui", nil)
	if code != http.StatusOK {
		x.t.Fatalf("export: %d %s", code, body)
	}
	return body
}

// do calls the API and checks the answer against the official FHIR schema.
func (x *transfer) do(method, token, path string, body []byte) (int, []byte) {
	x.t.Helper()
	code, b := x.raw(method, token, path, body)
	if err := fhir.ValidateFHIR(b); err != nil {
		x.t.Errorf("%s %s answered invalid FHIR: %v", method, path, err)
	}
	return code, b
}

// raw calls the API.
func (x *transfer) raw(method, token, path string, body []byte) (int, []byte) {
	x.t.Helper()
	req, _ := http.NewRequest(method, x.srv.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/fhir+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		x.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// counts are the sizes of the tables an import writes, in one organisation.
func (x *transfer) counts(org uuid.UUID) map[string]int {
	x.t.Helper()
	out := map[string]int{}
	for _, table := range []string{"usagers", "stays", "record_notes", "contacts", "plans", "plan_goals", "plan_expectations",
		"plan_reviews", "medical_items", "identity_events", "transfer_links", "observations", "events", "documents", "liaison_notes"} {
		var n int
		if err := x.owner.SQL().QueryRow(`SELECT count(*) FROM `+table+` WHERE org_id = $1`, org).Scan(&n); err != nil {
			x.t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

type responseBundle struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Entry        []struct {
		Response struct {
			Status   string `json:"status"`
			Location string `json:"location"`
		} `json:"response"`
	} `json:"entry"`
}

func (x *transfer) importBundle(bundle []byte) (responseBundle, uuid.UUID) {
	x.t.Helper()
	code, body := x.do(http.MethodPost, x.importer, "/fhir", bundle)
	if code != http.StatusOK {
		x.t.Fatalf("import: %d %s", code, body)
	}
	var r responseBundle
	if err := json.Unmarshal(body, &r); err != nil {
		x.t.Fatal(err)
	}
	if r.Type != "transaction-response" {
		x.t.Fatalf("import answered %s", body)
	}
	var patient uuid.UUID
	for _, e := range r.Entry {
		if id, ok := strings.CutPrefix(e.Response.Location, "Patient/"); ok {
			patient = uuid.MustParse(id)
		}
	}
	if patient == uuid.Nil {
		x.t.Fatalf("no Patient location in %s", body)
	}
	return r, patient
}

// record reads what the comparison needs of a person in an organisation.
type record struct {
	usager    domain.Usager
	stays     []domain.Stay
	estabs    map[uuid.UUID]domain.Establishment
	notes     []domain.Note
	contacts  []domain.Contact
	plans     []domain.Plan
	allergies []domain.MedicalItem
	identity  []domain.IdentityRecord
	journal   []domain.Note // every section
	events    []domain.Event
	obs       []domain.Observation
	docs      []domain.Document // with their files
}

func (x *transfer) record(org, id uuid.UUID) record {
	x.t.Helper()
	var r record
	err := x.db.InTenant(context.Background(), org, func(tx *store.Tx) error {
		var err error
		if r.usager, err = tx.Usager(id); err != nil {
			return err
		}
		if r.stays, err = tx.Stays(id); err != nil {
			return err
		}
		r.estabs = map[uuid.UUID]domain.Establishment{}
		for _, s := range r.stays {
			if r.estabs[s.EstablishmentID], err = tx.Establishment(s.EstablishmentID); err != nil {
				return err
			}
		}
		if r.notes, err = tx.Notes(id, domain.SectionAdmin); err != nil {
			return err
		}
		if r.contacts, err = tx.Contacts(id); err != nil {
			return err
		}
		if r.plans, err = tx.Plans(id); err != nil {
			return err
		}
		if r.allergies, err = tx.Allergies(id); err != nil {
			return err
		}
		if r.identity, err = tx.IdentityHistory(id); err != nil {
			return err
		}
		for _, sec := range domain.RecordSections {
			notes, err := tx.Notes(id, sec)
			if err != nil {
				return err
			}
			r.journal = append(r.journal, notes...)
			docs, err := tx.Documents(id, sec, true)
			if err != nil {
				return err
			}
			for _, d := range docs {
				if d.Content, err = tx.DocumentContent(d.ID); err != nil {
					return err
				}
				r.docs = append(r.docs, d)
			}
		}
		if r.events, err = tx.UsagerEvents(id, time.Time{}, time.Time{}); err != nil {
			return err
		}
		r.obs, err = tx.Observations(domain.ObservationQuery{UsagerID: id})
		return err
	})
	if err != nil {
		x.t.Fatal(err)
	}
	slices.SortFunc(r.plans, func(a, b domain.Plan) int { return a.Version - b.Version })
	return r
}

func TestTDDUIExportImport(t *testing.T) {
	x := newTransfer(t)
	source := x.person()
	bundle := x.export(source)
	var b struct {
		ResourceType, Type string
		Entry              []struct {
			FullUrl  string
			Resource map[string]any
			Request  struct{ Method, Url, IfNoneExist string }
		}
	}
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	if b.ResourceType != "Bundle" || b.Type != "transaction" || len(b.Entry) < 5 {
		t.Fatalf("export is not a TDDUI transaction: %s", bundle)
	}
	// Every reference inside the bundle uses a fullUrl of the bundle.
	urls := map[string]bool{}
	for _, e := range b.Entry {
		urls[e.FullUrl] = true
		conditional := strings.HasPrefix(e.Request.IfNoneExist, "identifier=") || e.Request.Url == "Binary" // Binary has no identifier
		if !strings.HasPrefix(e.FullUrl, "urn:uuid:") || e.Request.Method != "POST" || !conditional {
			t.Errorf("entry %s: fullUrl, request or ifNoneExist missing: %+v", e.FullUrl, e.Request)
		}
	}
	for _, ref := range regexpAll(`"reference":"([^"]+)"`, bundle) {
		if !urls[ref] {
			t.Errorf("reference %s does not resolve inside the bundle", ref)
		}
	}
	before := x.counts(x.horizn)
	if testing.Verbose() {
		t.Logf("bundle: %s", bundle)
	}
	resp, imported := x.importBundle(bundle)
	if testing.Verbose() {
		t.Logf("response: %+v", resp)
	}
	if len(resp.Entry) != len(b.Entry) {
		t.Fatalf("%d response entries for %d entries", len(resp.Entry), len(b.Entry))
	}
	after := x.counts(x.horizn)
	if after["usagers"] != before["usagers"]+1 {
		t.Errorf("usagers %d → %d: one new person expected", before["usagers"], after["usagers"])
	}

	src, dst := x.record(x.tilleuls, source), x.record(x.horizn, imported)
	t.Run("identity", func(t *testing.T) {
		if dst.usager.BirthName != src.usager.BirthName || !slices.Equal(dst.usager.FirstNames, src.usager.FirstNames) ||
			!dst.usager.BirthDate.Equal(src.usager.BirthDate) || dst.usager.Sex != src.usager.Sex || dst.usager.BirthPlaceCode != src.usager.BirthPlaceCode ||
			dst.usager.UsedName != src.usager.UsedName || dst.usager.Address != src.usager.Address || dst.usager.City != src.usager.City {
			t.Errorf("traits differ:\n%+v\n%+v", src.usager, dst.usager)
		}
		if dst.usager.IdentityStatus != domain.IdentityPROV {
			t.Errorf("imported identity %s, want PROV", dst.usager.IdentityStatus)
		}
		if len(dst.identity) == 0 || dst.identity[0].Kind != domain.EventTransferImported || len(dst.identity[0].Warnings) == 0 {
			t.Errorf("the identity is not flagged for identitovigilance: %+v", dst.identity)
		}
	})
	t.Run("stays", func(t *testing.T) {
		var here []domain.Stay
		for _, s := range dst.stays {
			if s.EstablishmentID == x.fam {
				here = append(here, s)
			}
		}
		if len(here) != 1 || here[0].Status != domain.StayPreadmission {
			t.Errorf("want one pre-admission in the FAM, got %+v", dst.stays)
		}
		for _, s := range src.stays {
			e := src.estabs[s.EstablishmentID]
			want := []string{e.Name, e.FinessET, s.Mode.Label(), s.Status.Label()}
			if !s.AdmissionDate.IsZero() {
				want = append(want, "du "+domain.FrenchDate(s.AdmissionDate))
			} else if !s.PlannedEntry.IsZero() {
				want = append(want, "du "+domain.FrenchDate(s.PlannedEntry))
			}
			if !s.DischargeDate.IsZero() {
				want = append(want, "au "+domain.FrenchDate(s.DischargeDate), s.DischargeReason)
			}
			found := false
			for _, n := range dst.notes {
				ok := strings.HasPrefix(n.Body, "Séjour antérieur")
				for _, w := range want {
					ok = ok && strings.Contains(n.Body, w)
				}
				found = found || ok
			}
			if !found {
				t.Errorf("no history note for the stay %+v (want %q) in %+v", s, want, dst.notes)
			}
		}
	})
	t.Run("entourage", func(t *testing.T) {
		if len(dst.contacts) != len(src.contacts) {
			t.Fatalf("%d contacts, want %d", len(dst.contacts), len(src.contacts))
		}
		for _, s := range src.contacts {
			i := slices.IndexFunc(dst.contacts, func(d domain.Contact) bool {
				return strings.EqualFold(d.LastName, s.LastName) && d.FirstName == s.FirstName && d.Relationship == s.Relationship &&
					slices.Equal(d.Roles, s.Roles) && d.Phone == s.Phone && d.Email == s.Email && d.Address == s.Address
			})
			if i < 0 {
				t.Errorf("contact %+v not imported as is: %+v", s, dst.contacts)
			}
		}
	})
	t.Run("plan and goals", func(t *testing.T) {
		if len(dst.plans) != len(src.plans) || len(src.plans) == 0 {
			t.Fatalf("%d plan versions, want %d", len(dst.plans), len(src.plans))
		}
		for i, s := range src.plans {
			d := dst.plans[i]
			want := domain.PlanEnPreparation
			if s.Status == domain.PlanTermine {
				want = domain.PlanTermine
			}
			if d.Status != want || d.EstablishmentID != x.fam || !d.StartedOn.Equal(s.StartedOn) || !d.EndedOn.Equal(s.EndedOn) {
				t.Errorf("version %d: %s %v–%v in %s, want %s %v–%v in the FAM", s.Version, d.Status, d.StartedOn, d.EndedOn, d.EstablishmentID, want, s.StartedOn, s.EndedOn)
			}
			if (i == 0) != (d.PreviousID == uuid.Nil) || (i > 0 && d.PreviousID != dst.plans[i-1].ID) {
				t.Errorf("version %d does not follow the previous one", d.Version)
			}
			if len(d.Expectations) != len(s.Expectations) {
				t.Errorf("version %d: %d expectations, want %d", s.Version, len(d.Expectations), len(s.Expectations))
			}
			for j, e := range s.Expectations {
				if j < len(d.Expectations) && (d.Expectations[j].Origin != e.Origin || d.Expectations[j].Text != e.Text) {
					t.Errorf("expectation %+v became %+v", e, d.Expectations[j])
				}
			}
			if len(d.Goals) != len(s.Goals) {
				t.Fatalf("version %d: %d goals, want %d", s.Version, len(d.Goals), len(s.Goals))
			}
			for j, g := range s.Goals {
				h := d.Goals[j]
				if h.Domain != g.Domain || h.Title != g.Title || h.PersonOpinion != g.PersonOpinion || h.ExpectedResult != g.ExpectedResult ||
					!h.Start.Equal(g.Start) || !h.End.Equal(g.End) || h.Status != g.Status {
					t.Errorf("goal\n%+v\nbecame\n%+v", g, h)
				}
			}
			if len(d.Reviews) != len(s.Reviews) {
				t.Fatalf("version %d: %d reviews, want %d", s.Version, len(d.Reviews), len(s.Reviews))
			}
			for j, r := range s.Reviews {
				h := d.Reviews[j]
				if !h.Date.Equal(r.Date) || h.Synthesis != r.Synthesis || len(h.Evaluations) != len(r.Evaluations) {
					t.Errorf("review %+v became %+v", r, h)
				}
			}
		}
	})
	t.Run("allergies", func(t *testing.T) {
		if len(dst.allergies) != len(src.allergies) {
			t.Fatalf("%d allergies, want %d", len(dst.allergies), len(src.allergies))
		}
		for _, s := range src.allergies {
			i := slices.IndexFunc(dst.allergies, func(d domain.MedicalItem) bool {
				return d.Kind == s.Kind && d.Label == s.Label && d.Criticality == s.Criticality && d.Reaction == s.Reaction &&
					d.Onset.Equal(s.Onset) && d.Status == s.Status && d.Note == s.Note && d.AuthorName == s.AuthorName && d.RecordedAt.Equal(s.RecordedAt.Truncate(time.Second))
			})
			if i < 0 {
				t.Errorf("allergy %+v not imported as is: %+v", s, dst.allergies)
			}
		}
	})

	// What the exporting doctor may read: every section but the educational one.
	readable := func(sec domain.Section) bool { return sec != domain.SectionEducational }
	t.Run("liaison notes", func(t *testing.T) {
		n := 0
		for _, e := range b.Entry {
			if e.Request.Url != "Communication" {
				continue
			}
			n++
			text := e.Resource["payload"].([]any)[0].(map[string]any)["contentString"].(string)
			sec := e.Resource["category"].([]any)[0].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"].(string)
			sent, _ := time.Parse(time.RFC3339, e.Resource["sent"].(string))
			if !slices.ContainsFunc(dst.journal, func(j domain.Note) bool {
				return string(j.Section) == sec && strings.HasSuffix(j.Body, "\n"+text) && j.WrittenAt.Equal(sent)
			}) {
				t.Errorf("liaison note %q (%s) not in the journal of its section", text, sec)
			}
		}
		if n == 0 {
			t.Error("the demo person has no liaison note: the test proves nothing")
		}
	})
	t.Run("events", func(t *testing.T) {
		var want []domain.Event
		for _, e := range src.events {
			if readable(e.Section) {
				want = append(want, e)
			}
		}
		if len(want) == 0 || len(dst.events) != len(want) {
			t.Fatalf("%d events imported, want %d", len(dst.events), len(want))
		}
		for _, e := range want {
			if !slices.ContainsFunc(dst.events, func(d domain.Event) bool {
				return d.Section == e.Section && d.Type == e.Type && d.Title == e.Title && d.Start.Equal(e.Start) && d.End.Equal(e.End) &&
					d.Status == e.Status && d.Place == e.Place && d.Reason == e.Reason
			}) {
				t.Errorf("event %+v not imported as is", e)
			}
		}
	})
	t.Run("observations", func(t *testing.T) {
		if len(src.obs) == 0 || len(dst.obs) != len(src.obs) {
			t.Fatalf("%d observations imported, want %d", len(dst.obs), len(src.obs))
		}
		for _, o := range src.obs {
			if !slices.ContainsFunc(dst.obs, func(d domain.Observation) bool {
				return d.Type == o.Type && d.Value == o.Value && d.Value2 == o.Value2 && d.MeasuredAt.Equal(o.MeasuredAt) && d.Flagged == o.Flagged && d.Comment == o.Comment
			}) {
				t.Errorf("observation %+v not imported as is", o)
			}
		}
	})
	t.Run("documents", func(t *testing.T) {
		var want []domain.Document
		for _, d := range src.docs {
			if readable(d.Section) {
				want = append(want, d)
			}
		}
		if len(want) == 0 || len(dst.docs) != len(want) {
			t.Fatalf("%d documents imported, want %d", len(dst.docs), len(want))
		}
		for _, d := range want {
			if !slices.ContainsFunc(dst.docs, func(g domain.Document) bool {
				return g.Section == d.Section && g.Kind == d.Kind && g.Title == d.Title && g.Confidentiality == d.Confidentiality &&
					g.ContentType == d.ContentType && bytes.Equal(g.Content, d.Content) && bytes.Equal(g.SHA256, d.SHA256) && g.UploadedAt.Equal(d.UploadedAt)
			}) {
				t.Errorf("document %q (%s) not imported as is", d.Title, d.Section)
			}
		}
	})

	t.Run("second import creates nothing", func(t *testing.T) {
		resp, again := x.importBundle(bundle)
		if again != imported {
			t.Errorf("second import gave person %s, want %s", again, imported)
		}
		if got := x.counts(x.horizn); !mapsEqual(got, after) {
			t.Errorf("counts changed:\n%v\n%v", after, got)
		}
		for i, e := range resp.Entry {
			if e.Response.Status != "200 OK" {
				t.Errorf("entry %d: %s on a second import", i, e.Response.Status)
			}
		}
	})
	t.Run("the export is in the trail", func(t *testing.T) {
		n := 0
		if err := x.owner.SQL().QueryRow(`SELECT count(*) FROM access_trail WHERE usager_id = $1 AND action = 'export' AND detail LIKE '%export TDDUI%'`, source).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Error("no export in the trail")
		}
	})
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func regexpAll(pattern string, b []byte) []string {
	var out []string
	for _, m := range regexpMust(pattern).FindAllSubmatch(b, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

func regexpMust(p string) *regexp.Regexp { return regexp.MustCompile(p) }

// setEntry replaces the resource of entry i of a bundle.
func setEntry(t *testing.T, bundle []byte, i int, resource string) []byte {
	t.Helper()
	var b map[string]any
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	var r any
	if err := json.Unmarshal([]byte(resource), &r); err != nil {
		t.Fatal(err)
	}
	b["entry"].([]any)[i].(map[string]any)["resource"] = r
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTDDUIImportAllOrNothing: an error in the fifth entry, found before
// or after the person is written, stores nothing and names the entry.
func TestTDDUIImportAllOrNothing(t *testing.T) {
	x := newTransfer(t)
	bundle := x.export(x.person())
	var head struct{ Entry []struct{ FullUrl string } }
	if err := json.Unmarshal(bundle, &head); err != nil {
		t.Fatal(err)
	}
	patientRef := head.Entry[0].FullUrl
	tests := []struct {
		name     string
		resource string
		code     int
		expr     string
	}{
		{"unknown element", `{"resourceType":"RelatedPerson","patient":{"reference":"` + patientRef + `"},"nom":"Martin"}`,
			400, "Bundle.entry[4].resource.nom"},
		{"invalid name, found after the person is written", `{"resourceType":"RelatedPerson","patient":{"reference":"` + patientRef + `"},"name":[{"family":"M4rtin"}]}`,
			422, "Bundle.entry[4].resource.name[0].family"},
		{"reference outside the bundle", `{"resourceType":"AllergyIntolerance","patient":{"reference":"Patient/autre"},"code":{"text":"Arachide"}}`,
			422, "Bundle.entry[4].resource.patient"},
		{"goal without a domain", `{"resourceType":"Goal","lifecycleStatus":"active","subject":{"reference":"` + patientRef + `"},"description":{"text":"Marcher"}}`,
			422, "Bundle.entry[4].resource.category"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := x.counts(x.horizn)
			code, body := x.do(http.MethodPost, x.importer, "/fhir", setEntry(t, bundle, 4, tt.resource))
			if code != tt.code {
				t.Fatalf("status %d, want %d: %s", code, tt.code, body)
			}
			var out map[string]any
			if err := json.Unmarshal(body, &out); err != nil {
				t.Fatal(err)
			}
			d, expr := diagnostics(t, out)
			if expr != tt.expr || !strings.Contains(d, "Entrée 4") || !strings.Contains(d, "Rien n'a été importé") {
				t.Errorf("outcome %q at %q, want the entry named at %q", d, expr, tt.expr)
			}
			if got := x.counts(x.horizn); !mapsEqual(got, before) {
				t.Errorf("something was stored:\n%v\n%v", before, got)
			}
		})
	}
	t.Run("not a transaction", func(t *testing.T) {
		code, body := x.do(http.MethodPost, x.importer, "/fhir", []byte(`{"resourceType":"Bundle","type":"collection","entry":[]}`))
		if code != http.StatusBadRequest || !strings.Contains(string(body), "Bundle.type") {
			t.Errorf("%d %s", code, body)
		}
	})
	t.Run("routes beside the transfer", func(t *testing.T) {
		person := x.person()
		for _, tt := range []struct {
			method, token, path string
			code                int
		}{
			{http.MethodGet, x.exporter, "/fhir/Patient/" + person.String() + "/$autre", http.StatusNotFound},
			{http.MethodGet, x.exporter, "/fhir", http.StatusNotFound},
			{http.MethodPost, "", "/fhir", http.StatusUnauthorized},
			{http.MethodGet, x.bearer("fam-lecture"), "/fhir/Patient/" + person.String() + "/$export-dui", http.StatusNotFound}, // another organisation
			{http.MethodGet, x.exporter, "/fhir/Patient/" + person.String(), http.StatusOK},
		} {
			code, body := x.do(tt.method, tt.token, tt.path, nil)
			if code != tt.code || !strings.Contains(string(body), `"resourceType"`) {
				t.Errorf("%s %s: %d, want %d with a FHIR body: %s", tt.method, tt.path, code, tt.code, body)
			}
		}
	})
	t.Run("a look-alike record goes to identitovigilance", func(t *testing.T) {
		// The FAM has a provisional record with the same traits: no INS to
		// match on, so a new provisional identity is created and the pair is
		// proposed on the identitovigilance screen.
		src := x.record(x.tilleuls, x.person())
		twin := src.usager
		twin.ID, twin.OrgID = uuid.Nil, uuid.Nil
		err := x.db.InTenant(context.Background(), x.horizn, func(tx *store.Tx) error {
			return tx.CreateUsager(&twin, &domain.Stay{EstablishmentID: x.fam, Status: domain.StayPreadmission, Mode: domain.ModePermanent})
		})
		if err != nil {
			t.Fatal(err)
		}
		_, got := x.importBundle(bundle)
		if got == twin.ID {
			t.Fatal("a provisional identity was matched without INS")
		}
		var pairs []domain.DuplicatePair
		err = x.db.InTenant(context.Background(), x.horizn, func(tx *store.Tx) error {
			pairs, err = tx.DuplicatePairs(50)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(pairs, func(p domain.DuplicatePair) bool {
			return (p.A.ID == got && p.B.ID == twin.ID) || (p.A.ID == twin.ID && p.B.ID == got)
		}) {
			t.Errorf("the imported record and its look-alike are not proposed: %+v", pairs)
		}
	})
	t.Run("write scope required", func(t *testing.T) {
		code, body := x.do(http.MethodPost, x.bearer("fam-lecture"), "/fhir", bundle)
		if code != http.StatusForbidden || !strings.Contains(string(body), "system/Patient.write") {
			t.Errorf("%d %s", code, body)
		}
	})
}

// TestTDDUIImportMatchesQualifiedINS: a person whose qualified identity the
// receiving organisation already holds is found by INS, not created again.
func TestTDDUIImportMatchesQualifiedINS(t *testing.T) {
	x := newTransfer(t)
	source := x.person()
	const qual = `UPDATE usagers SET identity_status = 'QUAL', ins_number = '297022A020778', ins_key = '78',
		ins_oid = '1.2.250.1.213.1.4.8', ins_retrieved_at = now(), document_type = 'CNI', document_checked_at = now() WHERE id = $1`
	if _, err := x.owner.SQL().Exec(qual, source); err != nil {
		t.Fatal(err)
	}
	// The FAM knows the person already, qualified, under a used name.
	src := x.record(x.tilleuls, source)
	known := src.usager
	known.ID, known.OrgID, known.UsedName = uuid.Nil, uuid.Nil, "Autre"
	err := x.db.InTenant(context.Background(), x.horizn, func(tx *store.Tx) error {
		return tx.CreateUsager(&known, &domain.Stay{EstablishmentID: x.fam, Status: domain.StayAdmitted, Mode: domain.ModePermanent,
			AdmissionDate: time.Date(2020, 3, 2, 0, 0, 0, 0, time.UTC)})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.owner.SQL().Exec(qual, known.ID); err != nil {
		t.Fatal(err)
	}
	before := x.counts(x.horizn)
	_, got := x.importBundle(x.export(source))
	if got != known.ID {
		t.Fatalf("imported into %s, want the known person %s", got, known.ID)
	}
	after := x.counts(x.horizn)
	if after["usagers"] != before["usagers"] || after["stays"] != before["stays"] {
		t.Errorf("a person or a stay was created: %v → %v", before, after)
	}
	if after["contacts"] <= before["contacts"] || after["plans"] <= before["plans"] {
		t.Errorf("the record was not completed: %v → %v", before, after)
	}
	if r := x.record(x.horizn, got); r.usager.UsedName != "Autre" || r.usager.IdentityStatus != domain.IdentityQUAL {
		t.Errorf("the known identity changed: %+v", r.usager)
	}
}

// BenchmarkTDDUI measures the export of the demo's richest EHPAD record
// and a second import of it into the FAM (every entry found by its link,
// nothing written), one request at a time, answers not schema-checked.
//
//	go test ./fhir -run '^$' -bench TDDUI -benchtime 20x
func BenchmarkTDDUI(b *testing.B) {
	x := newTransfer(b)
	person := x.person()
	bundle := x.export(person)
	x.importBundle(bundle)
	var entries struct{ Entry []json.RawMessage }
	if err := json.Unmarshal(bundle, &entries); err != nil {
		b.Fatal(err)
	}
	path := "/fhir/Patient/" + person.String() + "/$export-dui"
	b.Run("export", func(b *testing.B) {
		for b.Loop() {
			if code, body := x.raw(http.MethodGet, x.exporter, path, nil); code != http.StatusOK {
				b.Fatalf("%d %s", code, body)
			}
		}
		b.ReportMetric(float64(len(entries.Entry)), "entries")
		b.ReportMetric(float64(len(bundle))/1024, "KiB")
	})
	b.Run("reimport", func(b *testing.B) {
		for b.Loop() {
			if code, body := x.raw(http.MethodPost, x.importer, "/fhir", bundle); code != http.StatusOK {
				b.Fatalf("%d %s", code, body)
			}
		}
		b.ReportMetric(float64(len(entries.Entry)), "entries")
	})
}
