package fhir

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
)

// appointment is FHIR R4 Appointment with the elements Relais uses: its own
// type so that codes are checked here (samply's enums refuse foreign codes
// with an error naming no element) and unknown elements are refused.
type appointment struct {
	ResourceType      string                   `json:"resourceType"`
	Id                *string                  `json:"id,omitempty"`
	Meta              *fm.Meta                 `json:"meta,omitempty"`
	Status            string                   `json:"status"`
	CancelationReason *fm.CodeableConcept      `json:"cancelationReason,omitempty"`
	ServiceCategory   []fm.CodeableConcept     `json:"serviceCategory,omitempty"`
	ServiceType       []fm.CodeableConcept     `json:"serviceType,omitempty"`
	AppointmentType   *fm.CodeableConcept      `json:"appointmentType,omitempty"`
	Description       *string                  `json:"description,omitempty"`
	Start             *string                  `json:"start,omitempty"`
	End               *string                  `json:"end,omitempty"`
	Comment           *string                  `json:"comment,omitempty"`
	Participant       []appointmentParticipant `json:"participant"`
}

type appointmentParticipant struct {
	Actor  *fm.Reference `json:"actor,omitempty"`
	Status string        `json:"status"`
}

// Event statuses as FHIR appointment statuses.
var appointmentStatuses = map[domain.EventStatus]string{
	domain.EventPlanned: "proposed", domain.EventValidated: "booked", domain.EventDone: "fulfilled", domain.EventCancelled: "cancelled",
}

// agendaEvent projects an event of the record (TDDUI Evenement) as an
// Appointment. An event without end ends when it starts: FHIR wants both
// bounds or neither. Its place is a Location participant, the free-text
// participants one participant named by display.
func agendaEvent(e domain.Event) appointment {
	end := e.End
	if end.IsZero() {
		end = e.Start
	}
	a := appointment{ResourceType: "Appointment", Id: ptr(e.ID.String()), Status: appointmentStatuses[e.Status],
		ServiceCategory: []fm.CodeableConcept{sectionCoding(e.Section)},
		AppointmentType: &fm.CodeableConcept{Coding: []fm.Coding{{System: ptr(systemEventType), Code: ptr(string(e.Type)), Display: ptr(e.Type.Label())}}},
		Description:     ptr(e.Title), Start: instant(e.Start), End: instant(end),
		Participant: []appointmentParticipant{{Actor: ref("Patient", e.UsagerID), Status: "accepted"}}}
	if e.SerafinCode != "" {
		a.ServiceType = []fm.CodeableConcept{{Coding: []fm.Coding{{System: ptr(systemSerafin), Code: ptr(e.SerafinCode)}}}}
	}
	if e.Reason != "" {
		if e.Status == domain.EventCancelled {
			a.CancelationReason = &fm.CodeableConcept{Text: ptr(e.Reason)}
		} else {
			a.Comment = ptr(e.Reason)
		}
	}
	if e.ProfessionalID != uuid.Nil {
		a.Participant = append(a.Participant, appointmentParticipant{Actor: ref("Practitioner", e.ProfessionalID), Status: "accepted"})
	}
	if e.Place != "" {
		a.Participant = append(a.Participant, appointmentParticipant{Actor: &fm.Reference{Type: ptr("Location"), Display: ptr(e.Place)}, Status: "accepted"})
	}
	if e.Participants != "" {
		a.Participant = append(a.Participant, appointmentParticipant{Actor: &fm.Reference{Display: ptr(e.Participants)}, Status: "accepted"})
	}
	return a
}

// appointmentPaths places the event form's fields in an Appointment.
var appointmentPaths = map[string]string{
	"section": "Appointment.serviceCategory", "type": "Appointment.appointmentType", "serafin_code": "Appointment.serviceType",
	"title": "Appointment.description", "start": "Appointment.start", "end": "Appointment.end", "status": "Appointment.status",
	"reason": "Appointment.cancelationReason", "professional": "Appointment.participant",
}

// appointmentFromFHIR maps an Appointment to an event of the record, with
// the event form's rules (times read to the minute, in Paris time). Errors
// are badInput at the element's path, or a *domain.ValidationError whose
// fields appointmentPaths places. An appointment without service category
// goes to section def.
func appointmentFromFHIR(a appointment, def domain.Section) (domain.Event, error) {
	in := domain.EventInput{Section: string(def)}
	found := false
	for st, code := range appointmentStatuses {
		if code == a.Status {
			in.Status, found = string(st), true
		}
	}
	if !found {
		return domain.Event{}, badInput{"Appointment.status", "Appointment.status : proposed, booked, fulfilled ou cancelled attendu."}
	}
	if len(a.ServiceCategory) > 0 {
		sec := sectionOfConcepts(a.ServiceCategory)
		if !sec.IsRecord() {
			return domain.Event{}, badInput{"Appointment.serviceCategory", "Appointment.serviceCategory : section inconnue (système " + systemSection + " : admin, social, educational, care ou medical)."}
		}
		in.Section = string(sec)
	}
	if a.AppointmentType != nil {
		for _, c := range a.AppointmentType.Coding {
			if c.System != nil && *c.System == systemEventType && c.Code != nil {
				in.Type = *c.Code
			}
		}
	}
	for _, cc := range a.ServiceType {
		for _, c := range cc.Coding {
			if c.System != nil && *c.System == systemSerafin && c.Code != nil {
				in.SerafinCode = *c.Code
			}
		}
	}
	if a.Description != nil {
		in.Title = *a.Description
	}
	for _, t := range []struct {
		v    *string
		dst  *string
		path string
	}{{a.Start, &in.Start, "Appointment.start"}, {a.End, &in.End, "Appointment.end"}} {
		if t.v == nil {
			continue
		}
		at, err := time.Parse(time.RFC3339, *t.v)
		if err != nil {
			return domain.Event{}, badInput{t.path, t.path + " attend un instant avec fuseau horaire (AAAA-MM-JJThh:mm:ss+01:00)."}
		}
		*t.dst = at.In(domain.Paris()).Format("2006-01-02T15:04")
	}
	if in.End == in.Start {
		in.End = "" // an instant: see agendaEvent
	}
	if a.CancelationReason != nil && a.CancelationReason.Text != nil {
		in.Reason = *a.CancelationReason.Text
	}
	if a.Comment != nil && in.Reason == "" {
		in.Reason = *a.Comment
	}
	var usager uuid.UUID
	for i, p := range a.Participant {
		path := fmt.Sprintf("Appointment.participant[%d].actor", i)
		switch {
		case p.Actor == nil:
			return domain.Event{}, badInput{path, path + " est obligatoire."}
		case p.Actor.Reference != nil && strings.HasPrefix(*p.Actor.Reference, "Patient/"):
			id, ok := refID(p.Actor, "Patient")
			if !ok || usager != uuid.Nil {
				return domain.Event{}, badInput{path, "Un seul participant Patient/<identifiant> : la personne accompagnée."}
			}
			usager = id
		case p.Actor.Reference != nil && strings.HasPrefix(*p.Actor.Reference, "Practitioner/"):
			id, ok := refID(p.Actor, "Practitioner")
			if !ok || in.Professional != "" {
				return domain.Event{}, badInput{path, "Un seul professionnel Practitioner/<identifiant>."}
			}
			in.Professional = id.String()
		case p.Actor.Reference == nil && p.Actor.Type != nil && *p.Actor.Type == "Location" && p.Actor.Display != nil:
			in.Place = *p.Actor.Display
		case p.Actor.Reference == nil && p.Actor.Display != nil:
			if in.Participants != "" {
				in.Participants += "; "
			}
			in.Participants += *p.Actor.Display
		default:
			return domain.Event{}, badInput{path, "Participant : Patient/<id>, Practitioner/<id>, un lieu (type Location et display) ou un nom (display)."}
		}
	}
	if usager == uuid.Nil {
		return domain.Event{}, badInput{"Appointment.participant", "Appointment.participant : la personne accompagnée (Patient/<identifiant>) est obligatoire."}
	}
	e, err := in.Parse()
	e.UsagerID = usager
	return e, err
}

// readableEvent reads an event of a person visible to the client, of a
// section its role may act on (errSection otherwise).
func (s *Server) readableEvent(c *gin.Context, tx domain.Tx, id uuid.UUID, sections []domain.Section) (domain.Event, error) {
	e, err := tx.Event(id)
	if err != nil {
		return e, err
	}
	if err := s.mustSee(c, tx, e.UsagerID); err != nil {
		return e, err
	}
	if !sectionIn(sections, e.Section) {
		return e, errSection{e.Section}
	}
	return e, nil
}

func (s *Server) readAppointment(c *gin.Context) {
	sections, ok := s.clientSections(c, "Appointment", "read")
	if !ok {
		return
	}
	id, ok := pathID(c, "Appointment")
	if !ok {
		return
	}
	var out appointment
	err := s.inTenant(c, func(tx domain.Tx) error {
		e, err := s.readableEvent(c, tx, id, sections)
		if err != nil {
			return err
		}
		out = agendaEvent(e)
		return s.traceSections(c, tx, e.UsagerID, "Appointment", []domain.Section{e.Section}, "lecture Appointment (événement)")
	})
	if err != nil {
		s.failItem(c, "Appointment", err)
		return
	}
	writeJSON(c, http.StatusOK, out)
}

// searchAppointments lists a person's events of the sections the client's
// role reads, soonest first.
func (s *Server) searchAppointments(c *gin.Context) {
	sections, ok := s.clientSections(c, "Appointment", "read")
	if !ok {
		return
	}
	patient, when, err := patientDateParams(c, "Appointment", "date")
	if badParams(c, err) {
		return
	}
	set := newSearchset(c, "Appointment")
	err = s.inTenant(c, func(tx domain.Tx) error {
		if err := s.mustSee(c, tx, patient); errors.Is(err, domain.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		events, err := tx.UsagerEvents(patient, when.from, when.to)
		if err != nil {
			return err
		}
		var seen []domain.Section
		for _, e := range events {
			if !sectionIn(sections, e.Section) {
				continue
			}
			seen = append(seen, e.Section)
			if err := set.add(e.ID.String(), agendaEvent(e)); err != nil {
				return err
			}
		}
		return s.traceSections(c, tx, patient, "Appointment", seen, fmt.Sprintf("recherche Appointment (%d résultat(s))", len(set.b.Entry)))
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, set.bundle())
}

// decodeAppointment reads an Appointment strictly.
func decodeAppointment(body []byte) (appointment, error) {
	var a appointment
	err := decodeStrict(body, "Appointment", &a, func() string { return a.ResourceType })
	return a, err
}

// createAppointment writes an event in the record of a person of the
// client's establishment, signed by the client; its professional, if any,
// must work there.
func (s *Server) createAppointment(c *gin.Context) {
	sections, ok := s.clientSections(c, "Appointment", "write")
	if !ok {
		return
	}
	body, ok := s.readBody(c)
	if !ok {
		return
	}
	a, err := decodeAppointment(body)
	var e domain.Event
	if err == nil {
		e, err = appointmentFromFHIR(a, defaultSection(sections))
	}
	if refuse(c, err, "Appointment", appointmentPaths) {
		return
	}
	if err != nil {
		s.internal(c, err)
		return
	}
	cp := client(c)
	var refused error
	err = s.inTenant(c, func(tx domain.Tx) error {
		if err := s.mustSee(c, tx, e.UsagerID); errors.Is(err, domain.ErrNotFound) {
			refused = badInput{"Appointment.participant", "Personne inconnue dans l'établissement du client."}
			return nil
		} else if err != nil {
			return err
		}
		if !sectionIn(sections, e.Section) {
			refused = badInput{"Appointment.serviceCategory", "Les habilitations du client ne permettent pas d'écrire dans la section « " + e.Section.Label() + " »."}
			return nil
		}
		if e.ProfessionalID != uuid.Nil {
			pros, err := tx.Practitioners(domain.PractitionerQuery{EstablishmentID: cp.Client.EstablishmentID, ID: e.ProfessionalID})
			if err != nil {
				return err
			}
			if len(pros) == 0 {
				refused = badInput{"Appointment.participant", "Le professionnel (Practitioner) n'exerce pas dans l'établissement du client."}
				return nil
			}
		}
		e.AuthorID, e.AuthorName = cp.UserID, authorName(c)
		if err := tx.SaveEvent(&e); err != nil {
			return err
		}
		return s.trace(c, tx, s.roleFor(c, e.Section, domain.ActionWrite), e.UsagerID, e.Section, domain.ActionWrite, "création Appointment (événement)")
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	if refused != nil {
		refuse(c, refused, "Appointment", appointmentPaths)
		return
	}
	c.Header("Location", baseURL(c)+"/Appointment/"+e.ID.String())
	writeJSON(c, http.StatusCreated, agendaEvent(e))
}
