package insitest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"
)

// PKI is a throw-away certificate authority with one server certificate (for
// 127.0.0.1, ::1 and localhost) and one client certificate, made in memory
// for tests of mutual TLS. Nothing of it is trusted anywhere else.
type PKI struct {
	CAPool *x509.CertPool
	CAPEM  []byte
	Server tls.Certificate
	Client tls.Certificate
	// ClientCertPEM and ClientKeyPEM are the client pair, for code that reads
	// files (insi.New).
	ClientCertPEM []byte
	ClientKeyPEM  []byte
}

// NewPKI makes a CA and its two leaf certificates (ECDSA P-256).
func NewPKI() (*PKI, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("clé de l'autorité de test : %w", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Relais INSi test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("certificat de l'autorité de test : %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("certificat de l'autorité de test : %w", err)
	}
	leaf := func(serial int64, cn string, usage x509.ExtKeyUsage, server bool) (tls.Certificate, []byte, []byte, error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return tls.Certificate{}, nil, nil, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: cn},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		}
		if server {
			tmpl.DNSNames = []string{"localhost"}
			tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			return tls.Certificate{}, nil, nil, err
		}
		keyDER, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return tls.Certificate{}, nil, nil, err
		}
		certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		return pair, certPEM, keyPEM, err
	}
	p := &PKI{CAPool: x509.NewCertPool(), CAPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})}
	p.CAPool.AddCert(ca)
	if p.Server, _, _, err = leaf(2, "insi.test", x509.ExtKeyUsageServerAuth, true); err != nil {
		return nil, fmt.Errorf("certificat serveur de test : %w", err)
	}
	if p.Client, p.ClientCertPEM, p.ClientKeyPEM, err = leaf(3, "Relais structure de test", x509.ExtKeyUsageClientAuth, false); err != nil {
		return nil, fmt.Errorf("certificat client de test : %w", err)
	}
	return p, nil
}

// ServerTLS is the server side: TLS 1.2 or later, client certificate signed
// by the CA required, as the real service requires the structure's one.
func (p *PKI) ServerTLS() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{p.Server},
		ClientCAs:    p.CAPool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
	}
}

// ClientTLS is the client side, with or without the client certificate.
func (p *PKI) ClientTLS(withCert bool) *tls.Config {
	c := &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: p.CAPool}
	if withCert {
		c.Certificates = []tls.Certificate{p.Client}
	}
	return c
}

// WriteFiles writes the client pair and the CA as PEM files in dir and
// returns their paths, for insi.Config.
func (p *PKI) WriteFiles(dir string) (certFile, keyFile, caFile string, err error) {
	certFile = filepath.Join(dir, "client.pem")
	keyFile = filepath.Join(dir, "client.key")
	caFile = filepath.Join(dir, "ca.pem")
	for _, f := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{{certFile, p.ClientCertPEM, 0o644}, {keyFile, p.ClientKeyPEM, 0o600}, {caFile, p.CAPEM, 0o644}} {
		if err := os.WriteFile(f.path, f.data, f.mode); err != nil {
			return "", "", "", fmt.Errorf("écriture de %s : %w", f.path, err)
		}
	}
	return certFile, keyFile, caFile, nil
}

// StartTLS serves the peer over HTTPS on a loopback port, requiring a client
// certificate from pki's CA. The caller closes the server.
func (p *Peer) StartTLS(pki *PKI) *httptest.Server {
	srv := httptest.NewUnstartedServer(p)
	srv.TLS = pki.ServerTLS()
	// Refused handshakes are expected in tests (client without certificate);
	// the client side reports them, the server log would only add noise.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	return srv
}
