package dmp

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/dmp/cda"
	"github.com/relais-dui/relais/dmp/outbox"
	"github.com/relais-dui/relais/dmp/xds"
	"github.com/relais-dui/relais/domain"
)

// XDS classCodes (TRE_A03 ClasseDocument, JDV_J06): the DLU is a synthesis,
// a PDF of the record a report.
var (
	ClassSynthesis = xds.Code{Code: "11", CodeSystem: "1.2.250.1.213.1.1.4.1", DisplayName: "Synthèse"}
	ClassReport    = xds.Code{Code: "10", CodeSystem: "1.2.250.1.213.1.1.4.1", DisplayName: "Compte rendu"}
)

// Sender is who decides a send, as the trail and the VIHF assertion name
// them.
type Sender struct {
	UserID   uuid.UUID
	Username string
	Role     domain.Role
	Account  domain.Practitioner
}

// Request fills the parts of an outbox request that come from the sender
// and the establishment.
func (s Sender) Request(usager uuid.UUID, estab domain.Establishment, section domain.Section, doc []byte, class, format xds.Code) outbox.Request {
	r := outbox.Request{UsagerID: usager, EstablishmentID: estab.ID, Section: section, CDA: doc, ClassCode: class, FormatCode: format,
		UserID: s.UserID, Username: s.Username, Role: string(s.Role), SubjectName: s.Account.DisplayName,
		StructureID: "1" + estab.FinessET}
	fc := cda.FacilityCode(estab.Category)
	r.Sector = xds.Code{Code: fc.Code, CodeSystem: fc.System, DisplayName: fc.Display}
	// A professional with an RPPS is named by idNatPS; otherwise by the
	// structure's identifier of the account.
	if s.Account.RPPS != "" && domain.CheckRPPS(s.Account.RPPS) == "" {
		r.SubjectID = "8" + s.Account.RPPS
	} else {
		r.SubjectID = "1" + estab.FinessET + "/" + s.UserID.String()
	}
	if s.Account.Profession != "" {
		pc := cda.ProfessionCode(s.Account.Profession)
		r.Profession = xds.Code{Code: pc.Code, CodeSystem: pc.System, DisplayName: pc.Display}
	}
	return r
}

// Version is where a new document version stands in its set, from the
// outbox rows of the person.
type Version struct {
	Number   int
	Replaces uuid.UUID // the latest version sent, Nil for a first version
	// Pending: a version of the set is still waiting to be sent; a new one
	// would race it.
	Pending bool
}

// NextVersion reads the rows of a set (its setId) to number the next
// version and name the one it replaces: the latest version sent. Without
// one (nothing sent yet, or only refusals) the next is a first version.
func NextVersion(items []domain.DMPOutboxItem, setID uuid.UUID) Version {
	set := cda.OID(setID)
	var v Version
	var latest time.Time
	for _, it := range items {
		if it.Kind != domain.DMPProvide || it.SetID != set {
			continue
		}
		v.Number++ // numbers only grow, whatever became of earlier versions
		switch it.Status {
		case domain.DMPWaiting:
			v.Pending = true
		case domain.DMPSent:
			if id, ok := UUIDOfOID(it.UniqueID); ok && !it.SentAt.Before(latest) {
				v.Replaces, latest = id, it.SentAt
			}
		}
	}
	v.Number++
	if v.Replaces == uuid.Nil {
		v.Number = 1
	}
	return v
}

// UUIDOfOID reads back a 2.25 OID made from a UUID.
func UUIDOfOID(oid string) (uuid.UUID, bool) {
	dec, ok := strings.CutPrefix(oid, "2.25.")
	if !ok {
		return uuid.Nil, false
	}
	n, ok := new(big.Int).SetString(dec, 10)
	if !ok || n.Sign() < 0 || n.BitLen() > 128 {
		return uuid.Nil, false
	}
	var u uuid.UUID
	n.FillBytes(u[:])
	return u, true
}

// DLUSetID is the set of all DLU versions of a resident in an EHPAD.
func DLUSetID(estab, usager uuid.UUID) uuid.UUID {
	return uuid.NewSHA1(estab, []byte("dlu/"+usager.String()))
}

// DocumentSetID is the set of the versions of a record's document.
func DocumentSetID(document uuid.UUID) uuid.UUID {
	return uuid.NewSHA1(document, []byte("dmp"))
}

// SendDLU builds the DLU as it is now, as the next version of the
// resident's DLU in the DMP, and enqueues it in tx.
func SendDLU(tx domain.Tx, d DLU, s Sender) (domain.DMPOutboxItem, error) {
	items, err := tx.DMPOutbox(d.Usager.ID)
	if err != nil {
		return domain.DMPOutboxItem{}, fmt.Errorf("DMP outbox: %w", err)
	}
	v := NextVersion(items, DLUSetID(d.Establishment.ID, d.Usager.ID))
	if v.Pending {
		return domain.DMPOutboxItem{}, &domain.DMPRefusal{Reason: "Une version du DLU attend déjà d'être envoyée au DMP : attendez son envoi avant d'en envoyer une nouvelle."}
	}
	doc, err := d.cda(uuid.New(), AuthorOf(s.Account), v)
	if err != nil {
		return domain.DMPOutboxItem{}, err
	}
	it, _, err := outbox.Enqueue(tx, s.Request(d.Usager.ID, d.Establishment, domain.SectionMedical, doc, ClassSynthesis, xds.FormatDLU))
	return it, err
}

// SendDocument wraps a PDF of the record in a CDA level 1, as the next
// version of that document in the DMP, and enqueues it in tx with the
// masking chosen for it (none, MASQUE_PS, INVISIBLE_PATIENT).
func SendDocument(tx domain.Tx, doc domain.Document, estab domain.Establishment, s Sender, masking []xds.Masking, now time.Time) (domain.DMPOutboxItem, error) {
	typ, ok := DocumentType(doc.Kind)
	if !ok || doc.ContentType != "application/pdf" {
		return domain.DMPOutboxItem{}, &domain.DMPRefusal{Reason: "Seuls les PDF de comptes rendus, ordonnances, bilans et courriers vont au DMP : « " + doc.Title + " » n'est pas envoyé."}
	}
	items, err := tx.DMPOutbox(doc.UsagerID)
	if err != nil {
		return domain.DMPOutboxItem{}, fmt.Errorf("DMP outbox: %w", err)
	}
	set := DocumentSetID(doc.ID)
	v := NextVersion(items, set)
	if v.Pending {
		return domain.DMPOutboxItem{}, &domain.DMPRefusal{Reason: "Une version de « " + doc.Title + " » attend déjà d'être envoyée au DMP."}
	}
	u, err := tx.Usager(doc.UsagerID)
	if err != nil {
		return domain.DMPOutboxItem{}, err
	}
	id, err := tx.Identity(doc.UsagerID)
	if err != nil {
		return domain.DMPOutboxItem{}, err
	}
	content, err := tx.DocumentContent(doc.ID)
	if err != nil {
		return domain.DMPOutboxItem{}, err
	}
	cdaDoc, err := PDFOfRecord(u, id, estab, typ, doc.Title, content,
		PDFVersion{ID: uuid.New(), SetID: set, Version: v.Number, Replaces: v.Replaces}, AuthorOf(s.Account), now)
	if err != nil {
		return domain.DMPOutboxItem{}, err
	}
	r := s.Request(doc.UsagerID, estab, doc.Section, cdaDoc, ClassReport, xds.FormatPDF)
	r.Masking = masking
	it, _, err := outbox.Enqueue(tx, r)
	return it, err
}
