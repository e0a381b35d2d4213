package domain

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Store opens tenant-scoped transactions. Everything done through one Tx
// commits together or not at all; the store's row-level security confines a
// Tx to its organisation whatever the query.
type Store interface {
	InTenant(ctx context.Context, org uuid.UUID, fn func(Tx) error) error
	Ping(ctx context.Context) error
}

// Tx is the set of repositories available inside a tenant transaction. The
// transaction carries the request's context.
type Tx interface {
	OrgID() uuid.UUID
	Organisation() (Organisation, error)
	Establishments() ([]Establishment, error)
	Establishment(id uuid.UUID) (Establishment, error)
	CreateEstablishment(e *Establishment) error

	CreateUsager(u *Usager, first *Stay) error
	UpdateUsager(u *Usager) error
	Usager(id uuid.UUID) (Usager, error)
	ListUsagers(q UsagerQuery) (UsagerPage, error)
	// UsagerEstablishments are the establishments where the usager has a
	// stay in any status: where the record is visible.
	UsagerEstablishments(usager uuid.UUID) ([]uuid.UUID, error)

	// Identity qualification (RNIV) and its history.
	Identity(usager uuid.UUID) (Identity, error)
	// Identities reads several at once (a page of results), by usager.
	Identities(usagers []uuid.UUID) (map[uuid.UUID]Identity, error)
	SaveIdentity(usager uuid.UUID, id Identity, ev IdentityEvent, byName string) error
	IdentityHistory(usager uuid.UUID) ([]IdentityRecord, error)
	VersionTx

	// Identitovigilance.
	IdentityMatches(u Usager) ([]Match, error)
	DuplicatePairs(limit int) ([]DuplicatePair, error)
	MarkDistinct(a, b, by uuid.UUID) error
	MergeUsagers(kept, merged uuid.UUID) (MergeResult, error)

	Stays(usager uuid.UUID) ([]Stay, error)
	Stay(id uuid.UUID) (Stay, error)
	SaveStay(s *Stay) error

	// Personalised plans: every version stays readable; a save writes the
	// whole aggregate or nothing.
	CreatePlan(p *Plan) error
	SavePlan(p *Plan) error
	Plan(id uuid.UUID) (Plan, error)
	Plans(usager uuid.UUID) ([]Plan, error)
	StartRevision(id uuid.UUID) (Plan, error)
	PlansDue(establishments []uuid.UUID, today time.Time) ([]PlanDue, error)

	Contacts(usager uuid.UUID) ([]Contact, error)
	Contact(id uuid.UUID) (Contact, error)
	SaveContact(c *Contact) error
	DeleteContact(id uuid.UUID) error

	Consents(usager uuid.UUID) ([]Consent, error)
	Consent(id uuid.UUID) (Consent, error)
	SaveConsent(c *Consent) error

	SaveEvent(e *Event) error
	Timeline(q TimelineQuery) ([]TimelineItem, error)
	UpcomingEvents(estabs []uuid.UUID, sections []Section, from, to time.Time, professional uuid.UUID) ([]AgendaItem, error)

	// Presence register of day services.
	PresenceRoll(estab uuid.UUID, day time.Time) ([]Usager, error)
	Presences(estab uuid.UUID, from, to time.Time) ([]Presence, error)
	SavePresences(lines []Presence) error
	MonthPresence(estab uuid.UUID, year int, month time.Month) ([]Usager, []PresenceSummary, error)

	Notes(usager uuid.UUID, section Section) ([]Note, error)
	Note(id uuid.UUID) (Note, error)
	SaveNote(n *Note) error

	// Cahier de liaison.
	SaveLiaisonNote(n *LiaisonNote) error
	LiaisonNote(id uuid.UUID) (LiaisonNote, error)
	LiaisonReplies(note uuid.UUID) ([]LiaisonNote, error)
	MarkLiaisonRead(note, user uuid.UUID, at time.Time) error
	LiaisonReads(note uuid.UUID) ([]LiaisonRead, error)
	LiaisonInbox(q LiaisonQuery) ([]LiaisonRow, error)
	LiaisonUnread(s LiaisonScope) (int, error)
	UsagerLiaison(usager uuid.UUID, s LiaisonScope) ([]LiaisonRow, error)

	// Adverse events (FEI) of an establishment.
	SaveAdverseEvent(f *AdverseEvent) error
	AdverseEvent(id uuid.UUID) (AdverseEvent, error)
	AdverseEvents(q AdverseQuery) ([]AdverseEvent, error)
	SaveAdverseAction(a *AdverseAction) error
	RecordEvent(id uuid.UUID) (Event, error)

	// Documents of the record: lists carry metadata only, the file is read
	// on its own.
	SaveDocument(d *Document) error
	Documents(usager uuid.UUID, section Section, withRestricted bool) ([]Document, error)
	Document(id uuid.UUID) (Document, error)
	DocumentContent(id uuid.UUID) ([]byte, error)

	// The care and medical file, one repository per feature (each declared
	// beside its model).
	TargetedNoteTx
	ObservationTx
	CarePlanTx
	MedicationTx
	MedicalTx

	// Partner API clients (FHIR).
	APIClientTx

	// Coordination: opening of establishments, staff meetings.
	CoordinationTx

	// Interoperability: professionals seen by partners, the DUI transfer,
	// the DMP.
	PractitionerTx
	TransferTx
	DMPTx
	DMPOutboxTx

	AccountTx
}

// AccountTx holds accounts, memberships, sessions and the trail: the tables
// the access layer works on.
type AccountTx interface {
	User(id uuid.UUID) (User, error)
	Users() ([]User, error)
	CreateUser(u *User, passwordHash string) error
	UpdateUser(u *User) error
	SetPasswordHash(user uuid.UUID, hash string) error
	Memberships(user uuid.UUID) ([]Membership, error)
	AllMemberships() ([]Membership, error)
	AddMembership(m Membership) error
	RemoveMembership(m Membership) error

	CreateSession(s Session) error
	DeleteSession(tokenHash []byte) error

	AppendTrail(e *TrailEntry) error
	Trail(q TrailQuery) ([]TrailEntry, error)
}

// IdentityRecord is a stored identity event with the name of its author.
type IdentityRecord struct {
	IdentityEvent
	ByName string
}

// UsagerQuery filters and pages the usager list. Keyset pagination: After is
// the sort key and id of the last row of the previous page.
type UsagerQuery struct {
	Search         string      // name prefix, accent- and case-insensitive
	Establishments []uuid.UUID // only usagers with a stay in one of these (required: visibility)
	Establishment  uuid.UUID   // optional narrower filter
	Status         StayStatus  // optional: only usagers with a stay of this status
	// Optional filters of the FHIR Patient search.
	Family    string    // start of the name
	Given     string    // start of a first name
	BirthDate time.Time // exact date
	Sex       Sex
	INS       string // 15-character matricule: only a QUAL identity carries it
	ID        uuid.UUID
	AfterKey  string
	AfterID   uuid.UUID
	Limit     int
}

// UsagerRow is a line of the usager list.
type UsagerRow struct {
	Usager
	SortKey string
	Stays   []StaySummary
}

// StaySummary names a stay in a list.
type StaySummary struct {
	EstablishmentID   uuid.UUID
	EstablishmentName string
	Status            StayStatus
	Mode              Mode
	Since             time.Time
}

// UsagerPage is one page of the list.
type UsagerPage struct {
	Rows []UsagerRow
	More bool
}

// Session is a server-side login session; the cookie holds the token, the
// database only its SHA-256.
type Session struct {
	TokenHash []byte
	UserID    uuid.UUID
	OrgID     uuid.UUID
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// TrailEntry is one row of the access trail.
type TrailEntry struct {
	Seq             int64
	OrgID           uuid.UUID
	At              time.Time
	UserID          uuid.UUID
	Username        string
	Role            string
	EstablishmentID uuid.UUID // Nil when not tied to one
	UsagerID        uuid.UUID // Nil when not about a usager
	Section         Section
	Action          Action
	Detail          string
	PrevHash        []byte
	Hash            []byte
}

// TrailQuery selects trail rows, newest first.
type TrailQuery struct {
	UsagerID  uuid.UUID // Nil: the whole organisation
	BeforeSeq int64     // keyset: rows with seq < BeforeSeq; 0 for the first page
	Limit     int
}
