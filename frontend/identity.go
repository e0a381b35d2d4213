package frontend

import (
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// Identity qualification on the dossier (RNIV): document check, douteuse
// and fictive attributes, INSi search. Every change needs admin:validate and
// is written, with its evidence, to the identity history and the trail.

func (a *App) registerIdentity(u *gin.RouterGroup) {
	u.GET("/identite/piece", a.documentForm)
	u.POST("/identite/piece", a.validateDocument)
	u.POST("/identite/attributs", a.identityFlag)
	u.GET("/identite/ins", a.insForm)
	u.POST("/identite/ins", a.insSearch)
	u.POST("/identite/ins/accepter", a.insAccept)
}

type identityPanel struct {
	Identity   domain.Identity
	History    []domain.IdentityRecord
	CanQualify bool
}

// loadIdentityPanel reads what the identity card of the dossier shows.
func (a *App) loadIdentityPanel(c *gin.Context, tx domain.Tx) (identityPanel, error) {
	rec := currentRecord(c)
	var p identityPanel
	var err error
	if p.Identity, err = tx.Identity(rec.Usager.ID); err != nil {
		return p, err
	}
	if p.History, err = tx.IdentityHistory(rec.Usager.ID); err != nil {
		return p, err
	}
	_, _, p.CanQualify = a.cfg.Authz.CanInAny(principal(c), rec.Visible, domain.SectionAdmin, domain.ActionValidate)
	return p, nil
}

// saveIdentityChange applies change to the stored identity and records the
// event and the trail row in one transaction. A domain refusal comes back
// as a *domain.ValidationError on field.
func (a *App) saveIdentityChange(c *gin.Context, g grant, field string, change func(id *domain.Identity) (domain.IdentityEvent, error)) error {
	rec := currentRecord(c)
	p := principal(c)
	return a.inTenant(c, func(tx domain.Tx) error {
		id, err := tx.Identity(rec.Usager.ID)
		if err != nil {
			return err
		}
		ev, err := change(&id)
		if err != nil {
			if _, ok := domain.AsValidation(err); ok {
				return err
			}
			var v domain.ValidationError
			v.Add(field, frenchSentence(err.Error()))
			return v.Err()
		}
		if ev.By == uuid.Nil { // RecordINSi leaves the actor to the caller
			ev.By = p.UserID
		}
		if err := tx.SaveIdentity(rec.Usager.ID, id, ev, p.DisplayName); err != nil {
			return err
		}
		detail := "identité : " + ev.Description
		if ev.Evidence != "" {
			detail += " Preuve : " + ev.Evidence + "."
		}
		if ev.Reason != "" {
			detail += " Motif : " + ev.Reason
		}
		return a.trace(c, tx, g, domain.SectionAdmin, domain.ActionValidate, detail)
	})
}

// frenchSentence capitalises a domain error message for display.
func frenchSentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

type documentFormData struct {
	Usager    domain.Usager
	Types     []domain.DocumentType
	Form      map[string]string
	EHPADCase bool // the person has a stay in an EHPAD: offer the birth extract + photo Vitale case
}

func (a *App) documentForm(c *gin.Context) {
	if _, ok := a.need(c, domain.SectionAdmin, domain.ActionValidate); !ok {
		return
	}
	a.showDocumentForm(c, http.StatusOK, map[string]string{}, nil)
}

func (a *App) showDocumentForm(c *gin.Context, status int, form, errs map[string]string) {
	d := documentFormData{Usager: currentRecord(c).Usager, Types: domain.DocumentTypes(), Form: form}
	err := a.inTenant(c, func(tx domain.Tx) error {
		stays, err := tx.Stays(d.Usager.ID)
		if err != nil {
			return err
		}
		for _, s := range stays {
			e, err := tx.Establishment(s.EstablishmentID)
			if err != nil {
				return err
			}
			d.EHPADCase = d.EHPADCase || e.Category == domain.CatEHPAD
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, status, "identity_document", view{Title: "Vérification de l'identité", Nav: "usagers", Errors: errs, Data: d})
}

func (a *App) validateDocument(c *gin.Context) {
	g, ok := a.need(c, domain.SectionAdmin, domain.ActionValidate)
	if !ok {
		return
	}
	form := map[string]string{"document_type": c.PostForm("document_type"), "photo_vitale": c.PostForm("photo_vitale"), "traits_checked": c.PostForm("traits_checked")}
	if form["traits_checked"] != "1" {
		a.showDocumentForm(c, http.StatusUnprocessableEntity, form, map[string]string{"traits_checked": "Confirmez que les cinq traits stricts du dossier sont identiques à ceux du document."})
		return
	}
	doc := domain.DocumentType(form["document_type"])
	known := false
	for _, t := range domain.DocumentTypes() {
		known = known || t == doc
	}
	if !known {
		a.showDocumentForm(c, http.StatusUnprocessableEntity, form, map[string]string{"document_type": "Choisissez le document présenté."})
		return
	}
	now, by := a.cfg.Now().UTC(), principal(c).UserID
	err := a.saveIdentityChange(c, g, "document_type", func(id *domain.Identity) (domain.IdentityEvent, error) {
		return id.ValidateWithDocument(doc, form["photo_vitale"] == "1", by, now)
	})
	if v, ok := domain.AsValidation(err); ok {
		a.showDocumentForm(c, http.StatusUnprocessableEntity, form, v.Fields)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "?ok=piece"))
}

// identityFlag sets or lifts the douteuse or fictive attribute.
func (a *App) identityFlag(c *gin.Context) {
	g, ok := a.need(c, domain.SectionAdmin, domain.ActionValidate)
	if !ok {
		return
	}
	reason, by, now := c.PostForm("reason"), principal(c).UserID, a.cfg.Now().UTC()
	var change func(id *domain.Identity) (domain.IdentityEvent, error)
	switch c.PostForm("flag") {
	case "douteuse":
		change = func(id *domain.Identity) (domain.IdentityEvent, error) { return id.MarkDouteuse(reason, by, now) }
	case "douteuse_levee":
		change = func(id *domain.Identity) (domain.IdentityEvent, error) { return id.ClearDouteuse(reason, by, now) }
	case "fictive":
		change = func(id *domain.Identity) (domain.IdentityEvent, error) { return id.MarkFictive(reason, by, now) }
	case "fictive_levee":
		change = func(id *domain.Identity) (domain.IdentityEvent, error) { return id.ClearFictive(reason, by, now) }
	default:
		a.errorPage(c, http.StatusBadRequest, "Action inconnue sur l'identité.")
		return
	}
	err := a.saveIdentityChange(c, g, "reason", change)
	if v, ok := domain.AsValidation(err); ok {
		a.showDossier(c, http.StatusUnprocessableEntity, "", map[string]string{"identity_" + c.PostForm("flag"): v.Fields["reason"]})
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "?ok=attribut"))
}
