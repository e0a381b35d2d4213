package insitest

import (
	"time"

	"github.com/relais-dui/relais/insi"
)

// DemoIdentities returns a fresh table of fictitious identities carrying test
// NIRs (OID 1.2.250.1.213.1.4.10), so that nothing here can be taken for a
// real person's INS. Keys are computed (97 − NIR mod 97, 2A→19, 2B→18) and
// checked in the tests. The table covers:
//   - accents, hyphens and apostrophes in birth names (LEFÈVRE-DURAND,
//     N'DIAYE, GRÉGOIRE);
//   - a person whose usual first name is not the first on the birth
//     certificate (LEFÈVRE-DURAND, official list JEAN MARIE): searched as
//     "Marie Jean", the first name alone gives 01 and the list gives 00;
//   - two homonyms (MARTIN Louis Henri, same date, born in Rennes and in
//     Brest): 02 until the birth place is given;
//   - a past INS (N'DIAYE) and a Corsican birth place (SANTONI, 2A004).
func DemoIdentities() []insi.Identity {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	return []insi.Identity{
		{
			NIR: "2310435238017", Key: "43", OID: insi.OIDTestNIR,
			BirthName: "DUPONT", FirstNames: []string{"JEANNE", "MARIE"}, Sex: "F",
			BirthDate: day(1931, time.April, 12), BirthDateText: "1931-04-12", BirthPlaceCode: "35238",
		},
		{
			NIR: "1420744109033", Key: "12", OID: insi.OIDTestNIR,
			BirthName: "LEFÈVRE-DURAND", FirstNames: []string{"JEAN", "MARIE"}, Sex: "M",
			BirthDate: day(1942, time.July, 30), BirthDateText: "1942-07-30", BirthPlaceCode: "44109",
		},
		{
			NIR: "2481199341045", Key: "05", OID: insi.OIDTestNIR,
			PastINS:   []insi.PastINS{{NIR: "2481199341998", Key: "22", OID: insi.OIDTestNIR}},
			BirthName: "N'DIAYE", FirstNames: []string{"AMINATA"}, Sex: "F",
			BirthDate: day(1948, time.November, 2), BirthDateText: "1948-11-02", BirthPlaceCode: "99341",
		},
		{
			NIR: "1380535238088", Key: "83", OID: insi.OIDTestNIR,
			BirthName: "MARTIN", FirstNames: []string{"LOUIS", "HENRI"}, Sex: "M",
			BirthDate: day(1938, time.May, 12), BirthDateText: "1938-05-12", BirthPlaceCode: "35238",
		},
		{
			NIR: "1380529019102", Key: "11", OID: insi.OIDTestNIR,
			BirthName: "MARTIN", FirstNames: []string{"LOUIS", "HENRI"}, Sex: "M",
			BirthDate: day(1938, time.May, 12), BirthDateText: "1938-05-12", BirthPlaceCode: "29019",
		},
		{
			NIR: "135022A004011", Key: "48", OID: insi.OIDTestNIR,
			BirthName: "SANTONI", FirstNames: []string{"PAUL", "ANTOINE"}, Sex: "M",
			BirthDate: day(1935, time.February, 14), BirthDateText: "1935-02-14", BirthPlaceCode: "2A004",
		},
		{
			NIR: "2570135238140", Key: "53", OID: insi.OIDTestNIR,
			BirthName: "GRÉGOIRE", FirstNames: []string{"ÉLODIE", "ANNE-SOPHIE"}, Sex: "F",
			BirthDate: day(1957, time.January, 23), BirthDateText: "1957-01-23", BirthPlaceCode: "35238",
		},
	}
}
