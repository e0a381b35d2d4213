package fhir

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
)

// filteredResource is a resource of one person's record searched by
// patient and by its own parameters (those its spec declares). A person's
// record is small: the resources are listed, then filtered.
type filteredResource struct {
	scopedResource
	// filter parses the parameters beyond patient (a paramError names a bad
	// one) and returns what an entry must match; nil when none is declared.
	filter func(params url.Values) (func(any) bool, error)
	// narrow, when set, lists the person's resources for valid search
	// parameters, the store leaving out what cannot match (filter still
	// decides); list otherwise.
	narrow func(tx domain.Tx, usager uuid.UUID, params url.Values) ([]idResource, error)
}

// recordParams reads the required patient parameter and the other
// parameters the spec of resource declares; any other is refused.
func recordParams(c *gin.Context, resource string) (uuid.UUID, url.Values, error) {
	sp, _ := spec(resource)
	declared := map[string]bool{}
	for _, p := range sp.params {
		declared[p.name] = true
	}
	rest := url.Values{}
	var patient uuid.UUID
	for name, values := range c.Request.URL.Query() {
		switch {
		case name == "_format":
		case name == "patient":
			id, err := patientRef(name, values)
			if err != nil {
				return uuid.Nil, nil, err
			}
			patient = id
		case declared[name]:
			rest[name] = values
		default:
			return uuid.Nil, nil, paramError{name, "Paramètre de recherche non pris en charge pour " + resource + " : " + name + " (voir /fhir/metadata)."}
		}
	}
	if patient == uuid.Nil {
		return uuid.Nil, nil, paramError{"patient", "La recherche de " + resource + " se fait par personne : paramètre patient obligatoire."}
	}
	return patient, rest, nil
}

// searchFiltered is searchScoped with the resource's own parameters.
func (s *Server) searchFiltered(r filteredResource) gin.HandlerFunc {
	return func(c *gin.Context) {
		role, ok := s.allow(c, r.name, "read")
		if !ok {
			return
		}
		patient, params, err := recordParams(c, r.name)
		keep := func(any) bool { return true }
		if err == nil && r.filter != nil {
			keep, err = r.filter(params)
		}
		var pe paramError
		if errors.As(err, &pe) {
			outcome(c, http.StatusBadRequest, fm.IssueTypeInvalid, pe.msg, pe.param)
			return
		}
		if err != nil {
			s.internal(c, err)
			return
		}
		base := baseURL(c)
		b := fm.Bundle{Type: fm.BundleTypeSearchset, Link: []fm.BundleLink{{Relation: "self", Url: base + "/" + r.name + "?" + c.Request.URL.RawQuery}}}
		err = s.inTenant(c, func(tx domain.Tx) error {
			if err := s.mustSee(c, tx, patient); errors.Is(err, domain.ErrNotFound) {
				return nil // an unknown or invisible person has nothing: an empty searchset
			} else if err != nil {
				return err
			}
			list := r.list
			if r.narrow != nil {
				list = func(tx domain.Tx, usager uuid.UUID) ([]idResource, error) { return r.narrow(tx, usager, params) }
			}
			items, err := list(tx, patient)
			if err != nil {
				return err
			}
			for _, it := range items {
				if !keep(it.res) {
					continue
				}
				raw, err := marshal(it.res)
				if err != nil {
					return err
				}
				b.Entry = append(b.Entry, fm.BundleEntry{FullUrl: ptr(base + "/" + r.name + "/" + it.id.String()), Resource: raw,
					Search: &fm.BundleEntrySearch{Mode: ptr(fm.SearchEntryModeMatch)}})
			}
			return s.trace(c, tx, role, patient, sectionOf(r.name), domain.ActionRead, fmt.Sprintf("recherche %s (%d résultat(s))", r.name, len(b.Entry)))
		})
		if err != nil {
			s.fail(c, err)
			return
		}
		b.Total = ptr(len(b.Entry))
		writeJSON(c, http.StatusOK, b)
	}
}

// tokenParam reads a token parameter as a list of alternatives (comma
// separated, repeated parameters AND-ed): each value must be one of
// allowed.
func tokenParam(params url.Values, name string, allowed []string) ([][]string, error) {
	var out [][]string
	for _, v := range params[name] {
		var alts []string
		for _, code := range strings.Split(v, ",") {
			code = strings.TrimSpace(code)
			if !slices.Contains(allowed, code) {
				return nil, paramError{name, fmt.Sprintf("%s : valeur %q inconnue (attendu : %s).", name, code, strings.Join(allowed, ", "))}
			}
			alts = append(alts, code)
		}
		out = append(out, alts)
	}
	return out, nil
}

// matchTokens reports whether code matches every repetition of a token
// parameter.
func matchTokens(lists [][]string, code string) bool {
	for _, alts := range lists {
		if !slices.Contains(alts, code) {
			return false
		}
	}
	return true
}

// dateCond is one date parameter: a prefix and the range the value covers
// at its precision (a day covers the whole Paris day).
type dateCond struct {
	prefix string
	lo, hi time.Time
}

// dateParam reads every repetition of a date parameter (prefixes eq, ne,
// ge, gt, le, lt; a day or a date-time).
func dateParam(params url.Values, name string) ([]dateCond, error) {
	var out []dateCond
	for _, v := range params[name] {
		// A "+" of a time zone sent unencoded arrives as a space.
		v = strings.ReplaceAll(strings.TrimSpace(v), " ", "+")
		d := dateCond{prefix: "eq"}
		if len(v) > 2 && slices.Contains([]string{"eq", "ne", "ge", "gt", "le", "lt"}, v[:2]) {
			d.prefix, v = v[:2], v[2:]
		}
		lo, hi, ok := dateRange(v)
		if !ok {
			return nil, paramError{name, name + " attend une date AAAA-MM-JJ ou une date et heure AAAA-MM-JJThh:mm:ss(+01:00), précédée au besoin de eq, ne, ge, gt, le ou lt."}
		}
		d.lo, d.hi = lo, hi
		out = append(out, d)
	}
	return out, nil
}

// dateRange is the span a FHIR date or dateTime value covers.
func dateRange(v string) (time.Time, time.Time, bool) {
	if t, err := time.ParseInLocation("2006-01-02", v, domain.Paris()); err == nil {
		return t.UTC(), t.AddDate(0, 0, 1).UTC(), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, v); err == nil {
			step := time.Second
			if layout != time.RFC3339Nano {
				step = time.Minute
			}
			return t.UTC(), t.Add(step).UTC(), true
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, v, domain.Paris()); err == nil {
			step := time.Second
			if len(layout) < 19 {
				step = time.Minute
			}
			return t.UTC(), t.Add(step).UTC(), true
		}
	}
	return time.Time{}, time.Time{}, false
}

// since is the earliest instant that can meet every condition (zero when
// none bounds it from below).
func since(conds []dateCond) time.Time {
	var t time.Time
	for _, d := range conds {
		lo := map[string]time.Time{"eq": d.lo, "ge": d.lo, "gt": d.hi}[d.prefix]
		if lo.After(t) {
			t = lo
		}
	}
	return t
}

// matchDates reports whether the instant t meets every condition.
func matchDates(conds []dateCond, t time.Time) bool {
	for _, d := range conds {
		in := !t.Before(d.lo) && t.Before(d.hi)
		ok := map[string]bool{"eq": in, "ne": !in, "ge": !t.Before(d.lo), "gt": !t.Before(d.hi), "le": t.Before(d.hi), "lt": t.Before(d.lo)}[d.prefix]
		if !ok {
			return false
		}
	}
	return true
}

// parseInstant reads a FHIR dateTime of a resource (with its zone).
func parseInstant(v string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
