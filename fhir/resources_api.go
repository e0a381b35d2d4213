package fhir

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
)

// scopedResource is a resource that belongs to one person's record: read by
// id, searched by patient; visible when the person is.
type scopedResource struct {
	name string
	// read returns the resource with the usager it belongs to.
	read func(tx domain.Tx, id uuid.UUID) (uuid.UUID, any, error)
	// list returns the person's resources with their ids.
	list func(tx domain.Tx, usager uuid.UUID) ([]idResource, error)
}

type idResource struct {
	id  uuid.UUID
	res any
}

func scopedResources() []scopedResource {
	return []scopedResource{
		{name: "Encounter",
			read: func(tx domain.Tx, id uuid.UUID) (uuid.UUID, any, error) {
				st, err := tx.Stay(id)
				if err != nil {
					return uuid.Nil, nil, err
				}
				e, err := tx.Establishment(st.EstablishmentID)
				return st.UsagerID, encounter(st, e.Category), err
			},
			list: func(tx domain.Tx, usager uuid.UUID) ([]idResource, error) {
				stays, err := tx.Stays(usager)
				if err != nil {
					return nil, err
				}
				var out []idResource
				for _, st := range stays {
					e, err := tx.Establishment(st.EstablishmentID)
					if err != nil {
						return nil, err
					}
					out = append(out, idResource{st.ID, encounter(st, e.Category)})
				}
				return out, nil
			}},
		{name: "CarePlan",
			read: func(tx domain.Tx, id uuid.UUID) (uuid.UUID, any, error) {
				p, err := tx.Plan(id)
				if err != nil {
					return uuid.Nil, nil, err
				}
				e, err := tx.Establishment(p.EstablishmentID)
				return p.UsagerID, carePlan(p, e.Category), err
			},
			list: func(tx domain.Tx, usager uuid.UUID) ([]idResource, error) {
				plans, err := tx.Plans(usager)
				var out []idResource
				for _, p := range plans {
					e, err := tx.Establishment(p.EstablishmentID)
					if err != nil {
						return nil, err
					}
					out = append(out, idResource{p.ID, carePlan(p, e.Category)})
				}
				return out, err
			}},
		{name: "Goal",
			read: func(tx domain.Tx, id uuid.UUID) (uuid.UUID, any, error) {
				p, err := tx.PlanOfGoal(id)
				if err != nil {
					return uuid.Nil, nil, err
				}
				g, err := p.Goal(id)
				if err != nil {
					return uuid.Nil, nil, err
				}
				return p.UsagerID, goal(p, *g), nil
			},
			list: func(tx domain.Tx, usager uuid.UUID) ([]idResource, error) {
				plans, err := tx.Plans(usager)
				var out []idResource
				for _, p := range plans {
					for _, g := range p.Goals {
						out = append(out, idResource{g.ID, goal(p, g)})
					}
				}
				return out, err
			}},
		{name: "RelatedPerson",
			read: func(tx domain.Tx, id uuid.UUID) (uuid.UUID, any, error) {
				c, err := tx.Contact(id)
				return c.UsagerID, relatedPerson(c), err
			},
			list: func(tx domain.Tx, usager uuid.UUID) ([]idResource, error) {
				cs, err := tx.Contacts(usager)
				var out []idResource
				for _, c := range cs {
					out = append(out, idResource{c.ID, relatedPerson(c)})
				}
				return out, err
			}},
		{name: "AllergyIntolerance",
			read: func(tx domain.Tx, id uuid.UUID) (uuid.UUID, any, error) {
				m, err := tx.MedicalItem(id)
				if err == nil && !m.Kind.IsAllergy() {
					err = domain.ErrNotFound
				}
				return m.UsagerID, allergy(m), err
			},
			list: func(tx domain.Tx, usager uuid.UUID) ([]idResource, error) {
				items, err := tx.MedicalItems(usager)
				var out []idResource
				for _, m := range items {
					if m.Kind.IsAllergy() {
						out = append(out, idResource{m.ID, allergy(m)})
					}
				}
				return out, err
			}},
	}
}

func (s *Server) readScoped(r scopedResource) gin.HandlerFunc {
	return func(c *gin.Context) {
		role, ok := s.allow(c, r.name, "read")
		if !ok {
			return
		}
		id, ok := pathID(c, r.name)
		if !ok {
			return
		}
		var res any
		err := s.inTenant(c, func(tx domain.Tx) error {
			usager, v, err := r.read(tx, id)
			if err != nil {
				return err
			}
			if err := s.mustSee(c, tx, usager); err != nil {
				return err
			}
			res = v
			return s.trace(c, tx, role, usager, sectionOf(r.name), domain.ActionRead, "lecture "+r.name)
		})
		if err != nil {
			s.fail(c, err)
			return
		}
		writeJSON(c, http.StatusOK, res)
	}
}

// mustSee answers ErrNotFound for a person outside the client's
// establishment, or merged into another record.
func (s *Server) mustSee(c *gin.Context, tx domain.Tx, usager uuid.UUID) error {
	_, err := s.visibleUsager(c, tx, usager)
	return err
}

// visibleUsager reads a record the client may see: a person with a stay in
// its establishment and not merged away; anything else is ErrNotFound.
func (s *Server) visibleUsager(c *gin.Context, tx domain.Tx, usager uuid.UUID) (domain.Usager, error) {
	u, err := tx.Usager(usager)
	if err != nil {
		return u, err
	}
	ok, err := visible(tx, client(c).Client.EstablishmentID, usager)
	if err != nil {
		return u, err
	}
	if !ok || u.MergedInto != uuid.Nil {
		return u, domain.ErrNotFound
	}
	return u, nil
}

// pathID reads the :id of a read; an id that is not Relais's answers 404
// (the resource cannot exist), not 400.
func pathID(c *gin.Context, resource string) (uuid.UUID, bool) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		outcome(c, http.StatusNotFound, fm.IssueTypeNotFound, resource+" introuvable : l'identifiant n'est pas un identifiant Relais.")
		return uuid.Nil, false
	}
	return id, true
}

// patientRef reads the patient search parameter: one Patient/<id> (or the
// bare id).
func patientRef(name string, values []string) (uuid.UUID, error) {
	if len(values) > 1 {
		return uuid.Nil, paramError{name, "Le paramètre patient ne peut être répété."}
	}
	id, err := uuid.Parse(strings.TrimPrefix(values[0], "Patient/"))
	if err != nil {
		return uuid.Nil, paramError{name, "patient attend une référence Patient/<identifiant>."}
	}
	return id, nil
}

// patientParam reads the required patient parameter ("Patient/<id>" or the
// bare id) and refuses any other parameter.
func patientParam(c *gin.Context, resource string) (uuid.UUID, error) {
	var patient uuid.UUID
	for name, values := range c.Request.URL.Query() {
		switch name {
		case "_format":
		case "patient":
			id, err := patientRef(name, values)
			if err != nil {
				return uuid.Nil, err
			}
			patient = id
		default:
			return uuid.Nil, paramError{name, "Paramètre de recherche non pris en charge pour " + resource + " : " + name + " (voir /fhir/metadata)."}
		}
	}
	if patient == uuid.Nil {
		return uuid.Nil, paramError{"patient", "La recherche de " + resource + " se fait par personne : paramètre patient obligatoire."}
	}
	return patient, nil
}

func (s *Server) searchScoped(r scopedResource) gin.HandlerFunc {
	return func(c *gin.Context) {
		role, ok := s.allow(c, r.name, "read")
		if !ok {
			return
		}
		patient, err := patientParam(c, r.name)
		var pe paramError
		if errors.As(err, &pe) {
			outcome(c, http.StatusBadRequest, fm.IssueTypeInvalid, pe.msg, pe.param)
			return
		}
		base := baseURL(c)
		b := fm.Bundle{Type: fm.BundleTypeSearchset, Link: []fm.BundleLink{{Relation: "self", Url: base + "/" + r.name + "?" + c.Request.URL.RawQuery}}}
		err = s.inTenant(c, func(tx domain.Tx) error {
			if err := s.mustSee(c, tx, patient); errors.Is(err, domain.ErrNotFound) {
				return nil // an unknown or invisible person has nothing: an empty searchset
			} else if err != nil {
				return err
			}
			items, err := r.list(tx, patient)
			if err != nil {
				return err
			}
			for _, it := range items {
				raw, err := marshal(it.res)
				if err != nil {
					return err
				}
				b.Entry = append(b.Entry, fm.BundleEntry{FullUrl: ptr(base + "/" + r.name + "/" + it.id.String()), Resource: raw,
					Search: &fm.BundleEntrySearch{Mode: ptr(fm.SearchEntryModeMatch)}})
			}
			return s.trace(c, tx, role, patient, sectionOf(r.name), domain.ActionRead, fmt.Sprintf("recherche %s (%d résultat(s))", r.name, len(items)))
		})
		if err != nil {
			s.fail(c, err)
			return
		}
		b.Total = ptr(len(b.Entry))
		writeJSON(c, http.StatusOK, b)
	}
}

// Organizations: the organisation (entité juridique) and its
// establishments; nothing personal, readable by any client of the
// organisation with the scope.
func (s *Server) readOrganization(c *gin.Context) {
	if _, ok := s.allow(c, "Organization", "read"); !ok {
		return
	}
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		outcome(c, http.StatusNotFound, fm.IssueTypeNotFound, "Organization introuvable.")
		return
	}
	var res any
	err = s.inTenant(c, func(tx domain.Tx) error {
		o, err := tx.Organisation()
		if err != nil {
			return err
		}
		if o.ID == id {
			res = organisation(o)
			return nil
		}
		e, err := tx.Establishment(id)
		res = establishment(e)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, res)
}

func (s *Server) searchOrganizations(c *gin.Context) {
	if _, ok := s.allow(c, "Organization", "read"); !ok {
		return
	}
	var finess string
	for name, values := range c.Request.URL.Query() {
		switch name {
		case "_format":
		case "identifier":
			finess = values[0]
			if sys, v, found := strings.Cut(finess, "|"); found {
				if sys != systemFINESS {
					outcome(c, http.StatusBadRequest, fm.IssueTypeInvalid, "Seul le système FINESS ("+systemFINESS+") est pris en charge.", name)
					return
				}
				finess = v
			}
		default:
			outcome(c, http.StatusBadRequest, fm.IssueTypeInvalid, "Paramètre de recherche non pris en charge pour Organization : "+name+" (voir /fhir/metadata).", name)
			return
		}
	}
	base := baseURL(c)
	b := fm.Bundle{Type: fm.BundleTypeSearchset, Link: []fm.BundleLink{{Relation: "self", Url: base + "/Organization?" + c.Request.URL.RawQuery}}}
	add := func(id uuid.UUID, code string, res any) error {
		if finess != "" && finess != code {
			return nil
		}
		raw, err := marshal(res)
		b.Entry = append(b.Entry, fm.BundleEntry{FullUrl: ptr(base + "/Organization/" + id.String()), Resource: raw,
			Search: &fm.BundleEntrySearch{Mode: ptr(fm.SearchEntryModeMatch)}})
		return err
	}
	err := s.inTenant(c, func(tx domain.Tx) error {
		o, err := tx.Organisation()
		if err != nil {
			return err
		}
		if err := add(o.ID, o.FinessEJ, organisation(o)); err != nil {
			return err
		}
		estabs, err := tx.Establishments()
		for _, e := range estabs {
			if err := add(e.ID, e.FinessET, establishment(e)); err != nil {
				return err
			}
		}
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	b.Total = ptr(len(b.Entry))
	writeJSON(c, http.StatusOK, b)
}
