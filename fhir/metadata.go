package fhir

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
)

// searchParam is a search parameter the API serves.
type searchParam struct {
	name string
	typ  fm.SearchParamType
	doc  string
}

// resourceSpec is what the API serves of one resource type: the router, the
// parameter check and the CapabilityStatement all read this table.
type resourceSpec struct {
	name string
	typ  fm.ResourceType
	// section is the record section whose habilitations govern the type.
	section      domain.Section
	profile      string
	interactions []fm.TypeRestfulInteraction
	params       []searchParam
	versioned    bool // ETag on read, If-Match on update
}

// commonParams are accepted on every search.
var commonParams = []searchParam{
	{"_id", fm.SearchParamTypeToken, "Identifiant logique de la ressource."},
	{"_count", fm.SearchParamTypeNumber, "Taille de page (20 par défaut, 100 au plus)."},
	{"_cursor", fm.SearchParamTypeString, "Curseur de la page suivante (lien next du Bundle) ; opaque."},
}

// coreSpecs are the identity, stay, entourage, plan and care resources; the
// other files add theirs (coordinationSpecs, medsDocsSpecs). The order of
// specTable is the order of the CapabilityStatement.
var coreSpecs = []resourceSpec{
	{name: "Patient", section: domain.SectionAdmin, typ: fm.ResourceTypePatient, profile: "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient",
		interactions: []fm.TypeRestfulInteraction{fm.TypeRestfulInteractionRead, fm.TypeRestfulInteractionVread,
			fm.TypeRestfulInteractionHistoryInstance, fm.TypeRestfulInteractionSearchType,
			fm.TypeRestfulInteractionCreate, fm.TypeRestfulInteractionUpdate},
		versioned: true,
		params: []searchParam{
			{"identifier", fm.SearchParamTypeToken, "Matricule INS (système urn:oid:1.2.250.1.213.1.4.8 ou .9), seulement pour une identité qualifiée."},
			{"name", fm.SearchParamTypeString, "Début du nom ou du prénom, sans accents ni casse."},
			{"family", fm.SearchParamTypeString, "Début du nom de naissance ou du nom d'usage, sans accents ni casse."},
			{"given", fm.SearchParamTypeString, "Début de l'un des prénoms de naissance ou du prénom d'usage, sans accents ni casse."},
			{"birthdate", fm.SearchParamTypeDate, "Date de naissance exacte (AAAA-MM-JJ, préfixe eq accepté)."},
			{"gender", fm.SearchParamTypeToken, "female, male ou unknown."},
			commonParams[0], commonParams[1], commonParams[2],
		}},
	{name: "Organization", section: domain.SectionAdmin, typ: fm.ResourceTypeOrganization, profile: "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-organization",
		interactions: readSearch,
		params:       []searchParam{{"identifier", fm.SearchParamTypeToken, "Numéro FINESS (système " + systemFINESS + ")."}}},
	{name: "Encounter", section: domain.SectionAdmin, typ: fm.ResourceTypeEncounter, profile: "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-encounter",
		interactions: readSearch, params: []searchParam{patientParamSpec}},
	{name: "RelatedPerson", section: domain.SectionAdmin, typ: fm.ResourceTypeRelatedPerson, profile: "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-related-person",
		interactions: readSearch, params: []searchParam{patientParamSpec}},
	// The plan is read with the admin section, as in the UI (the plan is
	// shared by the whole team and the person).
	{name: "CarePlan", section: domain.SectionAdmin, typ: fm.ResourceTypeCarePlan, profile: "https://interop.esante.gouv.fr/ig/fhir/tddui/StructureDefinition/tddui-careplan",
		interactions: readSearch, params: []searchParam{patientParamSpec}},
	{name: "Goal", section: domain.SectionAdmin, typ: fm.ResourceTypeGoal, profile: "https://interop.esante.gouv.fr/ig/fhir/tddui/StructureDefinition/tddui-goal",
		interactions: readSearch, params: []searchParam{patientParamSpec}},
	// Observation: read, searched and created in observation.go.
	{name: "Observation", section: domain.SectionCare, typ: fm.ResourceTypeObservation, profile: "http://hl7.org/fhir/StructureDefinition/vitalsigns",
		interactions: readSearchCreate, params: []searchParam{patientParamSpec,
			{"code", fm.SearchParamTypeToken, "Code LOINC de la constante (http://loinc.org|29463-7, ou 29463-7) ; plusieurs codes séparés par des virgules."},
			{"date", fm.SearchParamTypeDate, "Date de la mesure, avec préfixe ge, gt, le, lt, eq ou ne (répétable : date=ge2026-03-01&date=lt2026-04-01)."}}},
	{name: "AllergyIntolerance", section: domain.SectionMedical, typ: fm.ResourceTypeAllergyIntolerance, profile: "http://hl7.org/fhir/StructureDefinition/AllergyIntolerance",
		interactions: readSearch, params: []searchParam{patientParamSpec}},
}

var readSearch = []fm.TypeRestfulInteraction{fm.TypeRestfulInteractionRead, fm.TypeRestfulInteractionSearchType}

// patientParamSpec: resources of one person's record are searched by person.
var patientParamSpec = searchParam{"patient", fm.SearchParamTypeReference, "Obligatoire : Patient/<identifiant> ; toutes les ressources de la personne en une page."}

// specTable is every resource type served, in CapabilityStatement order.
func specTable() []resourceSpec {
	return slices.Concat(coreSpecs, coordinationSpecs, medsDocsSpecs)
}

// spec returns what the API serves of one type.
func spec(name string) (resourceSpec, bool) {
	for _, r := range specTable() {
		if r.name == name {
			return r, true
		}
	}
	return resourceSpec{}, false
}

// capability is the CapabilityStatement: exactly what the API serves.
func capability(date string) fm.CapabilityStatement {
	rest := fm.CapabilityStatementRest{Mode: fm.RestfulCapabilityModeServer,
		Security: &fm.CapabilityStatementRestSecurity{
			Service:     []fm.CodeableConcept{{Coding: []fm.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/restful-security-service"), Code: ptr("SMART-on-FHIR")}}}},
			Description: ptr("OAuth 2.0 client_credentials sur /oauth/token ; portées system/<Ressource>.read|write, croisées avec les habilitations du rôle du client dans son établissement."),
		}}
	for _, spec := range specTable() {
		r := fm.CapabilityStatementRestResource{Type: spec.typ, Profile: ptr(spec.profile)}
		if spec.versioned {
			r.Versioning, r.UpdateCreate, r.ReadHistory = ptr(fm.ResourceVersionPolicyVersionedUpdate), ptr(false), ptr(true)
		}
		for _, i := range spec.interactions {
			r.Interaction = append(r.Interaction, fm.CapabilityStatementRestResourceInteraction{Code: i})
		}
		for _, p := range spec.params {
			r.SearchParam = append(r.SearchParam, fm.CapabilityStatementRestResourceSearchParam{Name: p.name, Type: p.typ, Documentation: ptr(p.doc)})
		}
		rest.Resource = append(rest.Resource, r)
	}
	tdduiCapability(&rest)
	return fm.CapabilityStatement{
		Status: fm.PublicationStatusActive, Date: date, Kind: fm.CapabilityStatementKindInstance,
		Name: ptr("RelaisFHIR"), Title: ptr("API FHIR de Relais"), Publisher: ptr("Relais"),
		Software:    &fm.CapabilityStatementSoftware{Name: "Relais"},
		FhirVersion: fm.FHIRVersion4_0_1, Format: []string{"application/fhir+json"},
		Rest: []fm.CapabilityStatementRest{rest},
	}
}

func (s *Server) metadata(c *gin.Context) {
	writeJSON(c, http.StatusOK, capability(s.cfg.Now().UTC().Format("2006-01-02")))
}

// ResourceTypes are the resource types the API serves: what a scope may name.
func ResourceTypes() []string {
	var out []string
	for _, r := range specTable() {
		out = append(out, r.name)
	}
	return out
}
