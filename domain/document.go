package domain

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"image/jpeg"
	"image/png"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// MaxDocumentSize bounds an uploaded document (10 Mio).
const MaxDocumentSize = 10 << 20

// MaxDocumentTitle bounds a document's title, in characters.
const MaxDocumentTitle = 200

// Accepted content types, recognised from the file's content.
const (
	ContentTypePDF  = "application/pdf"
	ContentTypeJPEG = "image/jpeg"
	ContentTypePNG  = "image/png"
)

// DocumentKind is the kind of a document of the record.
type DocumentKind string

// Document types.
const (
	DocKindCompteRendu      DocumentKind = "compte_rendu"
	DocKindOrdonnance       DocumentKind = "ordonnance"
	DocKindCourrier         DocumentKind = "courrier"
	DocKindBilan            DocumentKind = "bilan"
	DocKindPieceIdentite    DocumentKind = "piece_identite"
	DocKindNotificationMDPH DocumentKind = "notification_mdph"
	DocKindContratSejour    DocumentKind = "contrat_sejour"
	DocKindProtection       DocumentKind = "decision_protection"
	DocKindAutre            DocumentKind = "autre"
)

// AllDocumentKinds in display order.
var AllDocumentKinds = []DocumentKind{DocKindCompteRendu, DocKindOrdonnance, DocKindCourrier, DocKindBilan, DocKindPieceIdentite,
	DocKindNotificationMDPH, DocKindContratSejour, DocKindProtection, DocKindAutre}

// Label is the French name of the type.
func (t DocumentKind) Label() string {
	switch t {
	case DocKindCompteRendu:
		return "Compte rendu"
	case DocKindOrdonnance:
		return "Ordonnance"
	case DocKindCourrier:
		return "Courrier"
	case DocKindBilan:
		return "Bilan, évaluation"
	case DocKindPieceIdentite:
		return "Pièce d'identité"
	case DocKindNotificationMDPH:
		return "Notification MDPH"
	case DocKindContratSejour:
		return "Contrat de séjour"
	case DocKindProtection:
		return "Décision de protection juridique"
	case DocKindAutre:
		return "Autre"
	}
	return string(t)
}

// Valid reports whether t is a known type.
func (t DocumentKind) Valid() bool {
	for _, k := range AllDocumentKinds {
		if k == t {
			return true
		}
	}
	return false
}

// Confidentiality of a document: a restricted document is shown only to the
// roles holding validate on its section.
type Confidentiality string

// Confidentiality levels.
const (
	ConfidentialityNormal     Confidentiality = "normal"
	ConfidentialityRestricted Confidentiality = "restreint"
)

// Label is the French name of the level.
func (c Confidentiality) Label() string {
	if c == ConfidentialityRestricted {
		return "Restreint"
	}
	return "Normal"
}

// Document is a file attached to one section of the record. Content is
// filled only when the file itself is read or written; lists carry the
// metadata.
type Document struct {
	ID              uuid.UUID
	UsagerID        uuid.UUID
	Section         Section
	Kind            DocumentKind
	Title           string
	Confidentiality Confidentiality
	ContentType     string
	Size            int64
	SHA256          []byte
	Content         []byte
	UploadedBy      uuid.UUID
	UploadedByName  string
	UploadedAt      time.Time
}

// Restricted reports whether only validators of the section may see d.
func (d Document) Restricted() bool { return d.Confidentiality == ConfidentialityRestricted }

// Extension is the file extension of the detected content type.
func (d Document) Extension() string {
	switch d.ContentType {
	case ContentTypePDF:
		return ".pdf"
	case ContentTypeJPEG:
		return ".jpg"
	case ContentTypePNG:
		return ".png"
	}
	return ""
}

// FormatLabel names the file format for a list.
func (d Document) FormatLabel() string {
	switch d.ContentType {
	case ContentTypePDF:
		return "PDF"
	case ContentTypeJPEG:
		return "JPEG"
	case ContentTypePNG:
		return "PNG"
	}
	return d.ContentType
}

// FileName is the download name: the title with the extension of the real
// content (the name the file was uploaded under is not kept).
func (d Document) FileName() string {
	var b strings.Builder
	for _, r := range d.Title {
		if b.Len() >= 120 {
			break
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.':
			b.WriteRune(r)
		case unicode.IsSpace(r) || r == '\'' || r == '’':
			b.WriteByte('_')
		}
	}
	name := strings.Trim(b.String(), "._")
	if name == "" {
		name = "document"
	}
	return name + d.Extension()
}

// SizeLabel is the size in French units (octets, Ko, Mo).
func (d Document) SizeLabel() string { return FormatSize(d.Size) }

// FormatSize writes n bytes in French units with a decimal comma.
func FormatSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d octets", n)
	case n < 1024*1024:
		return strings.Replace(fmt.Sprintf("%.0f Ko", float64(n)/1024), ".", ",", 1)
	case n%(1024*1024) == 0:
		return fmt.Sprintf("%d Mo", n/(1024*1024))
	default:
		return strings.Replace(fmt.Sprintf("%.1f Mo", float64(n)/(1024*1024)), ".", ",", 1)
	}
}

// DocumentInput is an upload as received: the declared file name and type
// are not part of it on purpose, the content decides.
type DocumentInput struct {
	Section         Section
	Kind            string
	Title           string
	Confidentiality string
	Content         []byte
	// TooLarge is set by the edge when it stopped reading the file beyond
	// MaxDocumentSize (Content is then incomplete).
	TooLarge bool
}

// ParseDocument checks an upload: a known section and type, a title, a
// non-empty file of at most MaxDocumentSize whose content is a PDF, a JPEG
// or a PNG (magic bytes, and for images a readable header).
func ParseDocument(in DocumentInput) (Document, error) {
	var v ValidationError
	d := Document{Section: in.Section, Kind: DocumentKind(strings.TrimSpace(in.Kind)), Title: strings.Join(strings.Fields(in.Title), " ")}
	if !d.Section.IsRecord() {
		v.Add("section", "Section inconnue.")
	}
	if !d.Kind.Valid() {
		v.Add("doc_type", "Choisissez le type de document.")
	}
	switch {
	case d.Title == "":
		v.Add("title", "Le titre du document est obligatoire.")
	case utf8.RuneCountInString(d.Title) > MaxDocumentTitle:
		v.Add("title", fmt.Sprintf("Le titre est trop long (%d caractères au plus).", MaxDocumentTitle))
	}
	switch Confidentiality(strings.TrimSpace(in.Confidentiality)) {
	case "", ConfidentialityNormal:
		d.Confidentiality = ConfidentialityNormal
	case ConfidentialityRestricted:
		d.Confidentiality = ConfidentialityRestricted
	default:
		v.Add("confidentiality", "Choisissez la confidentialité du document.")
	}
	switch {
	case in.TooLarge || len(in.Content) > MaxDocumentSize:
		v.Add("file", "Le fichier dépasse la taille maximale de "+FormatSize(MaxDocumentSize)+".")
	case len(in.Content) == 0:
		v.Add("file", "Choisissez un fichier (PDF, JPEG ou PNG).")
	default:
		ct, ok := DetectDocumentType(in.Content)
		if !ok {
			v.Add("file", "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG : son contenu ne correspond pas à ces formats, quel que soit son nom.")
		}
		d.ContentType = ct
	}
	if err := v.Err(); err != nil {
		return Document{}, err
	}
	sum := sha256.Sum256(in.Content)
	d.Content, d.Size, d.SHA256 = in.Content, int64(len(in.Content)), sum[:]
	return d, nil
}

// DetectDocumentType recognises an accepted format from the content alone.
func DetectDocumentType(content []byte) (string, bool) {
	if bytes.HasPrefix(content, []byte("%PDF-")) {
		return ContentTypePDF, true
	}
	switch http.DetectContentType(content) {
	case ContentTypeJPEG:
		if _, err := jpeg.DecodeConfig(bytes.NewReader(content)); err == nil {
			return ContentTypeJPEG, true
		}
	case ContentTypePNG:
		if _, err := png.DecodeConfig(bytes.NewReader(content)); err == nil {
			return ContentTypePNG, true
		}
	}
	return "", false
}
