package frontend

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

// The care plan (plan de soins) of a usager, the daily checklist of the
// establishments (soins du jour) and the page of one occurrence, where a
// care act is marked done or not done (with a reason) and corrected. Rights
// are those of the care section in the establishment giving the care:
// reading care read, marking care write, defining acts care validate. Every
// read and write is traced.

// registerCarePlan mounts the care plan, the daily checklist and the SSIAD round.
func (a *App) registerCarePlan(u, s *gin.RouterGroup) {
	u.GET("/plan-de-soins", a.carePlanPage)
	u.POST("/plan-de-soins/actes", a.createCareAct)
	u.POST("/plan-de-soins/actes/:act/arreter", a.stopCareAct)
	s.GET("/soins-du-jour", a.dailyChecklist)
	s.GET("/soins/actes/:act/occurrence", a.occurrencePage)
	s.POST("/soins/actes/:act/occurrence", a.markOccurrence)
	a.registerRounds(s)
}

// careDay reads ?jour= (a date), today in Paris otherwise.
func (a *App) careDay(c *gin.Context, field string) time.Time {
	if d, ok := domain.ParseDate(c.Query(field)); ok {
		return d
	}
	return domain.ParisDay(a.cfg.Now())
}

// careReturn keeps a return address only when it is a path of this site
// (safeReturn), fallback otherwise.
func careReturn(s, fallback string) string {
	if r := safeReturn(s); r != "" {
		return r
	}
	return fallback
}

// withFlash adds ?ok=key to a local address, before its fragment.
func withFlash(to, key, fragment string) string {
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	out := to + sep + "ok=" + key
	if fragment != "" {
		out += "#" + fragment
	}
	return out
}

type carePlanData struct {
	Usager         domain.Usager
	Acts           []domain.CareAct
	Today          []domain.Occurrence
	Day            time.Time
	Writable       map[uuid.UUID]bool // establishments where the reader marks care
	CanValidate    bool
	Establishments []domain.Establishment // where the reader defines acts
	EstabNames     map[uuid.UUID]string
	Form           domain.CareActInput
	Kinds          []domain.CareKind
	Moments        []domain.Moment
	Weekdays       []weekdayOption
	Return         string
}

type weekdayOption struct{ Value, Label string }

func weekdayOptions() []weekdayOption {
	var out []weekdayOption
	for _, d := range domain.WeekdaysMondayFirst {
		l := domain.WeekdayLabel(d)
		out = append(out, weekdayOption{Value: fmt.Sprint(int(d)), Label: strings.ToUpper(l[:1]) + l[1:]})
	}
	return out
}

func (a *App) carePlanPage(c *gin.Context) {
	in := domain.CareActInput{Start: domain.FormatDate(domain.ParisDay(a.cfg.Now()))}
	for _, d := range domain.WeekdaysMondayFirst {
		in.Weekdays = append(in.Weekdays, fmt.Sprint(int(d)))
	}
	a.showCarePlan(c, http.StatusOK, in, nil)
}

// showCarePlan renders the plan; a refused act comes back as typed with its
// messages.
func (a *App) showCarePlan(c *gin.Context, status int, in domain.CareActInput, errs map[string]string) {
	g, ok := a.need(c, domain.SectionCare, domain.ActionRead)
	if !ok {
		return
	}
	rec := currentRecord(c)
	p := principal(c)
	d := carePlanData{Usager: rec.Usager, Day: domain.ParisDay(a.cfg.Now()), Writable: map[uuid.UUID]bool{}, EstabNames: map[uuid.UUID]string{},
		Form: in, Kinds: domain.AllCareKinds, Moments: domain.AllMoments, Weekdays: weekdayOptions(),
		Return: a.recordURL(c, "/plan-de-soins")}
	err := a.inTenant(c, func(tx domain.Tx) error {
		estabs, err := tx.Establishments()
		if err != nil {
			return err
		}
		for _, e := range estabs {
			d.EstabNames[e.ID] = e.Name
			if !containsID(rec.Visible, e.ID) {
				continue
			}
			if _, ok := a.cfg.Authz.Can(p, e.ID, domain.SectionCare, domain.ActionWrite); ok {
				d.Writable[e.ID] = true
			}
			if _, ok := a.cfg.Authz.Can(p, e.ID, domain.SectionCare, domain.ActionValidate); ok {
				d.Establishments = append(d.Establishments, e)
			}
		}
		d.CanValidate = len(d.Establishments) > 0
		if d.CanValidate && d.Form.EstablishmentID == "" {
			d.Form.EstablishmentID = d.Establishments[0].ID.String()
		}
		if d.Acts, err = tx.CareActs(domain.CareActQuery{Usagers: []uuid.UUID{rec.Usager.ID}}); err != nil {
			return err
		}
		// Active acts first, each group oldest first.
		sort.SliceStable(d.Acts, func(i, j int) bool { return !d.Acts[i].Stopped() && d.Acts[j].Stopped() })
		ids := make([]uuid.UUID, len(d.Acts))
		for i, act := range d.Acts {
			ids[i] = act.ID
		}
		marks, err := tx.CareMarks(ids, d.Day)
		if err != nil {
			return err
		}
		d.Today = domain.Occurrences(d.Acts, marks, d.Day)
		if status != http.StatusOK {
			return nil
		}
		return a.trace(c, tx, g, domain.SectionCare, domain.ActionRead, "consultation du plan de soins")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, status, "careplan", view{Title: "Plan de soins — " + rec.Usager.DisplayName(), Nav: "usagers", Errors: errs, Data: d})
}

func careActInput(c *gin.Context) domain.CareActInput {
	return domain.CareActInput{EstablishmentID: c.PostForm("establishment_id"), Kind: c.PostForm("kind"), Label: c.PostForm("label"),
		Weekdays: c.PostFormArray("weekdays"), Moments: c.PostFormArray("moments"), At: c.PostForm("at"), Start: c.PostForm("start"),
		End: c.PostForm("end"), Instructions: c.PostForm("instructions")}
}

// createCareAct adds an act to the plan (care validate in the chosen
// establishment of the record), or shows the plan again with the messages.
func (a *App) createCareAct(c *gin.Context) {
	if _, ok := a.need(c, domain.SectionCare, domain.ActionValidate); !ok {
		return
	}
	rec := currentRecord(c)
	p := principal(c)
	var allowed []uuid.UUID
	for _, e := range rec.Visible {
		if _, ok := a.cfg.Authz.Can(p, e, domain.SectionCare, domain.ActionValidate); ok {
			allowed = append(allowed, e)
		}
	}
	in := careActInput(c)
	act, err := in.Parse(allowed)
	if err != nil {
		a.showCarePlan(c, http.StatusUnprocessableEntity, in, fieldErrors(err))
		return
	}
	g, ok := a.needIn(c, act.EstablishmentID, domain.SectionCare, domain.ActionValidate)
	if !ok {
		return
	}
	act.UsagerID, act.AuthorID, act.AuthorName, act.CreatedAt = rec.Usager.ID, p.UserID, p.DisplayName, a.cfg.Now().UTC()
	err = a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.SaveCareAct(&act); err != nil {
			return err
		}
		return a.trace(c, tx, g, domain.SectionCare, domain.ActionValidate, "plan de soins : ajout de l'acte « "+act.Title()+" » ("+act.ScheduleLabel()+")")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "/plan-de-soins?ok=acte"))
}

// stopCareAct stops an act of the record: it is no longer due, its history
// stays.
func (a *App) stopCareAct(c *gin.Context) {
	id, ok := parseID(c.Param("act"))
	if !ok {
		a.errorPage(c, http.StatusNotFound, "Cet acte de soins n'existe pas.")
		return
	}
	rec := currentRecord(c)
	p := principal(c)
	err := a.inTenant(c, func(tx domain.Tx) error {
		act, err := tx.CareAct(id)
		if err != nil {
			return err
		}
		if act.UsagerID != rec.Usager.ID || !containsID(rec.Visible, act.EstablishmentID) {
			return domain.ErrNotFound
		}
		role, ok := a.cfg.Authz.Can(p, act.EstablishmentID, domain.SectionCare, domain.ActionValidate)
		if !ok {
			return domain.ErrForbidden
		}
		reason := strings.TrimSpace(c.PostForm("stop_reason"))
		if err := tx.StopCareAct(act.ID, a.cfg.Now(), p.DisplayName, reason); err != nil {
			return err
		}
		return access.Trace(tx, p, role, act.EstablishmentID, rec.Usager.ID, domain.SectionCare, domain.ActionValidate,
			"plan de soins : arrêt de l'acte « "+act.Title()+" »")
	})
	if errors.Is(err, domain.ErrConflict) {
		a.errorPage(c, http.StatusConflict, "Cet acte de soins est déjà arrêté.")
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "/plan-de-soins?ok=arret"))
}

// openCareAct loads the act of the URL for act: an act of an establishment
// where the user holds no role is not found; a missing right answers 403.
func (a *App) openCareAct(c *gin.Context, tx domain.Tx, act domain.Action) (domain.CareAct, domain.Role, error) {
	id, ok := parseID(c.Param("act"))
	if !ok {
		return domain.CareAct{}, "", domain.ErrNotFound
	}
	ca, err := tx.CareAct(id)
	if err != nil {
		return ca, "", err
	}
	p := principal(c)
	if !containsID(p.Establishments(), ca.EstablishmentID) {
		return ca, "", domain.ErrNotFound
	}
	role, ok := a.cfg.Authz.Can(p, ca.EstablishmentID, domain.SectionCare, act)
	if !ok {
		return ca, "", domain.ErrForbidden
	}
	return ca, role, nil
}

type occurrenceData struct {
	Act      domain.CareAct
	Day      time.Time
	Slot     string
	Mark     *domain.CareMark
	CanWrite bool
	Form     domain.CareMarkInput
	Reasons  []domain.NotDoneReason
	Return   string
}

// SlotLabel is the slot in French.
func (d occurrenceData) SlotLabel() string { return domain.SlotLabel(d.Slot) }

func (a *App) occurrencePage(c *gin.Context) {
	in := domain.CareMarkInput{Day: c.Query("jour"), Slot: c.Query("moment"), State: c.Query("etat")}
	a.showOccurrence(c, http.StatusOK, in, careReturn(c.Query("retour"), "/soins-du-jour"), nil)
}

// showOccurrence renders one occurrence: its mark and corrections, and the
// form to mark it (or correct it once marked).
func (a *App) showOccurrence(c *gin.Context, status int, in domain.CareMarkInput, ret string, errs map[string]string) {
	p := principal(c)
	d := occurrenceData{Form: in, Reasons: domain.AllNotDoneReasons, Return: ret, Slot: in.Slot}
	day, ok := domain.ParseDate(in.Day)
	if !ok {
		a.errorPage(c, http.StatusBadRequest, "Le jour du soin manque ou n'est pas valide.")
		return
	}
	d.Day = day
	err := a.inTenant(c, func(tx domain.Tx) error {
		act, role, err := a.openCareAct(c, tx, domain.ActionRead)
		if err != nil {
			return err
		}
		d.Act = act
		_, d.CanWrite = a.cfg.Authz.Can(p, act.EstablishmentID, domain.SectionCare, domain.ActionWrite)
		m, err := tx.CareMarkAt(act.ID, day, in.Slot)
		switch {
		case err == nil:
			d.Mark = &m
			d.Form.Correction = true
		case errors.Is(err, domain.ErrNotFound):
			known := false
			for _, s := range act.Slots() {
				known = known || s == in.Slot
			}
			if !known || !act.DueOn(day) {
				return domain.ErrNotFound
			}
		default:
			return err
		}
		if status != http.StatusOK {
			return nil
		}
		return access.Trace(tx, p, role, act.EstablishmentID, act.UsagerID, domain.SectionCare, domain.ActionRead,
			"consultation d'un soin : "+act.Title())
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, status, "careplan_occurrence", view{Title: d.Act.Title() + " — " + d.Act.UsagerName, Nav: "soins", Errors: errs, Data: d})
}

// markOccurrence records "fait" or "non fait" (with a reason) for one
// occurrence, or a correction with its reason. A repeated identical mark
// (double tap) is accepted; a different one without correction answers 409
// with the stored mark shown.
func (a *App) markOccurrence(c *gin.Context) {
	p := principal(c)
	in := domain.CareMarkInput{Day: c.PostForm("jour"), Slot: c.PostForm("moment"), State: c.PostForm("state"), Reason: c.PostForm("reason"),
		ReasonText: c.PostForm("reason_text"), Correction: c.PostForm("correction") == "1", CorrectionReason: c.PostForm("correction_reason")}
	ret := careReturn(c.PostForm("retour"), "/soins-du-jour")
	var mark domain.CareMark
	var stored domain.CareMark
	err := a.inTenant(c, func(tx domain.Tx) error {
		act, role, err := a.openCareAct(c, tx, domain.ActionWrite)
		if err != nil {
			return err
		}
		day, _ := domain.ParseDate(in.Day)
		_, existsErr := tx.CareMarkAt(act.ID, day, strings.TrimSpace(in.Slot))
		exists := existsErr == nil
		if existsErr != nil && !errors.Is(existsErr, domain.ErrNotFound) {
			return existsErr
		}
		var why string
		mark, why, err = in.Parse(act, exists && in.Correction)
		if err != nil {
			return err
		}
		mark.ByID, mark.ByName, mark.At = p.UserID, p.DisplayName, a.cfg.Now().UTC()
		detail := "soin noté : " + act.Title() + " (" + domain.SlotLabel(mark.Slot) + ", " + domain.FrenchDate(mark.Day) + ") — " + mark.StateLabel()
		if in.Correction && exists {
			if err := tx.CorrectCare(&mark, why); err != nil {
				return err
			}
			detail = "correction d'un " + detail + " ; motif : " + why
		} else if err := tx.MarkCare(&mark); err != nil {
			if errors.Is(err, domain.ErrConflict) {
				stored, _ = tx.CareMarkAt(act.ID, mark.Day, mark.Slot)
			}
			return err
		}
		return access.Trace(tx, p, role, act.EstablishmentID, act.UsagerID, domain.SectionCare, domain.ActionWrite, detail)
	})
	if v, ok := domain.AsValidation(err); ok {
		a.showOccurrence(c, http.StatusUnprocessableEntity, in, ret, fieldErrors(v))
		return
	}
	if errors.Is(err, domain.ErrConflict) {
		in.Correction = true
		a.showOccurrence(c, http.StatusConflict, in, ret, map[string]string{"state": "Ce soin a déjà été noté « " + stored.StateLabel() +
			" » par " + stored.ByName + " le " + stored.At.In(domain.Paris()).Format("02/01/2006 à 15:04") +
			". Pour le modifier, enregistrez une correction en indiquant son motif."})
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	key := domain.Occurrence{Act: domain.CareAct{ID: mark.ActID}, Slot: mark.Slot}.Key()
	flash := "soin"
	if in.Correction {
		flash = "correction"
	}
	c.Redirect(http.StatusSeeOther, withFlash(ret, flash, "occ-"+key))
}

type checkGroup struct {
	Establishment domain.Establishment
	CanWrite      bool
	Moments       []momentGroup
	Count, Done   int
}

type momentGroup struct {
	Moment domain.Moment
	Rows   []domain.Occurrence
}

type checklistData struct {
	Day        time.Time
	DayInput   string
	Prev, Next string
	Groups     []checkGroup
	Rounds     []domain.Round
	Round      string
	Return     string
}

// groupByMoment splits occurrences (already in the order of the day) by
// moment.
func groupByMoment(occ []domain.Occurrence) []momentGroup {
	var out []momentGroup
	for _, o := range occ {
		m := o.Moment()
		if len(out) == 0 || out[len(out)-1].Moment != m {
			out = append(out, momentGroup{Moment: m})
		}
		out[len(out)-1].Rows = append(out[len(out)-1].Rows, o)
	}
	return out
}

// dailyChecklist lists, per establishment where the user reads care and per
// moment, every care act due on the chosen day with its state; ?tournee=
// narrows an SSIAD to the usagers of one round.
func (a *App) dailyChecklist(c *gin.Context) {
	p := principal(c)
	day := a.careDay(c, "jour")
	d := checklistData{Day: day, DayInput: domain.FormatDate(day), Prev: domain.FormatDate(day.AddDate(0, 0, -1)),
		Next: domain.FormatDate(day.AddDate(0, 0, 1)), Round: c.Query("tournee")}
	ret := url.Values{"jour": {d.DayInput}}
	if d.Round != "" {
		ret.Set("tournee", d.Round)
	}
	d.Return = "/soins-du-jour?" + ret.Encode()
	readable, roles := a.estabsWith(p, domain.SectionCare, domain.ActionRead)
	if len(readable) == 0 {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne donnent pas accès aux soins (section Soins : lecture).")
		return
	}
	err := a.inTenant(c, func(tx domain.Tx) error {
		estabs, err := tx.Establishments()
		if err != nil {
			return err
		}
		if d.Rounds, err = tx.Rounds(readable); err != nil {
			return err
		}
		q := domain.CareActQuery{Establishments: readable, Day: day}
		if id, ok := parseID(d.Round); ok {
			for _, r := range d.Rounds {
				if r.ID == id {
					q.Establishments = []uuid.UUID{r.EstablishmentID}
					for _, s := range r.Stops {
						q.Usagers = append(q.Usagers, s.UsagerID)
					}
				}
			}
			if len(q.Usagers) == 0 {
				q.Usagers = []uuid.UUID{uuid.Nil} // an unknown or empty round lists nothing
			}
		}
		acts, err := tx.CareActs(q)
		if err != nil {
			return err
		}
		ids := make([]uuid.UUID, len(acts))
		for i, act := range acts {
			ids[i] = act.ID
		}
		marks, err := tx.CareMarks(ids, day)
		if err != nil {
			return err
		}
		occ := domain.Occurrences(acts, marks, day)
		for _, e := range estabs {
			if !containsID(q.Establishments, e.ID) {
				continue
			}
			g := checkGroup{Establishment: e}
			_, g.CanWrite = a.cfg.Authz.Can(p, e.ID, domain.SectionCare, domain.ActionWrite)
			var mine []domain.Occurrence
			for _, o := range occ {
				if o.Act.EstablishmentID == e.ID {
					mine = append(mine, o)
					g.Count++
					if o.Mark != nil {
						g.Done++
					}
				}
			}
			g.Moments = groupByMoment(mine)
			d.Groups = append(d.Groups, g)
			if err := access.Trace(tx, p, roles[e.ID], e.ID, uuid.Nil, domain.SectionCare, domain.ActionRead,
				"consultation des soins du jour ("+domain.FrenchDate(day)+")"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, http.StatusOK, "soins_du_jour", view{Title: "Soins du jour", Nav: "soins", Data: d})
}
