package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/domain/ins"
)

// maxBundle bounds an imported bundle (documents travel inside).
const maxBundle = 64 << 20

// importedTypes are the resource types the import writes; the scope must
// cover writing each one present in the bundle. Other entries are answered
// as not taken over.
var importedTypes = []string{"Patient", "Encounter", "RelatedPerson", "CarePlan", "Goal", "AllergyIntolerance", "Observation",
	"Communication", "Appointment", "DocumentReference"}

// bundleIn is the transaction as received: entries stay raw until their
// type is known.
type bundleIn struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Entry        []struct {
		FullUrl  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Request  *struct {
			Method string `json:"method"`
			Url    string `json:"url"`
		} `json:"request"`
	} `json:"entry"`
}

// entryError is a refused entry: its index and the badInput inside it.
type entryError struct {
	index int
	typ   string
	err   error
}

func (e entryError) Error() string { return e.err.Error() }
func (e entryError) Unwrap() error { return e.err }

// entry is one decoded entry of the bundle.
type entry struct {
	index    int
	typ      string
	fullUrl  string
	id       string // the resource's id in the sending system
	key      string // the source key of the transfer link
	resource any
}

// importDUI imports a TDDUI transaction Bundle into the client's
// establishment, all or nothing: the person (matched by INS when the
// bundle's identity is qualified and the organisation knows it, by an
// earlier import of the same record, or created PROV and flagged for
// identitovigilance), a pre-admission here, the earlier stays as history
// notes, the entourage, the plan versions with their goals and the
// allergies. Every resource is linked to what it became, so importing the
// same bundle again creates nothing.
func (s *Server) importDUI(c *gin.Context) {
	role, ok := s.allow(c, "Patient", "write")
	if !ok {
		return
	}
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, maxBundle+1))
	if err != nil {
		s.internal(c, err)
		return
	}
	if len(body) > maxBundle {
		outcome(c, http.StatusRequestEntityTooLarge, fm.IssueTypeTooLong, "Lot trop volumineux (64 Mo au plus).")
		return
	}
	entries, err := decodeTransaction(body)
	if s.refused(c, err) {
		return
	}
	cp := client(c)
	for _, typ := range presentTypes(entries) {
		if !domain.ScopesAllow(cp.Scopes, typ, "write") {
			outcome(c, http.StatusForbidden, fm.IssueTypeForbidden, "La portée du jeton ne couvre pas l'import de "+typ+" (portée attendue : system/"+typ+".write).")
			return
		}
	}
	var resp fm.Bundle
	err = s.inTenant(c, func(tx domain.Tx) error {
		im := &importer{s: s, c: c, tx: tx, entries: entries, here: cp.Client.EstablishmentID}
		if err := im.run(); err != nil {
			return err
		}
		resp = im.response()
		for _, sec := range domain.RecordSections {
			if im.sections[sec] {
				if err := s.trace(c, tx, role, im.usager, sec, domain.ActionWrite, fmt.Sprintf("import TDDUI (%d ressource(s) reprise(s))", im.created)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if s.refused(c, err) {
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, resp)
}

// refused answers a refused bundle (400 for its form, 422 for its
// content, naming the entry) and reports whether it did.
func (s *Server) refused(c *gin.Context, err error) bool {
	if err == nil {
		return false
	}
	var ee entryError
	var bad badInput
	var v *domain.ValidationError
	switch {
	case errors.As(err, &ee) && errors.As(ee.err, &bad):
		status, code := http.StatusUnprocessableEntity, fm.IssueTypeInvalid
		if ee.typ == "" || strings.HasPrefix(bad.msg, "Élément inconnu") || strings.HasPrefix(bad.msg, "Type de valeur") || strings.HasPrefix(bad.msg, "JSON") {
			status, code = http.StatusBadRequest, fm.IssueTypeStructure
		}
		path := fmt.Sprintf("Bundle.entry[%d].resource", ee.index)
		if p := strings.TrimPrefix(strings.TrimPrefix(bad.path, ee.typ), "."); p != "" {
			path += "." + p
		}
		outcome(c, status, code, fmt.Sprintf("Entrée %d (%s) : %s Rien n'a été importé.", ee.index, ee.typ, bad.msg), path)
	case errors.As(err, &ee) && errors.As(ee.err, &v):
		fields := make([]string, 0, len(v.Fields))
		for f := range v.Fields {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		outcome(c, http.StatusUnprocessableEntity, fm.IssueTypeInvalid, fmt.Sprintf("Entrée %d (%s) : %s Rien n'a été importé.", ee.index, ee.typ, v.Fields[fields[0]]),
			fmt.Sprintf("Bundle.entry[%d].resource", ee.index))
	case errors.As(err, &ee) && ee.typ == "CarePlan" && errors.Is(ee.err, domain.ErrConflict):
		outcome(c, http.StatusUnprocessableEntity, fm.IssueTypeConflict, fmt.Sprintf("Entrée %d (%s) : la personne a déjà un projet personnalisé en préparation ou en cours dans l'établissement ; terminez-le avant d'importer celui de la structure d'origine. Rien n'a été importé.", ee.index, ee.typ),
			fmt.Sprintf("Bundle.entry[%d].resource", ee.index))
	case errors.As(err, &bad):
		outcome(c, http.StatusBadRequest, fm.IssueTypeStructure, bad.msg+" Rien n'a été importé.", bad.path)
	default:
		return false
	}
	return true
}

// decodeTransaction reads the bundle and decodes each entry strictly
// (unknown elements refused, with their place).
func decodeTransaction(body []byte) ([]entry, error) {
	var b bundleIn
	if err := json.Unmarshal(body, &b); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return nil, badInput{"", fmt.Sprintf("JSON mal formé (position %d).", syntax.Offset)}
		}
		return nil, badInput{"Bundle", "Lot illisible : " + err.Error() + "."}
	}
	if b.ResourceType != "Bundle" {
		return nil, badInput{"Bundle.resourceType", fmt.Sprintf("resourceType %q : un Bundle de type transaction est attendu sur POST /fhir.", b.ResourceType)}
	}
	if b.Type != "transaction" {
		return nil, badInput{"Bundle.type", fmt.Sprintf("Bundle.type %q : seul le type transaction est pris en charge (import TDDUI).", b.Type)}
	}
	var out []entry
	patients := 0
	for i, e := range b.Entry {
		var head struct {
			ResourceType string `json:"resourceType"`
			Id           string `json:"id"`
		}
		if len(e.Resource) == 0 || json.Unmarshal(e.Resource, &head) != nil || head.ResourceType == "" {
			return nil, entryError{i, "", badInput{"", "entrée sans ressource (resource.resourceType manquant)."}}
		}
		if e.Request == nil || e.Request.Method != "POST" {
			return nil, entryError{i, head.ResourceType, badInput{"", "l'entrée doit être une création (request.method POST) : Relais n'importe que des lots TDDUI."}}
		}
		en := entry{index: i, typ: head.ResourceType, fullUrl: e.FullUrl, id: head.Id}
		var err error
		switch head.ResourceType {
		case "Patient":
			patients++
			en.resource, err = decodeAs[fm.Patient](e.Resource)
		case "Organization":
			en.resource, err = decodeAs[fm.Organization](e.Resource)
		case "Encounter":
			en.resource, err = decodeAs[fm.Encounter](e.Resource)
		case "RelatedPerson":
			en.resource, err = decodeAs[fm.RelatedPerson](e.Resource)
		case "CarePlan":
			en.resource, err = decodeAs[fm.CarePlan](e.Resource)
		case "Goal":
			en.resource, err = decodeAs[fm.Goal](e.Resource)
		case "AllergyIntolerance":
			en.resource, err = decodeAs[fm.AllergyIntolerance](e.Resource)
		case "Observation":
			en.resource, err = decodeAs[fm.Observation](e.Resource)
		case "Communication":
			en.resource, err = decodeAs[communication](e.Resource, "identifier")
		case "Appointment":
			en.resource, err = decodeAs[appointment](e.Resource, "identifier")
		case "DocumentReference":
			en.resource, err = decodeAs[fm.DocumentReference](e.Resource)
		case "Binary":
			en.resource, err = decodeAs[fm.Binary](e.Resource)
		}
		if err != nil {
			return nil, entryError{i, head.ResourceType, err}
		}
		en.key = sourceKey(en, e.Resource)
		out = append(out, en)
	}
	if patients != 1 {
		return nil, badInput{"Bundle.entry", fmt.Sprintf("Le lot doit contenir exactement une ressource Patient (il en contient %d).", patients)}
	}
	return out, nil
}

// decodeAs decodes a resource refusing unknown elements (samply's decoder
// drops them silently) but those named in skip, read elsewhere (the
// identifier of Relais's own types, sourceKey).
func decodeAs[T any](raw json.RawMessage, skip ...string) (T, error) {
	var out T
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return out, badInput{"", "Ressource illisible : " + err.Error() + "."}
	}
	delete(fields, "resourceType")
	for _, k := range skip {
		delete(fields, k)
	}
	clean, err := json.Marshal(fields)
	if err != nil {
		return out, err
	}
	dec := json.NewDecoder(bytes.NewReader(clean))
	dec.DisallowUnknownFields()
	err = dec.Decode(&out)
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return out, nil
	case errors.As(err, &typ):
		return out, badInput{typ.Field, "Type de valeur incorrect pour " + typ.Field + "."}
	case strings.Contains(err.Error(), "unknown field"):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return out, badInput{field, "Élément inconnu ou non pris en charge : " + field + "."}
	}
	return out, badInput{"", "Valeur refusée : " + err.Error() + "."}
}

// sourceKey is the stable key of a source resource: its first business
// identifier other than an INS (system|value), else its fullUrl.
func sourceKey(e entry, raw json.RawMessage) string {
	var r struct {
		Identifier []fm.Identifier `json:"identifier"`
	}
	_ = json.Unmarshal(raw, &r) // decoded strictly above
	for _, id := range r.Identifier {
		if id.System != nil && id.Value != nil && !ins.ValidOID(strings.TrimPrefix(*id.System, "urn:oid:")) {
			return *id.System + "|" + *id.Value
		}
	}
	if e.fullUrl != "" {
		return e.fullUrl
	}
	return e.typ + "/" + e.id
}

// presentTypes are the imported types present in the bundle.
func presentTypes(entries []entry) []string {
	var out []string
	for _, e := range entries {
		if slices.Contains(importedTypes, e.typ) && !slices.Contains(out, e.typ) {
			out = append(out, e.typ)
		}
	}
	return out
}

// importer writes one bundle in one tenant transaction.
type importer struct {
	s       *Server
	c       *gin.Context
	tx      domain.Tx
	entries []entry
	here    uuid.UUID
	usager  uuid.UUID
	// results per entry index: status and location.
	results  map[int]fm.BundleEntryResponse
	sections map[domain.Section]bool
	created  int
	// links are the earlier imports of the bundle's entries, by type and
	// source key (read at once).
	links map[[2]string]domain.TransferLink
}

// byRef finds the entry a reference designates (its fullUrl, or Type/id).
func (im *importer) byRef(ref *fm.Reference) (entry, bool) {
	if ref == nil || ref.Reference == nil {
		return entry{}, false
	}
	r := *ref.Reference
	for _, e := range im.entries {
		if (e.fullUrl != "" && e.fullUrl == r) || (e.id != "" && r == e.typ+"/"+e.id) || strings.HasSuffix(e.fullUrl, "/"+r) {
			return e, true
		}
	}
	return entry{}, false
}

// aboutPatient checks that a reference designates the bundle's Patient.
func (im *importer) aboutPatient(ref *fm.Reference, path string) error {
	if e, ok := im.byRef(ref); ok && e.typ == "Patient" {
		return nil
	}
	return badInput{path, "La référence doit désigner le Patient du lot."}
}

func (im *importer) run() error {
	im.results, im.sections = map[int]fm.BundleEntryResponse{}, map[domain.Section]bool{domain.SectionAdmin: true}
	keys := make([]string, 0, len(im.entries))
	for _, e := range im.entries {
		keys = append(keys, e.key)
	}
	links, err := im.tx.TransferLinks(keys)
	if err != nil {
		return err
	}
	im.links = map[[2]string]domain.TransferLink{}
	for _, l := range links {
		im.links[[2]string{l.ResourceType, l.SourceKey}] = l
	}
	for _, e := range im.entries {
		if e.typ == "Patient" {
			if err := im.patient(e); err != nil {
				return entryError{e.index, e.typ, err}
			}
		}
	}
	goals := map[int]mappedGoal{}
	var plans []entry
	for _, e := range im.entries {
		var err error
		switch r := e.resource.(type) {
		case fm.Patient:
		case fm.Organization:
			im.results[e.index] = fm.BundleEntryResponse{Status: "200 OK", Outcome: info("Structure d'origine : nommée dans l'historique, non reprise.")}
		case fm.Encounter:
			err = im.stay(e, r)
		case fm.RelatedPerson:
			err = im.contact(e, r)
		case fm.AllergyIntolerance:
			err = im.allergy(e, r)
		case fm.Goal:
			if err = im.aboutPatient(&r.Subject, "subject"); err == nil {
				var g mappedGoal
				g.goal, g.ev, err = goalFromFHIR(r)
				goals[e.index] = g
			}
		case fm.CarePlan:
			plans = append(plans, e)
		case fm.Observation:
			err = im.observation(e, r)
		case communication:
			err = im.liaisonNote(e, r)
		case appointment:
			err = im.event(e, r)
		case fm.DocumentReference:
			err = im.document(e, r)
		case fm.Binary:
			if _, taken := im.results[e.index]; !taken {
				im.results[e.index] = fm.BundleEntryResponse{Status: "200 OK", Outcome: info("Fichier sans DocumentReference dans le lot : non repris.")}
			}
		default:
			im.results[e.index] = fm.BundleEntryResponse{Status: "200 OK", Outcome: info(notTaken(e.typ))}
		}
		if err != nil {
			return entryError{e.index, e.typ, err}
		}
	}
	return im.plans(plans, goals)
}

// notTaken says why an entry of another type is not taken over.
func notTaken(typ string) string {
	switch typ {
	case "Consent":
		return "Consentement recueilli par la structure d'origine : il ne vaut pas pour celle qui accueille, à recueillir de nouveau ; non repris."
	case "MedicationRequest", "MedicationAdministration":
		return "Traitement de la structure d'origine : à prescrire de nouveau dans l'établissement ; non repris."
	}
	return "Type de ressource non repris par Relais : ignoré."
}

func info(msg string) json.RawMessage {
	raw, _ := marshal(fm.OperationOutcome{Issue: []fm.OperationOutcomeIssue{{Severity: fm.IssueSeverityInformation, Code: fm.IssueTypeInformational, Diagnostics: &msg}}})
	return raw
}

// linked reports whether a source resource was imported before; it then
// answers the entry with the record it became.
func (im *importer) linked(e entry, typ string) (bool, error) {
	l, ok := im.links[[2]string{e.typ, e.key}]
	if !ok {
		return false, nil
	}
	r := fm.BundleEntryResponse{Status: "200 OK"}
	if typ != "" {
		r.Location = ptr(typ + "/" + l.LocalID.String())
	}
	im.results[e.index] = r
	return true, nil
}

// done links a new record to its source and answers the entry.
func (im *importer) done(e entry, typ string, local uuid.UUID) error {
	im.created++
	r := fm.BundleEntryResponse{Status: "201 Created"}
	if typ != "" {
		r.Location = ptr(typ + "/" + local.String())
	} else {
		r.Outcome = info("Séjour d'une autre structure : repris en note d'historique du dossier (section administrative).")
	}
	im.results[e.index] = r
	l := domain.TransferLink{ResourceType: e.typ, SourceKey: e.key, LocalID: local, UsagerID: im.usager}
	im.links[[2]string{e.typ, e.key}] = l // an entry repeated in the bundle is found too
	return im.tx.SaveTransferLink(l)
}

// patient finds or creates the person, and makes sure a stay opens here.
func (im *importer) patient(e entry) error {
	p := e.resource.(fm.Patient)
	in, err := patientInput(p)
	if err != nil {
		return err
	}
	u, err := in.Parse(im.s.cfg.Now())
	if err != nil {
		return fieldError(err, relativePaths(fieldPaths), "")
	}
	l, err := im.tx.TransferLink("Patient", e.key)
	switch {
	case err == nil:
		im.usager = l.UsagerID
		if known, err := im.tx.Usager(l.UsagerID); err == nil && known.MergedInto != uuid.Nil {
			im.usager = known.MergedInto
		}
		im.results[e.index] = fm.BundleEntryResponse{Status: "200 OK", Location: ptr("Patient/" + im.usager.String())}
	case !errors.Is(err, domain.ErrNotFound):
		return err
	default:
		if err := im.matchOrCreate(e, p, u); err != nil {
			return err
		}
	}
	return im.openStay()
}

// relativePaths strips "Patient." from the identity form's paths (the
// importer prefixes the entry).
func relativePaths(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = strings.TrimPrefix(v, "Patient.")
	}
	return out
}

// qualifiedINS is the INS of a Patient whose identity the sender qualified.
func qualifiedINS(p fm.Patient) string {
	qual := false
	for _, x := range p.Extension {
		if x.Url != extIdentityReliability {
			continue
		}
		for _, y := range x.Extension {
			if y.Url == "identityStatus" && y.ValueCoding != nil && y.ValueCoding.Code != nil && *y.ValueCoding.Code == string(domain.IdentityQUAL) {
				qual = true
			}
		}
	}
	if !qual {
		return ""
	}
	for _, id := range p.Identifier {
		if id.System != nil && id.Value != nil && ins.ValidOID(strings.TrimPrefix(*id.System, "urn:oid:")) {
			return *id.Value
		}
	}
	return ""
}

// matchOrCreate finds the person by INS (qualified on both sides), else
// creates a provisional identity flagged for identitovigilance.
func (im *importer) matchOrCreate(e entry, p fm.Patient, u domain.Usager) error {
	cp := client(im.c)
	if matricule := qualifiedINS(p); matricule != "" {
		estabs, err := im.tx.Establishments()
		if err != nil {
			return err
		}
		ids := make([]uuid.UUID, len(estabs))
		for i, es := range estabs {
			ids[i] = es.ID
		}
		page, err := im.tx.ListUsagers(domain.UsagerQuery{INS: matricule, Establishments: ids, Limit: 2})
		if err != nil {
			return err
		}
		if len(page.Rows) == 1 {
			im.usager = page.Rows[0].ID
			im.results[e.index] = fm.BundleEntryResponse{Status: "200 OK", Location: ptr("Patient/" + im.usager.String()),
				Outcome: info("Personne reconnue par son INS qualifiée : dossier existant complété.")}
			return im.tx.SaveTransferLink(domain.TransferLink{ResourceType: "Patient", SourceKey: e.key, LocalID: im.usager, UsagerID: im.usager})
		}
	}
	u.ID, u.IdentityStatus = uuid.Nil, domain.IdentityPROV
	stay := domain.Stay{EstablishmentID: im.here, Status: domain.StayPreadmission, Mode: im.mode()}
	if err := im.tx.CreateUsager(&u, &stay); err != nil {
		return err
	}
	im.usager = u.ID
	ident, err := im.tx.Identity(u.ID)
	if err != nil {
		return err
	}
	ev := domain.IdentityEvent{Kind: domain.EventTransferImported, From: domain.IdentityPROV, To: domain.IdentityPROV, At: im.s.cfg.Now(),
		By: cp.UserID, Description: "Dossier reçu par transfert TDDUI (" + im.sender() + ") : identité créée provisoire, à vérifier par l'identitovigilance.",
		Warnings: []string{"Identité reçue d'une autre structure : vérifiez-la (pièce d'identité, téléservice INSi) avant de la valider."}}
	if qualifiedINS(p) != "" {
		ev.Warnings = append(ev.Warnings, "La structure d'origine l'avait qualifiée (INS transmis) : interrogez l'INSi pour la qualifier ici.")
	}
	if err := im.tx.SaveIdentity(u.ID, ident, ev, cp.DisplayName); err != nil {
		return err
	}
	return im.done(e, "Patient", u.ID)
}

// sender names the sending organisation (its first Organization entry).
func (im *importer) sender() string {
	for _, e := range im.entries {
		if o, ok := e.resource.(fm.Organization); ok && o.PartOf == nil {
			return orgLabel(o)
		}
	}
	return "structure d'origine"
}

func orgLabel(o fm.Organization) string {
	name := deref(o.Name)
	for _, id := range o.Identifier {
		if id.System != nil && *id.System == systemFINESS && id.Value != nil {
			return name + " (FINESS " + *id.Value + ")"
		}
	}
	return name
}

// mode is the modalité d'accueil of the stay under way at the sender, the
// likeliest for the new one; permanent otherwise.
func (im *importer) mode() domain.Mode {
	for _, e := range im.entries {
		if enc, ok := e.resource.(fm.Encounter); ok && enc.Status == fm.EncounterStatusInProgress {
			if m := stayMode(enc); m != "" {
				return m
			}
		}
	}
	return domain.ModePermanent
}

// openStay opens a pre-admission here unless a stay is already open.
func (im *importer) openStay() error {
	stays, err := im.tx.Stays(im.usager)
	if err != nil {
		return err
	}
	for _, st := range stays {
		if st.EstablishmentID == im.here && st.Open() {
			return nil
		}
	}
	st := domain.Stay{UsagerID: im.usager, EstablishmentID: im.here, Status: domain.StayPreadmission, Mode: im.mode()}
	return im.tx.SaveStay(&st)
}

// stay writes a stay of the sender as a history note.
func (im *importer) stay(e entry, r fm.Encounter) error {
	if err := im.aboutPatient(r.Subject, "subject"); err != nil {
		return err
	}
	provider := ""
	if o, ok := im.byRef(r.ServiceProvider); ok {
		if org, ok := o.resource.(fm.Organization); ok {
			provider = orgLabel(org)
		}
	}
	body, err := stayHistory(r, provider)
	if err != nil {
		return err
	}
	if done, err := im.linked(e, ""); done || err != nil {
		return err
	}
	cp := client(im.c)
	n := domain.Note{UsagerID: im.usager, Section: domain.SectionAdmin, AuthorID: cp.UserID, AuthorName: cp.DisplayName, Body: body, WrittenAt: im.s.cfg.Now()}
	if err := im.tx.SaveNote(&n); err != nil {
		return err
	}
	return im.done(e, "", n.ID)
}

func (im *importer) contact(e entry, r fm.RelatedPerson) error {
	if err := im.aboutPatient(&r.Patient, "patient"); err != nil {
		return err
	}
	ct, err := contactFromFHIR(r)
	if err != nil {
		return err
	}
	if done, err := im.linked(e, "RelatedPerson"); done || err != nil {
		return err
	}
	ct.UsagerID = im.usager
	if err := im.tx.SaveContact(&ct); err != nil {
		return err
	}
	return im.done(e, "RelatedPerson", ct.ID)
}

func (im *importer) allergy(e entry, r fm.AllergyIntolerance) error {
	if err := im.aboutPatient(&r.Patient, "patient"); err != nil {
		return err
	}
	m, err := allergyFromFHIR(r, im.s.cfg.Now())
	if err != nil {
		return err
	}
	if done, err := im.linked(e, "AllergyIntolerance"); done || err != nil {
		return err
	}
	cp := client(im.c)
	m.UsagerID, m.AuthorID = im.usager, cp.UserID
	if m.AuthorName == "" {
		m.AuthorName = cp.DisplayName
	}
	if m.RecordedAt.IsZero() {
		m.RecordedAt = im.s.cfg.Now()
	}
	if err := im.tx.SaveMedicalItem(&m); err != nil {
		return err
	}
	im.sections[domain.SectionMedical] = true
	return im.done(e, "AllergyIntolerance", m.ID)
}

// plans writes the plan versions, oldest first (a version follows the one
// it replaces), each with its goals, in the receiving establishment.
func (im *importer) plans(plans []entry, goals map[int]mappedGoal) error {
	byKey := map[string]entry{}
	for _, e := range plans {
		byKey[e.fullUrl] = e
	}
	// Order: a version after the one it replaces.
	var ordered []entry
	seen := map[int]bool{}
	var visit func(e entry)
	visit = func(e entry) {
		if seen[e.index] {
			return
		}
		seen[e.index] = true
		for _, r := range e.resource.(fm.CarePlan).Replaces {
			if prev, ok := im.byRef(&r); ok && prev.typ == "CarePlan" {
				visit(prev)
			}
		}
		ordered = append(ordered, e)
	}
	for _, e := range plans {
		visit(e)
	}
	local := map[int]domain.Plan{}
	usedGoals := map[int]bool{}
	for _, e := range ordered {
		cpl := e.resource.(fm.CarePlan)
		if err := im.aboutPatient(&cpl.Subject, "subject"); err != nil {
			return entryError{e.index, e.typ, err}
		}
		var mine []mappedGoal
		var goalEntries []int
		for i, ref := range cpl.Goal {
			g, ok := im.byRef(&ref)
			if !ok || g.typ != "Goal" {
				return entryError{e.index, e.typ, badInput{fmt.Sprintf("goal[%d]", i), "La référence doit désigner un Goal du lot."}}
			}
			mine = append(mine, goals[g.index])
			goalEntries = append(goalEntries, g.index)
			usedGoals[g.index] = true
		}
		done, err := im.linked(e, "CarePlan")
		if err != nil {
			return err
		}
		if done {
			for _, gi := range goalEntries {
				if _, err := im.linked(im.entries[gi], "Goal"); err != nil {
					return err
				}
			}
			continue
		}
		p, err := planFromFHIR(cpl, mine)
		if err != nil {
			return entryError{e.index, e.typ, err}
		}
		p.UsagerID, p.EstablishmentID = im.usager, im.here
		p.UpdatedBy, p.UpdatedByName = client(im.c).UserID, client(im.c).DisplayName
		for _, r := range cpl.Replaces {
			if prev, ok := im.byRef(&r); ok {
				if lp, ok := local[prev.index]; ok {
					p.PreviousID, p.Version = lp.ID, lp.Version+1
				}
			}
		}
		if err := im.tx.CreatePlan(&p); err != nil {
			return entryError{e.index, e.typ, err}
		}
		local[e.index] = p
		if err := im.done(e, "CarePlan", p.ID); err != nil {
			return err
		}
		for i, gi := range goalEntries {
			ge := im.entries[gi]
			if err := im.done(ge, "Goal", p.Goals[i].ID); err != nil {
				return err
			}
		}
	}
	for gi := range goals {
		if !usedGoals[gi] {
			im.results[gi] = fm.BundleEntryResponse{Status: "200 OK", Outcome: info("Objectif sans projet personnalisé dans le lot : non repris.")}
		}
	}
	return nil
}

// response is the transaction-response: one entry per entry received, in
// order.
func (im *importer) response() fm.Bundle {
	b := fm.Bundle{Type: fm.BundleTypeTransactionResponse}
	for i := range im.entries {
		r := im.results[im.entries[i].index]
		b.Entry = append(b.Entry, fm.BundleEntry{Response: &r})
	}
	return b
}
