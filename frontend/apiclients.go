package frontend

import (
	"errors"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

// API clients (FHIR partners) are registered by an administrator: one
// establishment, one role, scopes; the secret is shown once.

func (a *App) registerAPIClients(g, w *gin.RouterGroup) {
	g.GET("/clients-api", a.apiClients)
	w.POST("/clients-api", a.createAPIClient)
	w.POST("/clients-api/:client/revocation", a.revokeAPIClient)
}

type apiClientsData struct {
	Clients        []domain.APIClient
	EstabNames     map[uuid.UUID]string
	CanWrite       bool
	Establishments []domain.Establishment // where the administrator may register
	Roles          []domain.Role
	Resources      []string
	Form           domain.APIClientInput
	Secret         string // right after creation, once
	Created        domain.APIClient
}

func (a *App) apiClients(c *gin.Context) {
	a.showAPIClients(c, http.StatusOK, apiClientsData{}, nil)
}

func (a *App) showAPIClients(c *gin.Context, status int, d apiClientsData, errs map[string]string) {
	p := principal(c)
	d.EstabNames, d.Roles, d.Resources = map[uuid.UUID]string{}, domain.AllRoles, a.cfg.APIResources
	_, _, d.CanWrite = a.cfg.Authz.CanInAny(p, p.Establishments(), domain.SectionSettings, domain.ActionWrite)
	err := a.inTenant(c, func(tx domain.Tx) error {
		estabs, err := tx.Establishments()
		if err != nil {
			return err
		}
		for _, e := range estabs {
			d.EstabNames[e.ID] = e.Name
			if _, ok := a.cfg.Authz.Can(p, e.ID, domain.SectionSettings, domain.ActionWrite); ok {
				d.Establishments = append(d.Establishments, e)
			}
		}
		d.Clients, err = tx.APIClients()
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, status, "admin_clients", view{Title: "Clients de l'API FHIR", Nav: "admin", Errors: errs, Data: d})
}

func (a *App) createAPIClient(c *gin.Context) {
	in := domain.APIClientInput{ClientID: c.PostForm("client_id"), Name: c.PostForm("name"), Establishment: c.PostForm("establishment_id"),
		Role: c.PostForm("role"), Scopes: c.PostForm("scopes")}
	cl, err := in.Parse(a.cfg.APIResources)
	if err != nil {
		a.showAPIClients(c, http.StatusUnprocessableEntity, apiClientsData{Form: in}, fieldErrors(err))
		return
	}
	p := principal(c)
	role, ok := a.cfg.Authz.Can(p, cl.EstablishmentID, domain.SectionSettings, domain.ActionWrite)
	if !ok {
		a.showAPIClients(c, http.StatusUnprocessableEntity, apiClientsData{Form: in},
			map[string]string{"establishment_id": "Vous n'administrez pas cet établissement."})
		return
	}
	secret, hash, err := access.ClientCredentials("")
	if err != nil {
		a.fail(c, err)
		return
	}
	cl.CreatedBy = p.DisplayName
	err = a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.CreateAPIClient(&cl, hash); err != nil {
			return err
		}
		return access.Trace(tx, p, role, cl.EstablishmentID, uuid.Nil, domain.SectionSettings, domain.ActionWrite,
			"Client de l'API FHIR enregistré : "+cl.ClientID+" ("+domain.JoinScopes(cl.Scopes)+")")
	})
	if errors.Is(err, domain.ErrConflict) {
		a.showAPIClients(c, http.StatusUnprocessableEntity, apiClientsData{Form: in}, map[string]string{"client_id": "Cet identifiant de client est déjà pris."})
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	// The secret is shown in this answer only (never in a URL, never stored).
	a.showAPIClients(c, http.StatusCreated, apiClientsData{Secret: secret, Created: cl}, nil)
}

func (a *App) revokeAPIClient(c *gin.Context) {
	id, ok := parseID(c.Param("client"))
	if !ok {
		a.errorPage(c, http.StatusNotFound, "Ce client n'existe pas.")
		return
	}
	p := principal(c)
	err := a.inTenant(c, func(tx domain.Tx) error {
		cl, err := tx.APIClient(id)
		if err != nil {
			return err
		}
		role, ok := a.cfg.Authz.Can(p, cl.EstablishmentID, domain.SectionSettings, domain.ActionWrite)
		if !ok || !slices.Contains(p.Establishments(), cl.EstablishmentID) {
			return domain.ErrForbidden
		}
		if err := tx.RevokeAPIClient(id, a.cfg.Now()); err != nil {
			return err
		}
		return access.Trace(tx, p, role, cl.EstablishmentID, uuid.Nil, domain.SectionSettings, domain.ActionWrite, "Client de l'API FHIR révoqué : "+cl.ClientID)
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/clients-api?ok=client-revoque")
}
