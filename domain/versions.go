package domain

import "github.com/google/uuid"

// UsagerVersion is one version of a person's administrative record (FHIR
// Patient versions): the record and its identity evidence as they were.
// Its Usager.UpdatedAt identifies it.
type UsagerVersion struct {
	Usager   Usager
	Identity Identity
}

// VersionTx reads the versions kept of administrative records.
type VersionTx interface {
	// UsagerVersions are the versions of a record, newest first.
	UsagerVersions(usager uuid.UUID) ([]UsagerVersion, error)
}
