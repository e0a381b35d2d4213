// Package insitest is a stand-in for the INSi teleservice: an http.Handler
// that speaks the same SOAP 1.2 as the real service, answers from a small
// table of identities, and can be told to fault or to be slow. Tests use it
// over HTTPS with a client certificate (see PKI); the demo runs it as a
// clearly labelled simulation when no INSi URL is configured.
package insitest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/relais-dui/relais/insi"
)

// SimulationNotice is the sentence the UI shows whenever answers come from
// this peer instead of the real service.
const SimulationNotice = "Simulation : le téléservice INSi n'est pas appelé, les identités proviennent d'une table de test."

// SimulationURL is the address to give the client in simulation; it is never
// resolved since Peer.Client serves requests in-process.
const SimulationURL = "https://insi.simulation.invalid/lps"

const (
	maxRequestBytes = 1 << 20
	maxRecorded     = 50 // keep memory bounded when the simulation runs for days
)

// Request is what the peer received, kept for assertions.
type Request struct {
	Action    string
	MessageID string
	Envelope  []byte
}

// Peer answers INSi requests from a table of identities. It is safe for
// concurrent use.
type Peer struct {
	ids []insi.Identity

	mu       sync.Mutex
	fault    *insi.FaultError
	delay    time.Duration
	requests []Request
}

// NewPeer returns a peer answering from ids (copied).
func NewPeer(ids []insi.Identity) *Peer {
	return &Peer{ids: append([]insi.Identity(nil), ids...)}
}

// FailWith makes every following valid request answer this SOAP fault
// (Code "Sender" or "Receiver", Subcode, Reason, and optionally DetailCode,
// Detail, Severity); nil restores normal answers.
func (p *Peer) FailWith(f *insi.FaultError) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fault = f
}

// SetDelay makes every following request wait d before answering (or until
// the client gives up).
func (p *Peer) SetDelay(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = d
}

// Requests returns the last requests received, oldest first.
func (p *Peer) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.requests...)
}

func (p *Peer) record(r Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.requests) == maxRecorded {
		p.requests = append(p.requests[:0], p.requests[1:]...)
	}
	p.requests = append(p.requests, r)
}

func (p *Peer) settings() (*insi.FaultError, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fault, p.delay
}

// Client returns an http.Client that hands requests to the peer in-process,
// without a listener: the simulation mode of the application uses it.
func (p *Peer) Client() *http.Client {
	return &http.Client{Transport: inProcess{p}}
}

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

// Wire shapes of a request, decoded independently of the client's writer so
// the peer catches what the client gets wrong.
type reqMatricule struct {
	Num string `xml:"http://www.cnamts.fr/INSiRecVit NumIdentifiant"`
	Cle string `xml:"http://www.cnamts.fr/INSiRecVit Cle"`
}

type reqEnvelope struct {
	XMLName xml.Name `xml:"http://www.w3.org/2003/05/soap-envelope Envelope"`
	Header  struct {
		Action    string `xml:"http://www.w3.org/2005/08/addressing Action"`
		MessageID string `xml:"http://www.w3.org/2005/08/addressing MessageID"`
		BAM       *struct {
			Version    string    `xml:"Version,attr"`
			ID         string    `xml:"urn:siram:bam:ctxbam Id"`
			Temps      string    `xml:"urn:siram:bam:ctxbam Temps"`
			Couverture *struct{} `xml:"urn:siram:bam:ctxbam COUVERTURE"`
		} `xml:"urn:siram:bam:ctxbam ContexteBAM"`
		LPS *struct {
			Version string `xml:"Version,attr"`
			ID      string `xml:"urn:siram:lps:ctxlps Id"`
			Temps   string `xml:"urn:siram:lps:ctxlps Temps"`
			LPS     *struct {
				IDAM    string `xml:"urn:siram:lps:ctxlps IDAM"`
				Version string `xml:"urn:siram:lps:ctxlps Version"`
				Nom     string `xml:"urn:siram:lps:ctxlps Nom"`
			} `xml:"urn:siram:lps:ctxlps LPS"`
		} `xml:"urn:siram:lps:ctxlps ContexteLPS"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Header"`
	Body struct {
		Traits *struct {
			NomNaissance  string   `xml:"http://www.cnamts.fr/INSiRecSans NomNaissance"`
			Prenom        []string `xml:"http://www.cnamts.fr/INSiRecSans Prenom"`
			Sexe          string   `xml:"http://www.cnamts.fr/INSiRecSans Sexe"`
			DateNaissance string   `xml:"http://www.cnamts.fr/INSiRecSans DateNaissance"`
			LieuNaissance string   `xml:"http://www.cnamts.fr/INSiRecSans LieuNaissance"`
		} `xml:"http://www.cnamts.fr/INSiRecSans RECSANSVITALE"`
		Vitale *struct {
			Individu      *reqMatricule `xml:"http://www.cnamts.fr/INSiRecVit MatriculeIndividu"`
			OD            *reqMatricule `xml:"http://www.cnamts.fr/INSiRecVit MatriculeOD"`
			NomNaissance  string        `xml:"http://www.cnamts.fr/INSiRecVit NomNaissance"`
			DateNaissance string        `xml:"http://www.cnamts.fr/INSiRecVit DateNaissance"`
			RangNaissance string        `xml:"http://www.cnamts.fr/INSiRecVit RangNaissance"`
		} `xml:"http://www.cnamts.fr/INSiRecVit RECVITALE"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Body"`
}

var reDate = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// ServeHTTP validates the request as the real service would (SOAP 1.2 media
// type, WS-Addressing Action and MessageID, ContexteBAM and ContexteLPS, a
// body matching the action) and answers with a RESULTAT or a SOAP fault.
func (p *Peer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST attendu", http.StatusMethodNotAllowed)
		return
	}
	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/soap+xml" {
		writeFault(w, http.StatusUnsupportedMediaType, &insi.FaultError{
			Code: "Sender", Subcode: "siram_mediatype",
			Reason: "Type de contenu attendu : application/soap+xml (SOAP 1.2).",
		}, "")
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
	if err != nil || len(raw) > maxRequestBytes {
		writeFault(w, http.StatusRequestEntityTooLarge, &insi.FaultError{
			Code: "Sender", Subcode: "siram_taille", Reason: "Requête illisible ou trop volumineuse.",
		}, "")
		return
	}
	var env reqEnvelope
	if err := xml.Unmarshal(raw, &env); err != nil {
		writeFault(w, http.StatusInternalServerError, &insi.FaultError{
			Code: "Sender", Subcode: "siram_enveloppe", Reason: "Enveloppe SOAP 1.2 invalide.",
		}, "")
		return
	}
	h := env.Header
	p.record(Request{Action: h.Action, MessageID: h.MessageID, Envelope: raw})
	if f := checkHeaders(&env, params["action"]); f != nil {
		writeFault(w, http.StatusInternalServerError, f, h.MessageID)
		return
	}
	op := strings.TrimPrefix(strings.TrimSpace(h.Action), insi.ActionPrefix)
	var match func(insi.Identity) bool
	var refusal string
	switch op {
	case insi.OpTraits:
		match, refusal = traitsMatcher(&env)
	case insi.OpCarteVitale:
		match, refusal = vitaleMatcher(&env)
	}
	if refusal != "" {
		writeFault(w, http.StatusInternalServerError, &insi.FaultError{
			Code: "Sender", Subcode: "siram_donnees", Reason: refusal,
			DetailCode: "insi_donnees", Detail: refusal, Severity: "erreur",
		}, h.MessageID)
		return
	}

	fault, delay := p.settings()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if fault != nil {
		writeFault(w, http.StatusInternalServerError, fault, h.MessageID)
		return
	}

	var found []insi.Identity
	for _, id := range p.ids {
		if match(id) {
			found = append(found, id)
		}
	}
	w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
	_, _ = w.Write(ResultEnvelope(found))
}

// checkHeaders returns the fault the real service gives for missing or
// inconsistent headers, nil when they are fine.
func checkHeaders(env *reqEnvelope, mediaAction string) *insi.FaultError {
	h := env.Header
	action := strings.TrimSpace(h.Action)
	switch {
	case action == "":
		return &insi.FaultError{Code: "Sender", Subcode: "MessageAddressingHeaderRequired",
			Reason: "En-tête WS-Addressing Action absent."}
	case mediaAction != "" && mediaAction != action:
		return &insi.FaultError{Code: "Sender", Subcode: "ActionMismatch",
			Reason: "L'action du type de contenu ne correspond pas à l'en-tête wsa:Action."}
	case action != insi.ActionPrefix+insi.OpTraits && action != insi.ActionPrefix+insi.OpCarteVitale:
		return &insi.FaultError{Code: "Sender", Subcode: "ActionNotSupported",
			Reason: "Action inconnue du service d'identité certifiée."}
	case strings.TrimSpace(h.MessageID) == "":
		return &insi.FaultError{Code: "Sender", Subcode: "MessageAddressingHeaderRequired",
			Reason: "En-tête WS-Addressing MessageID absent."}
	case h.LPS == nil || h.LPS.Version == "" || h.LPS.ID == "" || h.LPS.Temps == "":
		return &insi.FaultError{Code: "Sender", Subcode: "siram_ctxlps",
			Reason: "En-tête ContexteLPS absent ou incomplet."}
	case h.LPS.LPS == nil || strings.TrimSpace(h.LPS.LPS.IDAM) == "" || strings.TrimSpace(h.LPS.LPS.Nom) == "":
		return &insi.FaultError{Code: "Sender", Subcode: "siram_100",
			Reason:     "Logiciel non identifié : numéro d'autorisation (IDAM) ou nom absent.",
			DetailCode: "insi_idam", Detail: "IDAM absent", Severity: "erreur"}
	case h.BAM == nil || h.BAM.Version == "" || h.BAM.ID == "" || h.BAM.Temps == "" || h.BAM.Couverture == nil:
		return &insi.FaultError{Code: "Sender", Subcode: "siram_ctxbam",
			Reason: "En-tête ContexteBAM absent ou incomplet."}
	}
	op := strings.TrimPrefix(action, insi.ActionPrefix)
	if (op == insi.OpTraits) != (env.Body.Traits != nil) || (op == insi.OpCarteVitale) != (env.Body.Vitale != nil) {
		return &insi.FaultError{Code: "Sender", Subcode: "siram_corps",
			Reason: "Le corps du message ne correspond pas à l'action demandée."}
	}
	return nil
}

// traitsMatcher returns the predicate of a traits search, or the reason the
// query is refused.
func traitsMatcher(env *reqEnvelope) (func(insi.Identity) bool, string) {
	t := env.Body.Traits
	var firsts []string
	for _, p := range t.Prenom {
		for _, name := range strings.Fields(p) {
			firsts = append(firsts, foldFirstName(name))
		}
	}
	name := foldName(t.NomNaissance)
	sex := strings.ToUpper(strings.TrimSpace(t.Sexe))
	date := strings.TrimSpace(t.DateNaissance)
	place := strings.ToUpper(strings.TrimSpace(t.LieuNaissance))
	switch {
	case name == "" || len(firsts) == 0:
		return nil, "Nom de naissance et prénom obligatoires."
	case sex != "F" && sex != "M":
		return nil, "Sexe invalide : F ou M attendu."
	case !reDate.MatchString(date):
		return nil, "Date de naissance invalide : AAAA-MM-JJ attendu."
	}
	return func(id insi.Identity) bool {
		return foldName(id.BirthName) == name && id.Sex == sex && birthDate(id) == date &&
			(place == "" || strings.EqualFold(id.BirthPlaceCode, place)) &&
			firstNamesMatch(firsts, id.FirstNames)
	}, ""
}

// firstNamesMatch models how the service reads first names: one name must be
// the official first one; a list must hold the official first one and only
// names of the official list.
func firstNamesMatch(query, official []string) bool {
	if len(official) == 0 {
		return false
	}
	first := foldFirstName(official[0])
	if len(query) == 1 {
		return query[0] == first
	}
	known := make(map[string]bool, len(official))
	for _, o := range official {
		known[foldFirstName(o)] = true
	}
	hasFirst := false
	for _, q := range query {
		if !known[q] {
			return false
		}
		hasFirst = hasFirst || q == first
	}
	return hasFirst
}

// vitaleMatcher returns the predicate of a carte Vitale search, or the
// reason the query is refused.
func vitaleMatcher(env *reqEnvelope) (func(insi.Identity) bool, string) {
	v := env.Body.Vitale
	if v.OD == nil || strings.TrimSpace(v.OD.Num) == "" {
		return nil, "Matricule de l'ouvrant droit obligatoire."
	}
	date := strings.TrimSpace(v.DateNaissance)
	if !reDate.MatchString(date) {
		return nil, "Date de naissance invalide : AAAA-MM-JJ attendu."
	}
	// The card designates the beneficiary by their own matricule when it
	// carries one, otherwise the holder is the beneficiary.
	nir := strings.ToUpper(strings.TrimSpace(v.OD.Num))
	if v.Individu != nil && strings.TrimSpace(v.Individu.Num) != "" {
		nir = strings.ToUpper(strings.TrimSpace(v.Individu.Num))
	}
	name := foldName(v.NomNaissance)
	return func(id insi.Identity) bool {
		return id.NIR == nir && birthDate(id) == date && (name == "" || foldName(id.BirthName) == name)
	}, ""
}

func birthDate(id insi.Identity) string {
	if id.BirthDateText != "" {
		return id.BirthDateText
	}
	return id.BirthDate.Format(time.DateOnly)
}

// ResultEnvelope writes the SOAP 1.2 answer for the identities found: 01 for
// none, 00 with the INS and official traits for one, 02 for several. It has
// the shape of the real service's answers (RESULTAT in the INSiResultat
// namespace, no SOAP header).
func ResultEnvelope(found []insi.Identity) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">` + "\n")
	b.WriteString("  <env:Body>\n")
	b.WriteString(`    <RESULTAT xmlns="http://www.cnamts.fr/INSiResultat">` + "\n")
	cr := func(code, label string) {
		fmt.Fprintf(&b, "      <CR>\n        <CodeCR>%s</CodeCR>\n        <LibelleCR>%s</LibelleCR>\n      </CR>\n", code, label)
	}
	switch len(found) {
	case 0:
		cr(insi.CodeNotFound, "Aucune identite trouvee")
	case 1:
		cr(insi.CodeFound, "OK")
		writeIndividu(&b, found[0])
	default:
		cr(insi.CodeSeveral, "Plusieurs identites trouvees")
	}
	b.WriteString("    </RESULTAT>\n  </env:Body>\n</env:Envelope>\n")
	return b.Bytes()
}

func writeIndividu(b *bytes.Buffer, id insi.Identity) {
	leaf := func(indent int, name, text string) {
		fmt.Fprintf(b, "%s<%s>%s</%s>\n", strings.Repeat("  ", indent), name, escape(text), name)
	}
	ins := func(tag, nir, key, oid, kind string) {
		fmt.Fprintf(b, "        <%s>\n          <IdIndividu>\n", tag)
		leaf(6, "NumIdentifiant", nir)
		if key != "" {
			leaf(6, "Cle", key)
		}
		if kind != "" {
			leaf(6, "TypeMatricule", kind)
		}
		b.WriteString("          </IdIndividu>\n")
		leaf(5, "OID", oid)
		fmt.Fprintf(b, "        </%s>\n", tag)
	}
	b.WriteString("      <INDIVIDU>\n")
	ins("INSACTIF", id.NIR, id.Key, id.OID, "")
	for _, past := range id.PastINS {
		kind := "NIR"
		if past.OID == insi.OIDNIA {
			kind = "NIA"
		}
		ins("INSHISTO", past.NIR, past.Key, past.OID, kind)
	}
	b.WriteString("        <TIQ>\n")
	leaf(5, "NomNaissance", id.BirthName)
	if len(id.FirstNames) > 0 {
		leaf(5, "Prenom", id.FirstNames[0])
	}
	leaf(5, "ListePrenom", strings.Join(id.FirstNames, " "))
	leaf(5, "Sexe", id.Sex)
	leaf(5, "DateNaissance", birthDate(id))
	if id.BirthPlaceCode != "" {
		leaf(5, "LieuNaissance", id.BirthPlaceCode)
	}
	b.WriteString("        </TIQ>\n      </INDIVIDU>\n")
}

// writeFault answers a SOAP 1.2 fault with the siram:Erreur detail the
// service uses. The real service sends faults with HTTP 500.
func writeFault(w http.ResponseWriter, status int, f *insi.FaultError, messageID string) {
	code := f.Code
	if code != "Receiver" {
		code = "Sender"
	}
	subPrefix := "siram"
	switch f.Subcode {
	case "MessageAddressingHeaderRequired", "ActionMismatch", "ActionNotSupported":
		subPrefix = "wsa"
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:siram="urn:siram">` + "\n")
	b.WriteString("  <env:Body>\n    <env:Fault>\n      <env:Code>\n")
	fmt.Fprintf(&b, "        <env:Value>env:%s</env:Value>\n", code)
	if f.Subcode != "" {
		fmt.Fprintf(&b, "        <env:Subcode>\n          <env:Value>%s:%s</env:Value>\n        </env:Subcode>\n", subPrefix, escape(f.Subcode))
	}
	b.WriteString("      </env:Code>\n")
	fmt.Fprintf(&b, "      <env:Reason>\n        <env:Text xml:lang=\"fr\">%s</env:Text>\n      </env:Reason>\n", escape(f.Reason))
	if f.DetailCode != "" || f.Detail != "" {
		sev := f.Severity
		if sev == "" {
			sev = "erreur"
		}
		fmt.Fprintf(&b, "      <env:Detail>\n        <siram:Erreur code=\"%s\" severite=\"%s\" messageID=\"%s\">%s</siram:Erreur>\n      </env:Detail>\n",
			escape(f.DetailCode), escape(sev), escape(messageID), escape(f.Detail))
	}
	b.WriteString("    </env:Fault>\n  </env:Body>\n</env:Envelope>\n")
	w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}
