package insitest

import (
	"encoding/xml"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/relais-dui/relais/insi"
)

// nirKey is the control key of a 13-character matricule: 97 − (n mod 97),
// Corsica's 2A and 2B read as 19 and 18. Written here rather than imported so
// the demo table is checked independently of the domain code.
func nirKey(nir string) string {
	n := strings.NewReplacer("2A", "19", "2B", "18").Replace(nir)
	v, ok := new(big.Int).SetString(n, 10)
	if !ok {
		return ""
	}
	return fmt.Sprintf("%02d", 97-new(big.Int).Mod(v, big.NewInt(97)).Int64())
}

func TestNIRKeyVectors(t *testing.T) {
	for nir, key := range map[string]string{"297022A020778": "78", "180032B020401": "23", "160012B020777": "13"} {
		if got := nirKey(nir); got != key {
			t.Errorf("key(%s) = %s, want %s", nir, got, key)
		}
	}
}

func TestDemoIdentities(t *testing.T) {
	reCOG := regexp.MustCompile(`^[0-9][0-9AB][0-9]{3}$`)
	seen := map[string]bool{}
	for _, id := range DemoIdentities() {
		t.Run(id.BirthName+" "+id.BirthPlaceCode, func(t *testing.T) {
			if seen[id.NIR] {
				t.Errorf("NIR used twice")
			}
			seen[id.NIR] = true
			if id.OID != insi.OIDTestNIR {
				t.Errorf("OID %s, want the test NIR OID", id.OID)
			}
			if got := nirKey(id.NIR); got != id.Key {
				t.Errorf("key %s, computed %s", id.Key, got)
			}
			for _, p := range id.PastINS {
				if got := nirKey(p.NIR); got != p.Key || p.OID != insi.OIDTestNIR {
					t.Errorf("past INS key %s (computed %s), OID %s", p.Key, got, p.OID)
				}
			}
			// The NIR carries sex, year and month of birth.
			wantPrefix := map[string]string{"M": "1", "F": "2"}[id.Sex] + id.BirthDateText[2:4] + id.BirthDateText[5:7]
			if !strings.HasPrefix(id.NIR, wantPrefix) {
				t.Errorf("NIR does not start with %s", wantPrefix)
			}
			if !reCOG.MatchString(id.BirthPlaceCode) || id.BirthDate.Format("2006-01-02") != id.BirthDateText {
				t.Errorf("birth place %q or date %v/%q", id.BirthPlaceCode, id.BirthDate, id.BirthDateText)
			}
		})
	}
	// DemoIdentities hands out a fresh table: changing one copy leaves the next intact.
	a := DemoIdentities()
	a[0].BirthName = "CHANGED"
	if DemoIdentities()[0].BirthName == "CHANGED" {
		t.Error("DemoIdentities shares its table")
	}
}

func TestFold(t *testing.T) {
	tests := []struct {
		in, name, first string
	}{
		{"Lefèvre-Durand", "LEFEVRE DURAND", "LEFEVRE-DURAND"},
		{"  n’diaye ", "N DIAYE", "N DIAYE"},
		{"N'DIAYE", "N DIAYE", "N DIAYE"},
		{"Œillet", "OEILLET", "OEILLET"},
		{"Anne–Sophie", "ANNE SOPHIE", "ANNE-SOPHIE"},
		{"ÉLODIE", "ELODIE", "ELODIE"},
		{"çaïa", "CAIA", "CAIA"},
	}
	for _, tc := range tests {
		if got := foldName(tc.in); got != tc.name {
			t.Errorf("foldName(%q) = %q, want %q", tc.in, got, tc.name)
		}
		if got := foldFirstName(tc.in); got != tc.first {
			t.Errorf("foldFirstName(%q) = %q, want %q", tc.in, got, tc.first)
		}
	}
}

func TestFirstNamesMatch(t *testing.T) {
	official := []string{"JEAN", "MARIE"}
	tests := []struct {
		query []string
		want  bool
	}{
		{[]string{"JEAN"}, true},
		{[]string{"MARIE"}, false}, // alone, only the first official name counts
		{[]string{"MARIE", "JEAN"}, true},
		{[]string{"JEAN", "MARIE"}, true},
		{[]string{"JEAN", "PAUL"}, false}, // a name the person does not have
		{[]string{"MARIE", "PAUL"}, false},
	}
	for _, tc := range tests {
		if got := firstNamesMatch(tc.query, official); got != tc.want {
			t.Errorf("firstNamesMatch(%v) = %v, want %v", tc.query, got, tc.want)
		}
	}
}

// request is a valid traits request; tests break one part at a time.
const request = `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://www.w3.org/2005/08/addressing">
<soap:Header>
<wsa:Action>urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite</wsa:Action>
<wsa:MessageID>uuid:1</wsa:MessageID>
<b:ContexteBAM xmlns:b="urn:siram:bam:ctxbam" Version="01_02"><b:Id>2</b:Id><b:Temps>2025-01-01T00:00:00Z</b:Temps><b:COUVERTURE/></b:ContexteBAM>
<l:ContexteLPS xmlns:l="urn:siram:lps:ctxlps" Nature="CTXLPS" Version="01_00"><l:Id>3</l:Id><l:Temps>2025-01-01T00:00:00Z</l:Temps><l:LPS><l:IDAM R="4">IDAM</l:IDAM><l:Version>1</l:Version><l:Instance>4</l:Instance><l:Nom>urn:lps:x:1</l:Nom></l:LPS></l:ContexteLPS>
</soap:Header>
<soap:Body>
<s:RECSANSVITALE xmlns:s="http://www.cnamts.fr/INSiRecSans"><s:NomNaissance>Dupont</s:NomNaissance><s:Prenom>Jeanne</s:Prenom><s:Sexe>F</s:Sexe><s:DateNaissance>1931-04-12</s:DateNaissance></s:RECSANSVITALE>
</soap:Body>
</soap:Envelope>`

const traitsContentType = `application/soap+xml; charset=utf-8; action="urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite"`

type faultReply struct {
	Body struct {
		Fault *struct {
			Subcode string `xml:"Code>Subcode>Value"`
		} `xml:"Fault"`
		Resultat *struct {
			Code string `xml:"CR>CodeCR"`
		} `xml:"RESULTAT"`
	} `xml:"Body"`
}

func TestPeerValidatesRequests(t *testing.T) {
	tests := []struct {
		name        string
		method      string
		contentType string
		body        string
		wantStatus  int
		wantSubcode string // "" with wantCode for a result
		wantCode    string
	}{
		{name: "valid", contentType: traitsContentType, body: request, wantStatus: 200, wantCode: "00"},
		{name: "valid without media-type action", contentType: "application/soap+xml; charset=utf-8", body: request, wantStatus: 200, wantCode: "00"},
		{name: "missing action", contentType: "application/soap+xml", body: strings.Replace(request, "<wsa:Action>urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite</wsa:Action>", "", 1),
			wantStatus: 500, wantSubcode: "wsa:MessageAddressingHeaderRequired"},
		{name: "action mismatch", contentType: `application/soap+xml; action="urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale"`, body: request,
			wantStatus: 500, wantSubcode: "wsa:ActionMismatch"},
		{name: "unknown action", contentType: "application/soap+xml", body: strings.Replace(request, "rechercherInsAvecTraitsIdentite<", "supprimerIns<", 1),
			wantStatus: 500, wantSubcode: "wsa:ActionNotSupported"},
		{name: "missing MessageID", contentType: traitsContentType, body: strings.Replace(request, "<wsa:MessageID>uuid:1</wsa:MessageID>", "", 1),
			wantStatus: 500, wantSubcode: "wsa:MessageAddressingHeaderRequired"},
		{name: "missing IDAM", contentType: traitsContentType, body: strings.Replace(request, `<l:IDAM R="4">IDAM</l:IDAM>`, "", 1),
			wantStatus: 500, wantSubcode: "siram:siram_100"},
		{name: "missing ContexteBAM", contentType: traitsContentType, body: regexp.MustCompile(`<b:ContexteBAM.*</b:ContexteBAM>`).ReplaceAllString(request, ""),
			wantStatus: 500, wantSubcode: "siram:siram_ctxbam"},
		{name: "body of the other operation", contentType: traitsContentType, body: strings.ReplaceAll(request, "INSiRecSans", "INSiRecVit"),
			wantStatus: 500, wantSubcode: "siram:siram_corps"},
		{name: "missing sex", contentType: traitsContentType, body: strings.Replace(request, "<s:Sexe>F</s:Sexe>", "", 1),
			wantStatus: 500, wantSubcode: "siram:siram_donnees"},
		{name: "SOAP 1.1 envelope", contentType: traitsContentType, body: strings.ReplaceAll(request, "http://www.w3.org/2003/05/soap-envelope", "http://schemas.xmlsoap.org/soap/envelope/"),
			wantStatus: 500, wantSubcode: "siram:siram_enveloppe"},
		{name: "SOAP 1.1 media type", contentType: "text/xml; charset=utf-8", body: request, wantStatus: 415, wantSubcode: "siram:siram_mediatype"},
		{name: "GET", method: http.MethodGet, wantStatus: 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			peer := NewPeer(DemoIdentities())
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			r := httptest.NewRequest(method, "/lps", strings.NewReader(tc.body))
			r.Header.Set("Content-Type", tc.contentType)
			w := httptest.NewRecorder()
			peer.ServeHTTP(w, r)
			if w.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.wantStatus, w.Body)
			}
			if tc.wantStatus == http.StatusMethodNotAllowed {
				return
			}
			var reply faultReply
			if err := xml.Unmarshal(w.Body.Bytes(), &reply); err != nil {
				t.Fatalf("reply is not XML: %v\n%s", err, w.Body)
			}
			switch {
			case tc.wantSubcode != "":
				if reply.Body.Fault == nil || reply.Body.Fault.Subcode != tc.wantSubcode {
					t.Errorf("reply %s, want fault %s", w.Body, tc.wantSubcode)
				}
			default:
				if reply.Body.Resultat == nil || reply.Body.Resultat.Code != tc.wantCode {
					t.Errorf("reply %s, want code %s", w.Body, tc.wantCode)
				}
			}
		})
	}
}

func TestPeerKeepsBoundedHistory(t *testing.T) {
	peer := NewPeer(nil)
	for i := range maxRecorded + 10 {
		r := httptest.NewRequest(http.MethodPost, "/lps", strings.NewReader(strings.Replace(request, "uuid:1", fmt.Sprintf("uuid:%d", i), 1)))
		r.Header.Set("Content-Type", traitsContentType)
		peer.ServeHTTP(httptest.NewRecorder(), r)
	}
	got := peer.Requests()
	if len(got) != maxRecorded || got[0].MessageID != "uuid:10" || got[len(got)-1].MessageID != fmt.Sprintf("uuid:%d", maxRecorded+9) {
		t.Errorf("kept %d requests, from %s to %s", len(got), got[0].MessageID, got[len(got)-1].MessageID)
	}
}
