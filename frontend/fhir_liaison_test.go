package frontend_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

// A partner writes a liaison note through the FHIR API: the nurses it is
// addressed to find it in the cahier de liaison, signed by the partner.
func TestPartnerNoteInCahierDeLiaison(t *testing.T) {
	w := newWorld(t)
	const secret = "un-secret-de-partenaire-assez-long"
	c := domain.APIClient{ClientID: "hopital-nord", Name: "Hôpital Nord", EstablishmentID: w.ehpad, Role: domain.RoleMedecin,
		Scopes: []domain.Scope{"system/Communication.write"}}
	if _, err := access.RegisterClient(context.Background(), w.db, w.org, &c, "test", secret); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/oauth/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.ClientID, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %v", err)
	}
	note := `{"resourceType":"Communication","status":"completed","priority":"asap",
		"subject":{"reference":"Patient/` + w.resident.String() + `"},
		"recipient":[{"type":"PractitionerRole","identifier":{"system":"urn:relais:role","value":"infirmier"}}],
		"payload":[{"contentString":"Retour des urgences ce soir : surveiller la glycémie."}]}`
	req, _ = http.NewRequest(http.MethodPost, w.srv.URL+"/fhir/Communication", strings.NewReader(note))
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Content-Type", "application/fhir+json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	nurse := w.login("u.infirmier")
	for _, path := range []string{"/liaison", "/usagers/" + w.resident.String() + "/liaison"} {
		code, body := nurse.get(path)
		if code != http.StatusOK || !strings.Contains(body, html.EscapeString("Hôpital Nord (partenaire, API FHIR)")) ||
			!strings.Contains(body, html.EscapeString("surveiller la glycémie")) {
			t.Errorf("%s: %d, the partner's note is not shown signed by the partner", path, code)
		}
	}
}
