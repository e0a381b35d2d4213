package fhir

import (
	"errors"
	"fmt"
	"mime"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
)

// The record's resources whose habilitations depend on each item's section
// (liaison notes, events, documents) and those with their own search
// (observations, medication), for the TDDUI export and import.

// readableSections are the record sections the client may read a resource
// type in: its scope must cover the type, its role each section.
func (s *Server) readableSections(c *gin.Context, resource string) []domain.Section {
	cp := client(c)
	if !domain.ScopesAllow(cp.Scopes, resource, "read") {
		return nil
	}
	var out []domain.Section
	for _, sec := range domain.RecordSections {
		if _, ok := s.cfg.Authz.Can(cp.Principal, cp.Client.EstablishmentID, sec, domain.ActionRead); ok {
			out = append(out, sec)
		}
	}
	return out
}

// exportItems lists the person's record as far as the client may read it,
// in bundle order, with the sections read (for the trail).
func (s *Server) exportItems(c *gin.Context, tx domain.Tx, usager uuid.UUID) ([]bundleItem, map[domain.Section]bool, error) {
	var items []bundleItem
	sections := map[domain.Section]bool{}
	typed := append([]scopedResource{}, exportTypes()...)
	for _, r := range append(s.medicationResources(client(c).Client.EstablishmentID), observationResource()) {
		typed = append(typed, r.scopedResource)
	}
	for _, r := range typed {
		if !s.mayRead(c, r.name) {
			continue
		}
		list, err := r.list(tx, usager)
		if err != nil {
			return nil, nil, fmt.Errorf("export %s: %w", r.name, err)
		}
		for _, it := range list {
			items = append(items, bundleItem{r.name, it.id, it.res})
		}
		sections[sectionOf(r.name)] = true
	}
	cp := client(c)
	// Liaison notes of the readable sections, each with its replies.
	if secs := s.readableSections(c, "Communication"); len(secs) > 0 {
		var readable []domain.EstabSection
		for _, sec := range secs {
			readable = append(readable, domain.EstabSection{EstablishmentID: cp.Client.EstablishmentID, Section: sec})
		}
		// The same threads as the Communication search (its latest 100).
		notes, err := tx.LiaisonThreads(usager, readable)
		if err != nil {
			return nil, nil, fmt.Errorf("export liaison: %w", err)
		}
		for _, n := range notes {
			items = append(items, bundleItem{"Communication", n.ID, liaison(n)})
			sections[n.Section] = true
		}
	}
	if secs := s.readableSections(c, "Appointment"); len(secs) > 0 {
		events, err := tx.UsagerEvents(usager, time.Time{}, time.Time{})
		if err != nil {
			return nil, nil, fmt.Errorf("export events: %w", err)
		}
		for _, e := range events {
			if sectionIn(secs, e.Section) {
				items = append(items, bundleItem{"Appointment", e.ID, agendaEvent(e)})
				sections[e.Section] = true
			}
		}
	}
	// Documents with their files: the DocumentReference points at its
	// Binary entry (a name-based id: a fullUrl is unique in a bundle).
	for _, sec := range s.readableSections(c, "DocumentReference") {
		_, restricted := s.cfg.Authz.Can(cp.Principal, cp.Client.EstablishmentID, sec, domain.ActionValidate)
		docs, err := tx.Documents(usager, sec, restricted)
		if err != nil {
			return nil, nil, fmt.Errorf("export documents: %w", err)
		}
		for _, d := range docs {
			if d.Content, err = tx.DocumentContent(d.ID); err != nil {
				return nil, nil, err
			}
			items = append(items, documentItems(d)...)
			sections[sec] = true
		}
	}
	return items, sections, nil
}

// documentItems are a document's DocumentReference and Binary entries.
func documentItems(d domain.Document) []bundleItem {
	bin := binaryID(d.ID)
	dr := documentReference(d)
	dr.Content[0].Attachment.Url = ptr("urn:uuid:" + bin.String())
	b := binary(d)
	b.Id = ptr(bin.String())
	return []bundleItem{{"DocumentReference", d.ID, dr}, {"Binary", bin, b}}
}

// binaryID names the Binary entry of a document.
func binaryID(doc uuid.UUID) uuid.UUID { return uuid.NewSHA1(doc, []byte("Binary")) }

// practitionerNames are the display names of the accounts the items point
// to: outside the bundle, a reference becomes its name (another system
// cannot resolve Relais's accounts).
func practitionerNames(tx domain.Tx, items []bundleItem) (map[string]string, error) {
	names := map[string]string{}
	for _, it := range items {
		raw, err := marshal(it.res)
		if err != nil {
			return nil, err
		}
		for _, m := range refRe.FindAllSubmatch(raw, -1) {
			target := string(m[1])
			id, found := cutPrefix(target, "Practitioner/")
			if !found || names[target] != "" {
				continue
			}
			u, err := tx.User(id)
			if errors.Is(err, domain.ErrNotFound) {
				names[target] = "Professionnel de la structure d'origine"
				continue
			}
			if err != nil {
				return nil, err
			}
			names[target] = u.DisplayName
		}
	}
	return names, nil
}

func cutPrefix(s, prefix string) (uuid.UUID, bool) {
	if len(s) <= len(prefix) || s[:len(prefix)] != prefix {
		return uuid.Nil, false
	}
	id, err := uuid.Parse(s[len(prefix):])
	return id, err == nil
}

// liaisonNote takes over a note of the cahier de liaison as a journal note
// of its section: its recipients are accounts of the sending organisation,
// and old messages would land unread in the new team's inbox.
func (im *importer) liaisonNote(e entry, cm communication) error {
	if err := im.aboutPatient(cm.Subject, "subject"); err != nil {
		return err
	}
	cm.Subject, cm.InResponseTo, cm.Recipient = ref("Patient", im.usager), nil, nil
	n, err := liaisonFromFHIR(cm, domain.SectionAdmin)
	if err != nil {
		return fieldError(err, liaisonPaths, "Communication")
	}
	if done, err := im.linked(e, ""); done || err != nil {
		return err
	}
	sent, err := fhirDate(cm.Sent, "sent")
	if err != nil {
		return err
	}
	if sent.IsZero() {
		sent = im.s.cfg.Now()
	}
	author := "structure d'origine"
	if cm.Sender != nil && cm.Sender.Display != nil {
		author = *cm.Sender.Display
	}
	note, err := domain.ParseNote(n.Section, "Note de liaison reçue par transfert TDDUI ("+n.Priority.Label()+", "+author+", "+im.sender()+") :\n"+n.Body)
	if err != nil {
		return fieldError(err, map[string]string{"body": "payload[0].contentString"}, "payload")
	}
	cp := client(im.c)
	note.UsagerID, note.AuthorID, note.AuthorName, note.WrittenAt = im.usager, cp.UserID, author+" (transfert TDDUI)", sent
	if err := im.tx.SaveNote(&note); err != nil {
		return err
	}
	im.sections[note.Section] = true
	return im.done(e, "", note.ID)
}

// event takes over an event of the record; a professional of the sending
// organisation stays by name among the participants.
func (im *importer) event(e entry, a appointment) error {
	patient := false
	var parts []appointmentParticipant
	for i, p := range a.Participant {
		if p.Actor != nil && p.Actor.Reference != nil {
			if err := im.aboutPatient(p.Actor, fmt.Sprintf("participant[%d].actor", i)); err != nil {
				return err
			}
			patient = true
			p.Actor = ref("Patient", im.usager)
		}
		parts = append(parts, p)
	}
	if !patient {
		return badInput{"participant", "La personne (participant Patient du lot) est obligatoire."}
	}
	a.Participant = parts
	ev, err := appointmentFromFHIR(a, domain.SectionAdmin)
	if err != nil {
		return fieldError(err, appointmentPaths, "Appointment")
	}
	if done, err := im.linked(e, "Appointment"); done || err != nil {
		return err
	}
	cp := client(im.c)
	ev.UsagerID, ev.AuthorID, ev.AuthorName = im.usager, cp.UserID, cp.DisplayName+" (transfert TDDUI)"
	if err := im.tx.SaveEvent(&ev); err != nil {
		return err
	}
	im.sections[ev.Section] = true
	return im.done(e, "Appointment", ev.ID)
}

// observation takes over a measurement; one entered in error at the
// sender is left out.
func (im *importer) observation(e entry, o fm.Observation) error {
	if o.Status == fm.ObservationStatusEnteredInError {
		im.results[e.index] = fm.BundleEntryResponse{Status: "200 OK", Outcome: info("Saisie erronée dans la structure d'origine : non reprise.")}
		return nil
	}
	if err := im.aboutPatient(o.Subject, "subject"); err != nil {
		return err
	}
	o.Subject = ref("Patient", im.usager)
	in, _, at, paths, err := observationFromFHIR(o)
	if err != nil {
		return fieldError(err, paths, "Observation")
	}
	ob, err := in.Parse(im.s.cfg.Now())
	if err != nil {
		return fieldError(err, paths, "Observation")
	}
	if done, err := im.linked(e, "Observation"); done || err != nil {
		return err
	}
	if !at.IsZero() {
		ob.MeasuredAt = at
	}
	cp := client(im.c)
	ob.UsagerID, ob.EstablishmentID, ob.AuthorID, ob.RecordedAt = im.usager, im.here, cp.UserID, im.s.cfg.Now().UTC()
	ob.AuthorName = cp.DisplayName + " (transfert TDDUI)"
	if len(o.Performer) > 0 && o.Performer[0].Display != nil {
		ob.AuthorName = *o.Performer[0].Display + " (transfert TDDUI)"
	}
	batch := []domain.Observation{ob}
	if err := im.tx.SaveObservations(batch); err != nil {
		return err
	}
	im.sections[domain.SectionCare] = true
	return im.done(e, "Observation", batch[0].ID)
}

// document takes over a document with the file of its Binary entry (or
// the data inline), with the upload form's checks.
func (im *importer) document(e entry, r fm.DocumentReference) error {
	if err := im.aboutPatient(r.Subject, "subject"); err != nil {
		return err
	}
	r.Subject = ref("Patient", im.usager)
	if len(r.Content) == 1 && r.Content[0].Attachment.Data == nil && r.Content[0].Attachment.Url != nil {
		b, ok := im.byRef(&fm.Reference{Reference: r.Content[0].Attachment.Url})
		bin, isBinary := b.resource.(fm.Binary)
		if !ok || !isBinary || bin.Data == nil {
			return badInput{"content[0].attachment.url", "Le fichier doit être une entrée Binary du lot (ou attachment.data)."}
		}
		r.Content[0].Attachment.Data = bin.Data
		im.results[b.index] = fm.BundleEntryResponse{Status: "200 OK", Outcome: info("Fichier repris avec son DocumentReference.")}
	}
	in, _, declared, err := documentFromFHIR(r)
	if err != nil {
		return fieldError(err, documentPaths, "DocumentReference")
	}
	d, err := domain.ParseDocument(in)
	if err != nil {
		return fieldError(err, documentPaths, "DocumentReference")
	}
	if mt, _, _ := mime.ParseMediaType(declared); declared != "" && mt != d.ContentType {
		return badInput{"content[0].attachment.contentType", fmt.Sprintf("Le type déclaré (%s) ne correspond pas au contenu du fichier (%s).", declared, d.ContentType)}
	}
	if done, err := im.linked(e, "DocumentReference"); done || err != nil {
		return err
	}
	cp := client(im.c)
	d.UsagerID, d.UploadedBy, d.UploadedByName, d.UploadedAt = im.usager, cp.UserID, cp.DisplayName+" (transfert TDDUI)", im.s.cfg.Now().UTC()
	if len(r.Author) > 0 && r.Author[0].Display != nil {
		d.UploadedByName = *r.Author[0].Display + " (transfert TDDUI)"
	}
	if r.Date != nil {
		if t, err := time.Parse(time.RFC3339Nano, *r.Date); err == nil {
			d.UploadedAt = t.UTC()
		}
	}
	if err := im.tx.SaveDocument(&d); err != nil {
		return err
	}
	im.sections[d.Section] = true
	return im.done(e, "DocumentReference", d.ID)
}
