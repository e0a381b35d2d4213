package insi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Answers in the shapes the service is known to use: default namespace on
// RESULTAT, or prefixed elements with an env:Body declared twice.
const (
	answerPrefixed00 = `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><env:Body xmlns:env="http://www.w3.org/2003/05/soap-envelope"><r:RESULTAT xmlns:r="http://www.cnamts.fr/INSiResultat" xmlns="http://www.cnamts.fr/INSiRecSans"><r:CR><r:CodeCR>00</r:CodeCR><r:LibelleCR>OK</r:LibelleCR></r:CR><r:INDIVIDU><r:INSACTIF><r:IdIndividu><r:NumIdentifiant>180032B020401</r:NumIdentifiant><r:Cle>23</r:Cle></r:IdIndividu><r:OID>1.2.250.1.213.1.4.10</r:OID></r:INSACTIF><r:INSHISTO><r:IdIndividu><r:NumIdentifiant>297022A020778</r:NumIdentifiant><r:Cle>78</r:Cle><r:TypeMatricule>NIR</r:TypeMatricule></r:IdIndividu><r:OID>1.2.250.1.213.1.4.10</r:OID><r:DateDeb>2001-01-01</r:DateDeb></r:INSHISTO><r:TIQ><r:NomNaissance>TESTCORSE</r:NomNaissance><r:Prenom>ANGE</r:Prenom><r:ListePrenom>ANGE PASCAL-MARIE</r:ListePrenom><r:Sexe>M</r:Sexe><r:DateNaissance>1980-03-00</r:DateNaissance><r:LieuNaissance>2B020</r:LieuNaissance></r:TIQ></r:INDIVIDU></r:RESULTAT></env:Body></soap:Envelope>`

	answerDefault01 = `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR>01</CodeCR><LibelleCR>Aucune identite trouvee</LibelleCR></CR></RESULTAT></soap:Body></soap:Envelope>`

	answerDefault02 = `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR>02</CodeCR><LibelleCR>Plusieurs identites trouvees</LibelleCR></CR></RESULTAT></soap:Body></soap:Envelope>`

	answerFault = `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><soap:Fault><soap:Code><soap:Value>soap:Receiver</soap:Value><soap:Subcode><soap:Value>soap:siram_40</soap:Value></soap:Subcode></soap:Code><soap:Reason><soap:Text xml:lang="en">Service unavailable</soap:Text><soap:Text xml:lang="fr">Service momentanément indisponible.</soap:Text></soap:Reason><soap:Detail><siram:Erreur xmlns:siram="urn:siram" code="desir_999" severite="fatale" messageID="uuid:1">Maintenance.</siram:Erreur></soap:Detail></soap:Fault></soap:Body></soap:Envelope>`
)

func TestParseResponse(t *testing.T) {
	result00 := answer{code: "00", label: "OK", identity: &Identity{
		NIR: "180032B020401", Key: "23", OID: OIDTestNIR,
		PastINS:   []PastINS{{NIR: "297022A020778", Key: "78", OID: OIDTestNIR}},
		BirthName: "TESTCORSE", FirstNames: []string{"ANGE", "PASCAL-MARIE"}, Sex: "M",
		BirthDateText: "1980-03-00", BirthPlaceCode: "2B020", // lunar: no calendar date
	}}
	tests := []struct {
		name      string
		status    int
		body      string
		want      answer
		wantFault *FaultError
		wantErr   error
		wantHTTP  int
	}{
		{name: "prefixed 00 with past INS and lunar date", status: 200, body: answerPrefixed00, want: result00},
		{name: "01", status: 200, body: answerDefault01, want: answer{code: "01", label: "Aucune identite trouvee"}},
		{name: "02", status: 200, body: answerDefault02, want: answer{code: "02", label: "Plusieurs identites trouvees"}},
		{name: "fault with HTTP 500, French reason chosen", status: 500, body: answerFault, wantFault: &FaultError{
			Code: "Receiver", Subcode: "siram_40", Reason: "Service momentanément indisponible.",
			Detail: "Maintenance.", DetailCode: "desir_999", Severity: "fatale"}},
		{name: "HTML error page", status: 503, body: "<html><body>Service Unavailable</body></html>", wantHTTP: 503},
		{name: "empty 502", status: 502, body: "", wantHTTP: 502},
		{name: "200 not XML", status: 200, body: "OK", wantErr: ErrMalformedResponse},
		{name: "empty 200", status: 200, body: "", wantErr: ErrMalformedResponse},
		{name: "SOAP 1.1 envelope", status: 200, body: strings.ReplaceAll(answerDefault01, "http://www.w3.org/2003/05/soap-envelope", "http://schemas.xmlsoap.org/soap/envelope/"), wantErr: ErrMalformedResponse},
		{name: "RESULTAT in another namespace", status: 200, body: strings.ReplaceAll(answerDefault01, "INSiResultat", "Autre"), wantErr: ErrMalformedResponse},
		{name: "unknown code", status: 200, body: strings.ReplaceAll(answerDefault01, "<CodeCR>01", "<CodeCR>03"), wantErr: ErrMalformedResponse},
		{name: "no CR", status: 200, body: `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"/></e:Body></e:Envelope>`, wantErr: ErrMalformedResponse},
		{name: "00 without INDIVIDU", status: 200, body: strings.ReplaceAll(answerDefault01, "<CodeCR>01", "<CodeCR>00"), wantErr: ErrMalformedResponse},
		{name: "00 with a malformed matricule", status: 200, body: strings.Replace(answerPrefixed00, "180032B020401", "18003<x/>", 1), wantErr: ErrMalformedResponse},
		{name: "00 with a bad key", status: 200, body: strings.Replace(answerPrefixed00, "<r:Cle>23", "<r:Cle>2X", 1), wantErr: ErrMalformedResponse},
		{name: "00 without birth name", status: 200, body: strings.Replace(answerPrefixed00, "TESTCORSE", "", 1), wantErr: ErrMalformedResponse},
		{name: "00 with a bad date", status: 200, body: strings.Replace(answerPrefixed00, "1980-03-00", "02/03/1980", 1), wantErr: ErrMalformedResponse},
		{name: "DTD with entities", status: 200, body: `<?xml version="1.0"?><!DOCTYPE e [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>` + answerDefault01, wantErr: ErrMalformedResponse},
		{name: "undefined entity", status: 200, body: strings.Replace(answerDefault01, "Aucune", "&xxe;", 1), wantErr: ErrMalformedResponse},
		{name: "truncated", status: 200, body: answerPrefixed00[:400], wantErr: ErrMalformedResponse},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseResponse(tc.status, http.StatusText(tc.status), []byte(tc.body))
			switch {
			case tc.wantFault != nil:
				var fe *FaultError
				if !errors.As(err, &fe) || *fe != *tc.wantFault {
					t.Fatalf("error %#v, want %#v", err, tc.wantFault)
				}
			case tc.wantHTTP != 0:
				var he *HTTPError
				if !errors.As(err, &he) || he.StatusCode != tc.wantHTTP {
					t.Fatalf("error %v, want HTTP %d", err, tc.wantHTTP)
				}
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error %v, want %v", err, tc.wantErr)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("got %+v / %+v\nwant %+v / %+v", got, got.identity, tc.want, tc.want.identity)
				}
			}
		})
	}
}

// FuzzParseResponse: whatever the service (or an attacker in its place)
// sends, parsing never panics and never yields a result the contract forbids.
func FuzzParseResponse(f *testing.F) {
	for _, s := range []string{answerPrefixed00, answerDefault01, answerDefault02, answerFault, "", "<", "<a/>"} {
		f.Add(200, s)
	}
	f.Add(500, answerFault)
	f.Fuzz(func(t *testing.T, status int, body string) {
		a, err := parseResponse(status, "", []byte(body))
		if err != nil {
			return
		}
		switch a.code {
		case CodeFound:
			if a.identity == nil || !reMatricule.MatchString(a.identity.NIR) || len(a.identity.FirstNames) == 0 {
				t.Fatalf("00 without a valid identity: %+v", a.identity)
			}
		case CodeNotFound, CodeSeveral:
			if a.identity != nil {
				t.Fatalf("identity with code %s", a.code)
			}
		default:
			t.Fatalf("accepted code %q", a.code)
		}
	})
}

func TestTraitsPlan(t *testing.T) {
	type step struct {
		names string
		place string
	}
	tests := []struct {
		name  string
		names []string
		place string
		want  []step
	}{
		{"one name, no place", []string{"A"}, "", []step{{"A", ""}}},
		{"one name, place", []string{"A"}, "35238", []step{{"A", ""}, {"A", "35238"}}},
		{"names, no place", []string{"A", "B"}, "", []step{{"A", ""}, {"A B", ""}}},
		{"names and place", []string{"A", "B", "C"}, "2A004", []step{{"A", ""}, {"A B C", ""}, {"A B C", "2A004"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []step
			for _, s := range traitsPlan(sentTraits{birthName: "X", firstNames: tc.names, sex: "F", birthDate: "2000-01-01", birthPlace: tc.place}) {
				got = append(got, step{strings.Join(s.firstNames, " "), s.birthPlace})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("plan %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNormaliseTraits(t *testing.T) {
	got, err := normaliseTraits(TraitsQuery{
		BirthName: "  de  la Tour-d'Auvergne ", FirstNames: []string{" jean marie", "", "Anne-Sophie "},
		Sex: " m", BirthDate: time.Date(1950, 6, 1, 23, 30, 0, 0, time.FixedZone("UTC+2", 7200)), BirthPlaceCode: "2a004",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := sentTraits{birthName: "DE LA TOUR-D'AUVERGNE", firstNames: []string{"JEAN", "MARIE", "ANNE-SOPHIE"},
		sex: "M", birthDate: "1950-06-01", birthPlace: "2A004"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestResponseSizeLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/soap+xml")
		_, _ = w.Write([]byte(answerDefault01 + strings.Repeat(" ", 4096)))
	}))
	defer srv.Close()
	c, err := NewWithHTTPClient(srv.URL, srv.Client(), Identification{IDAM: "I", SoftwareName: "N", SoftwareVersion: "V"}, WithMaxResponseBytes(1024))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.SearchByTraits(context.Background(), TraitsQuery{BirthName: "X", FirstNames: []string{"Y"}, Sex: "F", BirthDate: time.Now()})
	if !errors.Is(err, ErrMalformedResponse) {
		t.Errorf("error %v, want ErrMalformedResponse", err)
	}
}

func TestMessages(t *testing.T) {
	tests := []struct {
		r    Result
		want string
	}{
		{Result{Code: CodeFound}, "Une identité trouvée"},
		{Result{Code: CodeNotFound}, "Aucune identité trouvée"},
		{Result{Code: CodeSeveral}, "Plusieurs identités : précisez les traits"},
		{Result{}, "Recherche non aboutie"},
	}
	for _, tc := range tests {
		if got := tc.r.Message(); got != tc.want {
			t.Errorf("Message(%q) = %q, want %q", tc.r.Code, got, tc.want)
		}
	}
	descriptions := []struct {
		a    Attempt
		want string
	}{
		{Attempt{Operation: OpTraits, FirstNames: []string{"A"}, Code: "01"}, "Premier prénom seul : Aucune identité trouvée (01)"},
		{Attempt{Operation: OpTraits, FirstNames: []string{"A", "B"}, Code: "02"}, "Tous les prénoms (A B) : Plusieurs identités : précisez les traits (02)"},
		{Attempt{Operation: OpTraits, FirstNames: []string{"A", "B"}, WithBirthPlace: true, Code: "00"}, "Tous les prénoms (A B) et lieu de naissance : Une identité trouvée (00)"},
		{Attempt{Operation: OpTraits, FirstNames: []string{"A"}, WithBirthPlace: true, Code: "00"}, "Premier prénom et lieu de naissance : Une identité trouvée (00)"},
		{Attempt{Operation: OpCarteVitale}, "Recherche par carte Vitale : pas de réponse"},
	}
	for _, tc := range descriptions {
		if got := tc.a.Description(); got != tc.want {
			t.Errorf("Description() = %q, want %q", got, tc.want)
		}
	}
}
