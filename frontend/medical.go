package frontend

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

// registerMedical mounts the medical section and delegations (bris de glace).
func (a *App) registerMedical(u, s *gin.RouterGroup) {
	u.GET("/medical", a.medicalPage)
	u.POST("/medical/elements", a.addMedicalItem)
	u.POST("/medical/elements/:item/statut", a.changeMedicalItem)
	u.POST("/medical/comptes-rendus", a.addMedicalReport)
	u.GET("/delegation", a.delegationForm)
	u.POST("/delegation", a.openDelegation)
	u.POST("/delegation/:delegation/fin", a.endOwnDelegation)
	s.GET("/delegations", a.delegationsList)
	s.GET("/delegations/:delegation", a.delegationDetail)
	s.POST("/delegations/:delegation/fin", a.endDelegationByDirector)
}

// medicalWriteRight: the medical team writes the medical section; allergies
// and intolerances may also be recorded by those who validate care (the
// nurse who learns of one at admission must not wait for the doctor).
func (a *App) medicalWriteRight(c *gin.Context, kind domain.MedicalKind) (grant, bool) {
	if g, ok := a.grantFor(c, domain.SectionMedical, domain.ActionWrite); ok {
		return g, true
	}
	if kind.IsAllergy() {
		return a.grantFor(c, domain.SectionCare, domain.ActionValidate)
	}
	return grant{}, false
}

type medicalData struct {
	Usager       domain.Usager
	AllergyItems []domain.MedicalItem // allergies and intolerances
	OtherItems   []domain.MedicalItem // diagnoses and history
	Reports      []domain.MedicalReport
	Kinds        []domain.MedicalKind
	ReportKinds  []domain.ReportKind
	CanWrite     bool // every kind
	CanAllergy   bool // allergies and intolerances only
	ItemForm     domain.MedicalItemInput
	ReportForm   domain.MedicalReportInput
	Today        time.Time
	ByDelegation bool
}

func (a *App) medicalPage(c *gin.Context) {
	a.showMedical(c, http.StatusOK, domain.MedicalItemInput{Kind: c.Query("type")}, domain.MedicalReportInput{}, nil)
}

// showMedical renders the medical section; a refused form comes back with
// its values and the messages beside the fields. Every display is traced.
func (a *App) showMedical(c *gin.Context, status int, item domain.MedicalItemInput, report domain.MedicalReportInput, errs map[string]string) {
	g, ok := a.need(c, domain.SectionMedical, domain.ActionRead)
	if !ok {
		return
	}
	rec := currentRecord(c)
	d := medicalData{Usager: rec.Usager, Kinds: domain.MedicalKinds, ReportKinds: domain.ReportKinds, ItemForm: item, ReportForm: report,
		Today: a.cfg.Now(), ByDelegation: g.Delegation != uuid.Nil}
	_, d.CanWrite = a.grantFor(c, domain.SectionMedical, domain.ActionWrite)
	_, d.CanAllergy = a.medicalWriteRight(c, domain.MedicalAllergy)
	if d.ReportForm.Date == "" {
		d.ReportForm.Date = domain.FormatDate(a.cfg.Now().In(domain.Paris()))
	}
	err := a.inTenant(c, func(tx domain.Tx) error {
		items, err := tx.MedicalItems(rec.Usager.ID)
		if err != nil {
			return err
		}
		for _, m := range items {
			if m.Kind.IsAllergy() {
				d.AllergyItems = append(d.AllergyItems, m)
			} else {
				d.OtherItems = append(d.OtherItems, m)
			}
		}
		if d.Reports, err = tx.MedicalReports(rec.Usager.ID); err != nil {
			return err
		}
		return a.trace(c, tx, g, domain.SectionMedical, domain.ActionRead, "Consultation du dossier médical")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, status, "medical", view{Title: "Dossier médical · " + rec.Usager.DisplayName(), Nav: "usagers", Errors: errs, Data: d})
}

func medicalItemInput(c *gin.Context) domain.MedicalItemInput {
	return domain.MedicalItemInput{Kind: c.PostForm("kind"), Label: c.PostForm("label"), Code: c.PostForm("code"),
		Reaction: c.PostForm("reaction"), Criticality: c.PostForm("criticality"), Onset: c.PostForm("onset"), Note: c.PostForm("note")}
}

func (a *App) addMedicalItem(c *gin.Context) {
	in := medicalItemInput(c)
	g, ok := a.medicalWriteRight(c, domain.MedicalKind(in.Kind))
	if !ok {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne permettent pas d'écrire dans le dossier médical.")
		return
	}
	m, err := in.Parse(a.cfg.Now())
	if err != nil {
		a.showMedical(c, http.StatusUnprocessableEntity, in, domain.MedicalReportInput{}, fieldErrors(err))
		return
	}
	p, rec := principal(c), currentRecord(c)
	m.UsagerID, m.AuthorID, m.AuthorName, m.RecordedAt = rec.Usager.ID, p.UserID, p.DisplayName, a.cfg.Now()
	section := domain.SectionMedical
	if _, viaMedical := a.grantFor(c, domain.SectionMedical, domain.ActionWrite); !viaMedical {
		section = domain.SectionCare
	}
	err = a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.SaveMedicalItem(&m); err != nil {
			return err
		}
		return a.trace(c, tx, g, section, domain.ActionWrite, "Dossier médical : "+m.Kind.Label()+" « "+m.Label+" »")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/usagers/"+rec.Usager.ID.String()+"/medical?ok=medical")
}

func (a *App) changeMedicalItem(c *gin.Context) {
	id, ok := parseID(c.Param("item"))
	if !ok {
		a.errorPage(c, http.StatusNotFound, "Cet élément n'existe pas.")
		return
	}
	rec, p := currentRecord(c), principal(c)
	var m domain.MedicalItem
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		if m, err = tx.MedicalItem(id); err != nil {
			return err
		}
		if m.UsagerID != rec.Usager.ID {
			return domain.ErrNotFound
		}
		g, ok := a.medicalWriteRight(c, m.Kind)
		if !ok {
			return domain.ErrForbidden
		}
		if err := m.ChangeStatus(domain.MedicalStatus(c.PostForm("status")), c.PostForm("status_note"), p.DisplayName, a.cfg.Now()); err != nil {
			return err
		}
		if err := tx.SaveMedicalItem(&m); err != nil {
			return err
		}
		return a.trace(c, tx, g, domain.SectionMedical, domain.ActionWrite, "Dossier médical : « "+m.Label+" » "+m.Status.Label())
	})
	var v *domain.ValidationError
	if errors.As(err, &v) {
		errs := fieldErrors(err)
		if msg, ok := errs["status_note"]; ok {
			errs["status_note_"+id.String()] = msg
		}
		a.showMedical(c, http.StatusUnprocessableEntity, domain.MedicalItemInput{}, domain.MedicalReportInput{}, errs)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/usagers/"+rec.Usager.ID.String()+"/medical?ok=medical")
}

func (a *App) addMedicalReport(c *gin.Context) {
	g, ok := a.need(c, domain.SectionMedical, domain.ActionWrite)
	if !ok {
		return
	}
	in := domain.MedicalReportInput{Kind: c.PostForm("report_kind"), Title: c.PostForm("title"), Date: c.PostForm("date"), Body: c.PostForm("body")}
	r, err := in.Parse(a.cfg.Now())
	if err != nil {
		a.showMedical(c, http.StatusUnprocessableEntity, domain.MedicalItemInput{}, in, fieldErrors(err))
		return
	}
	p, rec := principal(c), currentRecord(c)
	r.UsagerID, r.AuthorID, r.AuthorName, r.RecordedAt = rec.Usager.ID, p.UserID, p.DisplayName, a.cfg.Now()
	err = a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.SaveMedicalReport(&r); err != nil {
			return err
		}
		return a.trace(c, tx, g, domain.SectionMedical, domain.ActionWrite, "Compte rendu médical « "+r.Title+" »")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/usagers/"+rec.Usager.ID.String()+"/medical?ok=compte-rendu")
}

// delegable tells the record sections a refused read may open by delegation.
func delegable(s domain.Section) bool {
	for _, d := range domain.DelegableSections {
		if d == s {
			return true
		}
	}
	return false
}

type delegationFormData struct {
	Usager   domain.Usager
	Sections []domain.Section // those the user's roles do not read
	Form     domain.DelegationInput
}

func (a *App) delegationForm(c *gin.Context) {
	a.showDelegationForm(c, http.StatusOK, domain.DelegationInput{Section: c.Query("section"), Hours: "4"}, nil)
}

func (a *App) showDelegationForm(c *gin.Context, status int, in domain.DelegationInput, errs map[string]string) {
	rec, p := currentRecord(c), principal(c)
	d := delegationFormData{Usager: rec.Usager, Form: in}
	for _, s := range domain.DelegableSections {
		if _, _, ok := a.cfg.Authz.CanInAny(p, rec.Visible, s, domain.ActionRead); !ok {
			d.Sections = append(d.Sections, s)
		}
	}
	if len(d.Sections) == 0 {
		a.errorPage(c, http.StatusConflict, "Vos habilitations donnent déjà accès à toutes les sections de ce dossier : aucune délégation n'est nécessaire.")
		return
	}
	a.render(c, status, "delegation_form", view{Title: "Accès en bris de glace · " + rec.Usager.DisplayName(), Nav: "usagers", Errors: errs, Data: d})
}

// openDelegation records a delegation: the user's own role in the record's
// establishment stays the trace's role; the delegation only widens reading.
func (a *App) openDelegation(c *gin.Context) {
	in := domain.DelegationInput{Section: c.PostForm("section"), Reason: c.PostForm("reason"), Hours: c.PostForm("hours")}
	rec, p := currentRecord(c), principal(c)
	now := a.cfg.Now()
	d, err := in.Parse(now)
	if err != nil {
		a.showDelegationForm(c, http.StatusUnprocessableEntity, in, fieldErrors(err))
		return
	}
	if _, _, ok := a.cfg.Authz.CanInAny(p, rec.Visible, d.Section, domain.ActionRead); ok {
		a.showDelegationForm(c, http.StatusUnprocessableEntity, in, map[string]string{"section": "Vous lisez déjà cette section : aucune délégation n'est nécessaire."})
		return
	}
	d.EstablishmentID = rec.Visible[0]
	if roles := p.RolesIn(d.EstablishmentID); len(roles) > 0 {
		d.Role = roles[0]
	}
	d.UserID, d.UserName, d.UsagerID = p.UserID, p.DisplayName, rec.Usager.ID
	err = a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.SaveDelegation(&d); err != nil {
			return err
		}
		return access.Trace(tx, p, d.Role, d.EstablishmentID, rec.Usager.ID, d.Section, domain.ActionRead,
			"Ouverture d'une délégation (bris de glace) jusqu'au "+domain.FrenchDateTime(d.ExpiresAt)+" : "+d.Reason)
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	target := "/usagers/" + rec.Usager.ID.String() + "/sections/" + string(d.Section)
	if d.Section == domain.SectionMedical {
		target = "/usagers/" + rec.Usager.ID.String() + "/medical"
	}
	c.Redirect(http.StatusSeeOther, target+"?ok=delegation")
}

// endOwnDelegation lets the user close their delegation as soon as done.
func (a *App) endOwnDelegation(c *gin.Context) {
	id, ok := parseID(c.Param("delegation"))
	if !ok {
		a.errorPage(c, http.StatusNotFound, "Cette délégation n'existe pas.")
		return
	}
	rec, p := currentRecord(c), principal(c)
	err := a.inTenant(c, func(tx domain.Tx) error {
		d, err := tx.Delegation(id)
		if err != nil {
			return err
		}
		if d.UserID != p.UserID || d.UsagerID != rec.Usager.ID {
			return domain.ErrNotFound
		}
		if err := d.Close(p.DisplayName, a.cfg.Now()); err != nil {
			return err
		}
		if err := tx.SaveDelegation(&d); err != nil {
			return err
		}
		return access.Trace(tx, p, d.Role, d.EstablishmentID, d.UsagerID, d.Section, domain.ActionRead, "Fin de la délégation (bris de glace)")
	})
	var v *domain.ValidationError
	if errors.As(err, &v) {
		a.errorPage(c, http.StatusConflict, "Cette délégation est déjà terminée.")
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/usagers/"+rec.Usager.ID.String()+"?ok=delegation-fin")
}

// supervisedEstabs are the establishments whose delegations p oversees:
// those where p reads the access trail (directors by default).
func (a *App) supervisedEstabs(p *access.Principal) []uuid.UUID {
	estabs, _ := a.estabsWith(p, domain.SectionTrail, domain.ActionRead)
	return estabs
}

type delegationRow struct {
	domain.Delegation
	Active bool
	Reads  int
}

type delegationsData struct {
	Rows  []delegationRow
	Since time.Time
}

// delegationsList shows a director every delegation of the last 30 days in
// the establishments they oversee, with how many accesses each carried.
func (a *App) delegationsList(c *gin.Context) {
	p := principal(c)
	estabs := a.supervisedEstabs(p)
	if len(estabs) == 0 {
		a.errorPage(c, http.StatusForbidden, "La liste des délégations est réservée à la direction (lecture de la traçabilité).")
		return
	}
	now := a.cfg.Now()
	d := delegationsData{Since: now.AddDate(0, 0, -30)}
	err := a.inTenant(c, func(tx domain.Tx) error {
		ds, err := tx.Delegations(estabs, d.Since)
		if err != nil {
			return err
		}
		for _, x := range ds {
			reads, err := tx.DelegationReads(x)
			if err != nil {
				return err
			}
			d.Rows = append(d.Rows, delegationRow{Delegation: x, Active: x.ActiveAt(now), Reads: len(reads)})
		}
		return access.Trace(tx, p, "", uuid.Nil, uuid.Nil, domain.SectionTrail, domain.ActionRead, "Liste des délégations (bris de glace)")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, http.StatusOK, "delegations", view{Title: "Délégations (bris de glace)", Nav: "accueil", Data: d})
}

type delegationDetailData struct {
	Delegation domain.Delegation
	Active     bool
	Reads      []domain.TrailEntry
}

// loadSupervised reads a delegation the director oversees (404 otherwise).
func (a *App) loadSupervised(c *gin.Context, tx domain.Tx) (domain.Delegation, domain.Role, error) {
	id, ok := parseID(c.Param("delegation"))
	if !ok {
		return domain.Delegation{}, "", domain.ErrNotFound
	}
	d, err := tx.Delegation(id)
	if err != nil {
		return d, "", err
	}
	role, ok := a.cfg.Authz.Can(principal(c), d.EstablishmentID, domain.SectionTrail, domain.ActionRead)
	if !ok {
		return d, "", domain.ErrNotFound
	}
	return d, role, nil
}

func (a *App) delegationDetail(c *gin.Context) {
	var d delegationDetailData
	err := a.inTenant(c, func(tx domain.Tx) error {
		del, role, err := a.loadSupervised(c, tx)
		if err != nil {
			return err
		}
		d.Delegation, d.Active = del, del.ActiveAt(a.cfg.Now())
		if d.Reads, err = tx.DelegationReads(del); err != nil {
			return err
		}
		return access.Trace(tx, principal(c), role, del.EstablishmentID, del.UsagerID, domain.SectionTrail, domain.ActionRead, "Détail d'une délégation (bris de glace)")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, http.StatusOK, "delegation", view{Title: "Délégation · " + d.Delegation.UserName, Nav: "accueil", Data: d})
}

// endDelegationByDirector stops a delegation the director finds unjustified.
func (a *App) endDelegationByDirector(c *gin.Context) {
	p := principal(c)
	var id uuid.UUID
	err := a.inTenant(c, func(tx domain.Tx) error {
		d, role, err := a.loadSupervised(c, tx)
		if err != nil {
			return err
		}
		id = d.ID
		if err := d.Close(p.DisplayName, a.cfg.Now()); err != nil {
			return err
		}
		if err := tx.SaveDelegation(&d); err != nil {
			return err
		}
		return access.Trace(tx, p, role, d.EstablishmentID, d.UsagerID, domain.SectionTrail, domain.ActionWrite, "Délégation de "+d.UserName+" arrêtée par la direction")
	})
	var v *domain.ValidationError
	if errors.As(err, &v) {
		a.errorPage(c, http.StatusConflict, "Cette délégation est déjà terminée.")
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/delegations/"+id.String()+"?ok=delegation-fin")
}
