package dmp_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relais-dui/relais/dmp/xds"
)

// The documents built by dmp/cda are what the XDS.b client reads its
// metadata from: each golden document parses, with an OID uniqueId, the
// INS, the facility and practice setting codes, and the replaced document
// for a replacement.
func TestGoldenDocumentsFeedXDSMetadata(t *testing.T) {
	for _, c := range []struct {
		file, typeCode, replaces string
	}{
		{"pdf-level1.xml", "11488-4", ""},
		{"pdf-replacement.xml", "11488-4", "2.25."},
		{"dlu-full.xml", "74207-2", ""},
		{"dlu-minimal.xml", "74207-2", ""},
	} {
		doc, err := os.ReadFile(filepath.Join("cda", "testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		h, err := xds.ParseHeader(doc)
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if !strings.HasPrefix(h.ID.UniqueID(), "2.25.") || len(h.ID.UniqueID()) > 64 {
			t.Errorf("%s: uniqueId %q is not an OID of at most 64 characters", c.file, h.ID.UniqueID())
		}
		if h.Code.Code != c.typeCode || h.PatientINS.Extension != "248066912300144" || h.FacilityType.Code != "SA17" ||
			h.PracticeSetting.Code != "ESSMS" || h.Language != "fr-FR" || h.Confidentiality.Code != "N" {
			t.Errorf("%s: header read back %+v", c.file, h)
		}
		if !strings.HasPrefix(h.Replaces.Root, c.replaces) || (c.replaces == "") != (h.Replaces.Root == "") {
			t.Errorf("%s: replaces %q", c.file, h.Replaces.Root)
		}
	}
}
