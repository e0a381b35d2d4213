package fhir

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
)

// auditAgent names who accessed: an account (Practitioner) or an API
// client, by display name (never a login).
type auditAgent struct {
	client bool
	id     string // the client's client_id
	name   string
}

// auditEvent projects a row of the access trail: a RESTful operation when
// an API client did it, a patient record access otherwise; the person as
// entity; the row's detail as the entity's description. The trail only
// holds accesses that happened: the outcome is success.
func auditEvent(e domain.TrailEntry, who auditAgent) fm.AuditEvent {
	typ := fm.Coding{System: ptr("http://dicom.nema.org/resources/ontology/DCM"), Code: ptr("110110"), Display: ptr("Patient Record")}
	agent := fm.AuditEventAgent{Requestor: true, Who: &fm.Reference{Reference: ptr("Practitioner/" + e.UserID.String()), Display: ptr(who.name)}}
	if who.client {
		typ = fm.Coding{System: ptr("http://terminology.hl7.org/CodeSystem/audit-event-type"), Code: ptr("rest"), Display: ptr("RESTful Operation")}
		agent.Who = &fm.Reference{Type: ptr("Device"), Identifier: &fm.Identifier{System: ptr("urn:relais:api-client"), Value: ptr(who.id)}, Display: ptr(who.name)}
		agent.Type = &fm.CodeableConcept{Coding: []fm.Coding{{System: ptr("http://dicom.nema.org/resources/ontology/DCM"), Code: ptr("110150"), Display: ptr("Application")}}}
	}
	if e.Role != "" {
		agent.Role = []fm.CodeableConcept{{Coding: []fm.Coding{{System: ptr(systemRole), Code: ptr(e.Role), Display: ptr(domain.Role(e.Role).Label())}}}}
	}
	action := fm.AuditEventActionR
	switch e.Action {
	case domain.ActionWrite, domain.ActionValidate:
		action = fm.AuditEventActionU
		if strings.HasPrefix(strings.ToLower(e.Detail), "création") || strings.Contains(e.Detail, ": création") {
			action = fm.AuditEventActionC
		}
	}
	out := fm.AuditEvent{Id: ptr(strconv.FormatInt(e.Seq, 10)), Type: typ,
		Subtype:  []fm.Coding{{System: ptr(systemSection), Code: ptr(string(e.Section)), Display: ptr(e.Section.Label())}},
		Action:   &action,
		Recorded: e.At.UTC().Format("2006-01-02T15:04:05.000000Z"),
		Outcome:  ptr(fm.AuditEventOutcome0),
		Agent:    []fm.AuditEventAgent{agent},
		Source:   fm.AuditEventSource{Observer: fm.Reference{Display: ptr("Relais")}},
	}
	if e.EstablishmentID != uuid.Nil {
		out.Source.Observer.Reference = ptr("Organization/" + e.EstablishmentID.String())
	}
	if e.UsagerID != uuid.Nil {
		out.Entity = []fm.AuditEventEntity{{What: ref("Patient", e.UsagerID),
			Type:        &fm.Coding{System: ptr("http://terminology.hl7.org/CodeSystem/audit-entity-type"), Code: ptr("1"), Display: ptr("Person")},
			Role:        &fm.Coding{System: ptr("http://terminology.hl7.org/CodeSystem/object-role"), Code: ptr("1"), Display: ptr("Patient")},
			Description: nonEmptyPtr(e.Detail)}}
	}
	return out
}

func nonEmptyPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// agents names the authors of trail rows, each looked up once.
type agents struct {
	tx    domain.Tx
	known map[uuid.UUID]auditAgent
}

func (a *agents) of(e domain.TrailEntry) (auditAgent, error) {
	if who, ok := a.known[e.UserID]; ok {
		return who, nil
	}
	var who auditAgent
	if id, ok := strings.CutPrefix(e.Username, "client:"); ok {
		who = auditAgent{client: true, id: id, name: id}
		c, err := a.tx.APIClient(e.UserID)
		if err == nil {
			who.name = c.Name
		} else if !errors.Is(err, domain.ErrNotFound) {
			return who, err
		}
	} else {
		who.name = "Compte " + e.UserID.String()[:8]
		u, err := a.tx.User(e.UserID)
		if err == nil {
			who.name = u.DisplayName
		} else if !errors.Is(err, domain.ErrNotFound) {
			return who, err
		}
	}
	a.known[e.UserID] = who
	return who, nil
}

// readAuditEvent reads one trail row of the client's establishment about a
// person. Reading the trail is not itself traced as a read of the record.
func (s *Server) readAuditEvent(c *gin.Context) {
	if _, ok := s.allow(c, "AuditEvent", "read"); !ok {
		return
	}
	seq, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || seq <= 0 {
		outcome(c, http.StatusNotFound, fm.IssueTypeNotFound, "AuditEvent introuvable.")
		return
	}
	var out fm.AuditEvent
	err = s.inTenant(c, func(tx domain.Tx) error {
		e, err := tx.TrailRow(seq)
		if err != nil {
			return err
		}
		if e.EstablishmentID != client(c).Client.EstablishmentID || e.UsagerID == uuid.Nil {
			return domain.ErrNotFound
		}
		who, err := (&agents{tx: tx, known: map[uuid.UUID]auditAgent{}}).of(e)
		out = auditEvent(e, who)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, out)
}

// searchAuditEvents lists the trail rows of the client's establishment
// about a person, newest first (the latest 1,000 at most).
func (s *Server) searchAuditEvents(c *gin.Context) {
	if _, ok := s.allow(c, "AuditEvent", "read"); !ok {
		return
	}
	patient, when, err := patientDateParams(c, "AuditEvent", "date")
	if badParams(c, err) {
		return
	}
	set := newSearchset(c, "AuditEvent")
	err = s.inTenant(c, func(tx domain.Tx) error {
		if err := s.mustSee(c, tx, patient); errors.Is(err, domain.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		rows, err := tx.EstablishmentTrail(domain.EstablishmentTrailQuery{EstablishmentID: client(c).Client.EstablishmentID,
			UsagerID: patient, From: when.from, To: when.to})
		if err != nil {
			return err
		}
		names := &agents{tx: tx, known: map[uuid.UUID]auditAgent{}}
		for _, e := range rows {
			who, err := names.of(e)
			if err != nil {
				return err
			}
			if err := set.add(strconv.FormatInt(e.Seq, 10), auditEvent(e, who)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, set.bundle())
}
