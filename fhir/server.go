// Package fhir is the FHIR R4 API for partner systems: OAuth 2.0 client
// credentials, FR Core projections of the record, search with keyset paging,
// and OperationOutcome errors in French. samply's models stay inside this
// package.
package fhir

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

// Config holds what the API needs from the wiring.
type Config struct {
	Store   domain.Store
	Clients *access.ClientAuth
	Authz   *access.Authorizer
	Logger  *slog.Logger
	Now     func() time.Time
}

// Server answers /fhir and /oauth/token.
type Server struct {
	cfg Config
}

// New returns the API.
func New(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Server{cfg: cfg}
}

// Register mounts the API on r.
func (s *Server) Register(r *gin.Engine) {
	r.POST("/oauth/token", s.token)
	g := r.Group("/fhir", s.negotiate)
	g.GET("/metadata", s.metadata)
	a := g.Group("", s.authenticate)
	a.GET("/Patient", s.searchPatients)
	a.GET("/Patient/:id", s.readPatient)
	a.POST("/Patient", s.createPatient)
	a.PUT("/Patient/:id", s.updatePatient)
	a.GET("/Patient/:id/_history", s.patientHistory)
	a.GET("/Patient/:id/_history/:vid", s.readPatientVersion)
	a.GET("/Organization", s.searchOrganizations)
	a.GET("/Organization/:id", s.readOrganization)
	for _, r := range slices.Concat(scopedResources(), coordinationScoped(), medsDocsScoped()) {
		a.GET("/"+r.name, s.searchScoped(r))
		a.GET("/"+r.name+"/:id", s.readScoped(r))
	}
	s.registerCoordination(a)
	s.registerMedsDocs(a)
	s.registerTDDUI(a)
	// Anything else under /fhir answers an OperationOutcome, not the UI's page.
	unsupported := func(c *gin.Context) {
		outcome(c, http.StatusNotFound, fm.IssueTypeNotSupported, "Cette interaction n'est pas prise en charge par Relais : voir /fhir/metadata.")
	}
	// POST /fhir is the transaction (TDDUI import, registerTDDUI).
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead, http.MethodOptions} {
		g.Handle(m, "", unsupported)
	}
	g.Any("/:type", unsupported)
	g.Any("/:type/:id", unsupported)
	g.Any("/:type/:id/*rest", unsupported)
}

// negotiate refuses formats other than FHIR JSON (XML is not served).
func (s *Server) negotiate(c *gin.Context) {
	if f := c.Query("_format"); f != "" && f != "json" && f != "application/json" && f != "application/fhir+json" {
		outcome(c, http.StatusNotAcceptable, fm.IssueTypeNotSupported, "Seul le format JSON (application/fhir+json) est servi.", "_format")
		return
	}
	if acc := c.GetHeader("Accept"); acc != "" && !strings.Contains(acc, "json") && !strings.Contains(acc, "*/*") {
		outcome(c, http.StatusNotAcceptable, fm.IssueTypeNotSupported, "Seul le format JSON (application/fhir+json) est servi.")
		return
	}
	c.Next()
}

// authenticate turns the bearer token into the client principal.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		c.Header("WWW-Authenticate", `Bearer realm="relais"`)
		outcome(c, http.StatusUnauthorized, fm.IssueTypeLogin, "Jeton d'accès absent : obtenez-en un sur /oauth/token (client_credentials).")
		return
	}
	cp, err := s.cfg.Clients.Authenticate(c.Request.Context(), token)
	if errors.Is(err, access.ErrInvalidToken) {
		c.Header("WWW-Authenticate", `Bearer realm="relais", error="invalid_token"`)
		outcome(c, http.StatusUnauthorized, fm.IssueTypeLogin, "Jeton d'accès invalide, expiré ou révoqué.")
		return
	}
	if err != nil {
		s.internal(c, err)
		return
	}
	c.Set("client", cp)
	c.Next()
}

func client(c *gin.Context) *access.ClientPrincipal {
	v, _ := c.Get("client")
	cp, _ := v.(*access.ClientPrincipal)
	return cp
}

// allow checks the token's scopes, then the habilitations of the client's
// role in its establishment for the resource's section. It answers 403 with
// an OperationOutcome when either is missing.
func (s *Server) allow(c *gin.Context, resource, act string) (domain.Role, bool) {
	cp := client(c)
	if !domain.ScopesAllow(cp.Scopes, resource, act) {
		outcome(c, http.StatusForbidden, fm.IssueTypeForbidden, "La portée du jeton ne couvre pas "+resource+" en "+frenchAct(act)+" (portée attendue : system/"+resource+"."+act+").")
		return "", false
	}
	a := domain.ActionRead
	if act == "write" {
		a = domain.ActionWrite
	}
	role, ok := s.cfg.Authz.Can(cp.Principal, cp.Client.EstablishmentID, sectionOf(resource), a)
	if !ok {
		outcome(c, http.StatusForbidden, fm.IssueTypeForbidden, "Les habilitations du rôle du client ("+cp.Client.Role.Label()+") ne permettent pas cette action sur "+resource+".")
		return "", false
	}
	return role, true
}

// sectionOf is the record section whose habilitations govern a resource
// type (one place: the spec table).
func sectionOf(resource string) domain.Section {
	r, _ := spec(resource)
	return r.section
}

func frenchAct(act string) string {
	if act == "write" {
		return "écriture"
	}
	return "lecture"
}

// inTenant runs fn in the client's organisation.
func (s *Server) inTenant(c *gin.Context, fn func(tx domain.Tx) error) error {
	return s.cfg.Store.InTenant(c.Request.Context(), client(c).OrgID, fn)
}

// fail maps an error to an OperationOutcome.
func (s *Server) fail(c *gin.Context, err error) {
	switch {
	case errors.Is(err, domain.ErrNotFound):
		outcome(c, http.StatusNotFound, fm.IssueTypeNotFound, "Ressource introuvable.")
	case errors.Is(err, domain.ErrForbidden):
		outcome(c, http.StatusForbidden, fm.IssueTypeForbidden, "Les habilitations du client ne permettent pas cette action.")
	case errors.Is(err, context.Canceled):
		c.Abort()
	default:
		s.internal(c, err)
	}
}

func (s *Server) internal(c *gin.Context, err error) {
	s.cfg.Logger.Error("fhir request failed", "path", c.FullPath(), "err", err)
	outcome(c, http.StatusInternalServerError, fm.IssueTypeException, "Erreur technique ; réessayez dans un instant.")
}

// trace records the client's access in the trail.
func (s *Server) trace(c *gin.Context, tx domain.Tx, role domain.Role, usager uuid.UUID, section domain.Section, act domain.Action, detail string) error {
	cp := client(c)
	return access.Trace(tx, cp.Principal, role, cp.Client.EstablishmentID, usager, section, act, "API FHIR ("+cp.Client.ClientID+") : "+detail)
}
