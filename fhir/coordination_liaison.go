package fhir

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
)

// communication is FHIR R4 Communication with the elements Relais uses. Its
// own type because samply's payload writes every content[x] alternative at
// once (invalid FHIR); strict decoding refuses the elements it lacks.
type communication struct {
	ResourceType string                 `json:"resourceType"`
	Id           *string                `json:"id,omitempty"`
	Meta         *fm.Meta               `json:"meta,omitempty"`
	InResponseTo []fm.Reference         `json:"inResponseTo,omitempty"`
	Status       string                 `json:"status"`
	Category     []fm.CodeableConcept   `json:"category,omitempty"`
	Priority     *string                `json:"priority,omitempty"`
	Subject      *fm.Reference          `json:"subject,omitempty"`
	Sent         *string                `json:"sent,omitempty"`
	Recipient    []fm.Reference         `json:"recipient,omitempty"`
	Sender       *fm.Reference          `json:"sender,omitempty"`
	Payload      []communicationPayload `json:"payload,omitempty"`
}

type communicationPayload struct {
	ContentString *string `json:"contentString,omitempty"`
}

// Priorities of a note as FHIR request priorities.
var liaisonPriorities = map[domain.Priority]string{
	domain.PriorityNormale: "routine", domain.PriorityImportante: "urgent", domain.PriorityUrgente: "asap",
}

// liaison projects a note of the cahier de liaison (or a reply:
// inResponseTo). Recipients are accounts (Practitioner) and roles of the
// establishment (PractitionerRole named by the role's code).
func liaison(n domain.LiaisonNote) communication {
	cm := communication{ResourceType: "Communication", Id: ptr(n.ID.String()), Status: "completed",
		Category: []fm.CodeableConcept{sectionCoding(n.Section)}, Priority: ptr(liaisonPriorities[n.Priority]),
		Sent: instant(n.CreatedAt), Sender: &fm.Reference{Display: ptr(n.AuthorName)},
		Payload: []communicationPayload{{ContentString: ptr(n.Body)}}}
	if n.UsagerID != uuid.Nil {
		cm.Subject = ref("Patient", n.UsagerID)
	}
	if n.ParentID != uuid.Nil {
		cm.InResponseTo = []fm.Reference{*ref("Communication", n.ParentID)}
	}
	for _, u := range n.Users {
		cm.Recipient = append(cm.Recipient, *ref("Practitioner", u))
	}
	for _, r := range n.Roles {
		cm.Recipient = append(cm.Recipient, fm.Reference{Type: ptr("PractitionerRole"),
			Identifier: &fm.Identifier{System: ptr(systemRole), Value: ptr(string(r))}, Display: ptr(r.Label())})
	}
	return cm
}

// liaisonFromFHIR maps a Communication to a note: person, section,
// priority, text, recipients and the note answered. Errors are badInput at
// the element's path; the domain's rules (recipients of the establishment…)
// are checked by the caller. A note without category goes to section def.
func liaisonFromFHIR(cm communication, def domain.Section) (domain.LiaisonNote, error) {
	n := domain.LiaisonNote{Section: def, Priority: domain.PriorityNormale}
	if cm.Status != "completed" && cm.Status != "" {
		return n, badInput{"Communication.status", "Communication.status : seule une note envoyée (completed) est acceptée."}
	}
	if cm.Subject == nil {
		return n, badInput{"Communication.subject", "Communication.subject est obligatoire : la personne accompagnée (Patient/<identifiant>)."}
	}
	id, ok := refID(cm.Subject, "Patient")
	if !ok {
		return n, badInput{"Communication.subject", "Communication.subject attend une référence Patient/<identifiant>."}
	}
	n.UsagerID = id
	if len(cm.Category) > 0 {
		sec := sectionOfConcepts(cm.Category)
		if !sec.IsRecord() {
			return n, badInput{"Communication.category", "Communication.category : section inconnue (système " + systemSection + " : admin, social, educational, care ou medical)."}
		}
		n.Section = sec
	}
	if cm.Priority != nil {
		found := false
		for p, code := range liaisonPriorities {
			if code == *cm.Priority {
				n.Priority, found = p, true
			}
		}
		if !found {
			return n, badInput{"Communication.priority", "Communication.priority : routine, urgent ou asap attendu."}
		}
	}
	if len(cm.Payload) != 1 || cm.Payload[0].ContentString == nil {
		return n, badInput{"Communication.payload", "Communication.payload : un seul contenu texte (contentString) est attendu."}
	}
	n.Body = *cm.Payload[0].ContentString
	if len(cm.InResponseTo) > 1 {
		return n, badInput{"Communication.inResponseTo", "Communication.inResponseTo : une seule note à laquelle répondre."}
	}
	if len(cm.InResponseTo) == 1 {
		parent, ok := refID(&cm.InResponseTo[0], "Communication")
		if !ok {
			return n, badInput{"Communication.inResponseTo[0]", "Communication.inResponseTo attend une référence Communication/<identifiant>."}
		}
		n.ParentID = parent
	}
	for i, r := range cm.Recipient {
		if u, ok := refID(&r, "Practitioner"); ok {
			n.Users = append(n.Users, u)
			continue
		}
		if r.Identifier != nil && r.Identifier.System != nil && *r.Identifier.System == systemRole && r.Identifier.Value != nil {
			n.Roles = append(n.Roles, domain.Role(*r.Identifier.Value))
			continue
		}
		return n, badInput{fmt.Sprintf("Communication.recipient[%d]", i), "Destinataire : une référence Practitioner/<identifiant> ou un rôle (identifier du système " + systemRole + ")."}
	}
	return n, nil
}

// liaisonPaths places the note form's fields in a Communication.
var liaisonPaths = map[string]string{
	"usager_id": "Communication.subject", "section": "Communication.category", "priority": "Communication.priority",
	"body": "Communication.payload[0].contentString", "recipients": "Communication.recipient",
}

// readableNote reads a note the client may see: in its establishment,
// about a visible person, of a readable section (403 for another section).
func (s *Server) readableNote(c *gin.Context, tx domain.Tx, id uuid.UUID, sections []domain.Section) (domain.LiaisonNote, error) {
	n, err := tx.LiaisonNote(id)
	if err != nil {
		return n, err
	}
	if n.EstablishmentID != client(c).Client.EstablishmentID || n.UsagerID == uuid.Nil {
		return n, domain.ErrNotFound
	}
	if err := s.mustSee(c, tx, n.UsagerID); err != nil {
		return n, err
	}
	if !sectionIn(sections, n.Section) {
		return n, errSection{n.Section}
	}
	return n, nil
}

// errSection is an item of a section the client's role may not act on.
type errSection struct{ section domain.Section }

func (e errSection) Error() string { return "section " + string(e.section) + " not allowed" }

func sectionIn(sections []domain.Section, sec domain.Section) bool {
	for _, s := range sections {
		if s == sec {
			return true
		}
	}
	return false
}

// failItem maps errors of one item, a section not allowed included.
func (s *Server) failItem(c *gin.Context, resource string, err error) {
	var es errSection
	if errors.As(err, &es) {
		sectionForbidden(c, resource, es.section)
		return
	}
	s.fail(c, err)
}

func (s *Server) readCommunication(c *gin.Context) {
	sections, ok := s.clientSections(c, "Communication", "read")
	if !ok {
		return
	}
	id, ok := pathID(c, "Communication")
	if !ok {
		return
	}
	var out communication
	err := s.inTenant(c, func(tx domain.Tx) error {
		n, err := s.readableNote(c, tx, id, sections)
		if err != nil {
			return err
		}
		out = liaison(n)
		return s.traceSections(c, tx, n.UsagerID, "Communication", []domain.Section{n.Section}, "lecture Communication (note de liaison)")
	})
	if err != nil {
		s.failItem(c, "Communication", err)
		return
	}
	writeJSON(c, http.StatusOK, out)
}

// searchCommunications lists a person's notes of the client's establishment
// in the sections its role reads, with their replies, newest first.
func (s *Server) searchCommunications(c *gin.Context) {
	sections, ok := s.clientSections(c, "Communication", "read")
	if !ok {
		return
	}
	patient, sent, err := patientDateParams(c, "Communication", "sent")
	if badParams(c, err) {
		return
	}
	cp := client(c)
	set := newSearchset(c, "Communication")
	err = s.inTenant(c, func(tx domain.Tx) error {
		if err := s.mustSee(c, tx, patient); errors.Is(err, domain.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		var readable []domain.EstabSection
		for _, sec := range sections {
			readable = append(readable, domain.EstabSection{EstablishmentID: cp.Client.EstablishmentID, Section: sec})
		}
		notes, err := tx.LiaisonThreads(patient, readable)
		if err != nil {
			return err
		}
		var seen []domain.Section
		for _, n := range notes {
			if !sent.holds(n.CreatedAt) {
				continue
			}
			seen = append(seen, n.Section)
			if err := set.add(n.ID.String(), liaison(n)); err != nil {
				return err
			}
		}
		return s.traceSections(c, tx, patient, "Communication", seen, fmt.Sprintf("recherche Communication (%d résultat(s))", len(set.b.Entry)))
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, set.bundle())
}

// decodeCommunication reads a Communication strictly.
func decodeCommunication(body []byte) (communication, error) {
	var cm communication
	err := decodeStrict(body, "Communication", &cm, func() string { return cm.ResourceType })
	return cm, err
}

// createCommunication writes a note of the cahier de liaison in the
// client's establishment, signed by the client, or a reply to a note.
func (s *Server) createCommunication(c *gin.Context) {
	sections, ok := s.clientSections(c, "Communication", "write")
	if !ok {
		return
	}
	body, ok := s.readBody(c)
	if !ok {
		return
	}
	cm, err := decodeCommunication(body)
	var n domain.LiaisonNote
	if err == nil {
		n, err = liaisonFromFHIR(cm, defaultSection(sections))
	}
	if refuse(c, err, "Communication", liaisonPaths) {
		return
	}
	cp := client(c)
	var refused error
	err = s.inTenant(c, func(tx domain.Tx) error {
		if n.ParentID != uuid.Nil {
			parent, err := s.readableNote(c, tx, n.ParentID, sections)
			if errors.Is(err, domain.ErrNotFound) || errors.As(err, new(errSection)) {
				refused = badInput{"Communication.inResponseTo[0]", "La note à laquelle répondre est introuvable ou hors des sections du client."}
				return nil
			}
			if err != nil {
				return err
			}
			if parent.UsagerID != n.UsagerID {
				refused = badInput{"Communication.subject", "Une réponse porte sur la personne de la note à laquelle elle répond."}
				return nil
			}
			body, err := domain.ParseReply(n.Body)
			if err != nil {
				refused = err
				return nil
			}
			n = domain.LiaisonNote{ParentID: parent.ID, Body: body, Priority: parent.Priority} // as a reply in the UI
		} else {
			if err := s.mustSee(c, tx, n.UsagerID); errors.Is(err, domain.ErrNotFound) {
				refused = badInput{"Communication.subject", "Personne inconnue dans l'établissement du client."}
				return nil
			} else if err != nil {
				return err
			}
			if !sectionIn(sections, n.Section) {
				refused = badInput{"Communication.category", "Les habilitations du client ne permettent pas d'écrire dans la section « " + n.Section.Label() + " »."}
				return nil
			}
			members, err := tx.AllMemberships()
			if err != nil {
				return err
			}
			in := domain.LiaisonInput{EstablishmentID: cp.Client.EstablishmentID.String(), UsagerID: n.UsagerID.String(),
				Section: string(n.Section), Priority: string(n.Priority), Body: n.Body}
			for _, u := range n.Users {
				in.Users = append(in.Users, u.String())
			}
			for _, r := range n.Roles {
				in.Roles = append(in.Roles, string(r))
			}
			parsed, err := in.Parse(members)
			if err != nil {
				refused = err
				return nil
			}
			n = parsed
		}
		n.AuthorID, n.AuthorName, n.CreatedAt = cp.UserID, authorName(c), s.cfg.Now().UTC()
		if err := tx.SaveLiaisonNote(&n); err != nil {
			return err
		}
		saved, err := tx.LiaisonNote(n.ID)
		if err != nil {
			return err
		}
		n = saved
		return s.trace(c, tx, s.roleFor(c, n.Section, domain.ActionWrite), n.UsagerID, n.Section, domain.ActionWrite, "création Communication (note de liaison)")
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	if refused != nil {
		if !refuse(c, refused, "Communication", liaisonPaths) {
			s.internal(c, refused)
		}
		return
	}
	c.Header("Location", baseURL(c)+"/Communication/"+n.ID.String())
	writeJSON(c, http.StatusCreated, liaison(n))
}
