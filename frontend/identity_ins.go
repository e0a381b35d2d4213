package frontend

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/relais-dui/relais/domain"
)

// INS search at the INSi teleservice: by the record's strict traits or with
// the data of a carte Vitale, a side-by-side comparison of local and official
// traits, then acceptance. The accepted answer is fetched again on the
// server, never taken from the browser.

type traitRow struct {
	Label, Local, Official string
	Same                   bool
}

type insData struct {
	Usager    domain.Usager
	Simulated bool
	Forbidden string // why INSi may not be queried for this identity
	Mode      string // "traits" or "vitale"
	Vitale    map[string]string
	Result    *domain.INSiResult
	Compare   []traitRow
	Matches   bool
	Error     string
}

func (a *App) insForm(c *gin.Context) {
	if _, ok := a.need(c, domain.SectionAdmin, domain.ActionValidate); !ok {
		return
	}
	d, ok := a.insPage(c)
	if !ok {
		return
	}
	a.render(c, http.StatusOK, "identity_ins", view{Title: "Recherche de l'INS", Nav: "usagers", Data: d})
}

// insPage prepares the page and says whether INSi may be queried at all.
func (a *App) insPage(c *gin.Context) (insData, bool) {
	d := insData{Usager: currentRecord(c).Usager, Simulated: a.cfg.INSi.Simulated(), Mode: "traits", Vitale: map[string]string{}}
	err := a.inTenant(c, func(tx domain.Tx) error {
		id, err := tx.Identity(d.Usager.ID)
		if err != nil {
			return err
		}
		switch {
		case id.Fictive:
			d.Forbidden = "Identité fictive : le téléservice INSi ne doit pas être interrogé."
		case id.Douteuse:
			d.Forbidden = "Identité douteuse : levez d'abord le doute avant d'interroger le téléservice INSi."
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return d, false
	}
	return d, true
}

func vitaleQuery(c *gin.Context) (domain.INSiVitaleQuery, map[string]string) {
	form := map[string]string{}
	for _, k := range []string{"holder_nir", "beneficiary_nir", "birth_name", "birth_date", "birth_rank"} {
		form[k] = strings.TrimSpace(c.PostForm(k))
	}
	split := func(s string) (string, string) {
		s = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
		if len(s) == 15 {
			return s[:13], s[13:]
		}
		return s, ""
	}
	q := domain.INSiVitaleQuery{BirthName: form["birth_name"], BirthDate: form["birth_date"]}
	q.HolderNIR, q.HolderKey = split(form["holder_nir"])
	q.BeneficiaryNIR, q.BeneficiaryKey = split(form["beneficiary_nir"])
	q.BirthRank, _ = strconv.Atoi(form["birth_rank"])
	if q.BirthRank == 0 {
		q.BirthRank = 1
	}
	return q, form
}

// runINSi queries INSi as the form asks (traits of the record, or carte
// Vitale data), traced in the trail.
func (a *App) runINSi(c *gin.Context, g grant, d *insData) (domain.INSiResult, error) {
	ctx := c.Request.Context()
	var (
		r   domain.INSiResult
		err error
	)
	if c.PostForm("mode") == "vitale" {
		d.Mode = "vitale"
		var q domain.INSiVitaleQuery
		q, d.Vitale = vitaleQuery(c)
		r, err = a.cfg.INSi.SearchByCarteVitale(ctx, q)
	} else {
		r, err = a.cfg.INSi.SearchByTraits(ctx, domain.INSiQueryFromUsager(d.Usager))
	}
	outcome := r.Message
	if err != nil {
		outcome = "échec : " + err.Error()
	}
	detail := "recherche INSi (" + map[string]string{"traits": "traits du dossier", "vitale": "carte Vitale"}[d.Mode] + ") : " + outcome
	if d.Simulated {
		detail += " [simulation]"
	}
	// The trail row is written even when the call failed: an attempt to
	// reach a national service is an access worth keeping.
	if terr := a.inTenant(c, func(tx domain.Tx) error {
		return a.trace(c, tx, g, domain.SectionAdmin, domain.ActionValidate, detail)
	}); terr != nil {
		return r, terr
	}
	return r, err
}

// insErrorMessage explains an INSi failure in French; the identity is never
// changed by a failure.
func insErrorMessage(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "Le téléservice INSi n'a pas répondu à temps. L'identité n'a pas été modifiée ; réessayez dans quelques minutes."
	}
	return "La recherche n'a pas abouti : " + err.Error() + ". L'identité n'a pas été modifiée."
}

func (a *App) insSearch(c *gin.Context) {
	g, ok := a.need(c, domain.SectionAdmin, domain.ActionValidate)
	if !ok {
		return
	}
	d, ok := a.insPage(c)
	if !ok {
		return
	}
	status := http.StatusOK
	if d.Forbidden == "" {
		r, err := a.runINSi(c, g, &d)
		if err != nil && r.Code == "" {
			d.Error, status = insErrorMessage(err), http.StatusBadGateway
		} else {
			d.Result = &r
			if r.Identity != nil {
				d.Compare, d.Matches = compareTraits(d.Usager, *r.Identity)
			}
		}
	} else {
		status = http.StatusUnprocessableEntity
	}
	a.render(c, status, "identity_ins", view{Title: "Recherche de l'INS", Nav: "usagers", Data: d})
}

// compareTraits lines up the record's strict traits with INSi's.
func compareTraits(u domain.Usager, o domain.INSiIdentity) ([]traitRow, bool) {
	official := strings.Join(o.FirstNames, " ")
	rows := []traitRow{
		{Label: "Nom de naissance", Local: strings.ToUpper(u.BirthName), Official: o.BirthName},
		{Label: "Prénoms de naissance", Local: strings.Join(u.FirstNames, " "), Official: official},
		{Label: "Sexe", Local: string(u.Sex), Official: o.Sex},
		{Label: "Date de naissance", Local: domain.FrenchDate(u.BirthDate), Official: domain.FrenchDate(o.BirthDate)},
		{Label: "Lieu de naissance (INSEE)", Local: u.BirthPlaceCode, Official: o.BirthPlaceCode},
	}
	all := true
	for i := range rows {
		rows[i].Same = domain.NormalizeTrait(rows[i].Local) == domain.NormalizeTrait(rows[i].Official)
		all = all && rows[i].Same
	}
	return rows, all
}

// insAccept fetches the answer again and records the INS when the traits match.
func (a *App) insAccept(c *gin.Context) {
	g, ok := a.need(c, domain.SectionAdmin, domain.ActionValidate)
	if !ok {
		return
	}
	d, ok := a.insPage(c)
	if !ok {
		return
	}
	if d.Forbidden != "" {
		a.render(c, http.StatusUnprocessableEntity, "identity_ins", view{Title: "Recherche de l'INS", Nav: "usagers", Data: d})
		return
	}
	r, err := a.runINSi(c, g, &d)
	if err != nil && r.Code == "" {
		d.Error = insErrorMessage(err)
		a.render(c, http.StatusBadGateway, "identity_ins", view{Title: "Recherche de l'INS", Nav: "usagers", Data: d})
		return
	}
	if r.Identity == nil {
		d.Result = &r
		a.render(c, http.StatusConflict, "identity_ins", view{Title: "Recherche de l'INS", Nav: "usagers", Data: d})
		return
	}
	answer, now := *r.Identity, a.cfg.Now().UTC()
	err = a.saveIdentityChange(c, g, "ins", func(id *domain.Identity) (domain.IdentityEvent, error) {
		return id.RecordINSi(answer, d.Usager, now)
	})
	if v, ok := domain.AsValidation(err); ok {
		d.Result, d.Error = &r, v.Fields["ins"]
		d.Compare, d.Matches = compareTraits(d.Usager, answer)
		a.render(c, http.StatusUnprocessableEntity, "identity_ins", view{Title: "Recherche de l'INS", Nav: "usagers", Data: d})
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "?ok=ins"))
}
