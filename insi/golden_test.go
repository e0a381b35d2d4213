package insi_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/relais-dui/relais/insi"
	"github.com/relais-dui/relais/insi/insitest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenEnvelopes produces the envelopes kept under testdata/: the last
// (widest) request of a traits search, a carte Vitale request, and the
// peer's 00 answer with a past INS. Clock and identifiers are fixed.
func goldenEnvelopes(t *testing.T) map[string][]byte {
	t.Helper()
	peer, srv, pki := tlsPeer(t)
	client := clientFor(t, srv, pki, true, insi.WithClock(fixedClock), insi.WithIDGenerator(fixedIDs()))
	ctx := context.Background()
	if _, err := client.SearchByTraits(ctx, insi.TraitsQuery{
		BirthName: "Martin", FirstNames: []string{"Louis", "Henri"}, Sex: "M",
		BirthDate: day(1938, 5, 12), BirthPlaceCode: "35238",
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.SearchByCarteVitale(ctx, insi.VitaleQuery{
		HolderNIR: "2310435238017", HolderKey: "43", BeneficiaryNIR: "135022A004011", BeneficiaryKey: "48",
		BirthName: "Santoni", BirthDate: "1935-02-14", BirthRank: 1,
	}); err != nil {
		t.Fatal(err)
	}
	reqs := peer.Requests()
	if len(reqs) != 4 {
		t.Fatalf("peer saw %d requests, want 3 traits attempts and 1 carte Vitale", len(reqs))
	}
	var ndiaye insi.Identity
	for _, id := range insitest.DemoIdentities() {
		if id.BirthName == "N'DIAYE" {
			ndiaye = id
		}
	}
	return map[string][]byte{
		"request_traits.xml":       reqs[2].Envelope,
		"request_carte_vitale.xml": reqs[3].Envelope,
		"response_00.xml":          insitest.ResultEnvelope([]insi.Identity{ndiaye}),
	}
}

func TestGoldenEnvelopes(t *testing.T) {
	for name, got := range goldenEnvelopes(t) {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./insi -run Golden -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the golden file:\n%s", name, got)
		}
	}
}

// TestSchemaGolden validates the golden envelopes with xmllint against the
// Relais-written schemas (testdata/xsd) and, when RELAIS_INSI_XSD_DIR points
// to a local copy of the official contract's xsd/ folder, validates the
// bodies and context headers against the official files too.
func TestSchemaGolden(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("xmllint absent: `make test` installs Debian's libxml2-utils")
		}
		t.Skip("xmllint absent (Debian: libxml2-utils)")
	}
	for _, name := range []string{"request_traits.xml", "request_carte_vitale.xml", "response_00.xml"} {
		t.Run(name, func(t *testing.T) {
			out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema",
				filepath.Join("testdata", "xsd", "envelope.xsd"), filepath.Join("testdata", name)).CombinedOutput()
			if err != nil {
				t.Errorf("xmllint: %v\n%s", err, out)
			}
		})
	}
	official := os.Getenv("RELAIS_INSI_XSD_DIR")
	if official == "" {
		return
	}
	// The official schemas describe single elements; each fragment of the
	// golden requests is extracted (its namespace is declared on it) and
	// validated against its own schema.
	fragments := []struct {
		file, xpath, xsd string
	}{
		{"request_traits.xml", "//*[local-name()='RECSANSVITALE']", "ServiceIdentiteCertifiee/INSi_RECSANS_INS.xsd"},
		{"request_carte_vitale.xml", "//*[local-name()='RECVITALE']", "ServiceIdentiteCertifiee/INSi_RECVITALE_INS.xsd"},
		{"request_traits.xml", "//*[local-name()='ContexteLPS']", "CTX/ROOT_ctxlps_CTXLPS_V01_00.xsd"},
		{"request_carte_vitale.xml", "//*[local-name()='ContexteBAM']", "CTX/ROOT_ctxbam_CTXBAM_V01_02.xsd"},
	}
	for _, f := range fragments {
		t.Run("official "+filepath.Base(f.xsd), func(t *testing.T) {
			frag, err := exec.Command(xmllint, "--xpath", f.xpath, filepath.Join("testdata", f.file)).Output()
			if err != nil {
				t.Fatalf("extracting %s: %v", f.xpath, err)
			}
			path := filepath.Join(t.TempDir(), "fragment.xml")
			if err := os.WriteFile(path, frag, 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", filepath.Join(official, f.xsd), path).CombinedOutput()
			if err != nil {
				t.Errorf("xmllint: %v\n%s", err, out)
			}
		})
	}
}
