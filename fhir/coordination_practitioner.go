package fhir

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
)

// National identifiers of professionals (FR Core Practitioner): the RPPS
// number and idNatPS, "8" followed by it.
const (
	systemRPPSDirectory = "https://rpps.esante.gouv.fr"
	systemIdNatPS       = "urn:oid:1.2.250.1.71.4.2.1"
	// systemProfession is the national nomenclature of health professions.
	systemProfession = "https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante"
)

// practitioner projects an account as a professional: national identifiers
// when its RPPS is known, its display name and profession. Logins, emails
// and everything else of the account stay out.
func practitioner(p domain.Practitioner) fm.Practitioner {
	out := fm.Practitioner{Id: ptr(p.ID.String()), Active: ptr(p.Active), Name: []fm.HumanName{{Use: ptr(fm.NameUseUsual), Text: ptr(p.DisplayName)}}}
	if p.RPPS != "" {
		out.Identifier = []fm.Identifier{
			{Use: ptr(fm.IdentifierUseOfficial), Type: &fm.CodeableConcept{Coding: []fm.Coding{{System: ptr(csIdentifierType), Code: ptr("IDNPS")}}},
				System: ptr(systemIdNatPS), Value: ptr("8" + p.RPPS)},
			{Use: ptr(fm.IdentifierUseOfficial), Type: &fm.CodeableConcept{Coding: []fm.Coding{{System: ptr(csIdentifierType), Code: ptr("RPPS")}}},
				System: ptr(systemRPPSDirectory), Value: ptr(p.RPPS)},
		}
	}
	if p.Profession != "" {
		out.Qualification = []fm.PractitionerQualification{{Code: fm.CodeableConcept{
			Coding: []fm.Coding{{System: ptr(systemProfession), Code: ptr(string(p.Profession)), Display: ptr(p.Profession.Label())}}}}}
	}
	return out
}

// roleID names one membership (account × establishment × role) with a
// stable id: FHIR ids are at most 64 characters, two UUIDs are more.
func roleID(m domain.Membership) uuid.UUID {
	return uuid.NewSHA1(m.UserID, []byte(m.EstablishmentID.String()+"|"+string(m.Role)))
}

// practitionerRole projects one membership: the account's Relais role in
// an establishment.
func practitionerRole(m domain.Membership, active bool) fm.PractitionerRole {
	return fm.PractitionerRole{Id: ptr(roleID(m).String()), Active: ptr(active),
		Practitioner: ref("Practitioner", m.UserID), Organization: ref("Organization", m.EstablishmentID),
		Code: []fm.CodeableConcept{{Coding: []fm.Coding{{System: ptr(systemRole), Code: ptr(string(m.Role)), Display: ptr(m.Role.Label())}}}}}
}

// professionals are the accounts of the client's establishment matching q
// (they hold its roles).
func (s *Server) professionals(c *gin.Context, tx domain.Tx, q domain.PractitionerQuery) ([]domain.Practitioner, error) {
	q.EstablishmentID = client(c).Client.EstablishmentID
	return tx.Practitioners(q)
}

// practitioners are the accounts, then the outside prescribers named in
// the establishment's prescriptions, matching q.
func (s *Server) practitioners(c *gin.Context, tx domain.Tx, q domain.PractitionerQuery) ([]domain.Practitioner, error) {
	q.EstablishmentID = client(c).Client.EstablishmentID
	accounts, err := tx.Practitioners(q)
	if err != nil {
		return nil, err
	}
	prescribers, err := tx.Prescribers(q)
	return append(accounts, prescribers...), err
}

func (s *Server) readPractitioner(c *gin.Context) {
	if _, ok := s.allow(c, "Practitioner", "read"); !ok {
		return
	}
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		outcome(c, http.StatusNotFound, fm.IssueTypeNotFound, "Practitioner introuvable.")
		return
	}
	var out fm.Practitioner
	err = s.inTenant(c, func(tx domain.Tx) error {
		ps, err := s.practitioners(c, tx, domain.PractitionerQuery{ID: id})
		if err != nil {
			return err
		}
		if len(ps) == 0 {
			return domain.ErrNotFound
		}
		out = practitioner(ps[0])
		return nil
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, out)
}

func (s *Server) searchPractitioners(c *gin.Context) {
	if _, ok := s.allow(c, "Practitioner", "read"); !ok {
		return
	}
	var q domain.PractitionerQuery
	for name, values := range c.Request.URL.Query() {
		v := values[0]
		switch name {
		case "_format":
		case "identifier":
			sys, val, found := strings.Cut(v, "|")
			if !found {
				sys, val = "", v
			}
			switch {
			case sys == systemIdNatPS || (sys == "" && len(val) == 12 && val[0] == '8'):
				val = strings.TrimPrefix(val, "8")
			case sys == systemRPPSDirectory || sys == "":
			default:
				outcome(c, http.StatusBadRequest, fm.IssueTypeInvalid, "Seuls les systèmes RPPS ("+systemRPPSDirectory+") et idNatPS ("+systemIdNatPS+") sont pris en charge.", name)
				return
			}
			if len(val) != 11 || domain.CheckRPPS(val) != "" {
				outcome(c, http.StatusBadRequest, fm.IssueTypeInvalid, "identifier attend un numéro RPPS valide (11 chiffres) ou un idNatPS (8 suivi du RPPS).", name)
				return
			}
			q.RPPS = val
		case "name":
			if strings.TrimSpace(v) == "" {
				outcome(c, http.StatusBadRequest, fm.IssueTypeInvalid, "name ne peut être vide.", name)
				return
			}
			q.Name = v
		default:
			outcome(c, http.StatusBadRequest, fm.IssueTypeInvalid, "Paramètre de recherche non pris en charge pour Practitioner : "+name+" (voir /fhir/metadata).", name)
			return
		}
	}
	set := newSearchset(c, "Practitioner")
	err := s.inTenant(c, func(tx domain.Tx) error {
		ps, err := s.practitioners(c, tx, q)
		for _, p := range ps {
			if err := set.add(p.ID.String(), practitioner(p)); err != nil {
				return err
			}
		}
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, set.bundle())
}

// estabRoles are the memberships of the client's establishment of ps.
func estabRoles(c *gin.Context, ps []domain.Practitioner) []fm.PractitionerRole {
	var out []fm.PractitionerRole
	for _, p := range ps {
		for _, m := range p.Memberships {
			if m.EstablishmentID == client(c).Client.EstablishmentID {
				out = append(out, practitionerRole(m, p.Active))
			}
		}
	}
	return out
}

func (s *Server) readPractitionerRole(c *gin.Context) {
	if _, ok := s.allow(c, "PractitionerRole", "read"); !ok {
		return
	}
	id := c.Param("id")
	var out *fm.PractitionerRole
	err := s.inTenant(c, func(tx domain.Tx) error {
		ps, err := s.professionals(c, tx, domain.PractitionerQuery{})
		for _, r := range estabRoles(c, ps) {
			if *r.Id == id {
				out = &r
			}
		}
		if err == nil && out == nil {
			err = domain.ErrNotFound
		}
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, *out)
}

func (s *Server) searchPractitionerRoles(c *gin.Context) {
	if _, ok := s.allow(c, "PractitionerRole", "read"); !ok {
		return
	}
	var q domain.PractitionerQuery
	otherEstab := false
	for name, values := range c.Request.URL.Query() {
		switch name {
		case "_format":
		case "practitioner":
			id, err := uuid.Parse(strings.TrimPrefix(values[0], "Practitioner/"))
			if err != nil {
				outcome(c, http.StatusBadRequest, fm.IssueTypeInvalid, "practitioner attend une référence Practitioner/<identifiant>.", name)
				return
			}
			q.ID = id
		case "organization":
			id, err := uuid.Parse(strings.TrimPrefix(values[0], "Organization/"))
			if err != nil {
				outcome(c, http.StatusBadRequest, fm.IssueTypeInvalid, "organization attend une référence Organization/<identifiant>.", name)
				return
			}
			otherEstab = id != client(c).Client.EstablishmentID
		default:
			outcome(c, http.StatusBadRequest, fm.IssueTypeInvalid, "Paramètre de recherche non pris en charge pour PractitionerRole : "+name+" (voir /fhir/metadata).", name)
			return
		}
	}
	set := newSearchset(c, "PractitionerRole")
	err := s.inTenant(c, func(tx domain.Tx) error {
		if otherEstab {
			return nil // only the client's establishment is visible
		}
		ps, err := s.professionals(c, tx, q)
		if err != nil {
			return err
		}
		for _, r := range estabRoles(c, ps) {
			if err := set.add(*r.Id, r); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, domain.ErrNotFound) {
		err = nil
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, set.bundle())
}
