package frontend

import (
	"net/http"
	"sort"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// The home screen: what a professional needs first — today's agenda of the
// people they follow, unread liaison notes, and, for those who build plans,
// the personalised plans late or due soon. Everything is limited to what
// their habilitations let them read, establishment by establishment.

type homeData struct {
	Today     time.Time
	Agenda    []domain.AgendaItem
	Meetings  []domain.MeetingItem // today's meetings the user takes part in
	Unread    int
	PlansDue  []domain.PlanDue
	ShowPlans bool
	// Open adverse events the user may read, and the serious ones whose ARS
	// declaration is late.
	ShowAdverse bool
	OpenAdverse int
	AdverseLate []domain.AdverseEvent
	Now         time.Time
	EstabNames  map[string]string
	// Delegations (bris de glace) of the last 7 days, for those who oversee
	// the trail of an establishment.
	ShowDelegations bool
	Delegations     []domain.Delegation
	// Documents sent to the DMP per establishment over the last six months
	// (an ESMS Numérique indicator), for the same overseers.
	DMPMonths []time.Time
	DMPRows   []dmpCountRow
}

// dmpCountRow is one establishment's documents sent per month.
type dmpCountRow struct {
	Name   string
	Counts []int
}

// dmpCounts lays the months out oldest first, with the months without a
// document at zero.
func dmpCounts(estabs []uuid.UUID, names map[string]string, counts []domain.DMPMonthCount, months []time.Time) []dmpCountRow {
	sent := map[string]int{}
	for _, c := range counts {
		sent[c.EstablishmentID.String()+c.Month.Format("2006-01")] = c.Sent
	}
	rows := make([]dmpCountRow, 0, len(estabs))
	for _, e := range estabs {
		r := dmpCountRow{Name: names[e.String()]}
		for _, m := range months {
			r.Counts = append(r.Counts, sent[e.String()+m.Format("2006-01")])
		}
		rows = append(rows, r)
	}
	return rows
}

func (a *App) home(c *gin.Context) {
	p := principal(c)
	now := a.cfg.Now().In(domain.Paris())
	start := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, domain.Paris())
	d := homeData{Today: start, EstabNames: map[string]string{}}
	err := a.inTenant(c, func(tx domain.Tx) error {
		estabs, err := tx.Establishments()
		if err != nil {
			return err
		}
		mine := map[string]bool{}
		for _, id := range p.Establishments() {
			mine[id.String()] = true
		}
		var planEstabs = estabs[:0:0]
		for _, e := range estabs {
			if !mine[e.ID.String()] {
				continue
			}
			d.EstabNames[e.ID.String()] = e.Name
			var readable []domain.Section
			for _, s := range domain.RecordSections {
				if _, ok := a.cfg.Authz.Can(p, e.ID, s, domain.ActionRead); ok {
					readable = append(readable, s)
				}
			}
			items, err := tx.UpcomingEvents([]uuid.UUID{e.ID}, readable, start, start.AddDate(0, 0, 1), uuid.Nil)
			if err != nil {
				return err
			}
			d.Agenda = append(d.Agenda, items...)
			if _, ok := a.cfg.Authz.Can(p, e.ID, domain.SectionAdmin, domain.ActionRead); ok {
				planEstabs = append(planEstabs, e)
			}
		}
		if d.Meetings, err = tx.Meetings(domain.MeetingQuery{Establishments: p.Establishments(), Participant: p.UserID,
			From: start, To: start.AddDate(0, 0, 1)}); err != nil {
			return err
		}
		d.Now = a.cfg.Now()
		if q := a.adverseQuery(p, true); len(q.WithUsager)+len(q.Establishments) > 0 {
			open, err := tx.AdverseEvents(q)
			if err != nil {
				return err
			}
			d.ShowAdverse, d.OpenAdverse = true, len(open)
			for _, f := range open {
				if f.ARSState(d.Now).Late() {
					d.AdverseLate = append(d.AdverseLate, f)
				}
			}
		}
		if sup := a.supervisedEstabs(p); len(sup) > 0 {
			d.ShowDelegations = true
			if d.Delegations, err = tx.Delegations(sup, d.Now.AddDate(0, 0, -7)); err != nil {
				return err
			}
			first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, domain.Paris())
			for i := 5; i >= 0; i-- {
				d.DMPMonths = append(d.DMPMonths, first.AddDate(0, -i, 0))
			}
			counts, err := tx.DMPSentPerMonth(sup, d.DMPMonths[0], first.AddDate(0, 1, 0))
			if err != nil {
				return err
			}
			d.DMPRows = dmpCounts(sup, d.EstabNames, counts, d.DMPMonths)
		}
		sort.SliceStable(d.Agenda, func(i, j int) bool { return d.Agenda[i].At.Before(d.Agenda[j].At) })
		if len(planEstabs) > 0 {
			ids := make([]uuid.UUID, len(planEstabs))
			for i, e := range planEstabs {
				ids[i] = e.ID
			}
			if d.PlansDue, err = tx.PlansDue(ids, start); err != nil {
				return err
			}
			d.ShowPlans = true
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, http.StatusOK, "home", view{Title: "Accueil", Nav: "accueil", Data: d})
}
