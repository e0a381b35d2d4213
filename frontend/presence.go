package frontend

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

// Presence register of day services: a day's register per establishment
// and the monthly summary. Recording needs admin:write in the establishment,
// reading admin:read; every save is traced.

// registerPresence mounts the coordination pages of establishments: the
// register, the opening settings it counts against, and the staff meetings
// shown in the agenda.
func (a *App) registerPresence(s *gin.RouterGroup) {
	a.registerEstablishmentSettings(s)
	a.registerMeetings(s)
	s.GET("/presences", a.presenceHome)
	s.GET("/presences/:estab", a.presenceDay)
	s.POST("/presences/:estab", a.savePresenceDay)
	s.GET("/presences/:estab/synthese", a.presenceMonth)
}

// presenceEstab resolves :estab and checks act on the register there.
func (a *App) presenceEstab(c *gin.Context, act domain.Action) (domain.Establishment, grant, bool) {
	return a.estabParam(c, domain.SectionAdmin, act, "Vos habilitations ne donnent pas accès au registre de présence de cet établissement.")
}

// estabParam resolves :estab and checks act on s there; a refusal answers
// 403 with denied.
func (a *App) estabParam(c *gin.Context, s domain.Section, act domain.Action, denied string) (domain.Establishment, grant, bool) {
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
	role, ok := a.cfg.Authz.Can(principal(c), id, s, act)
	if !ok {
		a.errorPage(c, http.StatusForbidden, denied)
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

// presenceCell is one half (or the whole) of a person's day.
type presenceCell struct {
	Half   domain.Half
	Field  string // form field suffix: "" for the whole day, "_matin", "_apres_midi"
	Status string
	Reason string
	Error  string
}

type presenceLine struct {
	Usager    domain.Usager
	Mode      string
	ModeError string
	Cells     []presenceCell
}

// Invalid reports whether a cell or the mode of the line was refused.
func (l presenceLine) Invalid() bool {
	for _, c := range l.Cells {
		if c.Error != "" {
			return true
		}
	}
	return l.ModeError != ""
}

type presenceData struct {
	Establishment  domain.Establishment
	Establishments []domain.Establishment
	Opening        domain.Opening
	Day            time.Time
	Closed         string // why the establishment is closed that day; "" when open
	Lines          []presenceLine
	Reasons        []string
	CanWrite       bool
	CanSettings    bool
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

func halfField(h domain.Half) string {
	if h == domain.HalfWhole {
		return ""
	}
	return "_" + string(h)
}

func (a *App) presenceDay(c *gin.Context) {
	e, _, ok := a.presenceEstab(c, domain.ActionRead)
	if !ok {
		return
	}
	a.showPresenceDay(c, http.StatusOK, e, a.dayParam(c, "jour"), nil)
}

// showPresenceDay renders the register, by whole days or by half-days as
// the establishment is set; typed lines (after a refused save) replace the
// stored ones so nothing typed is lost.
func (a *App) showPresenceDay(c *gin.Context, status int, e domain.Establishment, day time.Time, typed map[uuid.UUID]presenceLine) {
	d := presenceData{Establishment: e, Day: day, Reasons: domain.AbsenceReasons,
		Prev: domain.FormatDate(day.AddDate(0, 0, -1)), Next: domain.FormatDate(day.AddDate(0, 0, 1))}
	_, d.CanWrite = a.cfg.Authz.Can(principal(c), e.ID, domain.SectionAdmin, domain.ActionWrite)
	_, d.CanSettings = a.cfg.Authz.Can(principal(c), e.ID, domain.SectionSettings, domain.ActionWrite)
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		if d.Establishments, err = a.establishmentsWith(c, tx, domain.SectionAdmin, domain.ActionRead); err != nil {
			return err
		}
		if d.Opening, err = tx.Opening(e.ID); err != nil {
			return err
		}
		d.Closed = d.Opening.ClosedReason(day)
		roll, err := tx.PresenceRoll(e.ID, day)
		if err != nil {
			return err
		}
		stored, err := tx.Presences(e.ID, day, day)
		if err != nil {
			return err
		}
		modes, err := tx.StayModes(e.ID, day)
		if err != nil {
			return err
		}
		type key struct {
			u uuid.UUID
			h domain.Half
		}
		byKey := map[key]domain.Presence{}
		lineMode := map[uuid.UUID]domain.Mode{}
		for _, p := range stored {
			byKey[key{p.UsagerID, p.Half}] = p
			if p.Mode != "" {
				lineMode[p.UsagerID] = p.Mode
			}
		}
		for _, u := range roll {
			l := presenceLine{Usager: u, Mode: string(lineMode[u.ID])}
			if l.Mode == "" && d.Opening.HasMode(modes[u.ID]) {
				l.Mode = string(modes[u.ID]) // the stay's mode, when the establishment offers it
			}
			for _, h := range d.Opening.Halves() {
				p, ok := byKey[key{u.ID, h}]
				if !ok {
					p = byKey[key{u.ID, domain.HalfWhole}] // a whole-day line covers both halves
				}
				l.Cells = append(l.Cells, presenceCell{Half: h, Field: halfField(h), Status: string(p.Status), Reason: p.Reason})
			}
			if t, ok := typed[u.ID]; ok {
				l.Mode, l.ModeError, l.Cells = t.Mode, t.ModeError, t.Cells
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
		opening, err := tx.Opening(e.ID)
		if err != nil {
			return err
		}
		roll, err := tx.PresenceRoll(e.ID, day)
		if err != nil {
			return err
		}
		for _, u := range roll {
			id := u.ID.String()
			l := presenceLine{Mode: c.PostForm("mode_" + id)}
			mode := domain.Mode(l.Mode)
			if mode != "" && !opening.HasMode(mode) {
				l.ModeError, bad = "Choisissez un mode d'accueil de l'établissement.", true
			}
			for _, h := range opening.Halves() {
				f := halfField(h)
				cell := presenceCell{Half: h, Field: f, Status: c.PostForm("status_" + id + f), Reason: c.PostForm("reason_" + id + f)}
				if cell.Status != "" {
					st, why, msg := domain.ParsePresence(cell.Status, cell.Reason)
					cell.Error = msg
					if msg != "" {
						bad = true
					} else {
						lines = append(lines, domain.Presence{EstablishmentID: e.ID, UsagerID: u.ID, Day: day, Half: h, Mode: mode,
							Status: st, Reason: why, RecordedBy: p.UserID})
					}
				}
				l.Cells = append(l.Cells, cell)
			}
			typed[u.ID] = l
		}
		if bad {
			return nil
		}
		if err := tx.SavePresences(lines); err != nil {
			return err
		}
		for _, l := range lines {
			detail := "registre de présence du " + domain.FrenchDate(day) + " : " + l.Status.Label()
			if l.Half != domain.HalfWhole {
				detail += " (" + strings.ToLower(l.Half.Label()) + ")"
			}
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
	Opening       domain.Opening
	Month         time.Time
	OpenDays      int
	OpenUnits     int
	Closures      []domain.Closure // overlapping the month
	Modes         []domain.Mode    // columns of presences per mode
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
	d := monthData{Establishment: e, Month: m, Prev: m.AddDate(0, -1, 0).Format("2006-01"), Next: m.AddDate(0, 1, 0).Format("2006-01"),
		Total: domain.PresenceSummary{ByReason: map[string]int{}, ByMode: map[domain.Mode]int{}}}
	err = a.inTenant(c, func(tx domain.Tx) error {
		var err error
		if d.Opening, err = tx.Opening(e.ID); err != nil {
			return err
		}
		people, sums, err := tx.MonthPresence(e.ID, m.Year(), m.Month())
		if err != nil {
			return err
		}
		for i, s := range sums {
			d.Rows = append(d.Rows, monthRow{Usager: people[i], PresenceSummary: s})
			d.Total.Add(s)
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	d.OpenDays = len(d.Opening.OpenDays(m.Year(), m.Month()))
	d.OpenUnits = d.OpenDays * len(d.Opening.Halves())
	last := m.AddDate(0, 1, -1)
	for _, cl := range d.Opening.Closures {
		if !cl.Last.Before(m) && !cl.First.After(last) {
			d.Closures = append(d.Closures, cl)
		}
	}
	d.Modes = append(d.Modes, d.Opening.Modes...)
	if d.Total.ByMode[""] > 0 && len(d.Modes) > 0 {
		d.Modes = append(d.Modes, "") // presences recorded without a mode
	}
	a.render(c, http.StatusOK, "presence_month", view{Title: "Synthèse mensuelle de présence", Nav: "presences", Data: d})
}
