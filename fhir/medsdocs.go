package fhir

import "github.com/gin-gonic/gin"

// Medication (MedicationRequest, MedicationAdministration) and documents
// (DocumentReference, Binary).

// medsDocsSpecs are the medication and document resource types served.
var medsDocsSpecs []resourceSpec

// medsDocsScoped are the medication and document resources of one person's
// record.
func medsDocsScoped() []scopedResource { return nil }

// registerMedsDocs mounts the medication and document interactions beyond
// scoped read and search.
func (s *Server) registerMedsDocs(a *gin.RouterGroup) {}
