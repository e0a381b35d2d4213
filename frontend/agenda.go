package frontend

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// The agenda: appointments and planned events of the people one follows,
// by day or by week, for everyone or for one professional ("mon agenda"),
// limited establishment by establishment to the sections one may read.

type agendaDay struct {
	Day      time.Time
	Meetings []domain.MeetingItem
	Items    []domain.AgendaItem
}

type agendaData struct {
	View          string // "jour" or "semaine"
	Date          time.Time
	Days          []agendaDay
	Professional  string // "", "moi" or a user id
	Professionals []domain.User
	Names         map[uuid.UUID]string
	EstabNames    map[uuid.UUID]string
	CanPlan       bool // may plan a staff meeting somewhere
	Prev, Next    string
}

func (a *App) agenda(c *gin.Context) {
	p := principal(c)
	d := agendaData{View: c.DefaultQuery("vue", "jour"), Professional: c.Query("pro"), Names: map[uuid.UUID]string{}, EstabNames: map[uuid.UUID]string{}}
	day, ok := domain.ParseDate(c.Query("date"))
	if !ok {
		now := a.cfg.Now().In(domain.Paris())
		day = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	}
	n := 1
	if d.View == "semaine" {
		n = 7
		day = day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7)) // Monday
	} else {
		d.View = "jour"
	}
	d.Date = day
	d.Prev, d.Next = domain.FormatDate(day.AddDate(0, 0, -n)), domain.FormatDate(day.AddDate(0, 0, n))
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, domain.Paris())
	to := from.AddDate(0, 0, n)
	pro := uuid.Nil
	switch d.Professional {
	case "":
	case "moi":
		pro = p.UserID
	default:
		if id, ok := parseID(d.Professional); ok {
			pro = id
		}
	}
	var items []domain.AgendaItem
	var meetings []domain.MeetingItem
	for _, e := range p.Establishments() {
		_, _, ok := a.meetingWriter(p, e)
		d.CanPlan = d.CanPlan || ok
	}
	err := a.inTenant(c, func(tx domain.Tx) error {
		// Staff meetings of the user's establishments (all of them, or
		// those the chosen professional takes part in).
		var err error
		meetings, err = tx.Meetings(domain.MeetingQuery{Establishments: p.Establishments(), Participant: pro, From: from.UTC(), To: to.UTC()})
		if err != nil {
			return err
		}
		estabs, err := tx.Establishments()
		if err != nil {
			return err
		}
		for _, e := range estabs {
			d.EstabNames[e.ID] = e.Name
		}
		users, err := tx.Users()
		if err != nil {
			return err
		}
		for _, u := range users {
			d.Names[u.ID] = u.DisplayName
			if u.Active {
				d.Professionals = append(d.Professionals, u)
			}
		}
		for _, e := range p.Establishments() {
			var readable []domain.Section
			for _, s := range domain.RecordSections {
				if _, ok := a.cfg.Authz.Can(p, e, s, domain.ActionRead); ok {
					readable = append(readable, s)
				}
			}
			got, err := tx.UpcomingEvents([]uuid.UUID{e}, readable, from, to, pro)
			if err != nil {
				return err
			}
			items = append(items, got...)
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	seen := map[string]bool{} // a person followed in two establishments appears once
	for i := 0; i < n; i++ {
		dd := from.AddDate(0, 0, i)
		ad := agendaDay{Day: time.Date(dd.Year(), dd.Month(), dd.Day(), 0, 0, 0, 0, time.UTC)}
		end := dd.AddDate(0, 0, 1)
		for _, m := range meetings {
			if !m.At.Before(dd) && m.At.Before(end) {
				ad.Meetings = append(ad.Meetings, m)
			}
		}
		for _, it := range items {
			key := it.EventID.String() + it.At.String()
			if !it.At.Before(dd) && it.At.Before(end) && !seen[key] {
				seen[key] = true
				ad.Items = append(ad.Items, it)
			}
		}
		d.Days = append(d.Days, ad)
	}
	a.render(c, http.StatusOK, "agenda", view{Title: "Agenda", Nav: "agenda", Data: d})
}
