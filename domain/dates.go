package domain

import (
	"strings"
	"time"
)

// Paris is the time zone dates are shown in; instants are stored in UTC.
// Loaded once from the embedded tzdata-free zoneinfo, falling back to a
// fixed offset only if the system has no tz database.
func Paris() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}

// ParseDate reads a calendar date typed as 2006-01-02 (HTML date input) or
// 02/01/2006 (French habit). The result is midnight UTC.
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "02/01/2006"} {
		if d, err := time.Parse(layout, s); err == nil {
			return d, true
		}
	}
	return time.Time{}, false
}

// FormatDate writes d for an HTML date input (2006-01-02); zero gives "".
func FormatDate(d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return d.Format("2006-01-02")
}

// FrenchDate writes d as 02/01/2006; zero gives "".
func FrenchDate(d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return d.Format("02/01/2006")
}

// parseDateField parses a date field and records a French message under
// field when it is missing (and required) or malformed. what is the field's
// subject, as in "La date de naissance".
func parseDateField(v *ValidationError, field, s string, required bool, what string) (time.Time, bool) {
	if strings.TrimSpace(s) == "" {
		if required {
			v.Add(field, what+" est obligatoire.")
		}
		return time.Time{}, false
	}
	d, ok := ParseDate(s)
	if !ok {
		v.Add(field, what+" n'est pas une date valide (jj/mm/aaaa).")
		return time.Time{}, false
	}
	return d, true
}

// FrenchDateTime writes t in Paris time as 02/01/2006 à 15:04; zero gives "".
func FrenchDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Paris()).Format("02/01/2006 à 15:04")
}

// frenchMonthsShort are the usual French abbreviations of the months.
var frenchMonthsShort = [12]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}

// FrenchMonthShort is the abbreviated French name of t's month ("nov.").
func FrenchMonthShort(t time.Time) string { return frenchMonthsShort[t.Month()-1] }
