// Package xdstest is an in-memory DMP for tests and the simulation mode: an
// XDS.b repository and registry answering ITI-41 and ITI-57 as the real one
// does for the cases Relais meets.
package xdstest

import (
	"context"
	"crypto/sha1" //nolint:gosec // XDS.b hash
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"

	"github.com/relais-dui/relais/dmp/xds"
)

// Stored is a document held by the peer.
type Stored struct {
	EntryUUID  string
	UniqueID   string
	PatientID  string
	SetID      string
	Hash       string
	CDA        []byte
	Entry      xds.RequestEntry
	Deprecated bool
	ReplacedBy string // uniqueId of the replacing document
}

// Peer is the test DMP. Its zero value is not usable: use New.
type Peer struct {
	mu       sync.Mutex
	patients map[string]bool // patientId values with a DMP open
	opposed  map[string]bool // patientIds whose DMP refuses this structure
	docs     map[string]*Stored
	byEntry  map[string]*Stored
	fail     int // next requests answered 503
	requests int
	// RequireClientCert refuses requests without a TLS client certificate.
	RequireClientCert bool
	// AnyPatient opens a DMP for every patient (simulation mode).
	AnyPatient bool
}

// New returns an empty peer.
func New() *Peer {
	return &Peer{patients: map[string]bool{}, opposed: map[string]bool{}, docs: map[string]*Stored{}, byEntry: map[string]*Stored{}}
}

// AddPatient opens a DMP for ins (the NH patientId is derived from it).
func (p *Peer) AddPatient(ins xds.II) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.patients[xds.PatientID(ins)] = true
}

// ClosePatient closes the person's DMP: documents for them are refused as
// for an unknown patient.
func (p *Peer) ClosePatient(ins xds.II) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.patients, xds.PatientID(ins))
}

// Oppose records that the person forbade this structure to access the DMP.
func (p *Peer) Oppose(ins xds.II) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.opposed[xds.PatientID(ins)] = true
}

// FailNext makes the next n requests answer 503.
func (p *Peer) FailNext(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail = n
}

// Requests counts the requests received (503 ones included).
func (p *Peer) Requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests
}

// Document returns a stored document by uniqueId.
func (p *Peer) Document(uniqueID string) (Stored, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d, ok := p.docs[uniqueID]
	if !ok {
		return Stored{}, false
	}
	return *d, true
}

// Count is the number of documents stored (deprecated ones included).
func (p *Peer) Count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.docs)
}

// CheckAccess implements the DMP access check (TD0.2 style) for tests.
func (p *Peer) CheckAccess(_ context.Context, _ xds.Actor, ins xds.II) (xds.Access, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	id := xds.PatientID(ins)
	switch {
	case !p.patients[id] && !p.AnyPatient:
		return xds.Access{Reason: "La personne n'a pas de DMP (Mon espace santé)."}, nil
	case p.opposed[id]:
		return xds.Access{Exists: true, Reason: "La personne s'est opposée à l'accès de l'établissement à son DMP."}, nil
	}
	return xds.Access{Exists: true, Allowed: true}, nil
}

// SimulationURL is the address the client is given in simulation; it is
// never dialled (Client answers in process).
const SimulationURL = "https://dmp.simulation.invalid/repository"

// Client is an HTTP client whose requests the peer answers in process.
func (p *Peer) Client() *http.Client { return &http.Client{Transport: inProcess{p}} }

type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		defer r.Body.Close() // a RoundTripper owns the request body
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	return rec.Result(), nil
}

// ServeHTTP answers one request.
func (p *Peer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.requests++
	fail := p.fail > 0
	if fail {
		p.fail--
	}
	p.mu.Unlock()
	if fail {
		http.Error(w, "service temporairement indisponible", http.StatusServiceUnavailable)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "POST attendu", http.StatusMethodNotAllowed)
		return
	}
	if p.RequireClientCert && (r.TLS == nil || len(r.TLS.PeerCertificates) == 0) {
		fault(w, "Sender", "certificat client absent")
		return
	}
	req, err := xds.ParseRequest(r.Header.Get("Content-Type"), http.MaxBytesReader(w, r.Body, 32<<20))
	if err != nil {
		fault(w, "Sender", err.Error())
		return
	}
	var errs []xds.RegistryError
	switch req.Action {
	case xds.ActionProvide:
		errs = p.provide(req)
	case xds.ActionUpdate:
		errs = p.update(req)
	default:
		fault(w, "Sender", "action inconnue "+req.Action)
		return
	}
	respond(w, errs)
}

func metaErr(format string, a ...any) xds.RegistryError {
	return xds.RegistryError{Code: "XDSRepositoryMetadataError", Context: fmt.Sprintf(format, a...), Severity: "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"}
}

func regErr(code, context string) xds.RegistryError {
	return xds.RegistryError{Code: code, Context: context, Severity: "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"}
}

// provide checks the metadata against the CDA each entry carries and
// stores the documents, all or none.
func (p *Peer) provide(req *xds.Request) []xds.RegistryError {
	if len(req.Entries) != 1 {
		return []xds.RegistryError{metaErr("un document par soumission attendu, %d reçus", len(req.Entries))}
	}
	e := req.Entries[0]
	doc, ok := req.Documents[e.ID]
	if !ok {
		return []xds.RegistryError{regErr("XDSMissingDocument", "document absent pour l'entrée "+e.ID)}
	}
	h, err := xds.ParseHeader(doc)
	if err != nil {
		return []xds.RegistryError{metaErr("%v", err)}
	}
	sum := sha1.Sum(doc) //nolint:gosec // XDS.b hash
	hash := hex.EncodeToString(sum[:])
	var errs []xds.RegistryError
	if got := e.Slot("hash"); !strings.EqualFold(got, hash) {
		errs = append(errs, metaErr("empreinte %s différente de celle du document %s", got, hash))
	}
	if got := e.Slot("size"); got != strconv.Itoa(len(doc)) {
		errs = append(errs, metaErr("taille %s différente de celle du document %d", got, len(doc)))
	}
	if e.UniqueID() != h.ID.UniqueID() {
		errs = append(errs, metaErr("uniqueId %s différent de l'identifiant du CDA %s", e.UniqueID(), h.ID.UniqueID()))
	}
	pid := xds.PatientID(h.PatientINS)
	if e.PatientID() != pid || req.SubmissionPatient != pid {
		errs = append(errs, regErr("XDSPatientIdDoesNotMatch", "patientId différent de l'INS du CDA"))
	}
	if req.AssertionPatientID != pid {
		errs = append(errs, regErr("XDSPatientIdDoesNotMatch", "patient de l'assertion VIHF différent de celui du document"))
	}
	if got := e.Code(xds.SchemeTypeCode).Code; got != h.Code.Code {
		errs = append(errs, metaErr("typeCode %s différent du code du CDA %s", got, h.Code.Code))
	}
	if len(errs) > 0 {
		return errs
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.patients[pid] && !p.AnyPatient {
		return []xds.RegistryError{regErr(xds.CodeUnknownPatient, "patient inconnu du DMP")}
	}
	if old, ok := p.docs[e.UniqueID()]; ok {
		// The registry answers a resent uniqueId as a duplicate when the
		// content is the same, and as a conflict otherwise.
		if old.Hash == hash {
			return []xds.RegistryError{regErr(xds.CodeDuplicateUniqueID, "uniqueId "+e.UniqueID()+" déjà enregistré")}
		}
		return []xds.RegistryError{regErr(xds.CodeNonIdenticalHash, "uniqueId "+e.UniqueID()+" déjà enregistré avec un autre contenu")}
	}
	var replaced *Stored
	for _, a := range req.Associations {
		switch a.Type {
		case "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember":
			if a.Target != e.ID {
				return []xds.RegistryError{metaErr("association HasMember vers %s inconnu", a.Target)}
			}
		case "urn:ihe:iti:2007:AssociationType:RPLC":
			old, ok := p.byEntry[a.Target]
			if !ok || old.Deprecated {
				return []xds.RegistryError{regErr("XDSUnreferencedObjectError", "document remplacé "+a.Target+" inconnu ou déjà remplacé")}
			}
			if old.SetID != h.SetID.UniqueID() {
				return []xds.RegistryError{metaErr("le document remplaçant n'a pas le setId du document remplacé")}
			}
			if old.PatientID != pid {
				return []xds.RegistryError{regErr("XDSPatientIdDoesNotMatch", "le document remplacé concerne un autre patient")}
			}
			replaced = old
		default:
			return []xds.RegistryError{metaErr("type d'association %s non pris en charge", a.Type)}
		}
	}
	if h.Replaces.Root != "" && replaced == nil {
		return []xds.RegistryError{metaErr("le CDA remplace %s mais la soumission n'a pas d'association RPLC", h.Replaces.UniqueID())}
	}
	s := &Stored{EntryUUID: e.ID, UniqueID: e.UniqueID(), PatientID: pid, SetID: h.SetID.UniqueID(), Hash: hash,
		CDA: append([]byte(nil), doc...), Entry: e}
	if replaced != nil {
		replaced.Deprecated, replaced.ReplacedBy = true, s.UniqueID
	}
	p.docs[s.UniqueID], p.byEntry[s.EntryUUID] = s, s
	return nil
}

// update applies ITI-57 availability status changes (withdrawal).
func (p *Peer) update(req *xds.Request) []xds.RegistryError {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(req.Associations) == 0 {
		return []xds.RegistryError{metaErr("mise à jour sans association")}
	}
	for _, a := range req.Associations {
		if a.Type != "urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus" {
			return []xds.RegistryError{metaErr("type d'association %s non pris en charge", a.Type)}
		}
		d, ok := p.byEntry[a.Target]
		if !ok {
			return []xds.RegistryError{regErr("XDSUnreferencedObjectError", "document "+a.Target+" inconnu")}
		}
		if d.PatientID != req.SubmissionPatient || req.AssertionPatientID != d.PatientID {
			return []xds.RegistryError{regErr("XDSPatientIdDoesNotMatch", "le document concerne un autre patient")}
		}
		if ns := a.Slots["NewStatus"]; len(ns) != 1 || ns[0] != "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated" {
			return []xds.RegistryError{metaErr("seul le passage à Deprecated est pris en charge")}
		}
	}
	for _, a := range req.Associations {
		p.byEntry[a.Target].Deprecated = true
	}
	return nil
}

func respond(w http.ResponseWriter, errs []xds.RegistryError) {
	w.Header().Set("Content-Type", "application/soap+xml; charset=UTF-8")
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>`)
	if len(errs) == 0 {
		b.WriteString(`<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"/>`)
	} else {
		b.WriteString(`<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"><rs:RegistryErrorList>`)
		for _, e := range errs {
			fmt.Fprintf(&b, `<rs:RegistryError errorCode="%s" codeContext="%s" severity="%s" location=""/>`, esc(e.Code), esc(e.Context), esc(e.Severity))
		}
		b.WriteString(`</rs:RegistryErrorList></rs:RegistryResponse>`)
	}
	b.WriteString(`</soap:Body></soap:Envelope>`)
	_, _ = w.Write([]byte(b.String()))
}

func fault(w http.ResponseWriter, code, reason string) {
	w.Header().Set("Content-Type", "application/soap+xml; charset=UTF-8")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><soap:Fault><soap:Code><soap:Value>soap:%s</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang="fr">%s</soap:Text></soap:Reason></soap:Fault></soap:Body></soap:Envelope>`, code, esc(reason))
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

func esc(s string) string { return escaper.Replace(s) }
