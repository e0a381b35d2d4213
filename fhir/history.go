package fhir

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
)

// patientVersions loads the versions of a Patient the client may see,
// newest first, and traces the read.
func (s *Server) patientVersions(c *gin.Context) ([]domain.UsagerVersion, bool) {
	role, ok := s.allow(c, "Patient", "read")
	if !ok {
		return nil, false
	}
	id, ok := pathID(c, "Patient")
	if !ok {
		return nil, false
	}
	var versions []domain.UsagerVersion
	err := s.inTenant(c, func(tx domain.Tx) error {
		if err := s.mustSee(c, tx, id); err != nil {
			return err
		}
		var err error
		if versions, err = tx.UsagerVersions(id); err != nil {
			return err
		}
		return s.trace(c, tx, role, id, domain.SectionAdmin, domain.ActionRead, "lecture de l'historique Patient")
	})
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return versions, true
}

// readPatientVersion answers GET /Patient/{id}/_history/{vid} (vread): the
// version whose ETag was vid.
func (s *Server) readPatientVersion(c *gin.Context) {
	versions, ok := s.patientVersions(c)
	if !ok {
		return
	}
	vid := c.Param("vid")
	for _, v := range versions {
		if version(v.Usager) == vid {
			c.Header("ETag", `W/"`+vid+`"`)
			writeJSON(c, http.StatusOK, patient(v.Usager, v.Identity))
			return
		}
	}
	outcome(c, http.StatusNotFound, fm.IssueTypeNotFound, "Version introuvable pour ce Patient : voir "+c.Param("id")+"/_history pour les versions existantes.")
}

// patientHistory answers GET /Patient/{id}/_history: every version, newest
// first (a person's record has few; no paging).
func (s *Server) patientHistory(c *gin.Context) {
	versions, ok := s.patientVersions(c)
	if !ok {
		return
	}
	base := baseURL(c)
	id := c.Param("id")
	total := len(versions)
	b := fm.Bundle{Type: fm.BundleTypeHistory, Total: &total,
		Link: []fm.BundleLink{{Relation: "self", Url: base + "/Patient/" + id + "/_history"}}}
	for i, v := range versions {
		raw, err := marshal(patient(v.Usager, v.Identity))
		if err != nil {
			s.internal(c, err)
			return
		}
		// The oldest version is the creation; the others are updates.
		req := fm.BundleEntryRequest{Method: fm.HTTPVerbPUT, Url: "Patient/" + id}
		status := strconv.Itoa(http.StatusOK)
		if i == len(versions)-1 {
			req = fm.BundleEntryRequest{Method: fm.HTTPVerbPOST, Url: "Patient"}
			status = strconv.Itoa(http.StatusCreated)
		}
		vid := version(v.Usager)
		b.Entry = append(b.Entry, fm.BundleEntry{FullUrl: ptr(base + "/Patient/" + id), Resource: raw, Request: &req,
			Response: &fm.BundleEntryResponse{Status: status, Etag: ptr(`W/"` + vid + `"`),
				LastModified: ptr(v.Usager.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z"))}})
	}
	writeJSON(c, http.StatusOK, b)
}
