package domain

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain/ins"
)

var (
	idAt      = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	idChecker = uuid.MustParse("0190a000-0000-7000-8000-000000000001")
	idINS     = ins.Matricule{Number: "297022A020778", Key: "78", OID: ins.OIDNIR}
	idPastINS = ins.Matricule{Number: "897022A020778", Key: "69", OID: ins.OIDNIA}
)

// idLocal is the local record the INSi answer below matches.
func idLocal() Usager {
	return Usager{
		BirthName: "Dupont-Aubert", UsedName: "Martin", FirstNames: []string{"Élodie", "Marie"},
		BirthDate: time.Date(1997, 2, 14, 0, 0, 0, 0, time.UTC), Sex: SexF, BirthPlaceCode: "2A004",
	}
}

func idAnswer() INSiIdentity {
	return INSiIdentity{
		INS: idINS, PastINS: []ins.Matricule{idPastINS},
		BirthName: "DUPONT AUBERT", FirstNames: []string{"ELODIE MARIE"}, Sex: "F",
		BirthDate: time.Date(1997, 2, 14, 0, 0, 0, 0, time.UTC), BirthPlaceCode: "2A004",
	}
}

// idState builds an identity with the given evidence and flags and the
// status the RNIV gives it, written out rather than computed.
func idState(name string) Identity {
	var id Identity
	base, flags, _ := strings.Cut(name, "+")
	if base == "RECUP" || base == "QUAL" {
		m := idINS
		id.INS, id.INSRetrievedAt, id.PastINS = &m, idAt.Add(-time.Hour), []ins.Matricule{idPastINS}
	}
	if base == "VALI" || base == "QUAL" {
		id.Document, id.DocumentCheckedAt, id.DocumentCheckedBy = DocPasseport, idAt.Add(-2*time.Hour), idChecker
	}
	id.Douteuse, id.Fictive = strings.Contains(flags, "D"), strings.Contains(flags, "F")
	if id.Douteuse {
		id.DouteuseReason = "papiers présentés illisibles"
	}
	if id.Fictive {
		id.FictiveReason = "prise en charge anonyme"
	}
	id.Status = IdentityStatus(base)
	if flags != "" {
		id.Status = IdentityPROV
	}
	return id
}

// idStates is the order of the 16 columns of the transition table: each
// evidence status without flag, then douteuse, fictive, and both.
var idStates = strings.Fields(`PROV RECUP VALI QUAL
	PROV+D RECUP+D VALI+D QUAL+D
	PROV+F RECUP+F VALI+F QUAL+F
	PROV+DF RECUP+DF VALI+DF QUAL+DF`)

type idOp func(id *Identity) (IdentityEvent, bool, error)

func withErr(ev IdentityEvent, err error) (IdentityEvent, bool, error) { return ev, err == nil, err }

func recordINSi(mutate func(a *INSiIdentity)) idOp {
	return func(id *Identity) (IdentityEvent, bool, error) {
		a := idAnswer()
		mutate(&a)
		return withErr(id.RecordINSi(a, idLocal(), idAt))
	}
}

func validate(doc DocumentType, photo bool) idOp {
	return func(id *Identity) (IdentityEvent, bool, error) {
		return withErr(id.ValidateWithDocument(doc, photo, idChecker, idAt))
	}
}

func flag(f func(*Identity, string, uuid.UUID, time.Time) (IdentityEvent, error), reason string) idOp {
	return func(id *Identity) (IdentityEvent, bool, error) { return withErr(f(id, reason, idChecker, idAt)) }
}

func edit(mutate func(u *Usager)) idOp {
	return func(id *Identity) (IdentityEvent, bool, error) {
		old, new := idLocal(), idLocal()
		mutate(&new)
		new.UpdatedAt = idAt
		ev, changed := id.TraitsChanged(old, new)
		return ev, changed, nil
	}
}

// token describes an outcome: the status, then "/" and the status the
// evidence would give once the flags are lifted when the two differ; "="
// for nothing changed without error; "!name" for a refusal.
func token(id Identity) string {
	under := id
	under.Douteuse, under.Fictive = false, false
	if u := under.ComputeStatus(); u != id.Status {
		return string(id.Status) + "/" + string(u)
	}
	return string(id.Status)
}

var idErrNames = map[string]error{
	"!insi": ErrINSiForbidden, "!fictive": ErrIdentityFictive, "!doubt": ErrIdentityDoubtful,
	"!doc": ErrDocumentNotHighTrust, "!mismatch": ErrTraitsMismatch, "!same": ErrIdentityUnchanged,
}

// TestIdentityTransitions runs every transition from every status and flag
// combination. Each row lists the outcome per column of idStates.
func TestIdentityTransitions(t *testing.T) {
	tests := []struct {
		name string
		op   idOp
		want string
		kind IdentityEventKind
	}{
		{"INSi answer matching", recordINSi(func(*INSiIdentity) {}),
			`RECUP RECUP QUAL QUAL  !insi !insi !insi !insi  !insi !insi !insi !insi  !insi !insi !insi !insi`, EventINSRecorded},
		{"INSi answer with another birth name", recordINSi(func(a *INSiIdentity) { a.BirthName = "DUPONT" }),
			`!mismatch !mismatch !mismatch !mismatch  !insi !insi !insi !insi  !insi !insi !insi !insi  !insi !insi !insi !insi`, ""},
		{"INSi answer with a malformed matricule", recordINSi(func(a *INSiIdentity) { a.INS.Number = "29702XA020778" }),
			`!err !err !err !err  !insi !insi !insi !insi  !insi !insi !insi !insi  !insi !insi !insi !insi`, ""},
		{"document: CNI", validate(DocCNI, false),
			`VALI QUAL VALI QUAL  !doubt !doubt !doubt !doubt  !fictive !fictive !fictive !fictive  !fictive !fictive !fictive !fictive`, EventDocumentChecked},
		{"document: titre de séjour", validate(DocTitreSejour, false),
			`VALI QUAL VALI QUAL  !doubt !doubt !doubt !doubt  !fictive !fictive !fictive !fictive  !fictive !fictive !fictive !fictive`, EventDocumentChecked},
		{"document: birth extract with photo Vitale (EHPAD)", validate(DocExtraitNaissance, true),
			`VALI QUAL VALI QUAL  !doubt !doubt !doubt !doubt  !fictive !fictive !fictive !fictive  !fictive !fictive !fictive !fictive`, EventDocumentChecked},
		{"document: livret de famille with photo Vitale (EHPAD)", validate(DocLivretFamille, true),
			`VALI QUAL VALI QUAL  !doubt !doubt !doubt !doubt  !fictive !fictive !fictive !fictive  !fictive !fictive !fictive !fictive`, EventDocumentChecked},
		{"document: livret de famille alone", validate(DocLivretFamille, false),
			`!doc !doc !doc !doc  !doubt !doubt !doubt !doubt  !fictive !fictive !fictive !fictive  !fictive !fictive !fictive !fictive`, ""},
		{"document: birth extract alone", validate(DocExtraitNaissance, false),
			`!doc !doc !doc !doc  !doubt !doubt !doubt !doubt  !fictive !fictive !fictive !fictive  !fictive !fictive !fictive !fictive`, ""},
		{"document: carte Vitale even with photo", validate(DocCarteVitale, true),
			`!doc !doc !doc !doc  !doubt !doubt !doubt !doubt  !fictive !fictive !fictive !fictive  !fictive !fictive !fictive !fictive`, ""},
		{"document: driving licence", validate(DocPermisConduire, false),
			`!doc !doc !doc !doc  !doubt !doubt !doubt !doubt  !fictive !fictive !fictive !fictive  !fictive !fictive !fictive !fictive`, ""},
		{"document: unknown type", validate(DocumentType("CARTE_BIBLIOTHEQUE"), true),
			`!doc !doc !doc !doc  !doubt !doubt !doubt !doubt  !fictive !fictive !fictive !fictive  !fictive !fictive !fictive !fictive`, ""},
		{"mark douteuse", flag((*Identity).MarkDouteuse, "traits incohérents avec la carte Vitale"),
			`PROV PROV/RECUP PROV/VALI PROV/QUAL  !same !same !same !same  PROV PROV/RECUP PROV/VALI PROV/QUAL  !same !same !same !same`, EventMarkedDouteuse},
		{"clear douteuse", flag((*Identity).ClearDouteuse, "passeport présenté"),
			`!same !same !same !same  PROV RECUP VALI QUAL  !same !same !same !same  PROV PROV/RECUP PROV/VALI PROV/QUAL`, EventClearedDouteuse},
		{"mark fictive", flag((*Identity).MarkFictive, "demande d'anonymat"),
			`PROV PROV/RECUP PROV/VALI PROV/QUAL  PROV PROV/RECUP PROV/VALI PROV/QUAL  !same !same !same !same  !same !same !same !same`, EventMarkedFictive},
		{"clear fictive", flag((*Identity).ClearFictive, "fin de l'anonymat"),
			`!same !same !same !same  !same !same !same !same  PROV RECUP VALI QUAL  PROV PROV/RECUP PROV/VALI PROV/QUAL`, EventClearedFictive},
		{"mark douteuse without reason", flag((*Identity).MarkDouteuse, "  "),
			`!reason !reason !reason !reason  !reason !reason !reason !reason  !reason !reason !reason !reason  !reason !reason !reason !reason`, ""},
		{"clear fictive without reason", flag((*Identity).ClearFictive, ""),
			`!reason !reason !reason !reason  !reason !reason !reason !reason  !reason !reason !reason !reason  !reason !reason !reason !reason`, ""},
		{"strict trait changed: birth name", edit(func(u *Usager) { u.BirthName = "Dupond-Aubert" }),
			`= PROV PROV PROV  = PROV PROV PROV  = PROV PROV PROV  = PROV PROV PROV`, EventStrictTraitsEdit},
		{"strict trait changed: first names", edit(func(u *Usager) { u.FirstNames = []string{"Élodie"} }),
			`= PROV PROV PROV  = PROV PROV PROV  = PROV PROV PROV  = PROV PROV PROV`, EventStrictTraitsEdit},
		{"strict trait changed: birth date", edit(func(u *Usager) { u.BirthDate = u.BirthDate.AddDate(0, 0, 1) }),
			`= PROV PROV PROV  = PROV PROV PROV  = PROV PROV PROV  = PROV PROV PROV`, EventStrictTraitsEdit},
		{"strict trait changed: sex", edit(func(u *Usager) { u.Sex = SexI }),
			`= PROV PROV PROV  = PROV PROV PROV  = PROV PROV PROV  = PROV PROV PROV`, EventStrictTraitsEdit},
		{"strict trait changed: birth place", edit(func(u *Usager) { u.BirthPlaceCode = "2B004" }),
			`= PROV PROV PROV  = PROV PROV PROV  = PROV PROV PROV  = PROV PROV PROV`, EventStrictTraitsEdit},
		{"used name and used first name are not strict", edit(func(u *Usager) { u.UsedName, u.UsedFirstName = "Durand", "Lolo" }),
			`= = = =  = = = =  = = = =  = = = =`, ""},
		{"case, accents and hyphens are no change", edit(func(u *Usager) {
			u.BirthName, u.FirstNames, u.BirthPlaceCode = "DUPONT AUBERT", []string{"elodie", "MARIE"}, "2a004"
		}),
			`= = = =  = = = =  = = = =  = = = =`, ""},
	}
	for _, tt := range tests {
		want := strings.Fields(tt.want)
		if len(want) != len(idStates) {
			t.Fatalf("%s: %d outcomes for %d states", tt.name, len(want), len(idStates))
		}
		for i, state := range idStates {
			t.Run(tt.name+"/"+state, func(t *testing.T) {
				id := idState(state)
				if id.ComputeStatus() != id.Status {
					t.Fatalf("fixture %s: ComputeStatus = %s", state, id.ComputeStatus())
				}
				before := idState(state)
				ev, changed, err := tt.op(&id)
				switch w := want[i]; {
				case strings.HasPrefix(w, "!"):
					if err == nil {
						t.Fatalf("got %s, want refusal %s", token(id), w)
					}
					if sentinel, ok := idErrNames[w]; ok && !errors.Is(err, sentinel) {
						t.Fatalf("error %v, want %s", err, w)
					}
					if w == "!reason" {
						if _, ok := AsValidation(err); !ok {
							t.Fatalf("error %v, want a ValidationError", err)
						}
					}
					if !reflect.DeepEqual(id, before) {
						t.Fatalf("refused transition changed the identity: %+v", id)
					}
				case w == "=":
					if err != nil || changed || !reflect.DeepEqual(id, before) {
						t.Fatalf("got %v changed=%v %+v, want no change", err, changed, id)
					}
				default:
					if err != nil || !changed {
						t.Fatalf("got error %v changed=%v, want %s", err, changed, w)
					}
					if got := token(id); got != w {
						t.Fatalf("got %s, want %s", got, w)
					}
					if ev.Kind != tt.kind || ev.From != before.Status || ev.To != id.Status || ev.Description == "" || !ev.At.Equal(idAt) {
						t.Fatalf("event %+v", ev)
					}
				}
				if id.ShowsINS() != (id.Status == IdentityQUAL) {
					t.Fatalf("ShowsINS = %v with status %s", id.ShowsINS(), id.Status)
				}
			})
		}
	}
}

func TestShowsINS(t *testing.T) {
	for _, state := range idStates {
		id := idState(state)
		if got, want := id.ShowsINS(), state == "QUAL"; got != want {
			t.Errorf("%s: ShowsINS = %v, want %v", state, got, want)
		}
	}
	// A stored status that disagrees with the evidence never shows the INS.
	forged := Identity{Status: IdentityQUAL, INS: &idINS}
	if forged.ShowsINS() {
		t.Error("QUAL without a checked document shows the INS")
	}
}

func TestRecordINSiComparesNormalisedTraits(t *testing.T) {
	tests := []struct {
		name   string
		local  func(u *Usager)
		answer func(a *INSiIdentity)
		diffs  []string // fields that differ; nil when accepted
	}{
		{"same traits", nil, nil, nil},
		{"apostrophe, accent and case", func(u *Usager) { u.BirthName = "d'Arçy" }, func(a *INSiIdentity) { a.BirthName = "D ARCY" }, nil},
		{"typographic apostrophe", func(u *Usager) { u.BirthName = "D’Arcy" }, func(a *INSiIdentity) { a.BirthName = "D'ARCY" }, nil},
		{"first names one per element", nil, func(a *INSiIdentity) { a.FirstNames = []string{"ELODIE", "MARIE"} }, nil},
		{"local holds only the first name", func(u *Usager) { u.FirstNames = []string{"elodie"} }, func(a *INSiIdentity) { a.FirstNames = []string{"ELODIE MARIE LOUISE"} }, nil},
		{"compound first name", func(u *Usager) { u.FirstNames = []string{"Jean-Marie"} }, func(a *INSiIdentity) { a.FirstNames = []string{"JEAN-MARIE PAUL"} }, nil},
		{"same day in another zone", nil, func(a *INSiIdentity) {
			a.BirthDate = time.Date(1997, 2, 14, 23, 0, 0, 0, time.FixedZone("X", 5*3600))
		}, nil},
		{"first name differs", nil, func(a *INSiIdentity) { a.FirstNames = []string{"MARIE ELODIE"} }, []string{"first_names"}},
		{"compound first name cut", func(u *Usager) { u.FirstNames = []string{"Jean"} }, func(a *INSiIdentity) { a.FirstNames = []string{"JEAN-MARIE"} }, []string{"first_names"}},
		{"local list longer than the official one", nil, func(a *INSiIdentity) { a.FirstNames = []string{"ELODIE"} }, []string{"first_names"}},
		{"no first name in the answer", nil, func(a *INSiIdentity) { a.FirstNames = nil }, []string{"first_names"}},
		{"birth date", nil, func(a *INSiIdentity) { a.BirthDate = a.BirthDate.AddDate(0, 1, 0) }, []string{"birth_date"}},
		{"sex", nil, func(a *INSiIdentity) { a.Sex = "M" }, []string{"sex"}},
		{"lower-case sex accepted", nil, func(a *INSiIdentity) { a.Sex = "f" }, nil},
		{"birth place", nil, func(a *INSiIdentity) { a.BirthPlaceCode = "2A041" }, []string{"birth_place_code"}},
		{"local birth place unknown", func(u *Usager) { u.BirthPlaceCode = "" }, nil, []string{"birth_place_code"}},
		{"local birth date unknown", func(u *Usager) { u.BirthDate = time.Time{} }, nil, []string{"birth_date"}},
		{"everything", func(u *Usager) { u.BirthName = "" }, func(a *INSiIdentity) {
			a.FirstNames, a.Sex, a.BirthDate, a.BirthPlaceCode = []string{"LEA"}, "M", a.BirthDate.AddDate(1, 0, 0), "75056"
		}, []string{"birth_name", "first_names", "birth_date", "sex", "birth_place_code"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			local, answer := idLocal(), idAnswer()
			if tt.local != nil {
				tt.local(&local)
			}
			if tt.answer != nil {
				tt.answer(&answer)
			}
			var id Identity
			id.Status = IdentityPROV
			_, err := id.RecordINSi(answer, local, idAt)
			if tt.diffs == nil {
				if err != nil || id.Status != IdentityRECUP {
					t.Fatalf("RecordINSi: %v, status %s", err, id.Status)
				}
				return
			}
			var mm *TraitsMismatchError
			if !errors.As(err, &mm) || !errors.Is(err, ErrTraitsMismatch) {
				t.Fatalf("RecordINSi: %v, want a TraitsMismatchError", err)
			}
			var fields []string
			for _, d := range mm.Differences {
				fields = append(fields, d.Field)
				if d.Label == "" || !strings.Contains(mm.Error(), d.Label) {
					t.Errorf("difference %+v missing from %q", d, mm.Error())
				}
			}
			if !reflect.DeepEqual(fields, tt.diffs) {
				t.Errorf("differences %v, want %v", fields, tt.diffs)
			}
			if id.INS != nil || id.Status != IdentityPROV {
				t.Errorf("identity changed on refusal: %+v", id)
			}
		})
	}
}

func TestRecordINSiEvent(t *testing.T) {
	t.Run("stores the normalised matricule and a copy of the past ones", func(t *testing.T) {
		id := Identity{Status: IdentityPROV}
		answer := idAnswer()
		answer.INS.Number = strings.ToLower(answer.INS.Number)
		ev, err := id.RecordINSi(answer, idLocal(), idAt)
		if err != nil {
			t.Fatal(err)
		}
		if *id.INS != idINS || !id.INSRetrievedAt.Equal(idAt) || len(id.PastINS) != 1 {
			t.Fatalf("identity %+v", id)
		}
		answer.PastINS[0].Key = "00"
		if id.PastINS[0] != idPastINS {
			t.Error("PastINS aliases the answer")
		}
		if ev.EvidenceCode != "INSi" || len(ev.Warnings) != 0 || strings.Contains(ev.Evidence+ev.Description, idINS.Number) {
			t.Errorf("event %+v", ev)
		}
	})
	t.Run("a wrong key in the answer is a warning", func(t *testing.T) {
		id := Identity{Status: IdentityPROV}
		answer := idAnswer()
		answer.INS.Key = "77"
		ev, err := id.RecordINSi(answer, idLocal(), idAt)
		if err != nil || len(ev.Warnings) != 1 || id.Status != IdentityRECUP {
			t.Fatalf("%v %+v", err, ev)
		}
	})
	t.Run("a matricule inconsistent with the traits is a warning", func(t *testing.T) {
		id := Identity{Status: IdentityPROV}
		answer, local := idAnswer(), idLocal()
		answer.BirthDate = time.Date(1997, 3, 14, 0, 0, 0, 0, time.UTC)
		local.BirthDate = answer.BirthDate
		ev, err := id.RecordINSi(answer, local, idAt)
		if err != nil || len(ev.Warnings) != 1 || !strings.Contains(ev.Warnings[0], "mois") {
			t.Fatalf("%v %+v", err, ev)
		}
	})
	t.Run("forbidden message names the attribute", func(t *testing.T) {
		id := idState("PROV+D")
		_, err := id.RecordINSi(idAnswer(), idLocal(), idAt)
		if !errors.Is(err, ErrINSiForbidden) || !strings.Contains(err.Error(), "douteuse") {
			t.Fatalf("%v", err)
		}
		id = idState("PROV+F")
		if _, err = id.RecordINSi(idAnswer(), idLocal(), idAt); !strings.Contains(err.Error(), "fictive") {
			t.Fatalf("%v", err)
		}
	})
}

func TestValidateWithDocumentEvent(t *testing.T) {
	tests := []struct {
		doc       DocumentType
		photo     bool
		code      string
		keepPhoto bool
	}{
		{DocCNI, true, "CN", false}, // the photo Vitale is irrelevant beside a CNI
		{DocPasseport, false, "PA", false},
		{DocTitreSejour, false, "CS", false},
		{DocExtraitNaissance, true, "ANCV", true},
		{DocLivretFamille, true, "LECV", true},
	}
	for _, tt := range tests {
		id := Identity{Status: IdentityPROV}
		ev, err := id.ValidateWithDocument(tt.doc, tt.photo, idChecker, idAt)
		if err != nil {
			t.Fatalf("%s: %v", tt.doc, err)
		}
		if ev.EvidenceCode != tt.code || ev.By != idChecker || id.DocumentCheckedBy != idChecker ||
			!id.DocumentCheckedAt.Equal(idAt) || id.WithPhotoVitale != tt.keepPhoto || !strings.Contains(ev.Evidence, tt.doc.Label()) {
			t.Errorf("%s: event %+v identity %+v", tt.doc, ev, id)
		}
	}
	id := Identity{Status: IdentityPROV}
	if _, err := id.ValidateWithDocument(DocCNI, false, uuid.Nil, idAt); err == nil || id.Document != "" {
		t.Errorf("unknown checker accepted: %v", err)
	}
	_, err := id.ValidateWithDocument(DocLivretFamille, false, idChecker, idAt)
	if !errors.Is(err, ErrDocumentNotHighTrust) || !strings.Contains(err.Error(), "carte Vitale avec photographie") {
		t.Errorf("livret de famille alone: %v", err)
	}
}

func TestTraitsChangedClearsEvidence(t *testing.T) {
	id := idState("QUAL")
	old, new := idLocal(), idLocal()
	new.BirthName, new.UpdatedAt = "Dupond", idAt
	ev, changed := id.TraitsChanged(old, new)
	if !changed || id.INS != nil || id.PastINS != nil || !id.INSRetrievedAt.IsZero() || id.Document != "" ||
		!id.DocumentCheckedAt.IsZero() || id.DocumentCheckedBy != uuid.Nil || id.Status != IdentityPROV {
		t.Fatalf("identity %+v", id)
	}
	if ev.From != IdentityQUAL || ev.To != IdentityPROV || !strings.Contains(ev.Description, "nom de naissance") {
		t.Errorf("event %+v", ev)
	}
	// A flagged identity keeps its flags and reason.
	id = idState("RECUP+DF")
	if _, changed := id.TraitsChanged(old, new); !changed || !id.Douteuse || !id.Fictive || id.DouteuseReason == "" {
		t.Errorf("flags lost: %+v", id)
	}
}

func TestFlagReasons(t *testing.T) {
	id := idState("QUAL")
	ev, err := id.MarkDouteuse("  homonyme dans l'établissement ", idChecker, idAt)
	if err != nil || id.DouteuseReason != "homonyme dans l'établissement" || ev.Reason != id.DouteuseReason || ev.By != idChecker {
		t.Fatalf("%v %+v %+v", err, ev, id)
	}
	if _, err := id.ClearDouteuse("vérifié", idChecker, idAt); err != nil || id.DouteuseReason != "" || id.Status != IdentityQUAL {
		t.Fatalf("%v %+v", err, id)
	}
}

func TestDocumentTypes(t *testing.T) {
	tests := []struct {
		doc                 DocumentType
		alone, withPhoto    bool
		codeAlone, codePhot string
	}{
		{DocCNI, true, true, "CN", "CN"},
		{DocPasseport, true, true, "PA", "PA"},
		{DocTitreSejour, true, true, "CS", "CS"},
		{DocExtraitNaissance, false, true, "AN", "ANCV"},
		{DocLivretFamille, false, true, "LE", "LECV"},
		{DocCarteVitale, false, false, "", ""},
		{DocPermisConduire, false, false, "", ""},
		{DocAutre, false, false, "", ""},
	}
	if len(tests) != len(DocumentTypes()) {
		t.Fatalf("DocumentTypes() has %d types, the table %d", len(DocumentTypes()), len(tests))
	}
	for i, tt := range tests {
		d := tt.doc
		if DocumentTypes()[i] != d {
			t.Errorf("DocumentTypes()[%d] = %s, want %s", i, DocumentTypes()[i], d)
		}
		if d.HighTrust(false) != tt.alone || d.HighTrust(true) != tt.withPhoto {
			t.Errorf("%s: HighTrust = %v/%v", d, d.HighTrust(false), d.HighTrust(true))
		}
		if d.ValidationModeCode(false) != tt.codeAlone || d.ValidationModeCode(true) != tt.codePhot {
			t.Errorf("%s: codes %q/%q", d, d.ValidationModeCode(false), d.ValidationModeCode(true))
		}
		if d.Label() == string(d) || d.Label() == "" {
			t.Errorf("%s: no French label", d)
		}
	}
}

func TestNormalizeTrait(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Élodie", "ELODIE"},
		{"  d'Arçy-Le  Noël ", "D ARCY LE NOEL"},
		{"D’ARCY", "D ARCY"},
		{"Jean-Marie", "JEAN MARIE"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeTrait(tt.in); got != tt.want {
			t.Errorf("NormalizeTrait(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
