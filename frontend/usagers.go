package frontend

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/dmp"
	"github.com/relais-dui/relais/domain"
)

// record is the usager a request is about, with the establishments where
// both the record and the user are present.
type record struct {
	Usager  domain.Usager
	Visible []uuid.UUID
	// Delegations are the user's running delegations (bris de glace) on
	// this record: each opens one section for reading.
	Delegations []domain.Delegation
	// Allergies feed the banner shown on every page of the record to those
	// who read its care or medical section (nil otherwise).
	Allergies     []domain.MedicalItem
	ShowAllergies bool
	// EHPAD is set when one of the visible establishments is an EHPAD: the
	// care navigation then offers the emergency liaison document (DLU).
	EHPAD bool
}

func currentRecord(c *gin.Context) record {
	r, _ := c.Get("record")
	rec, _ := r.(record)
	return rec
}

// loadUsager resolves :id. Another organisation's record is invisible (RLS
// returns nothing: 404); a record of the same organisation in an
// establishment where the user holds no role answers 403.
func (a *App) loadUsager(c *gin.Context) {
	id, ok := parseID(c.Param("id"))
	if !ok {
		a.errorPage(c, http.StatusNotFound, "Ce dossier n'existe pas.")
		return
	}
	p := principal(c)
	var rec record
	err := a.inTenant(c, func(tx domain.Tx) error {
		u, err := tx.Usager(id)
		if err != nil {
			return err
		}
		estabs, err := tx.UsagerEstablishments(id)
		if err != nil {
			return err
		}
		rec = record{Usager: u, Visible: intersect(estabs, p.Establishments())}
		if len(rec.Visible) == 0 {
			return nil
		}
		if rec.Delegations, err = tx.ActiveDelegations(p.UserID, id, a.cfg.Now()); err != nil {
			return err
		}
		// Allergies matter to whoever gives care or meals, not only to
		// the medical team: care or medical readers see the banner.
		for _, s := range []domain.Section{domain.SectionCare, domain.SectionMedical} {
			if _, ok := a.recordRight(p, rec, s, domain.ActionRead); ok {
				rec.ShowAllergies = true
			}
		}
		if rec.ShowAllergies {
			if rec.Allergies, err = tx.Allergies(id); err != nil {
				return err
			}
		}
		_, rec.EHPAD, err = dmp.EHPADOf(tx, rec.Visible)
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	if rec.Usager.MergedInto != uuid.Nil {
		// An alias left by a merge: links to it lead to the kept record.
		c.Redirect(http.StatusSeeOther, "/usagers/"+rec.Usager.MergedInto.String()+"?ok=alias")
		c.Abort()
		return
	}
	if len(rec.Visible) == 0 {
		a.errorPage(c, http.StatusForbidden, "Ce dossier relève d'un établissement où vous n'avez pas d'habilitation.")
		return
	}
	c.Set("record", rec)
	c.Next()
}

func intersect(a, b []uuid.UUID) []uuid.UUID {
	in := make(map[uuid.UUID]bool, len(b))
	for _, x := range b {
		in[x] = true
	}
	var out []uuid.UUID
	for _, x := range a {
		if in[x] {
			out = append(out, x)
		}
	}
	return out
}

// grant is a right resolved for this request: the role and establishment
// that carry it, written to the trail.
type grant struct {
	Estab uuid.UUID
	Role  domain.Role
	// Delegation is set when the right comes from a delegation (bris de
	// glace) rather than the role: the trace says so.
	Delegation uuid.UUID
}

// recordRight is the one place a right on a record is decided: the role
// matrix in one of the record's establishments, or else, for reading, a
// running delegation on that section.
func (a *App) recordRight(p *access.Principal, rec record, s domain.Section, act domain.Action) (grant, bool) {
	if estab, role, ok := a.cfg.Authz.CanInAny(p, rec.Visible, s, act); ok {
		return grant{Estab: estab, Role: role}, true
	}
	if act != domain.ActionRead {
		return grant{}, false
	}
	now := a.cfg.Now()
	for _, d := range rec.Delegations {
		if d.Section == s && d.ActiveAt(now) {
			return grant{Estab: d.EstablishmentID, Role: d.Role, Delegation: d.ID}, true
		}
	}
	return grant{}, false
}

// need checks a right on the current record and answers 403 when missing;
// a refused read of a record section offers a delegation.
func (a *App) need(c *gin.Context, s domain.Section, act domain.Action) (grant, bool) {
	g, ok := a.grantFor(c, s, act)
	if !ok {
		msg := "Vos habilitations ne permettent pas cette action sur ce dossier (" + s.Label() + " : " + strings.ToLower(act.Label()) + ")."
		if act == domain.ActionRead && delegable(s) {
			a.render(c, http.StatusForbidden, "error", view{Title: http.StatusText(http.StatusForbidden), Data: map[string]any{
				"Status": http.StatusForbidden, "Message": msg,
				"Delegation": "/usagers/" + currentRecord(c).Usager.ID.String() + "/delegation?section=" + string(s)}})
			c.Abort()
			return grant{}, false
		}
		a.errorPage(c, http.StatusForbidden, msg)
		return grant{}, false
	}
	return g, true
}

// estabsWith are the establishments where p holds act on s, in membership
// order, with the role carrying it in each (for the trail).
func (a *App) estabsWith(p *access.Principal, s domain.Section, act domain.Action) ([]uuid.UUID, map[uuid.UUID]domain.Role) {
	var out []uuid.UUID
	roles := map[uuid.UUID]domain.Role{}
	for _, e := range p.Establishments() {
		if r, ok := a.cfg.Authz.Can(p, e, s, act); ok {
			out = append(out, e)
			roles[e] = r
		}
	}
	return out, roles
}

// needIn checks a right in one establishment of the record.
func (a *App) needIn(c *gin.Context, estab uuid.UUID, s domain.Section, act domain.Action) (grant, bool) {
	for _, v := range currentRecord(c).Visible {
		if v == estab {
			if role, ok := a.cfg.Authz.Can(principal(c), estab, s, act); ok {
				return grant{Estab: estab, Role: role}, true
			}
		}
	}
	a.errorPage(c, http.StatusForbidden, "Vos habilitations dans cet établissement ne permettent pas cette action ("+s.Label()+" : "+strings.ToLower(act.Label())+").")
	return grant{}, false
}

// trace writes the trail row of an action on the current record.
func (a *App) trace(c *gin.Context, tx domain.Tx, g grant, s domain.Section, act domain.Action, detail string) error {
	if g.Delegation != uuid.Nil {
		detail = "Bris de glace (délégation " + g.Delegation.String()[:8] + ") — " + detail
	}
	return access.Trace(tx, principal(c), g.Role, g.Estab, currentRecord(c).Usager.ID, s, act, detail)
}

type listData struct {
	Search         string
	Establishment  string
	Status         string
	Establishments []domain.Establishment
	Statuses       []domain.StayStatus
	Rows           []domain.UsagerRow
	Next           string
	CanCreate      bool
}

// listUsagers shows the usagers of the user's establishments, searchable by
// name, paged by keyset (?apres=<sort key>|<id>).
func (a *App) listUsagers(c *gin.Context) {
	p := principal(c)
	d := listData{Search: strings.TrimSpace(c.Query("q")), Establishment: c.Query("etablissement"), Status: c.Query("statut"), Statuses: domain.AllStayStatuses}
	q := domain.UsagerQuery{Search: d.Search, Establishments: p.Establishments(), Limit: 50}
	if id, ok := parseID(d.Establishment); ok {
		q.Establishment = id
	}
	for _, s := range domain.AllStayStatuses {
		if string(s) == d.Status {
			q.Status = s
		}
	}
	if after := c.Query("apres"); after != "" {
		key, id, found := strings.Cut(after, "|")
		if uid, ok := parseID(id); found && ok {
			q.AfterKey, q.AfterID = key, uid
		}
	}
	_, _, d.CanCreate = a.cfg.Authz.CanInAny(p, p.Establishments(), domain.SectionAdmin, domain.ActionWrite)
	err := a.inTenant(c, func(tx domain.Tx) error {
		all, err := tx.Establishments()
		if err != nil {
			return err
		}
		mine := map[uuid.UUID]bool{}
		for _, id := range p.Establishments() {
			mine[id] = true
		}
		for _, e := range all {
			if mine[e.ID] {
				d.Establishments = append(d.Establishments, e)
			}
		}
		page, err := tx.ListUsagers(q)
		if err != nil {
			return err
		}
		d.Rows = page.Rows
		if page.More {
			last := page.Rows[len(page.Rows)-1]
			d.Next = last.SortKey + "|" + last.ID.String()
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, http.StatusOK, "usagers", view{Title: "Personnes accompagnées", Nav: "usagers", Data: d})
}

type usagerFormData struct {
	Form           domain.UsagerInput
	Matches        []matchView // close identities found before creating
	Stay           domain.PreadmissionInput
	Establishments []domain.Establishment
	Modes          []domain.Mode
	Action         string
	Cancel         string
	New            bool
}

// establishmentsWith lists the user's establishments where they hold right.
func (a *App) establishmentsWith(c *gin.Context, tx domain.Tx, s domain.Section, act domain.Action) ([]domain.Establishment, error) {
	all, err := tx.Establishments()
	if err != nil {
		return nil, err
	}
	var out []domain.Establishment
	for _, e := range all {
		if _, ok := a.cfg.Authz.Can(principal(c), e.ID, s, act); ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// admissionEstablishments lists where the user may open a stay (admin:write);
// with none, it answers 403 with refusal and returns false.
func (a *App) admissionEstablishments(c *gin.Context, refusal string) ([]domain.Establishment, bool) {
	var estabs []domain.Establishment
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		estabs, err = a.establishmentsWith(c, tx, domain.SectionAdmin, domain.ActionWrite)
		return err
	})
	if err != nil {
		a.fail(c, err)
		return nil, false
	}
	if len(estabs) == 0 {
		a.errorPage(c, http.StatusForbidden, refusal)
		return nil, false
	}
	return estabs, true
}

func (a *App) newUsagerForm(c *gin.Context) {
	a.showUsagerForm(c, http.StatusOK, usagerFormData{}, nil)
}

func (a *App) showUsagerForm(c *gin.Context, status int, d usagerFormData, errs map[string]string) {
	var ok bool
	if d.Establishments, ok = a.admissionEstablishments(c, "Vos habilitations ne permettent pas de créer un dossier."); !ok {
		return
	}
	d.Modes, d.Action, d.Cancel, d.New = domain.AllModes, "/usagers", "/usagers", true
	a.render(c, status, "usager_form", view{Title: "Nouveau dossier", Nav: "usagers", Errors: errs, Data: d})
}

func usagerInput(c *gin.Context) domain.UsagerInput {
	return domain.UsagerInput{
		BirthName: c.PostForm("birth_name"), UsedName: c.PostForm("used_name"), FirstNames: c.PostForm("first_names"),
		UsedFirstName: c.PostForm("used_first_name"), BirthDate: c.PostForm("birth_date"), Sex: c.PostForm("sex"),
		BirthPlaceCode: c.PostForm("birth_place_code"), Address: c.PostForm("address"), PostalCode: c.PostForm("postal_code"),
		City: c.PostForm("city"), Phone: c.PostForm("phone"), Email: c.PostForm("email"),
	}
}

// createUsager records the identity and a pre-admission in the chosen
// establishment, in one transaction with its trail row.
func (a *App) createUsager(c *gin.Context) {
	d := usagerFormData{Form: usagerInput(c), Stay: domain.PreadmissionInput{
		EstablishmentID: c.PostForm("establishment_id"), Mode: c.PostForm("mode"), PlannedEntry: c.PostForm("planned_entry")}}
	u, err := d.Form.Parse(a.cfg.Now())
	errs := fieldErrors(err)
	stay, err := d.Stay.Parse()
	for k, v := range fieldErrors(err) {
		errs[k] = v
	}
	var g grant
	if _, bad := errs["establishment_id"]; !bad {
		role, ok := a.cfg.Authz.Can(principal(c), stay.EstablishmentID, domain.SectionAdmin, domain.ActionWrite)
		if !ok {
			errs["establishment_id"] = "Vous ne pouvez pas créer de dossier dans cet établissement."
		}
		g = grant{Estab: stay.EstablishmentID, Role: role}
	}
	if len(errs) > 0 {
		a.showUsagerForm(c, http.StatusUnprocessableEntity, d, errs)
		return
	}
	confirmed := c.PostForm("homonym_confirmed") == "1"
	err = a.inTenant(c, func(tx domain.Tx) error {
		if !confirmed {
			matches, err := tx.IdentityMatches(u)
			if err != nil {
				return err
			}
			if len(matches) > 0 {
				d.Matches, err = a.matchViews(c, tx, matches)
				if err != nil {
					return err
				}
				return errHomonyms
			}
		}
		if err := tx.CreateUsager(&u, &stay); err != nil {
			return err
		}
		detail := "création du dossier et pré-admission"
		if confirmed {
			detail += " (homonyme possible écarté par l'utilisateur)"
		}
		return access.Trace(tx, principal(c), g.Role, g.Estab, u.ID, domain.SectionAdmin, domain.ActionWrite, detail)
	})
	if errors.Is(err, errHomonyms) {
		// Nothing stored: the person checks the list, then confirms or opens
		// the existing record.
		a.showUsagerForm(c, http.StatusConflict, d, nil)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/usagers/"+u.ID.String()+"?ok=cree")
}

// fieldErrors extracts the per-field messages of a validation error; any
// other error is a bug in the caller and goes to the "_" key.
func fieldErrors(err error) map[string]string {
	out := map[string]string{}
	if err == nil {
		return out
	}
	if v, ok := domain.AsValidation(err); ok {
		for k, m := range v.Fields {
			out[k] = m
		}
		return out
	}
	out["_"] = err.Error()
	return out
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }

// errHomonyms stops a creation transaction when close identities exist.
var errHomonyms = errors.New("close identities exist")

// matchView is a close identity as the creating user may see it: the record
// itself when it is in one of their establishments, only its establishments'
// names otherwise (identitovigilance needs to know it exists; the record
// stays behind its habilitations).
type matchView struct {
	domain.Match
	Visible        bool
	Establishments []string
}

func (a *App) matchViews(c *gin.Context, tx domain.Tx, matches []domain.Match) ([]matchView, error) {
	all, err := tx.Establishments()
	if err != nil {
		return nil, err
	}
	names := map[uuid.UUID]string{}
	for _, e := range all {
		names[e.ID] = e.Name
	}
	mine := principal(c).Establishments()
	out := make([]matchView, len(matches))
	for i, m := range matches {
		estabs, err := tx.UsagerEstablishments(m.Usager.ID)
		if err != nil {
			return nil, err
		}
		out[i] = matchView{Match: m, Visible: len(intersect(estabs, mine)) > 0}
		for _, e := range estabs {
			out[i].Establishments = append(out[i].Establishments, names[e])
		}
	}
	return out, nil
}
