package store

import (
	"fmt"

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

// TransferLinks returns the links of the given source keys.
func (tx *Tx) TransferLinks(sourceKeys []string) ([]domain.TransferLink, error) {
	if len(sourceKeys) == 0 {
		return nil, nil
	}
	rows, err := tx.g.Raw(`SELECT resource_type, source_key, local_id, usager_id FROM transfer_links WHERE source_key IN ?`, sourceKeys).Rows()
	if err != nil {
		return nil, mapErr("read transfer links", err)
	}
	defer rows.Close()
	var out []domain.TransferLink
	for rows.Next() {
		var l domain.TransferLink
		if err := rows.Scan(&l.ResourceType, &l.SourceKey, &l.LocalID, &l.UsagerID); err != nil {
			return nil, fmt.Errorf("scan transfer link: %w", err)
		}
		out = append(out, l)
	}
	return out, mapErr("read transfer links", rows.Err())
}

// SaveTransferLink records what a source resource became; a link already
// there is an error (the importer looks first).
func (tx *Tx) SaveTransferLink(l domain.TransferLink) error {
	return mapErr("save transfer link", tx.g.Exec(`INSERT INTO transfer_links (org_id, resource_type, source_key, local_id, usager_id)
		VALUES (?, ?, ?, ?, ?)`, tx.Org, l.ResourceType, l.SourceKey, l.LocalID, l.UsagerID).Error)
}
