package fhir

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
)

// Documents of the record (DocumentReference) and their files (Binary,
// same id). Each document belongs to a section: the client sees the
// documents of the sections its role may read, and a restricted one only
// with validate on its section, as in the UI.

const (
	systemDocType         = "https://relais-dui.fr/CodeSystem/document-type"
	systemConfidentiality = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
	// extSHA256 carries the SHA-256 of the file: Attachment.hash is SHA-1
	// in R4, which Relais does not keep.
	extSHA256 = "https://relais-dui.fr/StructureDefinition/attachment-sha256"
)

// maxDocumentBody bounds a posted DocumentReference: the largest accepted
// file in base64, and room for the rest.
const maxDocumentBody = domain.MaxDocumentSize/3*4 + 4 + 1<<20

// documentReference projects the metadata of a document; the file is on
// Binary/<id>.
func documentReference(d domain.Document) fm.DocumentReference {
	conf := fm.Coding{System: ptr(systemConfidentiality), Code: ptr("N"), Display: ptr("normal")}
	if d.Restricted() {
		conf = fm.Coding{System: ptr(systemConfidentiality), Code: ptr("R"), Display: ptr("restricted")}
	}
	return fm.DocumentReference{Id: ptr(d.ID.String()), Status: fm.DocumentReferenceStatusCurrent,
		Type:          &fm.CodeableConcept{Coding: []fm.Coding{{System: ptr(systemDocType), Code: ptr(string(d.Kind)), Display: ptr(d.Kind.Label())}}, Text: ptr(d.Kind.Label())},
		Category:      []fm.CodeableConcept{{Coding: []fm.Coding{{System: ptr(systemSection), Code: ptr(string(d.Section)), Display: ptr(d.Section.Label())}}}},
		Subject:       ref("Patient", d.UsagerID),
		Date:          ptr(d.UploadedAt.UTC().Format(time.RFC3339Nano)),
		Author:        []fm.Reference{{Display: ptr(d.UploadedByName)}},
		SecurityLabel: []fm.CodeableConcept{{Coding: []fm.Coding{conf}}},
		Content: []fm.DocumentReferenceContent{{Attachment: fm.Attachment{ContentType: ptr(d.ContentType), Url: ptr("Binary/" + d.ID.String()),
			Size: ptr(int(d.Size)), Title: ptr(d.Title), Creation: ptr(d.UploadedAt.UTC().Format(time.RFC3339Nano)),
			Extension: []fm.Extension{{Url: extSHA256, ValueBase64Binary: ptr(base64.StdEncoding.EncodeToString(d.SHA256))}}}}}}
}

// binary is the file of a document.
func binary(d domain.Document) fm.Binary {
	return fm.Binary{Id: ptr(d.ID.String()), ContentType: d.ContentType, SecurityContext: ref("DocumentReference", d.ID),
		Data: ptr(base64.StdEncoding.EncodeToString(d.Content))}
}

// documentFromFHIR maps a posted DocumentReference to the upload form of
// the UI (section, type, title, confidentiality, file) and the person it
// is for, so that the same checks apply (domain.ParseDocument). The file
// is content[0].attachment.data; a declared contentType is returned to be
// compared with the detected one.
func documentFromFHIR(r fm.DocumentReference) (in domain.DocumentInput, usager uuid.UUID, declared string, err error) {
	if r.Subject == nil || r.Subject.Reference == nil {
		return in, uuid.Nil, "", badInput{"DocumentReference.subject", "La personne du document est obligatoire (subject : Patient/<identifiant>)."}
	}
	usager, err = uuid.Parse(strings.TrimPrefix(*r.Subject.Reference, "Patient/"))
	if err != nil || !strings.HasPrefix(*r.Subject.Reference, "Patient/") {
		return in, uuid.Nil, "", badInput{"DocumentReference.subject", "subject attend une référence Patient/<identifiant>."}
	}
	for _, cat := range r.Category {
		for _, c := range cat.Coding {
			if c.System != nil && *c.System == systemSection && c.Code != nil {
				in.Section = domain.Section(*c.Code)
			}
		}
	}
	if in.Section == "" {
		return in, usager, "", badInput{"DocumentReference.category", "Indiquez la section du dossier (category, système " + systemSection + " : admin, social, educational, care ou medical)."}
	}
	if r.Type != nil {
		for _, c := range r.Type.Coding {
			if c.System != nil && *c.System == systemDocType && c.Code != nil {
				in.Kind = *c.Code
			}
		}
	}
	for i, l := range r.SecurityLabel {
		for _, c := range l.Coding {
			if c.System == nil || *c.System != systemConfidentiality || c.Code == nil {
				continue
			}
			switch *c.Code {
			case "N":
				in.Confidentiality = string(domain.ConfidentialityNormal)
			case "R":
				in.Confidentiality = string(domain.ConfidentialityRestricted)
			default:
				return in, usager, "", badInput{fmt.Sprintf("DocumentReference.securityLabel[%d]", i), "Confidentialité : N (normal) ou R (restreint) attendu."}
			}
		}
	}
	if len(r.Content) != 1 {
		return in, usager, "", badInput{"DocumentReference.content", "Un document porte un seul fichier (content[0].attachment.data)."}
	}
	att := r.Content[0].Attachment
	if att.Title != nil {
		in.Title = *att.Title
	} else if r.Description != nil {
		in.Title = *r.Description
	}
	if att.ContentType != nil {
		declared = *att.ContentType
	}
	if att.Data == nil {
		return in, usager, declared, badInput{"DocumentReference.content[0].attachment.data", "Le fichier est attendu en base64 dans content[0].attachment.data."}
	}
	in.Content, err = base64.StdEncoding.DecodeString(*att.Data)
	if err != nil {
		return in, usager, declared, badInput{"DocumentReference.content[0].attachment.data", "Le fichier n'est pas un base64 valide : " + err.Error() + "."}
	}
	return in, usager, declared, nil
}

// documentPaths names, for each field of the upload form, where it comes
// from in a DocumentReference.
var documentPaths = map[string]string{
	"section": "DocumentReference.category", "doc_type": "DocumentReference.type", "title": "DocumentReference.content[0].attachment.title",
	"confidentiality": "DocumentReference.securityLabel", "file": "DocumentReference.content[0].attachment.data",
}

// strictDocumentReference decodes a DocumentReference with its
// resourceType (decodeStrict checks it).
type strictDocumentReference struct {
	fm.DocumentReference
	ResourceType string `json:"resourceType"`
}

// readDocumentBody reads a posted DocumentReference, whose file makes it
// bigger than other resources.
func (s *Server) readDocumentBody(c *gin.Context) (fm.DocumentReference, bool) {
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, maxDocumentBody+1))
	if err != nil {
		s.internal(c, err)
		return fm.DocumentReference{}, false
	}
	if len(body) > maxDocumentBody {
		outcome(c, http.StatusRequestEntityTooLarge, fm.IssueTypeTooLong, "Ressource trop volumineuse : le fichier dépasse "+domain.FormatSize(domain.MaxDocumentSize)+".")
		return fm.DocumentReference{}, false
	}
	var r strictDocumentReference
	err = decodeStrict(body, "DocumentReference", &r, func() string { return r.ResourceType })
	if refuse(c, err, "DocumentReference", nil) {
		return fm.DocumentReference{}, false
	}
	return r.DocumentReference, true
}

// docGrant is the client's role for an action on a document's section;
// a restricted document needs validate on it too.
func (s *Server) docGrant(c *gin.Context, d domain.Document, act domain.Action) (domain.Role, bool) {
	cp := client(c)
	role, ok := s.cfg.Authz.Can(cp.Principal, cp.Client.EstablishmentID, d.Section, act)
	if ok && d.Restricted() {
		role, ok = s.cfg.Authz.Can(cp.Principal, cp.Client.EstablishmentID, d.Section, domain.ActionValidate)
	}
	return role, ok
}

// readDocument reads a document of a visible person that the client may
// see; withContent loads the file.
func (s *Server) readDocument(c *gin.Context, resource string, withContent bool) {
	if !domain.ScopesAllow(client(c).Scopes, resource, "read") {
		outcome(c, http.StatusForbidden, fm.IssueTypeForbidden, "La portée du jeton ne couvre pas "+resource+" en lecture (portée attendue : system/"+resource+".read).")
		return
	}
	id, ok := pathID(c, resource)
	if !ok {
		return
	}
	var d domain.Document
	var err error
	err = s.inTenant(c, func(tx domain.Tx) error {
		if d, err = tx.Document(id); err != nil {
			return err
		}
		if err := s.mustSee(c, tx, d.UsagerID); err != nil {
			return err
		}
		role, ok := s.docGrant(c, d, domain.ActionRead)
		if !ok {
			return domain.ErrForbidden
		}
		if withContent {
			if d.Content, err = tx.DocumentContent(d.ID); err != nil {
				return err
			}
		}
		return s.trace(c, tx, role, d.UsagerID, d.Section, domain.ActionRead, "lecture "+resource+" "+d.ID.String()+" ("+d.Kind.Label()+")")
	})
	if errors.Is(err, domain.ErrForbidden) {
		msg := "Les habilitations du rôle du client ne permettent pas de lire les documents de la section " + d.Section.Label() + "."
		if d.Restricted() {
			msg = "Document restreint : seuls les rôles qui valident la section " + d.Section.Label() + " le consultent."
		}
		outcome(c, http.StatusForbidden, fm.IssueTypeForbidden, msg)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	if withContent {
		writeJSON(c, http.StatusOK, binary(d))
		return
	}
	writeJSON(c, http.StatusOK, documentReference(d))
}

// searchDocuments lists a person's documents in the sections the client
// may read (restricted ones where it may validate), newest first.
func (s *Server) searchDocuments(c *gin.Context) {
	const resource = "DocumentReference"
	cp := client(c)
	if !domain.ScopesAllow(cp.Scopes, resource, "read") {
		outcome(c, http.StatusForbidden, fm.IssueTypeForbidden, "La portée du jeton ne couvre pas DocumentReference en lecture (portée attendue : system/DocumentReference.read).")
		return
	}
	patient, params, err := recordParams(c, resource)
	var kinds, sections [][]string
	var when []dateCond
	if err == nil {
		var all []string
		for _, k := range domain.AllDocumentKinds {
			all = append(all, string(k))
		}
		kinds, err = tokenParam(stripSystem(params, "type", systemDocType), "type", all)
	}
	if err == nil {
		var all []string
		for _, s := range domain.RecordSections {
			all = append(all, string(s))
		}
		sections, err = tokenParam(stripSystem(params, "category", systemSection), "category", all)
	}
	if err == nil {
		when, err = dateParam(params, "date")
	}
	var pe paramError
	if errors.As(err, &pe) {
		outcome(c, http.StatusBadRequest, fm.IssueTypeInvalid, pe.msg, pe.param)
		return
	}
	type grant struct {
		section    domain.Section
		role       domain.Role
		restricted bool
	}
	var grants []grant
	for _, sec := range domain.RecordSections {
		role, ok := s.cfg.Authz.Can(cp.Principal, cp.Client.EstablishmentID, sec, domain.ActionRead)
		if !ok || !matchTokens(sections, string(sec)) {
			continue
		}
		_, validate := s.cfg.Authz.Can(cp.Principal, cp.Client.EstablishmentID, sec, domain.ActionValidate)
		grants = append(grants, grant{sec, role, validate})
	}
	if len(grants) == 0 && len(sections) == 0 {
		outcome(c, http.StatusForbidden, fm.IssueTypeForbidden, "Les habilitations du rôle du client ("+cp.Client.Role.Label()+") ne permettent de lire aucune section du dossier.")
		return
	}
	base := baseURL(c)
	b := fm.Bundle{Type: fm.BundleTypeSearchset, Link: []fm.BundleLink{{Relation: "self", Url: base + "/DocumentReference?" + c.Request.URL.RawQuery}}}
	err = s.inTenant(c, func(tx domain.Tx) error {
		if err := s.mustSee(c, tx, patient); errors.Is(err, domain.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		var docs []domain.Document
		for _, g := range grants {
			list, err := tx.Documents(patient, g.section, g.restricted)
			if err != nil {
				return err
			}
			n := 0
			for _, d := range list {
				if matchTokens(kinds, string(d.Kind)) && matchDates(when, d.UploadedAt) {
					docs = append(docs, d)
					n++
				}
			}
			if n > 0 {
				if err := s.trace(c, tx, g.role, patient, g.section, domain.ActionRead, fmt.Sprintf("recherche DocumentReference (%d document(s))", n)); err != nil {
					return err
				}
			}
		}
		sort.SliceStable(docs, func(i, j int) bool { return docs[i].UploadedAt.After(docs[j].UploadedAt) })
		for _, d := range docs {
			raw, err := marshal(documentReference(d))
			if err != nil {
				return err
			}
			b.Entry = append(b.Entry, fm.BundleEntry{FullUrl: ptr(base + "/DocumentReference/" + d.ID.String()), Resource: raw,
				Search: &fm.BundleEntrySearch{Mode: ptr(fm.SearchEntryModeMatch)}})
		}
		return nil
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	b.Total = ptr(len(b.Entry))
	writeJSON(c, http.StatusOK, b)
}

// stripSystem removes the "system|" part of token values of name when
// the system is the expected one; another system is left to be refused.
func stripSystem(params url.Values, name, system string) url.Values {
	out := url.Values{}
	for _, v := range params[name] {
		var alts []string
		for _, t := range strings.Split(v, ",") {
			if sys, code, found := strings.Cut(t, "|"); found && (sys == system || sys == "") {
				t = code
			}
			alts = append(alts, t)
		}
		out.Add(name, strings.Join(alts, ","))
	}
	return out
}

// createDocument stores a file posted as a DocumentReference, with the
// UI's checks: a known section and type, a title, a PDF, JPEG or PNG of
// at most 10 Mio recognised from its content; restreint needs validate on
// the section. Nothing is stored when anything is refused.
func (s *Server) createDocument(c *gin.Context) {
	cp := client(c)
	if !domain.ScopesAllow(cp.Scopes, "DocumentReference", "write") {
		outcome(c, http.StatusForbidden, fm.IssueTypeForbidden, "La portée du jeton ne couvre pas DocumentReference en écriture (portée attendue : system/DocumentReference.write).")
		return
	}
	r, ok := s.readDocumentBody(c)
	if !ok {
		return
	}
	in, usager, declared, err := documentFromFHIR(r)
	var d domain.Document
	if err == nil {
		d, err = domain.ParseDocument(in)
	}
	if refuse(c, err, "DocumentReference", documentPaths) {
		return
	}
	if err != nil {
		s.internal(c, err)
		return
	}
	if mt, _, _ := mime.ParseMediaType(declared); declared != "" && mt != d.ContentType {
		outcome(c, http.StatusBadRequest, fm.IssueTypeInvalid, fmt.Sprintf("Le type déclaré (%s) ne correspond pas au contenu du fichier (%s).", declared, d.ContentType),
			"DocumentReference.content[0].attachment.contentType")
		return
	}
	role, ok := s.cfg.Authz.Can(cp.Principal, cp.Client.EstablishmentID, d.Section, domain.ActionWrite)
	if !ok {
		outcome(c, http.StatusForbidden, fm.IssueTypeForbidden, "Les habilitations du rôle du client ("+cp.Client.Role.Label()+") ne permettent pas de déposer un document dans la section "+d.Section.Label()+".")
		return
	}
	if d.Restricted() {
		if _, ok := s.cfg.Authz.Can(cp.Principal, cp.Client.EstablishmentID, d.Section, domain.ActionValidate); !ok {
			outcome(c, http.StatusBadRequest, fm.IssueTypeInvalid, "Seuls les rôles qui valident cette section peuvent restreindre un document.", "DocumentReference.securityLabel")
			return
		}
	}
	d.UsagerID, d.UploadedBy, d.UploadedByName, d.UploadedAt = usager, cp.UserID, authorName(c), s.cfg.Now().UTC()
	var unknown bool
	err = s.inTenant(c, func(tx domain.Tx) error {
		if err := s.mustSee(c, tx, usager); errors.Is(err, domain.ErrNotFound) {
			unknown = true
			return nil
		} else if err != nil {
			return err
		}
		if err := tx.SaveDocument(&d); err != nil {
			return err
		}
		return s.trace(c, tx, role, usager, d.Section, domain.ActionWrite, "dépôt DocumentReference "+d.ID.String()+" ("+d.Kind.Label()+")")
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	if unknown {
		outcome(c, http.StatusBadRequest, fm.IssueTypeNotFound, "Personne introuvable dans l'établissement du client.", "DocumentReference.subject")
		return
	}
	c.Header("Location", baseURL(c)+"/DocumentReference/"+d.ID.String())
	writeJSON(c, http.StatusCreated, documentReference(d))
}
