package domain

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestLiaisonInputParse(t *testing.T) {
	ehpad, ssiad := uuid.New(), uuid.New()
	nurse, aide, outsider := uuid.New(), uuid.New(), uuid.New()
	members := []Membership{
		{UserID: nurse, EstablishmentID: ehpad, Role: RoleInfirmier},
		{UserID: aide, EstablishmentID: ehpad, Role: RoleAideSoignant},
		{UserID: outsider, EstablishmentID: ssiad, Role: RoleInfirmier},
	}
	ok := LiaisonInput{EstablishmentID: ehpad.String(), Section: "care", Priority: "urgente", Body: "  Chute ce matin.  ",
		Users: []string{aide.String(), aide.String()}, Roles: []string{"infirmier"}}
	cases := []struct {
		name  string
		edit  func(*LiaisonInput)
		field string // "" = accepted
		want  string
	}{
		{"valid", func(*LiaisonInput) {}, "", ""},
		{"about the establishment", func(in *LiaisonInput) { in.UsagerID = "" }, "", ""},
		{"empty body", func(in *LiaisonInput) { in.Body = " \n " }, "body", "obligatoire"},
		{"too long", func(in *LiaisonInput) { in.Body = strings.Repeat("a", MaxLiaisonLength+1) }, "body", "trop longue"},
		{"no recipient", func(in *LiaisonInput) { in.Users, in.Roles = nil, nil }, "recipients", "au moins un destinataire"},
		{"user of another establishment", func(in *LiaisonInput) { in.Users = []string{outsider.String()} }, "recipients", "n'appartient pas"},
		{"unknown user", func(in *LiaisonInput) { in.Users = []string{"x"} }, "recipients", "n'appartient pas"},
		{"unknown role", func(in *LiaisonInput) { in.Roles = []string{"pilote"} }, "recipients", "inconnu"},
		{"role nobody holds here", func(in *LiaisonInput) { in.Roles = []string{"educateur"} }, "recipients", "Personne n'a le rôle"},
		{"bad section", func(in *LiaisonInput) { in.Section = "trail" }, "section", "section"},
		{"bad priority", func(in *LiaisonInput) { in.Priority = "haute" }, "priority", "priorité"},
		{"no establishment", func(in *LiaisonInput) { in.EstablishmentID = "" }, "establishment_id", "établissement"},
		{"bad usager", func(in *LiaisonInput) { in.UsagerID = "nope" }, "usager_id", "inconnue"},
	}
	for _, tc := range cases {
		in := ok
		tc.edit(&in)
		n, err := in.Parse(members)
		if tc.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			if n.Body != "Chute ce matin." || len(n.Users) != 1 || len(n.Roles) != 1 || n.Priority != PriorityUrgente {
				t.Errorf("%s: parsed %+v", tc.name, n)
			}
			continue
		}
		v, isV := AsValidation(err)
		if !isV || !strings.Contains(v.Fields[tc.field], tc.want) {
			t.Errorf("%s: got %v, want %s: …%s…", tc.name, err, tc.field, tc.want)
		}
	}
}

func TestParseReply(t *testing.T) {
	if _, err := ParseReply("   "); err == nil {
		t.Error("empty reply accepted")
	}
	if b, err := ParseReply(" vu, merci "); err != nil || b != "vu, merci" {
		t.Errorf("reply = %q, %v", b, err)
	}
}
