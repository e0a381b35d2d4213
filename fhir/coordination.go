package fhir

import "github.com/gin-gonic/gin"

// Coordination resources: liaison notes (Communication), agenda
// (Appointment), consents (Consent), professionals (Practitioner,
// PractitionerRole) and the access trail (AuditEvent).

// coordinationSpecs are the coordination resource types served.
var coordinationSpecs []resourceSpec

// coordinationScoped are the coordination resources of one person's record.
func coordinationScoped() []scopedResource { return nil }

// registerCoordination mounts the coordination interactions beyond scoped
// read and search.
func (s *Server) registerCoordination(a *gin.RouterGroup) {}
