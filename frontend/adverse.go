package frontend

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

// Adverse events (fiches d'événement indésirable): the establishment's list,
// the declaration form (possibly drafted from an event of a timeline), and
// the page of a FEI with its analysis, ARS dates, corrective actions and
// status moves. FEI belong to the care section: reading a FEI about a
// usager needs care read in its establishment (one about no one in
// particular also admin read); declaring needs care or admin write, the
// follow-up care or admin validate, both with care read when the FEI is
// about a usager. Every write and every read of a FEI is traced.

func (a *App) registerAdverse(s *gin.RouterGroup) {
	s.GET("/evenements-indesirables", a.adverseList)
	s.GET("/evenements-indesirables/nouveau", a.adverseForm)
	s.POST("/evenements-indesirables", a.createAdverse)
	s.GET("/evenements-indesirables/:fei", a.adverseDetail)
	s.POST("/evenements-indesirables/:fei/suivi", a.adverseFollowUp)
	s.POST("/evenements-indesirables/:fei/statut", a.adverseStatus)
	s.POST("/evenements-indesirables/:fei/actions", a.adverseAddAction)
	s.POST("/evenements-indesirables/:fei/actions/:action/fait", a.adverseActionDone)
}

// adverseRight finds a role of p carrying act on a FEI of estab, care first,
// then admin; a FEI about a usager follows the record's visibility: it also
// needs care read there.
func (a *App) adverseRight(p *access.Principal, estab uuid.UUID, aboutUsager bool, act domain.Action) (domain.Role, domain.Section, bool) {
	if role, ok := a.cfg.Authz.Can(p, estab, domain.SectionCare, act); ok {
		return role, domain.SectionCare, true
	}
	if _, ok := a.cfg.Authz.Can(p, estab, domain.SectionCare, domain.ActionRead); aboutUsager && !ok {
		return "", "", false
	}
	if role, ok := a.cfg.Authz.Can(p, estab, domain.SectionAdmin, act); ok {
		return role, domain.SectionAdmin, true
	}
	return "", "", false
}

// adverseQuery is what p may list: everything where they read care, the FEI
// about no one in particular where they read admin only.
func (a *App) adverseQuery(p *access.Principal, openOnly bool) domain.AdverseQuery {
	q := domain.AdverseQuery{OpenOnly: openOnly}
	for _, e := range p.Establishments() {
		if _, ok := a.cfg.Authz.Can(p, e, domain.SectionCare, domain.ActionRead); ok {
			q.WithUsager = append(q.WithUsager, e)
		} else if _, ok := a.cfg.Authz.Can(p, e, domain.SectionAdmin, domain.ActionRead); ok {
			q.Establishments = append(q.Establishments, e)
		}
	}
	return q
}

type adverseListData struct {
	Rows       []domain.AdverseEvent
	Now        time.Time
	EstabNames map[uuid.UUID]string
	CanDeclare bool
}

func (a *App) adverseList(c *gin.Context) {
	p := principal(c)
	d := adverseListData{Now: a.cfg.Now(), EstabNames: map[uuid.UUID]string{}}
	q := a.adverseQuery(p, false)
	for _, e := range p.Establishments() {
		_, _, ok := a.adverseRight(p, e, false, domain.ActionWrite)
		d.CanDeclare = d.CanDeclare || ok
	}
	if len(q.WithUsager)+len(q.Establishments) == 0 && !d.CanDeclare {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne donnent pas accès aux événements indésirables.")
		return
	}
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		if d.Rows, err = tx.AdverseEvents(q); err != nil {
			return err
		}
		estabs, err := tx.Establishments()
		for _, e := range estabs {
			d.EstabNames[e.ID] = e.Name
		}
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, http.StatusOK, "adverse_list", view{Title: "Événements indésirables", Nav: "fei", Data: d})
}

type adverseFormData struct {
	Form           domain.AdverseInput
	Establishments []domain.Establishment
	Categories     []domain.AdverseCategory
	Severities     []int
	UsagerName     string
	EventTitle     string
}

// adverseForm shows the declaration; ?evenement=<id> drafts it from an
// event of a timeline the user may read, ?usager=<id> sets the person.
func (a *App) adverseForm(c *gin.Context) {
	in := domain.AdverseInput{OccurredAt: a.cfg.Now().In(domain.Paris()).Format("2006-01-02T15:04"), UsagerID: c.Query("usager")}
	if id, ok := parseID(c.Query("evenement")); ok {
		p := principal(c)
		err := a.inTenant(c, func(tx domain.Tx) error {
			e, err := tx.RecordEvent(id)
			if err != nil {
				return err
			}
			estabs, err := tx.UsagerEstablishments(e.UsagerID)
			if err != nil {
				return err
			}
			mine := intersect(estabs, p.Establishments())
			if len(mine) == 0 {
				return domain.ErrNotFound
			}
			if _, _, ok := a.cfg.Authz.CanInAny(p, mine, e.Section, domain.ActionRead); !ok {
				return domain.ErrForbidden
			}
			for _, es := range mine {
				if _, ok := a.cfg.Authz.Can(p, es, domain.SectionCare, domain.ActionWrite); ok {
					in.EstablishmentID = es.String()
					break
				}
			}
			in.UsagerID, in.FromEventID, in.Place, in.Description = e.UsagerID.String(), e.ID.String(), e.Place, e.Title
			in.OccurredAt = e.Start.In(domain.Paris()).Format("2006-01-02T15:04")
			if e.Type == domain.EventFall {
				in.Category = string(domain.AdverseFall)
			}
			return nil
		})
		if err != nil {
			a.fail(c, err)
			return
		}
	}
	a.showAdverseForm(c, http.StatusOK, in, nil)
}

func (a *App) showAdverseForm(c *gin.Context, status int, in domain.AdverseInput, errs map[string]string) {
	p := principal(c)
	d := adverseFormData{Form: in, Categories: domain.AllAdverseCategories, Severities: []int{1, 2, 3, 4, 5}}
	err := a.inTenant(c, func(tx domain.Tx) error {
		all, err := tx.Establishments()
		if err != nil {
			return err
		}
		for _, e := range all {
			if _, _, ok := a.adverseRight(p, e.ID, false, domain.ActionWrite); ok && containsID(p.Establishments(), e.ID) {
				d.Establishments = append(d.Establishments, e)
			}
		}
		if len(d.Establishments) == 1 && d.Form.EstablishmentID == "" {
			d.Form.EstablishmentID = d.Establishments[0].ID.String()
		}
		if id, ok := parseID(d.Form.UsagerID); ok {
			estabs, err := tx.UsagerEstablishments(id)
			if err != nil {
				return err
			}
			if len(intersect(estabs, p.Establishments())) == 0 {
				if errs == nil {
					return domain.ErrNotFound
				}
				d.Form.UsagerID, d.Form.FromEventID = "", "" // refused input: not shown again
				return nil
			}
			u, err := tx.Usager(id)
			if err != nil {
				return err
			}
			d.UsagerName = u.DisplayName()
		}
		if id, ok := parseID(d.Form.FromEventID); ok {
			if e, err := tx.RecordEvent(id); err == nil && e.UsagerID.String() == d.Form.UsagerID {
				d.EventTitle = e.Title
			}
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	if len(d.Establishments) == 0 {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne permettent pas de déclarer un événement indésirable.")
		return
	}
	a.render(c, status, "adverse_form", view{Title: "Déclarer un événement indésirable", Nav: "fei", Errors: errs, Data: d})
}

type adverseErr string

func (e adverseErr) Error() string { return string(e) }

const errInvalidAdverse = adverseErr("invalid adverse event")

// createAdverse stores a declaration with its trail row, or shows the form
// again with the messages beside the fields (nothing stored).
func (a *App) createAdverse(c *gin.Context) {
	p := principal(c)
	in := domain.AdverseInput{EstablishmentID: c.PostForm("establishment_id"), UsagerID: c.PostForm("usager_id"),
		FromEventID: c.PostForm("from_event_id"), OccurredAt: c.PostForm("occurred_at"), Place: c.PostForm("place"),
		Description: c.PostForm("description"), Measures: c.PostForm("measures"), Category: c.PostForm("category"),
		Severity: c.PostForm("severity"), LifeThreatening: c.PostForm("life_threatening") != ""}
	f, err := in.Parse()
	errs := fieldErrors(err)
	var role domain.Role
	var section domain.Section
	err = a.inTenant(c, func(tx domain.Tx) error {
		if _, bad := errs["establishment_id"]; !bad {
			var ok bool
			if !containsID(p.Establishments(), f.EstablishmentID) {
				ok = false
			} else {
				role, section, ok = a.adverseRight(p, f.EstablishmentID, f.UsagerID != uuid.Nil, domain.ActionWrite)
			}
			if !ok {
				if _, _, any := a.adverseRight(p, f.EstablishmentID, false, domain.ActionWrite); any && containsID(p.Establishments(), f.EstablishmentID) {
					errs["usager_id"] = "Vos habilitations ne permettent pas de déclarer un événement concernant une personne : il faut pouvoir lire la section soins de son dossier."
				} else {
					errs["establishment_id"] = "Vos habilitations ne permettent pas de déclarer un événement indésirable dans cet établissement."
				}
			}
			if _, bad := errs["usager_id"]; !bad && f.UsagerID != uuid.Nil {
				estabs, err := tx.UsagerEstablishments(f.UsagerID)
				if err != nil {
					return err
				}
				if !containsID(estabs, f.EstablishmentID) {
					errs["usager_id"] = "Cette personne n'est pas accompagnée par l'établissement choisi."
				}
			}
		}
		if f.FromEventID != uuid.Nil {
			e, err := tx.RecordEvent(f.FromEventID)
			if err != nil || e.UsagerID != f.UsagerID {
				errs["from_event_id"] = "L'événement d'origine ne concerne pas cette personne."
			}
		}
		if len(errs) > 0 {
			return errInvalidAdverse
		}
		f.DeclaredAt, f.AuthorID, f.AuthorName = a.cfg.Now().UTC(), p.UserID, p.DisplayName
		if err := tx.SaveAdverseEvent(&f); err != nil {
			return err
		}
		return access.Trace(tx, p, role, f.EstablishmentID, f.UsagerID, section, domain.ActionWrite,
			"déclaration d'un événement indésirable : "+f.Category.Label())
	})
	if errorsIs(err, errInvalidAdverse) {
		a.showAdverseForm(c, http.StatusUnprocessableEntity, in, errs)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/evenements-indesirables/"+f.ID.String()+"?ok=fei")
}

type adverseDetailData struct {
	FEI           domain.AdverseEvent
	Establishment string
	Now           time.Time
	CanValidate   bool
	FollowUp      domain.AdverseFollowUpInput
	Action        domain.AdverseActionInput
}

// openAdverse loads the FEI of the URL for act: another establishment's or
// organisation's FEI is not found; a missing right answers 403.
func (a *App) openAdverse(c *gin.Context, tx domain.Tx, act domain.Action) (domain.AdverseEvent, domain.Role, domain.Section, error) {
	p := principal(c)
	id, ok := parseID(c.Param("fei"))
	if !ok {
		return domain.AdverseEvent{}, "", "", domain.ErrNotFound
	}
	f, err := tx.AdverseEvent(id)
	if err != nil {
		return f, "", "", err
	}
	if !containsID(p.Establishments(), f.EstablishmentID) {
		return f, "", "", domain.ErrNotFound
	}
	role, section, ok := a.adverseRight(p, f.EstablishmentID, f.UsagerID != uuid.Nil, act)
	if !ok {
		return f, "", "", domain.ErrForbidden
	}
	return f, role, section, nil
}

func (a *App) adverseDetail(c *gin.Context) { a.showAdverse(c, http.StatusOK, nil, nil, nil) }

// showAdverse renders the FEI page; with errs, the typed follow-up or action
// is shown again beside its messages.
func (a *App) showAdverse(c *gin.Context, status int, errs map[string]string, fu *domain.AdverseFollowUpInput, act *domain.AdverseActionInput) {
	p := principal(c)
	d := adverseDetailData{Now: a.cfg.Now()}
	err := a.inTenant(c, func(tx domain.Tx) error {
		f, role, section, err := a.openAdverse(c, tx, domain.ActionRead)
		if err != nil {
			return err
		}
		d.FEI = f
		_, _, d.CanValidate = a.adverseRight(p, f.EstablishmentID, f.UsagerID != uuid.Nil, domain.ActionValidate)
		e, err := tx.Establishment(f.EstablishmentID)
		if err != nil {
			return err
		}
		d.Establishment = e.Name
		d.FollowUp = domain.AdverseFollowUpInput{Causes: f.Causes, ARSPart1: domain.FormatDate(f.ARSPart1), ARSPart2: domain.FormatDate(f.ARSPart2)}
		if fu != nil {
			d.FollowUp = *fu
		}
		if act != nil {
			d.Action = *act
		}
		if status != http.StatusOK {
			return nil
		}
		return access.Trace(tx, p, role, f.EstablishmentID, f.UsagerID, section, domain.ActionRead, "lecture d'un événement indésirable")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	v := view{Title: "Événement indésirable", Nav: "fei", Errors: errs, Data: d}
	if c.Query("ok") == "fei" {
		v.Flash = "L'événement indésirable a été déclaré."
	} else if c.Query("ok") == "suivi" {
		v.Flash = "Le suivi de l'événement indésirable a été enregistré."
	}
	a.render(c, status, "adverse", v)
}

// adverseWrite runs fn on the FEI of the URL for a validator, traces it and
// redirects to its page; a validation error shows the page with messages.
func (a *App) adverseWrite(c *gin.Context, detail string, fn func(tx domain.Tx, f *domain.AdverseEvent) error,
	fu *domain.AdverseFollowUpInput, act *domain.AdverseActionInput) {
	p := principal(c)
	err := a.inTenant(c, func(tx domain.Tx) error {
		f, role, section, err := a.openAdverse(c, tx, domain.ActionValidate)
		if err != nil {
			return err
		}
		if err := fn(tx, &f); err != nil {
			return err
		}
		return access.Trace(tx, p, role, f.EstablishmentID, f.UsagerID, section, domain.ActionValidate, detail)
	})
	if v, ok := domain.AsValidation(err); ok {
		a.showAdverse(c, http.StatusUnprocessableEntity, fieldErrors(v), fu, act)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/evenements-indesirables/"+c.Param("fei")+"?ok=suivi")
}

func (a *App) adverseFollowUp(c *gin.Context) {
	in := domain.AdverseFollowUpInput{Causes: c.PostForm("causes"), ARSPart1: c.PostForm("ars_part1"), ARSPart2: c.PostForm("ars_part2")}
	a.adverseWrite(c, "analyse et déclarations ARS d'un événement indésirable", func(tx domain.Tx, f *domain.AdverseEvent) error {
		if f.Status == domain.AdverseClosed {
			var v domain.ValidationError
			v.Add("causes", "L'événement est clôturé : son suivi ne se modifie plus.")
			return v.Err()
		}
		if err := in.Apply(f); err != nil {
			return err
		}
		return tx.SaveAdverseEvent(f)
	}, &in, nil)
}

func (a *App) adverseStatus(c *gin.Context) {
	to := domain.AdverseStatus(c.PostForm("status"))
	a.adverseWrite(c, "événement indésirable : "+to.Label(), func(tx domain.Tx, f *domain.AdverseEvent) error {
		if err := domain.AdverseMove(*f, to); err != nil {
			return err
		}
		f.Status = to
		if to == domain.AdverseClosed {
			f.ClosedAt = a.cfg.Now().UTC()
		}
		return tx.SaveAdverseEvent(f)
	}, nil, nil)
}

func (a *App) adverseAddAction(c *gin.Context) {
	in := domain.AdverseActionInput{Title: c.PostForm("action_title"), Owner: c.PostForm("action_owner"), Due: c.PostForm("action_due")}
	a.adverseWrite(c, "action corrective d'un événement indésirable", func(tx domain.Tx, f *domain.AdverseEvent) error {
		act, err := in.Parse()
		if err == nil && f.Status == domain.AdverseClosed {
			var v domain.ValidationError
			v.Add("action_title", "L'événement est clôturé : on n'y ajoute plus d'action.")
			err = v.Err()
		}
		if err != nil {
			return err
		}
		act.AdverseID = f.ID
		return tx.SaveAdverseAction(&act)
	}, nil, &in)
}

func (a *App) adverseActionDone(c *gin.Context) {
	a.adverseWrite(c, "action corrective réalisée", func(tx domain.Tx, f *domain.AdverseEvent) error {
		id, _ := parseID(c.Param("action"))
		for _, act := range f.Actions {
			if act.ID == id {
				act.Done = c.PostForm("done") != "0"
				return tx.SaveAdverseAction(&act)
			}
		}
		return domain.ErrNotFound
	}, nil, nil)
}
