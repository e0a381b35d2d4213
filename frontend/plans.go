package frontend

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/internal/pdftext"
)

// The personalised plan (PAP / PPA) of a usager: versions, goals, agreements,
// status, reviews and a printable view. Every professional who reads the
// record reads the plan (admin:read); those who write in the social,
// educational or care section build it; moving its status, recording the
// agreements and reviews is a validation (admin or social).

func (a *App) registerPlans(u *gin.RouterGroup) {
	u.GET("/projets", a.plans)
	u.POST("/projets", a.createPlan)
	u.GET("/projets/:plan", a.planPage)
	u.GET("/projets/:plan/impression", a.planPrint)
	u.GET("/projets/:plan/pdf", a.planPDF)
	u.POST("/projets/:plan/objectifs", a.addGoal)
	u.POST("/projets/:plan/objectifs/:goal/statut", a.moveGoal)
	u.POST("/projets/:plan/objectifs/:goal/actions", a.addAction)
	u.POST("/projets/:plan/attentes", a.addExpectation)
	u.POST("/projets/:plan/besoins", a.addNeed)
	u.POST("/projets/:plan/accords", a.addAgreement)
	u.POST("/projets/:plan/statut", a.movePlan)
	u.POST("/projets/:plan/bilans", a.addReview)
	u.POST("/projets/:plan/revision", a.revisePlan)
}

// planRight finds a section granting act on the plan.
func (a *App) planRight(c *gin.Context, act domain.Action) (grant, domain.Section, bool) {
	sections := map[domain.Action][]domain.Section{
		domain.ActionRead:     {domain.SectionAdmin},
		domain.ActionWrite:    {domain.SectionSocial, domain.SectionEducational, domain.SectionCare},
		domain.ActionValidate: {domain.SectionAdmin, domain.SectionSocial},
	}[act]
	for _, s := range sections {
		if g, ok := a.grantFor(c, s, act); ok {
			return g, s, true
		}
	}
	return grant{}, "", false
}

func (a *App) needPlan(c *gin.Context, act domain.Action) (grant, domain.Section, bool) {
	g, s, ok := a.planRight(c, act)
	if !ok {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne permettent pas cette action sur le projet personnalisé.")
	}
	return g, s, ok
}

type plansData struct {
	Usager   domain.Usager
	Label    string
	Plans    []domain.Plan
	CanWrite bool
	DITEP    bool
}

func (a *App) plans(c *gin.Context) {
	if _, _, ok := a.needPlan(c, domain.ActionRead); !ok {
		return
	}
	rec := currentRecord(c)
	d := plansData{Usager: rec.Usager}
	_, _, d.CanWrite = a.planRight(c, domain.ActionWrite)
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		if d.Plans, err = tx.Plans(rec.Usager.ID); err != nil {
			return err
		}
		e, err := tx.Establishment(rec.Visible[0])
		if err != nil {
			return err
		}
		d.Label, d.DITEP = domain.PlanLabel(e.Category), e.Category == domain.CatDITEP
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, http.StatusOK, "plans", view{Title: d.Label, Nav: "usagers", Data: d})
}

func (a *App) createPlan(c *gin.Context) {
	g, s, ok := a.needPlan(c, domain.ActionWrite)
	if !ok {
		return
	}
	periodicity, _ := strconv.Atoi(c.PostForm("periodicity_months"))
	rec := currentRecord(c)
	p := domain.NewPlan(rec.Usager.ID, g.Estab, periodicity)
	err := a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.CreatePlan(&p); err != nil {
			return err
		}
		return a.trace(c, tx, g, s, domain.ActionWrite, "projet personnalisé : nouvelle version "+strconv.Itoa(p.Version))
	})
	if errors.Is(err, domain.ErrConflict) {
		a.errorPage(c, http.StatusConflict, "Un projet est déjà en préparation ou en cours : complétez-le ou révisez-le.")
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "/projets/"+p.ID.String()))
}

type planData struct {
	Usager      domain.Usager
	Label       string
	Plan        domain.Plan
	Referents   map[uuid.UUID]string
	GoalTitles  map[uuid.UUID]string
	Domains     []domain.GoalDomain
	Origins     []domain.ExpectationOrigin
	ItemMoves   map[uuid.UUID][]domain.ItemStatus
	Authors     []domain.AgreementAuthor
	Methods     []domain.AgreementMethod
	Results     []domain.EvaluationResult
	Moves       []domain.PlanStatus
	CanWrite    bool
	CanValidate bool
	Goal        domain.GoalInput
	Form        map[string]string
	Today       string
}

// loadPlan reads :plan of the current record.
func (a *App) loadPlan(c *gin.Context, tx domain.Tx) (domain.Plan, error) {
	id, ok := parseID(c.Param("plan"))
	if !ok {
		return domain.Plan{}, domain.ErrNotFound
	}
	p, err := tx.Plan(id)
	if err == nil && p.UsagerID != currentRecord(c).Usager.ID {
		err = domain.ErrNotFound
	}
	return p, err
}

func (a *App) planPage(c *gin.Context) { a.showPlan(c, http.StatusOK, "plan", domain.GoalInput{}, nil) }

func (a *App) planPrint(c *gin.Context) {
	a.showPlan(c, http.StatusOK, "plan_print", domain.GoalInput{}, nil)
}

func (a *App) showPlan(c *gin.Context, status int, page string, goal domain.GoalInput, errs map[string]string) {
	if _, _, ok := a.needPlan(c, domain.ActionRead); !ok {
		return
	}
	d := planData{Usager: currentRecord(c).Usager, Domains: domain.AllGoalDomains, Authors: domain.AllAgreementAuthors, Origins: domain.AllExpectationOrigins,
		Methods: domain.AllAgreementMethods, Results: domain.AllEvaluationResults, Goal: goal, Referents: map[uuid.UUID]string{},
		Today: domain.FormatDate(a.cfg.Now()), Form: map[string]string{}}
	for k, v := range c.Request.PostForm {
		if len(v) > 0 {
			d.Form[k] = v[0]
		}
	}
	_, _, d.CanWrite = a.planRight(c, domain.ActionWrite)
	_, _, d.CanValidate = a.planRight(c, domain.ActionValidate)
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		if d.Plan, err = a.loadPlan(c, tx); err != nil {
			return err
		}
		e, err := tx.Establishment(d.Plan.EstablishmentID)
		if err != nil {
			return err
		}
		d.Label = domain.PlanLabel(e.Category)
		users, err := tx.Users()
		if err != nil {
			return err
		}
		for _, u := range users {
			d.Referents[u.ID] = u.DisplayName
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	d.GoalTitles, d.ItemMoves = map[uuid.UUID]string{}, map[uuid.UUID][]domain.ItemStatus{}
	for _, g := range d.Plan.Goals {
		d.GoalTitles[g.ID] = g.Title
		for _, st := range domain.AllItemStatuses {
			if g.Status.CanMoveTo(st) {
				d.ItemMoves[g.ID] = append(d.ItemMoves[g.ID], st)
			}
		}
	}
	for _, s := range domain.AllPlanStatuses {
		if d.Plan.Status.CanMoveTo(s) {
			d.Moves = append(d.Moves, s)
		}
	}
	a.render(c, status, page, view{Title: d.Label, Nav: "usagers", Errors: errs, Data: d})
}

// formRevision reads the plan revision a form was drawn from (every plan
// form carries it); without it the request is refused (400).
func (a *App) formRevision(c *gin.Context) (int, bool) {
	n, err := strconv.Atoi(c.PostForm("revision"))
	if err != nil || n < 1 {
		a.errorPage(c, http.StatusBadRequest, "Le formulaire ne précise pas sur quelle version enregistrée du projet il a été rempli : rechargez la page et recommencez.")
		return 0, false
	}
	return n, true
}

// changePlan loads the plan, applies change, saves the whole aggregate and
// the trail row in one transaction; a refusal re-renders the plan page
// with the message beside the field.
func (a *App) changePlan(c *gin.Context, act domain.Action, detail string, goal domain.GoalInput, change func(p *domain.Plan) error) {
	g, s, ok := a.needPlan(c, act)
	if !ok {
		return
	}
	seen, ok := a.formRevision(c)
	if !ok {
		return
	}
	var planID uuid.UUID
	err := a.inTenant(c, func(tx domain.Tx) error {
		p, err := a.loadPlan(c, tx)
		if err != nil {
			return err
		}
		planID = p.ID
		// The form was filled on revision seen: a save made meanwhile is
		// not overwritten (SavePlan checks again under the row lock).
		if err := p.CheckRevision(seen); err != nil {
			return err
		}
		if err := change(&p); err != nil {
			return err
		}
		pr := principal(c)
		p.UpdatedBy, p.UpdatedByName = pr.UserID, pr.DisplayName
		if err := tx.SavePlan(&p); err != nil {
			return err
		}
		return a.trace(c, tx, g, s, act, "projet personnalisé v"+strconv.Itoa(p.Version)+" : "+detail)
	})
	if err != nil {
		var te *domain.PlanTransitionError
		var stale *domain.PlanStaleError
		switch {
		case errors.As(err, &stale):
			a.showPlan(c, http.StatusConflict, "plan", goal, map[string]string{"_": stale.Error()})
			return
		case errors.As(err, &te):
			a.showPlan(c, http.StatusUnprocessableEntity, "plan", goal, map[string]string{"status": te.Error()})
			return
		case errors.Is(err, domain.ErrPlanClosed), errors.Is(err, domain.ErrPlanNotRunning):
			a.showPlan(c, http.StatusUnprocessableEntity, "plan", goal, map[string]string{"_": frenchSentence(err.Error())})
			return
		}
		if v, ok := domain.AsValidation(err); ok {
			a.showPlan(c, http.StatusUnprocessableEntity, "plan", goal, v.Fields)
			return
		}
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "/projets/"+planID.String()+"?ok=projet"))
}

func (a *App) addGoal(c *gin.Context) {
	in := domain.GoalInput{Domain: c.PostForm("domain"), Title: c.PostForm("title"), PersonOpinion: c.PostForm("person_opinion"),
		ExpectedResult: c.PostForm("expected_result"), Referent: c.PostForm("referent"), Start: c.PostForm("start"), End: c.PostForm("end")}
	a.changePlan(c, domain.ActionWrite, "objectif ajouté", in, func(p *domain.Plan) error {
		g, err := in.Parse()
		if err != nil {
			return err
		}
		return p.AddGoal(g)
	})
}

func (a *App) addAgreement(c *gin.Context) {
	a.changePlan(c, domain.ActionValidate, "accord de "+strings.ToLower(domain.AgreementAuthor(c.PostForm("author")).Label()), domain.GoalInput{}, func(p *domain.Plan) error {
		date, _ := domain.ParseDate(c.PostForm("date"))
		return p.AddAgreement(domain.Agreement{Author: domain.AgreementAuthor(c.PostForm("author")),
			Method: domain.AgreementMethod(c.PostForm("method")), Date: date, Name: c.PostForm("name")})
	})
}

func (a *App) movePlan(c *gin.Context) {
	to := domain.PlanStatus(c.PostForm("status"))
	a.changePlan(c, domain.ActionValidate, "statut "+to.Label(), domain.GoalInput{}, func(p *domain.Plan) error {
		return p.MoveTo(to, a.cfg.Now())
	})
}

func (a *App) addReview(c *gin.Context) {
	a.changePlan(c, domain.ActionValidate, "bilan", domain.GoalInput{}, func(p *domain.Plan) error {
		date, _ := domain.ParseDate(c.PostForm("review_date"))
		next, _ := domain.ParseDate(c.PostForm("next_review"))
		r := domain.Review{Date: date, Synthesis: c.PostForm("synthesis"), NextReview: next}
		for _, g := range p.Goals {
			res := c.PostForm("result_" + g.ID.String())
			if res == "" {
				continue // not evaluated in this review
			}
			r.Evaluations = append(r.Evaluations, domain.GoalEvaluation{GoalID: g.ID, Result: domain.EvaluationResult(res),
				Comment: c.PostForm("comment_" + g.ID.String())})
		}
		return renameFields(p.AddReview(r), map[string]string{"date": "review_date"})
	})
}

// renameFields moves validation messages to the form's field names.
func renameFields(err error, names map[string]string) error {
	v, ok := domain.AsValidation(err)
	if !ok {
		return err
	}
	out := domain.ValidationError{}
	for k, m := range v.Fields {
		if n, ok := names[k]; ok {
			k = n
		}
		out.Add(k, m)
	}
	return out.Err()
}

func (a *App) revisePlan(c *gin.Context) {
	g, s, ok := a.needPlan(c, domain.ActionWrite)
	if !ok {
		return
	}
	seen, ok := a.formRevision(c)
	if !ok {
		return
	}
	var next domain.Plan
	err := a.inTenant(c, func(tx domain.Tx) error {
		p, err := a.loadPlan(c, tx)
		if err != nil {
			return err
		}
		if err := p.CheckRevision(seen); err != nil {
			return err
		}
		if next, err = tx.StartRevision(p.ID); err != nil {
			return err
		}
		return a.trace(c, tx, g, s, domain.ActionWrite, "projet personnalisé : révision (version "+strconv.Itoa(next.Version)+")")
	})
	var stale *domain.PlanStaleError
	if errors.As(err, &stale) {
		a.showPlan(c, http.StatusConflict, "plan", domain.GoalInput{}, map[string]string{"_": stale.Error()})
		return
	}
	if errors.Is(err, domain.ErrConflict) || errors.Is(err, domain.ErrPlanNotRunning) {
		a.showPlan(c, http.StatusUnprocessableEntity, "plan", domain.GoalInput{}, map[string]string{"_": "Une révision existe déjà, ou le projet n'est pas en cours."})
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "/projets/"+next.ID.String()+"?ok=revision"))
}

// addExpectation records an attente; one typed by staff for a relative or a
// partner is marked as such and shown with that mention everywhere.
func (a *App) addExpectation(c *gin.Context) {
	a.changePlan(c, domain.ActionWrite, "attente ajoutée", domain.GoalInput{}, func(p *domain.Plan) error {
		err := p.AddExpectation(domain.Expectation{Origin: domain.ExpectationOrigin(c.PostForm("exp_origin")), Author: c.PostForm("exp_author"),
			Text: c.PostForm("exp_text"), EnteredOnBehalf: c.PostForm("entered_on_behalf") == "1", RecordedOn: a.cfg.Now().UTC()})
		// The page holds several forms: the expectation's fields carry their
		// own ids, so its messages move to those names.
		return renameFields(err, map[string]string{"origin": "exp_origin", "text": "exp_text", "author": "exp_author"})
	})
}

func (a *App) addNeed(c *gin.Context) {
	a.changePlan(c, domain.ActionWrite, "besoin ajouté", domain.GoalInput{}, func(p *domain.Plan) error {
		return p.AddNeed(domain.Need{Text: c.PostForm("need_text"), SerafinCode: strings.TrimSpace(c.PostForm("serafin_code"))})
	})
}

// moveGoal changes a goal's status (ACTIF when work starts, TERMINE, ANNULE).
func (a *App) moveGoal(c *gin.Context) {
	to := domain.ItemStatus(c.PostForm("status"))
	a.changePlan(c, domain.ActionWrite, "objectif : "+to.Label(), domain.GoalInput{}, func(p *domain.Plan) error {
		id, ok := parseID(c.Param("goal"))
		if !ok {
			return domain.ErrNotFound
		}
		g, err := p.Goal(id)
		if err != nil {
			return domain.ErrNotFound
		}
		if err := g.MoveTo(to); err != nil {
			var v domain.ValidationError
			v.Add("goal_status", frenchSentence(err.Error()))
			return v.Err()
		}
		return nil
	})
}

// planPDF downloads the plan as a PDF the person and family can keep and
// sign (the same content as the print view).
func (a *App) planPDF(c *gin.Context) {
	g, _, ok := a.needPlan(c, domain.ActionRead)
	if !ok {
		return
	}
	rec := currentRecord(c)
	var p domain.Plan
	var label string
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		if p, err = a.loadPlan(c, tx); err != nil {
			return err
		}
		e, err := tx.Establishment(p.EstablishmentID)
		if err != nil {
			return err
		}
		label = domain.PlanLabel(e.Category) + " · " + e.Name
		return a.trace(c, tx, g, domain.SectionAdmin, domain.ActionExport, "projet personnalisé v"+strconv.Itoa(p.Version)+" : PDF")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	u := rec.Usager
	born := "né"
	if u.Sex == domain.SexF {
		born = "née"
	}
	blocks := []pdftext.Block{{Text: u.DisplayName() + ", " + born + " le " + domain.FrenchDate(u.BirthDate) + " — version " +
		strconv.Itoa(p.Version) + ", " + strings.ToLower(p.Status.Label())}}
	if len(p.Expectations) > 0 {
		blocks = append(blocks, pdftext.Block{Text: "Attentes", Heading: true})
		for _, e := range p.Expectations {
			t := "• " + e.Text + " (" + e.Origin.Label()
			if e.EnteredOnBehalf {
				t += ", " + e.OnBehalfLabel()
			}
			blocks = append(blocks, pdftext.Block{Text: t + ")"})
		}
	}
	blocks = append(blocks, pdftext.Block{Text: "Objectifs", Heading: true})
	for _, gl := range p.Goals {
		t := "• [" + gl.Domain.Label() + "] " + gl.Title
		if gl.ExpectedResult != "" {
			t += " — résultat attendu : " + gl.ExpectedResult
		}
		if gl.PersonOpinion != "" {
			t += " — avis de la personne : " + gl.PersonOpinion
		}
		if !gl.End.IsZero() {
			t += " — échéance : " + domain.FrenchDate(gl.End)
		}
		blocks = append(blocks, pdftext.Block{Text: t})
	}
	if len(p.Reviews) > 0 {
		blocks = append(blocks, pdftext.Block{Text: "Bilans", Heading: true})
		for _, r := range p.Reviews {
			blocks = append(blocks, pdftext.Block{Text: domain.FrenchDate(r.Date) + " : " + r.Synthesis})
		}
	}
	blocks = append(blocks, pdftext.Block{Text: "Accords", Heading: true})
	for _, ag := range p.Agreements {
		blocks = append(blocks, pdftext.Block{Text: ag.Author.Label() + " : " + ag.Name + ", le " + domain.FrenchDate(ag.Date) + " (" + ag.Method.Label() + ")"})
	}
	blocks = append(blocks, pdftext.Block{Text: "\nSignature de la personne ou de son représentant :\n\n\nSignature pour l'établissement :"})
	c.Header("Content-Disposition", `attachment; filename="projet-personnalise-v`+strconv.Itoa(p.Version)+`.pdf"`)
	c.Data(http.StatusOK, "application/pdf", pdftext.Render(label, blocks))
}

// addAction adds an action under a goal of a draft plan.
func (a *App) addAction(c *gin.Context) {
	a.changePlan(c, domain.ActionWrite, "action ajoutée", domain.GoalInput{}, func(p *domain.Plan) error {
		id, ok := parseID(c.Param("goal"))
		if !ok {
			return domain.ErrNotFound
		}
		act := domain.PlanAction{Title: c.PostForm("action_title")}
		if d, ok := domain.ParseDate(c.PostForm("action_end")); ok {
			act.End = d
		}
		if err := p.AddAction(id, act); err != nil {
			if errors.Is(err, domain.ErrPlanItemNotFound) {
				return domain.ErrNotFound
			}
			return err
		}
		return nil
	})
}
