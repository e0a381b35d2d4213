package frontend

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/internal/svgchart"
)

// Observations (constantes) of a usager: the latest value of each type with
// a quick entry form for all types at once (stored all or nothing) and a
// small chart per type, the page of one type (chart over a period and the
// table of values), the chart alone as an SVG image, and the marking of an
// erroneous entry (its author, or a care validator). Care section: read to
// see, write to enter; every read and write is traced.

// registerObservations mounts observations (constantes) and their charts.
func (a *App) registerObservations(u, s *gin.RouterGroup) {
	u.GET("/constantes", a.observations)
	u.POST("/constantes", a.createObservations)
	u.GET("/constantes/:type", a.observationSeries)
	u.GET("/constantes/:type/graphique.svg", a.observationChartSVG)
	u.POST("/constantes/:obs/erronee", a.markObservationErroneous)
}

// observationRow is one type on the constantes page.
type observationRow struct {
	Kind   domain.ObservationKind
	Has    bool // a latest value exists
	Latest domain.Observation
	Chart  template.HTML // small chart of the last 3 months
	Alert  string        // weight: an undernutrition criterion met
}

type observationsData struct {
	Usager   domain.Usager
	Rows     []observationRow
	Charts   int // rows with a chart (entries in the last 3 months)
	CanWrite bool
	Form     map[string]string // posted values by field name
}

// observations shows the constantes page.
func (a *App) observations(c *gin.Context) {
	a.showObservations(c, http.StatusOK, map[string]string{"measured_at": a.cfg.Now().In(domain.Paris()).Format("2006-01-02T15:04")}, nil)
}

func (a *App) showObservations(c *gin.Context, status int, form, errs map[string]string) {
	g, ok := a.need(c, domain.SectionCare, domain.ActionRead)
	if !ok {
		return
	}
	rec := currentRecord(c)
	_, canWrite := a.grantFor(c, domain.SectionCare, domain.ActionWrite)
	d := observationsData{Usager: rec.Usager, CanWrite: canWrite, Form: form}
	now := a.cfg.Now()
	since := domain.PeriodQuarter.Since(now)
	err := a.inTenant(c, func(tx domain.Tx) error {
		latest, err := tx.LatestObservations(rec.Usager.ID)
		if err != nil {
			return err
		}
		recent, err := tx.Observations(domain.ObservationQuery{UsagerID: rec.Usager.ID, Since: since})
		if err != nil {
			return err
		}
		// Six months of weights before the latest one, for the HAS criteria.
		weights, err := tx.Observations(domain.ObservationQuery{UsagerID: rec.Usager.ID, Types: []domain.ObservationType{domain.ObsWeight},
			Since: now.AddDate(0, -7, 0)})
		if err != nil {
			return err
		}
		loss, lost := domain.CheckWeightLoss(weights)
		byType := map[domain.ObservationType][]domain.Observation{}
		for _, o := range recent {
			byType[o.Type] = append(byType[o.Type], o)
		}
		for _, k := range domain.ObservationKinds() {
			row := observationRow{Kind: k}
			for _, o := range latest {
				if o.Type == k.Type {
					row.Latest, row.Has = o, true
				}
			}
			if k.Type == domain.ObsWeight && lost {
				row.Alert = loss.Label()
			}
			if row.Has {
				row.Chart = template.HTML(observationChart(k, byType[k.Type], since, now, "mini-"+string(k.Type), 340, 170, "3 derniers mois"))
				d.Charts++
			}
			d.Rows = append(d.Rows, row)
		}
		return a.trace(c, tx, g, domain.SectionCare, domain.ActionRead, "constantes")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, status, "observations", view{Title: "Constantes — " + rec.Usager.DisplayName(), Nav: "usagers", Errors: errs, Data: d})
}

// createObservations stores the values typed for one or more types, all or
// nothing; refused values are shown beside their field (422), unusual ones
// ask for the confirmation box of their type.
func (a *App) createObservations(c *gin.Context) {
	g, ok := a.need(c, domain.SectionCare, domain.ActionWrite)
	if !ok {
		return
	}
	p := principal(c)
	rec := currentRecord(c)
	now := a.cfg.Now()
	form := map[string]string{"measured_at": c.PostForm("measured_at"), "comment": c.PostForm("comment")}
	errs := map[string]string{}
	var obs []domain.Observation
	var labels []string
	for _, k := range domain.ObservationKinds() {
		prefix := string(k.Type) + "_"
		for _, f := range []string{"value", "value2", "unit", "confirm"} {
			form[prefix+f] = strings.TrimSpace(c.PostForm(prefix + f))
		}
		in := domain.ObservationInput{Type: string(k.Type), Value: form[prefix+"value"], Value2: form[prefix+"value2"], Unit: form[prefix+"unit"],
			MeasuredAt: form["measured_at"], Comment: form["comment"], Confirmed: form[prefix+"confirm"] != ""}
		if in.Empty() {
			continue
		}
		o, err := in.Parse(now)
		for f, m := range fieldErrors(err) {
			if f == domain.ObsFieldMeasuredAt {
				errs[f] = m
			} else {
				errs[prefix+f] = m
			}
		}
		if err != nil {
			continue
		}
		o.UsagerID, o.EstablishmentID, o.AuthorID, o.AuthorName, o.RecordedAt = rec.Usager.ID, g.Estab, p.UserID, p.DisplayName, now.UTC()
		obs = append(obs, o)
		labels = append(labels, k.Label)
	}
	if len(obs) == 0 && len(errs) == 0 {
		errs["values"] = "Saisissez au moins une valeur."
	}
	if len(errs) > 0 {
		a.showObservations(c, http.StatusUnprocessableEntity, form, errs)
		return
	}
	err := a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.SaveObservations(obs); err != nil {
			return err
		}
		return a.trace(c, tx, g, domain.SectionCare, domain.ActionWrite, "constantes : "+strings.Join(labels, ", "))
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "/constantes?ok=constantes"))
}

// observationKind resolves :type (404 when unknown).
func (a *App) observationKind(c *gin.Context) (domain.ObservationKind, bool) {
	k, ok := domain.KindOf(domain.ObservationType(c.Param("type")))
	if !ok {
		a.errorPage(c, http.StatusNotFound, "Ce type de constante n'existe pas.")
	}
	return k, ok
}

type observationSeriesData struct {
	Usager   domain.Usager
	Kind     domain.ObservationKind
	Period   domain.ObservationPeriod
	Periods  []domain.ObservationPeriod
	Chart    template.HTML
	Rows     []domain.Observation // newest first, erroneous ones included
	CanMark  map[uuid.UUID]bool
	ErrObs   uuid.UUID // the entry whose marking was refused
	Reason   string
	Since    time.Time
	CanWrite bool
}

// observationSeries shows one type: the chart over a period (?periode=1m,
// 3m, 1a, tout) and the table of its values.
func (a *App) observationSeries(c *gin.Context) {
	a.showObservationSeries(c, http.StatusOK, uuid.Nil, "", nil)
}

func (a *App) showObservationSeries(c *gin.Context, status int, errObs uuid.UUID, reason string, errs map[string]string) {
	k, ok := a.observationKind(c)
	if !ok {
		return
	}
	g, ok := a.need(c, domain.SectionCare, domain.ActionRead)
	if !ok {
		return
	}
	rec := currentRecord(c)
	p := principal(c)
	_, canWrite := a.grantFor(c, domain.SectionCare, domain.ActionWrite)
	_, canValidate := a.grantFor(c, domain.SectionCare, domain.ActionValidate)
	now := a.cfg.Now()
	period := domain.ParsePeriod(c.Query("periode"))
	d := observationSeriesData{Usager: rec.Usager, Kind: k, Period: period, Periods: domain.AllObservationPeriods, CanMark: map[uuid.UUID]bool{},
		ErrObs: errObs, Reason: reason, Since: period.Since(now), CanWrite: canWrite}
	err := a.inTenant(c, func(tx domain.Tx) error {
		all, err := tx.Observations(domain.ObservationQuery{UsagerID: rec.Usager.ID, Types: []domain.ObservationType{k.Type}, Since: d.Since, IncludeErroneous: true})
		if err != nil {
			return err
		}
		var valid []domain.Observation
		for i := len(all) - 1; i >= 0; i-- {
			o := all[i]
			d.Rows = append(d.Rows, o)
			d.CanMark[o.ID] = canWrite && !o.Erroneous() && (canValidate || o.AuthorID == p.UserID)
		}
		for _, o := range all {
			if !o.Erroneous() {
				valid = append(valid, o)
			}
		}
		d.Chart = template.HTML(observationChart(k, valid, d.Since, now, "chart-"+string(k.Type), 0, 0, period.Label()))
		return a.trace(c, tx, g, domain.SectionCare, domain.ActionRead, "constantes : "+k.Label)
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, status, "observation", view{Title: k.Label + " — " + rec.Usager.DisplayName(), Nav: "usagers", Errors: errs, Data: d})
}

// observationChartSVG is the chart of one type alone (image/svg+xml).
func (a *App) observationChartSVG(c *gin.Context) {
	k, ok := a.observationKind(c)
	if !ok {
		return
	}
	g, ok := a.need(c, domain.SectionCare, domain.ActionRead)
	if !ok {
		return
	}
	rec := currentRecord(c)
	now := a.cfg.Now()
	period := domain.ParsePeriod(c.Query("periode"))
	var svg string
	err := a.inTenant(c, func(tx domain.Tx) error {
		obs, err := tx.Observations(domain.ObservationQuery{UsagerID: rec.Usager.ID, Types: []domain.ObservationType{k.Type}, Since: period.Since(now)})
		if err != nil {
			return err
		}
		svg = observationChart(k, obs, period.Since(now), now, "chart-"+string(k.Type), 0, 0, period.Label())
		return a.trace(c, tx, g, domain.SectionCare, domain.ActionRead, "constantes : "+k.Label+" (graphique)")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Data(http.StatusOK, "image/svg+xml; charset=utf-8", []byte(svg))
}

// observationChart draws a type's valid entries from since (zero: from the
// first) to now: blood pressure as two lines, the values outside the usual
// range shaded, the confirmed unusual values marked.
func observationChart(k domain.ObservationKind, obs []domain.Observation, since, now time.Time, id string, w, h int, span string) string {
	series := make([]svgchart.Series, len(k.Components))
	for i, comp := range k.Components {
		series[i].Name = comp.Label
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, o := range obs {
		values := []float64{o.Value, o.Value2}
		for i := range series {
			series[i].Points = append(series[i].Points, svgchart.Point{T: o.MeasuredAt, V: values[i], Flag: o.Flagged})
		}
		lo, hi = math.Min(lo, o.Value), math.Max(hi, o.Value)
	}
	first, last := k.Components[0], k.Components[len(k.Components)-1]
	zones := []svgchart.Zone{{From: first.High, To: math.Inf(1)}, {From: math.Inf(-1), To: last.Low}}
	desc := "Aucune valeur sur la période."
	if n := len(obs); n > 0 {
		desc = fmt.Sprintf("%d valeur%s du %s au %s", n, plural(n), domain.FrenchDate(obs[0].MeasuredAt.In(domain.Paris())),
			domain.FrenchDate(obs[n-1].MeasuredAt.In(domain.Paris())))
		if !k.Pair() {
			desc += fmt.Sprintf(" ; minimum %s, maximum %s", domain.FrenchNumber(lo, k.Decimals)+" "+k.Unit, domain.FrenchNumber(hi, k.Decimals)+" "+k.Unit)
		}
		desc += fmt.Sprintf(" ; dernière valeur %s. Zones ombrées : hors des valeurs habituelles (%s).", obs[n-1].Display(), k.UsualRange())
	}
	return svgchart.Render(svgchart.Chart{ID: id, Title: k.Label + " — " + span, Desc: desc, Width: w, Height: h, Unit: k.Unit,
		Series: series, Zones: zones, From: since, To: now, Loc: domain.Paris()})
}

func plural(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}

// markObservationErroneous marks an entry "saisie erronée" with a reason:
// kept in the table, left out of the charts. Its author may, and anyone
// with care validate.
func (a *App) markObservationErroneous(c *gin.Context) {
	g, ok := a.need(c, domain.SectionCare, domain.ActionWrite)
	if !ok {
		return
	}
	id, ok := parseID(c.Param("obs"))
	if !ok {
		a.errorPage(c, http.StatusNotFound, "Cette valeur n'existe pas.")
		return
	}
	p := principal(c)
	rec := currentRecord(c)
	_, canValidate := a.grantFor(c, domain.SectionCare, domain.ActionValidate)
	var o domain.Observation
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		if o, err = tx.Observation(id); err != nil {
			return err
		}
		if o.UsagerID != rec.Usager.ID {
			return domain.ErrNotFound
		}
		if o.AuthorID != p.UserID && !canValidate {
			return domain.ErrForbidden
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	reason, err := domain.ErroneousReason(c.PostForm("reason"))
	if err != nil {
		c.Params = append(c.Params, gin.Param{Key: "type", Value: string(o.Type)})
		a.showObservationSeries(c, http.StatusUnprocessableEntity, o.ID, "", fieldErrors(err))
		return
	}
	err = a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.MarkObservationErroneous(o.ID, p.UserID, p.DisplayName, reason, a.cfg.Now()); err != nil {
			return err
		}
		return a.trace(c, tx, g, domain.SectionCare, domain.ActionWrite, "constante marquée erronée : "+o.Type.Label())
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "/constantes/"+string(o.Type)+"?periode="+string(domain.ParsePeriod(c.Query("periode")))+"&ok=erronee"))
}
