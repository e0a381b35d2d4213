package fhir

import (
	"net/http"

	"github.com/gin-gonic/gin"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// contentType of every answer (FHIR R4 JSON).
const contentType = "application/fhir+json; charset=utf-8"

// outcome answers status with an OperationOutcome whose diagnostics are in
// French; location names the place of the error (a JSON path or a search
// parameter) when there is one.
func outcome(c *gin.Context, status int, code fm.IssueType, diagnostics string, location ...string) {
	severity := fm.IssueSeverityError
	if status >= 500 {
		severity = fm.IssueSeverityFatal
	}
	oo := fm.OperationOutcome{Issue: []fm.OperationOutcomeIssue{{Severity: severity, Code: code, Diagnostics: &diagnostics, Expression: location}}}
	writeJSON(c, status, oo)
	c.Abort()
}

func writeJSON(c *gin.Context, status int, v any) {
	c.Header("Cache-Control", "no-store")
	c.Render(status, fhirJSON{v})
}

// fhirJSON renders v as JSON with the FHIR content type.
type fhirJSON struct{ v any }

func (r fhirJSON) Render(w http.ResponseWriter) error {
	r.WriteContentType(w)
	b, err := marshal(r.v)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

func (r fhirJSON) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", contentType)
}
