package frontend

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/relais-dui/relais/domain"
)

// maxUploadBody caps the whole upload request: the file, the other fields
// and the multipart framing. A file between MaxDocumentSize and this cap is
// refused beside the field; a bigger body is refused before it is read.
const maxUploadBody = domain.MaxDocumentSize + 1<<20

// documentFormKey carries a refused upload's fields to the re-rendered dossier.
const documentFormKey = "documents.form"

// documentsCard is the Documents card of one section of the dossier.
type documentsCard struct {
	Documents    []domain.Document
	Kinds        []domain.DocumentKind
	CanUpload    bool
	CanRestrict  bool // validators may mark a document restreint
	Form         documentForm
	Uploaded     bool
	MaxSizeLabel string
}

type documentForm struct {
	Kind            string
	Title           string
	Confidentiality string
}

func (a *App) registerDocuments(u *gin.RouterGroup) {
	// The upload's body limit must apply before anything parses the form
	// (the CSRF check reads it): a group of its own whose chain starts with
	// the limit.
	up := u.Group("")
	up.Handlers = append(gin.HandlersChain{a.limitUpload}, up.Handlers...)
	up.POST("/sections/:section/documents", a.uploadDocument)
	u.GET("/documents/:doc", a.downloadDocument)
}

// limitUpload refuses a declared body over maxUploadBody without reading it,
// and caps an undeclared (chunked) one: that one is parsed here, so going
// over the cap is answered as such rather than as a form without its CSRF
// field.
func (a *App) limitUpload(c *gin.Context) {
	if c.Request.ContentLength > maxUploadBody {
		a.refuseTooLarge(c)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxUploadBody)
	if c.Request.ContentLength < 0 {
		if err := c.Request.ParseMultipartForm(maxUploadBody); tooLarge(err) {
			a.refuseTooLarge(c)
		}
	}
}

func (a *App) refuseTooLarge(c *gin.Context) {
	// This runs before the security headers middleware: abort first, so
	// calling it sets the headers without running the rest of the chain.
	c.Abort()
	securityHeaders(c)
	a.errorPage(c, http.StatusRequestEntityTooLarge, "Le fichier dépasse la taille maximale de "+domain.FormatSize(domain.MaxDocumentSize)+
		" : il n'a pas été enregistré. Réduisez-le (numérisation en noir et blanc, résolution plus basse) et recommencez.")
}

// loadDocumentsCard fills the Documents card of the dossier's section:
// restricted documents only for the section's validators.
func (a *App) loadDocumentsCard(c *gin.Context, tx domain.Tx, s domain.Section) (documentsCard, error) {
	p, rec := principal(c), currentRecord(c)
	card := documentsCard{Kinds: domain.AllDocumentKinds, Uploaded: c.Query("ok") == "document",
		MaxSizeLabel: domain.FormatSize(domain.MaxDocumentSize), Form: documentForm{Confidentiality: string(domain.ConfidentialityNormal)}}
	_, _, card.CanUpload = a.cfg.Authz.CanInAny(p, rec.Visible, s, domain.ActionWrite)
	_, _, card.CanRestrict = a.cfg.Authz.CanInAny(p, rec.Visible, s, domain.ActionValidate)
	if f, ok := c.Get(documentFormKey); ok {
		card.Form, _ = f.(documentForm)
	}
	var err error
	card.Documents, err = tx.Documents(rec.Usager.ID, s, card.CanRestrict)
	return card, err
}

// uploadDocument stores a file in a section (write on the section; marking
// it restreint needs validate, or the author would lose sight of it).
func (a *App) uploadDocument(c *gin.Context) {
	s, g, ok := a.needSection(c, domain.ActionWrite)
	if !ok {
		return
	}
	form := documentForm{Kind: c.PostForm("doc_type"), Title: c.PostForm("title"), Confidentiality: c.PostForm("confidentiality")}
	in := domain.DocumentInput{Section: s, Kind: form.Kind, Title: form.Title, Confidentiality: form.Confidentiality}
	if fh, err := c.FormFile("file"); err == nil {
		if in.Content, in.TooLarge, err = readUpload(fh); err != nil {
			a.fail(c, err)
			return
		}
	} else if tooLarge(err) {
		in.TooLarge = true
	}
	d, err := domain.ParseDocument(in)
	if err == nil && d.Restricted() {
		if _, _, canValidate := a.cfg.Authz.CanInAny(principal(c), currentRecord(c).Visible, s, domain.ActionValidate); !canValidate {
			var v domain.ValidationError
			v.Add("confidentiality", "Seuls les professionnels qui valident cette section peuvent restreindre un document.")
			err = v.Err()
		}
	}
	if err != nil {
		c.Set(documentFormKey, form)
		a.showDossier(c, http.StatusUnprocessableEntity, "", fieldErrors(err))
		return
	}
	p := principal(c)
	d.UsagerID, d.UploadedBy, d.UploadedByName, d.UploadedAt = currentRecord(c).Usager.ID, p.UserID, p.DisplayName, a.cfg.Now().UTC()
	err = a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.SaveDocument(&d); err != nil {
			return err
		}
		return a.trace(c, tx, g, s, domain.ActionWrite, "dépôt du document "+d.ID.String()+" ("+d.Kind.Label()+")")
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, a.recordURL(c, "/sections/"+string(s)+"?ok=document#documents"))
}

// readUpload reads at most MaxDocumentSize bytes of the file; tooLarge
// reports that more was there.
func readUpload(fh *multipart.FileHeader) (content []byte, tooLarge bool, err error) {
	if fh.Size > domain.MaxDocumentSize {
		return nil, true, nil
	}
	f, err := fh.Open()
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	content, err = io.ReadAll(io.LimitReader(f, domain.MaxDocumentSize+1))
	if err != nil {
		return nil, false, err
	}
	if len(content) > domain.MaxDocumentSize {
		return nil, true, nil
	}
	return content, false, nil
}

func tooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

// downloadDocument sends a file as an attachment with its detected type.
// It needs read on the document's section (and validate when the document
// is restreint); reading a care or medical document, or a restricted one,
// is written to the trail.
func (a *App) downloadDocument(c *gin.Context) {
	id, ok := parseID(c.Param("doc"))
	if !ok {
		a.errorPage(c, http.StatusNotFound, "Ce document n'existe pas.")
		return
	}
	rec := currentRecord(c)
	var d domain.Document
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		d, err = tx.Document(id)
		return err
	})
	if err == nil && d.UsagerID != rec.Usager.ID {
		err = domain.ErrNotFound
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	g, ok := a.need(c, d.Section, domain.ActionRead)
	if !ok {
		return
	}
	if d.Restricted() {
		if g, ok = a.need(c, d.Section, domain.ActionValidate); !ok {
			return
		}
	}
	err = a.inTenant(c, func(tx domain.Tx) error {
		var err error
		if d.Content, err = tx.DocumentContent(d.ID); err != nil {
			return err
		}
		if d.Section.Traced() || d.Restricted() {
			return a.trace(c, tx, g, d.Section, domain.ActionRead, "consultation du document "+d.ID.String()+" ("+d.Kind.Label()+")")
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", d.ContentType)
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": d.FileName()})
	if disposition == "" {
		disposition = "attachment"
	}
	h.Set("Content-Disposition", disposition)
	h.Set("Content-Length", strconv.Itoa(len(d.Content)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	c.Status(http.StatusOK)
	if _, err := c.Writer.Write(d.Content); err != nil {
		c.Error(err)
	}
}
