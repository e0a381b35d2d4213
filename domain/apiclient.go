package domain

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// APIClientTx stores partner API clients and their access tokens.
type APIClientTx interface {
	CreateAPIClient(c *APIClient, secretHash string) error
	APIClient(id uuid.UUID) (APIClient, error)
	APIClients() ([]APIClient, error)
	RevokeAPIClient(id uuid.UUID, at time.Time) error
	CreateAPIToken(t APIToken) error
	// PlanOfGoal reads the plan version holding a goal (the API reads a
	// goal by its own id).
	PlanOfGoal(goal uuid.UUID) (Plan, error)
}

// APIClient is a partner system allowed to call the FHIR API with OAuth 2.0
// client credentials. It acts in one establishment with one role: what it
// may do is its scopes intersected with that role's habilitations there.
type APIClient struct {
	ID              uuid.UUID
	ClientID        string
	Name            string
	EstablishmentID uuid.UUID
	Role            Role
	Scopes          []Scope
	Active          bool
	CreatedAt       time.Time
	CreatedBy       string
	RevokedAt       time.Time
}

// APIToken is an issued bearer token; the store keeps its hash only.
type APIToken struct {
	Hash      []byte
	OrgID     uuid.UUID
	Client    uuid.UUID
	Scopes    []Scope
	ExpiresAt time.Time
	// Owner is the (active) client as the lookup found it: id, client id,
	// name, establishment and role.
	Owner APIClient
}

// Scope is a SMART on FHIR system scope: system/<Resource|*>.<read|write|*>.
type Scope string

var scopeRe = regexp.MustCompile(`^system/(\*|[A-Z][A-Za-z]+)\.(read|write|\*)$`)

// ParseScope checks a scope's shape and that its resource type is one of
// known (nil accepts any type name).
func ParseScope(s string, known []string) (Scope, bool) {
	m := scopeRe.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	if m[1] != "*" && known != nil && !slices.Contains(known, m[1]) {
		return "", false
	}
	return Scope(s), true
}

// Allows reports whether the scope covers resource (a FHIR type) for act
// ("read" or "write").
func (s Scope) Allows(resource, act string) bool {
	m := scopeRe.FindStringSubmatch(string(s))
	return m != nil && (m[1] == "*" || m[1] == resource) && (m[2] == "*" || m[2] == act)
}

// ScopesAllow reports whether any of scopes covers resource for act.
func ScopesAllow(scopes []Scope, resource, act string) bool {
	for _, s := range scopes {
		if s.Allows(resource, act) {
			return true
		}
	}
	return false
}

// JoinScopes writes scopes space-separated, as OAuth does.
func JoinScopes(scopes []Scope) string {
	out := make([]string, len(scopes))
	for i, s := range scopes {
		out[i] = string(s)
	}
	return strings.Join(out, " ")
}

var clientIDRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,62}$`)

// APIClientInput is the registration form of a client.
type APIClientInput struct {
	ClientID, Name, Establishment, Role, Scopes string
}

// Parse checks a registration: an id of 3–63 lower-case characters, a
// name, an establishment, a role and at least one scope among the resource
// types the API serves (known).
func (in APIClientInput) Parse(known []string) (APIClient, error) {
	var v ValidationError
	c := APIClient{ClientID: strings.TrimSpace(in.ClientID), Name: strings.TrimSpace(in.Name), Role: Role(in.Role), Active: true}
	if !clientIDRe.MatchString(c.ClientID) {
		v.Add("client_id", "L'identifiant du client compte de 3 à 63 caractères : lettres minuscules, chiffres, point, tiret ou tiret bas.")
	}
	if c.Name == "" {
		v.Add("name", "Le nom du partenaire est obligatoire.")
	}
	id, err := uuid.Parse(in.Establishment)
	if err != nil {
		v.Add("establishment_id", "Choisissez l'établissement au nom duquel le partenaire accède.")
	}
	c.EstablishmentID = id
	if !c.Role.Valid() {
		v.Add("role", "Choisissez le rôle dont le partenaire reçoit les habilitations.")
	}
	for _, f := range strings.FieldsFunc(in.Scopes, func(r rune) bool { return r == ' ' || r == ',' || r == '\n' || r == '\r' || r == '\t' }) {
		s, ok := ParseScope(f, known)
		if !ok {
			v.Add("scopes", "Portée inconnue : « "+f+" » (attendu : system/<Ressource>.read, .write ou .*, par exemple system/Patient.read).")
			break
		}
		if !slices.Contains(c.Scopes, s) {
			c.Scopes = append(c.Scopes, s)
		}
	}
	if len(c.Scopes) == 0 && v.Fields["scopes"] == "" {
		v.Add("scopes", "Indiquez au moins une portée (par exemple system/Patient.read).")
	}
	return c, v.Err()
}
