package frontend

import (
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

// Staff meetings of the agenda (réunion d'équipe, de synthèse,
// formation…): created and edited by anyone holding a write right on a
// record section in the establishment, seen by everyone holding a role
// there, cancelled with a reason. Participants are professionals of the
// establishment; a synthesis meeting may name the usagers it discusses,
// whose names are shown only to readers of their record (the meeting stays
// out of the usagers' timelines). Every write is traced.

func (a *App) registerMeetings(s *gin.RouterGroup) {
	s.GET("/agenda/reunions/nouvelle", a.newMeeting)
	s.POST("/agenda/reunions", a.createMeeting)
	s.GET("/agenda/reunions/:meeting", a.meetingPage)
	s.POST("/agenda/reunions/:meeting", a.updateMeeting)
	s.POST("/agenda/reunions/:meeting/annulation", a.cancelMeeting)
}

// meetingWriter finds a role of p carrying a write right on a record
// section in estab.
func (a *App) meetingWriter(p *access.Principal, estab uuid.UUID) (domain.Role, domain.Section, bool) {
	if !containsID(p.Establishments(), estab) {
		return "", "", false
	}
	for _, s := range domain.RecordSections {
		if role, ok := a.cfg.Authz.Can(p, estab, s, domain.ActionWrite); ok {
			return role, s, true
		}
	}
	return "", "", false
}

type personChoice struct {
	ID      uuid.UUID
	Name    string
	Checked bool
}

type meetingFormData struct {
	Meeting        domain.Meeting // the stored one when editing
	Editing        bool
	Form           domain.MeetingInput
	Establishments []domain.Establishment
	Kinds          []domain.MeetingKind
	Recurrences    []domain.Recurrence
	Participants   []personChoice
	Usagers        []personChoice
	Hidden         int // usagers named whose record the reader cannot open
	Names          map[uuid.UUID]string
	EstabName      string
	CanWrite       bool
	CanSeeUsagers  bool
}

func meetingInput(m domain.Meeting) domain.MeetingInput {
	in := domain.MeetingInput{Establishment: m.EstablishmentID.String(), Kind: string(m.Kind), Title: m.Title,
		Start: m.Start.In(domain.Paris()).Format("2006-01-02T15:04"), Place: m.Place, Recurrence: string(m.Recurrence)}
	if !m.End.IsZero() {
		in.End = m.End.In(domain.Paris()).Format("2006-01-02T15:04")
	}
	if !m.RecurUntil.IsZero() {
		in.RecurUntil = domain.FormatDate(m.RecurUntil)
	}
	for _, p := range m.Participants {
		in.Participants = append(in.Participants, p.String())
	}
	for _, u := range m.Usagers {
		in.Usagers = append(in.Usagers, u.String())
	}
	return in
}

func postedMeeting(c *gin.Context) domain.MeetingInput {
	return domain.MeetingInput{Establishment: c.PostForm("establishment"), Kind: c.PostForm("kind"), Title: c.PostForm("title"),
		Start: c.PostForm("start"), End: c.PostForm("end"), Place: c.PostForm("place"), Recurrence: c.PostForm("recurrence"),
		RecurUntil: c.PostForm("recur_until"), Participants: c.PostFormArray("participants"), Usagers: c.PostFormArray("usagers")}
}

func (a *App) newMeeting(c *gin.Context) {
	in := domain.MeetingInput{Establishment: c.Query("etablissement"), Kind: string(domain.MeetingTeam)}
	day, ok := domain.ParseDate(c.Query("date"))
	if !ok {
		now := a.cfg.Now().In(domain.Paris())
		day = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	}
	in.Start = domain.FormatDate(day) + "T14:00"
	in.Participants = []string{principal(c).UserID.String()}
	a.showMeetingForm(c, http.StatusOK, nil, in, nil)
}

// showMeetingForm renders the new-meeting form (stored nil) or a meeting's
// page with its edit and cancel forms.
func (a *App) showMeetingForm(c *gin.Context, status int, stored *domain.Meeting, in domain.MeetingInput, errs map[string]string) {
	p := principal(c)
	d := meetingFormData{Form: in, Kinds: domain.AllMeetingKinds, Recurrences: []domain.Recurrence{domain.RecurNone, domain.RecurDaily, domain.RecurWeekly},
		Names: map[uuid.UUID]string{}}
	if stored != nil {
		d.Meeting, d.Editing = *stored, true
	}
	err := a.inTenant(c, func(tx domain.Tx) error {
		all, err := tx.Establishments()
		if err != nil {
			return err
		}
		for _, e := range all {
			if _, _, ok := a.meetingWriter(p, e.ID); ok {
				d.Establishments = append(d.Establishments, e)
			}
		}
		estab, ok := parseID(d.Form.Establishment)
		if stored == nil && errs == nil {
			// A new meeting opens on an establishment where the user may
			// plan one.
			_, _, ok = a.meetingWriter(p, estab)
		}
		if !ok && len(d.Establishments) > 0 {
			estab = d.Establishments[0].ID
			d.Form.Establishment = estab.String()
		}
		if stored != nil {
			estab = stored.EstablishmentID
		}
		for _, e := range all {
			if e.ID == estab {
				d.EstabName = e.Name
			}
		}
		_, _, d.CanWrite = a.meetingWriter(p, estab)
		users, err := tx.Users()
		if err != nil {
			return err
		}
		for _, u := range users {
			d.Names[u.ID] = u.DisplayName
		}
		members, err := tx.AllMemberships()
		if err != nil {
			return err
		}
		checked := map[string]bool{}
		for _, id := range d.Form.Participants {
			checked[id] = true
		}
		seen := map[uuid.UUID]bool{}
		for _, m := range members {
			if m.EstablishmentID == estab && !seen[m.UserID] {
				seen[m.UserID] = true
				d.Participants = append(d.Participants, personChoice{ID: m.UserID, Name: d.Names[m.UserID], Checked: checked[m.UserID.String()]})
			}
		}
		sort.Slice(d.Participants, func(i, j int) bool { return d.Participants[i].Name < d.Participants[j].Name })
		return a.meetingUsagers(c, tx, estab, &d)
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	if stored == nil && len(d.Establishments) == 0 {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne permettent pas de planifier une réunion : il faut un droit d'écriture dans l'établissement.")
		return
	}
	title := "Nouvelle réunion"
	if stored != nil {
		title = stored.Title
	}
	a.render(c, status, "meeting", view{Title: title, Nav: "agenda", Errors: errs, Data: d})
}

// meetingUsagers lists the people a synthesis may name (admitted in estab,
// when the reader reads records there) and the named ones the reader may
// see; the others are only counted.
func (a *App) meetingUsagers(c *gin.Context, tx domain.Tx, estab uuid.UUID, d *meetingFormData) error {
	p := principal(c)
	checked := map[string]bool{}
	for _, id := range d.Form.Usagers {
		checked[id] = true
	}
	_, d.CanSeeUsagers = a.cfg.Authz.Can(p, estab, domain.SectionAdmin, domain.ActionRead)
	listed := map[uuid.UUID]bool{}
	if d.CanSeeUsagers && d.CanWrite {
		page, err := tx.ListUsagers(domain.UsagerQuery{Establishments: []uuid.UUID{estab}, Status: domain.StayAdmitted, Limit: 500})
		if err != nil {
			return err
		}
		for _, r := range page.Rows {
			listed[r.ID] = true
			d.Usagers = append(d.Usagers, personChoice{ID: r.ID, Name: r.DisplayName(), Checked: checked[r.ID.String()]})
		}
	}
	// Named usagers no longer listed (discharged since): shown to readers
	// of their record only.
	for id := range checked {
		uid, ok := parseID(id)
		if !ok || listed[uid] {
			continue
		}
		estabs, err := tx.UsagerEstablishments(uid)
		if err != nil {
			return err
		}
		if _, _, ok := a.cfg.Authz.CanInAny(p, intersect(estabs, p.Establishments()), domain.SectionAdmin, domain.ActionRead); !ok {
			d.Hidden++
			continue
		}
		u, err := tx.Usager(uid)
		if err != nil {
			return err
		}
		d.Usagers = append(d.Usagers, personChoice{ID: uid, Name: u.DisplayName(), Checked: true})
	}
	return nil
}

// loadMeeting reads :meeting; a meeting of an establishment where the
// user holds no role does not exist for them (404).
func (a *App) loadMeeting(c *gin.Context) (domain.Meeting, bool) {
	id, ok := parseID(c.Param("meeting"))
	if !ok {
		a.errorPage(c, http.StatusNotFound, "Cette réunion n'existe pas.")
		return domain.Meeting{}, false
	}
	var m domain.Meeting
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		m, err = tx.Meeting(id)
		return err
	})
	if err == nil && !containsID(principal(c).Establishments(), m.EstablishmentID) {
		err = domain.ErrNotFound
	}
	if errors.Is(err, domain.ErrNotFound) {
		a.errorPage(c, http.StatusNotFound, "Cette réunion n'existe pas ou relève d'un établissement où vous n'avez pas d'habilitation.")
		return m, false
	}
	if err != nil {
		a.fail(c, err)
		return m, false
	}
	return m, true
}

func (a *App) meetingPage(c *gin.Context) {
	m, ok := a.loadMeeting(c)
	if !ok {
		return
	}
	a.showMeetingForm(c, http.StatusOK, &m, meetingInput(m), nil)
}

func (a *App) createMeeting(c *gin.Context) { a.saveMeeting(c, nil) }

func (a *App) updateMeeting(c *gin.Context) {
	m, ok := a.loadMeeting(c)
	if !ok {
		return
	}
	if m.Status == domain.MeetingCancelled {
		a.showMeetingForm(c, http.StatusUnprocessableEntity, &m, meetingInput(m), map[string]string{"_": "Cette réunion est annulée : elle ne se modifie plus. Planifiez-en une nouvelle."})
		return
	}
	a.saveMeeting(c, &m)
}

// saveMeeting checks the form (rights in the establishment, participants
// of the establishment, usagers followed there) and stores the meeting
// with its trail row, or shows the form again with the messages.
func (a *App) saveMeeting(c *gin.Context, stored *domain.Meeting) {
	p := principal(c)
	in := postedMeeting(c)
	if stored != nil {
		in.Establishment = stored.EstablishmentID.String() // a meeting does not move to another establishment
	}
	m, err := in.Parse()
	errs := fieldErrors(err)
	role, section, ok := a.meetingWriter(p, m.EstablishmentID)
	if _, bad := errs["establishment"]; !bad && !ok {
		if stored != nil {
			a.errorPage(c, http.StatusForbidden, "Vos habilitations ne permettent pas de modifier les réunions de cet établissement.")
			return
		}
		errs["establishment"] = "Vos habilitations ne permettent pas de planifier une réunion dans cet établissement."
	}
	err = a.inTenant(c, func(tx domain.Tx) error {
		if _, bad := errs["establishment"]; bad {
			return nil
		}
		members, err := tx.AllMemberships()
		if err != nil {
			return err
		}
		inEstab := map[uuid.UUID]bool{}
		for _, mb := range members {
			if mb.EstablishmentID == m.EstablishmentID {
				inEstab[mb.UserID] = true
			}
		}
		for _, u := range m.Participants {
			if !inEstab[u] {
				errs["participants"] = "Les participants sont des professionnels de l'établissement."
			}
		}
		for _, u := range m.Usagers {
			estabs, err := tx.UsagerEstablishments(u)
			if err != nil {
				return err
			}
			if !containsID(estabs, m.EstablishmentID) {
				errs["usagers"] = "Une réunion de synthèse ne nomme que des personnes accompagnées par l'établissement."
			}
		}
		if len(errs) > 0 {
			return nil
		}
		detail := "réunion planifiée : "
		if stored != nil {
			m.ID, m.AuthorID, m.AuthorName = stored.ID, stored.AuthorID, stored.AuthorName
			detail = "réunion modifiée : "
		} else {
			m.AuthorID, m.AuthorName = p.UserID, p.DisplayName
		}
		if err := tx.SaveMeeting(&m); err != nil {
			return err
		}
		return access.Trace(tx, p, role, m.EstablishmentID, uuid.Nil, section, domain.ActionWrite,
			detail+m.Kind.Label()+" du "+m.Start.In(domain.Paris()).Format("02/01/2006 à 15:04"))
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	if len(errs) > 0 {
		a.showMeetingForm(c, http.StatusUnprocessableEntity, stored, in, errs)
		return
	}
	c.Redirect(http.StatusSeeOther, "/agenda/reunions/"+m.ID.String()+"?ok=reunion")
}

func (a *App) cancelMeeting(c *gin.Context) {
	m, ok := a.loadMeeting(c)
	if !ok {
		return
	}
	p := principal(c)
	role, section, ok := a.meetingWriter(p, m.EstablishmentID)
	if !ok {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne permettent pas d'annuler les réunions de cet établissement.")
		return
	}
	reason := c.PostForm("cancel_reason")
	if err := m.Cancel(reason); err != nil {
		stored, _ := a.loadMeeting(c)
		a.showMeetingForm(c, http.StatusUnprocessableEntity, &stored, meetingInput(stored), fieldErrors(err))
		return
	}
	err := a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.SaveMeeting(&m); err != nil {
			return err
		}
		return access.Trace(tx, p, role, m.EstablishmentID, uuid.Nil, section, domain.ActionWrite,
			"réunion annulée : "+m.Kind.Label()+" du "+m.Start.In(domain.Paris()).Format("02/01/2006 à 15:04")+" ("+strings.TrimSpace(reason)+")")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/agenda/reunions/"+m.ID.String()+"?ok=reunion-annul")
}
