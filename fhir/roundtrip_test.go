package fhir

import (
	"testing"
	"time"

	"github.com/relais-dui/relais/domain"
)

// TestPatientRoundTrip: domain → FHIR → domain keeps every trait a
// partner may write.
func TestPatientRoundTrip(t *testing.T) {
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for _, in := range []domain.UsagerInput{
		{BirthName: "Dupont", UsedName: "Martin", FirstNames: "Jeanne Marie", UsedFirstName: "Jeannette", BirthDate: "1931-04-12", Sex: "F",
			BirthPlaceCode: "2A004", Address: "12 rue des Tilleuls", PostalCode: "69250", City: "Neuville-sur-Saône", Phone: "04 78 00 00 00", Email: "j.dupont@example.org"},
		{BirthName: "N'Diaye", FirstNames: "Moussa", BirthDate: "1950-01-01", Sex: "M", BirthPlaceCode: "99350"},
		{BirthName: "Le Goff", FirstNames: "Camille", BirthDate: "2010-06-30", Sex: "I"},
	} {
		u, err := in.Parse(today)
		if err != nil {
			t.Fatal(err)
		}
		back, err := patientInput(patient(u, domain.Identity{Status: domain.IdentityPROV}))
		if err != nil {
			t.Fatal(err)
		}
		u2, err := back.Parse(today)
		if err != nil {
			t.Fatalf("%s: %v", in.BirthName, err)
		}
		u2.ID, u2.CreatedAt, u2.UpdatedAt = u.ID, u.CreatedAt, u.UpdatedAt
		if u2.SortKey() != u.SortKey() || u2.BirthName != u.BirthName || u2.UsedName != u.UsedName || u2.UsedFirstName != u.UsedFirstName ||
			len(u2.FirstNames) != len(u.FirstNames) || !u2.BirthDate.Equal(u.BirthDate) || u2.Sex != u.Sex || u2.BirthPlaceCode != u.BirthPlaceCode ||
			u2.Address != u.Address || u2.PostalCode != u.PostalCode || u2.City != u.City || u2.Phone != u.Phone || u2.Email != u.Email {
			t.Errorf("round trip lost data:\n%+v\n%+v", u, u2)
		}
	}
}
