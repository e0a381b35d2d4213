package xds

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"flag"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// The ebRS 3.0 schemas shared with the XDM packer of MSSanté.
const ebrsDir = "../../../shared/xdm/ebrs30-xsd"

var (
	testSource = Source{SourceID: "1.2.250.1.999.7", ContentType: Code{Code: "SA17", CodeSystem: "1.2.250.1.71.4.2.4", DisplayName: "Etablissement pour personnes âgées"}}
	testClass  = Code{Code: "11", CodeSystem: "1.2.250.1.213.1.1.4.1", DisplayName: "Compte rendu"}
	fixedNow   = time.Date(2026, 11, 20, 9, 45, 0, 0, time.UTC)
)

func readCDA(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func xmllint(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("xmllint absent: `make test` installs Debian's libxml2-utils")
		}
		t.Skip("xmllint absent (Debian: libxml2-utils)")
	}
	return p
}

func TestParseHeader(t *testing.T) {
	h, err := ParseHeader(readCDA(t, "cda_v2.xml"))
	if err != nil {
		t.Fatal(err)
	}
	want := Header{ID: II{"1.2.250.1.999.7.1", "DOC-0002"}, SetID: II{"1.2.250.1.999.7.2", "SET-0001"}, Version: 2,
		PatientINS: II{OIDINSTestNIR, "248000188004282"}, BirthFamily: "DUPONT", Sex: "F", BirthDate: "19480203",
		BirthPlace: "71076", Replaces: II{"1.2.250.1.999.7.1", "DOC-0001"}}
	if h.ID != want.ID || h.SetID != want.SetID || h.Version != 2 || h.PatientINS != want.PatientINS ||
		h.BirthFamily != want.BirthFamily || h.Sex != "F" || h.BirthDate != want.BirthDate ||
		h.BirthPlace != want.BirthPlace || h.Replaces != want.Replaces {
		t.Errorf("header = %+v", h)
	}
	if strings.Join(h.Given, " ") != "Odette Marie" || h.Code.Code != "11488-4" || h.FacilityType.Code != "SA17" ||
		h.PracticeSetting.Code != "ESSMS" || h.MediaType != "application/pdf" || !h.EffectiveTime.Equal(time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("header = %+v", h)
	}
	if len(h.Authors) != 1 || h.Authors[0].ID.Extension != "810101234567" || h.Authors[0].OrgName != "EHPAD Les Tilleuls" {
		t.Errorf("authors = %+v", h.Authors)
	}
}

func TestParseHeaderRefusesIncompleteCDA(t *testing.T) {
	base := string(readCDA(t, "cda_v1.xml"))
	cases := []struct {
		name, old, new, want string
	}{
		{"not XML", "<ClinicalDocument", "<<ClinicalDocument", "XML illisible"},
		{"no INS", `root="1.2.250.1.213.1.4.10"`, `root="1.2.250.1.999"`, "INS du patient absente"},
		{"no setId", `<setId root="1.2.250.1.999.7.2" extension="SET-0001"/>`, "", "setId"},
		{"version 2 without RPLC", `<versionNumber value="1"/>`, `<versionNumber value="2"/>`, "sans document remplacé"},
		{"bad time", `<effectiveTime value="20261120103000+0100"/>`, `<effectiveTime value="hier"/>`, "effectiveTime"},
		{"no facility", `code="SA17"`, `code=""`, "healthCareFacility"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := strings.Replace(base, c.old, c.new, 1)
			if doc == base {
				t.Fatal("test case does not change the document")
			}
			_, err := ParseHeader([]byte(doc))
			if !errors.Is(err, ErrCDA) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want ErrCDA mentioning %q", err, c.want)
			}
		})
	}
}

func goldenSubmissions(t *testing.T) map[string]Submission {
	t.Helper()
	v1, err := NewSubmission(testSource, Document{CDA: readCDA(t, "cda_v1.xml"), ClassCode: testClass, FormatCode: FormatPDF},
		"2.25.1001", fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := NewSubmission(testSource, Document{CDA: readCDA(t, "cda_v2.xml"), ClassCode: testClass, FormatCode: FormatPDF,
		Masking: []Masking{MaskedFromProfessionals}, Comments: "Version corrigée"}, "2.25.1002", fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]Submission{"metadata_v1.xml": v1, "metadata_v2_rplc.xml": v2}
}

func TestMetadataGolden(t *testing.T) {
	subs := goldenSubmissions(t)
	wd := Withdrawal{Source: testSource, PatientINS: subs["metadata_v1.xml"].Header.PatientINS, UniqueID: "1.2.250.1.999.7.1^DOC-0002",
		Author: subs["metadata_v1.xml"].Header.Authors[0], SubmissionUniqueID: "2.25.1003", Time: fixedNow}
	files := map[string][]byte{"withdrawal.xml": wd.MetadataXML()}
	for name, s := range subs {
		files[name] = s.MetadataXML()
	}
	lint := xmllint(t)
	for name, got := range files {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./dmp/xds -run Golden -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the golden file:\n%s", name, got)
		}
		out, err := exec.Command(lint, "--noout", "--nonet", "--schema", filepath.Join(ebrsDir, "lcm.xsd"), path).CombinedOutput()
		if err != nil {
			t.Errorf("%s: xmllint: %v\n%s", name, err, out)
		}
	}
}

func TestSubmissionFollowsCDA(t *testing.T) {
	subs := goldenSubmissions(t)
	v1, v2 := subs["metadata_v1.xml"], subs["metadata_v2_rplc.xml"]
	if v1.UniqueID != "1.2.250.1.999.7.1^DOC-0001" || v1.Size != len(v1.Doc.CDA) || len(v1.Hash) != 40 {
		t.Errorf("v1 = %s %d %s", v1.UniqueID, v1.Size, v1.Hash)
	}
	if v1.ReplacedEntryUUID != "" || v2.ReplacedEntryUUID != v1.EntryUUID {
		t.Errorf("RPLC target = %q, want %q", v2.ReplacedEntryUUID, v1.EntryUUID)
	}
	if got := PatientID(v1.Header.PatientINS); got != "248000188004282^^^&1.2.250.1.213.1.4.10&ISO^NH" {
		t.Errorf("patientId = %s", got)
	}
	if _, err := NewSubmission(testSource, Document{CDA: v1.Doc.CDA, ClassCode: testClass, FormatCode: FormatPDF, Masking: []Masking{"CACHE"}}, "2.25.1", fixedNow); !errors.Is(err, ErrCDA) {
		t.Errorf("unknown masking code: err = %v", err)
	}
}

// TestAssertionCanonical checks that the assertion Relais digests and signs
// is the exclusive canonical form libxml2 computes, and that the signature
// verifies, for RSA (the DMP's certificates) and ECDSA keys.
func TestAssertionCanonical(t *testing.T) {
	lint := xmllint(t)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	actor := Actor{SubjectID: "810101234567", SubjectName: "Claire MARTIN", StructureID: "1710000001",
		Sector: Code{Code: "SA17", CodeSystem: "1.2.250.1.71.4.2.4"},
		Roles:  []Code{{Code: "10", CodeSystem: "1.2.250.1.71.1.2.7", DisplayName: "Médecin & co <test>"}}}
	for name, key := range map[string]crypto.Signer{"rsa": rsaKey, "ecdsa": ecKey} {
		t.Run(name, func(t *testing.T) {
			tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "EHPAD Les Tilleuls", Organization: []string{"Association \"Les Tilleuls\""}},
				NotBefore: fixedNow, NotAfter: fixedNow.Add(time.Hour)}
			der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
			if err != nil {
				t.Fatal(err)
			}
			cert, _ := x509.ParseCertificate(der)
			signer := Signer{Cert: cert, Key: key}
			a := NewAssertion(signer, actor, Software{ID: "relais", Name: "Relais", Version: "1.0"}, II{OIDINSTestNIR, "248000188004282"}, fixedNow)
			signed, err := a.Sign(signer)
			if err != nil {
				t.Fatal(err)
			}
			for what, doc := range map[string][]byte{"unsigned": a.Canonical(), "signed": signed} {
				path := filepath.Join(t.TempDir(), what+".xml")
				if err := os.WriteFile(path, doc, 0o600); err != nil {
					t.Fatal(err)
				}
				out, err := exec.Command(lint, "--exc-c14n", path).Output()
				if err != nil {
					t.Fatalf("xmllint --exc-c14n: %v", err)
				}
				if !bytes.Equal(out, doc) {
					t.Errorf("%s assertion is not in exclusive canonical form:\nours:  %s\nc14n:  %s", what, doc, out)
				}
			}
			if err := checkSignature(signed); err != nil {
				t.Errorf("signature does not verify: %v", err)
			}
			tampered := bytes.Replace(signed, []byte("248000188004282"), []byte("248000188004214"), 1)
			if err := checkSignature(tampered); err == nil {
				t.Error("a tampered assertion verifies")
			}
		})
	}
}
