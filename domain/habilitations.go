package domain

// Section is a part of the record, or of the application, that rights cover.
type Section string

// Record sections and application areas.
const (
	SectionAdmin       Section = "admin"
	SectionSocial      Section = "social"
	SectionEducational Section = "educational"
	SectionCare        Section = "care"
	SectionMedical     Section = "medical"
	SectionTrail       Section = "trail"
	SectionSettings    Section = "settings"
)

// RecordSections are the sections of a usager's record, in tab order.
var RecordSections = []Section{SectionAdmin, SectionSocial, SectionEducational, SectionCare, SectionMedical}

// AllSections lists every section rights can name.
var AllSections = append(append([]Section{}, RecordSections...), SectionTrail, SectionSettings)

// Label is the French tab title.
func (s Section) Label() string {
	switch s {
	case SectionAdmin:
		return "Administratif"
	case SectionSocial:
		return "Social"
	case SectionEducational:
		return "Éducatif"
	case SectionCare:
		return "Soins"
	case SectionMedical:
		return "Médical"
	case SectionTrail:
		return "Traçabilité"
	case SectionSettings:
		return "Paramétrage"
	}
	return string(s)
}

// Valid reports whether s is a known section.
func (s Section) Valid() bool {
	for _, k := range AllSections {
		if k == s {
			return true
		}
	}
	return false
}

// IsRecord reports whether s is a section of the usager's record.
func (s Section) IsRecord() bool {
	for _, k := range RecordSections {
		if k == s {
			return true
		}
	}
	return false
}

// Traced reports whether reading s must be written to the access trail
// (every write is traced whatever the section).
func (s Section) Traced() bool { return s == SectionCare || s == SectionMedical }

// Action is what a right allows on a section.
type Action string

// Actions.
const (
	ActionRead     Action = "read"
	ActionWrite    Action = "write"
	ActionValidate Action = "validate"
	ActionExport   Action = "export"
)

// AllActions in display order.
var AllActions = []Action{ActionRead, ActionWrite, ActionValidate, ActionExport}

// Label is the French name of the action.
func (a Action) Label() string {
	switch a {
	case ActionRead:
		return "Lire"
	case ActionWrite:
		return "Écrire"
	case ActionValidate:
		return "Valider"
	case ActionExport:
		return "Exporter"
	}
	return string(a)
}

// Valid reports whether a is a known action.
func (a Action) Valid() bool {
	for _, k := range AllActions {
		if k == a {
			return true
		}
	}
	return false
}

// Role is a professional role held in an establishment.
type Role string

// Roles of the default matrix.
const (
	RoleAdministrateur  Role = "administrateur"
	RoleDirecteur       Role = "directeur"
	RoleCadreSante      Role = "cadre_sante"
	RoleInfirmier       Role = "infirmier"
	RoleAideSoignant    Role = "aide_soignant"
	RoleEducateur       Role = "educateur"
	RoleMedecin         Role = "medecin"
	RolePsychologue     Role = "psychologue"
	RoleAssistantSocial Role = "assistant_social"
	RoleSecretariat     Role = "secretariat"
)

// AllRoles in display order.
var AllRoles = []Role{RoleAdministrateur, RoleDirecteur, RoleCadreSante, RoleInfirmier, RoleAideSoignant,
	RoleEducateur, RoleMedecin, RolePsychologue, RoleAssistantSocial, RoleSecretariat}

// Label is the French name of the role.
func (r Role) Label() string {
	switch r {
	case RoleAdministrateur:
		return "Administrateur"
	case RoleDirecteur:
		return "Directeur"
	case RoleCadreSante:
		return "Cadre de santé / IDEC"
	case RoleInfirmier:
		return "Infirmier"
	case RoleAideSoignant:
		return "Aide-soignant"
	case RoleEducateur:
		return "Éducateur"
	case RoleMedecin:
		return "Médecin"
	case RolePsychologue:
		return "Psychologue"
	case RoleAssistantSocial:
		return "Assistant social"
	case RoleSecretariat:
		return "Secrétariat"
	}
	return string(r)
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range AllRoles {
		if k == r {
			return true
		}
	}
	return false
}

// Grant is one line of the role matrix.
type Grant struct {
	Role    Role
	Section Section
	Action  Action
}

// DefaultMatrix is the role matrix every new organisation starts with; an
// administrator then edits it in the UI. Care and medical data are kept to
// those who give care; the administrator manages accounts, not health data.
// Letters: r read, w write, v validate, e export.
func DefaultMatrix() []Grant {
	rows := map[Role]map[Section]string{
		RoleAdministrateur:  {SectionAdmin: "rwve", SectionSocial: "r", SectionTrail: "re", SectionSettings: "rw"},
		RoleDirecteur:       {SectionAdmin: "rwve", SectionSocial: "rwve", SectionEducational: "re", SectionCare: "re", SectionTrail: "re", SectionSettings: "r"},
		RoleCadreSante:      {SectionAdmin: "rw", SectionSocial: "r", SectionEducational: "r", SectionCare: "rwve", SectionMedical: "r"},
		RoleInfirmier:       {SectionAdmin: "r", SectionSocial: "r", SectionCare: "rwv", SectionMedical: "r"},
		RoleAideSoignant:    {SectionAdmin: "r", SectionCare: "rw"},
		RoleEducateur:       {SectionAdmin: "r", SectionSocial: "r", SectionEducational: "rw"},
		RoleMedecin:         {SectionAdmin: "r", SectionSocial: "r", SectionCare: "rwv", SectionMedical: "rwve"},
		RolePsychologue:     {SectionAdmin: "r", SectionSocial: "r", SectionEducational: "rw", SectionCare: "r"},
		RoleAssistantSocial: {SectionAdmin: "rw", SectionSocial: "rwve", SectionEducational: "r"},
		RoleSecretariat:     {SectionAdmin: "rwve", SectionSocial: "r"}, // the front desk checks identities
	}
	letters := map[byte]Action{'r': ActionRead, 'w': ActionWrite, 'v': ActionValidate, 'e': ActionExport}
	var out []Grant
	for _, role := range AllRoles {
		for _, sec := range AllSections {
			for i := 0; i < len(rows[role][sec]); i++ {
				out = append(out, Grant{Role: role, Section: sec, Action: letters[rows[role][sec][i]]})
			}
		}
	}
	return out
}
