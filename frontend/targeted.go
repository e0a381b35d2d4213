package frontend

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

// Targeted notes (transmissions ciblées) of a record: open targets first,
// then the history; the form to write one (signed by the logged-in
// account, in an establishment where it may write care); the result added
// later and the closure of a target. And the handover (relève) of an
// establishment: the notes of a shift and every open target. Care read to
// read, care write to write; every read and write is traced.

// registerTargeted mounts targeted notes (transmissions ciblées) and the handover view (relève).
func (a *App) registerTargeted(u, s *gin.RouterGroup) {
	u.GET("/transmissions", a.targetedList)
	u.GET("/transmissions/nouvelle", a.targetedForm)
	u.POST("/transmissions", a.createTargeted)
	u.POST("/transmissions/:tc/resultat", a.targetedResult)
	u.POST("/transmissions/:tc/cloture", a.targetedClose)
	s.GET("/releve", a.releve)
}

type targetedListData struct {
	Usager     domain.Usager
	Open       []domain.TargetedNote
	Closed     []domain.TargetedNote
	EstabNames map[uuid.UUID]string
	CanWrite   bool
	Typed      map[string]string // result typed in a refused form, by note id
}

func (a *App) targetedList(c *gin.Context) { a.showTargetedList(c, http.StatusOK, nil, nil) }

// showTargetedList renders the record's notes; with errs, the result typed
// under a note is shown again beside its message.
func (a *App) showTargetedList(c *gin.Context, status int, errs map[string]string, typed map[string]string) {
	g, ok := a.need(c, domain.SectionCare, domain.ActionRead)
	if !ok {
		return
	}
	rec := currentRecord(c)
	d := targetedListData{Usager: rec.Usager, EstabNames: map[uuid.UUID]string{}, Typed: typed}
	_, d.CanWrite = a.grantFor(c, domain.SectionCare, domain.ActionWrite)
	err := a.inTenant(c, func(tx domain.Tx) error {
		notes, err := tx.TargetedNotes(rec.Usager.ID, 200)
		if err != nil {
			return err
		}
		for _, n := range notes {
			if n.Open() {
				d.Open = append(d.Open, n)
			} else {
				d.Closed = append(d.Closed, n)
			}
		}
		estabs, err := tx.Establishments()
		if err != nil {
			return err
		}
		for _, e := range estabs {
			d.EstabNames[e.ID] = e.Name
		}
		if status != http.StatusOK {
			return nil // the refused write was not a read of its own
		}
		return a.trace(c, tx, g, domain.SectionCare, domain.ActionRead, "consultation des transmissions ciblées")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, status, "targeted", view{Title: "Transmissions ciblées", Nav: "usagers", Errors: errs, Data: d})
}

type targetedFormData struct {
	Usager         domain.Usager
	Form           domain.TargetedNoteInput
	Targets        []domain.Target
	Macrocibles    []domain.Macrocible
	Establishments []domain.Establishment // where the note may be written (a choice only when several)
	Establishment  string
	Retour         string
}

// safeReturn honours ?retour only for a local path: starting with "/" but
// not "//" (nor "/\", which browsers read the same way), so the form cannot
// send the user to another site after saving.
func safeReturn(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\\r\n\t") {
		return ""
	}
	return s
}

// writableEstablishments are the record's establishments where the user may
// write care, in the organisation's order.
func (a *App) writableEstablishments(c *gin.Context, tx domain.Tx) ([]domain.Establishment, error) {
	all, err := tx.Establishments()
	if err != nil {
		return nil, err
	}
	var out []domain.Establishment
	for _, e := range all {
		if !containsID(currentRecord(c).Visible, e.ID) {
			continue
		}
		if _, ok := a.cfg.Authz.Can(principal(c), e.ID, domain.SectionCare, domain.ActionWrite); ok {
			out = append(out, e)
		}
	}
	return out, nil
}

func (a *App) targetedForm(c *gin.Context) {
	if _, ok := a.need(c, domain.SectionCare, domain.ActionWrite); !ok {
		return
	}
	a.showTargetedForm(c, http.StatusOK, domain.TargetedNoteInput{Target: c.Query("cible")}, "", safeReturn(c.Query("retour")), nil)
}

func (a *App) showTargetedForm(c *gin.Context, status int, in domain.TargetedNoteInput, estab, retour string, errs map[string]string) {
	d := targetedFormData{Usager: currentRecord(c).Usager, Form: in, Targets: domain.AllTargets, Macrocibles: domain.AllMacrocibles,
		Establishment: estab, Retour: retour}
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		d.Establishments, err = a.writableEstablishments(c, tx)
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, status, "targeted_form", view{Title: "Nouvelle transmission ciblée", Nav: "usagers", Errors: errs, Data: d})
}

type targetedErr string

func (e targetedErr) Error() string { return string(e) }

const errInvalidTargeted = targetedErr("invalid targeted note")

// createTargeted writes a note signed by the logged-in account, traced; a
// refused form is shown again with the messages beside the fields and
// nothing stored.
func (a *App) createTargeted(c *gin.Context) {
	if _, ok := a.need(c, domain.SectionCare, domain.ActionWrite); !ok {
		return
	}
	p, rec := principal(c), currentRecord(c)
	in := domain.TargetedNoteInput{Target: c.PostForm("target"), TargetOther: c.PostForm("target_other"), Macro: c.PostForm("macro"),
		Data: c.PostForm("data"), Actions: c.PostForm("actions"), Results: c.PostForm("results")}
	estab, retour := c.PostForm("establishment_id"), safeReturn(c.PostForm("retour"))
	n, err := in.Parse()
	errs := fieldErrors(err)
	err = a.inTenant(c, func(tx domain.Tx) error {
		writable, err := a.writableEstablishments(c, tx)
		if err != nil {
			return err
		}
		var g grant
		for _, e := range writable {
			if estab == "" || estab == e.ID.String() {
				role, _ := a.cfg.Authz.Can(p, e.ID, domain.SectionCare, domain.ActionWrite)
				g = grant{Estab: e.ID, Role: role}
				break
			}
		}
		if g.Estab == uuid.Nil {
			errs["establishment_id"] = "Choisissez un établissement où vous pouvez écrire dans le dossier de soins."
		}
		if len(errs) > 0 {
			return errInvalidTargeted
		}
		n.UsagerID, n.EstablishmentID = rec.Usager.ID, g.Estab
		n.Signed(p.UserID, p.DisplayName, a.cfg.Now())
		if err := tx.SaveTargetedNote(&n); err != nil {
			return err
		}
		detail := "transmission ciblée : " + n.TargetLabel()
		if n.Macro != domain.MacroNone {
			detail += " (" + strings.ToLower(n.Macro.Label()) + ")"
		}
		return a.trace(c, tx, g, domain.SectionCare, domain.ActionWrite, detail)
	})
	if errors.Is(err, errInvalidTargeted) {
		a.showTargetedForm(c, http.StatusUnprocessableEntity, in, estab, retour, errs)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	if retour != "" {
		c.Redirect(http.StatusSeeOther, retour)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "/transmissions?ok=transmission"))
}

// targetedFollowUp loads the note of the URL (of this record) for a care
// writer, applies fn, stores the result or closure and traces it.
func (a *App) targetedFollowUp(c *gin.Context, detail, flash string, fn func(n *domain.TargetedNote, field, text string, by uuid.UUID, name string, at time.Time) error) {
	g, ok := a.need(c, domain.SectionCare, domain.ActionWrite)
	if !ok {
		return
	}
	id, ok := parseID(c.Param("tc"))
	if !ok {
		a.errorPage(c, http.StatusNotFound, "Cette transmission n'existe pas.")
		return
	}
	p, rec := principal(c), currentRecord(c)
	field, text := "result-"+id.String(), c.PostForm("result")
	err := a.inTenant(c, func(tx domain.Tx) error {
		n, err := tx.TargetedNote(id)
		if err != nil {
			return err
		}
		if n.UsagerID != rec.Usager.ID {
			return domain.ErrNotFound
		}
		if err := fn(&n, field, text, p.UserID, p.DisplayName, a.cfg.Now()); err != nil {
			return err
		}
		if err := tx.SaveTargetedFollowUp(&n); err != nil {
			return err
		}
		return a.trace(c, tx, g, domain.SectionCare, domain.ActionWrite, detail+n.TargetLabel())
	})
	if v, ok := domain.AsValidation(err); ok {
		a.showTargetedList(c, http.StatusUnprocessableEntity, fieldErrors(v), map[string]string{id.String(): text})
		return
	}
	if errors.Is(err, domain.ErrConflict) {
		a.errorPage(c, http.StatusConflict, "Un·e collègue a noté un résultat ou clos cette cible entre-temps : rouvrez la page pour le lire.")
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "/transmissions?ok="+flash+"#tc-"+id.String()))
}

func (a *App) targetedResult(c *gin.Context) {
	a.targetedFollowUp(c, "résultat d'une transmission ciblée : ", "resultat", (*domain.TargetedNote).AddResult)
}

func (a *App) targetedClose(c *gin.Context) {
	a.targetedFollowUp(c, "clôture d'une cible : ", "cloture", (*domain.TargetedNote).Close)
}

type releveData struct {
	Establishments []domain.Establishment
	Establishment  domain.Establishment
	Shifts         []domain.Shift
	Shift          domain.Shift
	Day            time.Time // the Paris date the shift started (midnight UTC)
	From, To       time.Time
	Notes          []domain.TargetedNote
	Open           []domain.TargetedNote
	CanWrite       bool   // care write in the establishment: links to write and to add results
	Return         string // this page, for the form's ?retour
}

// releve is the handover of an establishment: the notes written during a
// shift (by default the one that just ended) and all the targets still
// open. Each person shown is a read of their care file, traced.
func (a *App) releve(c *gin.Context) {
	p := principal(c)
	d := releveData{Shifts: domain.AllShifts}
	roles := map[uuid.UUID]domain.Role{}
	err := a.inTenant(c, func(tx domain.Tx) error {
		all, err := tx.Establishments()
		if err != nil {
			return err
		}
		for _, e := range all {
			if !containsID(p.Establishments(), e.ID) {
				continue
			}
			if role, ok := a.cfg.Authz.Can(p, e.ID, domain.SectionCare, domain.ActionRead); ok {
				d.Establishments = append(d.Establishments, e)
				roles[e.ID] = role
			}
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	if len(d.Establishments) == 0 {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne donnent accès au dossier de soins dans aucun établissement.")
		return
	}
	d.Establishment = d.Establishments[0]
	if s := c.Query("etablissement"); s != "" {
		found := false
		for _, e := range d.Establishments {
			if e.ID.String() == s {
				d.Establishment, found = e, true
			}
		}
		if !found {
			a.errorPage(c, http.StatusForbidden, "Vos habilitations ne donnent pas accès au dossier de soins dans cet établissement.")
			return
		}
	}
	d.Day, d.Shift = domain.PreviousShift(a.cfg.Now())
	if s := c.Query("poste"); s != "" {
		sh, ok := domain.ParseShift(s)
		if !ok {
			a.errorPage(c, http.StatusBadRequest, "Ce poste n'existe pas : choisissez matin, après-midi ou nuit.")
			return
		}
		d.Shift = sh
	}
	if s := c.Query("jour"); s != "" {
		day, ok := domain.ParseDate(s)
		if !ok {
			a.errorPage(c, http.StatusBadRequest, "La date du poste n'est pas valide (jj/mm/aaaa).")
			return
		}
		d.Day = day
	}
	d.From, d.To = domain.ShiftWindow(d.Day, d.Shift)
	_, d.CanWrite = a.cfg.Authz.Can(p, d.Establishment.ID, domain.SectionCare, domain.ActionWrite)
	d.Return = "/releve?" + url.Values{"etablissement": {d.Establishment.ID.String()}, "jour": {domain.FormatDate(d.Day)},
		"poste": {string(d.Shift)}}.Encode()
	err = a.inTenant(c, func(tx domain.Tx) error {
		var err error
		if d.Notes, err = tx.ShiftNotes(d.Establishment.ID, d.From, d.To); err != nil {
			return err
		}
		if d.Open, err = tx.OpenTargets(d.Establishment.ID); err != nil {
			return err
		}
		traced := map[uuid.UUID]bool{}
		for _, list := range [][]domain.TargetedNote{d.Notes, d.Open} {
			for _, n := range list {
				if traced[n.UsagerID] {
					continue
				}
				traced[n.UsagerID] = true
				if err := access.Trace(tx, p, roles[d.Establishment.ID], d.Establishment.ID, n.UsagerID, domain.SectionCare, domain.ActionRead,
					"relève : transmissions ciblées"); err != nil {
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
	a.render(c, http.StatusOK, "releve", view{Title: "Relève", Nav: "soins", Data: d})
}
