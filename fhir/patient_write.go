package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/domain/ins"
)

// maxBody bounds a written resource.
const maxBody = 1 << 20

// badInput is a refused resource: the FHIR path of the fault and why.
type badInput struct{ path, msg string }

func (e badInput) Error() string { return e.msg }

// strictPatient decodes a Patient refusing unknown elements (samply's
// decoder would drop them silently) and any other resourceType.
type strictPatient struct {
	fm.Patient
	ResourceType string `json:"resourceType"`
}

func decodePatient(body []byte) (fm.Patient, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var sp strictPatient
	err := dec.Decode(&sp)
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return sp.Patient, badInput{"", fmt.Sprintf("JSON mal formé (position %d) : %v.", syntax.Offset, err)}
	case errors.As(err, &typ):
		return sp.Patient, badInput{"Patient." + typ.Field, "Type de valeur incorrect pour Patient." + typ.Field + "."}
	case err != nil && strings.Contains(err.Error(), "unknown field"):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return sp.Patient, badInput{"Patient." + field, "Élément inconnu ou non pris en charge : " + field + "."}
	case err != nil:
		return sp.Patient, badInput{"", "Corps de requête illisible : " + err.Error() + "."}
	case dec.More():
		return sp.Patient, badInput{"", "Le corps de la requête doit contenir une seule ressource."}
	case sp.ResourceType != "Patient":
		return sp.Patient, badInput{"Patient.resourceType", fmt.Sprintf("resourceType %q : une ressource Patient est attendue.", sp.ResourceType)}
	}
	return sp.Patient, nil
}

// fieldPaths names, for each field of the identity form, where it comes
// from in a Patient: errors point there.
var fieldPaths = map[string]string{
	"birth_name": "Patient.name[official].family", "first_names": "Patient.name[official].given",
	"used_name": "Patient.name[usual].family", "used_first_name": "Patient.name[usual].given",
	"birth_date": "Patient.birthDate", "sex": "Patient.gender", "birth_place_code": "Patient.extension[birthPlace]",
	"address": "Patient.address", "postal_code": "Patient.address.postalCode", "city": "Patient.address.city",
	"phone": "Patient.telecom", "email": "Patient.telecom",
}

// patientInput maps a Patient back to the identity form, the way a user
// would type it, so that the same rules apply. An INS in identifier is
// checked (a wrong key is refused) but not taken: only INSi and a checked
// document qualify an identity in Relais.
func patientInput(p fm.Patient) (domain.UsagerInput, error) {
	var in domain.UsagerInput
	for i, id := range p.Identifier {
		if id.System == nil || id.Value == nil || !ins.ValidOID(strings.TrimPrefix(*id.System, "urn:oid:")) {
			continue
		}
		v := *id.Value
		key, err := ins.ComputeKey(v[:min(13, len(v))])
		if len(v) != 15 || err != nil || key != v[13:] {
			return in, badInput{fmt.Sprintf("Patient.identifier[%d].value", i), "Matricule INS invalide : 13 caractères et une clé de contrôle exacte attendus."}
		}
	}
	for _, n := range p.Name {
		switch {
		case n.Use == nil || *n.Use == fm.NameUseOfficial:
			if n.Family != nil {
				in.BirthName = *n.Family
			}
			in.FirstNames = strings.Join(n.Given, " ")
		case *n.Use == fm.NameUseUsual:
			if n.Family != nil {
				in.UsedName = *n.Family
			}
			if len(n.Given) > 0 {
				in.UsedFirstName = n.Given[0]
			}
		}
	}
	for _, e := range p.Extension {
		switch e.Url {
		case extBirthListGivenName:
			if e.ValueString != nil {
				in.FirstNames = *e.ValueString // the full list wins over name.given
			}
		case extBirthPlace:
			if e.ValueAddress != nil {
				for _, x := range e.ValueAddress.Extension {
					if x.Url == extInseeCode && x.ValueCoding != nil && x.ValueCoding.Code != nil {
						in.BirthPlaceCode = *x.ValueCoding.Code
					}
				}
			}
		}
	}
	if p.BirthDate != nil {
		in.BirthDate = *p.BirthDate
	}
	if p.Gender != nil {
		in.Sex = map[fm.AdministrativeGender]string{fm.AdministrativeGenderFemale: "F", fm.AdministrativeGenderMale: "M"}[*p.Gender]
		if in.Sex == "" {
			in.Sex = "I"
		}
	}
	if len(p.Address) > 0 {
		a := p.Address[0]
		in.Address = strings.Join(a.Line, ", ")
		if a.PostalCode != nil {
			in.PostalCode = *a.PostalCode
		}
		if a.City != nil {
			in.City = *a.City
		}
	}
	for _, t := range p.Telecom {
		if t.System == nil || t.Value == nil {
			continue
		}
		switch *t.System {
		case fm.ContactPointSystemPhone:
			in.Phone = *t.Value
		case fm.ContactPointSystemEmail:
			in.Email = *t.Value
		}
	}
	return in, nil
}

// version is the record's ETag: its last update, to the microsecond.
func version(u domain.Usager) string { return strconv.FormatInt(u.UpdatedAt.UnixMicro(), 10) }

// readPatientBody reads, decodes and checks a Patient; it answers the
// OperationOutcome itself and returns false when the input is refused.
func (s *Server) readPatientBody(c *gin.Context) (domain.Usager, bool) {
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, maxBody+1))
	if err != nil {
		s.internal(c, err)
		return domain.Usager{}, false
	}
	if len(body) > maxBody {
		outcome(c, http.StatusRequestEntityTooLarge, fm.IssueTypeTooLong, "Ressource trop volumineuse (1 Mo au plus).")
		return domain.Usager{}, false
	}
	p, err := decodePatient(body)
	var in domain.UsagerInput
	if err == nil {
		in, err = patientInput(p)
	}
	var bad badInput
	if errors.As(err, &bad) {
		if bad.path == "" {
			outcome(c, http.StatusBadRequest, fm.IssueTypeStructure, bad.msg)
		} else {
			outcome(c, http.StatusBadRequest, fm.IssueTypeInvalid, bad.msg, bad.path)
		}
		return domain.Usager{}, false
	}
	u, err := in.Parse(s.cfg.Now())
	var v *domain.ValidationError
	if errors.As(err, &v) {
		validationOutcome(c, v, "Patient", fieldPaths)
		return domain.Usager{}, false
	}
	if err != nil {
		s.internal(c, err)
		return domain.Usager{}, false
	}
	if p.Id != nil {
		u.ID, _ = uuid.Parse(*p.Id)
	}
	return u, true
}

// createPatient registers a person in the client's establishment, as a
// pre-admission with a provisional identity; a possible duplicate answers
// 409 and stores nothing.
func (s *Server) createPatient(c *gin.Context) {
	role, ok := s.allow(c, "Patient", "write")
	if !ok {
		return
	}
	u, ok := s.readPatientBody(c)
	if !ok {
		return
	}
	cp := client(c)
	u.ID = uuid.Nil
	stay := domain.Stay{EstablishmentID: cp.Client.EstablishmentID, Status: domain.StayPreadmission, Mode: domain.ModePermanent}
	var dup bool
	err := s.inTenant(c, func(tx domain.Tx) error {
		matches, err := tx.IdentityMatches(u)
		if err != nil {
			return err
		}
		if len(matches) > 0 {
			dup = true
			return nil
		}
		if err := tx.CreateUsager(&u, &stay); err != nil {
			return err
		}
		if u, err = tx.Usager(u.ID); err != nil {
			return err
		}
		return s.trace(c, tx, role, u.ID, domain.SectionAdmin, domain.ActionWrite, "création Patient (pré-admission)")
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	if dup {
		outcome(c, http.StatusConflict, fm.IssueTypeDuplicate, "Une personne aux traits proches existe déjà dans l'organisme : recherchez-la (GET /fhir/Patient) plutôt que de créer un doublon.")
		return
	}
	c.Header("Location", baseURL(c)+"/Patient/"+u.ID.String())
	c.Header("ETag", `W/"`+version(u)+`"`)
	writeJSON(c, http.StatusCreated, patient(u, domain.Identity{Status: u.IdentityStatus}))
}

// updatePatient rewrites the traits of a visible person. If-Match, when
// given, must carry the current version (412 otherwise). A strict trait
// changed on a checked identity drops its evidence, as in the UI.
func (s *Server) updatePatient(c *gin.Context) {
	role, ok := s.allow(c, "Patient", "write")
	if !ok {
		return
	}
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		outcome(c, http.StatusNotFound, fm.IssueTypeNotFound, "Patient introuvable.")
		return
	}
	u, ok := s.readPatientBody(c)
	if !ok {
		return
	}
	if u.ID != id {
		outcome(c, http.StatusBadRequest, fm.IssueTypeInvalid, "Patient.id doit être celui de l'URL (mise à jour sans création).", "Patient.id")
		return
	}
	match := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(c.GetHeader("If-Match"), "W/"), `"`), `"`)
	var stale bool
	var out fm.Patient
	var updated domain.Usager
	err = s.inTenant(c, func(tx domain.Tx) error {
		if err := s.mustSee(c, tx, id); err != nil {
			return err
		}
		old, err := tx.Usager(id)
		if err != nil {
			return err
		}
		if match != "" && match != version(old) {
			stale = true
			return nil
		}
		u.OrgID, u.IdentityStatus, u.UpdatedAt = old.OrgID, old.IdentityStatus, s.cfg.Now().UTC()
		if err := tx.UpdateUsager(&u); err != nil {
			return err
		}
		ident, err := tx.Identity(id)
		if err != nil {
			return err
		}
		if ev, dropped := ident.TraitsChanged(old, u); dropped {
			ev.By = client(c).UserID
			if err := tx.SaveIdentity(id, ident, ev, client(c).DisplayName); err != nil {
				return err
			}
			if ident, err = tx.Identity(id); err != nil {
				return err
			}
		}
		if updated, err = tx.Usager(id); err != nil {
			return err
		}
		out = patient(updated, ident)
		return s.trace(c, tx, role, id, domain.SectionAdmin, domain.ActionWrite, "mise à jour Patient")
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	if stale {
		outcome(c, http.StatusPreconditionFailed, fm.IssueTypeConflict, "La ressource a changé depuis votre lecture (If-Match périmé) : relisez-la puis recommencez.")
		return
	}
	c.Header("ETag", `W/"`+version(updated)+`"`)
	writeJSON(c, http.StatusOK, out)
}
