package domain

import (
	"strings"
	"testing"
	"time"

	"github.com/relais-dui/relais/domain/ins"
)

func TestCheckDMPSend(t *testing.T) {
	m := ins.Matricule{Number: "2480001880042", Key: "82", OID: ins.OIDTestNIR}
	qual := Identity{INS: &m, Document: DocCNI}
	qual.Status = qual.ComputeStatus()
	recup := Identity{INS: &m}
	recup.Status = recup.ComputeStatus()
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	refused := Consent{Scope: ConsentDMP, Granted: false, GivenOn: day(2)}
	granted := Consent{Scope: ConsentDMP, Granted: true, GivenOn: day(3)}
	withdrawnGrant := Consent{Scope: ConsentDMP, Granted: true, GivenOn: day(4), WithdrawnOn: day(5)}
	otherScope := Consent{Scope: ConsentMSSante, Granted: false, GivenOn: day(9)}
	cases := []struct {
		name     string
		id       Identity
		consents []Consent
		typeCode string
		masking  []string
		want     string // "" when allowed
	}{
		{"PROV", Identity{Status: IdentityPROV}, nil, "11488-4", nil, "statut PROV"},
		{"RECUP", recup, nil, "11488-4", nil, "statut RECUP"},
		{"QUAL, no consent recorded", qual, nil, "11488-4", nil, ""},
		{"QUAL, opposed", qual, []Consent{refused}, "11488-4", nil, "s'est opposée"},
		{"QUAL, agreed after opposing", qual, []Consent{granted, refused}, "11488-4", nil, ""},
		{"QUAL, agreement withdrawn", qual, []Consent{refused, withdrawnGrant, granted}, "11488-4", nil, "retiré son accord"},
		{"other scope ignored", qual, []Consent{granted, otherScope}, "11488-4", nil, ""},
		{"invisible to patient", qual, nil, "11488-4", []string{DMPInvisibleToPatient}, ""},
		{"DLU masked from professionals", qual, nil, "74207-2", []string{DMPMaskedFromProfessionals}, "ne peut pas être masqué"},
		{"report masked from professionals", qual, nil, "11488-4", []string{DMPMaskedFromProfessionals}, ""},
		{"unknown masking", qual, nil, "11488-4", []string{"CACHE"}, "inconnu"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckDMPSend(c.id, c.consents, c.typeCode, c.masking)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
}

func TestDMPBackoff(t *testing.T) {
	for attempts, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute, 9: 256 * time.Minute, 10: 6 * time.Hour, 50: 6 * time.Hour} {
		if got := DMPBackoff(attempts); got != want {
			t.Errorf("DMPBackoff(%d) = %v, want %v", attempts, got, want)
		}
	}
}
