package domain

import (
	"testing"
	"time"
)

func TestPhoneticKeyGroupsFrenchSpellings(t *testing.T) {
	groups := [][]string{
		{"Lefèvre", "Lefebvre", "LEFEVRE", "Lefeuvre", "Le Fèvre"},
		{"Dupont", "Dupond", "DUPONT"},
		{"Durand", "Durant"},
		{"Giraud", "Girault", "Giraut"},
		{"Philippe", "Filippe", "Phillipe"},
		{"Chevalier", "Schevalier"},
		{"Mathieu", "Matthieu", "Matieu"},
		{"Rousseau", "Rousseaux", "Rouseau"},
	}
	for _, g := range groups {
		want := PhoneticKey(g[0])
		for _, n := range g[1:] {
			if got := PhoneticKey(n); got != want {
				t.Errorf("PhoneticKey(%q) = %q, want %q like %q", n, got, want, g[0])
			}
		}
	}
	different := [][2]string{{"Martin", "Marty"}, {"Bernard", "Renard"}, {"Petit", "Robert"}, {"Leroy", "Lemoine"}}
	for _, p := range different {
		if PhoneticKey(p[0]) == PhoneticKey(p[1]) {
			t.Errorf("%q and %q share key %q", p[0], p[1], PhoneticKey(p[0]))
		}
	}
}

func TestNameKey(t *testing.T) {
	for _, tc := range [][2]string{{"Dupont-Aubert", "DUPONT AUBERT"}, {"d'Arçy", "D ARCY"}, {"  Élodie  ", "ELODIE"}, {"N’Diaye", "N DIAYE"}} {
		if got := NameKey(tc[0]); got != tc[1] {
			t.Errorf("NameKey(%q) = %q, want %q", tc[0], got, tc[1])
		}
	}
}

func TestCompareIdentities(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	base := Usager{BirthName: "Lefèvre", FirstNames: []string{"Marie", "Louise"}, BirthDate: d("1938-04-12"), Sex: SexF}
	with := func(f func(u *Usager)) Usager {
		u := base
		u.FirstNames = append([]string{}, base.FirstNames...)
		f(&u)
		return u
	}
	tests := []struct {
		name    string
		other   Usager
		sameINS bool
		min     int
	}{
		{"same INS whatever the traits", with(func(u *Usager) { u.BirthName = "Autre" }), true, 100},
		{"same traits, different case and accents", with(func(u *Usager) { u.BirthName = "LEFEVRE"; u.FirstNames = []string{"marie"} }), false, 95},
		{"spelling variant", with(func(u *Usager) { u.BirthName = "Lefebvre" }), false, 85},
		{"married name against birth name", with(func(u *Usager) { u.BirthName = "Martin"; u.UsedName = "Lefèvre" }), false, 80},
		{"day and month swapped", with(func(u *Usager) { u.BirthDate = d("1938-12-04") }), false, 70},
		{"one digit of the year", with(func(u *Usager) { u.BirthDate = d("1939-04-12") }), false, 70},
		{"homonym with another first name", with(func(u *Usager) { u.FirstNames = []string{"Jeanne"} }), false, 60},
		{"another person", with(func(u *Usager) { u.BirthName = "Bernard"; u.BirthDate = d("1950-01-01") }), false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			score, reasons := CompareIdentities(base, tc.other, tc.sameINS)
			if (tc.min == 0 && score != 0) || score < tc.min {
				t.Errorf("score %d (%v), want ≥ %d", score, reasons, tc.min)
			}
			if score > 0 && len(reasons) == 0 {
				t.Error("a score without a reason")
			}
		})
	}
}
