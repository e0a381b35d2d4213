package frontend_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/internal/testpg"
	"github.com/relais-dui/relais/server"
	"github.com/relais-dui/relais/store"
)

const testPassword = "mot-de-passe-de-test"

// world is a small organisation with an EHPAD and a SSIAD, one user per role
// in the EHPAD, a usager in each, and a second organisation with one usager.
type world struct {
	t          *testing.T
	db         *store.DB
	srv        *httptest.Server
	org        uuid.UUID
	ehpad      uuid.UUID
	ssiad      uuid.UUID
	resident   uuid.UUID // admitted in the EHPAD
	athome     uuid.UUID // followed by the SSIAD only
	foreign    uuid.UUID // in the other organisation
	insiOne    uuid.UUID // DUPONT Jeanne Marie, known to the INSi test peer
	foreignOrg uuid.UUID
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	dsn := testpg.New(t)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w := &world{t: t, db: db, org: store.NewID()}
	authz, err := access.NewAuthorizer(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := access.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now()
	mkUsager := func(tx *store.Tx, name string, estab uuid.UUID) uuid.UUID {
		u, err := domain.UsagerInput{BirthName: name, FirstNames: "Jeanne Marie", BirthDate: "1936-05-04", Sex: "F", BirthPlaceCode: "69123"}.Parse(today)
		if err != nil {
			t.Fatal(err)
		}
		s := domain.Stay{EstablishmentID: estab, Status: domain.StayAdmitted, Mode: domain.ModePermanent, AdmissionDate: time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC)}
		if err := tx.CreateUsager(&u, &s); err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	err = db.InTenant(ctx, w.org, func(tx *store.Tx) error {
		if err := tx.CreateOrganisation(&domain.Organisation{Name: "Les Tilleuls", FinessEJ: "690000017"}); err != nil {
			return err
		}
		e := domain.Establishment{Name: "EHPAD Les Tilleuls", FinessET: "690000025", Category: domain.CatEHPAD}
		s := domain.Establishment{Name: "SSIAD du Val", FinessET: "690000033", Category: domain.CatSSIAD}
		if err := tx.CreateEstablishment(&e); err != nil {
			return err
		}
		if err := tx.CreateEstablishment(&s); err != nil {
			return err
		}
		w.ehpad, w.ssiad = e.ID, s.ID
		for _, r := range domain.AllRoles {
			u := domain.User{Username: "u." + string(r), DisplayName: r.Label() + " Test", Active: true}
			if err := tx.CreateUser(&u, hash); err != nil {
				return err
			}
			if err := tx.AddMembership(domain.Membership{UserID: u.ID, EstablishmentID: e.ID, Role: r}); err != nil {
				return err
			}
		}
		w.resident = mkUsager(tx, "Résidente", e.ID)
		w.athome = mkUsager(tx, "Domicile", s.ID)
		known, err := domain.UsagerInput{BirthName: "Dupont", FirstNames: "Jeanne Marie", BirthDate: "1931-04-12", Sex: "F", BirthPlaceCode: "35238"}.Parse(today)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.CreateUsager(&known, &domain.Stay{EstablishmentID: e.ID, Status: domain.StayAdmitted, Mode: domain.ModePermanent,
			AdmissionDate: time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			return err
		}
		w.insiOne = known.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := authz.SeedDefaults(ctx, w.org); err != nil {
		t.Fatal(err)
	}
	other := store.NewID()
	w.foreignOrg = other
	err = db.InTenant(ctx, other, func(tx *store.Tx) error {
		if err := tx.CreateOrganisation(&domain.Organisation{Name: "Horizon", FinessEJ: "130000016"}); err != nil {
			return err
		}
		e := domain.Establishment{Name: "FAM Horizon", FinessET: "130000024", Category: domain.CatFAM}
		if err := tx.CreateEstablishment(&e); err != nil {
			return err
		}
		w.foreign = mkUsager(tx, "Ailleurs", e.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := server.NewHandler(ctx, db, server.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	w.srv = httptest.NewServer(h)
	t.Cleanup(w.srv.Close)
	return w
}

// client is a browser-like HTTP client: cookie jar, no redirect following.
type client struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func (w *world) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: w.t, base: w.srv.URL, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (c *client) do(method, path string, form url.Values) (int, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfRe.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return resp.StatusCode, string(b)
}

func (c *client) get(path string) (int, string) { return c.do(http.MethodGet, path, nil) }

// post sends a form with the current CSRF token.
func (c *client) post(path string, form url.Values) (int, string) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf_token") == "" {
		form.Set("csrf_token", c.csrf)
	}
	return c.do(http.MethodPost, path, form)
}

func (w *world) login(username string) *client {
	w.t.Helper()
	c := w.client()
	if code, _ := c.get("/login"); code != http.StatusOK {
		w.t.Fatalf("GET /login = %d", code)
	}
	code, body := c.post("/login", url.Values{"username": {username}, "password": {testPassword}})
	if code != http.StatusSeeOther {
		w.t.Fatalf("login %s = %d: %s", username, code, body)
	}
	if code, _ := c.get("/usagers"); code != http.StatusOK { // refreshes the session CSRF token
		w.t.Fatalf("GET /usagers after login = %d", code)
	}
	return c
}

func (w *world) count(table string) int {
	w.t.Helper()
	var n int
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		return tx.Gorm().Raw("SELECT count(*) FROM " + table).Scan(&n).Error
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

// idOf returns the id of the one usager matching the SQL condition.
func (w *world) idOf(cond string) uuid.UUID {
	w.t.Helper()
	var id uuid.UUID
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		return tx.Gorm().Raw("SELECT id FROM usagers WHERE " + cond).Row().Scan(&id)
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

// stayOf returns the id of the usager's first stay.
func (w *world) stayOf(usager uuid.UUID) uuid.UUID {
	w.t.Helper()
	var id uuid.UUID
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		return tx.Gorm().Raw("SELECT id FROM stays WHERE usager_id = ? ORDER BY created_at LIMIT 1", usager).Row().Scan(&id)
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

// foreignEstab returns an establishment id of the other organisation, read
// as the owner would (the application role cannot see it, which is the point).
func (w *world) foreignEstab() uuid.UUID {
	w.t.Helper()
	var id uuid.UUID
	err := w.db.InTenant(context.Background(), w.foreignOrg, func(tx *store.Tx) error {
		return tx.Gorm().Raw("SELECT id FROM establishments LIMIT 1").Row().Scan(&id)
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}
