package insi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const maxTraitLen = 100 // no birth name or first-name list comes near; longer input is a paste accident

// SearchByTraits looks the INS up from typed traits, widening the query as
// the national guidance asks:
//
//  1. birth name, first birth first name only, sex, birth date;
//  2. when that is not a 00 and there are other first names: the whole list;
//  3. when that is still not a 00 and a birth place is known: the list and the
//     INSEE code of the birth place.
//
// It stops at the first 00. A 02 means the traits are not discriminant, hence
// the next, wider query; a final 01 or 02 is returned as such, without
// identity. Every call made is in Result.Attempts, also when an error stops
// the search half-way (the Result then holds the attempts made so far).
func (c *Client) SearchByTraits(ctx context.Context, q TraitsQuery) (Result, error) {
	base, err := normaliseTraits(q)
	if err != nil {
		return Result{}, err
	}
	var res Result
	for i, t := range traitsPlan(base) {
		ans, att, err := c.callTraits(ctx, t)
		res.Attempts = append(res.Attempts, att)
		if err != nil {
			return res, fmt.Errorf("recherche INSi par traits, essai %d : %w", i+1, err)
		}
		res.Code, res.Identity = ans.code, ans.identity
		if ans.code == CodeFound {
			break
		}
	}
	return res, nil
}

// traitsPlan lists the queries of SearchByTraits in order.
func traitsPlan(all sentTraits) []sentTraits {
	first := all
	first.firstNames = all.firstNames[:1]
	first.birthPlace = ""
	plan := []sentTraits{first}
	if len(all.firstNames) > 1 {
		list := all
		list.birthPlace = ""
		plan = append(plan, list)
	}
	if all.birthPlace != "" {
		plan = append(plan, all)
	}
	return plan
}

func (c *Client) callTraits(ctx context.Context, t sentTraits) (answer, Attempt, error) {
	ids := c.newEnvelopeIDs()
	att := Attempt{
		Operation:      OpTraits,
		MessageID:      ids.message,
		FirstNames:     t.firstNames,
		WithBirthPlace: t.birthPlace != "",
	}
	payload := c.writeEnvelope(OpTraits, ids, c.now(), nil, traitsBody(t))
	ans, err := c.call(ctx, OpTraits, payload)
	if err != nil {
		return answer{}, att, err
	}
	att.Code, att.Label = ans.code, ans.label
	return ans, att, nil
}

// SearchByCarteVitale looks the INS up from the data of a carte Vitale: one
// call, no widening (the card designates the beneficiary).
func (c *Client) SearchByCarteVitale(ctx context.Context, q VitaleQuery) (Result, error) {
	q, err := normaliseVitale(q)
	if err != nil {
		return Result{}, err
	}
	ids := c.newEnvelopeIDs()
	att := Attempt{Operation: OpCarteVitale, MessageID: ids.message}
	payload := c.writeEnvelope(OpCarteVitale, ids, c.now(), vitaleCoverage(q), vitaleBody(q))
	ans, err := c.call(ctx, OpCarteVitale, payload)
	if err != nil {
		return Result{Attempts: []Attempt{att}}, fmt.Errorf("recherche INSi par carte Vitale : %w", err)
	}
	att.Code, att.Label = ans.code, ans.label
	return Result{Code: ans.code, Identity: ans.identity, Attempts: []Attempt{att}}, nil
}

// call posts one envelope and decodes the answer.
func (c *Client) call(ctx context.Context, op string, payload []byte) (answer, error) {
	if c.timeout > 0 {
		// A deadline on the context rather than http.Client.Timeout, so that
		// every timeout reads as context.DeadlineExceeded.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(payload))
	if err != nil {
		return answer{}, fmt.Errorf("requête %s : %w", op, err)
	}
	// SOAP 1.2 carries the action as a media-type parameter (no SOAPAction
	// header); it repeats wsa:Action.
	req.Header.Set("Content-Type", `application/soap+xml; charset=utf-8; action="`+ActionPrefix+op+`"`)
	req.Header.Set("Accept", "application/soap+xml")
	resp, err := c.hc.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("%w : %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBytes+1))
	if err != nil {
		return answer{}, fmt.Errorf("%w : lecture de la réponse : %w", ErrUnavailable, err)
	}
	if int64(len(body)) > c.maxBytes {
		return answer{}, malformed("réponse de plus de %d octets", c.maxBytes)
	}
	return parseResponse(resp.StatusCode, resp.Status, body)
}

// cleanName trims, collapses inner spaces and upper-cases a name: the
// national base holds names in capitals; accents, hyphens and apostrophes are
// kept as typed (the service compares them itself).
func cleanName(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), " "))
}

func normaliseTraits(q TraitsQuery) (sentTraits, error) {
	t := sentTraits{birthName: cleanName(q.BirthName)}
	if t.birthName == "" {
		return sentTraits{}, &QueryError{Field: "BirthName", Message: "le nom de naissance est obligatoire"}
	}
	if utf8.RuneCountInString(t.birthName) > maxTraitLen {
		return sentTraits{}, &QueryError{Field: "BirthName", Message: "le nom de naissance est trop long"}
	}
	// One first name per element in the list; a "Jean Pierre" typed in one
	// field is two first names (composed first names take a hyphen).
	t.firstNames = strings.Fields(cleanName(strings.Join(q.FirstNames, " ")))
	if len(t.firstNames) == 0 {
		return sentTraits{}, &QueryError{Field: "FirstNames", Message: "le premier prénom de naissance est obligatoire"}
	}
	if utf8.RuneCountInString(strings.Join(t.firstNames, " ")) > maxTraitLen {
		return sentTraits{}, &QueryError{Field: "FirstNames", Message: "la liste des prénoms est trop longue"}
	}
	t.sex = strings.ToUpper(strings.TrimSpace(q.Sex))
	if t.sex != "F" && t.sex != "M" {
		return sentTraits{}, &QueryError{Field: "Sex", Message: "le sexe doit être F ou M"}
	}
	switch {
	case q.LunarBirthDate != "":
		t.birthDate = strings.TrimSpace(q.LunarBirthDate)
		if !reDate.MatchString(t.birthDate) {
			return sentTraits{}, &QueryError{Field: "BirthDate", Message: "la date de naissance doit s'écrire AAAA-MM-JJ"}
		}
	case q.BirthDate.IsZero():
		return sentTraits{}, &QueryError{Field: "BirthDate", Message: "la date de naissance est obligatoire"}
	default:
		// The calendar day as given, whatever the time zone of the value: a
		// birth date is not an instant.
		y, m, d := q.BirthDate.Date()
		t.birthDate = time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	t.birthPlace = strings.ToUpper(strings.TrimSpace(q.BirthPlaceCode))
	if t.birthPlace != "" && !reCOG.MatchString(t.birthPlace) {
		return sentTraits{}, &QueryError{Field: "BirthPlaceCode", Message: "le lieu de naissance doit être un code INSEE à 5 caractères (99 + code pays pour l'étranger)"}
	}
	return t, nil
}

func normaliseVitale(q VitaleQuery) (VitaleQuery, error) {
	q.HolderNIR = strings.ToUpper(strings.TrimSpace(q.HolderNIR))
	q.HolderKey = strings.TrimSpace(q.HolderKey)
	q.BeneficiaryNIR = strings.ToUpper(strings.TrimSpace(q.BeneficiaryNIR))
	q.BeneficiaryKey = strings.TrimSpace(q.BeneficiaryKey)
	q.BirthName = cleanName(q.BirthName)
	q.BirthDate = strings.TrimSpace(q.BirthDate)
	if q.BirthRank == 0 {
		q.BirthRank = 1
	}
	switch {
	case !reMatricule.MatchString(q.HolderNIR):
		return q, &QueryError{Field: "HolderNIR", Message: "le NIR de l'assuré doit compter 13 caractères"}
	case q.HolderKey != "" && !reKey.MatchString(q.HolderKey):
		return q, &QueryError{Field: "HolderKey", Message: "la clé du NIR de l'assuré doit compter 2 chiffres"}
	case q.BeneficiaryNIR != "" && !reMatricule.MatchString(q.BeneficiaryNIR):
		return q, &QueryError{Field: "BeneficiaryNIR", Message: "le NIR du bénéficiaire doit compter 13 caractères"}
	case q.BeneficiaryKey != "" && !reKey.MatchString(q.BeneficiaryKey):
		return q, &QueryError{Field: "BeneficiaryKey", Message: "la clé du NIR du bénéficiaire doit compter 2 chiffres"}
	case utf8.RuneCountInString(q.BirthName) > maxTraitLen:
		return q, &QueryError{Field: "BirthName", Message: "le nom de naissance est trop long"}
	case !reDate.MatchString(q.BirthDate):
		return q, &QueryError{Field: "BirthDate", Message: "la date de naissance de la carte doit s'écrire AAAA-MM-JJ"}
	case q.BirthRank < 1 || q.BirthRank > 9:
		return q, &QueryError{Field: "BirthRank", Message: "le rang de naissance doit être compris entre 1 et 9 (reçu " + strconv.Itoa(q.BirthRank) + ")"}
	}
	return q, nil
}
