package xds

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func benchSigner(b *testing.B) Signer {
	b.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bench"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		b.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return Signer{Cert: cert, Key: key}
}

// BenchmarkEncodeProvide builds a signed ITI-41 MTOM request (RSA 2048).
func BenchmarkEncodeProvide(b *testing.B) {
	sig := benchSigner(b)
	doc := readBenchCDA(b)
	s, err := NewSubmission(testSource, Document{CDA: doc, ClassCode: testClass, FormatCode: FormatPDF}, "2.25.1", fixedNow)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := EncodeProvide(sig, Actor{SubjectID: "1"}, Software{ID: "relais"}, s, "https://dmp.test/"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseRequest reads one back (MTOM, metadata, signature check).
func BenchmarkParseRequest(b *testing.B) {
	sig := benchSigner(b)
	s, err := NewSubmission(testSource, Document{CDA: readBenchCDA(b), ClassCode: testClass, FormatCode: FormatPDF}, "2.25.1", fixedNow)
	if err != nil {
		b.Fatal(err)
	}
	body, ct, err := EncodeProvide(sig, Actor{SubjectID: "1"}, Software{ID: "relais"}, s, "https://dmp.test/")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ParseRequest(ct, bytes.NewReader(body)); err != nil {
			b.Fatal(err)
		}
	}
}

func readBenchCDA(b *testing.B) []byte {
	b.Helper()
	doc, err := os.ReadFile(filepath.Join("testdata", "cda_v1.xml"))
	if err != nil {
		b.Fatal(err)
	}
	return doc
}
