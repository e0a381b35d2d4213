package domain

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain/ins"
)

// Identity qualification (RNIV). The five strict traits live on Usager
// (BirthName, FirstNames, BirthDate, Sex, BirthPlaceCode); Identity holds
// the evidence about them: the INS retrieved from the INSi service and the
// identity document checked, plus the attributes douteuse and fictive. The
// status is derived from that evidence (ComputeStatus), so it can always be
// recomputed and each transition below only changes evidence or flags.

// DocumentType is the kind of identity document shown when validating.
type DocumentType string

// Document types. Only the first three are high-trust on their own; a birth
// extract or a livret de famille counts only with the carte Vitale bearing a
// photograph (RNIV 1, §3.3.3: elderly people admitted directly to an EHPAD
// without a valid identity document); the rest never validate.
const (
	DocCNI              DocumentType = "CNI"
	DocPasseport        DocumentType = "PASSEPORT"
	DocTitreSejour      DocumentType = "TITRE_SEJOUR"
	DocExtraitNaissance DocumentType = "EXTRAIT_NAISSANCE"
	DocLivretFamille    DocumentType = "LIVRET_FAMILLE"
	DocCarteVitale      DocumentType = "CARTE_VITALE"
	DocPermisConduire   DocumentType = "PERMIS_CONDUIRE"
	DocAutre            DocumentType = "AUTRE"
)

// DocumentTypes lists the types in the order a form offers them.
func DocumentTypes() []DocumentType {
	return []DocumentType{DocCNI, DocPasseport, DocTitreSejour, DocExtraitNaissance, DocLivretFamille,
		DocCarteVitale, DocPermisConduire, DocAutre}
}

// Label is the French name.
func (d DocumentType) Label() string {
	switch d {
	case DocCNI:
		return "Carte nationale d'identité"
	case DocPasseport:
		return "Passeport"
	case DocTitreSejour:
		return "Titre de séjour permanent"
	case DocExtraitNaissance:
		return "Extrait d'acte de naissance"
	case DocLivretFamille:
		return "Livret de famille"
	case DocCarteVitale:
		return "Carte Vitale"
	case DocPermisConduire:
		return "Permis de conduire"
	case DocAutre:
		return "Autre document"
	}
	return string(d)
}

// needsPhotoVitale reports whether d is high-trust only with a carte Vitale
// bearing a photograph.
func (d DocumentType) needsPhotoVitale() bool {
	return d == DocExtraitNaissance || d == DocLivretFamille
}

// HighTrust reports whether d (with a photo carte Vitale when shown) is a
// high-trust identification device that may validate an identity.
func (d DocumentType) HighTrust(withPhotoVitale bool) bool {
	switch d {
	case DocCNI, DocPasseport, DocTitreSejour:
		return true
	case DocExtraitNaissance, DocLivretFamille:
		return withPhotoVitale
	}
	return false
}

// ValidationModeSystem is the FR Core code system of identity validation
// modes.
const ValidationModeSystem = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-mode-validation-identity"

// ValidationModeCode is d's code in ValidationModeSystem (FR Core 3.x), or ""
// when the system has none (carte Vitale alone, driving licence, other).
func (d DocumentType) ValidationModeCode(withPhotoVitale bool) string {
	switch d {
	case DocCNI:
		return "CN"
	case DocPasseport:
		return "PA"
	case DocTitreSejour:
		return "CS"
	case DocExtraitNaissance:
		if withPhotoVitale {
			return "ANCV"
		}
		return "AN"
	case DocLivretFamille:
		if withPhotoVitale {
			return "LECV"
		}
		return "LE"
	}
	return ""
}

// evidenceLabel names the document as checked, for events and the panel.
func (d DocumentType) evidenceLabel(withPhotoVitale bool) string {
	if d.needsPhotoVitale() && withPhotoVitale {
		return d.Label() + " accompagné de la carte Vitale avec photographie"
	}
	return d.Label()
}

// Identity is the RNIV qualification of a usager's identity.
type Identity struct {
	Status         IdentityStatus
	Douteuse       bool
	DouteuseReason string
	Fictive        bool
	FictiveReason  string
	// INS is the matricule retrieved from INSi for traits that matched.
	INS            *ins.Matricule
	INSRetrievedAt time.Time
	PastINS        []ins.Matricule // former matricules given by the same answer
	// Document is the high-trust document checked, if any.
	Document          DocumentType
	WithPhotoVitale   bool // the carte Vitale with photo accompanied it
	DocumentCheckedAt time.Time
	DocumentCheckedBy uuid.UUID
}

// ComputeStatus derives the status: PROV while douteuse or fictive,
// otherwise from the evidence (INS: RECUP, document: VALI, both: QUAL).
func (id Identity) ComputeStatus() IdentityStatus {
	hasINS, hasDoc := id.INS != nil, id.documentChecked()
	switch {
	case id.Douteuse || id.Fictive:
		return IdentityPROV
	case hasINS && hasDoc:
		return IdentityQUAL
	case hasINS:
		return IdentityRECUP
	case hasDoc:
		return IdentityVALI
	}
	return IdentityPROV
}

func (id Identity) documentChecked() bool { return id.Document != "" }

// ShowsINS reports whether the matricule may be shown and transmitted: only
// for a qualified identity.
func (id Identity) ShowsINS() bool {
	return id.INS != nil && id.Status == IdentityQUAL && id.ComputeStatus() == IdentityQUAL
}

// INSiIdentity is an INSi answer: the active matricule, the former ones and
// the official strict traits.
type INSiIdentity struct {
	INS            ins.Matricule
	PastINS        []ins.Matricule
	BirthName      string
	FirstNames     []string // one element per first name, or one element holding the space-separated list
	Sex            string   // M or F
	BirthDate      time.Time
	BirthPlaceCode string
}

// IdentityEventKind says which transition happened.
type IdentityEventKind string

// Event kinds.
const (
	EventINSRecorded      IdentityEventKind = "ins_recorded"
	EventDocumentChecked  IdentityEventKind = "document_checked"
	EventMarkedDouteuse   IdentityEventKind = "marked_douteuse"
	EventClearedDouteuse  IdentityEventKind = "cleared_douteuse"
	EventMarkedFictive    IdentityEventKind = "marked_fictive"
	EventClearedFictive   IdentityEventKind = "cleared_fictive"
	EventStrictTraitsEdit IdentityEventKind = "strict_traits_changed"
)

// IdentityEvent describes a change of an Identity for the access trail. It
// never holds the matricule itself, which the trail must not spread.
type IdentityEvent struct {
	Kind         IdentityEventKind
	From, To     IdentityStatus
	At           time.Time
	By           uuid.UUID // nil when the caller's trail records the actor
	Description  string    // French
	Evidence     string    // French: what supports the change
	EvidenceCode string    // FR Core validation-mode code, or "INSi"
	Reason       string    // the user's reason for a flag change
	Warnings     []string  // French: inconsistencies worth a second look
}

// Errors of the identity transitions (French, shown as is).
var (
	ErrINSiForbidden        = errors.New("interrogation du téléservice INSi interdite")
	ErrIdentityFictive      = errors.New("identité fictive : elle reste provisoire")
	ErrIdentityDoubtful     = errors.New("identité douteuse : levez d'abord le doute")
	ErrDocumentNotHighTrust = errors.New("ce document n'est pas un dispositif d'identification à haut niveau de confiance")
	ErrTraitsMismatch       = errors.New("traits stricts différents de la réponse INSi")
	ErrIdentityUnchanged    = errors.New("l'identité est déjà dans cet état")
)

// TraitDifference is one strict trait that differs.
type TraitDifference struct {
	Field    string // form field name (birth_name, first_names, …)
	Label    string // French
	Local    string
	Official string
}

// TraitsMismatchError lists the strict traits that differ between the
// local identity and an INSi answer.
type TraitsMismatchError struct {
	Differences []TraitDifference
}

func (e *TraitsMismatchError) Error() string {
	labels := make([]string, len(e.Differences))
	for i, d := range e.Differences {
		labels[i] = d.Label
	}
	return "Les traits de la réponse INSi diffèrent de l'identité locale : " + strings.Join(labels, ", ") + "."
}

// Unwrap lets errors.Is(err, ErrTraitsMismatch) recognise it.
func (e *TraitsMismatchError) Unwrap() error { return ErrTraitsMismatch }

// NormalizeTrait folds a name trait for comparison: upper case, no
// accents, hyphens and apostrophes as spaces, single spaces. It is the same
// fold as the duplicate search's, so both agree on what "same name" means.
func NormalizeTrait(s string) string { return NameKey(s) }

// firstOfList is the first first name of a list as INSi gives it: either
// one name per element or one element with the names separated by spaces
// (compound names keep their hyphen, so a space always separates names).
func firstOfList(names []string) string {
	for _, n := range names {
		if f := strings.Fields(n); len(f) > 0 {
			return f[0]
		}
	}
	return ""
}

// sameDay compares calendar dates, each read in its own zone: a birth date
// is a day, not an instant, so converting zones would shift it.
func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// codeKey folds a code (sex, INSEE place) for comparison.
func codeKey(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// insiDiffs compares the strict traits of a local identity with an INSi
// answer. Only the first first name must match when the local record holds
// a single one (the list is often unknown at admission); a local list of
// several must match the official list.
func insiDiffs(local Usager, a INSiIdentity) []TraitDifference {
	var out []TraitDifference
	add := func(field, label, l, o string) {
		out = append(out, TraitDifference{Field: field, Label: label, Local: l, Official: o})
	}
	if NormalizeTrait(local.BirthName) == "" || NormalizeTrait(local.BirthName) != NormalizeTrait(a.BirthName) {
		add("birth_name", "nom de naissance", local.BirthName, a.BirthName)
	}
	localFirst, otherFirst := firstOfList(local.FirstNames), firstOfList(a.FirstNames)
	if NormalizeTrait(localFirst) == "" || NormalizeTrait(localFirst) != NormalizeTrait(otherFirst) {
		add("first_names", "premier prénom de naissance", localFirst, otherFirst)
	} else if len(local.FirstNames) > 1 &&
		NormalizeTrait(strings.Join(local.FirstNames, " ")) != NormalizeTrait(strings.Join(a.FirstNames, " ")) {
		add("first_names", "liste des prénoms de naissance", strings.Join(local.FirstNames, " "), strings.Join(a.FirstNames, " "))
	}
	if local.BirthDate.IsZero() || !sameDay(local.BirthDate, a.BirthDate) {
		add("birth_date", "date de naissance", FrenchDate(local.BirthDate), FrenchDate(a.BirthDate))
	}
	if string(local.Sex) == "" || string(local.Sex) != codeKey(a.Sex) {
		add("sex", "sexe", local.Sex.Label(), Sex(codeKey(a.Sex)).Label())
	}
	if codeKey(local.BirthPlaceCode) == "" || codeKey(local.BirthPlaceCode) != codeKey(a.BirthPlaceCode) {
		add("birth_place_code", "lieu de naissance", local.BirthPlaceCode, a.BirthPlaceCode)
	}
	return out
}

// flagsError says why a douteuse or fictive identity may not move.
func (id Identity) flagsError(base error) error {
	switch {
	case id.Fictive && id.Douteuse:
		return fmt.Errorf("%w : identité fictive et douteuse", base)
	case id.Fictive:
		return fmt.Errorf("%w : identité fictive", base)
	case id.Douteuse:
		return fmt.Errorf("%w : identité douteuse", base)
	}
	return nil
}

// RecordINSi records the INS of an INSi answer whose strict traits match
// the local ones (compared after NormalizeTrait; an empty local trait is a
// difference, to be completed by hand before accepting). It is refused for
// a douteuse or fictive identity, which must not query INSi at all. The
// status becomes RECUP, or QUAL when a document was already checked. On
// error the identity is unchanged.
func (id *Identity) RecordINSi(answer INSiIdentity, local Usager, at time.Time) (IdentityEvent, error) {
	if err := id.flagsError(ErrINSiForbidden); err != nil {
		return IdentityEvent{}, err
	}
	m, warnings, err := ins.ParseExternal(answer.INS.String(), answer.INS.OID)
	if err != nil {
		return IdentityEvent{}, fmt.Errorf("réponse INSi : matricule invalide : %w", err)
	}
	if diffs := insiDiffs(local, answer); len(diffs) > 0 {
		return IdentityEvent{}, &TraitsMismatchError{Differences: diffs}
	}
	warnings = append(warnings, m.CheckTraits(codeKey(answer.Sex), answer.BirthDate)...)
	from := id.Status
	id.INS = &m
	id.INSRetrievedAt = at
	id.PastINS = append([]ins.Matricule(nil), answer.PastINS...)
	id.Status = id.ComputeStatus()
	desc := "INS récupérée par le téléservice INSi, traits concordants."
	if id.Status == IdentityQUAL {
		desc = "INS récupérée par le téléservice INSi, traits concordants avec la pièce d'identité vérifiée : identité qualifiée."
	}
	return IdentityEvent{
		Kind: EventINSRecorded, From: from, To: id.Status, At: at,
		Description: desc, Evidence: "Réponse du téléservice INSi (" + m.OIDLabel() + ")", EvidenceCode: "INSi",
		Warnings: warnings,
	}, nil
}

// ValidateWithDocument records that a high-trust document was checked
// against the strict traits by `by`. Refused for a document that is not
// high-trust, for a fictive identity, and for a douteuse one: the RNIV keeps
// a doubtful identity provisional until the doubt is lifted, so the doubt
// must be cleared (ClearDouteuse, with its reason) before the document is
// recorded. The status becomes VALI, or QUAL when an INS was retrieved.
func (id *Identity) ValidateWithDocument(doc DocumentType, withPhotoVitale bool, by uuid.UUID, at time.Time) (IdentityEvent, error) {
	if id.Fictive {
		return IdentityEvent{}, ErrIdentityFictive
	}
	if id.Douteuse {
		return IdentityEvent{}, ErrIdentityDoubtful
	}
	if !doc.HighTrust(withPhotoVitale) {
		if doc.needsPhotoVitale() {
			return IdentityEvent{}, fmt.Errorf("%w : %s seulement accompagné de la carte Vitale avec photographie", ErrDocumentNotHighTrust, strings.ToLower(doc.Label()))
		}
		return IdentityEvent{}, fmt.Errorf("%w : %s", ErrDocumentNotHighTrust, strings.ToLower(doc.Label()))
	}
	if by == uuid.Nil {
		return IdentityEvent{}, errors.New("vérification du document : la personne qui l'a vérifié doit être connue")
	}
	from := id.Status
	id.Document = doc
	id.WithPhotoVitale = withPhotoVitale && doc.needsPhotoVitale()
	id.DocumentCheckedAt = at
	id.DocumentCheckedBy = by
	id.Status = id.ComputeStatus()
	desc := "Identité vérifiée sur un dispositif à haut niveau de confiance."
	if id.Status == IdentityQUAL {
		desc = "Identité vérifiée sur un dispositif à haut niveau de confiance, INS récupérée : identité qualifiée."
	}
	return IdentityEvent{
		Kind: EventDocumentChecked, From: from, To: id.Status, At: at, By: by,
		Description: desc, Evidence: id.Document.evidenceLabel(id.WithPhotoVitale),
		EvidenceCode: doc.ValidationModeCode(id.WithPhotoVitale),
	}, nil
}

// flagChange sets or clears a flag with its reason and returns the event.
func (id *Identity) flagChange(flag *bool, reasonField *string, set bool, kind IdentityEventKind, reason string, by uuid.UUID, at time.Time, desc string) (IdentityEvent, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		var v ValidationError
		v.Add("reason", "Indiquez le motif.")
		return IdentityEvent{}, v.Err()
	}
	if *flag == set {
		return IdentityEvent{}, ErrIdentityUnchanged
	}
	from := id.Status
	*flag = set
	*reasonField = ""
	if set {
		*reasonField = reason
	}
	id.Status = id.ComputeStatus()
	return IdentityEvent{Kind: kind, From: from, To: id.Status, At: at, By: by, Description: desc, Reason: reason}, nil
}

// MarkDouteuse sets the attribute douteuse (doubt on the person's traits or
// on the documents shown): the identity stays PROV and may not query INSi
// until it is cleared. Evidence already gathered is kept.
func (id *Identity) MarkDouteuse(reason string, by uuid.UUID, at time.Time) (IdentityEvent, error) {
	return id.flagChange(&id.Douteuse, &id.DouteuseReason, true, EventMarkedDouteuse, reason, by, at,
		"Identité déclarée douteuse : elle reste provisoire et l'INSi ne peut pas être interrogé.")
}

// ClearDouteuse lifts the doubt; the status is recomputed from the evidence.
func (id *Identity) ClearDouteuse(reason string, by uuid.UUID, at time.Time) (IdentityEvent, error) {
	return id.flagChange(&id.Douteuse, &id.DouteuseReason, false, EventClearedDouteuse, reason, by, at,
		"Doute levé sur l'identité.")
}

// MarkFictive sets the attribute fictive (traits deliberately invented,
// e.g. anonymous care or an exercise): the identity stays PROV, may not
// query INSi nor be validated.
func (id *Identity) MarkFictive(reason string, by uuid.UUID, at time.Time) (IdentityEvent, error) {
	return id.flagChange(&id.Fictive, &id.FictiveReason, true, EventMarkedFictive, reason, by, at,
		"Identité déclarée fictive : elle reste provisoire.")
}

// ClearFictive removes the attribute; the status is recomputed.
func (id *Identity) ClearFictive(reason string, by uuid.UUID, at time.Time) (IdentityEvent, error) {
	return id.flagChange(&id.Fictive, &id.FictiveReason, false, EventClearedFictive, reason, by, at,
		"Attribut « identité fictive » retiré.")
}

// TraitsChanged is called when a usager's identity is edited. When a strict
// trait changed (compared after NormalizeTrait, so a change of case or
// accent does not count) and the identity holds evidence, the INS and the
// document check are dropped and the status falls back to PROV, as the RNIV
// asks: the evidence was about the old traits. It reports whether the
// identity changed; the event's time is new.UpdatedAt.
func (id *Identity) TraitsChanged(old, new Usager) (IdentityEvent, bool) {
	changed := changedTraits(old, new)
	if len(changed) == 0 || (id.INS == nil && !id.documentChecked()) {
		return IdentityEvent{}, false
	}
	from := id.Status
	id.INS, id.INSRetrievedAt, id.PastINS = nil, time.Time{}, nil
	id.Document, id.WithPhotoVitale, id.DocumentCheckedAt, id.DocumentCheckedBy = "", false, time.Time{}, uuid.Nil
	id.Status = id.ComputeStatus()
	return IdentityEvent{
		Kind: EventStrictTraitsEdit, From: from, To: id.Status, At: new.UpdatedAt,
		Description: "Trait strict modifié (" + strings.Join(changed, ", ") + ") : l'identité redevient provisoire ; l'INS et la vérification du document sont à refaire.",
	}, true
}

// changedTraits names, in French, the strict traits that differ between two
// versions of a record. Used name and used first name are not strict.
func changedTraits(old, new Usager) []string {
	var out []string
	if NormalizeTrait(old.BirthName) != NormalizeTrait(new.BirthName) {
		out = append(out, "nom de naissance")
	}
	if NormalizeTrait(strings.Join(old.FirstNames, " ")) != NormalizeTrait(strings.Join(new.FirstNames, " ")) {
		out = append(out, "prénoms de naissance")
	}
	if !sameDay(old.BirthDate, new.BirthDate) {
		out = append(out, "date de naissance")
	}
	if old.Sex != new.Sex {
		out = append(out, "sexe")
	}
	if codeKey(old.BirthPlaceCode) != codeKey(new.BirthPlaceCode) {
		out = append(out, "lieu de naissance")
	}
	return out
}
