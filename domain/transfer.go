package domain

import "github.com/google/uuid"

// TransferLink ties a resource of an imported DUI transfer (TDDUI) bundle
// to the record it became in the receiving organisation.
type TransferLink struct {
	ResourceType string
	// SourceKey is the resource's business identifier (system|value), or
	// its fullUrl when it has none: stable across exports of one record.
	SourceKey string
	LocalID   uuid.UUID
	UsagerID  uuid.UUID
}

// TransferTx holds what the national DUI transfer (TDDUI) needs beyond the
// record's own repositories: the link between an imported bundle's
// resources and the records they became, so a second import creates nothing.
type TransferTx interface {
	// TransferLink returns the link of a source resource, or ErrNotFound.
	TransferLink(resourceType, sourceKey string) (TransferLink, error)
	// TransferLinks returns the links of the given source keys (any
	// resource type) in one query: a bundle's entries are looked up at once.
	TransferLinks(sourceKeys []string) ([]TransferLink, error)
	SaveTransferLink(l TransferLink) error
}

// EventTransferImported records an identity created by a DUI transfer: a
// provisional identity the identitovigilance must check.
const EventTransferImported IdentityEventKind = "transfer_imported"
