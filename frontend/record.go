package frontend

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

type tab struct {
	Section domain.Section
	Active  bool
}

type stayView struct {
	domain.Stay
	Establishment string
	CanAdmit      bool
	CanDischarge  bool
}

type dossierData struct {
	Usager        domain.Usager
	Age           int
	Tabs          []tab
	Section       domain.Section
	Stays         []stayView
	Consents      []domain.Consent
	Contacts      []domain.Contact
	Notes         []domain.Note
	CanWrite      bool
	CanValidate   bool
	CanExport     bool
	CanTrail      bool
	CanEditAdmin  bool
	CanEditSocial bool
	NoteBody      string
	Identity      identityPanel
	Documents     documentsCard
}

// dossier shows the record with one tab per section the user may read.
// Reading the care or medical section is written to the access trail.
func (a *App) dossier(c *gin.Context) { a.showDossier(c, http.StatusOK, "", nil) }

// showDossier renders the dossier; a rejected note comes back with its text
// and the message beside the field.
func (a *App) showDossier(c *gin.Context, status int, noteBody string, errs map[string]string) {
	rec := currentRecord(c)
	p := principal(c)
	d := dossierData{Usager: rec.Usager, Age: rec.Usager.Age(a.cfg.Now()), NoteBody: noteBody}
	for _, s := range domain.RecordSections {
		if _, ok := a.recordRight(p, rec, s, domain.ActionRead); ok {
			d.Tabs = append(d.Tabs, tab{Section: s})
		}
	}
	if len(d.Tabs) == 0 {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne donnent accès à aucune section de ce dossier.")
		return
	}
	d.Section = d.Tabs[0].Section
	if s := c.Param("section"); s != "" {
		d.Section = domain.Section(s)
		if !d.Section.IsRecord() {
			a.errorPage(c, http.StatusNotFound, "Cette section n'existe pas.")
			return
		}
	}
	g, ok := a.need(c, d.Section, domain.ActionRead)
	if !ok {
		return
	}
	for i := range d.Tabs {
		d.Tabs[i].Active = d.Tabs[i].Section == d.Section
	}
	_, _, d.CanWrite = a.cfg.Authz.CanInAny(p, rec.Visible, d.Section, domain.ActionWrite)
	_, _, d.CanValidate = a.cfg.Authz.CanInAny(p, rec.Visible, d.Section, domain.ActionValidate)
	_, _, d.CanExport = a.cfg.Authz.CanInAny(p, rec.Visible, d.Section, domain.ActionExport)
	_, _, d.CanTrail = a.cfg.Authz.CanInAny(p, rec.Visible, domain.SectionTrail, domain.ActionRead)
	_, _, d.CanEditAdmin = a.cfg.Authz.CanInAny(p, rec.Visible, domain.SectionAdmin, domain.ActionWrite)
	_, _, d.CanEditSocial = a.cfg.Authz.CanInAny(p, rec.Visible, domain.SectionSocial, domain.ActionWrite)
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		if d.Notes, err = tx.Notes(rec.Usager.ID, d.Section); err != nil {
			return err
		}
		if d.Documents, err = a.loadDocumentsCard(c, tx, d.Section); err != nil {
			return err
		}
		switch d.Section {
		case domain.SectionAdmin:
			if d.Stays, err = a.stayViews(c, tx, rec); err != nil {
				return err
			}
			if d.Identity, err = a.loadIdentityPanel(c, tx); err != nil {
				return err
			}
			if d.Consents, err = tx.Consents(rec.Usager.ID); err != nil {
				return err
			}
		case domain.SectionSocial:
			if d.Contacts, err = tx.Contacts(rec.Usager.ID); err != nil {
				return err
			}
		}
		if d.Section.Traced() {
			return a.trace(c, tx, g, d.Section, domain.ActionRead, "consultation")
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, status, "dossier", view{Title: rec.Usager.DisplayName(), Nav: "usagers", Errors: errs, Data: d})
}

// stayViews lists every stay of the record; actions are offered only in the
// establishments where the user holds admin:write.
func (a *App) stayViews(c *gin.Context, tx domain.Tx, rec record) ([]stayView, error) {
	stays, err := tx.Stays(rec.Usager.ID)
	if err != nil {
		return nil, err
	}
	estabs, err := tx.Establishments()
	if err != nil {
		return nil, err
	}
	names := map[uuid.UUID]string{}
	for _, e := range estabs {
		names[e.ID] = e.Name
	}
	out := make([]stayView, len(stays))
	for i, s := range stays {
		_, canWrite := a.cfg.Authz.Can(principal(c), s.EstablishmentID, domain.SectionAdmin, domain.ActionWrite)
		out[i] = stayView{Stay: s, Establishment: names[s.EstablishmentID],
			CanAdmit: canWrite && s.Status == domain.StayPreadmission, CanDischarge: canWrite && s.Status == domain.StayAdmitted}
	}
	return out, nil
}

func (a *App) recordURL(c *gin.Context, rest string) string {
	return "/usagers/" + currentRecord(c).Usager.ID.String() + rest
}

// identityForm edits the identity traits and contact details.
func (a *App) identityForm(c *gin.Context) {
	if _, ok := a.need(c, domain.SectionAdmin, domain.ActionWrite); !ok {
		return
	}
	a.showIdentityForm(c, http.StatusOK, currentRecord(c).Usager.Input(), nil)
}

func (a *App) showIdentityForm(c *gin.Context, status int, in domain.UsagerInput, errs map[string]string) {
	d := usagerFormData{Form: in, Action: a.recordURL(c, "/identite"), Cancel: a.recordURL(c, "")}
	a.render(c, status, "usager_form", view{Title: "Identité de " + currentRecord(c).Usager.DisplayName(), Nav: "usagers", Errors: errs, Data: d})
}

func (a *App) updateIdentity(c *gin.Context) {
	g, ok := a.need(c, domain.SectionAdmin, domain.ActionWrite)
	if !ok {
		return
	}
	in := usagerInput(c)
	u, err := in.Parse(a.cfg.Now())
	if err != nil {
		a.showIdentityForm(c, http.StatusUnprocessableEntity, in, fieldErrors(err))
		return
	}
	old := currentRecord(c).Usager
	u.ID, u.OrgID, u.IdentityStatus, u.UpdatedAt = old.ID, old.OrgID, old.IdentityStatus, a.cfg.Now().UTC()
	err = a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.UpdateUsager(&u); err != nil {
			return err
		}
		// A strict trait changed on a checked identity: the evidence was
		// about the old traits, the identity falls back to provisional.
		id, err := tx.Identity(u.ID)
		if err != nil {
			return err
		}
		if ev, dropped := id.TraitsChanged(old, u); dropped {
			ev.By = principal(c).UserID
			if err := tx.SaveIdentity(u.ID, id, ev, principal(c).DisplayName); err != nil {
				return err
			}
			if err := a.trace(c, tx, g, domain.SectionAdmin, domain.ActionWrite, "identité : "+ev.Description); err != nil {
				return err
			}
		}
		return a.trace(c, tx, g, domain.SectionAdmin, domain.ActionWrite, "modification de l'identité")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "?ok=identite"))
}

type stayFormData struct {
	Usager         domain.Usager
	Form           map[string]string
	Establishments []domain.Establishment
	Modes          []domain.Mode
	Reasons        []string
	Stay           stayView
	Action         string
	Cancel         string
}

// newStayForm opens a pre-admission in another establishment of the user.
func (a *App) newStayForm(c *gin.Context) {
	a.showStayForm(c, http.StatusOK, map[string]string{}, nil)
}

func (a *App) showStayForm(c *gin.Context, status int, form map[string]string, errs map[string]string) {
	d := stayFormData{Usager: currentRecord(c).Usager, Form: form, Modes: domain.AllModes, Action: a.recordURL(c, "/sejours"), Cancel: a.recordURL(c, "")}
	var ok bool
	if d.Establishments, ok = a.admissionEstablishments(c, "Vos habilitations ne permettent pas d'ouvrir un séjour."); !ok {
		return
	}
	a.render(c, status, "stay_form", view{Title: "Nouvelle pré-admission", Nav: "usagers", Errors: errs, Data: d})
}

func (a *App) createStay(c *gin.Context) {
	in := domain.PreadmissionInput{EstablishmentID: c.PostForm("establishment_id"), Mode: c.PostForm("mode"), PlannedEntry: c.PostForm("planned_entry")}
	form := map[string]string{"establishment_id": in.EstablishmentID, "mode": in.Mode, "planned_entry": in.PlannedEntry}
	stay, err := in.Parse()
	if err != nil {
		a.showStayForm(c, http.StatusUnprocessableEntity, form, fieldErrors(err))
		return
	}
	role, ok := a.cfg.Authz.Can(principal(c), stay.EstablishmentID, domain.SectionAdmin, domain.ActionWrite)
	if !ok {
		a.showStayForm(c, http.StatusUnprocessableEntity, form, map[string]string{"establishment_id": "Vous ne pouvez pas ouvrir de séjour dans cet établissement."})
		return
	}
	stay.UsagerID = currentRecord(c).Usager.ID
	err = a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.SaveStay(&stay); err != nil {
			return err
		}
		return a.trace(c, tx, grant{Estab: stay.EstablishmentID, Role: role}, domain.SectionAdmin, domain.ActionWrite, "pré-admission")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "?ok=sejour"))
}

// loadStay reads :stay of the current record and checks admin:write in its
// establishment.
func (a *App) loadStay(c *gin.Context) (domain.Stay, grant, bool) {
	id, ok := parseID(c.Param("stay"))
	if !ok {
		a.errorPage(c, http.StatusNotFound, "Ce séjour n'existe pas.")
		return domain.Stay{}, grant{}, false
	}
	var s domain.Stay
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		s, err = tx.Stay(id)
		return err
	})
	if err == nil && s.UsagerID != currentRecord(c).Usager.ID {
		err = domain.ErrNotFound
	}
	if err != nil {
		a.fail(c, err)
		return s, grant{}, false
	}
	g, ok := a.needIn(c, s.EstablishmentID, domain.SectionAdmin, domain.ActionWrite)
	return s, g, ok
}

func (a *App) admitForm(c *gin.Context) {
	s, _, ok := a.loadStay(c)
	if !ok {
		return
	}
	a.showStayAction(c, http.StatusOK, "admit_form", "Admission", s, map[string]string{"mode": string(s.Mode), "admission_date": domain.FormatDate(orToday(s.PlannedEntry, a.cfg.Now()))}, nil)
}

func orToday(d, now time.Time) time.Time {
	if d.IsZero() {
		return now
	}
	return d
}

func (a *App) showStayAction(c *gin.Context, status int, page, title string, s domain.Stay, form, errs map[string]string) {
	d := stayFormData{Usager: currentRecord(c).Usager, Form: form, Modes: domain.AllModes, Reasons: domain.ExitReasons, Stay: stayView{Stay: s}}
	err := a.inTenant(c, func(tx domain.Tx) error {
		e, err := tx.Establishment(s.EstablishmentID)
		d.Stay.Establishment = e.Name
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	d.Cancel = a.recordURL(c, "")
	a.render(c, status, page, view{Title: title, Nav: "usagers", Errors: errs, Data: d})
}

func (a *App) admit(c *gin.Context) {
	s, g, ok := a.loadStay(c)
	if !ok {
		return
	}
	form := map[string]string{"admission_date": c.PostForm("admission_date"), "mode": c.PostForm("mode")}
	if err := s.Admit(form["admission_date"], form["mode"]); err != nil {
		a.showStayAction(c, http.StatusUnprocessableEntity, "admit_form", "Admission", s, form, fieldErrors(err))
		return
	}
	a.saveStay(c, s, g, "admission", "admis")
}

func (a *App) dischargeForm(c *gin.Context) {
	s, _, ok := a.loadStay(c)
	if !ok {
		return
	}
	a.showStayAction(c, http.StatusOK, "discharge_form", "Sortie", s, map[string]string{"discharge_date": domain.FormatDate(a.cfg.Now())}, nil)
}

func (a *App) discharge(c *gin.Context) {
	s, g, ok := a.loadStay(c)
	if !ok {
		return
	}
	form := map[string]string{"discharge_date": c.PostForm("discharge_date"), "discharge_reason": c.PostForm("discharge_reason")}
	if err := s.Discharge(form["discharge_date"], form["discharge_reason"]); err != nil {
		a.showStayAction(c, http.StatusUnprocessableEntity, "discharge_form", "Sortie", s, form, fieldErrors(err))
		return
	}
	a.saveStay(c, s, g, "sortie", "sortie")
}

func (a *App) saveStay(c *gin.Context, s domain.Stay, g grant, detail, flash string) {
	err := a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.SaveStay(&s); err != nil {
			return err
		}
		return a.trace(c, tx, g, domain.SectionAdmin, domain.ActionWrite, detail)
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "?ok="+flash))
}

type contactFormData struct {
	Usager      domain.Usager
	Form        domain.ContactInput
	Roles       []domain.ContactRole
	Protections []string
	Action      string
	Cancel      string
	ContactID   string
}

// contactForm adds (no :contact) or edits a member of the entourage.
func (a *App) contactForm(c *gin.Context) {
	if _, ok := a.need(c, domain.SectionSocial, domain.ActionWrite); !ok {
		return
	}
	in := domain.ContactInput{}
	if id := c.Param("contact"); id != "" {
		ct, ok := a.loadContact(c)
		if !ok {
			return
		}
		in = ct.Input()
	}
	a.showContactForm(c, http.StatusOK, in, nil)
}

func (a *App) showContactForm(c *gin.Context, status int, in domain.ContactInput, errs map[string]string) {
	d := contactFormData{Usager: currentRecord(c).Usager, Form: in, Roles: domain.AllContactRoles, Protections: domain.LegalProtections,
		Action: a.recordURL(c, "/entourage"), Cancel: a.recordURL(c, "/sections/social"), ContactID: c.Param("contact")}
	if d.ContactID != "" {
		d.Action += "/" + d.ContactID
	}
	a.render(c, status, "contact_form", view{Title: "Entourage", Nav: "usagers", Errors: errs, Data: d})
}

func (a *App) loadContact(c *gin.Context) (domain.Contact, bool) {
	id, ok := parseID(c.Param("contact"))
	var ct domain.Contact
	err := domain.ErrNotFound
	if ok {
		err = a.inTenant(c, func(tx domain.Tx) error {
			var err error
			ct, err = tx.Contact(id)
			return err
		})
	}
	if err == nil && ct.UsagerID != currentRecord(c).Usager.ID {
		err = domain.ErrNotFound
	}
	if err != nil {
		a.fail(c, err)
		return ct, false
	}
	return ct, true
}

func (a *App) saveContact(c *gin.Context) {
	g, ok := a.need(c, domain.SectionSocial, domain.ActionWrite)
	if !ok {
		return
	}
	in := domain.ContactInput{LastName: c.PostForm("last_name"), FirstName: c.PostForm("first_name"), Relationship: c.PostForm("relationship"),
		Roles: c.PostFormArray("roles"), LegalProtection: c.PostForm("legal_protection"), Phone: c.PostForm("phone"),
		Email: c.PostForm("email"), Address: c.PostForm("address")}
	ct, err := in.Parse()
	if err != nil {
		a.showContactForm(c, http.StatusUnprocessableEntity, in, fieldErrors(err))
		return
	}
	detail := "ajout d'un membre de l'entourage"
	if c.Param("contact") != "" {
		old, ok := a.loadContact(c)
		if !ok {
			return
		}
		ct.ID, detail = old.ID, "modification de l'entourage"
	}
	ct.UsagerID = currentRecord(c).Usager.ID
	err = a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.SaveContact(&ct); err != nil {
			return err
		}
		return a.trace(c, tx, g, domain.SectionSocial, domain.ActionWrite, detail)
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "/sections/social?ok=contact"))
}

func (a *App) deleteContact(c *gin.Context) {
	g, ok := a.need(c, domain.SectionSocial, domain.ActionWrite)
	if !ok {
		return
	}
	ct, ok := a.loadContact(c)
	if !ok {
		return
	}
	err := a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.DeleteContact(ct.ID); err != nil {
			return err
		}
		return a.trace(c, tx, g, domain.SectionSocial, domain.ActionWrite, "retrait d'un membre de l'entourage")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "/sections/social?ok=contact"))
}

type consentFormData struct {
	Usager  domain.Usager
	Form    domain.ConsentInput
	Scopes  []domain.ConsentScope
	GivenBy []string
	Action  string
	Cancel  string
}

func (a *App) consentForm(c *gin.Context) {
	if _, ok := a.need(c, domain.SectionAdmin, domain.ActionWrite); !ok {
		return
	}
	a.showConsentForm(c, http.StatusOK, domain.ConsentInput{GivenOn: domain.FormatDate(a.cfg.Now()), GivenBy: "usager"}, nil)
}

func (a *App) showConsentForm(c *gin.Context, status int, in domain.ConsentInput, errs map[string]string) {
	d := consentFormData{Usager: currentRecord(c).Usager, Form: in, Scopes: domain.AllConsentScopes, GivenBy: domain.GivenBy,
		Action: a.recordURL(c, "/consentements"), Cancel: a.recordURL(c, "")}
	a.render(c, status, "consent_form", view{Title: "Consentement", Nav: "usagers", Errors: errs, Data: d})
}

func (a *App) createConsent(c *gin.Context) {
	g, ok := a.need(c, domain.SectionAdmin, domain.ActionWrite)
	if !ok {
		return
	}
	in := domain.ConsentInput{Scope: c.PostForm("scope"), Decision: c.PostForm("decision"), GivenOn: c.PostForm("given_on"),
		GivenBy: c.PostForm("given_by"), GivenByName: c.PostForm("given_by_name")}
	cs, err := in.Parse(a.cfg.Now())
	if err != nil {
		a.showConsentForm(c, http.StatusUnprocessableEntity, in, fieldErrors(err))
		return
	}
	cs.UsagerID, cs.RecordedBy = currentRecord(c).Usager.ID, principal(c).UserID
	err = a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.SaveConsent(&cs); err != nil {
			return err
		}
		return a.trace(c, tx, g, domain.SectionAdmin, domain.ActionWrite, "consentement : "+cs.Scope.Label())
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "?ok=consent"))
}

func (a *App) withdrawConsent(c *gin.Context) {
	g, ok := a.need(c, domain.SectionAdmin, domain.ActionWrite)
	if !ok {
		return
	}
	id, ok := parseID(c.Param("consent"))
	if !ok {
		a.errorPage(c, http.StatusNotFound, "Ce consentement n'existe pas.")
		return
	}
	err := a.inTenant(c, func(tx domain.Tx) error {
		cs, err := tx.Consent(id)
		if err != nil {
			return err
		}
		if cs.UsagerID != currentRecord(c).Usager.ID {
			return domain.ErrNotFound
		}
		cs.WithdrawnOn = a.cfg.Now().UTC().Truncate(24 * time.Hour)
		if err := tx.SaveConsent(&cs); err != nil {
			return err
		}
		return a.trace(c, tx, g, domain.SectionAdmin, domain.ActionWrite, "retrait du consentement : "+cs.Scope.Label())
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "?ok=retrait"))
}

// needSection resolves the :section of the route (404 when unknown) and
// checks act on it for the current record (403 when not granted).
func (a *App) needSection(c *gin.Context, act domain.Action) (domain.Section, grant, bool) {
	s := domain.Section(c.Param("section"))
	if !s.IsRecord() {
		a.errorPage(c, http.StatusNotFound, "Cette section n'existe pas.")
		return s, grant{}, false
	}
	g, ok := a.need(c, s, act)
	return s, g, ok
}

// addNote writes a journal entry in a section.
func (a *App) addNote(c *gin.Context) {
	s, g, ok := a.needSection(c, domain.ActionWrite)
	if !ok {
		return
	}
	n, err := domain.ParseNote(s, c.PostForm("body"))
	if err != nil {
		a.showDossier(c, http.StatusUnprocessableEntity, c.PostForm("body"), fieldErrors(err))
		return
	}
	p := principal(c)
	n.UsagerID, n.AuthorID, n.AuthorName = currentRecord(c).Usager.ID, p.UserID, p.DisplayName
	err = a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.SaveNote(&n); err != nil {
			return err
		}
		return a.trace(c, tx, g, s, domain.ActionWrite, "note")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "/sections/"+string(s)+"?ok=note"))
}

// validateNote countersigns a journal entry (a note cannot be validated by
// its own author).
func (a *App) validateNote(c *gin.Context) {
	s, g, ok := a.needSection(c, domain.ActionValidate)
	if !ok {
		return
	}
	id, ok := parseID(c.Param("note"))
	if !ok {
		a.errorPage(c, http.StatusNotFound, "Cette note n'existe pas.")
		return
	}
	p := principal(c)
	err := a.inTenant(c, func(tx domain.Tx) error {
		n, err := tx.Note(id)
		if err != nil {
			return err
		}
		if n.UsagerID != currentRecord(c).Usager.ID || n.Section != s {
			return domain.ErrNotFound
		}
		if n.AuthorID == p.UserID {
			return domain.ErrForbidden
		}
		n.ValidatedBy, n.ValidatedByName, n.ValidatedAt = p.UserID, p.DisplayName, a.cfg.Now().UTC()
		if err := tx.SaveNote(&n); err != nil {
			return err
		}
		return a.trace(c, tx, g, s, domain.ActionValidate, "validation d'une note")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "/sections/"+string(s)+"?ok=valide"))
}

// exportSection downloads a section's journal as CSV (traced as export).
func (a *App) exportSection(c *gin.Context) {
	s, g, ok := a.needSection(c, domain.ActionExport)
	if !ok {
		return
	}
	rec := currentRecord(c)
	var notes []domain.Note
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		if notes, err = tx.Notes(rec.Usager.ID, s); err != nil {
			return err
		}
		return a.trace(c, tx, g, s, domain.ActionExport, "export CSV")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	rows := [][]string{{"date", "auteur", "texte", "valide_par", "valide_le"}}
	for _, n := range notes {
		validated := ""
		if !n.ValidatedAt.IsZero() {
			validated = n.ValidatedAt.In(domain.Paris()).Format(time.RFC3339)
		}
		rows = append(rows, []string{n.WrittenAt.In(domain.Paris()).Format(time.RFC3339), n.AuthorName, n.Body, n.ValidatedByName, validated})
	}
	writeCSV(c, fmt.Sprintf("%s-%s.csv", s, rec.Usager.ID), rows)
}

func writeCSV(c *gin.Context, filename string, rows [][]string) {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+filename+`"`)
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	w.Comma = ';' // French spreadsheets expect semicolons
	if err := w.WriteAll(rows); err != nil {
		c.Error(err)
	}
}

type trailData struct {
	Usager  domain.Usager
	Entries []domain.TrailEntry
	Next    string
	Roles   map[string]string
}

// trail shows who did what on the record, newest first, 100 rows a page.
func (a *App) trail(c *gin.Context) {
	if _, ok := a.need(c, domain.SectionTrail, domain.ActionRead); !ok {
		return
	}
	rec := currentRecord(c)
	before, _ := strconv.ParseInt(c.Query("avant"), 10, 64)
	d := trailData{Usager: rec.Usager, Roles: map[string]string{}}
	for _, r := range domain.AllRoles {
		d.Roles[string(r)] = r.Label()
	}
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		d.Entries, err = tx.Trail(domain.TrailQuery{UsagerID: rec.Usager.ID, BeforeSeq: before, Limit: 101})
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	if len(d.Entries) > 100 {
		d.Entries = d.Entries[:100]
		d.Next = strconv.FormatInt(d.Entries[99].Seq, 10)
	}
	a.render(c, http.StatusOK, "trail", view{Title: "Traçabilité des accès", Nav: "usagers", Data: d})
}

// trailCSV exports the whole trail of the record.
func (a *App) trailCSV(c *gin.Context) {
	g, ok := a.need(c, domain.SectionTrail, domain.ActionExport)
	if !ok {
		return
	}
	rec := currentRecord(c)
	rows := [][]string{{"horodatage", "utilisateur", "role", "etablissement", "section", "action", "detail", "empreinte"}}
	err := a.inTenant(c, func(tx domain.Tx) error {
		before := int64(0)
		for {
			page, err := tx.Trail(domain.TrailQuery{UsagerID: rec.Usager.ID, BeforeSeq: before, Limit: 1000})
			if err != nil {
				return err
			}
			for _, e := range page {
				rows = append(rows, []string{e.At.In(domain.Paris()).Format(time.RFC3339), e.Username, e.Role, e.EstablishmentID.String(),
					string(e.Section), string(e.Action), e.Detail, fmt.Sprintf("%x", e.Hash)})
			}
			if len(page) < 1000 {
				break
			}
			before = page[len(page)-1].Seq
		}
		return a.trace(c, tx, g, domain.SectionTrail, domain.ActionExport, "export CSV de la traçabilité")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	writeCSV(c, fmt.Sprintf("tracabilite-%s.csv", rec.Usager.ID), rows)
}
