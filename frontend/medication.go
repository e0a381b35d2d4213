package frontend

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

// Medication: the treatments page of a usager (lines in force, "si besoin"
// with what remains allowed over 24 hours, the day's register, stopped
// lines), the prescription form, the arrêt, the administration form, and
// the medication round of an establishment. Rights are those of the care
// section in the line's establishment: reading needs care read, entering
// or stopping a prescription care validate (nurse, doctor, cadre de santé),
// recording an administration care write (an aide-soignant helps a
// resident take a dose prepared by the nurse). Every read and write is
// traced.

// registerMedication mounts prescriptions and the administration register.
func (a *App) registerMedication(u, s *gin.RouterGroup) {
	u.GET("/traitements", a.medicationPage)
	u.GET("/traitements/prescriptions/nouvelle", a.prescriptionForm)
	u.POST("/traitements/prescriptions/nouvelle", a.createPrescription)
	u.POST("/traitements/:rx/arret", a.stopPrescription)
	u.GET("/traitements/:rx/administrations/nouvelle", a.administrationForm)
	u.POST("/traitements/:rx/administrations", a.recordAdministration)
	s.GET("/distribution", a.distribution)
}

// rxLine is a prescription line as the pages show it.
type rxLine struct {
	domain.Prescription
	Planned   []domain.PlannedIntake           // the day's intakes (scheduled lines)
	Given     []domain.Administration          // "si besoin": doses of the last 24 hours
	Remaining int                              // "si besoin": doses still allowed now
	Next      time.Time                        // "si besoin": earliest next dose (zero: now)
	CanWrite  bool                             // may record administrations
	CanStop   bool                             // may stop the line
	Records   []domain.Administration          // the day's records, for the register
	byPlanned map[int64]*domain.Administration // by planned instant (Unix ns)
}

type medicationData struct {
	Usager       domain.Usager
	Day          time.Time
	Today        bool
	Prev, Next   string
	Scheduled    []rxLine
	AsNeeded     []rxLine
	Stopped      []rxLine
	Register     []domain.PlannedIntake // the day's intakes of every line, in time order
	CanPrescribe bool
	CanWrite     map[uuid.UUID]bool // prescription → may record
	Now          time.Time
	Retour       string
}

// rxRights tells, per establishment of the record, whether the user may
// record (care write) and prescribe or stop (care validate).
func (a *App) rxRights(c *gin.Context) (write, validate map[uuid.UUID]bool) {
	write, validate = map[uuid.UUID]bool{}, map[uuid.UUID]bool{}
	p := principal(c)
	for _, e := range currentRecord(c).Visible {
		_, write[e] = a.cfg.Authz.Can(p, e, domain.SectionCare, domain.ActionWrite)
		_, validate[e] = a.cfg.Authz.Can(p, e, domain.SectionCare, domain.ActionValidate)
	}
	return write, validate
}

// loadLines reads the lines of prescriptions with the records of day and
// of the 24 hours before now, and splits them for display.
func loadLines(tx domain.Tx, list []domain.Prescription, day, now time.Time, write, validate map[uuid.UUID]bool) ([]rxLine, error) {
	ids := make([]uuid.UUID, 0, len(list))
	for _, p := range list {
		ids = append(ids, p.ID)
	}
	from, to := domain.DayBounds(day)
	if w := now.Add(-24 * time.Hour); w.Before(from) {
		from = w
	}
	if now.After(to) {
		to = now.Add(time.Second)
	}
	recs, err := tx.Administrations(ids, from, to)
	if err != nil {
		return nil, err
	}
	lines := make([]rxLine, len(list))
	at := map[uuid.UUID]int{}
	for i, p := range list {
		lines[i] = rxLine{Prescription: p, CanWrite: write[p.EstablishmentID], CanStop: validate[p.EstablishmentID] && !p.Stopped(),
			byPlanned: map[int64]*domain.Administration{}}
		at[p.ID] = i
	}
	dayFrom, dayTo := domain.DayBounds(day)
	for k := range recs {
		r := recs[k]
		l := &lines[at[r.PrescriptionID]]
		if !r.AsNeeded() {
			l.byPlanned[r.PlannedAt.UnixNano()] = &recs[k]
			continue
		}
		if r.At.After(now.Add(-24*time.Hour)) && !r.At.After(now) {
			l.Given = append(l.Given, r)
		}
		if !r.At.Before(dayFrom) && r.At.Before(dayTo) {
			l.Records = append(l.Records, r)
		}
	}
	for i := range lines {
		l := &lines[i]
		if l.AsNeeded {
			var times []time.Time
			for _, g := range l.Given {
				times = append(times, g.At)
			}
			l.Remaining, l.Next = domain.RemainingAsNeeded(l.Prescription, times, now), domain.NextAsNeeded(l.Prescription, times, now)
			continue
		}
		for _, pi := range l.Prescription.Planned(day, day) {
			pi.Record = l.byPlanned[pi.At.UnixNano()]
			l.Planned = append(l.Planned, pi)
		}
	}
	return lines, nil
}

func (a *App) medicationPage(c *gin.Context) { a.showMedication(c, http.StatusOK, nil) }

// showMedication renders the treatments page; errs carries a refused arrêt
// (stop_reason_<line id>).
func (a *App) showMedication(c *gin.Context, status int, errs map[string]string) {
	g, ok := a.need(c, domain.SectionCare, domain.ActionRead)
	if !ok {
		return
	}
	rec := currentRecord(c)
	now := a.cfg.Now().UTC()
	day := a.dayParam(c, "jour")
	d := medicationData{Usager: rec.Usager, Day: day, Today: day.Equal(domain.ParisDay(now)), Now: now,
		Prev: domain.FormatDate(day.AddDate(0, 0, -1)), Next: domain.FormatDate(day.AddDate(0, 0, 1)), CanWrite: map[uuid.UUID]bool{}}
	write, validate := a.rxRights(c)
	for _, v := range validate {
		d.CanPrescribe = d.CanPrescribe || v
	}
	d.Retour = "/usagers/" + rec.Usager.ID.String() + "/traitements?jour=" + domain.FormatDate(day)
	err := a.inTenant(c, func(tx domain.Tx) error {
		all, err := tx.Prescriptions(rec.Usager.ID)
		if err != nil {
			return err
		}
		var mine []domain.Prescription
		for _, p := range all {
			if containsID(rec.Visible, p.EstablishmentID) {
				mine = append(mine, p)
			}
		}
		lines, err := loadLines(tx, mine, day, now, write, validate)
		if err != nil {
			return err
		}
		for _, l := range lines {
			d.CanWrite[l.ID] = l.CanWrite
			switch {
			case l.AsNeeded && !l.Ended(domain.ParisDay(now)):
				d.AsNeeded = append(d.AsNeeded, l)
			case !l.AsNeeded && !l.Ended(domain.ParisDay(now)):
				d.Scheduled = append(d.Scheduled, l)
			default:
				d.Stopped = append(d.Stopped, l)
			}
			// The register shows the day's intakes, including those of a
			// line stopped since.
			d.Register = append(d.Register, l.Planned...)
		}
		sort.SliceStable(d.Register, func(i, j int) bool { return d.Register[i].At.Before(d.Register[j].At) })
		if status != http.StatusOK {
			return nil
		}
		return a.trace(c, tx, g, domain.SectionCare, domain.ActionRead, "lecture des traitements et du registre d'administration")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, status, "medication", view{Title: "Traitements", Nav: "usagers", Errors: errs, Data: d})
}

// openRx loads the line of the URL, which must belong to the record of the
// URL and to one of its visible establishments.
func (a *App) openRx(c *gin.Context, tx domain.Tx) (domain.Prescription, error) {
	id, ok := parseID(c.Param("rx"))
	if !ok {
		return domain.Prescription{}, domain.ErrNotFound
	}
	p, err := tx.Prescription(id)
	if err != nil {
		return p, err
	}
	rec := currentRecord(c)
	if p.UsagerID != rec.Usager.ID || !containsID(rec.Visible, p.EstablishmentID) {
		return p, domain.ErrNotFound
	}
	return p, nil
}

type prescriptionFormData struct {
	Usager         domain.Usager
	Form           domain.PrescriptionInput
	Establishments []domain.Establishment
	Units          []string
	Routes         []domain.Route
	Weekdays       []rxWeekday
	Rows           []rxIntakeRow
}

type rxWeekday struct {
	Value, Label string
	Checked      bool
}

type rxIntakeRow struct {
	N, TimeName, QtyName, Time, Qty string
}

func valueAt(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}

const intakeRows = 6

func (a *App) prescriptionForm(c *gin.Context) {
	today := domain.FormatDate(domain.ParisDay(a.cfg.Now()))
	a.showPrescriptionForm(c, http.StatusOK, domain.PrescriptionInput{Start: today, OrderDate: today}, nil)
}

// prescribeEstablishments are the record's establishments where the user
// may prescribe (care validate).
func (a *App) prescribeEstablishments(c *gin.Context, tx domain.Tx) ([]domain.Establishment, error) {
	_, validate := a.rxRights(c)
	all, err := tx.Establishments()
	if err != nil {
		return nil, err
	}
	var out []domain.Establishment
	for _, e := range all {
		if validate[e.ID] {
			out = append(out, e)
		}
	}
	return out, nil
}

func (a *App) showPrescriptionForm(c *gin.Context, status int, in domain.PrescriptionInput, errs map[string]string) {
	if _, ok := a.need(c, domain.SectionCare, domain.ActionValidate); !ok {
		return
	}
	d := prescriptionFormData{Usager: currentRecord(c).Usager, Form: in, Units: domain.DoseUnits, Routes: domain.AllRoutes}
	for i := 0; i < intakeRows; i++ {
		n := strconv.Itoa(i + 1)
		d.Rows = append(d.Rows, rxIntakeRow{N: n, TimeName: "intake_time_" + n, QtyName: "intake_qty_" + n,
			Time: valueAt(in.IntakeTimes, i), Qty: valueAt(in.IntakeQuantity, i)})
	}
	for _, w := range domain.WeekdayOrder {
		v := strconv.Itoa(int(w))
		checked := false
		for _, s := range in.Weekdays {
			checked = checked || s == v
		}
		d.Weekdays = append(d.Weekdays, rxWeekday{Value: v, Label: domain.WeekdayName(w), Checked: checked})
	}
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		d.Establishments, err = a.prescribeEstablishments(c, tx)
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	if len(d.Establishments) == 1 && d.Form.EstablishmentID == "" {
		d.Form.EstablishmentID = d.Establishments[0].ID.String()
	}
	a.render(c, status, "medication_form", view{Title: "Nouvelle prescription", Nav: "usagers", Errors: errs, Data: d})
}

type medicationErr string

func (e medicationErr) Error() string { return string(e) }

const errInvalidMedication = medicationErr("invalid medication input")

func (a *App) createPrescription(c *gin.Context) {
	if _, ok := a.need(c, domain.SectionCare, domain.ActionValidate); !ok {
		return
	}
	_ = c.Request.ParseForm()
	in := domain.PrescriptionInput{EstablishmentID: c.PostForm("establishment_id"), Drug: c.PostForm("drug"), Code: c.PostForm("code"),
		CodeSystem: c.PostForm("code_system"), Unit: c.PostForm("unit"), Route: c.PostForm("route"), AsNeeded: c.PostForm("kind") == "si_besoin",
		Weekdays: c.PostFormArray("weekdays"), Condition: c.PostForm("condition"), Dose: c.PostForm("dose"), MaxPer24h: c.PostForm("max_per_24h"),
		MinInterval: c.PostForm("min_interval"), Start: c.PostForm("start"), End: c.PostForm("end"), Prescriber: c.PostForm("prescriber"),
		RPPS: c.PostForm("rpps"), OrderDate: c.PostForm("order_date"), Notes: c.PostForm("notes")}
	for i := 1; i <= intakeRows; i++ {
		n := strconv.Itoa(i)
		in.IntakeTimes = append(in.IntakeTimes, c.PostForm("intake_time_"+n))
		in.IntakeQuantity = append(in.IntakeQuantity, c.PostForm("intake_qty_"+n))
	}
	p, err := in.Parse()
	errs := fieldErrors(err)
	rec, pr := currentRecord(c), principal(c)
	err = a.inTenant(c, func(tx domain.Tx) error {
		var g grant
		if _, bad := errs["establishment_id"]; !bad {
			gr, ok := a.validateIn(c, p.EstablishmentID)
			if !ok {
				errs["establishment_id"] = "Vos habilitations ne permettent pas de prescrire dans cet établissement pour cette personne."
			}
			g = gr
		}
		if len(errs) > 0 {
			return errInvalidMedication
		}
		p.UsagerID, p.CreatedAt, p.CreatedBy, p.CreatedName = rec.Usager.ID, a.cfg.Now().UTC(), pr.UserID, pr.DisplayName
		if err := tx.SavePrescription(&p); err != nil {
			return err
		}
		return a.trace(c, tx, g, domain.SectionCare, domain.ActionValidate, "prescription : "+p.Drug+" ("+p.ScheduleText()+")")
	})
	if errors.Is(err, errInvalidMedication) {
		a.showPrescriptionForm(c, http.StatusUnprocessableEntity, in, errs)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/usagers/"+rec.Usager.ID.String()+"/traitements?ok=prescription")
}

// validateIn resolves care validate in one establishment of the record,
// without answering (the caller shows the message beside the field).
func (a *App) validateIn(c *gin.Context, estab uuid.UUID) (grant, bool) {
	if !containsID(currentRecord(c).Visible, estab) {
		return grant{}, false
	}
	role, ok := a.cfg.Authz.Can(principal(c), estab, domain.SectionCare, domain.ActionValidate)
	return grant{Estab: estab, Role: role}, ok
}

// stopPrescription records the arrêt of a line: its reason is required.
func (a *App) stopPrescription(c *gin.Context) {
	var p domain.Prescription
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		p, err = a.openRx(c, tx)
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	g, ok := a.needIn(c, p.EstablishmentID, domain.SectionCare, domain.ActionValidate)
	if !ok {
		return
	}
	reason := strings.TrimSpace(c.PostForm("stop_reason"))
	if err := domain.CheckStopReason(reason); err != nil {
		a.showMedication(c, http.StatusUnprocessableEntity, map[string]string{"stop_reason_" + p.ID.String(): fieldErrors(err)["stop_reason"]})
		return
	}
	pr := principal(c)
	err = a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.StopPrescription(p.ID, a.cfg.Now().UTC(), reason, pr.UserID, pr.DisplayName); err != nil {
			return err
		}
		return a.trace(c, tx, g, domain.SectionCare, domain.ActionValidate, "arrêt de prescription : "+p.Drug+" — "+reason)
	})
	if errors.Is(err, domain.ErrConflict) {
		a.errorPage(c, http.StatusConflict, "Cette prescription est déjà arrêtée.")
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/usagers/"+currentRecord(c).Usager.ID.String()+"/traitements?ok=arret-traitement")
}

type administrationFormData struct {
	Usager        domain.Usager
	Rx            domain.Prescription
	Intake        domain.PlannedIntake // planned intake (zero for "si besoin")
	Current       *domain.Administration
	Form          domain.AdministrationInput
	Statuses      []domain.AdminStatus
	Reasons       []struct{ Code, Label string }
	Remaining     int
	Next          time.Time
	Given         []domain.Administration
	Retour        string
	Correction    bool
	Establishment string
}

// administrationForm: ?prevue=<RFC 3339> traces a planned intake (and
// &corrige=<record> corrects its current record); without it, a "si besoin"
// dose.
func (a *App) administrationForm(c *gin.Context) {
	u := principal(c)
	in := domain.AdministrationInput{PlannedAt: c.Query("prevue"), Corrects: c.Query("corrige"), Status: c.Query("statut"),
		DecidedBy: u.DisplayName, At: a.cfg.Now().In(domain.Paris()).Format("2006-01-02T15:04")}
	a.showAdministrationForm(c, http.StatusOK, in, nil)
}

func (a *App) showAdministrationForm(c *gin.Context, status int, in domain.AdministrationInput, errs map[string]string) {
	d := administrationFormData{Usager: currentRecord(c).Usager, Form: in, Statuses: domain.AllAdminStatuses, Reasons: domain.MissedReasons,
		Retour: medicationReturn(c.Query("retour")), Correction: in.Corrects != ""}
	if r := medicationReturn(c.PostForm("retour")); r != "" {
		d.Retour = r
	}
	now := a.cfg.Now().UTC()
	var p domain.Prescription
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		if p, err = a.openRx(c, tx); err != nil {
			return err
		}
		d.Rx = p
		e, err := tx.Establishment(p.EstablishmentID)
		if err != nil {
			return err
		}
		d.Establishment = e.Name
		lines, err := loadLines(tx, []domain.Prescription{p}, domain.ParisDay(now), now, nil, nil)
		if err != nil {
			return err
		}
		d.Remaining, d.Next, d.Given = lines[0].Remaining, lines[0].Next, lines[0].Given
		if t, err := time.Parse(time.RFC3339, in.PlannedAt); err == nil && !p.AsNeeded {
			pi, ok := p.PlannedAt(t.UTC())
			if !ok {
				if status == http.StatusOK {
					return domain.ErrNotFound
				}
				return nil // refused below with its message
			}
			recs, err := tx.Administrations([]uuid.UUID{p.ID}, pi.At, pi.At.Add(time.Second))
			if err != nil {
				return err
			}
			if len(recs) > 0 {
				d.Current = &recs[0]
				if d.Form.Corrects == "" && status == http.StatusOK {
					d.Form.Corrects, d.Correction = recs[0].ID.String(), true
				}
			}
			d.Intake = pi
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	if _, ok := a.needIn(c, p.EstablishmentID, domain.SectionCare, domain.ActionWrite); !ok {
		return
	}
	if !p.AsNeeded && d.Intake.At.IsZero() {
		if msg := errs["planned_at"]; msg != "" {
			a.errorPage(c, status, msg)
			return
		}
		a.errorPage(c, http.StatusNotFound, "Choisissez la prise prévue à tracer depuis le registre.")
		return
	}
	if p.AsNeeded && d.Form.Dose == "" {
		d.Form.Dose = domain.FormatQuantity(p.Dose)
	}
	title := "Administration « si besoin »"
	if !p.AsNeeded {
		title = "Prise de " + d.Intake.Clock()
	}
	a.render(c, status, "medication_administer", view{Title: title, Nav: "usagers", Errors: errs, Data: d})
}

// medicationReturn keeps a return path only when it is one of ours (the round or
// a treatments page), never another site.
func medicationReturn(r string) string {
	if strings.Contains(r, "//") || strings.Contains(r, `\`) {
		return ""
	}
	if strings.HasPrefix(r, "/distribution") || (strings.HasPrefix(r, "/usagers/") && strings.Contains(r, "/traitements")) {
		return r
	}
	return ""
}

// recordAdministration stores one record of the register, or shows the
// form again with the reason (a "si besoin" over its maximum: nothing is
// stored).
func (a *App) recordAdministration(c *gin.Context) {
	in := domain.AdministrationInput{PlannedAt: c.PostForm("planned_at"), Status: c.PostForm("status"), Reason: c.PostForm("reason"),
		ReasonText: c.PostForm("reason_text"), At: c.PostForm("at"), Dose: c.PostForm("dose"), DecidedBy: c.PostForm("decided_by"),
		Why: c.PostForm("why"), Observation: c.PostForm("observation"), Corrects: c.PostForm("corrects"), CorrectionReason: c.PostForm("correction_reason")}
	var p domain.Prescription
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		p, err = a.openRx(c, tx)
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	g, ok := a.needIn(c, p.EstablishmentID, domain.SectionCare, domain.ActionWrite)
	if !ok {
		return
	}
	pr := principal(c)
	now := a.cfg.Now().UTC()
	adm, err := in.Parse(p, now)
	if err == nil {
		adm.RecordedAt, adm.ByID, adm.ByName = now, pr.UserID, pr.DisplayName
		err = a.inTenant(c, func(tx domain.Tx) error {
			if err := tx.RecordAdministration(&adm); err != nil {
				return err
			}
			detail := "administration : " + p.Drug + " — " + adm.Status.Label()
			if adm.AsNeeded() {
				detail = "administration « si besoin » : " + p.Drug + " " + adm.DoseText(p) + " — " + adm.Why
			} else if adm.Corrects != uuid.Nil {
				detail = "correction du registre : " + p.Drug + " — " + adm.Status.Label() + " (" + adm.CorrectionReason + ")"
			}
			return a.trace(c, tx, g, domain.SectionCare, domain.ActionWrite, detail)
		})
	}
	if v, ok := domain.AsValidation(err); ok {
		a.showAdministrationForm(c, http.StatusUnprocessableEntity, in, fieldErrors(v))
		return
	}
	if errors.Is(err, domain.ErrConflict) {
		msg := "Cette prise est déjà tracée dans le registre : pour la modifier, ouvrez-la et corrigez-la en indiquant le motif."
		if in.Corrects != "" {
			msg = "L'enregistrement corrigé n'est plus le dernier de cette prise (quelqu'un l'a modifié entre-temps) : rechargez le registre."
		}
		a.errorPage(c, http.StatusConflict, msg)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	back := medicationReturn(c.PostForm("retour"))
	if back == "" {
		back = "/usagers/" + currentRecord(c).Usager.ID.String() + "/traitements"
	}
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	c.Redirect(http.StatusSeeOther, back+sep+"ok=administration")
}

type roundPerson struct {
	UsagerID   uuid.UUID
	UsagerName string
	Intakes    []domain.PlannedIntake
	AsNeeded   []rxLine
}

type distributionData struct {
	Establishment  domain.Establishment
	Establishments []domain.Establishment
	Day            time.Time
	Moment         domain.RoundMoment
	Moments        []domain.RoundMoment
	People         []roundPerson
	CanWrite       bool
	Retour         string
	Now            time.Time
	Pending        int
}

// distribution is the medication round: per person admitted in the chosen
// establishment, the intakes planned at the chosen moment of the day with
// quick buttons, and the "si besoin" lines with what remains allowed.
func (a *App) distribution(c *gin.Context) {
	p := principal(c)
	now := a.cfg.Now().UTC()
	d := distributionData{Day: a.dayParam(c, "jour"), Moment: domain.RoundMomentOf(now), Moments: domain.AllRoundMoments, Now: now}
	for _, m := range domain.AllRoundMoments {
		if string(m) == c.Query("moment") {
			d.Moment = m
		}
	}
	err := a.inTenant(c, func(tx domain.Tx) error {
		estabs, err := a.establishmentsWith(c, tx, domain.SectionCare, domain.ActionRead)
		if err != nil {
			return err
		}
		for _, e := range estabs {
			if containsID(p.Establishments(), e.ID) {
				d.Establishments = append(d.Establishments, e)
			}
		}
		if len(d.Establishments) == 0 {
			return domain.ErrForbidden
		}
		d.Establishment = d.Establishments[0]
		for _, e := range d.Establishments {
			if e.ID.String() == c.Query("etablissement") {
				d.Establishment = e
			}
		}
		role, _ := a.cfg.Authz.Can(p, d.Establishment.ID, domain.SectionCare, domain.ActionRead)
		_, d.CanWrite = a.cfg.Authz.Can(p, d.Establishment.ID, domain.SectionCare, domain.ActionWrite)
		list, err := tx.RoundPrescriptions(d.Establishment.ID, d.Day)
		if err != nil {
			return err
		}
		write := map[uuid.UUID]bool{d.Establishment.ID: d.CanWrite}
		lines, err := loadLines(tx, list, d.Day, now, write, nil)
		if err != nil {
			return err
		}
		byUsager := map[uuid.UUID]int{}
		for _, l := range lines {
			i, ok := byUsager[l.UsagerID]
			if !ok {
				i = len(d.People)
				byUsager[l.UsagerID] = i
				d.People = append(d.People, roundPerson{UsagerID: l.UsagerID, UsagerName: l.UsagerName})
			}
			if l.AsNeeded {
				d.People[i].AsNeeded = append(d.People[i].AsNeeded, l)
				continue
			}
			for _, pi := range l.Planned {
				if pi.Moment() == d.Moment {
					d.People[i].Intakes = append(d.People[i].Intakes, pi)
					if pi.Record == nil {
						d.Pending++
					}
				}
			}
		}
		sort.SliceStable(d.People, func(i, j int) bool { return d.People[i].UsagerName < d.People[j].UsagerName })
		for i := range d.People {
			sort.SliceStable(d.People[i].Intakes, func(x, y int) bool { return d.People[i].Intakes[x].At.Before(d.People[i].Intakes[y].At) })
		}
		// One trail row per person whose treatments are shown.
		for _, person := range d.People {
			if err := access.Trace(tx, p, role, d.Establishment.ID, person.UsagerID, domain.SectionCare, domain.ActionRead,
				"lecture de la distribution des médicaments ("+d.Moment.Label()+")"); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, domain.ErrForbidden) {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne donnent accès à la distribution des médicaments d'aucun établissement.")
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	d.Retour = "/distribution?" + url.Values{"etablissement": {d.Establishment.ID.String()}, "jour": {domain.FormatDate(d.Day)},
		"moment": {string(d.Moment)}}.Encode()
	a.render(c, http.StatusOK, "distribution", view{Title: "Distribution des médicaments", Nav: "soins", Data: d})
}
