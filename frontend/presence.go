package frontend

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

// Presence register of day services: a day's register per establishment
// and the monthly summary. Recording needs admin:write in the establishment,
// reading admin:read; every save is traced.

func (a *App) registerPresence(s *gin.RouterGroup) {
	s.GET("/presences", a.presenceHome)
	s.GET("/presences/:estab", a.presenceDay)
	s.POST("/presences/:estab", a.savePresenceDay)
	s.GET("/presences/:estab/synthese", a.presenceMonth)
}

// presenceEstab resolves :estab and checks act there.
func (a *App) presenceEstab(c *gin.Context, act domain.Action) (domain.Establishment, grant, bool) {
	id, ok := parseID(c.Param("estab"))
	if !ok {
		a.errorPage(c, http.StatusNotFound, "Cet établissement n'existe pas.")
		return domain.Establishment{}, grant{}, false
	}
	var e domain.Establishment
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		e, err = tx.Establishment(id)
		return err
	})
	if err != nil {
		a.fail(c, err)
		return e, grant{}, false
	}
	role, ok := a.cfg.Authz.Can(principal(c), id, domain.SectionAdmin, act)
	if !ok {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne donnent pas accès au registre de présence de cet établissement.")
		return e, grant{}, false
	}
	return e, grant{Estab: id, Role: role}, true
}

func (a *App) presenceHome(c *gin.Context) {
	var estabs []domain.Establishment
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		estabs, err = a.establishmentsWith(c, tx, domain.SectionAdmin, domain.ActionRead)
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	if len(estabs) == 0 {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne donnent accès à aucun registre de présence.")
		return
	}
	c.Redirect(http.StatusSeeOther, "/presences/"+estabs[0].ID.String())
}

type presenceLine struct {
	Usager domain.Usager
	Status string
	Reason string
	Error  string
}

type presenceData struct {
	Establishment  domain.Establishment
	Establishments []domain.Establishment
	Day            time.Time
	Holiday        string
	Lines          []presenceLine
	Reasons        []string
	CanWrite       bool
	Prev, Next     string
}

func (a *App) dayParam(c *gin.Context, key string) time.Time {
	if d, ok := domain.ParseDate(c.Query(key)); ok {
		return d
	}
	if d, ok := domain.ParseDate(c.PostForm(key)); ok {
		return d
	}
	now := a.cfg.Now().In(domain.Paris())
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
}

func (a *App) presenceDay(c *gin.Context) {
	e, _, ok := a.presenceEstab(c, domain.ActionRead)
	if !ok {
		return
	}
	a.showPresenceDay(c, http.StatusOK, e, a.dayParam(c, "jour"), nil)
}

// showPresenceDay renders the register; typed lines (after a refused save)
// replace the stored ones so nothing typed is lost.
func (a *App) showPresenceDay(c *gin.Context, status int, e domain.Establishment, day time.Time, typed map[uuid.UUID]presenceLine) {
	d := presenceData{Establishment: e, Day: day, Reasons: domain.AbsenceReasons,
		Prev: domain.FormatDate(day.AddDate(0, 0, -1)), Next: domain.FormatDate(day.AddDate(0, 0, 1))}
	d.Holiday = domain.FrenchHolidays(day.Year())[day]
	_, d.CanWrite = a.cfg.Authz.Can(principal(c), e.ID, domain.SectionAdmin, domain.ActionWrite)
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		if d.Establishments, err = a.establishmentsWith(c, tx, domain.SectionAdmin, domain.ActionRead); err != nil {
			return err
		}
		roll, err := tx.PresenceRoll(e.ID, day)
		if err != nil {
			return err
		}
		stored, err := tx.Presences(e.ID, day, day)
		if err != nil {
			return err
		}
		byUser := map[uuid.UUID]domain.Presence{}
		for _, p := range stored {
			byUser[p.UsagerID] = p
		}
		for _, u := range roll {
			l := presenceLine{Usager: u, Status: string(byUser[u.ID].Status), Reason: byUser[u.ID].Reason}
			if t, ok := typed[u.ID]; ok {
				l.Status, l.Reason, l.Error = t.Status, t.Reason, t.Error
			}
			d.Lines = append(d.Lines, l)
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, status, "presence_day", view{Title: "Registre de présence", Nav: "presences", Data: d})
}

// savePresenceDay records the whole day's register in one transaction, or
// nothing when a line is invalid.
func (a *App) savePresenceDay(c *gin.Context) {
	e, g, ok := a.presenceEstab(c, domain.ActionWrite)
	if !ok {
		return
	}
	day := a.dayParam(c, "jour")
	p := principal(c)
	typed := map[uuid.UUID]presenceLine{}
	var lines []domain.Presence
	bad := false
	err := a.inTenant(c, func(tx domain.Tx) error {
		roll, err := tx.PresenceRoll(e.ID, day)
		if err != nil {
			return err
		}
		for _, u := range roll {
			raw, reason := c.PostForm("status_"+u.ID.String()), c.PostForm("reason_"+u.ID.String())
			if raw == "" {
				continue // not recorded yet: left for later
			}
			st, why, msg := domain.ParsePresence(raw, reason)
			typed[u.ID] = presenceLine{Status: raw, Reason: reason, Error: msg}
			if msg != "" {
				bad = true
				continue
			}
			lines = append(lines, domain.Presence{EstablishmentID: e.ID, UsagerID: u.ID, Day: day, Status: st, Reason: why, RecordedBy: p.UserID})
		}
		if bad {
			return nil
		}
		if err := tx.SavePresences(lines); err != nil {
			return err
		}
		for _, l := range lines {
			detail := "registre de présence du " + domain.FrenchDate(day) + " : " + l.Status.Label()
			if err := access.Trace(tx, p, g.Role, g.Estab, l.UsagerID, domain.SectionAdmin, domain.ActionWrite, detail); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	if bad {
		a.showPresenceDay(c, http.StatusUnprocessableEntity, e, day, typed)
		return
	}
	c.Redirect(http.StatusSeeOther, "/presences/"+e.ID.String()+"?jour="+domain.FormatDate(day)+"&ok=presences")
}

type monthData struct {
	Establishment domain.Establishment
	Month         time.Time
	OpenDays      int
	Rows          []monthRow
	Total         domain.PresenceSummary
	Prev, Next    string
}

type monthRow struct {
	Usager domain.Usager
	domain.PresenceSummary
}

func (a *App) presenceMonth(c *gin.Context) {
	e, _, ok := a.presenceEstab(c, domain.ActionRead)
	if !ok {
		return
	}
	m, err := time.Parse("2006-01", c.Query("mois"))
	if err != nil {
		now := a.cfg.Now().In(domain.Paris())
		m = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	d := monthData{Establishment: e, Month: m, OpenDays: len(domain.OpenDays(m.Year(), m.Month())),
		Prev: m.AddDate(0, -1, 0).Format("2006-01"), Next: m.AddDate(0, 1, 0).Format("2006-01"),
		Total: domain.PresenceSummary{ByReason: map[string]int{}}}
	err = a.inTenant(c, func(tx domain.Tx) error {
		people, sums, err := tx.MonthPresence(e.ID, m.Year(), m.Month())
		if err != nil {
			return err
		}
		for i, s := range sums {
			d.Rows = append(d.Rows, monthRow{Usager: people[i], PresenceSummary: s})
			d.Total.Expected += s.Expected
			d.Total.Present += s.Present
			d.Total.Absent += s.Absent
			d.Total.Excused += s.Excused
			d.Total.Unrecorded += s.Unrecorded
			for r, n := range s.ByReason {
				d.Total.ByReason[r] += n
			}
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, http.StatusOK, "presence_month", view{Title: "Synthèse mensuelle de présence", Nav: "presences", Data: d})
}
