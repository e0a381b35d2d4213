package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/domain/ins"
)

// TDDUI: the national DUI transfer. GET /fhir/Patient/{id}/$export-dui
// exports a person's record as a transaction Bundle; POST /fhir imports one.

// Canonical URLs and identifier systems of the transfer.
const (
	tdduiBundleProfile = "https://interop.esante.gouv.fr/ig/fhir/tddui/StructureDefinition/tddui-bundle"
	// systemLocalUsager is the national system of local usager identifiers
	// ("3" + FINESS + "/" + local id).
	systemLocalUsager = "https://identifiant-medicosocial-localusager.esante.gouv.fr"
	// systemURI carries the Relais id of every other exported resource: a
	// UUID is unique across organisations, so it is the resource's business
	// identifier for the receiving system (ifNoneExist, second import).
	systemURI = "urn:ietf:rfc:3986"
)

// exportOperation is the $export-dui operation as the CapabilityStatement
// declares it.
const exportOperation = "export-dui"

// registerTDDUI mounts the export and the import.
func (s *Server) registerTDDUI(a *gin.RouterGroup) {
	a.GET("/Patient/:id/$"+exportOperation, s.exportDUI)
	a.POST("", s.importDUI)
}

// bundleItem is one resource of the exported record.
type bundleItem struct {
	typ string
	id  uuid.UUID
	res any
}

// exportTypes are the scoped resources of a record, in bundle order (the
// others: exportItems).
func exportTypes() []scopedResource {
	return slices.Concat(scopedResources(), coordinationScoped(), medsDocsScoped())
}

// exportDUI answers the person's whole record, as far as the client's
// scopes and role may read it, as a TDDUI transaction Bundle. Each section
// exported is in the trail.
func (s *Server) exportDUI(c *gin.Context) {
	role, ok := s.allow(c, "Patient", "read")
	if !ok {
		return
	}
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		outcome(c, http.StatusNotFound, fm.IssueTypeNotFound, "Patient introuvable : l'identifiant n'est pas un identifiant Relais.")
		return
	}
	cp := client(c)
	var b fm.Bundle
	err = s.inTenant(c, func(tx domain.Tx) error {
		if err := s.mustSee(c, tx, id); err != nil {
			return err
		}
		u, err := tx.Usager(id)
		if err != nil {
			return err
		}
		ident, err := tx.Identity(id)
		if err != nil {
			return err
		}
		here, err := tx.Establishment(cp.Client.EstablishmentID)
		if err != nil {
			return err
		}
		record, sections, err := s.exportItems(c, tx, id)
		if err != nil {
			return err
		}
		sections[domain.SectionAdmin] = true
		items := append([]bundleItem{{"Patient", id, exportPatient(u, ident, here.FinessET)}}, record...)
		orgs, err := referencedOrganisations(tx, items)
		if err != nil {
			return err
		}
		items = slices.Insert(items, 1, orgs...)
		names, err := practitionerNames(tx, items)
		if err != nil {
			return err
		}
		if b, err = tdduiBundle(items, s.cfg.Now(), names); err != nil {
			return err
		}
		for _, sec := range domain.RecordSections {
			if sections[sec] {
				if err := s.trace(c, tx, role, id, sec, domain.ActionExport, "export TDDUI ($export-dui)"); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, b)
}

// mayRead reports, without answering, whether the client's scopes and role
// cover reading a resource type (the export leaves out what they do not).
func (s *Server) mayRead(c *gin.Context, resource string) bool {
	cp := client(c)
	if !domain.ScopesAllow(cp.Scopes, resource, "read") {
		return false
	}
	_, ok := s.cfg.Authz.Can(cp.Principal, cp.Client.EstablishmentID, sectionOf(resource), domain.ActionRead)
	return ok
}

// exportPatient is the Patient with its local identifier in the exporting
// establishment (the receiving DUI's key for a second import).
func exportPatient(u domain.Usager, ident domain.Identity, finessET string) fm.Patient {
	p := patient(u, ident)
	p.Identifier = append(p.Identifier, fm.Identifier{Use: ptr(fm.IdentifierUseUsual), System: ptr(systemLocalUsager),
		Value: ptr("3" + finessET + "/" + u.ID.String())})
	return p
}

var orgRefRe = regexp.MustCompile(`"reference":"Organization/([0-9a-f-]{36})"`)

// referencedOrganisations are the organisation and the establishments the
// record's resources point to, each once, the organisation first.
func referencedOrganisations(tx domain.Tx, items []bundleItem) ([]bundleItem, error) {
	seen := map[uuid.UUID]bool{}
	var estabs []bundleItem
	for _, it := range items {
		raw, err := marshal(it.res)
		if err != nil {
			return nil, err
		}
		for _, m := range orgRefRe.FindAllSubmatch(raw, -1) {
			id, err := uuid.ParseBytes(m[1])
			if err != nil || seen[id] || id == tx.OrgID() {
				continue
			}
			seen[id] = true
			e, err := tx.Establishment(id)
			if err != nil {
				return nil, fmt.Errorf("export: establishment %s: %w", id, err)
			}
			estabs = append(estabs, bundleItem{"Organization", e.ID, establishment(e)})
		}
	}
	o, err := tx.Organisation()
	if err != nil {
		return nil, err
	}
	slices.SortFunc(estabs, func(a, b bundleItem) int { return strings.Compare(a.id.String(), b.id.String()) })
	return append([]bundleItem{{"Organization", o.ID, organisation(o)}}, estabs...), nil
}

// tdduiBundle wraps the record's resources in a TDDUI transaction Bundle:
// each entry has a urn:uuid fullUrl and a conditional create on its
// identifier, and references between them use the fullUrls.
// names are the display names of references outside the bundle that
// another system could not resolve (Relais's accounts).
func tdduiBundle(items []bundleItem, now time.Time, names map[string]string) (fm.Bundle, error) {
	ts := now.UTC().Truncate(time.Second)
	b := fm.Bundle{Meta: &fm.Meta{Profile: []string{tdduiBundleProfile}}, Type: fm.BundleTypeTransaction,
		Timestamp: ptr(ts.Format("2006-01-02T15:04:05Z"))}
	if len(items) > 0 {
		// The same record exported at the same second has the same id.
		b.Identifier = &fm.Identifier{System: ptr(systemURI),
			Value: ptr("urn:uuid:" + uuid.NewSHA1(items[0].id, []byte(*b.Timestamp)).String())}
	}
	in := map[string]bool{}
	for _, it := range items {
		in[it.typ+"/"+it.id.String()] = true
	}
	for _, it := range items {
		res, cond := withIdentifier(it)
		raw, err := marshal(res)
		if err != nil {
			return b, fmt.Errorf("export %s: %w", it.typ, err)
		}
		raw = localReferences(raw, in, names)
		req := &fm.BundleEntryRequest{Method: fm.HTTPVerbPOST, Url: it.typ}
		if cond != "" {
			req.IfNoneExist = ptr("identifier=" + cond)
		}
		b.Entry = append(b.Entry, fm.BundleEntry{FullUrl: ptr("urn:uuid:" + it.id.String()), Resource: raw, Request: req})
	}
	return b, nil
}

var refRe = regexp.MustCompile(`"reference":"([A-Za-z]+/[0-9a-f-]{36})"`)

// localReferences points the references to resources of the bundle at
// their fullUrls, and those named in names at their name; the others stay
// as they are.
func localReferences(raw []byte, in map[string]bool, names map[string]string) []byte {
	return refRe.ReplaceAllFunc(raw, func(m []byte) []byte {
		target := refRe.FindSubmatch(m)[1]
		if name, ok := names[string(target)]; ok {
			quoted, _ := json.Marshal(name)
			return append([]byte(`"display":`), quoted...)
		}
		if !in[string(target)] {
			return m
		}
		_, id, _ := bytes.Cut(target, []byte("/"))
		return []byte(`"reference":"urn:uuid:` + string(id) + `"`)
	})
}

// withIdentifier returns the resource with the identifier the receiving
// system will key it on, and that identifier as system|value: the INS or
// the local usager identifier for a Patient, the FINESS for an
// Organization, the Relais UUID for the others.
func withIdentifier(it bundleItem) (any, string) {
	switch r := it.res.(type) {
	case fm.Patient:
		for _, id := range r.Identifier {
			if id.System != nil && ins.ValidOID(strings.TrimPrefix(*id.System, "urn:oid:")) {
				return r, *id.System + "|" + *id.Value
			}
		}
		for _, id := range r.Identifier {
			if id.System != nil && *id.System == systemLocalUsager {
				return r, *id.System + "|" + *id.Value
			}
		}
	case fm.Organization:
		return r, *r.Identifier[0].System + "|" + *r.Identifier[0].Value
	}
	v := reflect.New(reflect.TypeOf(it.res)).Elem()
	v.Set(reflect.ValueOf(it.res))
	value := "urn:uuid:" + it.id.String()
	id := fm.Identifier{System: ptr(systemURI), Value: ptr(value)}
	f := v.FieldByName("Identifier")
	switch {
	case it.typ == "Binary":
		return it.res, "" // Binary has no identifier: no conditional create
	case !f.IsValid() || f.Type() != reflect.TypeOf([]fm.Identifier(nil)):
		// Relais's own types (Communication, Appointment) carry only the
		// elements they read: the identifier is added to their JSON.
		raw, err := withJSONIdentifier(it.res, id)
		if err != nil {
			return it.res, ""
		}
		return raw, systemURI + "|" + value
	}
	f.Set(reflect.Append(f, reflect.ValueOf(id)))
	return v.Interface(), systemURI + "|" + value
}

// withJSONIdentifier adds an identifier to a resource's JSON.
func withJSONIdentifier(res any, id fm.Identifier) (json.RawMessage, error) {
	raw, err := marshal(res)
	if err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, err
	}
	if fields["identifier"], err = marshal([]fm.Identifier{id}); err != nil {
		return nil, err
	}
	return marshal(fields)
}

// tdduiCapability declares the transfer in the CapabilityStatement: the
// $export-dui operation on Patient and the transaction at system level.
func tdduiCapability(rest *fm.CapabilityStatementRest) {
	for i := range rest.Resource {
		if rest.Resource[i].Type == fm.ResourceTypePatient {
			rest.Resource[i].Operation = append(rest.Resource[i].Operation, fm.CapabilityStatementRestResourceOperation{
				Name: exportOperation, Definition: "urn:relais:OperationDefinition/" + exportOperation,
				Documentation: ptr("GET /fhir/Patient/<id>/$export-dui : le dossier de la personne en Bundle transaction TDDUI (" + tdduiBundleProfile +
					"), limité à ce que les portées (system/<Ressource>.read) et les habilitations du rôle du client permettent de lire ; l'export est tracé."),
			})
		}
	}
	rest.Interaction = append(rest.Interaction, fm.CapabilityStatementRestInteraction{Code: fm.SystemRestfulInteractionTransaction,
		Documentation: ptr("POST /fhir avec un Bundle transaction TDDUI : import du dossier dans l'établissement du client, tout ou rien. " +
			"Portées : system/Patient.write et system/<Ressource>.write pour chaque type repris (" + strings.Join(importedTypes, ", ") + ") ; " +
			"habilitation : écriture de la section administrative (admission). Identité rapprochée par INS qualifiée, sinon créée provisoire " +
			"et signalée à l'identitovigilance ; un second import du même lot ne crée rien.")})
}
