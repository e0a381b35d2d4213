package xds

import (
	"bytes"
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/dmp/cda"
)

// ErrUnavailable wraps every failure to get a usable answer: network, TLS,
// timeouts, HTTP 5xx, SOAP Receiver faults, unreadable answers. Sending
// again later is safe (see RefusedError.Duplicate).
var ErrUnavailable = errors.New("DMP injoignable")

// UnavailableError is a failure worth retrying.
type UnavailableError struct {
	Status int // HTTP status, 0 when none was received
	Err    error
}

func (e *UnavailableError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("%v (HTTP %d) : %v", ErrUnavailable, e.Status, e.Err)
	}
	return fmt.Sprintf("%v : %v", ErrUnavailable, e.Err)
}

func (e *UnavailableError) Unwrap() []error { return []error{ErrUnavailable, e.Err} }

// RegistryError is one rs:RegistryError of a response.
type RegistryError struct {
	Code     string // errorCode, e.g. XDSUnknownPatientId
	Context  string // codeContext, a sentence from the registry
	Severity string
	Location string
}

// Error codes of IHE ITI TF-3 table 4.2.4.1-2 the outbox treats specially.
const (
	CodeDuplicateUniqueID = "XDSDuplicateUniqueIdInRegistry"
	CodeNonIdenticalHash  = "XDSNonIdenticalHash"
	CodeUnknownPatient    = "XDSUnknownPatientId"
	CodeRegistryBusy      = "XDSRegistryBusy"
	CodeRepositoryBusy    = "XDSRepositoryBusy"
)

// RefusedError is a functional refusal: sending the same request again
// would get the same answer, so it is shown to the user and not retried.
type RefusedError struct {
	Errors []RegistryError
}

// Error is shown to professionals: French, with the codes the DMP support
// asks for.
func (e *RefusedError) Error() string {
	var parts []string
	for _, r := range e.Errors {
		msg := frenchReason(r.Code)
		if r.Context != "" {
			msg += " (" + r.Code + " : " + r.Context + ")"
		} else if r.Code != "" {
			msg += " (" + r.Code + ")"
		}
		parts = append(parts, msg)
	}
	if len(parts) == 0 {
		return "le DMP a refusé le document"
	}
	return "le DMP a refusé le document : " + strings.Join(parts, " ; ")
}

// Duplicate reports whether the only complaint is that the document's
// uniqueId is already registered (same content): the document is there.
func (e *RefusedError) Duplicate() bool {
	if len(e.Errors) == 0 {
		return false
	}
	for _, r := range e.Errors {
		if r.Code != CodeDuplicateUniqueID {
			return false
		}
	}
	return true
}

func frenchReason(code string) string {
	switch code {
	case CodeUnknownPatient:
		return "le patient n'a pas de DMP ou son INS est inconnue"
	case CodeDuplicateUniqueID:
		return "ce document est déjà enregistré dans le DMP"
	case CodeNonIdenticalHash:
		return "un document de même identifiant et de contenu différent est déjà enregistré"
	case "XDSRegistryMetadataError", "XDSRepositoryMetadataError":
		return "les métadonnées du document sont refusées"
	case "XDSPatientIdDoesNotMatch":
		return "l'INS du document ne correspond pas à celle de la soumission"
	case "XDSUnknownRepositoryId", "XDSMissingDocument", "XDSMissingDocumentMetadata":
		return "le document est incomplet"
	case "XDSRegistryError", "XDSRepositoryError":
		return "erreur du registre"
	case "XDSUnreferencedObjectError":
		return "le document à remplacer ou à retirer est inconnu du DMP"
	}
	return "refus du DMP"
}

// Config is the connection to the DMP.
type Config struct {
	RepositoryURL string // ITI-41 endpoint
	RegistryURL   string // ITI-57 endpoint
	// Certificate is the organisation certificate: TLS client authentication
	// and the signature of the VIHF assertion.
	Certificate tls.Certificate
	RootCAs     *x509.CertPool // nil: the system pool
	Software    Software
	Timeout     time.Duration // per request; 0 means 60 s
	// HTTPClient replaces the TLS client built from the fields above (the
	// simulation's in-process peer).
	HTTPClient *http.Client
}

// Client sends documents to the DMP.
type Client struct {
	cfg    Config
	http   *http.Client
	signer Signer
}

// NewClient checks the configuration and prepares the TLS client.
func NewClient(cfg Config) (*Client, error) {
	if cfg.RepositoryURL == "" {
		return nil, errors.New("xds: no repository URL")
	}
	if len(cfg.Certificate.Certificate) == 0 || cfg.Certificate.PrivateKey == nil {
		return nil, errors.New("xds: no organisation certificate")
	}
	signer, err := SignerFromCertificate(cfg.Certificate)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 60 * time.Second
	}
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{
			MinVersion:   tls.VersionTLS12,
			RootCAs:      cfg.RootCAs,
			Certificates: []tls.Certificate{cfg.Certificate},
		},
		ForceAttemptHTTP2: false,
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: tr, Timeout: cfg.Timeout}
	}
	return &Client{cfg: cfg, http: hc, signer: signer}, nil
}

// Close releases idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// SignerFromCertificate uses the organisation certificate to sign.
func SignerFromCertificate(c tls.Certificate) (Signer, error) {
	if len(c.Certificate) == 0 || c.PrivateKey == nil {
		return Signer{}, errors.New("xds: no organisation certificate")
	}
	leaf := c.Leaf
	if leaf == nil {
		var err error
		if leaf, err = x509.ParseCertificate(c.Certificate[0]); err != nil {
			return Signer{}, fmt.Errorf("xds: organisation certificate: %w", err)
		}
	}
	key, ok := c.PrivateKey.(crypto.Signer)
	if !ok {
		return Signer{}, errors.New("xds: the organisation key cannot sign")
	}
	return Signer{Cert: leaf, Key: key}, nil
}

// EncodeProvide builds the ITI-41 MTOM message of s for the endpoint to:
// the body and its Content-Type.
func EncodeProvide(sig Signer, a Actor, sw Software, s Submission, to string) ([]byte, string, error) {
	assertion, err := NewAssertion(sig, a, sw, s.Header.PatientINS, time.Now()).Sign(sig)
	if err != nil {
		return nil, "", err
	}
	const cid = "document1@relais"
	env := envelope(ActionProvide, to, assertion, provideBody(s, cid))
	return mtom(ActionProvide, env, []attachment{{contentID: cid, mediaType: "text/xml", data: s.Doc.CDA}})
}

// Provide sends one document (ITI-41). A nil error means the repository
// answered Success.
func (c *Client) Provide(ctx context.Context, a Actor, s Submission) error {
	body, ct, err := EncodeProvide(c.signer, a, c.cfg.Software, s, c.cfg.RepositoryURL)
	if err != nil {
		return err
	}
	return c.post(ctx, c.cfg.RepositoryURL, ct, body)
}

// Withdraw deprecates a document sent earlier (ITI-57): it leaves the
// person's DMP view; the registry keeps it for the record.
func (c *Client) Withdraw(ctx context.Context, a Actor, wd Withdrawal) error {
	if err := wd.validate(); err != nil {
		return err
	}
	url := c.cfg.RegistryURL
	if url == "" {
		return errors.New("xds: no registry URL for the withdrawal")
	}
	assertion, err := NewAssertion(c.signer, a, c.cfg.Software, wd.PatientINS, time.Now()).Sign(c.signer)
	if err != nil {
		return err
	}
	env := envelope(ActionUpdate, url, assertion, func(w *xw) { wd.writeMetadata(w) })
	body, ct, err := mtom(ActionUpdate, env, nil)
	if err != nil {
		return err
	}
	return c.post(ctx, url, ct, body)
}

// NewSubmissionID is a fresh submission set uniqueId.
func NewSubmissionID() string { return cda.OID(uuid.New()) }

// maxResponse bounds what is read of an answer.
const maxResponse = 1 << 20

func (c *Client) post(ctx context.Context, url, ct string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("xds: request: %w", err)
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("MIME-Version", "1.0")
	resp, err := c.http.Do(req)
	if err != nil {
		return &UnavailableError{Err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return &UnavailableError{Status: resp.StatusCode, Err: fmt.Errorf("lecture de la réponse : %w", err)}
	}
	if len(raw) > maxResponse {
		return &UnavailableError{Status: resp.StatusCode, Err: errors.New("réponse trop volumineuse")}
	}
	return ParseResponse(resp.StatusCode, resp.Header.Get("Content-Type"), raw)
}

// ParseResponse reads an answer: Success, a RegistryError list (refusal,
// or retry when the registry says it is busy), a SOAP fault (Sender:
// refusal; Receiver: retry), anything else by its HTTP status.
func ParseResponse(status int, contentType string, raw []byte) error {
	env, err := soapRoot(contentType, raw)
	if err != nil {
		return &UnavailableError{Status: status, Err: err}
	}
	var e struct {
		Body struct {
			Fault *struct {
				Code   string `xml:"Code>Value"`
				Reason string `xml:"Reason>Text"`
			} `xml:"http://www.w3.org/2003/05/soap-envelope Fault"`
			Response *struct {
				Status string `xml:"status,attr"`
				Errors []struct {
					Code     string `xml:"errorCode,attr"`
					Context  string `xml:"codeContext,attr"`
					Severity string `xml:"severity,attr"`
					Location string `xml:"location,attr"`
				} `xml:"urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0 RegistryErrorList>RegistryError"`
			} `xml:"urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0 RegistryResponse"`
		} `xml:"http://www.w3.org/2003/05/soap-envelope Body"`
	}
	if err := xml.Unmarshal(env, &e); err != nil {
		return &UnavailableError{Status: status, Err: fmt.Errorf("réponse illisible : %w", err)}
	}
	switch {
	case e.Body.Fault != nil:
		f := e.Body.Fault
		if strings.HasSuffix(f.Code, "Sender") {
			return &RefusedError{Errors: []RegistryError{{Code: "SOAPFault", Context: f.Reason}}}
		}
		return &UnavailableError{Status: status, Err: fmt.Errorf("faute SOAP %s : %s", f.Code, f.Reason)}
	case e.Body.Response == nil:
		return &UnavailableError{Status: status, Err: errors.New("réponse sans RegistryResponse")}
	}
	r := e.Body.Response
	if strings.HasSuffix(r.Status, ":Success") {
		return nil
	}
	if !strings.HasSuffix(r.Status, ":Failure") && !strings.HasSuffix(r.Status, ":PartialSuccess") {
		return &UnavailableError{Status: status, Err: fmt.Errorf("statut inconnu %q", r.Status)}
	}
	ref := &RefusedError{}
	busy := false
	for _, x := range r.Errors {
		ref.Errors = append(ref.Errors, RegistryError{Code: x.Code, Context: x.Context, Severity: x.Severity, Location: x.Location})
		busy = busy || x.Code == CodeRegistryBusy || x.Code == CodeRepositoryBusy
	}
	if busy {
		return &UnavailableError{Status: status, Err: ref}
	}
	return ref
}

// soapRoot returns the SOAP envelope of a plain or MTOM answer.
func soapRoot(contentType string, raw []byte) ([]byte, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, fmt.Errorf("type de contenu %q illisible", contentType)
	}
	if mt != "multipart/related" {
		return raw, nil
	}
	root, _, err := readMTOM(params, bytes.NewReader(raw), maxResponse)
	if err != nil {
		return nil, err
	}
	return root, nil
}

// readMTOM reads a multipart/related body: the root part (start parameter,
// or the first) and the other parts by Content-ID, each at most limit bytes.
func readMTOM(params map[string]string, r io.Reader, limit int64) ([]byte, map[string][]byte, error) {
	boundary := params["boundary"]
	if boundary == "" {
		return nil, nil, errors.New("message MTOM sans délimiteur (boundary)")
	}
	start := strings.Trim(params["start"], "<>")
	mr := multipart.NewReader(r, boundary)
	var root []byte
	parts := map[string][]byte{}
	for i := 0; ; i++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("message MTOM mal formé : %w", err)
		}
		data, err := io.ReadAll(io.LimitReader(p, limit+1))
		if err != nil {
			return nil, nil, fmt.Errorf("message MTOM mal formé : %w", err)
		}
		if int64(len(data)) > limit {
			return nil, nil, errors.New("partie MTOM trop volumineuse")
		}
		id := strings.Trim(p.Header.Get("Content-Id"), "<>")
		if (start == "" && i == 0) || (start != "" && id == start) {
			root = data
			continue
		}
		if id == "" {
			return nil, nil, errors.New("partie MTOM sans Content-ID")
		}
		parts[id] = data
	}
	if root == nil {
		return nil, nil, errors.New("message MTOM sans partie racine")
	}
	return root, parts, nil
}

// Access is the answer of the DMP access check.
type Access struct {
	Exists  bool   // the person has a DMP
	Allowed bool   // this structure may feed it
	Reason  string // French, when not allowed
}

// AccessChecker tells whether the person's DMP exists and the structure
// may feed it (the DMP's TD0.2 transaction). The test peer implements it;
// the real one is a SOAP call to the DMP with the same VIHF assertion and
// TLS certificate, whose request and answer follow the CI-SIS DMP
// specification (not public in this repository's references), so it is
// left to be written against the DMP's test platform.
type AccessChecker interface {
	CheckAccess(ctx context.Context, a Actor, ins II) (Access, error)
}
