package frontend

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

// registerLiaison mounts the cahier de liaison: the inbox, the form of a new
// note, a note with its thread, and a usager's notes.
func (a *App) registerLiaison(s *gin.RouterGroup) {
	s.GET("/liaison", a.liaisonInbox)
	s.GET("/liaison/nouvelle", a.liaisonForm)
	s.POST("/liaison", a.createLiaison)
	s.GET("/liaison/:note", a.liaisonNote)
	s.POST("/liaison/:note/reponses", a.replyLiaison)
	s.GET("/usagers/:id/liaison", a.loadUsager, a.usagerLiaison)
}

// liaisonScope is what the principal may see of the cahier: their roles per
// establishment and the sections they may read there.
func (a *App) liaisonScope(p *access.Principal) domain.LiaisonScope {
	s := domain.LiaisonScope{UserID: p.UserID, Roles: p.Memberships}
	for _, e := range p.Establishments() {
		for _, sec := range domain.RecordSections {
			if _, ok := a.cfg.Authz.Can(p, e, sec, domain.ActionRead); ok {
				s.Readable = append(s.Readable, domain.EstabSection{EstablishmentID: e, Section: sec})
			}
		}
	}
	return s
}

// liaisonUnread is the nav badge: one indexed count per page; a failure
// only hides the badge.
func (a *App) liaisonUnread(c *gin.Context, p *access.Principal) int {
	var n int
	err := a.cfg.Store.InTenant(c.Request.Context(), p.OrgID, func(tx domain.Tx) error {
		var err error
		n, err = tx.LiaisonUnread(a.liaisonScope(p))
		return err
	})
	if err != nil {
		a.cfg.Logger.Warn("liaison unread count", "err", err)
		return 0
	}
	return n
}

type liaisonInboxData struct {
	Filter string
	Rows   []domain.LiaisonRow
	Unread int
}

// liaisonInbox lists the notes addressed to the user or their roles, unread
// first (?filtre=nonlues|lues).
func (a *App) liaisonInbox(c *gin.Context) {
	p := principal(c)
	d := liaisonInboxData{Filter: c.Query("filtre")}
	q := domain.LiaisonQuery{Scope: a.liaisonScope(p), Unread: d.Filter == "nonlues", Read: d.Filter == "lues"}
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		d.Rows, err = tx.LiaisonInbox(q)
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	for _, r := range d.Rows {
		if r.ReadAt.IsZero() {
			d.Unread++
		}
	}
	a.render(c, http.StatusOK, "liaison", view{Title: "Cahier de liaison", Nav: "liaison", Data: d})
}

type liaisonEstab struct {
	domain.Establishment
	Users []domain.User
}

type liaisonFormData struct {
	Form           domain.LiaisonInput
	Establishments []liaisonEstab
	Roles          []domain.Role
	Sections       []domain.Section
	Priorities     []domain.Priority
	Usager         *domain.Usager
	Search         string
	Found          []domain.UsagerRow
}

func (d liaisonFormData) HasUser(id uuid.UUID) bool {
	for _, u := range d.Form.Users {
		if u == id.String() {
			return true
		}
	}
	return false
}

func (d liaisonFormData) HasRole(r domain.Role) bool {
	for _, x := range d.Form.Roles {
		if x == string(r) {
			return true
		}
	}
	return false
}

// liaisonWriteEstablishments are the user's establishments where they may
// write in at least one section, with the active users of each.
func (a *App) liaisonWriteEstablishments(c *gin.Context, tx domain.Tx) ([]liaisonEstab, []domain.Membership, error) {
	p := principal(c)
	dir, err := loadDirectory(tx)
	if err != nil {
		return nil, nil, err
	}
	all, members, users := dir.Establishments, dir.Memberships, dir.Users
	byID := map[uuid.UUID]domain.User{}
	for _, u := range users {
		if u.Active {
			byID[u.ID] = u
		}
	}
	in := map[uuid.UUID]map[uuid.UUID]bool{} // establishment → members
	for _, m := range members {
		if in[m.EstablishmentID] == nil {
			in[m.EstablishmentID] = map[uuid.UUID]bool{}
		}
		in[m.EstablishmentID][m.UserID] = true
	}
	var out []liaisonEstab
	for _, e := range all {
		can := false
		for _, s := range domain.RecordSections {
			if _, ok := a.cfg.Authz.Can(p, e.ID, s, domain.ActionWrite); ok {
				can = true
			}
		}
		if !can {
			continue
		}
		le := liaisonEstab{Establishment: e}
		for _, u := range users { // display-name order
			if _, active := byID[u.ID]; active && in[e.ID][u.ID] {
				le.Users = append(le.Users, u)
			}
		}
		out = append(out, le)
	}
	// Only active accounts may be addressed.
	var active []domain.Membership
	for _, m := range members {
		if _, ok := byID[m.UserID]; ok {
			active = append(active, m)
		}
	}
	return out, active, nil
}

func (a *App) liaisonForm(c *gin.Context) {
	in := domain.LiaisonInput{UsagerID: c.Query("usager"), Priority: string(domain.PriorityNormale), Section: c.Query("section")}
	a.showLiaisonForm(c, http.StatusOK, in, nil)
}

func (a *App) showLiaisonForm(c *gin.Context, status int, in domain.LiaisonInput, errs map[string]string) {
	p := principal(c)
	d := liaisonFormData{Form: in, Roles: domain.AllRoles, Sections: domain.RecordSections, Priorities: domain.AllPriorities,
		Search: strings.TrimSpace(c.Query("q"))}
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		if d.Establishments, _, err = a.liaisonWriteEstablishments(c, tx); err != nil {
			return err
		}
		if len(d.Establishments) == 1 && d.Form.EstablishmentID == "" {
			d.Form.EstablishmentID = d.Establishments[0].ID.String()
		}
		if id, ok := parseID(d.Form.UsagerID); ok {
			u, err := tx.Usager(id)
			if err != nil {
				return err
			}
			estabs, err := tx.UsagerEstablishments(id)
			if err != nil {
				return err
			}
			if len(intersect(estabs, p.Establishments())) == 0 {
				if errs == nil {
					return domain.ErrForbidden
				}
				d.Form.UsagerID = "" // refused input: choose again
				return nil
			}
			d.Usager = &u
		} else if d.Search != "" {
			page, err := tx.ListUsagers(domain.UsagerQuery{Search: d.Search, Establishments: p.Establishments(), Limit: 20})
			if err != nil {
				return err
			}
			d.Found = page.Rows
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	if len(d.Establishments) == 0 {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne permettent pas d'écrire dans le cahier de liaison.")
		return
	}
	a.render(c, status, "liaison_form", view{Title: "Nouvelle note de liaison", Nav: "liaison", Errors: errs, Data: d})
}

// createLiaison stores a note and its recipients with the trail row, or
// shows the form again with the messages beside the fields (nothing stored).
func (a *App) createLiaison(c *gin.Context) {
	p := principal(c)
	in := domain.LiaisonInput{EstablishmentID: c.PostForm("establishment_id"), UsagerID: c.PostForm("usager_id"),
		Section: c.PostForm("section"), Priority: c.PostForm("priority"), Body: c.PostForm("body"),
		Users: c.PostFormArray("users"), Roles: c.PostFormArray("roles")}
	var n domain.LiaisonNote
	var errs map[string]string
	err := a.inTenant(c, func(tx domain.Tx) error {
		_, members, err := a.liaisonWriteEstablishments(c, tx)
		if err != nil {
			return err
		}
		n, err = in.Parse(members)
		errs = fieldErrors(err)
		if _, bad := errs["establishment_id"]; !bad {
			if _, mine := errs["section"]; !mine {
				if _, ok := a.cfg.Authz.Can(p, n.EstablishmentID, n.Section, domain.ActionWrite); !ok {
					errs["section"] = "Vos habilitations ne permettent pas d'écrire une note de la section « " + n.Section.Label() + " » dans cet établissement."
				}
			}
		}
		if n.UsagerID != uuid.Nil {
			estabs, err := tx.UsagerEstablishments(n.UsagerID)
			if err != nil {
				return err
			}
			if !containsID(estabs, n.EstablishmentID) {
				errs["usager_id"] = "Cette personne n'est pas accompagnée par l'établissement choisi."
			}
		}
		if len(errs) > 0 {
			return errInvalidLiaison
		}
		role, _ := a.cfg.Authz.Can(p, n.EstablishmentID, n.Section, domain.ActionWrite)
		n.AuthorID, n.AuthorName, n.CreatedAt = p.UserID, p.DisplayName, a.cfg.Now().UTC()
		if err := tx.SaveLiaisonNote(&n); err != nil {
			return err
		}
		return access.Trace(tx, p, role, n.EstablishmentID, n.UsagerID, n.Section, domain.ActionWrite,
			"note de liaison ("+n.Priority.Label()+")")
	})
	if errorsIs(err, errInvalidLiaison) {
		a.showLiaisonForm(c, http.StatusUnprocessableEntity, in, errs)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/liaison/"+n.ID.String()+"?envoyee=1")
}

type liaisonErr string

func (e liaisonErr) Error() string { return string(e) }

const errInvalidLiaison = liaisonErr("invalid liaison note")

func containsID(list []uuid.UUID, id uuid.UUID) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}

type liaisonNoteData struct {
	Note          domain.LiaisonNote
	Establishment string
	UsagerName    string
	Recipients    []string
	Replies       []domain.LiaisonNote
	Reads         []domain.LiaisonRead
	IsAuthor      bool
	CanReply      bool
	Reply         string
}

// openLiaison loads a note for p: another establishment's note is not
// found (404, its existence is not revealed); a section p may not read there
// answers 403 without content.
func (a *App) openLiaison(c *gin.Context, tx domain.Tx) (domain.LiaisonNote, domain.Role, error) {
	p := principal(c)
	id, ok := parseID(c.Param("note"))
	if !ok {
		return domain.LiaisonNote{}, "", domain.ErrNotFound
	}
	n, err := tx.LiaisonNote(id)
	if err != nil {
		return n, "", err
	}
	if !containsID(p.Establishments(), n.EstablishmentID) {
		return n, "", domain.ErrNotFound
	}
	role, ok := a.cfg.Authz.Can(p, n.EstablishmentID, n.Section, domain.ActionRead)
	if !ok {
		return n, "", domain.ErrForbidden
	}
	return n, role, nil
}

// liaisonNote shows a note, its thread and, to its author, who read it
// when. Opening it records the reader's receipt (once); reading a care or
// medical note is written to the trail.
func (a *App) liaisonNote(c *gin.Context) { a.showLiaisonNote(c, http.StatusOK, "", nil) }

func (a *App) showLiaisonNote(c *gin.Context, status int, reply string, errs map[string]string) {
	p := principal(c)
	d := liaisonNoteData{Reply: reply}
	var redirect string
	err := a.inTenant(c, func(tx domain.Tx) error {
		n, role, err := a.openLiaison(c, tx)
		if err != nil {
			return err
		}
		if n.ParentID != uuid.Nil {
			redirect = "/liaison/" + n.ParentID.String()
			return nil
		}
		d.Note, d.IsAuthor = n, n.AuthorID == p.UserID
		_, d.CanReply = a.cfg.Authz.Can(p, n.EstablishmentID, n.Section, domain.ActionWrite)
		if !d.IsAuthor {
			if err := tx.MarkLiaisonRead(n.ID, p.UserID, a.cfg.Now()); err != nil {
				return err
			}
		}
		e, err := tx.Establishment(n.EstablishmentID)
		if err != nil {
			return err
		}
		d.Establishment = e.Name
		if n.UsagerID != uuid.Nil {
			u, err := tx.Usager(n.UsagerID)
			if err != nil {
				return err
			}
			d.UsagerName = u.DisplayName()
		}
		if len(n.Users) > 0 {
			users, err := tx.Users()
			if err != nil {
				return err
			}
			for _, u := range users {
				if containsID(n.Users, u.ID) {
					d.Recipients = append(d.Recipients, u.DisplayName)
				}
			}
		}
		for _, r := range n.Roles {
			d.Recipients = append(d.Recipients, "tous les "+strings.ToLower(r.Label()))
		}
		if d.Replies, err = tx.LiaisonReplies(n.ID); err != nil {
			return err
		}
		if d.IsAuthor {
			if d.Reads, err = tx.LiaisonReads(n.ID); err != nil {
				return err
			}
		}
		if n.Section.Traced() {
			return access.Trace(tx, p, role, n.EstablishmentID, n.UsagerID, n.Section, domain.ActionRead, "lecture d'une note de liaison")
		}
		return nil
	})
	if err != nil {
		a.liaisonFail(c, err)
		return
	}
	if redirect != "" {
		c.Redirect(http.StatusSeeOther, redirect)
		return
	}
	v := view{Title: "Note de liaison", Nav: "liaison", Errors: errs, Data: d}
	switch {
	case c.Query("envoyee") != "":
		v.Flash = "La note de liaison a été envoyée."
	case c.Query("repondu") != "":
		v.Flash = "La réponse a été ajoutée."
	}
	a.render(c, status, "liaison_note", v)
}

func (a *App) liaisonFail(c *gin.Context, err error) {
	switch {
	case errorsIs(err, domain.ErrNotFound):
		a.errorPage(c, http.StatusNotFound, "Cette note de liaison n'existe pas.")
	case errorsIs(err, domain.ErrForbidden):
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne permettent pas de lire cette note de liaison.")
	default:
		a.fail(c, err)
	}
}

// replyLiaison adds a reply under a note (one level), traced as a write of
// the note's section.
func (a *App) replyLiaison(c *gin.Context) {
	p := principal(c)
	body, verr := domain.ParseReply(c.PostForm("body"))
	var parent uuid.UUID
	err := a.inTenant(c, func(tx domain.Tx) error {
		n, _, err := a.openLiaison(c, tx)
		if err != nil {
			return err
		}
		if n.ParentID != uuid.Nil {
			n, err = tx.LiaisonNote(n.ParentID)
			if err != nil {
				return err
			}
		}
		parent = n.ID
		role, ok := a.cfg.Authz.Can(p, n.EstablishmentID, n.Section, domain.ActionWrite)
		if !ok {
			return domain.ErrForbidden
		}
		if verr != nil {
			return verr
		}
		r := domain.LiaisonNote{ParentID: n.ID, Priority: n.Priority, Body: body, AuthorID: p.UserID, AuthorName: p.DisplayName,
			CreatedAt: a.cfg.Now().UTC()}
		if err := tx.SaveLiaisonNote(&r); err != nil {
			return err
		}
		return access.Trace(tx, p, role, n.EstablishmentID, n.UsagerID, n.Section, domain.ActionWrite, "réponse à une note de liaison")
	})
	if _, ok := domain.AsValidation(err); ok {
		a.showLiaisonNote(c, http.StatusUnprocessableEntity, c.PostForm("body"), fieldErrors(err))
		return
	}
	if err != nil {
		a.liaisonFail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/liaison/"+parent.String()+"?repondu=1")
}

type usagerLiaisonData struct {
	Usager   domain.Usager
	Rows     []domain.LiaisonRow
	CanWrite bool
}

// usagerLiaison lists the usager's liaison notes the user may read (the
// dossier links here).
func (a *App) usagerLiaison(c *gin.Context) {
	p := principal(c)
	rec := currentRecord(c)
	d := usagerLiaisonData{Usager: rec.Usager}
	scope := a.liaisonScope(p)
	// Only the establishments where both the record and the user are.
	var readable []domain.EstabSection
	for _, r := range scope.Readable {
		if containsID(rec.Visible, r.EstablishmentID) {
			readable = append(readable, r)
		}
	}
	scope.Readable = readable
	for _, e := range rec.Visible {
		for _, s := range domain.RecordSections {
			if _, ok := a.cfg.Authz.Can(p, e, s, domain.ActionWrite); ok {
				d.CanWrite = true
			}
		}
	}
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		d.Rows, err = tx.UsagerLiaison(rec.Usager.ID, scope)
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, http.StatusOK, "liaison_usager", view{Title: "Cahier de liaison · " + rec.Usager.DisplayName(), Nav: "liaison", Data: d})
}
