package store

import (
	"github.com/relais-dui/relais/domain"
)

// transferTables hold rows tied to a usager (moved by an identity merge).
var transferTables = []string{"transfer_links"}

// TransferLink returns the record a source resource became.
func (tx *Tx) TransferLink(resourceType, sourceKey string) (domain.TransferLink, error) {
	l := domain.TransferLink{ResourceType: resourceType, SourceKey: sourceKey}
	err := tx.g.Raw(`SELECT local_id, usager_id FROM transfer_links WHERE resource_type = ? AND source_key = ?`,
		resourceType, sourceKey).Row().Scan(&l.LocalID, &l.UsagerID)
	return l, mapSQL("read transfer link", err)
}

// SaveTransferLink records what a source resource became; a link already
// there is an error (the importer looks first).
func (tx *Tx) SaveTransferLink(l domain.TransferLink) error {
	return mapErr("save transfer link", tx.g.Exec(`INSERT INTO transfer_links (org_id, resource_type, source_key, local_id, usager_id)
		VALUES (?, ?, ?, ?, ?)`, tx.Org, l.ResourceType, l.SourceKey, l.LocalID, l.UsagerID).Error)
}
