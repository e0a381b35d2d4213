package frontend

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// careHub is the entry to the unit-wide care pages: a nurse starting a shift
// goes to the handover, the day's care checklist, the medication round or
// her home-care round from here.
func (a *App) careHub(c *gin.Context) {
	a.render(c, http.StatusOK, "soins", view{Title: "Soins", Nav: "soins"})
}
