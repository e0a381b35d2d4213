package frontend

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// The dossier's timeline ("Chronologie"): everything dated in the record,
// newest first, limited to the sections the reader may read, filterable by
// kind and section; and the form to record an event.

func (a *App) registerTimeline(u *gin.RouterGroup) {
	u.GET("/chronologie", a.timeline)
	u.GET("/evenements/nouveau", a.eventForm)
	u.POST("/evenements", a.createEvent)
}

type timelineData struct {
	Usager   domain.Usager
	Items    []domain.TimelineItem
	Sections []domain.Section // readable
	Section  string
	Kind     string
	Next     string
	CanWrite bool
}

var timelineKinds = map[string]string{"event": "Événements", "note": "Notes", "targeted": "Transmissions ciblées", "stay": "Séjours", "identity": "Identité"}

func (a *App) readableSections(c *gin.Context, act domain.Action) []domain.Section {
	var out []domain.Section
	for _, s := range domain.RecordSections {
		if _, ok := a.grantFor(c, s, act); ok {
			out = append(out, s)
		}
	}
	return out
}

func (a *App) timeline(c *gin.Context) {
	rec := currentRecord(c)
	d := timelineData{Usager: rec.Usager, Sections: a.readableSections(c, domain.ActionRead), Kind: c.Query("type"), Section: c.Query("section")}
	if len(d.Sections) == 0 {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne donnent accès à aucune section de ce dossier.")
		return
	}
	d.CanWrite = len(a.readableSections(c, domain.ActionWrite)) > 0
	if _, ok := timelineKinds[d.Kind]; !ok {
		d.Kind = ""
	}
	q := domain.TimelineQuery{UsagerID: rec.Usager.ID, Sections: d.Sections, Kind: d.Kind, Limit: 50}
	if d.Section != "" {
		q.Sections = nil
		for _, s := range d.Sections {
			if string(s) == d.Section {
				q.Sections = []domain.Section{s}
			}
		}
	}
	if at, id, ok := parseCursor(c.Query("avant")); ok {
		q.Before, q.BeforeID = at, id
	}
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		if d.Items, err = tx.Timeline(q); err != nil {
			return err
		}
		// Care and medical items read here are traced like the tabs.
		for _, s := range q.Sections {
			if s.Traced() {
				g, _ := a.grantFor(c, s, domain.ActionRead)
				if err := a.trace(c, tx, g, s, domain.ActionRead, "consultation de la chronologie"); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	if len(d.Items) == q.Limit {
		last := d.Items[len(d.Items)-1]
		d.Next = last.At.UTC().Format(time.RFC3339Nano) + "|" + last.ID.String()
	}
	a.render(c, http.StatusOK, "timeline", view{Title: "Chronologie", Nav: "usagers", Data: d})
}

func parseCursor(s string) (time.Time, uuid.UUID, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '|' {
			at, err1 := time.Parse(time.RFC3339Nano, s[:i])
			id, err2 := uuid.Parse(s[i+1:])
			return at, id, err1 == nil && err2 == nil
		}
	}
	return time.Time{}, uuid.Nil, false
}

// grantFor resolves which role and establishment carry a right on the record.
func (a *App) grantFor(c *gin.Context, s domain.Section, act domain.Action) (grant, bool) {
	return a.recordRight(principal(c), currentRecord(c), s, act)
}

type eventFormData struct {
	Usager        domain.Usager
	Form          domain.EventInput
	Professionals []domain.User
	Recurrences   []domain.Recurrence
	Sections      []domain.Section
	Types         []domain.EventType
	Statuses      []domain.EventStatus
}

func (a *App) eventForm(c *gin.Context) {
	in := domain.EventInput{Status: string(domain.EventDone), Start: a.cfg.Now().In(domain.Paris()).Format("2006-01-02T15:04"), Section: c.Query("section")}
	a.showEventForm(c, http.StatusOK, in, nil)
}

func (a *App) showEventForm(c *gin.Context, status int, in domain.EventInput, errs map[string]string) {
	d := eventFormData{Usager: currentRecord(c).Usager, Form: in, Sections: a.readableSections(c, domain.ActionWrite), Types: domain.AllEventTypes,
		Statuses: []domain.EventStatus{domain.EventPlanned, domain.EventValidated, domain.EventDone, domain.EventCancelled}}
	if len(d.Sections) == 0 {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne permettent pas d'écrire dans ce dossier.")
		return
	}
	d.Recurrences = []domain.Recurrence{domain.RecurNone, domain.RecurDaily, domain.RecurWeekly}
	err := a.inTenant(c, func(tx domain.Tx) error {
		users, err := tx.Users()
		for _, u := range users {
			if u.Active {
				d.Professionals = append(d.Professionals, u)
			}
		}
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, status, "event_form", view{Title: "Nouvel événement", Nav: "usagers", Errors: errs, Data: d})
}

func (a *App) createEvent(c *gin.Context) {
	in := domain.EventInput{Section: c.PostForm("section"), Type: c.PostForm("type"), SerafinCode: c.PostForm("serafin_code"),
		Title: c.PostForm("title"), Start: c.PostForm("start"), End: c.PostForm("end"), Place: c.PostForm("place"),
		Status: c.PostForm("status"), Reason: c.PostForm("reason"), Participants: c.PostForm("participants"),
		Professional: c.PostForm("professional"), Recurrence: c.PostForm("recurrence"), RecurUntil: c.PostForm("recur_until")}
	e, err := in.Parse()
	if err != nil {
		a.showEventForm(c, http.StatusUnprocessableEntity, in, fieldErrors(err))
		return
	}
	g, ok := a.need(c, e.Section, domain.ActionWrite)
	if !ok {
		return
	}
	p := principal(c)
	e.UsagerID, e.AuthorID, e.AuthorName = currentRecord(c).Usager.ID, p.UserID, p.DisplayName
	err = a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.SaveEvent(&e); err != nil {
			return err
		}
		return a.trace(c, tx, g, e.Section, domain.ActionWrite, "événement : "+e.Type.Label())
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "/chronologie?ok=evenement"))
}
