package frontend_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

func (w *world) userID(username string) uuid.UUID {
	w.t.Helper()
	var id uuid.UUID
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		return tx.Gorm().Raw("SELECT id FROM users WHERE username = ?", username).Row().Scan(&id)
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

// addUser creates an account with one role in one establishment.
func (w *world) addUser(username string, estab uuid.UUID, role domain.Role) uuid.UUID {
	w.t.Helper()
	u := domain.User{Username: username, DisplayName: "Compte " + username, Active: true}
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		var hash string
		if err := tx.Gorm().Raw("SELECT password_hash FROM users WHERE username = 'u.infirmier'").Row().Scan(&hash); err != nil {
			return err
		}
		if err := tx.CreateUser(&u, hash); err != nil {
			return err
		}
		return tx.AddMembership(domain.Membership{UserID: u.ID, EstablishmentID: estab, Role: role})
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return u.ID
}

var noteLinkRe = regexp.MustCompile(`^/liaison/([0-9a-f-]{36})\?envoyee=1$`)

// sendLiaison posts a note and returns its id.
func sendLiaison(t *testing.T, c *client, form url.Values) uuid.UUID {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+"/liaison", strings.NewReader(withCSRF(c, form).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /liaison = %d", resp.StatusCode)
	}
	m := noteLinkRe.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		t.Fatalf("redirect to %q", resp.Header.Get("Location"))
	}
	return uuid.MustParse(m[1])
}

func withCSRF(c *client, form url.Values) url.Values {
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("csrf_token", c.csrf)
	return f
}

var badgeRe = regexp.MustCompile(`id="liaison-unread">(\d+)`)

func unread(t *testing.T, c *client) int {
	t.Helper()
	code, body := c.get("/usagers")
	if code != http.StatusOK {
		t.Fatalf("GET /usagers = %d", code)
	}
	m := badgeRe.FindStringSubmatch(body)
	if m == nil {
		return 0
	}
	n := 0
	for _, d := range m[1] {
		n = n*10 + int(d-'0')
	}
	return n
}

func TestLiaisonReadReceiptsAndUnreadCount(t *testing.T) {
	w := newWorld(t)
	author := w.login("u.cadre_sante")
	nurse := w.login("u.infirmier")
	doctor := w.login("u.medecin")
	if n := unread(t, nurse); n != 0 {
		t.Fatalf("unread before any note = %d", n)
	}
	id := sendLiaison(t, author, url.Values{
		"establishment_id": {w.ehpad.String()}, "usager_id": {w.resident.String()}, "section": {"care"},
		"priority": {"urgente"}, "body": {"Surveiller la glycémie ce soir."},
		"roles": {"infirmier"}, "users": {w.userID("u.medecin").String()}})
	if n := unread(t, nurse); n != 1 {
		t.Fatalf("nurse unread = %d, want 1", n)
	}
	if n := unread(t, doctor); n != 1 {
		t.Fatalf("doctor unread = %d, want 1", n)
	}
	if n := unread(t, author); n != 0 {
		t.Fatalf("author's own note counted unread: %d", n)
	}
	code, inbox := nurse.get("/liaison?filtre=nonlues")
	if code != http.StatusOK || !strings.Contains(inbox, "Surveiller la glycémie") || !strings.Contains(inbox, "Urgente") {
		t.Fatalf("nurse inbox = %d: %s", code, inbox)
	}
	trailBefore := w.count("access_trail")
	code, page := nurse.get("/liaison/" + id.String())
	if code != http.StatusOK || !strings.Contains(page, "Surveiller la glycémie ce soir.") {
		t.Fatalf("open note = %d", code)
	}
	if got := w.count("access_trail"); got != trailBefore+1 {
		t.Errorf("reading a care liaison note wrote %d trail rows, want 1", got-trailBefore)
	}
	if n := unread(t, nurse); n != 0 {
		t.Fatalf("nurse unread after opening = %d, want 0", n)
	}
	if n := unread(t, doctor); n != 1 {
		t.Fatalf("doctor unread after the nurse read = %d, want 1", n)
	}
	var first time.Time
	if err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		return tx.Gorm().Raw("SELECT read_at FROM liaison_reads WHERE note_id = ? AND user_id = ?", id, w.userID("u.infirmier")).Row().Scan(&first)
	}); err != nil {
		t.Fatal(err)
	}
	if time.Since(first) > time.Minute || time.Since(first) < 0 {
		t.Errorf("read_at = %v", first)
	}
	nurse.get("/liaison/" + id.String())  // a second opening keeps the first receipt
	author.get("/liaison/" + id.String()) // the author's opening is not a receipt
	if n := w.count("liaison_reads"); n != 1 {
		t.Fatalf("liaison_reads = %d, want 1 (one per reader, author excluded)", n)
	}
	var again time.Time
	w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		return tx.Gorm().Raw("SELECT read_at FROM liaison_reads WHERE note_id = ?", id).Row().Scan(&again)
	})
	if !again.Equal(first) {
		t.Errorf("receipt moved from %v to %v", first, again)
	}
	doctor.get("/liaison/" + id.String())
	_, page = author.get("/liaison/" + id.String())
	for _, who := range []string{"lu par Infirmier Test le", "lu par Médecin Test le"} {
		if !strings.Contains(page, who) {
			t.Errorf("author's page lacks %q", who)
		}
	}
	if _, page = nurse.get("/liaison/" + id.String()); strings.Contains(page, "lu par") {
		t.Errorf("read receipts shown to a reader who is not the author")
	}
	// Read filter and the dossier's list.
	if _, inbox = nurse.get("/liaison?filtre=lues"); !strings.Contains(inbox, "Surveiller la glycémie") {
		t.Errorf("read note missing from the read filter")
	}
	if _, inbox = nurse.get("/liaison?filtre=nonlues"); strings.Contains(inbox, "Surveiller la glycémie") {
		t.Errorf("read note still in the unread filter")
	}
	if _, dossier := nurse.get("/usagers/" + w.resident.String()); !strings.Contains(dossier, "Écrire une note de liaison") {
		t.Errorf("dossier lacks the liaison link")
	}
	if code, list := nurse.get("/usagers/" + w.resident.String() + "/liaison"); code != http.StatusOK || !strings.Contains(list, "Surveiller la glycémie") {
		t.Errorf("usager's liaison list = %d", code)
	}
}

func TestLiaisonVisibility(t *testing.T) {
	w := newWorld(t)
	author := w.login("u.cadre_sante")
	care := sendLiaison(t, author, url.Values{
		"establishment_id": {w.ehpad.String()}, "usager_id": {w.resident.String()}, "section": {"care"},
		"priority": {"normale"}, "body": {"Pansement talon gauche à refaire."},
		"roles": {"infirmier", "educateur"}})
	psy := w.login("u.psychologue")
	educ := sendLiaison(t, psy, url.Values{
		"establishment_id": {w.ehpad.String()}, "section": {"educational"},
		"priority": {"importante"}, "body": {"Atelier mémoire déplacé à jeudi."}, "roles": {"educateur"}})

	// An educator of the EHPAD: the educational note, not the care one.
	e := w.login("u.educateur")
	if n := unread(t, e); n != 1 {
		t.Errorf("EHPAD educator unread = %d, want 1 (the care note is not theirs to read)", n)
	}
	_, inbox := e.get("/liaison")
	if strings.Contains(inbox, "Pansement") || !strings.Contains(inbox, "Atelier mémoire") {
		t.Errorf("EHPAD educator inbox: %s", inbox)
	}
	code, page := e.get("/liaison/" + care.String())
	if code != http.StatusForbidden || strings.Contains(page, "Pansement") {
		t.Errorf("care note for an educator = %d (content shown: %v)", code, strings.Contains(page, "Pansement"))
	}
	if code, _ := e.post("/liaison/"+care.String()+"/reponses", url.Values{"body": {"vu"}}); code != http.StatusForbidden {
		t.Errorf("educator reply to a care note = %d", code)
	}
	if _, list := e.get("/usagers/" + w.resident.String() + "/liaison"); strings.Contains(list, "Pansement") {
		t.Errorf("care note listed on the dossier for an educator")
	}
	// An educator of another establishment (the SSIAD): nothing of the EHPAD.
	w.addUser("educ.ssiad", w.ssiad, domain.RoleEducateur)
	o := w.login("educ.ssiad")
	if n := unread(t, o); n != 0 {
		t.Errorf("SSIAD educator unread = %d", n)
	}
	_, inbox = o.get("/liaison")
	if strings.Contains(inbox, "Atelier") || strings.Contains(inbox, "Pansement") {
		t.Errorf("SSIAD educator sees EHPAD notes")
	}
	for _, id := range []uuid.UUID{care, educ} {
		code, page := o.get("/liaison/" + id.String())
		if code != http.StatusNotFound || strings.Contains(page, "Atelier") || strings.Contains(page, "Pansement") {
			t.Errorf("EHPAD note %s for the SSIAD educator = %d", id, code)
		}
	}
	if code, _ := o.get("/usagers/" + w.resident.String() + "/liaison"); code != http.StatusForbidden {
		t.Errorf("EHPAD resident's liaison list for the SSIAD educator = %d", code)
	}
	if n := w.count("liaison_reads"); n != 0 {
		t.Errorf("refused openings left %d receipts", n)
	}
}

func TestLiaisonBadInput(t *testing.T) {
	w := newWorld(t)
	ssiadNurse := w.addUser("ide.ssiad", w.ssiad, domain.RoleInfirmier)
	c := w.login("u.cadre_sante")
	if code, _ := c.get("/liaison/nouvelle?usager=" + w.resident.String()); code != http.StatusOK {
		t.Fatalf("form = %d", code)
	}
	base := url.Values{"establishment_id": {w.ehpad.String()}, "usager_id": {w.resident.String()}, "section": {"care"},
		"priority": {"normale"}, "body": {"Texte"}, "roles": {"infirmier"}}
	cases := []struct {
		name string
		edit func(url.Values)
		want string
	}{
		{"empty body", func(f url.Values) { f.Set("body", "  ") }, "Le texte de la note est obligatoire."},
		{"no recipient", func(f url.Values) { f.Del("roles") }, "Choisissez au moins un destinataire"},
		{"recipient outside", func(f url.Values) { f.Set("users", ssiadNurse.String()) }, "n&#39;appartient pas à l&#39;établissement de la note"},
		{"section without write", func(f url.Values) { f.Set("section", "medical") }, "Vos habilitations ne permettent pas d&#39;écrire"},
		{"usager elsewhere", func(f url.Values) { f.Set("usager_id", w.athome.String()) }, "pas accompagnée par l&#39;établissement choisi"},
	}
	for _, tc := range cases {
		f := url.Values{}
		for k, v := range base {
			f[k] = append([]string{}, v...)
		}
		tc.edit(f)
		code, body := c.post("/liaison", f)
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d, message %q missing", tc.name, code, tc.want)
		}
		if !strings.Contains(body, `class="field-error"`) {
			t.Errorf("%s: no message beside the field", tc.name)
		}
	}
	for _, table := range []string{"liaison_notes", "liaison_recipients"} {
		if n := w.count(table); n != 0 {
			t.Errorf("%s has %d rows after refused input", table, n)
		}
	}
	if n := w.count("access_trail WHERE detail LIKE 'note de liaison%'"); n != 0 {
		t.Errorf("refused notes traced: %d", n)
	}
}

func TestLiaisonRepliesThreadInOrder(t *testing.T) {
	w := newWorld(t)
	author := w.login("u.cadre_sante")
	id := sendLiaison(t, author, url.Values{
		"establishment_id": {w.ehpad.String()}, "section": {"care"}, "priority": {"importante"},
		"body": {"Rupture de stock de gants taille M."}, "roles": {"infirmier", "aide_soignant"}})
	nurse := w.login("u.infirmier")
	aide := w.login("u.aide_soignant")
	nurse.get("/liaison/" + id.String())
	if code, _ := nurse.post("/liaison/"+id.String()+"/reponses", url.Values{"body": {"Première réponse : commande passée."}}); code != http.StatusSeeOther {
		t.Fatalf("reply = %d", code)
	}
	aide.get("/liaison/" + id.String())
	if code, _ := aide.post("/liaison/"+id.String()+"/reponses", url.Values{"body": {"Deuxième réponse : reçu ce matin."}}); code != http.StatusSeeOther {
		t.Fatalf("reply = %d", code)
	}
	if code, body := aide.post("/liaison/"+id.String()+"/reponses", url.Values{"body": {""}}); code != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "Le texte de la réponse est obligatoire.") {
		t.Errorf("empty reply = %d", code)
	}
	if n := w.count("liaison_notes"); n != 3 {
		t.Errorf("liaison_notes = %d, want the note and two replies", n)
	}
	if n := w.count("access_trail WHERE detail = 'réponse à une note de liaison'"); n != 2 {
		t.Errorf("replies traced %d times", n)
	}
	_, page := author.get("/liaison/" + id.String())
	i, j := strings.Index(page, "Première réponse"), strings.Index(page, "Deuxième réponse")
	if i < 0 || j < 0 || i > j {
		t.Errorf("replies not threaded in order (%d, %d)", i, j)
	}
	_, inbox := nurse.get("/liaison")
	if !strings.Contains(inbox, "2 réponses") {
		t.Errorf("inbox lacks the reply count")
	}
}

func TestLiaisonFormFromDossierAndSearch(t *testing.T) {
	w := newWorld(t)
	w.addUser("ide.ssiad", w.ssiad, domain.RoleInfirmier)
	c := w.login("u.infirmier")
	code, page := c.get("/liaison/nouvelle?usager=" + w.resident.String())
	if code != http.StatusOK || !strings.Contains(page, `name="usager_id" value="`+w.resident.String()+`"`) || !strings.Contains(page, "RÉSIDENTE Jeanne") {
		t.Errorf("form from the dossier = %d, usager not chosen", code)
	}
	if !strings.Contains(page, "Aide-soignant Test") || !strings.Contains(page, `value="infirmier"`) {
		t.Errorf("form lacks the establishment's users or the roles")
	}
	if strings.Contains(page, "Compte ") {
		t.Errorf("form lists users of other establishments")
	}
	code, page = c.get("/liaison/nouvelle?q=dupont")
	if code != http.StatusOK || !strings.Contains(page, `type="radio" name="usager_id" value="`+w.insiOne.String()+`"`) {
		t.Errorf("usager search in the form = %d", code)
	}
	if code, _ := c.get("/liaison/nouvelle?usager=" + w.athome.String()); code != http.StatusForbidden {
		t.Errorf("form about a SSIAD usager for an EHPAD nurse = %d", code)
	}
	if code, _ := c.get("/liaison/nouvelle?usager=" + w.foreign.String()); code != http.StatusNotFound {
		t.Errorf("form about another organisation's usager = %d", code)
	}
}
