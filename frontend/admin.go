package frontend

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

func (a *App) registerAdmin(s *gin.RouterGroup) {
	g := s.Group("/admin", a.requireSettings(domain.ActionRead))
	g.GET("", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/admin/utilisateurs") })
	g.GET("/utilisateurs", a.listUsers)
	g.GET("/roles", a.rolesPage)
	w := g.Group("", a.requireSettings(domain.ActionWrite))
	w.GET("/utilisateurs/nouveau", a.newUserForm)
	w.POST("/utilisateurs", a.createUser)
	w.GET("/utilisateurs/:user", a.userPage)
	w.POST("/utilisateurs/:user/habilitations", a.addMembership)
	w.POST("/utilisateurs/:user/habilitations/retrait", a.removeMembership)
	w.POST("/utilisateurs/:user/actif", a.setActive)
	w.POST("/utilisateurs/:user/motdepasse", a.setPassword)
	w.POST("/utilisateurs/:user/professionnel", a.setProfessional)
	w.POST("/roles", a.saveRoles)
	a.registerIdentityAdmin(g, w)
	a.registerAPIClients(g, w)
}

// requireSettings checks a right on the settings area, held in any of the
// user's establishments (settings are organisation-wide).
func (a *App) requireSettings(act domain.Action) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principal(c)
		estab, role, ok := a.cfg.Authz.CanInAny(p, p.Establishments(), domain.SectionSettings, act)
		if !ok {
			a.errorPage(c, http.StatusForbidden, "Vos habilitations ne donnent pas accès à l'administration.")
			return
		}
		c.Set("settings_grant", grant{Estab: estab, Role: role})
		c.Next()
	}
}

func settingsGrant(c *gin.Context) grant {
	g, _ := c.Get("settings_grant")
	gr, _ := g.(grant)
	return gr
}

// traceSettings writes an administration action to the trail.
func (a *App) traceSettings(c *gin.Context, tx domain.Tx, detail string) error {
	g := settingsGrant(c)
	return access.Trace(tx, principal(c), g.Role, g.Estab, uuid.Nil, domain.SectionSettings, domain.ActionWrite, detail)
}

type membershipView struct {
	Establishment domain.Establishment
	Role          domain.Role
}

type userView struct {
	domain.User
	Memberships []membershipView
}

type usersData struct {
	Users          []userView
	CanWrite       bool
	User           userView
	Establishments []domain.Establishment // where the administrator may grant
	Roles          []domain.Role
	Form           map[string]string
	// Professions of the account's health professional card (RPPS).
	Professions []domain.Profession
}

// directory is the organisation's accounts, their roles and its
// establishments: what the account pages and the liaison form both need.
type directory struct {
	Users          []domain.User
	Memberships    []domain.Membership
	Establishments []domain.Establishment
}

func loadDirectory(tx domain.Tx) (directory, error) {
	var d directory
	var err error
	if d.Users, err = tx.Users(); err != nil {
		return d, err
	}
	if d.Memberships, err = tx.AllMemberships(); err != nil {
		return d, err
	}
	d.Establishments, err = tx.Establishments()
	return d, err
}

func (a *App) loadUsers(tx domain.Tx) ([]userView, map[uuid.UUID]domain.Establishment, error) {
	dir, err := loadDirectory(tx)
	if err != nil {
		return nil, nil, err
	}
	users := dir.Users
	byID := map[uuid.UUID]domain.Establishment{}
	for _, e := range dir.Establishments {
		byID[e.ID] = e
	}
	byUser := map[uuid.UUID][]membershipView{}
	for _, m := range dir.Memberships {
		byUser[m.UserID] = append(byUser[m.UserID], membershipView{Establishment: byID[m.EstablishmentID], Role: m.Role})
	}
	out := make([]userView, len(users))
	for i, u := range users {
		out[i] = userView{User: u, Memberships: byUser[u.ID]}
	}
	return out, byID, nil
}

func (a *App) listUsers(c *gin.Context) {
	p := principal(c)
	var d usersData
	_, _, d.CanWrite = a.cfg.Authz.CanInAny(p, p.Establishments(), domain.SectionSettings, domain.ActionWrite)
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		d.Users, _, err = a.loadUsers(tx)
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, http.StatusOK, "admin_users", view{Title: "Comptes utilisateurs", Nav: "admin", Data: d})
}

func (a *App) newUserForm(c *gin.Context) {
	a.showNewUser(c, http.StatusOK, map[string]string{}, nil)
}

func (a *App) showNewUser(c *gin.Context, status int, form, errs map[string]string) {
	d := usersData{Form: form, Roles: domain.AllRoles}
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		d.Establishments, err = a.establishmentsWith(c, tx, domain.SectionSettings, domain.ActionWrite)
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, status, "admin_user_new", view{Title: "Nouveau compte", Nav: "admin", Errors: errs, Data: d})
}

// grantable checks that the administrator may grant in the establishment
// and that the role exists.
func (a *App) grantable(c *gin.Context, estab, role string, v *domain.ValidationError) (uuid.UUID, domain.Role) {
	id, err := uuid.Parse(estab)
	if err != nil {
		v.Add("establishment_id", "Choisissez l'établissement.")
	} else if _, ok := a.cfg.Authz.Can(principal(c), id, domain.SectionSettings, domain.ActionWrite); !ok {
		v.Add("establishment_id", "Vous ne pouvez pas attribuer de rôle dans cet établissement.")
	}
	r := domain.Role(role)
	if !r.Valid() {
		v.Add("role", "Choisissez le rôle.")
	}
	return id, r
}

func (a *App) createUser(c *gin.Context) {
	form := map[string]string{"username": strings.ToLower(strings.TrimSpace(c.PostForm("username"))),
		"display_name": strings.TrimSpace(c.PostForm("display_name")), "establishment_id": c.PostForm("establishment_id"), "role": c.PostForm("role")}
	var v domain.ValidationError
	if !domain.ValidUsername(form["username"]) {
		v.Add("username", "L'identifiant compte 2 à 63 caractères : lettres minuscules, chiffres, point, tiret.")
	}
	if form["display_name"] == "" {
		v.Add("display_name", "Le nom affiché est obligatoire.")
	}
	pw := c.PostForm("password")
	if err := access.CheckPasswordPolicy(pw); err != nil {
		for k, m := range fieldErrors(err) {
			v.Add(k, m)
		}
	} else if pw != c.PostForm("password_confirm") {
		v.Add("password_confirm", "Les deux mots de passe ne correspondent pas.")
	}
	estab, role := a.grantable(c, form["establishment_id"], form["role"], &v)
	if v.Err() != nil {
		a.showNewUser(c, http.StatusUnprocessableEntity, form, v.Fields)
		return
	}
	hash, err := access.HashPassword(pw)
	if err != nil {
		a.fail(c, err)
		return
	}
	u := domain.User{Username: form["username"], DisplayName: form["display_name"], Active: true}
	err = a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.CreateUser(&u, hash); err != nil {
			return err
		}
		if err := tx.AddMembership(domain.Membership{UserID: u.ID, EstablishmentID: estab, Role: role}); err != nil {
			return err
		}
		return a.traceSettings(c, tx, "création du compte "+u.Username)
	})
	if isConflict(err) {
		a.showNewUser(c, http.StatusUnprocessableEntity, form, map[string]string{"username": "Cet identifiant est déjà pris."})
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/utilisateurs/"+u.ID.String()+"?ok=utilisateur")
}

func (a *App) userPage(c *gin.Context) {
	a.showUser(c, http.StatusOK, map[string]string{}, nil)
}

func (a *App) showUser(c *gin.Context, status int, form, errs map[string]string) {
	id, ok := parseID(c.Param("user"))
	if !ok {
		a.errorPage(c, http.StatusNotFound, "Ce compte n'existe pas.")
		return
	}
	d := usersData{Form: form, Roles: domain.AllRoles, CanWrite: true, Professions: domain.AllProfessions}
	err := a.inTenant(c, func(tx domain.Tx) error {
		if _, posted := form["rpps"]; !posted {
			p, err := tx.Practitioner(id)
			if err != nil {
				return err
			}
			form["rpps"], form["profession"] = p.RPPS, string(p.Profession)
		}
		users, _, err := a.loadUsers(tx)
		if err != nil {
			return err
		}
		found := false
		for _, u := range users {
			if u.ID == id {
				d.User, found = u, true
			}
		}
		if !found {
			return domain.ErrNotFound
		}
		d.Establishments, err = a.establishmentsWith(c, tx, domain.SectionSettings, domain.ActionWrite)
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, status, "admin_user", view{Title: "Compte " + d.User.Username, Nav: "admin", Errors: errs, Data: d})
}

// userAction runs fn on the :user account with its trail row, then goes
// back to the account page.
func (a *App) userAction(c *gin.Context, detail string, fn func(tx domain.Tx, u domain.User) error) {
	id, ok := parseID(c.Param("user"))
	if !ok {
		a.errorPage(c, http.StatusNotFound, "Ce compte n'existe pas.")
		return
	}
	err := a.inTenant(c, func(tx domain.Tx) error {
		u, err := tx.User(id)
		if err != nil {
			return err
		}
		if err := fn(tx, u); err != nil {
			return err
		}
		return a.traceSettings(c, tx, detail+" ("+u.Username+")")
	})
	if v, ok := domain.AsValidation(err); ok {
		a.showUser(c, http.StatusUnprocessableEntity, map[string]string{}, v.Fields)
		return
	}
	if isConflict(err) {
		a.showUser(c, http.StatusUnprocessableEntity, map[string]string{}, map[string]string{"role": "Ce compte a déjà ce rôle dans cet établissement."})
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/utilisateurs/"+id.String()+"?ok=utilisateur")
}

func (a *App) addMembership(c *gin.Context) {
	var v domain.ValidationError
	estab, role := a.grantable(c, c.PostForm("establishment_id"), c.PostForm("role"), &v)
	a.userAction(c, "attribution du rôle "+role.Label(), func(tx domain.Tx, u domain.User) error {
		if err := v.Err(); err != nil {
			return err
		}
		return tx.AddMembership(domain.Membership{UserID: u.ID, EstablishmentID: estab, Role: role})
	})
}

func (a *App) removeMembership(c *gin.Context) {
	var v domain.ValidationError
	estab, role := a.grantable(c, c.PostForm("establishment_id"), c.PostForm("role"), &v)
	a.userAction(c, "retrait du rôle "+role.Label(), func(tx domain.Tx, u domain.User) error {
		if err := v.Err(); err != nil {
			return err
		}
		return tx.RemoveMembership(domain.Membership{UserID: u.ID, EstablishmentID: estab, Role: role})
	})
}

func (a *App) setActive(c *gin.Context) {
	active := c.PostForm("active") == "true"
	detail := "désactivation du compte"
	if active {
		detail = "réactivation du compte"
	}
	a.userAction(c, detail, func(tx domain.Tx, u domain.User) error {
		if u.ID == principal(c).UserID && !active {
			var v domain.ValidationError
			v.Add("active", "Vous ne pouvez pas désactiver votre propre compte.")
			return v.Err()
		}
		u.Active = active
		return tx.UpdateUser(&u)
	})
}

func (a *App) setPassword(c *gin.Context) {
	pw := c.PostForm("password")
	a.userAction(c, "changement du mot de passe", func(tx domain.Tx, u domain.User) error {
		if err := access.CheckPasswordPolicy(pw); err != nil {
			return err
		}
		if pw != c.PostForm("password_confirm") {
			var v domain.ValidationError
			v.Add("password_confirm", "Les deux mots de passe ne correspondent pas.")
			return v.Err()
		}
		hash, err := access.HashPassword(pw)
		if err != nil {
			return err
		}
		return tx.SetPasswordHash(u.ID, hash)
	})
}

// setProfessional records the account's RPPS number (its key checked) and
// health profession: partners see them on the FHIR Practitioner.
func (a *App) setProfessional(c *gin.Context) {
	id, ok := parseID(c.Param("user"))
	if !ok {
		a.errorPage(c, http.StatusNotFound, "Ce compte n'existe pas.")
		return
	}
	form := map[string]string{"rpps": strings.TrimSpace(c.PostForm("rpps")), "profession": c.PostForm("profession")}
	rpps, profession, err := domain.ParseProfessional(form["rpps"], form["profession"])
	if err == nil {
		err = a.inTenant(c, func(tx domain.Tx) error {
			u, err := tx.User(id)
			if err != nil {
				return err
			}
			if err := tx.SetProfessional(id, rpps, profession); err != nil {
				return err
			}
			return a.traceSettings(c, tx, "numéro RPPS et profession ("+u.Username+")")
		})
	}
	if v, ok := domain.AsValidation(err); ok {
		a.showUser(c, http.StatusUnprocessableEntity, form, v.Fields)
		return
	}
	if isConflict(err) {
		a.showUser(c, http.StatusUnprocessableEntity, form, map[string]string{"rpps": "Ce numéro RPPS est déjà celui d'un autre compte de l'organisme."})
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/utilisateurs/"+id.String()+"?ok=professionnel")
}

type rolesData struct {
	Roles    []domain.Role
	Sections []domain.Section
	Actions  []domain.Action
	Granted  map[string]bool // "role/section/action"
	CanWrite bool
}

func grantKey(r domain.Role, s domain.Section, act domain.Action) string {
	return string(r) + "/" + string(s) + "/" + string(act)
}

func (a *App) rolesPage(c *gin.Context) {
	a.showRoles(c, http.StatusOK, nil)
}

func (a *App) showRoles(c *gin.Context, status int, errs map[string]string) {
	p := principal(c)
	d := rolesData{Roles: domain.AllRoles, Sections: domain.AllSections, Actions: domain.AllActions, Granted: map[string]bool{}}
	_, _, d.CanWrite = a.cfg.Authz.CanInAny(p, p.Establishments(), domain.SectionSettings, domain.ActionWrite)
	for _, g := range a.cfg.Authz.Matrix(p.OrgID) {
		d.Granted[grantKey(g.Role, g.Section, g.Action)] = true
	}
	a.render(c, status, "admin_roles", view{Title: "Droits par rôle", Nav: "admin", Errors: errs, Data: d})
}

// saveRoles replaces the organisation's matrix with the checked boxes.
func (a *App) saveRoles(c *gin.Context) {
	checked := map[string]bool{}
	for _, k := range c.PostFormArray("grant") {
		checked[k] = true
	}
	var grants []domain.Grant
	for _, r := range domain.AllRoles {
		for _, s := range domain.AllSections {
			for _, act := range domain.AllActions {
				if checked[grantKey(r, s, act)] {
					grants = append(grants, domain.Grant{Role: r, Section: s, Action: act})
				}
			}
		}
	}
	p := principal(c)
	if err := a.cfg.Authz.SetMatrix(c.Request.Context(), p.OrgID, grants); err != nil {
		if v, ok := domain.AsValidation(err); ok {
			a.showRoles(c, http.StatusUnprocessableEntity, v.Fields)
			return
		}
		a.fail(c, err)
		return
	}
	err := a.inTenant(c, func(tx domain.Tx) error { return a.traceSettings(c, tx, "modification de la matrice des droits") })
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/roles?ok=roles")
}

func isConflict(err error) bool { return err != nil && errorsIs(err, domain.ErrConflict) }
