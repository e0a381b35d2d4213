package frontend

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

// Establishment settings: the opening days the presence register counts
// against (weekdays, public holidays, closure periods, half-days, accueil
// modes). Reading needs settings:read in the establishment, changing
// settings:write there; every change is traced.

func (a *App) registerEstablishmentSettings(s *gin.RouterGroup) {
	s.GET("/admin/etablissements", a.establishmentList)
	s.GET("/admin/etablissements/:estab", a.establishmentPage)
	s.POST("/admin/etablissements/:estab", a.saveOpening)
	s.POST("/admin/etablissements/:estab/fermetures", a.addClosure)
	s.POST("/admin/etablissements/:estab/fermetures/:closure/suppression", a.deleteClosure)
}

type establishmentListRow struct {
	Establishment domain.Establishment
	Opening       domain.Opening
}

func (a *App) establishmentList(c *gin.Context) {
	var rows []establishmentListRow
	err := a.inTenant(c, func(tx domain.Tx) error {
		estabs, err := a.establishmentsWith(c, tx, domain.SectionSettings, domain.ActionRead)
		if err != nil {
			return err
		}
		for _, e := range estabs {
			o, err := tx.Opening(e.ID)
			if err != nil {
				return err
			}
			rows = append(rows, establishmentListRow{Establishment: e, Opening: o})
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	if len(rows) == 0 {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne donnent pas accès au paramétrage des établissements.")
		return
	}
	a.render(c, http.StatusOK, "establishments", view{Title: "Établissements", Nav: "admin", Data: rows})
}

// settingsEstab resolves :estab and checks a settings right there.
func (a *App) settingsEstab(c *gin.Context, act domain.Action) (domain.Establishment, grant, bool) {
	return a.estabParam(c, domain.SectionSettings, act, "Vos habilitations ne permettent pas de modifier le paramétrage de cet établissement.")
}

type establishmentData struct {
	Establishment domain.Establishment
	Opening       domain.Opening
	Weekdays      []weekdayBox
	Modes         []modeBox
	Closure       domain.ClosureInput
	CanWrite      bool
}

type weekdayBox struct {
	Value, Label string
	Checked      bool
}

type modeBox struct {
	Value   domain.Mode
	Label   string
	Checked bool
}

func (a *App) establishmentPage(c *gin.Context) {
	e, _, ok := a.settingsEstab(c, domain.ActionRead)
	if !ok {
		return
	}
	a.showEstablishment(c, http.StatusOK, e, nil, domain.ClosureInput{}, nil)
}

// showEstablishment renders the settings; typed (after a refusal) replaces
// the stored opening so the form shows what was typed.
func (a *App) showEstablishment(c *gin.Context, status int, e domain.Establishment, typed *domain.Opening, closure domain.ClosureInput, errs map[string]string) {
	d := establishmentData{Establishment: e, Closure: closure}
	_, d.CanWrite = a.cfg.Authz.Can(principal(c), e.ID, domain.SectionSettings, domain.ActionWrite)
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		d.Opening, err = tx.Opening(e.ID)
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	shown := d.Opening
	if typed != nil {
		shown.Weekdays, shown.OpenOnHolidays, shown.HalfDays, shown.Modes = typed.Weekdays, typed.OpenOnHolidays, typed.HalfDays, typed.Modes
	}
	for i, wd := range domain.WeekdayOrder {
		d.Weekdays = append(d.Weekdays, weekdayBox{Value: string(rune('1' + i)), Label: domain.WeekdayLabel(wd), Checked: shown.Weekdays[wd]})
	}
	for _, m := range domain.AccueilModes {
		d.Modes = append(d.Modes, modeBox{Value: m, Label: domain.AccueilModeLabel(m), Checked: shown.HasMode(m)})
	}
	d.Opening.OpenOnHolidays, d.Opening.HalfDays = shown.OpenOnHolidays, shown.HalfDays
	a.render(c, status, "establishment", view{Title: "Ouverture · " + e.Name, Nav: "admin", Errors: errs, Data: d})
}

func (a *App) traceEstablishment(c *gin.Context, tx domain.Tx, g grant, detail string) error {
	return access.Trace(tx, principal(c), g.Role, g.Estab, uuid.Nil, domain.SectionSettings, domain.ActionWrite, detail)
}

func (a *App) saveOpening(c *gin.Context) {
	e, g, ok := a.settingsEstab(c, domain.ActionWrite)
	if !ok {
		return
	}
	in := domain.OpeningInput{Weekdays: c.PostFormArray("weekdays"), OpenOnHolidays: c.PostForm("open_on_holidays") == "1",
		HalfDays: c.PostForm("half_days") == "1", Modes: c.PostFormArray("modes")}
	o, err := in.Parse(e.ID)
	if v, bad := domain.AsValidation(err); bad {
		a.showEstablishment(c, http.StatusUnprocessableEntity, e, &o, domain.ClosureInput{}, v.Fields)
		return
	}
	err = a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.SaveOpening(o, principal(c).UserID); err != nil {
			return err
		}
		return a.traceEstablishment(c, tx, g, "jours d'ouverture de "+e.Name+" : ouvert "+o.Describe())
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/etablissements/"+e.ID.String()+"?ok=ouverture")
}

func (a *App) addClosure(c *gin.Context) {
	e, g, ok := a.settingsEstab(c, domain.ActionWrite)
	if !ok {
		return
	}
	in := domain.ClosureInput{First: c.PostForm("first"), Last: c.PostForm("last"), Label: c.PostForm("label")}
	cl, err := in.Parse()
	if v, bad := domain.AsValidation(err); bad {
		a.showEstablishment(c, http.StatusUnprocessableEntity, e, nil, in, v.Fields)
		return
	}
	err = a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.AddClosure(e.ID, &cl); err != nil {
			return err
		}
		return a.traceEstablishment(c, tx, g, "fermeture de "+e.Name+" : "+cl.Label+" du "+domain.FrenchDate(cl.First)+" au "+domain.FrenchDate(cl.Last))
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/etablissements/"+e.ID.String()+"?ok=fermeture")
}

func (a *App) deleteClosure(c *gin.Context) {
	e, g, ok := a.settingsEstab(c, domain.ActionWrite)
	if !ok {
		return
	}
	id, ok := parseID(c.Param("closure"))
	if !ok {
		a.errorPage(c, http.StatusNotFound, "Cette période de fermeture n'existe pas.")
		return
	}
	err := a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.DeleteClosure(e.ID, id); err != nil {
			return err
		}
		return a.traceEstablishment(c, tx, g, "fermeture supprimée ("+strings.ToLower(e.Name)+")")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/etablissements/"+e.ID.String()+"?ok=fermeture-del")
}
