package fhir

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
)

// Medication (MedicationRequest, MedicationAdministration) and documents
// (DocumentReference, Binary).

// medsDocsSpecs are the medication and document resource types served.
// Prescriptions and the register are governed by the care section, as on
// the UI's treatments page and medication round (the aide-soignant reads
// what to give; prescribing needs validate on care).
var medsDocsSpecs = []resourceSpec{
	{name: "MedicationRequest", section: domain.SectionCare, typ: fm.ResourceTypeMedicationRequest, profile: "http://hl7.org/fhir/StructureDefinition/MedicationRequest",
		interactions: readSearch, params: []searchParam{patientParamSpec,
			{"status", fm.SearchParamTypeToken, "active, stopped (arrêtée) ou completed (date de fin passée) ; plusieurs valeurs séparées par des virgules."}}},
	{name: "MedicationAdministration", section: domain.SectionCare, typ: fm.ResourceTypeMedicationAdministration, profile: "http://hl7.org/fhir/StructureDefinition/MedicationAdministration",
		interactions: readSearch, params: []searchParam{patientParamSpec,
			{"status", fm.SearchParamTypeToken, "completed (donné) ou not-done (refusé, non donné, suspendu)."},
			{"effective-time", fm.SearchParamTypeDate, "Heure d'administration, avec préfixe ge, gt, le, lt, eq ou ne (répétable : effective-time=ge2026-03-01&effective-time=lt2026-03-08)."}}},
	// A document belongs to a section of the record: its own section's
	// habilitations govern it (restricted: validate), not the type's.
	{name: "DocumentReference", section: domain.SectionAdmin, typ: fm.ResourceTypeDocumentReference, profile: "http://hl7.org/fhir/StructureDefinition/DocumentReference",
		interactions: []fm.TypeRestfulInteraction{fm.TypeRestfulInteractionRead, fm.TypeRestfulInteractionSearchType, fm.TypeRestfulInteractionCreate},
		params: []searchParam{patientParamSpec,
			{"type", fm.SearchParamTypeToken, "Type de document (système " + systemDocType + ") : compte_rendu, ordonnance, courrier, bilan, piece_identite, notification_mdph, contrat_sejour, decision_protection, autre."},
			{"category", fm.SearchParamTypeToken, "Section du dossier (système " + systemSection + ") : admin, social, educational, care, medical."},
			{"date", fm.SearchParamTypeDate, "Date du dépôt, avec préfixe ge, gt, le, lt, eq ou ne (répétable)."}}},
	{name: "Binary", section: domain.SectionAdmin, typ: fm.ResourceTypeBinary, profile: "http://hl7.org/fhir/StructureDefinition/Binary",
		interactions: []fm.TypeRestfulInteraction{fm.TypeRestfulInteractionRead}},
}

// medsDocsScoped are the medication and document resources of one person's
// record served by the generic read and search: none, they have their own
// search parameters (registerMedsDocs).
func medsDocsScoped() []scopedResource { return nil }

// registerMedsDocs mounts the medication and document interactions.
func (s *Server) registerMedsDocs(a *gin.RouterGroup) {
	obs := observationResource()
	a.GET("/Observation", s.searchFiltered(obs))
	a.GET("/Observation/:id", s.readScoped(obs.scopedResource))
	// Medication resources are built per request: they depend on the
	// client's establishment.
	for i, r := range s.medicationResources(uuid.Nil) {
		mine := func(c *gin.Context) filteredResource {
			return s.medicationResources(client(c).Client.EstablishmentID)[i]
		}
		a.GET("/"+r.name, func(c *gin.Context) { s.searchFiltered(mine(c))(c) })
		a.GET("/"+r.name+"/:id", func(c *gin.Context) { s.readScoped(mine(c).scopedResource)(c) })
	}
	a.POST("/Observation", s.createObservation)
	a.GET("/DocumentReference", s.searchDocuments)
	a.GET("/DocumentReference/:id", func(c *gin.Context) { s.readDocument(c, "DocumentReference", false) })
	a.POST("/DocumentReference", s.createDocument)
	a.GET("/Binary/:id", func(c *gin.Context) { s.readDocument(c, "Binary", true) })
}
