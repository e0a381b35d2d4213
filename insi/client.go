package insi

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Operation names; the SOAP action is ActionPrefix + operation.
const (
	OpTraits      = "rechercherInsAvecTraitsIdentite"
	OpCarteVitale = "rechercherInsAvecCarteVitale"
	ActionPrefix  = "urn:ServiceIdentiteCertifiee:1.0.0:"
)

// Defaults applied when the configuration leaves them empty.
const (
	DefaultTimeout          = 20 * time.Second
	DefaultMaxResponseBytes = 1 << 20 // a RESULTAT is a few kilobytes; anything near a megabyte is hostile
)

// Identification is what the ContexteLPS and ContexteBAM headers tell the
// service about the calling software and structure. INSi refuses a call whose
// IDAM it does not know, so these come from configuration, never from code.
type Identification struct {
	// IDAM is the software authorisation number (numéro d'autorisation)
	// given when the software is approved for INSi (ctxlps:IDAM).
	IDAM string
	// SoftwareName and SoftwareVersion name the software (ctxlps:Nom is sent
	// as urn:lps:<name>:<version> unless SoftwareName already is a URN).
	SoftwareName    string
	SoftwareVersion string
	// Instance identifies this installation (ctxlps:Instance); a UUID is
	// made at start when empty.
	Instance string
	// Emitter identifies the calling structure or professional
	// (ctxlps:Emetteur, ctxbam:Emetteur), e.g. the FINESS of the establishment.
	Emitter string
}

func (id Identification) validate() error {
	var missing []string
	if strings.TrimSpace(id.IDAM) == "" {
		missing = append(missing, "numéro d'autorisation du logiciel (IDAM)")
	}
	if strings.TrimSpace(id.SoftwareName) == "" {
		missing = append(missing, "nom du logiciel")
	}
	if strings.TrimSpace(id.SoftwareVersion) == "" {
		missing = append(missing, "version du logiciel")
	}
	if len(missing) > 0 {
		return fmt.Errorf("configuration INSi incomplète : %s", strings.Join(missing, ", "))
	}
	return nil
}

// Config configures a Client that reaches the real service.
type Config struct {
	URL      string // endpoint, https only (RELAIS_INSI_URL)
	CertFile string // PEM client certificate of the structure (RELAIS_INSI_CERT)
	KeyFile  string // PEM private key of that certificate (RELAIS_INSI_KEY)
	CAFile   string // PEM roots to trust for the server (RELAIS_INSI_CA); system roots when empty
	// Timeout bounds each HTTP call (each attempt of a search), not the
	// whole search; DefaultTimeout when zero.
	Timeout time.Duration
	Identification
}

// Client calls INSi. It is safe for concurrent use and holds no state between
// calls besides its configuration.
type Client struct {
	url      string
	hc       *http.Client
	id       Identification
	timeout  time.Duration
	maxBytes int64
	now      func() time.Time
	newID    func() string
}

// Option adjusts a Client; used by tests and the simulation.
type Option func(*Client)

// WithClock sets the clock used for the Temps headers.
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// WithIDGenerator sets how message and context identifiers are made (UUIDs
// by default); tests use it to get reproducible envelopes.
func WithIDGenerator(newID func() string) Option { return func(c *Client) { c.newID = newID } }

// WithMaxResponseBytes caps the size of an answer read from the service.
func WithMaxResponseBytes(n int64) Option { return func(c *Client) { c.maxBytes = n } }

// WithTimeout bounds each HTTP call; zero leaves only the caller's context.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// New builds a Client for the real service: HTTPS with TLS 1.2 or later and
// the structure's certificate presented to the server (mutual TLS).
func New(cfg Config, opts ...Option) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("adresse du téléservice INSi invalide %q", cfg.URL)
	}
	if u.Scheme != "https" {
		// The service authenticates the structure by its certificate: a
		// plain-HTTP URL is always a configuration mistake.
		return nil, fmt.Errorf("adresse du téléservice INSi %q : https obligatoire", cfg.URL)
	}
	if cfg.CertFile == "" || cfg.KeyFile == "" {
		return nil, errors.New("configuration INSi incomplète : certificat et clé privée de la structure obligatoires")
	}
	if err := cfg.Identification.validate(); err != nil {
		return nil, err
	}
	cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("certificat INSi %s : %w", cfg.CertFile, err)
	}
	tlsCfg := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
	}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("autorités de certification INSi : %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("autorités de certification INSi %s : aucun certificat PEM", cfg.CAFile)
		}
		tlsCfg.RootCAs = pool
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsCfg
	hc := &http.Client{
		Transport: transport,
		// A SOAP endpoint never redirects; following one would resend the
		// traits somewhere unexpected.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	return NewWithHTTPClient(cfg.URL, hc, cfg.Identification, append([]Option{WithTimeout(timeout)}, opts...)...)
}

// NewWithHTTPClient builds a Client over a given http.Client: tests and the
// simulation use it with a client already holding its TLS configuration.
// No timeout is added unless WithTimeout is given.
func NewWithHTTPClient(endpoint string, hc *http.Client, id Identification, opts ...Option) (*Client, error) {
	if hc == nil {
		return nil, errors.New("client HTTP INSi absent")
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("adresse du téléservice INSi invalide %q", endpoint)
	}
	if err := id.validate(); err != nil {
		return nil, err
	}
	c := &Client{
		url:      endpoint,
		hc:       hc,
		id:       id,
		maxBytes: DefaultMaxResponseBytes,
		now:      time.Now,
		newID:    uuid.NewString,
	}
	for _, opt := range opts {
		opt(c)
	}
	if c.id.Instance == "" {
		c.id.Instance = c.newID()
	}
	return c, nil
}
