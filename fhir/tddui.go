package fhir

import "github.com/gin-gonic/gin"

// TDDUI: the national DUI transfer. GET /fhir/Patient/{id}/$export-dui
// exports a person's record as a transaction Bundle; POST /fhir imports one.

// registerTDDUI mounts the export and the import.
func (s *Server) registerTDDUI(a *gin.RouterGroup) {}
