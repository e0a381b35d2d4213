package frontend

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/dmp"
	"github.com/relais-dui/relais/dmp/cda"
	"github.com/relais-dui/relais/domain"
)

// registerDLU mounts the emergency liaison document (DLU) of EHPAD
// residents: the page, its form, the PDF and the CDA.
func (a *App) registerDLU(u *gin.RouterGroup) {
	u.GET("/dlu", a.dluPage)
	u.GET("/dlu/modifier", a.dluForm)
	u.POST("/dlu", a.saveDLU)
	u.GET("/dlu.pdf", a.dluPDF)
	u.GET("/dlu.xml", a.dluCDA)
}

// dluWriteRight: the DLU data is kept by those who validate care (the
// nurses) or write the medical file (the doctors).
func (a *App) dluWriteRight(c *gin.Context) (grant, domain.Section, bool) {
	if g, ok := a.grantFor(c, domain.SectionMedical, domain.ActionWrite); ok {
		return g, domain.SectionMedical, true
	}
	g, ok := a.grantFor(c, domain.SectionCare, domain.ActionValidate)
	return g, domain.SectionCare, ok
}

type dluData struct {
	DLU      dmp.DLU
	Missing  []string
	CanWrite bool
	// CDAReady: a qualified identity and every datum the CI-SIS model
	// requires; otherwise CDAWhy says why in French.
	CDAReady bool
	CDAWhy   string
	Form     domain.DLUInput
	Devices  []domain.Device
	Groups   []domain.StateGroup
	GIRs     []string
	// Links to where the record's own data is kept, for those who may
	// write it.
	CanContacts, CanQualify bool
	NeedsContacts           bool
	// Contacts as lines: "NOM Prénom (lien) · téléphone".
	Trusted, ToNotify []string
}

// loadDLU reads the DLU of the current record after checking the reading
// right (the medical file's) and that the person lives in an EHPAD; what is
// done with it is traced with detail.
func (a *App) loadDLU(c *gin.Context, detail string) (dmp.DLU, grant, bool) {
	g, ok := a.need(c, domain.SectionMedical, domain.ActionRead)
	if !ok {
		return dmp.DLU{}, g, false
	}
	rec := currentRecord(c)
	var d dmp.DLU
	notEHPAD := false
	err := a.inTenant(c, func(tx domain.Tx) error {
		estab, ok, err := dmp.EHPADOf(tx, rec.Visible)
		if err != nil {
			return err
		}
		if !ok {
			notEHPAD = true
			return nil
		}
		if d, err = dmp.LoadDLU(tx, rec.Usager, estab, a.cfg.Now()); err != nil {
			return err
		}
		return a.trace(c, tx, g, domain.SectionMedical, domain.ActionRead, detail)
	})
	if err != nil {
		a.fail(c, err)
		return d, g, false
	}
	if notEHPAD {
		a.errorPage(c, http.StatusNotFound, "Le document de liaison d'urgence (DLU) concerne les résidents d'EHPAD.")
		return d, g, false
	}
	return d, g, true
}

func (a *App) dluView(c *gin.Context, d dmp.DLU, form domain.DLUInput) dluData {
	v := dluData{DLU: d, Missing: d.Missing(), Form: form, Devices: domain.AllDevices, Groups: domain.StateGroups,
		GIRs: []string{"1", "2", "3", "4", "5", "6"}}
	for _, x := range d.Trusted {
		v.Trusted = append(v.Trusted, dmp.ContactLine(x))
	}
	for _, x := range d.ToNotify {
		v.ToNotify = append(v.ToNotify, dmp.ContactLine(x))
	}
	_, _, v.CanWrite = a.dluWriteRight(c)
	_, v.CanContacts = a.grantFor(c, domain.SectionSocial, domain.ActionWrite)
	_, v.CanQualify = a.grantFor(c, domain.SectionAdmin, domain.ActionValidate)
	v.NeedsContacts = len(d.Trusted) == 0 || len(d.ToNotify) == 0
	switch {
	case !d.Identity.ShowsINS():
		v.CDAWhy = "Le CDA du DLU demande une identité qualifiée (INS) : qualifiez l'identité depuis la page Identité."
	case len(d.Info.Missing()) > 0:
		v.CDAWhy = "Le CDA du DLU sera disponible quand les informations manquantes ci-dessus seront renseignées."
	default:
		v.CDAReady = true
	}
	return v
}

func (a *App) dluPage(c *gin.Context) {
	d, _, ok := a.loadDLU(c, "Consultation du DLU")
	if !ok {
		return
	}
	rec := currentRecord(c)
	a.render(c, http.StatusOK, "dlu", view{Title: "DLU · " + rec.Usager.DisplayName(), Nav: "usagers", Data: a.dluView(c, d, d.Info.Input())})
}

func (a *App) dluForm(c *gin.Context) {
	if _, _, ok := a.dluWriteRight(c); !ok {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne permettent pas de compléter le DLU (infirmier ou médecin).")
		return
	}
	d, _, ok := a.loadDLU(c, "Consultation du DLU (formulaire)")
	if !ok {
		return
	}
	in := d.Info.Input()
	rec := currentRecord(c)
	a.render(c, http.StatusOK, "dlu_form", view{Title: "Compléter le DLU · " + rec.Usager.DisplayName(), Nav: "usagers", Data: a.dluView(c, d, in)})
}

func dluInput(c *gin.Context) domain.DLUInput {
	f := func(k string) string { return c.PostForm(k) }
	return domain.DLUInput{GIR: f("gir"), GIRDate: f("gir_date"), Devices: c.PostFormArray("devices"), DevicesOther: f("devices_other"),
		Directives: f("directives"), DirectivesAt: f("directives_at"), Palliative: f("palliative"),
		States: c.PostFormArray("states"), StatesChecked: f("states_checked") == "1",
		BMR: f("bmr"), BMRDetail: f("bmr_detail"), HospitalName: f("hospital_name"), HospitalFINESS: f("hospital_finess"),
		HospitalPhone: f("hospital_phone"), GPName: f("gp_name"), GPRPPS: f("gp_rpps"), GPPhone: f("gp_phone"),
		NursePhone: f("nurse_phone"), CoordDoctorName: f("coord_doctor_name"), CoordDoctorPhone: f("coord_doctor_phone"), Comment: f("comment")}
}

func (a *App) saveDLU(c *gin.Context) {
	g, section, ok := a.dluWriteRight(c)
	if !ok {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne permettent pas de compléter le DLU (infirmier ou médecin).")
		return
	}
	in := dluInput(c)
	info, err := in.Parse(a.cfg.Now())
	if err != nil {
		d, _, ok := a.loadDLU(c, "Consultation du DLU (formulaire refusé)")
		if !ok {
			return
		}
		rec := currentRecord(c)
		a.render(c, http.StatusUnprocessableEntity, "dlu_form", view{Title: "Compléter le DLU · " + rec.Usager.DisplayName(), Nav: "usagers",
			Errors: fieldErrors(err), Data: a.dluView(c, d, in)})
		return
	}
	p, rec := principal(c), currentRecord(c)
	info.UsagerID, info.UpdatedBy, info.UpdatedByName, info.UpdatedAt = rec.Usager.ID, p.UserID, p.DisplayName, a.cfg.Now()
	err = a.inTenant(c, func(tx domain.Tx) error {
		if _, ok, err := dmp.EHPADOf(tx, rec.Visible); err != nil || !ok {
			if err == nil {
				err = domain.ErrNotFound
			}
			return err
		}
		if err := tx.SaveDLUInfo(&info); err != nil {
			return err
		}
		return a.trace(c, tx, g, section, domain.ActionWrite, "DLU mis à jour")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/usagers/"+rec.Usager.ID.String()+"/dlu?ok=dlu")
}

// dluFileName is "dlu-NOM-Prenom" without accents or spaces.
func dluFileName(u domain.Usager) string {
	name := strings.NewReplacer(" ", "-", "'", "-").Replace(domain.SearchKey(u.BirthName + " " + u.FirstName()))
	return "dlu-" + name
}

func (a *App) dluPDF(c *gin.Context) {
	d, _, ok := a.loadDLU(c, "Impression du DLU (PDF)")
	if !ok {
		return
	}
	c.Header("Content-Disposition", `inline; filename="`+dluFileName(d.Usager)+`.pdf"`)
	c.Data(http.StatusOK, "application/pdf", d.PDF())
}

func (a *App) dluCDA(c *gin.Context) {
	d, _, ok := a.loadDLU(c, "Téléchargement du DLU au format CDA")
	if !ok {
		return
	}
	// The author is the user when their account carries an RPPS number and
	// a profession; otherwise the establishment signs as device.
	var author dmp.Author
	err := a.inTenant(c, func(tx domain.Tx) error {
		pr, err := tx.Practitioner(principal(c).UserID)
		author = dmp.AuthorOf(pr)
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	doc, err := d.CDA(uuid.New(), author)
	var nq *domain.IdentityNotQualifiedError
	var miss *cda.MissingError
	switch {
	case errors.As(err, &nq):
		a.errorPage(c, http.StatusConflict, "Le CDA du DLU demande une identité qualifiée (INS) : "+nq.Error()+".")
		return
	case errors.As(err, &miss):
		a.errorPage(c, http.StatusConflict, "Le DLU est incomplet : "+strings.Join(miss.Missing, " "))
		return
	case err != nil:
		a.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+dluFileName(d.Usager)+`.xml"`)
	c.Data(http.StatusOK, "application/xml; charset=utf-8", doc)
}
