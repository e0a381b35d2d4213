package frontend

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/dmp"
	"github.com/relais-dui/relais/dmp/cda"
	"github.com/relais-dui/relais/dmp/outbox"
	"github.com/relais-dui/relais/dmp/xds"
	"github.com/relais-dui/relais/domain"
)

// registerDMP mounts the DMP panel of a record: what was sent to the
// person's DMP and in what state, and the sends (the DLU of EHPAD
// residents), replacements and withdrawals. The outbox worker does the
// sending; the panel only decides.
func (a *App) registerDMP(u *gin.RouterGroup) {
	u.GET("/dmp", a.dmpPanel)
	u.POST("/dmp/dlu", a.dmpSendDLU)
	u.POST("/dmp/retrait", a.dmpWithdraw)
	u.POST("/dmp/document", a.dmpSendDocument)
}

// dmpDoc is a PDF of the record that may go to the DMP.
type dmpDoc struct {
	Doc     domain.Document
	Sent    bool
	Pending bool
}

// dmpRow is one document sent (or to be sent) with its state as the team
// reads it.
type dmpRow struct {
	Item        domain.DMPOutboxItem
	State       string
	Class       string // badge style: ok, ko, wait
	Detail      string
	CanWithdraw bool
}

type dmpData struct {
	Usager    domain.Usager
	QUAL      bool
	Consent   string
	Opposed   bool
	Rows      []dmpRow
	EHPAD     bool
	CanSend   bool
	DLUReady  bool
	DLUWhy    string
	DLUSent   bool
	Documents []dmpDoc
	Error     string
}

// dmpRows folds the outbox rows (sends and withdrawals) into one line per
// document version with its state.
func dmpRows(items []domain.DMPOutboxItem) []dmpRow {
	withdrawn := map[string]domain.DMPOutboxItem{}
	latestSent := map[string]domain.DMPOutboxItem{} // per set
	for _, it := range items {
		switch {
		case it.Kind == domain.DMPWithdraw:
			withdrawn[it.UniqueID] = it
		case it.Status == domain.DMPSent:
			if cur, ok := latestSent[it.SetID]; !ok || it.SentAt.After(cur.SentAt) {
				latestSent[it.SetID] = it
			}
		}
	}
	var rows []dmpRow
	for _, it := range items {
		if it.Kind != domain.DMPProvide {
			continue
		}
		r := dmpRow{Item: it, State: it.Status.Label()}
		switch it.Status {
		case domain.DMPWaiting:
			r.Class = "wait"
			if it.LastError != "" {
				r.Detail = "Nouvelle tentative prévue : " + it.LastError
			}
		case domain.DMPRefused:
			r.Class, r.Detail = "ko", it.LastError
		case domain.DMPSent:
			r.Class = "ok"
			r.State = "Envoyé le " + domain.FrenchDate(it.SentAt)
			w, isWithdrawn := withdrawn[it.UniqueID]
			switch {
			case isWithdrawn && w.Status == domain.DMPSent:
				r.State, r.Class = "Retiré du DMP", "ko"
			case isWithdrawn && w.Status == domain.DMPWaiting:
				r.State, r.Class = "Retrait en attente", "wait"
			case isWithdrawn:
				r.Detail = "Retrait refusé : " + w.LastError
				r.CanWithdraw = latestSent[it.SetID].UniqueID == it.UniqueID
			case latestSent[it.SetID].UniqueID != it.UniqueID:
				r.State, r.Class = "Remplacé par une version plus récente", ""
			default:
				r.CanWithdraw = true
			}
		}
		rows = append(rows, r)
	}
	return rows
}

func (a *App) loadDMPPanel(c *gin.Context) (dmpData, grant, bool) {
	g, ok := a.need(c, domain.SectionMedical, domain.ActionRead)
	if !ok {
		return dmpData{}, g, false
	}
	rec := currentRecord(c)
	d := dmpData{Usager: rec.Usager, EHPAD: rec.EHPAD}
	_, _, d.CanSend = a.dluWriteRight(c)
	err := a.inTenant(c, func(tx domain.Tx) error {
		id, err := tx.Identity(rec.Usager.ID)
		if err != nil {
			return err
		}
		d.QUAL = id.ShowsINS()
		consents, err := tx.Consents(rec.Usager.ID)
		if err != nil {
			return err
		}
		d.Consent, d.Opposed = dmpConsent(consents)
		items, err := tx.DMPOutbox(rec.Usager.ID)
		if err != nil {
			return err
		}
		d.Rows = dmpRows(items)
		if d.Documents, err = a.dmpDocuments(c, tx, rec.Usager.ID, items); err != nil {
			return err
		}
		if rec.EHPAD {
			estab, ok, err := dmp.EHPADOf(tx, rec.Visible)
			if err != nil || !ok {
				return err
			}
			dlu, err := dmp.LoadDLU(tx, rec.Usager, estab, a.cfg.Now())
			if err != nil {
				return err
			}
			set := dmp.NextVersion(items, dmp.DLUSetID(estab.ID, rec.Usager.ID))
			d.DLUSent = set.Replaces != uuid.Nil
			switch {
			case !d.QUAL:
				d.DLUWhy = "Aucun document n'est envoyé au DMP sans identité qualifiée (INS) : qualifiez l'identité depuis la page Identité."
			case d.Opposed:
				d.DLUWhy = "La personne s'est opposée à l'alimentation de son DMP : rien n'est envoyé."
			case len(dlu.Info.Missing()) > 0:
				d.DLUWhy = "Le DLU est incomplet : complétez-le depuis la page DLU avant de l'envoyer."
			case set.Pending:
				d.DLUWhy = "Une version du DLU attend d'être envoyée : elle part dès que le DMP répond."
			default:
				d.DLUReady = true
			}
		}
		return a.trace(c, tx, g, domain.SectionMedical, domain.ActionRead, "Consultation du panneau DMP")
	})
	if err != nil {
		a.fail(c, err)
		return d, g, false
	}
	return d, g, true
}

// dmpDocuments are the PDFs of the record, in the sections the user reads,
// whose kind goes to the DMP, with what was already sent of them.
func (a *App) dmpDocuments(c *gin.Context, tx domain.Tx, usager uuid.UUID, items []domain.DMPOutboxItem) ([]dmpDoc, error) {
	var out []dmpDoc
	for _, section := range domain.RecordSections {
		if _, ok := a.grantFor(c, section, domain.ActionRead); !ok {
			continue
		}
		_, validate := a.grantFor(c, section, domain.ActionValidate)
		docs, err := tx.Documents(usager, section, validate)
		if err != nil {
			return nil, err
		}
		for _, doc := range docs {
			if _, ok := dmp.DocumentType(doc.Kind); !ok || doc.ContentType != "application/pdf" {
				continue
			}
			v := dmp.NextVersion(items, dmp.DocumentSetID(doc.ID))
			out = append(out, dmpDoc{Doc: doc, Sent: v.Replaces != uuid.Nil, Pending: v.Pending})
		}
	}
	return out, nil
}

// dmpConsent says in French what the person decided about their DMP.
func dmpConsent(consents []domain.Consent) (string, bool) {
	var latest *domain.Consent
	for i := range consents {
		c := &consents[i]
		if c.Scope == domain.ConsentDMP && (latest == nil || c.GivenOn.After(latest.GivenOn)) {
			latest = c
		}
	}
	switch {
	case latest == nil:
		return "Non recueilli : la personne est informée de l'alimentation de son DMP et peut s'y opposer.", false
	case latest.Granted && latest.WithdrawnOn.IsZero():
		return "Accord recueilli le " + domain.FrenchDate(latest.GivenOn) + ".", false
	case latest.Granted:
		return "Accord retiré le " + domain.FrenchDate(latest.WithdrawnOn) + ".", true
	}
	return "Opposition recueillie le " + domain.FrenchDate(latest.GivenOn) + ".", true
}

func (a *App) dmpPanel(c *gin.Context) {
	d, _, ok := a.loadDMPPanel(c)
	if !ok {
		return
	}
	a.render(c, http.StatusOK, "dmp", view{Title: "DMP · " + d.Usager.DisplayName(), Nav: "usagers", Data: d})
}

// dmpRefused shows the panel again with the reason nothing was sent.
func (a *App) dmpRefused(c *gin.Context, status int, msg string) {
	d, _, ok := a.loadDMPPanel(c)
	if !ok {
		return
	}
	d.Error = msg
	a.render(c, status, "dmp", view{Title: "DMP · " + d.Usager.DisplayName(), Nav: "usagers", Data: d})
}

// dmpSender is the current user as the outbox names them.
func (a *App) dmpSender(c *gin.Context, tx domain.Tx, g grant) (dmp.Sender, error) {
	p := principal(c)
	pr, err := tx.Practitioner(p.UserID)
	return dmp.Sender{UserID: p.UserID, Username: p.Username, Role: g.Role, Account: pr}, err
}

func (a *App) dmpSendDLU(c *gin.Context) {
	g, _, ok := a.dluWriteRight(c)
	if !ok {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne permettent pas d'envoyer le DLU au DMP (infirmier ou médecin).")
		return
	}
	d, _, ok := a.loadDLU(c, "Envoi du DLU au DMP")
	if !ok {
		return
	}
	rec := currentRecord(c)
	err := a.inTenant(c, func(tx domain.Tx) error {
		s, err := a.dmpSender(c, tx, g)
		if err != nil {
			return err
		}
		_, err = dmp.SendDLU(tx, d, s)
		return err
	})
	var refusal *domain.DMPRefusal
	var nq *domain.IdentityNotQualifiedError
	var miss *cda.MissingError
	switch {
	case errors.As(err, &refusal):
		a.dmpRefused(c, http.StatusConflict, refusal.Reason)
	case errors.As(err, &nq):
		a.dmpRefused(c, http.StatusConflict, "Aucun document n'est envoyé au DMP sans identité qualifiée (INS) : "+nq.Error()+".")
	case errors.As(err, &miss):
		a.dmpRefused(c, http.StatusConflict, "Le DLU est incomplet : "+strings.Join(miss.Missing, " "))
	case err != nil:
		a.fail(c, err)
	default:
		c.Redirect(http.StatusSeeOther, "/usagers/"+rec.Usager.ID.String()+"/dmp?ok=dmp-envoi")
	}
}

func (a *App) dmpSendDocument(c *gin.Context) {
	g, _, ok := a.dluWriteRight(c)
	if !ok {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne permettent pas d'envoyer un document au DMP (infirmier ou médecin).")
		return
	}
	rec := currentRecord(c)
	docID, err := uuid.Parse(c.PostForm("document_id"))
	if err != nil {
		a.dmpRefused(c, http.StatusBadRequest, "Document inconnu : rien n'est envoyé.")
		return
	}
	err = a.inTenant(c, func(tx domain.Tx) error {
		doc, err := tx.Document(docID)
		if err != nil || doc.UsagerID != rec.Usager.ID {
			return &domain.DMPRefusal{Reason: "Document inconnu pour cette personne : rien n'est envoyé."}
		}
		if _, ok := a.grantFor(c, doc.Section, domain.ActionRead); !ok {
			return &domain.DMPRefusal{Reason: "Vos habilitations ne permettent pas de lire ce document : il n'est pas envoyé."}
		}
		if _, ok := a.grantFor(c, doc.Section, domain.ActionValidate); doc.Restricted() && !ok {
			return &domain.DMPRefusal{Reason: "Ce document est à accès restreint : il n'est pas envoyé."}
		}
		estab, err := tx.Establishment(g.Estab)
		if err != nil {
			return err
		}
		s, err := a.dmpSender(c, tx, g)
		if err != nil {
			return err
		}
		var masking []xds.Masking
		if m := c.PostForm("masquage"); m != "" {
			masking = append(masking, xds.Masking(m)) // checked by the sending rules
		}
		_, err = dmp.SendDocument(tx, doc, estab, s, masking, a.cfg.Now())
		return err
	})
	var refusal *domain.DMPRefusal
	var nq *domain.IdentityNotQualifiedError
	switch {
	case errors.As(err, &refusal):
		a.dmpRefused(c, http.StatusConflict, refusal.Reason)
	case errors.As(err, &nq):
		a.dmpRefused(c, http.StatusConflict, "Aucun document n'est envoyé au DMP sans identité qualifiée (INS) : "+nq.Error()+".")
	case err != nil:
		a.fail(c, err)
	default:
		c.Redirect(http.StatusSeeOther, "/usagers/"+rec.Usager.ID.String()+"/dmp?ok=dmp-document")
	}
}

func (a *App) dmpWithdraw(c *gin.Context) {
	g, _, ok := a.dluWriteRight(c)
	if !ok {
		a.errorPage(c, http.StatusForbidden, "Vos habilitations ne permettent pas de retirer un document du DMP (infirmier ou médecin).")
		return
	}
	rec := currentRecord(c)
	uid := c.PostForm("unique_id")
	err := a.inTenant(c, func(tx domain.Tx) error {
		items, err := tx.DMPOutbox(rec.Usager.ID)
		if err != nil {
			return err
		}
		var sent *domain.DMPOutboxItem
		for i := range items {
			if items[i].UniqueID == uid && items[i].Kind == domain.DMPProvide {
				sent = &items[i]
			}
		}
		if sent == nil {
			return &domain.DMPRefusal{Reason: "Document inconnu pour cette personne : rien n'est retiré."}
		}
		estab, err := tx.Establishment(sent.EstablishmentID)
		if err != nil {
			return err
		}
		s, err := a.dmpSender(c, tx, g)
		if err != nil {
			return err
		}
		_, _, err = outbox.EnqueueWithdrawal(tx, rec.Usager.ID, uid, s.Request(rec.Usager.ID, estab, sent.Section, nil, xds.Code{}, xds.Code{}))
		return err
	})
	var refusal *domain.DMPRefusal
	switch {
	case errors.As(err, &refusal):
		a.dmpRefused(c, http.StatusConflict, refusal.Reason)
	case err != nil:
		a.fail(c, err)
	default:
		c.Redirect(http.StatusSeeOther, "/usagers/"+rec.Usager.ID.String()+"/dmp?ok=dmp-retrait")
	}
}
