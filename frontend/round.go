package frontend

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

// SSIAD home-care rounds (tournées). "Ma tournée" shows the rounds the user
// does today: stops in order with the address, phone, access notes, the
// personne à prévenir and the care due, each with quick done / not-done
// buttons and a link to write a targeted note. The management pages (care
// validate in the SSIAD) create a round, order its stops and say who does
// it by default and on given days.

func (a *App) registerRounds(s *gin.RouterGroup) {
	s.GET("/tournee", a.myRound)
	s.GET("/tournees", a.roundsPage)
	s.POST("/tournees", a.createRound)
	s.GET("/tournees/:round", a.roundPage)
	s.POST("/tournees/:round", a.updateRound)
	s.POST("/tournees/:round/arrets", a.addStop)
	s.POST("/tournees/:round/arrets/:stop/deplacer", a.moveStop)
	s.POST("/tournees/:round/arrets/:stop/retirer", a.removeStop)
	s.POST("/tournees/:round/arrets/:stop/acces", a.stopAccess)
	s.POST("/tournees/:round/affectation", a.assignRound)
}

// homeCare reports whether an establishment visits people at home.
func homeCare(c domain.Category) bool { return c == domain.CatSSIAD || c == domain.CatSPASAD }

type stopView struct {
	N           int
	Stop        domain.RoundStop
	Notify      []domain.Contact
	Occurrences []domain.Occurrence
}

type roundView struct {
	Round         domain.Round
	Establishment string
	CanWrite      bool
	Stops         []stopView
	Count, Done   int
}

type myRoundData struct {
	Day       time.Time
	Today     bool
	Rounds    []roundView
	Return    string
	CanManage bool // the user manages the rounds of a home-care service
}

// myRound shows the user's rounds of the day (?jour= for another day).
func (a *App) myRound(c *gin.Context) {
	p := principal(c)
	day := a.careDay(c, "jour")
	d := myRoundData{Day: day, Today: day.Equal(domain.ParisDay(a.cfg.Now())), Return: "/tournee"}
	if !d.Today {
		d.Return = "/tournee?jour=" + domain.FormatDate(day)
	}
	readable, roles := a.estabsWith(p, domain.SectionCare, domain.ActionRead)
	if len(readable) == 0 {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne donnent pas accès aux soins (section Soins : lecture).")
		return
	}
	err := a.inTenant(c, func(tx domain.Tx) error {
		rounds, err := tx.MyRounds(p.UserID, day, readable)
		if err != nil {
			return err
		}
		estabs, err := tx.Establishments()
		if err != nil {
			return err
		}
		names := map[uuid.UUID]string{}
		for _, e := range estabs {
			names[e.ID] = e.Name
			if _, ok := a.cfg.Authz.Can(p, e.ID, domain.SectionCare, domain.ActionValidate); ok && homeCare(e.Category) {
				d.CanManage = true
			}
		}
		var people []uuid.UUID
		for _, r := range rounds {
			for _, s := range r.Stops {
				people = append(people, s.UsagerID)
			}
		}
		acts, err := tx.CareActs(domain.CareActQuery{Usagers: people, Day: day})
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
		notify, err := tx.PersonsToNotify(people)
		if err != nil {
			return err
		}
		for _, r := range rounds {
			rv := roundView{Round: r, Establishment: names[r.EstablishmentID]}
			_, rv.CanWrite = a.cfg.Authz.Can(p, r.EstablishmentID, domain.SectionCare, domain.ActionWrite)
			for i, s := range r.Stops {
				var own []domain.CareAct
				for _, act := range acts {
					if act.UsagerID == s.UsagerID && act.EstablishmentID == r.EstablishmentID {
						own = append(own, act)
					}
				}
				sv := stopView{N: i + 1, Stop: s, Notify: notify[s.UsagerID], Occurrences: domain.Occurrences(own, marks, day)}
				for _, o := range sv.Occurrences {
					rv.Count++
					if o.Mark != nil {
						rv.Done++
					}
				}
				rv.Stops = append(rv.Stops, sv)
				if err := access.Trace(tx, p, roles[r.EstablishmentID], r.EstablishmentID, s.UsagerID, domain.SectionCare, domain.ActionRead,
					"consultation de la tournée « "+r.Name+" »"); err != nil {
					return err
				}
			}
			d.Rounds = append(d.Rounds, rv)
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, http.StatusOK, "tournee", view{Title: "Ma tournée", Nav: "soins", Data: d})
}

// roundEstablishments are the home-care services where the user manages
// rounds (care validate).
func (a *App) roundEstablishments(c *gin.Context, tx domain.Tx) ([]domain.Establishment, error) {
	all, err := tx.Establishments()
	if err != nil {
		return nil, err
	}
	p := principal(c)
	var out []domain.Establishment
	for _, e := range all {
		if _, ok := a.cfg.Authz.Can(p, e.ID, domain.SectionCare, domain.ActionValidate); ok && homeCare(e.Category) && containsID(p.Establishments(), e.ID) {
			out = append(out, e)
		}
	}
	return out, nil
}

// professionals are the active accounts that may give care (care write) in
// estab: who a round can be given to.
func (a *App) professionals(c *gin.Context, tx domain.Tx, estab uuid.UUID) ([]domain.User, error) {
	dir, err := loadDirectory(tx)
	if err != nil {
		return nil, err
	}
	ok := map[uuid.UUID]bool{}
	for _, m := range dir.Memberships {
		if m.EstablishmentID == estab && a.cfg.Authz.Allowed(principal(c).OrgID, m.Role, domain.SectionCare, domain.ActionWrite) {
			ok[m.UserID] = true
		}
	}
	var out []domain.User
	for _, u := range dir.Users {
		if ok[u.ID] && u.Active {
			out = append(out, u)
		}
	}
	return out, nil
}

func userIDs(us []domain.User) []uuid.UUID {
	out := make([]uuid.UUID, len(us))
	for i, u := range us {
		out[i] = u.ID
	}
	return out
}

type roundsData struct {
	Rounds         []domain.Round
	Establishments []domain.Establishment
	EstabNames     map[uuid.UUID]string
	Form           domain.RoundInput
}

func (a *App) roundsPage(c *gin.Context) { a.showRounds(c, http.StatusOK, domain.RoundInput{}, nil) }

func (a *App) showRounds(c *gin.Context, status int, in domain.RoundInput, errs map[string]string) {
	d := roundsData{Form: in, EstabNames: map[uuid.UUID]string{}}
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		if d.Establishments, err = a.roundEstablishments(c, tx); err != nil {
			return err
		}
		var ids []uuid.UUID
		for _, e := range d.Establishments {
			ids = append(ids, e.ID)
			d.EstabNames[e.ID] = e.Name
		}
		if len(d.Establishments) == 1 && d.Form.EstablishmentID == "" {
			d.Form.EstablishmentID = d.Establishments[0].ID.String()
		}
		d.Rounds, err = tx.Rounds(ids)
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	if len(d.Establishments) == 0 {
		a.errorPage(c, http.StatusForbidden, "La gestion des tournées demande le droit Soins : valider dans un service de soins à domicile (SSIAD).")
		return
	}
	a.render(c, status, "tournees", view{Title: "Tournées", Nav: "soins", Errors: errs, Data: d})
}

var errInvalidRound = errors.New("invalid round")

func (a *App) createRound(c *gin.Context) {
	p := principal(c)
	in := domain.RoundInput{EstablishmentID: c.PostForm("establishment_id"), Name: c.PostForm("name")}
	var r domain.Round
	var errs map[string]string
	err := a.inTenant(c, func(tx domain.Tx) error {
		estabs, err := a.roundEstablishments(c, tx)
		if err != nil {
			return err
		}
		if len(estabs) == 0 {
			return domain.ErrForbidden
		}
		var ids []uuid.UUID
		for _, e := range estabs {
			ids = append(ids, e.ID)
		}
		r, err = in.Parse(ids, nil)
		if err != nil {
			errs = fieldErrors(err)
			return errInvalidRound
		}
		if err := tx.SaveRound(&r); err != nil {
			return err
		}
		role, _ := a.cfg.Authz.Can(p, r.EstablishmentID, domain.SectionCare, domain.ActionValidate)
		return access.Trace(tx, p, role, r.EstablishmentID, uuid.Nil, domain.SectionCare, domain.ActionValidate, "création de la tournée « "+r.Name+" »")
	})
	if errors.Is(err, errInvalidRound) {
		a.showRounds(c, http.StatusUnprocessableEntity, in, errs)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/tournees/"+r.ID.String()+"?ok=tournee")
}

// openRound loads the round of the URL for a manager of its service.
func (a *App) openRound(c *gin.Context, tx domain.Tx) (domain.Round, domain.Role, error) {
	id, ok := parseID(c.Param("round"))
	if !ok {
		return domain.Round{}, "", domain.ErrNotFound
	}
	r, err := tx.Round(id)
	if err != nil {
		return r, "", err
	}
	p := principal(c)
	if !containsID(p.Establishments(), r.EstablishmentID) {
		return r, "", domain.ErrNotFound
	}
	role, ok := a.cfg.Authz.Can(p, r.EstablishmentID, domain.SectionCare, domain.ActionValidate)
	if !ok {
		return r, "", domain.ErrForbidden
	}
	return r, role, nil
}

type roundData struct {
	Round         domain.Round
	Establishment string
	Professionals []domain.User
	Candidates    []domain.UsagerRow // admitted in the service, not yet in the round
	Form          domain.RoundInput
	AssignDay     string
	AssignUser    string
	StopUsager    string
	StopAccess    string
	Last          int // index of the last stop
}

func (a *App) roundPage(c *gin.Context) { a.showRound(c, http.StatusOK, nil, nil) }

// showRound renders the management page of a round; with errs, what was
// typed comes back in form.
func (a *App) showRound(c *gin.Context, status int, errs map[string]string, form map[string]string) {
	d := roundData{AssignDay: domain.FormatDate(domain.ParisDay(a.cfg.Now()))}
	err := a.inTenant(c, func(tx domain.Tx) error {
		r, _, err := a.openRound(c, tx)
		if err != nil {
			return err
		}
		d.Round, d.Last = r, len(r.Stops)-1
		d.Form = domain.RoundInput{Name: r.Name}
		if r.DefaultUserID != uuid.Nil {
			d.Form.DefaultUserID = r.DefaultUserID.String()
		}
		e, err := tx.Establishment(r.EstablishmentID)
		if err != nil {
			return err
		}
		d.Establishment = e.Name
		if d.Professionals, err = a.professionals(c, tx, r.EstablishmentID); err != nil {
			return err
		}
		page, err := tx.ListUsagers(domain.UsagerQuery{Establishments: []uuid.UUID{r.EstablishmentID}, Establishment: r.EstablishmentID,
			Status: domain.StayAdmitted, Limit: 500})
		if err != nil {
			return err
		}
		in := map[uuid.UUID]bool{}
		for _, s := range r.Stops {
			in[s.UsagerID] = true
		}
		for _, row := range page.Rows {
			if !in[row.ID] {
				d.Candidates = append(d.Candidates, row)
			}
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	if form != nil {
		d.AssignDay, d.AssignUser, d.StopUsager, d.StopAccess = form["day"], form["user_id"], form["usager_id"], form["access_notes"]
		if v, ok := form["name"]; ok {
			d.Form.Name, d.Form.DefaultUserID = v, form["default_user_id"]
		}
	}
	a.render(c, status, "tournees_edit", view{Title: "Tournée « " + d.Round.Name + " »", Nav: "soins", Errors: errs, Data: d})
}

// roundWrite runs fn on the round of the URL for a manager, traces it and
// comes back to the round's page; a validation error shows the page again
// with the typed form.
func (a *App) roundWrite(c *gin.Context, detail string, form map[string]string, fn func(tx domain.Tx, r *domain.Round) error) {
	p := principal(c)
	err := a.inTenant(c, func(tx domain.Tx) error {
		r, role, err := a.openRound(c, tx)
		if err != nil {
			return err
		}
		if err := fn(tx, &r); err != nil {
			return err
		}
		return access.Trace(tx, p, role, r.EstablishmentID, uuid.Nil, domain.SectionCare, domain.ActionValidate, detail+" (tournée « "+r.Name+" »)")
	})
	if v, ok := domain.AsValidation(err); ok {
		a.showRound(c, http.StatusUnprocessableEntity, fieldErrors(v), form)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/tournees/"+c.Param("round")+"?ok=tournee")
}

func (a *App) updateRound(c *gin.Context) {
	form := map[string]string{"name": c.PostForm("name"), "default_user_id": c.PostForm("default_user_id")}
	a.roundWrite(c, "modification de la tournée", form, func(tx domain.Tx, r *domain.Round) error {
		pros, err := a.professionals(c, tx, r.EstablishmentID)
		if err != nil {
			return err
		}
		in := domain.RoundInput{EstablishmentID: r.EstablishmentID.String(), Name: form["name"], DefaultUserID: form["default_user_id"]}
		upd, err := in.Parse([]uuid.UUID{r.EstablishmentID}, userIDs(pros))
		if err != nil {
			return err
		}
		r.Name, r.DefaultUserID = upd.Name, upd.DefaultUserID
		return tx.SaveRound(r)
	})
}

func (a *App) addStop(c *gin.Context) {
	form := map[string]string{"usager_id": c.PostForm("usager_id"), "access_notes": c.PostForm("access_notes")}
	a.roundWrite(c, "ajout d'un passage", form, func(tx domain.Tx, r *domain.Round) error {
		var v domain.ValidationError
		id, ok := parseID(form["usager_id"])
		if !ok {
			v.Add("usager_id", "Choisissez la personne à ajouter à la tournée.")
			return v.Err()
		}
		stays, err := tx.Stays(id)
		if err != nil {
			return err
		}
		admitted := false
		for _, s := range stays {
			admitted = admitted || (s.EstablishmentID == r.EstablishmentID && s.Status == domain.StayAdmitted)
		}
		if !admitted {
			v.Add("usager_id", "Cette personne n'est pas prise en charge par ce service.")
			return v.Err()
		}
		stops := append(r.Stops, domain.RoundStop{UsagerID: id, AccessNotes: strings.TrimSpace(form["access_notes"])})
		return tx.SetRoundStops(r.ID, stops)
	})
}

// stopIndex finds the stop of the URL in the round.
func stopIndex(c *gin.Context, r domain.Round) (int, error) {
	id, _ := parseID(c.Param("stop"))
	for i, s := range r.Stops {
		if s.ID == id {
			return i, nil
		}
	}
	return -1, domain.ErrNotFound
}

func (a *App) moveStop(c *gin.Context) {
	delta := 1
	if c.PostForm("sens") == "monter" {
		delta = -1
	}
	a.roundWrite(c, "ordre des passages", nil, func(tx domain.Tx, r *domain.Round) error {
		i, err := stopIndex(c, *r)
		if err != nil {
			return err
		}
		return tx.SetRoundStops(r.ID, domain.MoveStop(r.Stops, i, delta))
	})
}

func (a *App) removeStop(c *gin.Context) {
	a.roundWrite(c, "retrait d'un passage", nil, func(tx domain.Tx, r *domain.Round) error {
		i, err := stopIndex(c, *r)
		if err != nil {
			return err
		}
		return tx.SetRoundStops(r.ID, append(append([]domain.RoundStop{}, r.Stops[:i]...), r.Stops[i+1:]...))
	})
}

func (a *App) stopAccess(c *gin.Context) {
	a.roundWrite(c, "accès au domicile", nil, func(tx domain.Tx, r *domain.Round) error {
		i, err := stopIndex(c, *r)
		if err != nil {
			return err
		}
		r.Stops[i].AccessNotes = strings.TrimSpace(c.PostForm("access_notes"))
		return tx.SetRoundStops(r.ID, r.Stops)
	})
}

func (a *App) assignRound(c *gin.Context) {
	form := map[string]string{"day": c.PostForm("day"), "user_id": c.PostForm("user_id")}
	a.roundWrite(c, "affectation de la tournée", form, func(tx domain.Tx, r *domain.Round) error {
		var v domain.ValidationError
		day, ok := domain.ParseDate(form["day"])
		if !ok {
			v.Add("day", "Indiquez le jour (jj/mm/aaaa).")
		}
		var user uuid.UUID
		if s := strings.TrimSpace(form["user_id"]); s != "" {
			pros, err := a.professionals(c, tx, r.EstablishmentID)
			if err != nil {
				return err
			}
			id, err := uuid.Parse(s)
			if err != nil || !containsID(userIDs(pros), id) {
				v.Add("user_id", "Ce professionnel ne peut pas faire de tournée dans ce service.")
			}
			user = id
		}
		if err := v.Err(); err != nil {
			return err
		}
		return tx.AssignRound(domain.RoundAssignment{RoundID: r.ID, Day: day, UserID: user})
	})
}
