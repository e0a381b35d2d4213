package frontend

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/relais-dui/relais/access"
)

type loginData struct {
	Username string
	Next     string
	CSRF     string
	Error    string
}

// loginForm shows the login page with a pre-session CSRF token, kept in a
// cookie and echoed in the form (double submit).
func (a *App) loginForm(c *gin.Context) {
	token := randomToken()
	a.setCookie(c, loginCSRFCookie, token, 3600)
	a.render(c, http.StatusOK, "login", view{Title: "Connexion", Data: loginData{Next: safeNext(c.Query("suite")), CSRF: token}})
}

func (a *App) login(c *gin.Context) {
	cookie, _ := c.Cookie(loginCSRFCookie)
	if !sameToken(c.PostForm("csrf_token"), cookie) {
		a.errorPage(c, http.StatusForbidden, "Le formulaire de connexion a expiré. Rechargez la page et recommencez.")
		return
	}
	username := strings.ToLower(strings.TrimSpace(c.PostForm("username")))
	next := safeNext(c.PostForm("suite"))
	token, err := a.cfg.Auth.Login(c.Request.Context(), username, c.PostForm("password"), c.ClientIP())
	if err != nil {
		var throttled *access.ThrottledError
		msg := ""
		status := http.StatusUnauthorized
		switch {
		case errors.As(err, &throttled):
			status = http.StatusTooManyRequests
			msg = fmt.Sprintf("Trop de tentatives de connexion. Réessayez dans %d minute(s).", int(math.Ceil(throttled.RetryAfter.Minutes())))
		case errors.Is(err, access.ErrBadCredentials):
			msg = "Identifiant ou mot de passe incorrect."
		default:
			a.fail(c, err)
			return
		}
		fresh := randomToken()
		a.setCookie(c, loginCSRFCookie, fresh, 3600)
		a.render(c, status, "login", view{Title: "Connexion", Data: loginData{Username: username, Next: next, CSRF: fresh, Error: msg}})
		return
	}
	a.setCookie(c, loginCSRFCookie, "", -1)
	a.setCookie(c, sessionCookie, token, 0)
	if next == "" {
		next = "/"
	}
	c.Redirect(http.StatusSeeOther, next)
}

func (a *App) logout(c *gin.Context) {
	token := c.GetString("session_token")
	if err := a.cfg.Auth.Logout(c.Request.Context(), principal(c), token); err != nil {
		a.fail(c, err)
		return
	}
	a.setCookie(c, sessionCookie, "", -1)
	c.Redirect(http.StatusSeeOther, "/login")
}

// safeNext keeps only local paths, so the login page cannot be used to send
// someone to another site.
func safeNext(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") {
		return ""
	}
	return s
}
