package fhir

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// Fixed records shaped like the demo's, for the coordination resources.
var (
	gJeanne = uuid.MustParse("0190a1b2-0000-7000-8000-000000000010")
	gEhpad  = uuid.MustParse("0190a1b2-0000-7000-8000-000000000002")
	gDoctor = uuid.MustParse("0190a1b2-0000-7000-8000-000000000080")
	gNurse  = uuid.MustParse("0190a1b2-0000-7000-8000-000000000081")
	gAt     = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
)

func goldenNote() domain.LiaisonNote {
	return domain.LiaisonNote{ID: uuid.MustParse("0190a1b2-0000-7000-8000-000000000090"), EstablishmentID: gEhpad, UsagerID: gJeanne,
		Section: domain.SectionCare, Priority: domain.PriorityImportante, Body: "Retour d'hospitalisation : surveiller la tension deux fois par jour.",
		AuthorID: gNurse, AuthorName: "Karima Benali", CreatedAt: gAt, Users: []uuid.UUID{gDoctor}, Roles: []domain.Role{domain.RoleInfirmier}}
}

func goldenEvent() domain.Event {
	return domain.Event{ID: uuid.MustParse("0190a1b2-0000-7000-8000-000000000091"), UsagerID: gJeanne, Section: domain.SectionCare,
		Type: domain.EventAppointment, Title: "Consultation de cardiologie", Start: time.Date(2026, 3, 10, 13, 30, 0, 0, time.UTC),
		End: time.Date(2026, 3, 10, 14, 15, 0, 0, time.UTC), Place: "Hôpital de la Croix-Rousse", Status: domain.EventValidated,
		Participants: "Luc Martin (fils)", ProfessionalID: gDoctor, AuthorID: gNurse, AuthorName: "Karima Benali"}
}

// TestGoldenCoordination pins the JSON of the coordination resources.
func TestGoldenCoordination(t *testing.T) {
	golden(t, "communication", liaison(goldenNote()))
	reply := domain.LiaisonNote{ID: uuid.MustParse("0190a1b2-0000-7000-8000-000000000092"), EstablishmentID: gEhpad, UsagerID: gJeanne,
		Section: domain.SectionCare, Priority: domain.PriorityNormale, Body: "Bien noté.", AuthorID: gDoctor, AuthorName: "Hôpital Nord (partenaire, API FHIR)",
		ParentID: uuid.MustParse("0190a1b2-0000-7000-8000-000000000090"), CreatedAt: gAt.Add(time.Hour)}
	golden(t, "communication-reply", liaison(reply))
	golden(t, "appointment", agendaEvent(goldenEvent()))
	cancelled := domain.Event{ID: uuid.MustParse("0190a1b2-0000-7000-8000-000000000093"), UsagerID: gJeanne, Section: domain.SectionAdmin,
		Type: domain.EventVisit, Title: "Visite de la famille", Start: time.Date(2026, 3, 14, 14, 0, 0, 0, time.UTC), Status: domain.EventCancelled,
		Reason: "Fils malade"}
	golden(t, "appointment-cancelled", agendaEvent(cancelled))
	golden(t, "consent-granted", consent(domain.Consent{ID: uuid.MustParse("0190a1b2-0000-7000-8000-000000000094"), UsagerID: gJeanne,
		Scope: domain.ConsentDMP, Granted: true, GivenOn: time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC), GivenBy: "usager"}))
	golden(t, "consent-refused-withdrawn", consent(domain.Consent{ID: uuid.MustParse("0190a1b2-0000-7000-8000-000000000095"), UsagerID: gJeanne,
		Scope: domain.ConsentDroitImage, GivenOn: time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC), GivenBy: "representant_legal",
		GivenByName: "Luc Martin", WithdrawnOn: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}))
	doctor := domain.Practitioner{User: domain.User{ID: gDoctor, Username: "a.lemoine", DisplayName: "Dr Anne Lemoine", Active: true},
		RPPS: "10003080008", Profession: domain.ProfessionMedecin,
		Memberships: []domain.Membership{{UserID: gDoctor, EstablishmentID: gEhpad, Role: domain.RoleMedecin}}}
	golden(t, "practitioner", practitioner(doctor))
	golden(t, "practitioner-without-rpps", practitioner(domain.Practitioner{User: domain.User{ID: gNurse, DisplayName: "Karima Benali", Active: true}}))
	golden(t, "practitionerrole", practitionerRole(doctor.Memberships[0], true))
	row := domain.TrailEntry{Seq: 4242, At: gAt, UserID: gNurse, Username: "k.benali", Role: string(domain.RoleInfirmier), EstablishmentID: gEhpad,
		UsagerID: gJeanne, Section: domain.SectionCare, Action: domain.ActionRead, Detail: "lecture des constantes"}
	golden(t, "auditevent-user", auditEvent(row, auditAgent{name: "Karima Benali"}))
	row.Seq, row.Username, row.Role, row.Action, row.Detail = 4243, "client:hopital-nord", string(domain.RoleMedecin), domain.ActionWrite, "API FHIR (hopital-nord) : création Communication (note de liaison)"
	golden(t, "auditevent-client", auditEvent(row, auditAgent{client: true, id: "hopital-nord", name: "Hôpital Nord"}))
}

// TestLiaisonRoundTrip: a note → Communication → note keeps what a partner
// writes (person, section, priority, text, recipients, note answered).
func TestLiaisonRoundTrip(t *testing.T) {
	reply := domain.LiaisonNote{UsagerID: gJeanne, Section: domain.SectionAdmin, Priority: domain.PriorityUrgente, Body: "Réponse\navec deux lignes",
		ParentID: uuid.MustParse("0190a1b2-0000-7000-8000-000000000090")}
	for _, n := range []domain.LiaisonNote{goldenNote(), reply,
		{UsagerID: gJeanne, Section: domain.SectionMedical, Priority: domain.PriorityNormale, Body: "<b>pas de HTML</b> & co", Roles: []domain.Role{domain.RoleMedecin, domain.RoleInfirmier}}} {
		raw, err := marshal(liaison(n))
		if err != nil {
			t.Fatal(err)
		}
		cm, err := decodeCommunication(raw)
		if err != nil {
			t.Fatalf("decode own output: %v\n%s", err, raw)
		}
		back, err := liaisonFromFHIR(cm, domain.SectionAdmin)
		if err != nil {
			t.Fatal(err)
		}
		want := domain.LiaisonNote{UsagerID: n.UsagerID, Section: n.Section, Priority: n.Priority, Body: n.Body, ParentID: n.ParentID, Users: n.Users, Roles: n.Roles}
		if !reflect.DeepEqual(back, want) {
			t.Errorf("round trip lost data:\n%+v\n%+v", want, back)
		}
	}
}

// TestAppointmentRoundTrip: an event → Appointment → event keeps what a
// partner writes.
func TestAppointmentRoundTrip(t *testing.T) {
	instantEvent := domain.Event{UsagerID: gJeanne, Section: domain.SectionAdmin, Type: domain.EventSerafin, SerafinCode: "2.1.1.1",
		Title: "Atelier mémoire", Start: time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC), Status: domain.EventPlanned}
	done := goldenEvent()
	done.Status, done.Reason, done.ProfessionalID, done.Place, done.Participants = domain.EventDone, "Écourtée", uuid.Nil, "", ""
	cancelled := goldenEvent()
	cancelled.Status, cancelled.Reason = domain.EventCancelled, "Transport indisponible"
	for _, e := range []domain.Event{goldenEvent(), instantEvent, done, cancelled} {
		raw, err := marshal(agendaEvent(e))
		if err != nil {
			t.Fatal(err)
		}
		a, err := decodeAppointment(raw)
		if err != nil {
			t.Fatalf("decode own output: %v\n%s", err, raw)
		}
		back, err := appointmentFromFHIR(a, domain.SectionAdmin)
		if err != nil {
			t.Fatalf("%s: %v", e.Title, err)
		}
		want := e
		want.ID, want.AuthorID, want.AuthorName = uuid.Nil, uuid.Nil, ""
		if !reflect.DeepEqual(back, want) {
			t.Errorf("round trip lost data:\n%+v\n%+v", want, back)
		}
	}
}
