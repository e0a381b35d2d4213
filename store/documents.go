package store

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// documentColumns are the metadata: the content is never read by a list.
const documentColumns = `id, usager_id, section, doc_type, title, confidentiality, content_type, size_bytes, sha256,
	uploaded_by, uploaded_by_name, uploaded_at`

func scanDocument(s scanner) (domain.Document, error) {
	var d domain.Document
	var section, kind, conf string
	if err := s.Scan(&d.ID, &d.UsagerID, &section, &kind, &d.Title, &conf, &d.ContentType, &d.Size, &d.SHA256,
		&d.UploadedBy, &d.UploadedByName, &d.UploadedAt); err != nil {
		return d, err
	}
	d.Section, d.Kind, d.Confidentiality = domain.Section(section), domain.DocumentKind(kind), domain.Confidentiality(conf)
	d.UploadedAt = d.UploadedAt.UTC()
	return d, nil
}

// SaveDocument inserts d with its content (a document is never rewritten).
func (tx *Tx) SaveDocument(d *domain.Document) error {
	if d.ID != uuid.Nil {
		return fmt.Errorf("save document: %w", domain.ErrConflict)
	}
	d.ID = NewID()
	if d.UploadedAt.IsZero() {
		d.UploadedAt = time.Now().UTC()
	}
	if d.Size == 0 {
		d.Size = int64(len(d.Content))
	}
	return mapErr("create document", tx.g.Exec(`INSERT INTO documents (id, org_id, usager_id, section, doc_type, title,
		confidentiality, content_type, size_bytes, sha256, content, uploaded_by, uploaded_by_name, uploaded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, tx.Org, d.UsagerID, string(d.Section), string(d.Kind), d.Title, string(d.Confidentiality), d.ContentType,
		d.Size, d.SHA256, d.Content, d.UploadedBy, d.UploadedByName, d.UploadedAt).Error)
}

// Documents of one section of a usager's record, newest first, metadata
// only (at most 200). Restricted documents are left out unless
// withRestricted: the filter is in the query so the limit counts what is
// shown.
func (tx *Tx) Documents(usager uuid.UUID, section domain.Section, withRestricted bool) ([]domain.Document, error) {
	rows, err := tx.g.Raw(`SELECT `+documentColumns+` FROM documents WHERE usager_id = ? AND section = ?
		AND (? OR confidentiality <> 'restreint')
		ORDER BY uploaded_at DESC, id DESC LIMIT 200`, usager, string(section), withRestricted).Rows()
	if err != nil {
		return nil, mapErr("list documents", err)
	}
	defer rows.Close()
	var out []domain.Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, fmt.Errorf("scan document: %w", err)
		}
		out = append(out, d)
	}
	return out, mapErr("list documents", rows.Err())
}

// Document is the metadata of one document (ErrNotFound outside the tenant).
func (tx *Tx) Document(id uuid.UUID) (domain.Document, error) {
	d, err := scanDocument(tx.g.Raw(`SELECT `+documentColumns+` FROM documents WHERE id = ?`, id).Row())
	return d, mapSQL("read document", err)
}

// DocumentContent is the file of one document.
func (tx *Tx) DocumentContent(id uuid.UUID) ([]byte, error) {
	var content []byte
	err := tx.g.Raw(`SELECT content FROM documents WHERE id = ?`, id).Row().Scan(&content)
	return content, mapSQL("read document content", err)
}
