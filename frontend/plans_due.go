package frontend

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// plansDue lists, establishment by establishment, the personalised plans late
// or due within 30 days (first plans six months after admission, yearly
// reviews or the DITEP's own periodicity).
func (a *App) plansDue(c *gin.Context) {
	p := principal(c)
	type estabDue struct {
		Establishment domain.Establishment
		Lines         []domain.PlanDue
	}
	var d struct {
		Groups []estabDue
	}
	now := a.cfg.Now().In(domain.Paris())
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	err := a.inTenant(c, func(tx domain.Tx) error {
		estabs, err := a.establishmentsWith(c, tx, domain.SectionAdmin, domain.ActionRead)
		if err != nil {
			return err
		}
		for _, e := range estabs {
			lines, err := tx.PlansDue([]uuid.UUID{e.ID}, today)
			if err != nil {
				return err
			}
			d.Groups = append(d.Groups, estabDue{Establishment: e, Lines: lines})
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	if len(d.Groups) == 0 && len(p.Establishments()) > 0 {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne donnent accès à aucun dossier.")
		return
	}
	a.render(c, http.StatusOK, "plans_due", view{Title: "Projets à échéance", Nav: "accueil", Data: d})
}
