package cda

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// DLU template and codes (CI-SIS volet DLU-EHPAD, modèle DLU 2022.01).
const (
	tmplDLU        = "1.2.250.1.213.1.1.1.22"
	tmplDLUVersion = "2022.01"
)

// DLUType is the LOINC type of the DLU.
var DLUType = Code{Code: "74207-2", System: oidLOINC, SystemName: "LOINC", Display: "Document de liaison d'urgence"}

// RelatedPerson is a member of the entourage named in the DLU.
type RelatedPerson struct {
	Family, Given string
	Relationship  string
	Phone         string
	Trusted       bool // personne de confiance
	ToNotify      bool // personne à prévenir
}

// Problem is a condition (active problem or history).
type Problem struct {
	Label string
	CIM10 string // optional
	Onset time.Time
}

// Allergy is an allergy or intolerance.
type Allergy struct {
	Label       string
	Intolerance bool
	Reaction    string
	Onset       time.Time
}

// Treatment is a prescription in force.
type Treatment struct {
	Drug       string
	Code       string // CIP13 or UCD, optional
	CodeSystem string // OID of Code's system
	Schedule   string // French: intakes and doses
	Route      string
	Start, End time.Time
}

// DLU is the data of an emergency liaison document, gathered from the
// record.
type DLU struct {
	Header     Header
	Info       domain.DLUInfo
	Contacts   []RelatedPerson
	Problems   []Problem // active conditions
	History    []Problem
	Allergies  []Allergy
	Treatments []Treatment
}

// MissingError lists, in French, what the record lacks for a DLU that the
// CI-SIS rules accept; the page shows the same list.
type MissingError struct{ Missing []string }

func (e *MissingError) Error() string {
	return "DLU incomplet : " + strings.Join(e.Missing, " ; ")
}

// ErrMissing is matched by errors.Is on a *MissingError.
var ErrMissing = errors.New("DLU incomplet")

// Is makes errors.Is(err, ErrMissing) true.
func (e *MissingError) Is(target error) bool { return target == ErrMissing }

// DLUDocument builds the structured CDA of the DLU. Data the CI-SIS model
// requires (médecin traitant, preferred hospital, directives, state, BMR)
// must be filled in: otherwise a *MissingError lists it and nothing is
// produced.
func DLUDocument(d DLU) ([]byte, error) {
	if m := d.Info.Missing(); len(m) > 0 {
		return nil, &MissingError{Missing: m}
	}
	h := d.Header
	h.Type = DLUType
	if h.Title == "" {
		h.Title = "Document de liaison d'urgence"
	}
	svc := Code{Code: "34117-2", System: oidLOINC, SystemName: "LOINC", Display: "Historique et clinique"}
	h.ServiceCode = &svc
	b := dluBuilder{d: d, ns: h.ID}
	sections := []*el{
		b.dispositions(),
		b.problems("actifs", d.Problems),
		b.problems("antecedents", d.History),
		b.allergies(),
		b.treatments(),
		b.directives(),
		b.states(),
		b.bmr(),
		b.comment(),
		b.attached(),
	}
	var comps []*el
	for _, s := range sections {
		if s != nil {
			comps = append(comps, e("component", s))
		}
	}
	return h.document([]*el{e("templateId", at{"root", tmplDLU}, at{"extension", tmplDLUVersion})},
		b.informants(), []*el{b.gp()}, e("structuredBody", comps))
}

type dluBuilder struct {
	d  DLU
	ns uuid.UUID
}

// id derives a stable id for a part of the document from the document's id.
func (b dluBuilder) id(part string) *el {
	return e("id", at{"root", uid(uuid.NewSHA1(b.ns, []byte(part)))})
}

func loinc(c, display string) *el {
	return e("code", at{"code", c}, at{"displayName", display}, at{"codeSystem", oidLOINC}, at{"codeSystemName", "LOINC"})
}

func yesNo(b bool) string {
	if b {
		return "oui"
	}
	return "non"
}

func frDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("02/01/2006")
}

func table(head []string, rows [][]any) *el {
	var ths []*el
	for _, h := range head {
		ths = append(ths, e("th", h))
	}
	var trs []*el
	for _, r := range rows {
		var tds []*el
		for _, c := range r {
			tds = append(tds, e("td", c))
		}
		trs = append(trs, e("tr", tds))
	}
	return e("table", at{"border", "0"}, e("thead", e("tr", ths)), e("tbody", trs))
}

func content(id, text string) *el { return e("content", at{"ID", id}, text) }

func ref(id string) *el { return e("reference", at{"value", "#" + id}) }

func (b dluBuilder) informants() []*el {
	var out []*el
	for _, c := range b.d.Contacts {
		var classes []string
		if c.ToNotify {
			classes = append(classes, "ECON")
		}
		if c.Trusted {
			classes = append(classes, "NOK")
		}
		for _, cl := range classes {
			out = append(out, e("informant", e("relatedEntity", at{"classCode", cl}, telecom(c.Phone),
				e("relatedPerson", e("name", optText("given", c.Given), e("family", strings.ToUpper(c.Family)))))))
		}
	}
	return out
}

// gp is the médecin traitant, participant INF with function PCP.
func (b dluBuilder) gp() *el {
	i := b.d.Info
	var id *el
	if i.GPRPPS != "" {
		id = e("id", at{"root", oidIdNatPS}, at{"extension", "8" + i.GPRPPS})
	}
	return e("participant", at{"typeCode", "INF"},
		e("functionCode", at{"code", "PCP"}, at{"displayName", "Médecin traitant"}, at{"codeSystem", "2.16.840.1.113883.5.88"}),
		e("time", at{"xsi:type", "IVL_TS"}, e("low", at{"value", ts(b.d.Header.Effective)})),
		e("associatedEntity", at{"classCode", "PROV"}, id, e("addr", at{"nullFlavor", "NASK"}), telecom(i.GPPhone),
			e("associatedPerson", e("name", e("family", i.GPName)))))
}

func (b dluBuilder) dispositions() *el {
	i := b.d.Info
	o := b.d.Header.Establishment
	hosp := []any{content("hopital", i.HospitalName)}
	if i.HospitalPhone != "" {
		hosp = append(hosp, e("br"), "Tél. "+i.HospitalPhone)
	}
	role := func(typ string, finess, name, phone string) *el {
		var id *el
		if finess != "" {
			id = e("id", at{"root", oidIdNatStruct}, at{"extension", "1" + finess})
		}
		return e("participant", at{"typeCode", typ}, e("time", at{"nullFlavor", "NAV"}),
			e("participantRole", at{"classCode", "ROL"}, id, telecom(phone), e("playingEntity", e("name", name))))
	}
	return e("section",
		tmpl("1.3.6.1.4.1.19376.1.5.3.1.1.13.2.10"), tmpl("1.2.250.1.213.1.1.2.172"),
		loinc("11302-7", "Etablissement de santé de préférence"),
		e("title", "Établissement de santé de préférence"),
		e("text", hosp),
		e("entry", e("act", at{"classCode", "ACT"}, at{"moodCode", "INT"},
			tmpl("1.3.6.1.4.1.19376.1.5.3.1.1.10.4.2"), tmpl("1.2.250.1.213.1.1.3.97"),
			b.id("disposition"),
			loinc("11302-7", "Etablissement de santé de préférence"),
			e("text", ref("hopital")),
			e("statusCode", at{"code", "normal"}),
			e("effectiveTime", at{"nullFlavor", "NAV"}),
			role("ORG", o.FINESS, o.Name, o.Phone),
			role("DST", i.HospitalFINESS, i.HospitalName, i.HospitalPhone))))
}

func concern(entryTemplates []string, id *el, low time.Time, inner *el) *el {
	var tmpls []*el
	for _, t := range entryTemplates {
		tmpls = append(tmpls, tmpl(t))
	}
	lowEl := e("low", at{"nullFlavor", "UNK"})
	if !low.IsZero() {
		lowEl = e("low", at{"value", date(low)})
	}
	return e("entry", e("act", at{"classCode", "ACT"}, at{"moodCode", "EVN"}, tmpls, id,
		e("code", at{"nullFlavor", "NA"}), e("statusCode", at{"code", "active"}),
		e("effectiveTime", lowEl),
		e("entryRelationship", at{"typeCode", "SUBJ"}, at{"inversionInd", "false"}, inner)))
}

var problemConcern = []string{"2.16.840.1.113883.10.20.1.27", "1.3.6.1.4.1.19376.1.5.3.1.4.5.1", "1.3.6.1.4.1.19376.1.5.3.1.4.5.2", "1.2.250.1.213.1.1.3.39"}

// problems writes the active problems ("actifs") or the history.
func (b dluBuilder) problems(kind string, list []Problem) *el {
	if len(list) == 0 {
		return nil
	}
	var rows [][]any
	var entries []*el
	for n, p := range list {
		cid := fmt.Sprintf("%s-%d", kind, n+1)
		rows = append(rows, []any{frDate(p.Onset), content(cid, p.Label)})
		val := e("value", at{"xsi:type", "CD"}, at{"nullFlavor", "OTH"}, e("originalText", ref(cid)))
		if p.CIM10 != "" {
			val = e("value", at{"xsi:type", "CD"}, at{"code", p.CIM10}, at{"displayName", p.Label}, at{"codeSystem", oidCIM10},
				at{"codeSystemName", "CIM-10"}, e("originalText", ref(cid)))
		}
		low := e("low", at{"nullFlavor", "UNK"})
		if !p.Onset.IsZero() {
			low = e("low", at{"value", date(p.Onset)})
		}
		obs := e("observation", at{"classCode", "OBS"}, at{"moodCode", "EVN"}, at{"negationInd", "false"},
			tmpl("2.16.840.1.113883.10.20.1.28"), tmpl("1.3.6.1.4.1.19376.1.5.3.1.4.5"), tmpl("1.2.250.1.213.1.1.3.37"),
			b.id(cid+"-obs"),
			e("code", at{"code", "282291009"}, at{"displayName", "interprétation diagnostique"}, at{"codeSystem", oidSNOMED}, at{"codeSystemName", "SNOMED CT"}),
			e("text", ref(cid)), e("statusCode", at{"code", "completed"}),
			e("effectiveTime", low), val)
		entries = append(entries, concern(problemConcern, b.id(cid), p.Onset, obs))
	}
	if kind == "actifs" {
		return e("section", tmpl("2.16.840.1.113883.10.20.1.11"), tmpl("1.3.6.1.4.1.19376.1.5.3.1.3.6"), tmpl("1.2.250.1.213.1.1.2.132"),
			b.id("section-actifs"), loinc("11450-4", "Liste des problèmes actifs"), e("title", "Pathologies en cours"),
			e("text", table([]string{"Depuis", "Pathologie"}, rows)), entries)
	}
	return e("section", tmpl("1.3.6.1.4.1.19376.1.5.3.1.3.8"), tmpl("1.2.250.1.213.1.1.2.134"),
		b.id("section-antecedents"), loinc("11348-0", "Antécédents médicaux"), e("title", "Antécédents médicaux"),
		e("text", table([]string{"Date", "Antécédent"}, rows)), entries)
}

var allergyConcern = []string{"2.16.840.1.113883.10.20.1.27", "1.3.6.1.4.1.19376.1.5.3.1.4.5.1", "1.3.6.1.4.1.19376.1.5.3.1.4.5.3", "1.2.250.1.213.1.1.3.40"}

func (b dluBuilder) allergies() *el {
	if len(b.d.Allergies) == 0 {
		return nil
	}
	var rows [][]any
	var entries []*el
	for n, a := range b.d.Allergies {
		cid := fmt.Sprintf("allergie-%d", n+1)
		kind, code, display := "Allergie", "419199007", "allergie à une substance"
		if a.Intolerance {
			kind, code, display = "Intolérance", "782197009", "intolérance à une substance"
		}
		rows = append(rows, []any{frDate(a.Onset), kind, content(cid, a.Label), a.Reaction})
		low := e("low", at{"nullFlavor", "UNK"})
		if !a.Onset.IsZero() {
			low = e("low", at{"value", date(a.Onset)})
		}
		obs := e("observation", at{"classCode", "OBS"}, at{"moodCode", "EVN"},
			tmpl("2.16.840.1.113883.10.20.1.18"), tmpl("2.16.840.1.113883.10.20.1.28"), tmpl("1.3.6.1.4.1.19376.1.5.3.1.4.5"),
			tmpl("1.3.6.1.4.1.19376.1.5.3.1.4.6"), tmpl("1.2.250.1.213.1.1.3.41"),
			b.id(cid+"-obs"),
			e("code", at{"code", code}, at{"displayName", display}, at{"codeSystem", oidSNOMED}, at{"codeSystemName", "SNOMED CT"}),
			e("text", ref(cid)), e("statusCode", at{"code", "completed"}),
			e("effectiveTime", low),
			e("value", at{"xsi:type", "CD"}, at{"nullFlavor", "OTH"}, e("originalText", ref(cid))),
			e("participant", at{"typeCode", "CSM"}, e("participantRole", at{"classCode", "MANU"},
				e("playingEntity", at{"classCode", "MMAT"}, e("code", at{"nullFlavor", "OTH"}, e("originalText", ref(cid))), e("name", a.Label)))))
		entries = append(entries, concern(allergyConcern, b.id(cid), a.Onset, obs))
	}
	return e("section", tmpl("2.16.840.1.113883.10.20.1.2"), tmpl("1.3.6.1.4.1.19376.1.5.3.1.3.13"), tmpl("1.2.250.1.213.1.1.2.137"),
		b.id("section-allergies"), loinc("48765-2", "Allergies et hypersensibilités"), e("title", "Allergies et intolérances"),
		e("text", table([]string{"Depuis", "Type", "Agent", "Réaction"}, rows)), entries)
}

func (b dluBuilder) treatments() *el {
	var rows [][]any
	var entries []*el
	for n, t := range b.d.Treatments {
		cid := fmt.Sprintf("traitement-%d", n+1)
		rows = append(rows, []any{frDate(t.Start), frDate(t.End), content(cid, t.Drug), t.Schedule, t.Route})
		low := e("low", at{"value", date(t.Start)})
		high := e("high", at{"nullFlavor", "UNK"})
		if !t.End.IsZero() {
			high = e("high", at{"value", date(t.End)})
		}
		prodCode := e("code", at{"nullFlavor", "OTH"}, e("originalText", ref(cid)))
		if t.Code != "" && t.CodeSystem != "" {
			prodCode = e("code", at{"code", t.Code}, at{"displayName", t.Drug}, at{"codeSystem", t.CodeSystem}, e("originalText", ref(cid)))
		}
		entries = append(entries, e("entry", e("substanceAdministration", at{"classCode", "SBADM"}, at{"moodCode", "INT"},
			tmpl("2.16.840.1.113883.10.20.1.24"), tmpl("1.3.6.1.4.1.19376.1.5.3.1.4.7"), tmpl("1.2.250.1.213.1.1.3.42"),
			tmpl("1.3.6.1.4.1.19376.1.5.3.1.4.7.1"),
			b.id(cid), e("text", ref(cid)), e("statusCode", at{"code", "active"}),
			e("effectiveTime", at{"xsi:type", "IVL_TS"}, low, high),
			e("consumable", at{"typeCode", "CSM"}, e("manufacturedProduct",
				tmpl("2.16.840.1.113883.10.20.1.53"), tmpl("1.3.6.1.4.1.19376.1.5.3.1.4.7.2"), tmpl("1.2.250.1.213.1.1.3.43"),
				e("manufacturedMaterial", at{"classCode", "MMAT"}, prodCode, e("name", t.Drug)))))))
	}
	var text *el
	if len(rows) == 0 {
		text = e("text", "Aucun traitement en cours.")
	} else {
		text = e("text", table([]string{"Début", "Fin", "Médicament", "Posologie", "Voie"}, rows))
	}
	return e("section", tmpl("2.16.840.1.113883.10.20.1.8"), tmpl("1.3.6.1.4.1.19376.1.5.3.1.3.19"), tmpl("1.2.250.1.213.1.1.2.143"),
		b.id("section-traitements"), loinc("10160-0", "Historique de la prise médicamenteuse"), e("title", "Traitements en cours"),
		text, entries)
}

func (b dluBuilder) directives() *el {
	i := b.d.Info
	where := i.DirectivesAt
	if where == "" {
		where = "—"
	}
	rows := [][]any{
		{"Directives anticipées", content("directives", i.Directives.Label()), where},
		{"Soins palliatifs en cours", i.Palliative.Label(), ""},
	}
	return e("section", tmpl("2.16.840.1.113883.10.20.1.1"), tmpl("1.3.6.1.4.1.19376.1.5.3.1.3.34"), tmpl("1.3.6.1.4.1.19376.1.5.3.1.3.35"),
		tmpl("1.2.250.1.213.1.1.2.157"),
		b.id("section-directives"),
		e("code", at{"code", "42348-3"}, at{"displayName", "Directives anticipées"}, at{"codeSystem", oidLOINC}, at{"codeSystemName", "LOINC"}),
		e("title", "Directives anticipées"),
		e("text", table([]string{"", "Réponse", "Où sont-elles conservées"}, rows)),
		e("entry", e("observation", at{"classCode", "OBS"}, at{"moodCode", "EVN"},
			tmpl("2.16.840.1.113883.10.20.1.17"), tmpl("1.3.6.1.4.1.19376.1.5.3.1.4.13"), tmpl("1.3.6.1.4.1.19376.1.5.3.1.4.13.7"),
			tmpl("1.2.250.1.213.1.1.3.54"),
			b.id("directives"),
			e("code", at{"code", "42348-3"}, at{"displayName", "Directives anticipées"}, at{"codeSystem", oidLOINC}, at{"codeSystemName", "LOINC"}),
			e("text", ref("directives")), e("statusCode", at{"code", "completed"}),
			e("effectiveTime", e("low", at{"nullFlavor", "UNK"})),
			e("value", at{"xsi:type", "BL"}, at{"value", fmt.Sprint(i.Directives == domain.Yes)}))))
}

func (b dluBuilder) states() *el {
	i := b.d.Info
	var tables []any
	var entries []*el
	for gi, g := range domain.StateGroups {
		var rows [][]any
		for _, s := range g.States {
			cid := "etat-" + string(s)
			rows = append(rows, []any{content(cid, s.Label()), yesNo(i.States[s])})
			c, display := s.SNOMED()
			entries = append(entries, e("entry", e("observation", at{"classCode", "OBS"}, at{"moodCode", "EVN"},
				tmpl("1.3.6.1.4.1.19376.1.5.3.1.4.13"), tmpl("1.2.250.1.213.1.1.3.48"),
				b.id(cid),
				e("code", at{"code", c}, at{"displayName", display}, at{"codeSystem", oidSNOMED}, at{"codeSystemName", "SNOMED CT"}),
				e("text", ref(cid)), e("statusCode", at{"code", "completed"}),
				e("effectiveTime", at{"nullFlavor", "NA"}),
				e("value", at{"xsi:type", "BL"}, at{"value", fmt.Sprint(i.States[s])}))))
		}
		if gi > 0 {
			tables = append(tables, e("br"))
		}
		tables = append(tables, table([]string{g.Title, "Observation"}, rows))
	}
	return e("section", tmpl("1.3.6.1.4.1.19376.1.5.3.1.1.21.2.9"), tmpl("1.3.6.1.4.1.19376.1.7.3.1.1.13.7"), tmpl("1.2.250.1.213.1.1.2.163"),
		b.id("section-etat"), loinc("42545-4", "Evènements observés"), e("title", "État du patient et risques"),
		e("text", tables...), entries)
}

func (b dluBuilder) bmr() *el {
	i := b.d.Info
	answer := i.BMR.Label()
	if i.BMR == domain.Yes && i.BMRDetail != "" {
		answer += " : " + i.BMRDetail
	}
	return e("section", tmpl("1.3.6.1.4.1.19376.1.5.3.1.3.27"), tmpl("1.3.6.1.4.1.19376.1.5.3.1.3.28"), tmpl("1.2.250.1.213.1.1.2.151"),
		b.id("section-bmr"), loinc("30954-2", "Résultats d'examens"), e("title", "Bactérie multirésistante (BMR)"),
		e("text", table([]string{"Question", "Réponse"}, [][]any{{content("bmr", "Porteur d'une bactérie multirésistante ?"), answer}})),
		e("entry", e("observation", at{"classCode", "OBS"}, at{"moodCode", "EVN"},
			tmpl("1.3.6.1.4.1.19376.1.5.3.1.4.13"), tmpl("1.2.250.1.213.1.1.3.48"),
			b.id("bmr"),
			e("code", at{"code", "U83.71"}, at{"displayName", "Bactérie multirésistante [BMR]"}, at{"codeSystem", oidCIM10}, at{"codeSystemName", "CIM-10"}),
			e("text", ref("bmr")), e("statusCode", at{"code", "completed"}),
			e("effectiveTime", at{"nullFlavor", "NASK"}),
			e("value", at{"xsi:type", "BL"}, at{"value", fmt.Sprint(i.BMR == domain.Yes)}))))
}

// comment carries what the CI-SIS model has no coded place for: autonomy
// (GIR), devices, the EHPAD's contacts and the free comment.
func (b dluBuilder) comment() *el {
	i := b.d.Info
	var rows [][]any
	gir := fmt.Sprintf("GIR %d", i.GIR)
	if !i.GIRDate.IsZero() {
		gir += " (évalué le " + frDate(i.GIRDate) + ")"
	}
	rows = append(rows, []any{"Autonomie", gir})
	devices := strings.Join(i.DeviceLabels(), ", ")
	if devices == "" {
		devices = "Aucun"
	}
	rows = append(rows, []any{"Appareillages, prothèses", devices})
	rows = append(rows, []any{"Infirmier(e) joignable 24 h/24", i.NursePhone})
	if i.CoordDoctorName != "" || i.CoordDoctorPhone != "" {
		rows = append(rows, []any{"Médecin coordonnateur", strings.TrimSpace(i.CoordDoctorName + " " + i.CoordDoctorPhone)})
	}
	if i.Comment != "" {
		rows = append(rows, []any{"Commentaire", i.Comment})
	}
	return e("section", tmpl("2.16.840.1.113883.10.12.201"), tmpl("1.3.6.1.4.1.19376.1.4.1.2.16"), tmpl("1.2.250.1.213.1.1.2.73"),
		loinc("55112-7", "Commentaire"), e("title", "Autonomie, appareillages et contacts de l'EHPAD"),
		e("text", table([]string{"", ""}, rows)))
}

func (b dluBuilder) attached() *el {
	return e("section", tmpl("1.2.250.1.213.1.1.2.37"), b.id("section-documents"),
		loinc("55107-7", "Documents ajoutés"), e("title", "Documents annexés au DLU"),
		e("text", "Aucun document annexé."))
}
