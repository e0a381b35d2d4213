package fhir_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// coord is the API fixture with professionals, liaison notes, events and
// consents in establishments A and B.
type coord struct {
	*api
	doctor, nurse, bOnly                uuid.UUID // accounts: doctor and nurse in A, the last in B only
	noteCare, noteMedical, noteB, reply uuid.UUID
	eventCare, eventAdmin, eventB       uuid.UUID
	consentA, consentB                  uuid.UUID
}

const (
	doctorRPPS  = "10003080008"
	outsideRPPS = "10001234565" // a GP without an account, named in a prescription
)

func newCoord(t *testing.T) *coord {
	t.Helper()
	c := &coord{api: newAPI(t)}
	err := c.db.InTenant(context.Background(), c.org, func(tx *store.Tx) error {
		for _, u := range []struct {
			id    *uuid.UUID
			login string
			name  string
			estab uuid.UUID
			role  domain.Role
		}{{&c.doctor, "a.lemoine", "Dr Anne Lemoine", c.estA, domain.RoleMedecin}, {&c.nurse, "k.benali", "Karima Benali", c.estA, domain.RoleInfirmier},
			{&c.bOnly, "p.roux", "Paul Roux", c.estB, domain.RoleInfirmier}} {
			usr := domain.User{Username: u.login, DisplayName: u.name, Active: true}
			if err := tx.CreateUser(&usr, "x"); err != nil {
				return err
			}
			if err := tx.AddMembership(domain.Membership{UserID: usr.ID, EstablishmentID: u.estab, Role: u.role}); err != nil {
				return err
			}
			*u.id = usr.ID
		}
		if err := tx.SetProfessional(c.doctor, doctorRPPS, domain.ProfessionMedecin); err != nil {
			return err
		}
		at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
		for _, n := range []struct {
			id     *uuid.UUID
			estab  uuid.UUID
			usager uuid.UUID
			sec    domain.Section
			at     time.Time
		}{{&c.noteCare, c.estA, c.inA, domain.SectionCare, at}, {&c.noteMedical, c.estA, c.inA, domain.SectionMedical, at.AddDate(0, 0, 10)},
			{&c.noteB, c.estB, c.inB, domain.SectionCare, at}} {
			note := domain.LiaisonNote{EstablishmentID: n.estab, UsagerID: n.usager, Section: n.sec, Priority: domain.PriorityNormale,
				Body: "Note " + string(n.sec), AuthorID: c.nurse, AuthorName: "Karima Benali", CreatedAt: n.at, Roles: []domain.Role{domain.RoleInfirmier}}
			if err := tx.SaveLiaisonNote(&note); err != nil {
				return err
			}
			*n.id = note.ID
		}
		reply := domain.LiaisonNote{ParentID: c.noteCare, Body: "Vu.", AuthorID: c.doctor, AuthorName: "Dr Anne Lemoine", CreatedAt: at.Add(time.Hour), Priority: domain.PriorityNormale}
		if err := tx.SaveLiaisonNote(&reply); err != nil {
			return err
		}
		c.reply = reply.ID
		for _, e := range []struct {
			id     *uuid.UUID
			usager uuid.UUID
			sec    domain.Section
			start  time.Time
		}{{&c.eventCare, c.inA, domain.SectionCare, time.Date(2026, 3, 10, 13, 30, 0, 0, time.UTC)},
			{&c.eventAdmin, c.inA, domain.SectionAdmin, time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)},
			{&c.eventB, c.inB, domain.SectionAdmin, time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)}} {
			ev := domain.Event{UsagerID: e.usager, Section: e.sec, Type: domain.EventAppointment, Title: "Rendez-vous " + string(e.sec), Start: e.start,
				Status: domain.EventValidated, AuthorID: c.nurse, AuthorName: "Karima Benali", ProfessionalID: c.doctor}
			if err := tx.SaveEvent(&ev); err != nil {
				return err
			}
			*e.id = ev.ID
		}
		// Prescriptions: by an outside GP in A, by the doctor's account, by
		// another GP in B.
		for _, rx := range []struct {
			usager, estab uuid.UUID
			name, rpps    string
		}{{c.inA, c.estA, "Dr Paul Généraliste", outsideRPPS}, {c.inA, c.estA, "Dr Anne Lemoine", doctorRPPS}, {c.inB, c.estB, "Dr Rémi Voisin", "10006543218"}} {
			p := domain.Prescription{UsagerID: rx.usager, EstablishmentID: rx.estab, Drug: "Paracétamol 500 mg", Unit: "comprimé", Route: domain.RouteOral,
				AsNeeded: true, Condition: "douleur", Dose: 1, MaxPer24h: 3, Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Prescriber: rx.name, RPPS: rx.rpps,
				OrderDate: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), CreatedAt: at, CreatedBy: c.nurse, CreatedName: "Karima Benali"}
			if err := tx.SavePrescription(&p); err != nil {
				return err
			}
		}
		for _, cs := range []struct {
			id     *uuid.UUID
			usager uuid.UUID
		}{{&c.consentA, c.inA}, {&c.consentB, c.inB}} {
			k := domain.Consent{UsagerID: cs.usager, Scope: domain.ConsentDMP, Granted: true, GivenOn: at, GivenBy: "usager", RecordedBy: c.nurse}
			if err := tx.SaveConsent(&k); err != nil {
				return err
			}
			*cs.id = k.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c.client("hopital", domain.RoleMedecin, "system/*.*")
	c.client("educ", domain.RoleEducateur, "system/*.*")
	c.client("labo", domain.RoleMedecin, "system/Patient.read")
	// The trail is read by the roles that read it in the UI (direction).
	c.client("direction", domain.RoleDirecteur, "system/*.read")
	return c
}

// ids of a searchset's entries.
func entryIDs(t *testing.T, b map[string]any) []string {
	t.Helper()
	if b["resourceType"] != "Bundle" || b["type"] != "searchset" {
		t.Fatalf("not a searchset: %v", b)
	}
	var out []string
	for _, e := range asSlice(b["entry"]) {
		out = append(out, e.(map[string]any)["resource"].(map[string]any)["id"].(string))
	}
	return out
}

// TestCoordinationRead: each coordination resource read by id, invisible
// outside the client's establishment, gated by scope and section.
func TestCoordinationRead(t *testing.T) {
	c := newCoord(t)
	tok, educ, labo := c.bearer("hopital"), c.bearer("educ"), c.bearer("labo")
	var roleA string
	{
		_, b := c.get(tok, "/fhir/PractitionerRole?practitioner="+c.doctor.String())
		ids := entryIDs(t, b)
		if len(ids) != 1 {
			t.Fatalf("roles of the doctor: %v", ids)
		}
		roleA = ids[0]
	}
	for _, tc := range []struct {
		name, token, path string
		code              int
		check             func(map[string]any) bool
	}{
		{"liaison note", tok, "/fhir/Communication/" + c.noteCare.String(), 200, func(r map[string]any) bool {
			return r["subject"].(map[string]any)["reference"] == "Patient/"+c.inA.String() &&
				r["payload"].([]any)[0].(map[string]any)["contentString"] == "Note care"
		}},
		{"reply", tok, "/fhir/Communication/" + c.reply.String(), 200, func(r map[string]any) bool {
			return r["inResponseTo"].([]any)[0].(map[string]any)["reference"] == "Communication/"+c.noteCare.String()
		}},
		{"liaison note of B", tok, "/fhir/Communication/" + c.noteB.String(), 404, nil},
		{"medical note for an educator", educ, "/fhir/Communication/" + c.noteMedical.String(), 403, nil},
		{"communication without scope", labo, "/fhir/Communication/" + c.noteCare.String(), 403, nil},
		{"event", tok, "/fhir/Appointment/" + c.eventCare.String(), 200, func(r map[string]any) bool {
			return r["status"] == "booked" && r["start"] == "2026-03-10T13:30:00Z" && len(r["participant"].([]any)) == 2
		}},
		{"event of B", tok, "/fhir/Appointment/" + c.eventB.String(), 404, nil},
		{"care event for an educator", educ, "/fhir/Appointment/" + c.eventCare.String(), 403, nil},
		{"appointment without scope", labo, "/fhir/Appointment/" + c.eventCare.String(), 403, nil},
		{"unknown event", tok, "/fhir/Appointment/" + uuid.NewString(), 404, nil},
		{"consent", tok, "/fhir/Consent/" + c.consentA.String(), 200, func(r map[string]any) bool {
			return r["provision"].(map[string]any)["type"] == "permit" && r["patient"].(map[string]any)["reference"] == "Patient/"+c.inA.String()
		}},
		{"consent of B", tok, "/fhir/Consent/" + c.consentB.String(), 404, nil},
		{"consent without scope", labo, "/fhir/Consent/" + c.consentA.String(), 403, nil},
		{"practitioner", tok, "/fhir/Practitioner/" + c.doctor.String(), 200, func(r map[string]any) bool {
			id := r["identifier"].([]any)[0].(map[string]any)
			return id["system"] == "urn:oid:1.2.250.1.71.4.2.1" && id["value"] == "8"+doctorRPPS && r["name"].([]any)[0].(map[string]any)["text"] == "Dr Anne Lemoine"
		}},
		{"practitioner without RPPS", tok, "/fhir/Practitioner/" + c.nurse.String(), 200, func(r map[string]any) bool { return r["identifier"] == nil }},
		{"outside prescriber", tok, "/fhir/Practitioner/" + domain.PrescriberID(outsideRPPS).String(), 200, func(r map[string]any) bool {
			return r["identifier"].([]any)[1].(map[string]any)["value"] == outsideRPPS && r["name"].([]any)[0].(map[string]any)["text"] == "Dr Paul Généraliste"
		}},
		{"prescriber of B", tok, "/fhir/Practitioner/" + domain.PrescriberID("10006543218").String(), 404, nil},
		{"practitioner of B only", tok, "/fhir/Practitioner/" + c.bOnly.String(), 404, nil},
		{"practitioner without scope", labo, "/fhir/Practitioner/" + c.doctor.String(), 403, nil},
		{"practitioner role", tok, "/fhir/PractitionerRole/" + roleA, 200, func(r map[string]any) bool {
			return r["organization"].(map[string]any)["reference"] == "Organization/"+c.estA.String()
		}},
		{"unknown practitioner role", tok, "/fhir/PractitionerRole/" + uuid.NewString(), 404, nil},
		{"practitioner role without scope", labo, "/fhir/PractitionerRole/" + roleA, 403, nil},
		{"audit events without scope", labo, "/fhir/AuditEvent?patient=" + c.inA.String(), 403, nil},
		{"audit events for a role that does not read the trail", tok, "/fhir/AuditEvent?patient=" + c.inA.String(), 403, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := c.get(tc.token, tc.path)
			if code != tc.code {
				t.Fatalf("%d %v", code, out)
			}
			if code >= 400 {
				if d, _ := diagnostics(t, out); d == "" {
					t.Fatal("OperationOutcome without diagnostics")
				}
			} else if tc.check != nil && !tc.check(out) {
				t.Fatalf("unexpected resource %v", out)
			}
		})
	}
	for _, p := range []string{"password", "a.lemoine", "k.benali", "username"} {
		_, b := c.get(tok, "/fhir/Practitioner")
		raw, _ := jsonString(b)
		if strings.Contains(raw, p) {
			t.Errorf("Practitioner exposes %q: %s", p, raw)
		}
	}
	// Each read of a note or an event is in the trail under its section;
	// reading the trail is not.
	if n := c.count(`SELECT count(*) FROM access_trail WHERE username = 'client:hopital' AND section = 'care' AND usager_id = ? AND action = 'read'`, c.inA); n != 3 {
		t.Errorf("care reads traced: %d, want 3 (note, reply, event)", n)
	}
	before := c.count(`SELECT count(*) FROM access_trail`)
	code, b := c.get(c.bearer("direction"), "/fhir/AuditEvent?patient="+c.inA.String())
	if code != 200 || c.count(`SELECT count(*) FROM access_trail`) != before {
		t.Fatalf("trail search: %d, rows %d → %d", code, before, c.count(`SELECT count(*) FROM access_trail`))
	}
	ids := entryIDs(t, b)
	if len(ids) < 4 {
		t.Fatalf("the client's reads of A's person: %v", ids)
	}
	code, ev := c.get(c.bearer("direction"), "/fhir/AuditEvent/"+ids[0])
	who := ev["agent"].([]any)[0].(map[string]any)["who"].(map[string]any)
	if code != 200 || who["display"] != "Partenaire hopital" || ev["entity"].([]any)[0].(map[string]any)["what"].(map[string]any)["reference"] != "Patient/"+c.inA.String() {
		t.Fatalf("audit event: %d %v", code, ev)
	}
	// A row of establishment B about B's person is not A's to read.
	var bRow int64
	err := c.db.InTenant(context.Background(), c.org, func(tx *store.Tx) error {
		e := domain.TrailEntry{UserID: c.bOnly, Username: "p.roux", Role: "infirmier", EstablishmentID: c.estB, UsagerID: c.inB,
			Section: domain.SectionCare, Action: domain.ActionRead, Detail: "lecture"}
		if err := tx.AppendTrail(&e); err != nil {
			return err
		}
		bRow = e.Seq
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := c.get(c.bearer("direction"), "/fhir/AuditEvent/"+itoa(bRow)); code != 404 {
		t.Errorf("B's trail row: %d", code)
	}
	if _, b := c.get(c.bearer("direction"), "/fhir/AuditEvent?patient="+c.inB.String()); len(entryIDs(t, b)) != 0 {
		t.Errorf("B's person's trail: %v", entryIDs(t, b))
	}
}

// TestCoordinationSearch: every declared search parameter, and bad values
// refused with an OperationOutcome naming the parameter.
func TestCoordinationSearch(t *testing.T) {
	c := newCoord(t)
	tok, educ, dir := c.bearer("hopital"), c.bearer("educ"), c.bearer("direction")
	a, b := c.inA.String(), c.inB.String()
	for _, tc := range []struct {
		token, q string
		want     []uuid.UUID
	}{
		{tok, "/fhir/Communication?patient=" + a, []uuid.UUID{c.noteMedical, c.noteCare, c.reply}},
		{tok, "/fhir/Communication?patient=Patient/" + a + "&sent=ge2026-03-05", []uuid.UUID{c.noteMedical}},
		{tok, "/fhir/Communication?patient=" + a + "&sent=le2026-03-02", []uuid.UUID{c.noteCare, c.reply}},
		{tok, "/fhir/Communication?patient=" + a + "&sent=2026-03-12", []uuid.UUID{c.noteMedical}},
		{tok, "/fhir/Communication?patient=" + a + "&sent=gt2026-03-02&sent=lt2026-03-12", nil},
		{educ, "/fhir/Communication?patient=" + a, nil}, // care and medical notes only
		{tok, "/fhir/Communication?patient=" + b, nil},
		{tok, "/fhir/Appointment?patient=" + a, []uuid.UUID{c.eventCare, c.eventAdmin}},
		{tok, "/fhir/Appointment?patient=" + a + "&date=ge2026-03-15", []uuid.UUID{c.eventAdmin}},
		{tok, "/fhir/Appointment?patient=" + a + "&date=le2026-03-10", []uuid.UUID{c.eventCare}},
		{tok, "/fhir/Appointment?patient=" + a + "&date=2026-04-01", []uuid.UUID{c.eventAdmin}},
		{educ, "/fhir/Appointment?patient=" + a, []uuid.UUID{c.eventAdmin}},
		{tok, "/fhir/Appointment?patient=" + b, nil},
		{tok, "/fhir/Consent?patient=" + a, []uuid.UUID{c.consentA}},
		{tok, "/fhir/Consent?patient=" + b, nil},
		{tok, "/fhir/Practitioner", []uuid.UUID{c.doctor, c.nurse, domain.PrescriberID(outsideRPPS)}},
		{tok, "/fhir/Practitioner?identifier=" + outsideRPPS, []uuid.UUID{domain.PrescriberID(outsideRPPS)}},
		{tok, "/fhir/Practitioner?name=generaliste", []uuid.UUID{domain.PrescriberID(outsideRPPS)}},
		{tok, "/fhir/Practitioner?identifier=10006543218", nil}, // B's prescriber
		{tok, "/fhir/Practitioner?identifier=" + doctorRPPS, []uuid.UUID{c.doctor}},
		{tok, "/fhir/Practitioner?identifier=https://rpps.esante.gouv.fr|" + doctorRPPS, []uuid.UUID{c.doctor}},
		{tok, "/fhir/Practitioner?identifier=urn:oid:1.2.250.1.71.4.2.1|8" + doctorRPPS, []uuid.UUID{c.doctor}},
		{tok, "/fhir/Practitioner?identifier=10001265437", nil},
		{tok, "/fhir/Practitioner?name=lemo", []uuid.UUID{c.doctor}},
		{tok, "/fhir/Practitioner?name=BÉNALI", []uuid.UUID{c.nurse}},
		{tok, "/fhir/Practitioner?name=roux", nil}, // of B only
		{dir, "/fhir/AuditEvent?patient=" + a + "&date=lt2020-01-01", nil},
	} {
		code, bundle := c.get(tc.token, tc.q)
		if code != 200 {
			t.Errorf("%s: %d %v", tc.q, code, bundle)
			continue
		}
		if got, want := entryIDs(t, bundle), idStrings(tc.want); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: got %v want %v", tc.q, got, want)
		}
	}
	// Roles: one per membership of the client's establishment.
	for _, tc := range []struct {
		q    string
		want int
	}{
		{"/fhir/PractitionerRole", 2},
		{"/fhir/PractitionerRole?practitioner=Practitioner/" + c.doctor.String(), 1},
		{"/fhir/PractitionerRole?organization=Organization/" + c.estA.String(), 2},
		{"/fhir/PractitionerRole?organization=" + c.estB.String(), 0},
		{"/fhir/PractitionerRole?practitioner=" + c.bOnly.String(), 0},
	} {
		if _, bundle := c.get(tok, tc.q); len(entryIDs(t, bundle)) != tc.want {
			t.Errorf("%s: %v, want %d", tc.q, entryIDs(t, bundle), tc.want)
		}
	}
	// The trail: the searches above by date, of today.
	today := time.Now().In(domain.Paris()).Format("2006-01-02")
	if _, bundle := c.get(c.bearer("direction"), "/fhir/AuditEvent?patient="+a+"&date=ge"+today+"&date=le"+today); len(entryIDs(t, bundle)) == 0 {
		t.Error("no trail rows of today")
	}
	for _, tc := range []struct{ q, param string }{
		{"/fhir/Communication", "patient"},
		{"/fhir/Communication?patient=Dupont", "patient"},
		{"/fhir/Communication?patient=" + a + "&sent=hier", "sent"},
		{"/fhir/Communication?patient=" + a + "&sent=sa2026-03-01", "sent"},
		{"/fhir/Communication?patient=" + a + "&status=completed", "status"},
		{"/fhir/Appointment?patient=" + a + "&date=01/03/2026", "date"},
		{"/fhir/Appointment?date=ge2026-01-01", "patient"},
		{"/fhir/Appointment?patient=" + a + "&actor=x", "actor"},
		{"/fhir/Consent?patient=" + a + "&status=active", "status"},
		{"/fhir/Consent", "patient"},
		{"/fhir/Practitioner?identifier=12345", "identifier"},
		{"/fhir/Practitioner?identifier=10003080009", "identifier"},
		{"/fhir/Practitioner?identifier=urn:oid:1.2.3|" + doctorRPPS, "identifier"},
		{"/fhir/Practitioner?name=", "name"},
		{"/fhir/Practitioner?family=x", "family"},
		{"/fhir/PractitionerRole?practitioner=abc", "practitioner"},
		{"/fhir/PractitionerRole?organization=abc", "organization"},
		{"/fhir/PractitionerRole?role=medecin", "role"},
		{"/fhir/AuditEvent?patient=" + a + "&date=demain", "date"},
		{"/fhir/AuditEvent", "patient"},
	} {
		token := tok
		if strings.HasPrefix(tc.q, "/fhir/AuditEvent") {
			token = c.bearer("direction")
		}
		code, out := c.get(token, tc.q)
		if code != 400 {
			t.Errorf("%s: %d", tc.q, code)
			continue
		}
		if d, expr := diagnostics(t, out); expr != tc.param || d == "" {
			t.Errorf("%s: expression %q diagnostics %q", tc.q, expr, d)
		}
	}
}

const newNote = `{"resourceType":"Communication","status":"completed",
 "category":[{"coding":[{"system":"urn:relais:section","code":"care"}]}],
 "priority":"urgent","subject":{"reference":"Patient/%s"},
 "recipient":[{"reference":"Practitioner/%s"},{"type":"PractitionerRole","identifier":{"system":"urn:relais:role","value":"infirmier"}}],
 "payload":[{"contentString":"Sortie d'hospitalisation demain 10 h : ordonnance jointe au dossier."}]}`

func TestCommunicationCreate(t *testing.T) {
	c := newCoord(t)
	tok := c.bearer("hopital")
	note := func(patient, recipient uuid.UUID) string {
		return strings.Replace(strings.Replace(newNote, "%s", patient.String(), 1), "%s", recipient.String(), 1)
	}
	good := note(c.inA, c.doctor)
	before := c.count(`SELECT count(*) FROM liaison_notes`)
	for _, tc := range []struct{ name, body, path string }{
		{"malformed JSON", `{"resourceType":"Communication",`, ""},
		{"wrong resourceType", strings.Replace(good, `"Communication"`, `"Observation"`, 1), "Communication.resourceType"},
		{"unknown element", strings.Replace(good, `"priority"`, `"urgence":true,"priority"`, 1), "Communication.urgence"},
		{"no text", strings.Replace(good, `"payload":[{"contentString":"Sortie d'hospitalisation demain 10 h : ordonnance jointe au dossier."}]`, `"payload":[]`, 1), "Communication.payload"},
		{"empty text", strings.Replace(good, `"Sortie d'hospitalisation demain 10 h : ordonnance jointe au dossier."`, `"  "`, 1), "Communication.payload[0].contentString"},
		{"no subject", strings.Replace(good, `"subject":{"reference":"Patient/`+c.inA.String()+`"},`, "", 1), "Communication.subject"},
		{"person of B", note(c.inB, c.doctor), "Communication.subject"},
		{"recipient of B", note(c.inA, c.bOnly), "Communication.recipient"},
		{"unknown section", strings.Replace(good, `"code":"care"`, `"code":"cuisine"`, 1), "Communication.category"},
		{"section the role does not write", strings.Replace(good, `"code":"care"`, `"code":"social"`, 1), "Communication.category"},
		{"bad priority", strings.Replace(good, `"urgent"`, `"high"`, 1), "Communication.priority"},
		{"wrong type of value", strings.Replace(good, `"priority":"urgent"`, `"priority":3`, 1), "Communication.priority"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, out := c.send(http.MethodPost, tok, "/fhir/Communication", tc.body)
			if code != http.StatusBadRequest {
				t.Fatalf("%d %v", code, out)
			}
			if d, expr := diagnostics(t, out); expr != tc.path || d == "" {
				t.Fatalf("expression %q (want %q), diagnostics %q", expr, tc.path, d)
			}
		})
	}
	if c.count(`SELECT count(*) FROM liaison_notes`) != before {
		t.Fatal("a refused Communication was stored")
	}
	if code, _, _ := c.send(http.MethodPost, c.bearer("labo"), "/fhir/Communication", good); code != http.StatusForbidden {
		t.Fatalf("without the write scope: %d", code)
	}
	code, h, created := c.send(http.MethodPost, tok, "/fhir/Communication", good)
	if code != http.StatusCreated || !strings.Contains(h.Get("Location"), "/fhir/Communication/") {
		t.Fatalf("create: %d %v", code, created)
	}
	id := created["id"].(string)
	if n := c.count(`SELECT count(*) FROM liaison_notes WHERE id = ? AND establishment_id = ? AND section = 'care' AND priority = 'importante'
		AND author_name = 'Partenaire hopital (partenaire, API FHIR)'`, id, c.estA); n != 1 {
		t.Errorf("stored note: %d", n)
	}
	if n := c.count(`SELECT count(*) FROM liaison_recipients WHERE note_id = ?`, id); n != 2 {
		t.Errorf("recipients: %d", n)
	}
	if n := c.count(`SELECT count(*) FROM access_trail WHERE username = 'client:hopital' AND action = 'write' AND section = 'care'`); n != 1 {
		t.Errorf("write traced: %d", n)
	}
	// A note without section goes to the first one the role writes (care
	// for a doctor: the administrative section is read-only to it).
	noSection := strings.Replace(good, `"category":[{"coding":[{"system":"urn:relais:section","code":"care"}]}],`, "", 1)
	if code, _, out := c.send(http.MethodPost, tok, "/fhir/Communication", noSection); code != http.StatusCreated ||
		out["category"].([]any)[0].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"] != "care" {
		t.Fatalf("without section: %d %v", code, out)
	}
	// A reply.
	reply := `{"resourceType":"Communication","status":"completed","subject":{"reference":"Patient/` + c.inA.String() + `"},
		"inResponseTo":[{"reference":"Communication/` + id + `"}],"payload":[{"contentString":"Bien reçu."}]}`
	code, _, out := c.send(http.MethodPost, tok, "/fhir/Communication", reply)
	if code != http.StatusCreated || out["inResponseTo"].([]any)[0].(map[string]any)["reference"] != "Communication/"+id || out["priority"] != "urgent" {
		t.Fatalf("reply: %d %v", code, out)
	}
	badReply := strings.Replace(reply, id, c.noteB.String(), 1)
	if code, _, out := c.send(http.MethodPost, tok, "/fhir/Communication", badReply); code != http.StatusBadRequest {
		t.Fatalf("reply to B's note: %d %v", code, out)
	}
}

const newAppointment = `{"resourceType":"Appointment","status":"proposed",
 "serviceCategory":[{"coding":[{"system":"urn:relais:section","code":"care"}]}],
 "appointmentType":{"coding":[{"system":"urn:relais:event-type","code":"rendez_vous"}]},
 "description":"Consultation de cardiologie","start":"2026-05-12T14:30:00+02:00","end":"2026-05-12T15:00:00+02:00",
 "participant":[{"actor":{"reference":"Patient/PATIENT"},"status":"accepted"},{"actor":{"reference":"Practitioner/PRO"},"status":"accepted"},
  {"actor":{"type":"Location","display":"Hôpital Nord, bâtiment C"},"status":"accepted"}]}`

func TestAppointmentCreate(t *testing.T) {
	c := newCoord(t)
	tok := c.bearer("hopital")
	appt := func(patient, pro uuid.UUID) string {
		return strings.NewReplacer("PATIENT", patient.String(), "PRO", pro.String()).Replace(newAppointment)
	}
	good := appt(c.inA, c.doctor)
	before := c.count(`SELECT count(*) FROM events`)
	for _, tc := range []struct{ name, body, path string }{
		{"malformed JSON", `{"resourceType":"Appointment"`, ""},
		{"wrong resourceType", strings.Replace(good, `"Appointment"`, `"Encounter"`, 1), "Appointment.resourceType"},
		{"unknown element", strings.Replace(good, `"description"`, `"lieu":"x","description"`, 1), "Appointment.lieu"},
		{"no description", strings.Replace(good, `"description":"Consultation de cardiologie",`, "", 1), "Appointment.description"},
		{"no type", strings.Replace(good, `"appointmentType":{"coding":[{"system":"urn:relais:event-type","code":"rendez_vous"}]},`, "", 1), "Appointment.appointmentType"},
		{"no start", strings.Replace(good, `"start":"2026-05-12T14:30:00+02:00",`, "", 1), "Appointment.start"},
		{"start without zone", strings.Replace(good, `2026-05-12T14:30:00+02:00`, `2026-05-12 14:30`, 1), "Appointment.start"},
		{"end before start", strings.Replace(good, `"end":"2026-05-12T15:00:00+02:00"`, `"end":"2026-05-12T14:00:00+02:00"`, 1), "Appointment.end"},
		{"bad status", strings.Replace(good, `"proposed"`, `"pending"`, 1), "Appointment.status"},
		{"cancelled without reason", strings.Replace(good, `"proposed"`, `"cancelled"`, 1), "Appointment.cancelationReason"},
		{"no person", strings.Replace(good, `{"actor":{"reference":"Patient/`+c.inA.String()+`"},"status":"accepted"},`, "", 1), "Appointment.participant"},
		{"person of B", appt(c.inB, c.doctor), "Appointment.participant"},
		{"professional of B", appt(c.inA, c.bOnly), "Appointment.participant"},
		{"section the role does not write", strings.Replace(good, `"code":"care"`, `"code":"admin"`, 1), "Appointment.serviceCategory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, out := c.send(http.MethodPost, tok, "/fhir/Appointment", tc.body)
			if code != http.StatusBadRequest {
				t.Fatalf("%d %v", code, out)
			}
			if d, expr := diagnostics(t, out); expr != tc.path || d == "" {
				t.Fatalf("expression %q (want %q), diagnostics %q", expr, tc.path, d)
			}
		})
	}
	if c.count(`SELECT count(*) FROM events`) != before {
		t.Fatal("a refused Appointment was stored")
	}
	if code, _, _ := c.send(http.MethodPost, c.bearer("labo"), "/fhir/Appointment", good); code != http.StatusForbidden {
		t.Fatalf("without the write scope: %d", code)
	}
	code, h, created := c.send(http.MethodPost, tok, "/fhir/Appointment", good)
	if code != http.StatusCreated || !strings.Contains(h.Get("Location"), "/fhir/Appointment/") || created["start"] != "2026-05-12T12:30:00Z" {
		t.Fatalf("create: %d %v", code, created)
	}
	id := created["id"].(string)
	if n := c.count(`SELECT count(*) FROM events WHERE id = ? AND usager_id = ? AND status = 'PLANIFIE' AND section = 'care' AND professional_id = ?
		AND place = 'Hôpital Nord, bâtiment C' AND author_name = 'Partenaire hopital (partenaire, API FHIR)'`, id, c.inA, c.doctor); n != 1 {
		t.Errorf("stored event: %d", n)
	}
	if code, read := c.get(tok, "/fhir/Appointment/"+id); code != 200 || read["description"] != "Consultation de cardiologie" {
		t.Errorf("read back: %d %v", code, read)
	}
}

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
