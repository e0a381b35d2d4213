// Package frontend serves the French, server-rendered user interface: HTML
// forms that work without JavaScript, sized for tablets.
package frontend

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

// Cookie names.
const (
	sessionCookie   = "relais_session"
	loginCSRFCookie = "relais_login_csrf"
)

// Config holds what the UI needs from the wiring.
type Config struct {
	Store         domain.Store
	Auth          *access.Auth
	Authz         *access.Authorizer
	INSi          domain.INSiService
	SecureCookies bool
	Logger        *slog.Logger
	Now           func() time.Time
	// APIResources are the FHIR resource types an API client's scopes may
	// name (what the fhir package serves).
	APIResources []string
}

// App is the UI: handlers sharing templates and services.
type App struct {
	cfg   Config
	pages map[string]*template.Template
}

// New parses the embedded templates and returns the UI.
func New(cfg Config) (*App, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	return &App{cfg: cfg, pages: pages}, nil
}

// Register mounts the UI's routes on r.
func (a *App) Register(r *gin.Engine) {
	r.Use(securityHeaders)
	r.StaticFS("/static", staticFS())
	r.GET("/login", a.loginForm)
	r.POST("/login", a.login)

	s := r.Group("/", a.requireSession, a.checkCSRF)
	s.POST("/logout", a.logout)
	s.GET("/", a.home)
	s.GET("/usagers", a.listUsagers)
	s.GET("/usagers/nouveau", a.newUsagerForm)
	s.POST("/usagers", a.createUsager)

	u := s.Group("/usagers/:id", a.loadUsager)
	u.GET("", a.dossier)
	u.GET("/sections/:section", a.dossier)
	u.GET("/identite", a.identityForm)
	u.POST("/identite", a.updateIdentity)
	u.GET("/sejours/nouveau", a.newStayForm)
	u.POST("/sejours", a.createStay)
	u.GET("/sejours/:stay/admission", a.admitForm)
	u.POST("/sejours/:stay/admission", a.admit)
	u.GET("/sejours/:stay/sortie", a.dischargeForm)
	u.POST("/sejours/:stay/sortie", a.discharge)
	u.GET("/entourage/nouveau", a.contactForm)
	u.POST("/entourage", a.saveContact)
	u.GET("/entourage/:contact", a.contactForm)
	u.POST("/entourage/:contact", a.saveContact)
	u.POST("/entourage/:contact/supprimer", a.deleteContact)
	u.GET("/consentements/nouveau", a.consentForm)
	u.POST("/consentements", a.createConsent)
	u.POST("/consentements/:consent/retrait", a.withdrawConsent)
	u.POST("/sections/:section/notes", a.addNote)
	u.POST("/sections/:section/notes/:note/valider", a.validateNote)
	u.GET("/sections/:section/export.csv", a.exportSection)
	u.GET("/trail", a.trail)
	u.GET("/trail.csv", a.trailCSV)
	a.registerIdentity(u)
	a.registerDocuments(u)
	a.registerTimeline(u)
	a.registerPlans(u)
	// The care and medical file: each feature mounts its dossier pages on u
	// and its unit-wide pages (relève, checklist, round…) on s.
	a.registerTargeted(u, s)
	a.registerObservations(u, s)
	a.registerCarePlan(u, s)
	a.registerMedication(u, s)
	a.registerMedical(u, s)
	a.registerDLU(u)
	a.registerDMP(u)
	s.GET("/soins", a.careHub)

	s.GET("/agenda", a.agenda)
	s.GET("/projets-a-echeance", a.plansDue)
	a.registerPresence(s)
	a.registerAdmin(s)
	a.registerLiaison(s)
	a.registerAdverse(s)
	r.NoRoute(func(c *gin.Context) { a.errorPage(c, http.StatusNotFound, "Cette page n'existe pas.") })
}

// securityHeaders forbids inline scripts and framing, and keeps pages out of
// shared caches (they hold health data).
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	c.Next()
}

func principal(c *gin.Context) *access.Principal {
	p, _ := c.Get("principal")
	pr, _ := p.(*access.Principal)
	return pr
}

// requireSession loads the principal from the session cookie or sends the
// browser to the login page.
func (a *App) requireSession(c *gin.Context) {
	token, err := c.Cookie(sessionCookie)
	if err == nil && token != "" {
		p, err := a.cfg.Auth.Authenticate(c.Request.Context(), token)
		if err == nil {
			c.Set("principal", p)
			c.Set("session_token", token)
			c.Next()
			return
		}
		if !errors.Is(err, access.ErrNoSession) {
			a.fail(c, err)
			return
		}
	}
	if c.Request.Method == http.MethodGet {
		c.Redirect(http.StatusSeeOther, "/login?suite="+urlQueryEscape(c.Request.URL.RequestURI()))
	} else {
		c.Redirect(http.StatusSeeOther, "/login")
	}
	c.Abort()
}

// checkCSRF refuses every state-changing request whose csrf_token field does
// not match the session's token.
func (a *App) checkCSRF(c *gin.Context) {
	if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
		c.Next()
		return
	}
	p := principal(c)
	if p == nil || !sameToken(c.PostForm("csrf_token"), p.CSRFToken) {
		a.errorPage(c, http.StatusForbidden, "Le formulaire a expiré ou ne vient pas de Relais (jeton de sécurité invalide). Rechargez la page et recommencez.")
		return
	}
	c.Next()
}

func sameToken(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (a *App) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: a.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

// inTenant runs fn in the principal's organisation.
func (a *App) inTenant(c *gin.Context, fn func(tx domain.Tx) error) error {
	return a.cfg.Store.InTenant(c.Request.Context(), principal(c).OrgID, fn)
}

// fail maps an error to a page: validation errors are handled by the
// callers; here not found → 404, forbidden → 403, anything else → 500.
func (a *App) fail(c *gin.Context, err error) {
	switch {
	case errors.Is(err, domain.ErrNotFound):
		a.errorPage(c, http.StatusNotFound, "Ce dossier ou cette page n'existe pas.")
	case errors.Is(err, domain.ErrForbidden):
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne permettent pas cette action.")
	case errors.Is(err, domain.ErrConflict):
		a.errorPage(c, http.StatusConflict, "Cette modification entre en conflit avec les données enregistrées (par exemple un séjour déjà ouvert dans cet établissement).")
	case errors.Is(err, context.Canceled):
		c.Abort()
	default:
		a.cfg.Logger.Error("request failed", "path", c.FullPath(), "err", err)
		a.errorPage(c, http.StatusInternalServerError, "Une erreur technique est survenue. L'équipe a été prévenue ; réessayez dans un instant.")
	}
}

func parseID(s string) (uuid.UUID, bool) {
	id, err := uuid.Parse(s)
	return id, err == nil
}
