package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
)

// Coordination resources: liaison notes (Communication), agenda
// (Appointment), consents (Consent), professionals (Practitioner,
// PractitionerRole) and the access trail (AuditEvent).

// Local code systems of Relais (sections, roles, event types).
const (
	systemSection   = "urn:relais:section"
	systemRole      = "urn:relais:role"
	systemEventType = "urn:relais:event-type"
	systemSerafin   = "urn:relais:serafin"
)

// coordinationSpecs are the coordination resource types served. Liaison
// notes and events carry their own record section: reads and writes are
// checked against each item's section, and a partner's note or event that
// names none goes to defaultSection.
var coordinationSpecs = []resourceSpec{
	{name: "Communication", section: domain.SectionAdmin, typ: fm.ResourceTypeCommunication, profile: "http://hl7.org/fhir/StructureDefinition/Communication",
		interactions: readSearchCreate,
		params: []searchParam{patientParamSpec,
			{"sent", fm.SearchParamTypeDate, "Date d'envoi, préfixes ge, gt, le, lt ou eq (AAAA-MM-JJ, heure de Paris), répétable."}}},
	{name: "Appointment", section: domain.SectionAdmin, typ: fm.ResourceTypeAppointment, profile: "http://hl7.org/fhir/StructureDefinition/Appointment",
		interactions: readSearchCreate,
		params: []searchParam{patientParamSpec,
			{"date", fm.SearchParamTypeDate, "Début de l'événement, préfixes ge, gt, le, lt ou eq (AAAA-MM-JJ, heure de Paris), répétable."}}},
	{name: "Consent", section: domain.SectionAdmin, typ: fm.ResourceTypeConsent, profile: "http://hl7.org/fhir/StructureDefinition/Consent",
		interactions: readSearch, params: []searchParam{patientParamSpec}},
	{name: "Practitioner", section: domain.SectionAdmin, typ: fm.ResourceTypePractitioner, profile: "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-practitioner",
		interactions: readSearch,
		params: []searchParam{
			{"identifier", fm.SearchParamTypeToken, "Numéro RPPS (système " + systemRPPSDirectory + ") ou identifiant national idNatPS (système " + systemIdNatPS + ", 8 suivi du RPPS)."},
			{"name", fm.SearchParamTypeString, "Début d'un mot du nom, sans accents ni casse."}}},
	{name: "PractitionerRole", section: domain.SectionAdmin, typ: fm.ResourceTypePractitionerRole, profile: "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-practitioner-role",
		interactions: readSearch,
		params: []searchParam{
			{"practitioner", fm.SearchParamTypeReference, "Practitioner/<identifiant>."},
			{"organization", fm.SearchParamTypeReference, "Organization/<identifiant> : l'établissement du client (les autres n'ont aucun résultat)."}}},
	{name: "AuditEvent", section: domain.SectionTrail, typ: fm.ResourceTypeAuditEvent, profile: "http://hl7.org/fhir/StructureDefinition/AuditEvent",
		interactions: readSearch,
		params: []searchParam{patientParamSpec,
			{"date", fm.SearchParamTypeDate, "Date de l'accès, préfixes ge, gt, le, lt ou eq (AAAA-MM-JJ, heure de Paris), répétable."}}},
}

var readSearchCreate = []fm.TypeRestfulInteraction{fm.TypeRestfulInteractionRead, fm.TypeRestfulInteractionSearchType, fm.TypeRestfulInteractionCreate}

// coordinationScoped are the coordination resources of one person's record
// searched by patient alone.
func coordinationScoped() []scopedResource {
	return []scopedResource{
		{name: "Consent",
			read: func(tx domain.Tx, id uuid.UUID) (uuid.UUID, any, error) {
				c, err := tx.Consent(id)
				return c.UsagerID, consent(c), err
			},
			list: func(tx domain.Tx, usager uuid.UUID) ([]idResource, error) {
				cs, err := tx.Consents(usager)
				var out []idResource
				for _, c := range cs {
					out = append(out, idResource{c.ID, consent(c)})
				}
				return out, err
			}},
	}
}

// registerCoordination mounts the coordination interactions beyond scoped
// read and search.
func (s *Server) registerCoordination(a *gin.RouterGroup) {
	a.GET("/Communication", s.searchCommunications)
	a.GET("/Communication/:id", s.readCommunication)
	a.POST("/Communication", s.createCommunication)
	a.GET("/Appointment", s.searchAppointments)
	a.GET("/Appointment/:id", s.readAppointment)
	a.POST("/Appointment", s.createAppointment)
	a.GET("/Practitioner", s.searchPractitioners)
	a.GET("/Practitioner/:id", s.readPractitioner)
	a.GET("/PractitionerRole", s.searchPractitionerRoles)
	a.GET("/PractitionerRole/:id", s.readPractitionerRole)
	a.GET("/AuditEvent", s.searchAuditEvents)
	a.GET("/AuditEvent/:id", s.readAuditEvent)
}

// sectionCoding names a record section in Relais's local system.
func sectionCoding(sec domain.Section) fm.CodeableConcept {
	return fm.CodeableConcept{Coding: []fm.Coding{{System: ptr(systemSection), Code: ptr(string(sec)), Display: ptr(sec.Label())}}}
}

// sectionOfConcepts reads the section coded in concepts; "" when none.
func sectionOfConcepts(concepts []fm.CodeableConcept) domain.Section {
	for _, cc := range concepts {
		for _, c := range cc.Coding {
			if c.System != nil && *c.System == systemSection && c.Code != nil {
				return domain.Section(*c.Code)
			}
		}
	}
	return ""
}

// clientSections are the record sections the client's role may act on in
// its establishment, once the token's scope covers the resource (403
// otherwise, or when no section is left).
func (s *Server) clientSections(c *gin.Context, resource, act string) ([]domain.Section, bool) {
	cp := client(c)
	if !domain.ScopesAllow(cp.Scopes, resource, act) {
		outcome(c, http.StatusForbidden, fm.IssueTypeForbidden, "La portée du jeton ne couvre pas "+resource+" en "+frenchAct(act)+" (portée attendue : system/"+resource+"."+act+").")
		return nil, false
	}
	a := domain.ActionRead
	if act == "write" {
		a = domain.ActionWrite
	}
	var out []domain.Section
	for _, sec := range domain.RecordSections {
		if _, ok := s.cfg.Authz.Can(cp.Principal, cp.Client.EstablishmentID, sec, a); ok {
			out = append(out, sec)
		}
	}
	if len(out) == 0 {
		outcome(c, http.StatusForbidden, fm.IssueTypeForbidden, "Les habilitations du rôle du client ("+cp.Client.Role.Label()+") ne permettent pas cette action sur "+resource+".")
		return nil, false
	}
	return out, true
}

// defaultSection is where a partner's note or event goes when it names no
// section: the administrative one when the client's role writes there,
// else the first record section it writes (sections are in tab order).
func defaultSection(sections []domain.Section) domain.Section {
	if len(sections) == 0 || sectionIn(sections, domain.SectionAdmin) {
		return domain.SectionAdmin
	}
	return sections[0]
}

// roleFor is the client's role for a section (the trail names it).
func (s *Server) roleFor(c *gin.Context, sec domain.Section, act domain.Action) domain.Role {
	cp := client(c)
	role, _ := s.cfg.Authz.Can(cp.Principal, cp.Client.EstablishmentID, sec, act)
	return role
}

// sectionForbidden answers 403 for an item of a section the client's role
// may not act on.
func sectionForbidden(c *gin.Context, resource string, sec domain.Section) {
	outcome(c, http.StatusForbidden, fm.IssueTypeForbidden, "Les habilitations du rôle du client ("+client(c).Client.Role.Label()+
		") ne couvrent pas la section « "+sec.Label()+" » de cette ressource "+resource+".")
}

// traceSections records one read per section of the items the client
// received (one row when there was none, under the resource's section).
func (s *Server) traceSections(c *gin.Context, tx domain.Tx, usager uuid.UUID, resource string, sections []domain.Section, detail string) error {
	if len(sections) == 0 {
		sections = []domain.Section{sectionOf(resource)}
	}
	seen := map[domain.Section]bool{}
	for _, sec := range sections {
		if seen[sec] {
			continue
		}
		seen[sec] = true
		if err := s.trace(c, tx, s.roleFor(c, sec, domain.ActionRead), usager, sec, domain.ActionRead, detail); err != nil {
			return err
		}
	}
	return nil
}

// dateWindow is a date search parameter: [from, to), zero bounds open.
type dateWindow struct{ from, to time.Time }

func (r dateWindow) holds(t time.Time) bool {
	return (r.from.IsZero() || !t.Before(r.from)) && (r.to.IsZero() || t.Before(r.to))
}

// parse narrows r by one value of a date parameter: a prefix (eq
// by default, ge, gt, le, lt) and a day (Paris time) or an instant.
func (r *dateWindow) parse(name, v string) error {
	prefix := "eq"
	if len(v) > 2 && v[0] >= 'a' && v[0] <= 'z' {
		prefix, v = v[:2], v[2:]
	}
	var start, end time.Time
	if d, err := time.ParseInLocation("2006-01-02", v, domain.Paris()); err == nil {
		start, end = d.UTC(), d.AddDate(0, 0, 1).UTC()
	} else if t, err := time.Parse(time.RFC3339, v); err == nil {
		start, end = t.UTC(), t.UTC().Add(time.Second)
	} else {
		return paramError{name, name + " attend une date AAAA-MM-JJ (ou un instant AAAA-MM-JJThh:mm:ss+01:00), précédée de ge, gt, le, lt ou eq."}
	}
	later := func(a, b time.Time) time.Time {
		if a.IsZero() || b.After(a) {
			return b
		}
		return a
	}
	earlier := func(a, b time.Time) time.Time {
		if a.IsZero() || b.Before(a) {
			return b
		}
		return a
	}
	switch prefix {
	case "eq":
		r.from, r.to = later(r.from, start), earlier(r.to, end)
	case "ge":
		r.from = later(r.from, start)
	case "gt":
		r.from = later(r.from, end)
	case "le":
		r.to = earlier(r.to, end)
	case "lt":
		r.to = earlier(r.to, start)
	default:
		return paramError{name, "Préfixe " + prefix + " non pris en charge pour " + name + " : ge, gt, le, lt ou eq."}
	}
	return nil
}

// patientDateParams reads the required patient parameter and, when
// dateName is not empty, that date parameter; any other parameter is
// refused.
func patientDateParams(c *gin.Context, resource, dateName string) (uuid.UUID, dateWindow, error) {
	var patient uuid.UUID
	var r dateWindow
	for name, values := range c.Request.URL.Query() {
		switch {
		case name == "_format":
		case name == "patient":
			id, err := patientRef(name, values)
			if err != nil {
				return uuid.Nil, r, err
			}
			patient = id
		case name == dateName && dateName != "":
			for _, v := range values {
				if err := r.parse(name, v); err != nil {
					return uuid.Nil, r, err
				}
			}
		default:
			return uuid.Nil, r, paramError{name, "Paramètre de recherche non pris en charge pour " + resource + " : " + name + " (voir /fhir/metadata)."}
		}
	}
	if patient == uuid.Nil {
		return uuid.Nil, r, paramError{"patient", "La recherche de " + resource + " se fait par personne : paramètre patient obligatoire."}
	}
	return patient, r, nil
}

// searchset builds a Bundle of matches.
type searchset struct {
	base, resource string
	b              fm.Bundle
}

func newSearchset(c *gin.Context, resource string) *searchset {
	base := baseURL(c)
	return &searchset{base: base, resource: resource,
		b: fm.Bundle{Type: fm.BundleTypeSearchset, Link: []fm.BundleLink{{Relation: "self", Url: base + "/" + resource + "?" + c.Request.URL.RawQuery}}}}
}

func (s *searchset) add(id string, res any) error {
	raw, err := marshal(res)
	if err != nil {
		return fmt.Errorf("marshal %s: %w", s.resource, err)
	}
	s.b.Entry = append(s.b.Entry, fm.BundleEntry{FullUrl: ptr(s.base + "/" + s.resource + "/" + id), Resource: raw,
		Search: &fm.BundleEntrySearch{Mode: ptr(fm.SearchEntryModeMatch)}})
	return nil
}

func (s *searchset) bundle() fm.Bundle {
	s.b.Total = ptr(len(s.b.Entry))
	return s.b
}

// badParams answers 400 for a refused search parameter; it reports whether
// it did.
func badParams(c *gin.Context, err error) bool {
	var pe paramError
	if errors.As(err, &pe) {
		outcome(c, http.StatusBadRequest, fm.IssueTypeInvalid, pe.msg, pe.param)
		return true
	}
	return false
}

// readBody reads a written resource (1 MB at most); it answers the
// OperationOutcome itself and returns false when it cannot.
func (s *Server) readBody(c *gin.Context) ([]byte, bool) {
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, maxBody+1))
	if err != nil {
		s.internal(c, err)
		return nil, false
	}
	if len(body) > maxBody {
		outcome(c, http.StatusRequestEntityTooLarge, fm.IssueTypeTooLong, "Ressource trop volumineuse (1 Mo au plus).")
		return nil, false
	}
	return body, true
}

// decodeStrict decodes one resource of type name into dst (a struct with a
// resourceType field), refusing unknown elements, values of the wrong type,
// trailing data and any other resourceType; errors are badInput naming the
// place.
func decodeStrict(body []byte, name string, dst any, resourceType func() string) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return badInput{"", fmt.Sprintf("JSON mal formé (position %d) : %v.", syntax.Offset, err)}
	case errors.As(err, &typ):
		// The path runs through the embedded samply type ("Observation.focus"
		// inside a strict wrapper): the FHIR path starts at the resource.
		path := name + "." + strings.TrimPrefix(typ.Field, name+".")
		return badInput{path, "Type de valeur incorrect pour " + path + "."}
	case err != nil && strings.Contains(err.Error(), "unknown field"):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return badInput{name + "." + field, "Élément inconnu ou non pris en charge : " + field + "."}
	case err != nil:
		return badInput{"", "Corps de requête illisible : " + err.Error() + "."}
	case dec.More():
		return badInput{"", "Le corps de la requête doit contenir une seule ressource."}
	case resourceType() != name:
		return badInput{name + ".resourceType", fmt.Sprintf("resourceType %q : une ressource %s est attendue.", resourceType(), name)}
	}
	return nil
}

// refuse answers 400 for a badInput or a ValidationError (each field at
// its FHIR path in paths, or at the resource); it reports whether it did.
func refuse(c *gin.Context, err error, resource string, paths map[string]string) bool {
	var bad badInput
	if errors.As(err, &bad) {
		if bad.path == "" {
			outcome(c, http.StatusBadRequest, fm.IssueTypeStructure, bad.msg)
		} else {
			outcome(c, http.StatusBadRequest, fm.IssueTypeInvalid, bad.msg, bad.path)
		}
		return true
	}
	var v *domain.ValidationError
	if !errors.As(err, &v) {
		return false
	}
	validationOutcome(c, v, resource, paths)
	return true
}

// validationOutcome answers 400 with one issue per refused field, each at
// its FHIR path (paths: domain field → FHIR path; the resource itself when
// absent), with the French message of the matching form.
func validationOutcome(c *gin.Context, v *domain.ValidationError, resource string, paths map[string]string) {
	fields := make([]string, 0, len(v.Fields))
	for f := range v.Fields {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	oo := fm.OperationOutcome{}
	for _, f := range fields {
		path := paths[f]
		if path == "" {
			path = resource
		}
		oo.Issue = append(oo.Issue, fm.OperationOutcomeIssue{Severity: fm.IssueSeverityError, Code: fm.IssueTypeInvalid,
			Diagnostics: ptr(v.Fields[f]), Expression: []string{path}})
	}
	writeJSON(c, http.StatusBadRequest, oo)
	c.Abort()
}

// instant writes t as a FHIR instant (UTC, seconds).
func instant(t time.Time) *string { return ptr(t.UTC().Format("2006-01-02T15:04:05Z")) }

// authorName is how the record shows what a partner wrote.
func authorName(c *gin.Context) string { return client(c).Client.Name + " (partenaire, API FHIR)" }

// refID reads the id of a "Type/<uuid>" reference; ok false otherwise.
func refID(r *fm.Reference, typ string) (uuid.UUID, bool) {
	if r == nil || r.Reference == nil {
		return uuid.Nil, false
	}
	s, found := strings.CutPrefix(*r.Reference, typ+"/")
	if !found {
		return uuid.Nil, false
	}
	id, err := uuid.Parse(s)
	return id, err == nil
}
