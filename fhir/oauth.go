package fhir

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

// token is the OAuth 2.0 token endpoint (RFC 6749 §4.4, client
// credentials). Credentials come by HTTP Basic or in the form; errors use
// the RFC's JSON shape with a French description.
func (s *Server) token(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	if gt := c.PostForm("grant_type"); gt != "client_credentials" {
		oauthError(c, http.StatusBadRequest, "unsupported_grant_type", "Seul grant_type=client_credentials est accepté.")
		return
	}
	id, secret, basic := c.Request.BasicAuth()
	if !basic {
		id, secret = c.PostForm("client_id"), c.PostForm("client_secret")
	}
	if id == "" || secret == "" {
		oauthError(c, http.StatusUnauthorized, "invalid_client", "Identifiant et secret du client requis (HTTP Basic ou client_id / client_secret).")
		return
	}
	t, err := s.cfg.Clients.IssueToken(c.Request.Context(), id, secret, strings.Fields(c.PostForm("scope")))
	switch {
	case errors.Is(err, access.ErrInvalidClient):
		c.Header("WWW-Authenticate", `Basic realm="relais"`)
		oauthError(c, http.StatusUnauthorized, "invalid_client", "Client inconnu, secret incorrect ou client révoqué.")
		return
	case errors.Is(err, access.ErrInvalidScope):
		oauthError(c, http.StatusBadRequest, "invalid_scope", "Portée demandée non accordée à ce client : "+strings.TrimPrefix(err.Error(), access.ErrInvalidScope.Error()+": ")+".")
		return
	case err != nil:
		s.cfg.Logger.Error("issue token", "err", err)
		oauthError(c, http.StatusInternalServerError, "server_error", "Erreur technique ; réessayez dans un instant.")
		return
	}
	c.JSON(http.StatusOK, gin.H{"access_token": t.Token, "token_type": "Bearer", "expires_in": int(t.ExpiresIn.Seconds()), "scope": domain.JoinScopes(t.Scopes)})
}

func oauthError(c *gin.Context, status int, code, description string) {
	c.JSON(status, gin.H{"error": code, "error_description": description})
}
