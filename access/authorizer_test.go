package access_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

func newAuthorizer(t *testing.T, w world) *access.Authorizer {
	t.Helper()
	a, err := access.NewAuthorizer(context.Background(), w.db)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestDefaultMatrix(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, 1)
	org := w.orgs[0]
	a := newAuthorizer(t, w)
	if a.Allowed(org, domain.RoleMedecin, domain.SectionMedical, domain.ActionRead) {
		t.Fatal("an organisation without matrix allows something")
	}
	if err := a.SeedDefaults(ctx, org); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		role domain.Role
		s    domain.Section
		a    domain.Action
		want bool
	}{
		{domain.RoleAideSoignant, domain.SectionMedical, domain.ActionRead, false},
		{domain.RoleAideSoignant, domain.SectionCare, domain.ActionWrite, true},
		{domain.RoleAideSoignant, domain.SectionCare, domain.ActionValidate, false},
		{domain.RoleMedecin, domain.SectionMedical, domain.ActionRead, true},
		{domain.RoleMedecin, domain.SectionMedical, domain.ActionExport, true},
		{domain.RoleAdministrateur, domain.SectionCare, domain.ActionRead, false},
		{domain.RoleAdministrateur, domain.SectionMedical, domain.ActionRead, false},
		{domain.RoleAdministrateur, domain.SectionSettings, domain.ActionWrite, true},
		{domain.RoleDirecteur, domain.SectionSettings, domain.ActionWrite, false},
		{domain.RoleInfirmier, domain.SectionCare, domain.ActionValidate, true},
		{domain.RoleEducateur, domain.SectionCare, domain.ActionRead, false},
		{"sorcier", domain.SectionAdmin, domain.ActionRead, false},
	}
	for _, tt := range tests {
		if got := a.Allowed(org, tt.role, tt.s, tt.a); got != tt.want {
			t.Errorf("Allowed(%s, %s, %s) = %v, want %v", tt.role, tt.s, tt.a, got, tt.want)
		}
	}
	if got := a.Matrix(org); !reflect.DeepEqual(got, domain.DefaultMatrix()) {
		t.Errorf("Matrix = %d grants, want the %d of DefaultMatrix in order", len(got), len(domain.DefaultMatrix()))
	}

	// Seeding again keeps an edited matrix; a fresh Authorizer (another
	// instance, or a restart) reads the same from the database.
	edited := withoutGrant(domain.DefaultMatrix(), domain.Grant{Role: domain.RoleMedecin, Section: domain.SectionMedical, Action: domain.ActionExport})
	if err := a.SetMatrix(ctx, org, edited); err != nil {
		t.Fatal(err)
	}
	if err := a.SeedDefaults(ctx, org); err != nil {
		t.Fatal(err)
	}
	if got := newAuthorizer(t, w).Matrix(org); !reflect.DeepEqual(got, edited) {
		t.Errorf("after a second SeedDefaults the matrix has %d grants, want the edited %d", len(got), len(edited))
	}
}

func withoutGrant(gs []domain.Grant, drop domain.Grant) []domain.Grant {
	var out []domain.Grant
	for _, g := range gs {
		if g != drop {
			out = append(out, g)
		}
	}
	return out
}

func TestMatrixIsPerOrganisation(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, 2)
	orgA, orgB := w.orgs[0], w.orgs[1]
	a := newAuthorizer(t, w)
	if err := a.SeedDefaults(ctx, orgA); err != nil {
		t.Fatal(err)
	}
	if a.Allowed(orgB, domain.RoleMedecin, domain.SectionMedical, domain.ActionRead) {
		t.Error("org A's matrix grants in org B")
	}
	// A principal of org B holding a role of org A's matrix gets nothing.
	p := &access.Principal{OrgID: orgB, Memberships: []domain.Membership{{EstablishmentID: w.estabs[1][0], Role: domain.RoleMedecin}}}
	if _, ok := a.Can(p, w.estabs[1][0], domain.SectionMedical, domain.ActionRead); ok {
		t.Error("Can answers from another organisation's matrix")
	}
	if err := a.SeedDefaults(ctx, orgB); err != nil {
		t.Fatal(err)
	}
	medical := domain.Grant{Role: domain.RoleMedecin, Section: domain.SectionMedical, Action: domain.ActionRead}
	if err := a.SetMatrix(ctx, orgB, withoutGrant(domain.DefaultMatrix(), medical)); err != nil {
		t.Fatal(err)
	}
	if !a.Allowed(orgA, medical.Role, medical.Section, medical.Action) {
		t.Error("editing org B's matrix changed org A's")
	}
	if a.Allowed(orgB, medical.Role, medical.Section, medical.Action) {
		t.Error("org B's edit not in force")
	}
}

func TestSetMatrixRevokesAtOnce(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, 1)
	org := w.orgs[0]
	a := newAuthorizer(t, w)
	if err := a.SeedDefaults(ctx, org); err != nil {
		t.Fatal(err)
	}
	other := newAuthorizer(t, w) // a second application instance
	care := domain.Grant{Role: domain.RoleAideSoignant, Section: domain.SectionCare, Action: domain.ActionWrite}
	if !a.Allowed(org, care.Role, care.Section, care.Action) || !other.Allowed(org, care.Role, care.Section, care.Action) {
		t.Fatal("default matrix does not let aide_soignant write care")
	}
	if err := a.SetMatrix(ctx, org, withoutGrant(domain.DefaultMatrix(), care)); err != nil {
		t.Fatal(err)
	}
	if a.Allowed(org, care.Role, care.Section, care.Action) {
		t.Error("revoked right still allowed by the instance that revoked it")
	}
	if err := other.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if other.Allowed(org, care.Role, care.Section, care.Action) {
		t.Error("revoked right still allowed by another instance after Reload")
	}
	// Granting back works the same way.
	if err := a.SetMatrix(ctx, org, domain.DefaultMatrix()); err != nil {
		t.Fatal(err)
	}
	if !a.Allowed(org, care.Role, care.Section, care.Action) {
		t.Error("right granted back not in force")
	}
}

// Another instance running StartReloader picks a change up within a period.
func TestStartReloaderPropagatesChanges(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := newWorld(t, 1)
	org := w.orgs[0]
	a := newAuthorizer(t, w)
	other := newAuthorizer(t, w)
	other.StartReloader(ctx, 20*time.Millisecond)
	if err := a.SeedDefaults(ctx, org); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !other.Allowed(org, domain.RoleMedecin, domain.SectionMedical, domain.ActionRead) {
		if time.Now().After(deadline) {
			t.Fatal("the reloading instance never saw the seeded matrix")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSetMatrixRefusals(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, 1)
	org := w.orgs[0]
	a := newAuthorizer(t, w)
	if err := a.SeedDefaults(ctx, org); err != nil {
		t.Fatal(err)
	}
	var noSettingsWrite []domain.Grant
	for _, g := range domain.DefaultMatrix() {
		if g.Section != domain.SectionSettings || g.Action != domain.ActionWrite {
			noSettingsWrite = append(noSettingsWrite, g)
		}
	}
	withGrant := func(g domain.Grant) []domain.Grant { return append(domain.DefaultMatrix(), g) }
	tests := []struct {
		name   string
		grants []domain.Grant
	}{
		{"nobody keeps settings:write", noSettingsWrite},
		{"empty matrix", nil},
		{"unknown role", withGrant(domain.Grant{Role: "sorcier", Section: domain.SectionCare, Action: domain.ActionRead})},
		{"unknown section", withGrant(domain.Grant{Role: domain.RoleMedecin, Section: "astrologie", Action: domain.ActionRead})},
		{"unknown action", withGrant(domain.Grant{Role: domain.RoleMedecin, Section: domain.SectionCare, Action: "delete"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := a.SetMatrix(ctx, org, tt.grants)
			v, ok := domain.AsValidation(err)
			if !ok || v.Fields["matrix"] == "" {
				t.Fatalf("SetMatrix error = %v, want a validation error on field matrix", err)
			}
			if !a.Allowed(org, domain.RoleAdministrateur, domain.SectionSettings, domain.ActionWrite) {
				t.Error("a refused matrix was applied")
			}
		})
	}
	// Duplicates are harmless.
	if err := a.SetMatrix(ctx, org, append(domain.DefaultMatrix(), domain.DefaultMatrix()...)); err != nil {
		t.Errorf("matrix with duplicates: %v", err)
	}
}

func TestCanAndCanInAny(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, 1)
	org, es := w.orgs[0], w.estabs[0]
	a := newAuthorizer(t, w)
	if err := a.SeedDefaults(ctx, org); err != nil {
		t.Fatal(err)
	}
	// Aide-soignant on the first site; médecin and educator on the second.
	p := &access.Principal{OrgID: org, Memberships: []domain.Membership{
		{EstablishmentID: es[0], Role: domain.RoleAideSoignant},
		{EstablishmentID: es[1], Role: domain.RoleEducateur},
		{EstablishmentID: es[1], Role: domain.RoleMedecin},
	}}
	tests := []struct {
		name     string
		estab    uuid.UUID
		s        domain.Section
		a        domain.Action
		wantRole domain.Role
		wantOK   bool
	}{
		{"aide-soignant cannot read medical", es[0], domain.SectionMedical, domain.ActionRead, "", false},
		{"aide-soignant writes care", es[0], domain.SectionCare, domain.ActionWrite, domain.RoleAideSoignant, true},
		{"médecin reads medical on the second site", es[1], domain.SectionMedical, domain.ActionRead, domain.RoleMedecin, true},
		{"educator's role answers first when it allows", es[1], domain.SectionEducational, domain.ActionWrite, domain.RoleEducateur, true},
		{"no role in an unknown establishment", uuid.New(), domain.SectionAdmin, domain.ActionRead, "", false},
	}
	for _, tt := range tests {
		role, ok := a.Can(p, tt.estab, tt.s, tt.a)
		if role != tt.wantRole || ok != tt.wantOK {
			t.Errorf("%s: Can = %q, %v; want %q, %v", tt.name, role, ok, tt.wantRole, tt.wantOK)
		}
	}
	estab, role, ok := a.CanInAny(p, []uuid.UUID{es[0], es[1]}, domain.SectionMedical, domain.ActionRead)
	if estab != es[1] || role != domain.RoleMedecin || !ok {
		t.Errorf("CanInAny(medical read) = %s, %q, %v; want second site as médecin", estab, role, ok)
	}
	if _, _, ok := a.CanInAny(p, nil, domain.SectionAdmin, domain.ActionRead); ok {
		t.Error("CanInAny over no establishment allowed")
	}
	if _, ok := a.Can(nil, es[0], domain.SectionAdmin, domain.ActionRead); ok {
		t.Error("Can(nil principal) allowed")
	}
}

// Allowed is called several times per page: it must stay in microseconds,
// whatever the number of organisations sharing the database.
func BenchmarkAllowed(b *testing.B) {
	ctx := context.Background()
	w := newWorld(b, 20)
	a, err := access.NewAuthorizer(ctx, w.db)
	if err != nil {
		b.Fatal(err)
	}
	for _, org := range w.orgs {
		if err := a.SeedDefaults(ctx, org); err != nil {
			b.Fatal(err)
		}
	}
	org := w.orgs[7]
	b.ResetTimer()
	for b.Loop() {
		a.Allowed(org, domain.RolePsychologue, domain.SectionMedical, domain.ActionExport)
	}
}
