package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"time"

	"github.com/relais-dui/relais/dmp/outbox"
	"github.com/relais-dui/relais/dmp/xds"
	"github.com/relais-dui/relais/dmp/xds/xdstest"
	"github.com/relais-dui/relais/store"
)

// DMPConfig reaches the DMP; without a repository URL the outbox sends to
// an in-memory test DMP (simulation) that accepts every patient.
type DMPConfig struct {
	RepositoryURL string // RELAIS_DMP_URL: ITI-41 endpoint
	RegistryURL   string // RELAIS_DMP_REGISTRY_URL: ITI-57 endpoint (withdrawals)
	CertFile      string // RELAIS_DMP_CERT: organisation certificate (PEM), TLS and VIHF signature
	KeyFile       string // RELAIS_DMP_KEY
	CAFile        string // RELAIS_DMP_CA: roots of the DMP's certificate; system roots when empty
	SourceOID     string // RELAIS_DMP_SOURCE_OID: XDSSubmissionSet.sourceId of this installation
	Homologation  string // RELAIS_DMP_HOMOLOGATION: LPS_ID_HOMOLOGATION_DMP
}

// Simulated reports whether documents go to the in-memory test DMP.
func (c DMPConfig) Simulated() bool { return c.RepositoryURL == "" }

// simulationSourceOID is a placeholder under the OID of examples: a real
// installation has its own.
const simulationSourceOID = "1.2.250.1.999.1.1"

// dmpClient builds the XDS.b client: the real DMP, or the simulation.
func dmpClient(cfg DMPConfig) (*xds.Client, xds.Source, error) {
	src := xds.Source{SourceID: cfg.SourceOID,
		// The activity of the submission set: medico-social care.
		ContentType: xds.Code{Code: "ESSMS", CodeSystem: "1.2.250.1.213.1.1.4.9", DisplayName: "Etablissement ou Service Social ou Médico-Social"}}
	sw := xds.Software{ID: "relais", Name: "Relais", Version: Version, Homologation: cfg.Homologation}
	if cfg.Simulated() {
		src.SourceID = simulationSourceOID
		cert, err := throwawayCertificate()
		if err != nil {
			return nil, src, fmt.Errorf("DMP simulation: %w", err)
		}
		peer := xdstest.New()
		peer.AnyPatient = true
		c, err := xds.NewClient(xds.Config{RepositoryURL: xdstest.SimulationURL, RegistryURL: xdstest.SimulationURL,
			Certificate: cert, Software: sw, HTTPClient: peer.Client()})
		if err != nil {
			return nil, src, fmt.Errorf("DMP simulation: %w", err)
		}
		return c, src, nil
	}
	if cfg.CertFile == "" || cfg.KeyFile == "" || cfg.SourceOID == "" {
		return nil, src, errors.New("DMP: RELAIS_DMP_CERT, RELAIS_DMP_KEY and RELAIS_DMP_SOURCE_OID are required with RELAIS_DMP_URL")
	}
	cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
	if err != nil {
		return nil, src, fmt.Errorf("DMP: organisation certificate: %w", err)
	}
	var roots *x509.CertPool
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, src, fmt.Errorf("DMP: %w", err)
		}
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, src, fmt.Errorf("DMP: no certificate in %s", cfg.CAFile)
		}
	}
	c, err := xds.NewClient(xds.Config{RepositoryURL: cfg.RepositoryURL, RegistryURL: cfg.RegistryURL, Certificate: cert,
		RootCAs: roots, Software: sw, Timeout: time.Minute})
	if err != nil {
		return nil, src, fmt.Errorf("DMP: %w", err)
	}
	return c, src, nil
}

// throwawayCertificate signs the simulation's VIHF assertions; nothing
// trusts it.
func throwawayCertificate() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Relais simulation DMP"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// NewDMPWorker is the outbox worker on the configured DMP (or the
// simulation) and the client to close once it has stopped.
func NewDMPWorker(db *store.DB, cfg DMPConfig, l *slog.Logger) (*outbox.Worker, *xds.Client, error) {
	client, src, err := dmpClient(cfg)
	if err != nil {
		return nil, nil, err
	}
	// The lease exceeds a batch's worst case (4 rows × the client's
	// one-minute timeout): a row is never sent by two workers at once.
	return outbox.NewWorker(db.Records(), db, client, outbox.Config{Source: src, Lease: 5 * time.Minute, Batch: 4, Logger: l}), client, nil
}

// startDMPOutbox runs the outbox worker until ctx ends; the returned
// channel closes when it has stopped (the database must stay open until
// then).
func startDMPOutbox(ctx context.Context, db *store.DB, cfg DMPConfig, l *slog.Logger) (<-chan struct{}, error) {
	w, client, err := NewDMPWorker(db, cfg, l)
	if err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer client.Close()
		_ = w.Run(ctx) // returns ctx's error at shutdown
	}()
	if cfg.Simulated() {
		l.Info("DMP outbox started in simulation: documents go to an in-memory test DMP")
	}
	return done, nil
}
