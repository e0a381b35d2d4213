package fhir

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/domain/ins"
)

// visible reports whether the usager has a stay in the client's
// establishment: the client sees nothing else (404, as if absent).
func visible(tx domain.Tx, cp uuid.UUID, usager uuid.UUID) (bool, error) {
	estabs, err := tx.UsagerEstablishments(usager)
	if err != nil {
		return false, err
	}
	return slices.Contains(estabs, cp), nil
}

func (s *Server) readPatient(c *gin.Context) {
	role, ok := s.allow(c, "Patient", "read")
	if !ok {
		return
	}
	id, ok := pathID(c, "Patient")
	if !ok {
		return
	}
	var p fm.Patient
	var etag string
	err := s.inTenant(c, func(tx domain.Tx) error {
		u, err := s.visibleUsager(c, tx, id)
		if err != nil {
			return err
		}
		ident, err := tx.Identity(id)
		if err != nil {
			return err
		}
		p, etag = patient(u, ident), version(u)
		return s.trace(c, tx, role, id, domain.SectionAdmin, domain.ActionRead, "lecture Patient")
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", `W/"`+etag+`"`)
	writeJSON(c, http.StatusOK, p)
}

// pageSize bounds _count.
const (
	defaultCount = 20
	maxCount     = 100
)

// patientQuery turns the search parameters into a store query, refusing
// unknown parameters and malformed values with the parameter's name.
func patientQuery(c *gin.Context, estab uuid.UUID) (domain.UsagerQuery, int, error) {
	q := domain.UsagerQuery{Establishments: []uuid.UUID{estab}}
	count := defaultCount
	known := map[string]bool{}
	patientSpec, _ := spec("Patient")
	for _, p := range patientSpec.params {
		known[p.name] = true
	}
	for name, values := range c.Request.URL.Query() {
		if name == "_format" {
			continue
		}
		if !known[name] {
			return q, 0, paramError{name, "Paramètre de recherche non pris en charge : " + name + " (voir /fhir/metadata)."}
		}
		if len(values) > 1 {
			return q, 0, paramError{name, "Le paramètre " + name + " ne peut être répété."}
		}
		v := strings.TrimSpace(values[0])
		switch name {
		case "name":
			q.Search = v
		case "family":
			q.Family = v
		case "given":
			q.Given = v
		case "birthdate":
			d, err := time.Parse("2006-01-02", strings.TrimPrefix(v, "eq"))
			if err != nil {
				return q, 0, paramError{name, "birthdate attend une date AAAA-MM-JJ (préfixe eq seulement)."}
			}
			q.BirthDate = d
		case "gender":
			switch v {
			case "female":
				q.Sex = domain.SexF
			case "male":
				q.Sex = domain.SexM
			case "unknown", "other":
				q.Sex = domain.SexI
			default:
				return q, 0, paramError{name, "gender attend female, male, other ou unknown."}
			}
		case "identifier":
			system, value, found := strings.Cut(v, "|")
			if !found {
				value, system = v, ""
			}
			if system != "" && system != "urn:oid:"+ins.OIDNIR && system != "urn:oid:"+ins.OIDNIA &&
				system != "urn:oid:"+ins.OIDTestNIR && system != "urn:oid:"+ins.OIDDemoNIR {
				return q, 0, paramError{name, "Système d'identifiant non pris en charge : seuls les OID du matricule INS le sont."}
			}
			if len(value) != 15 {
				return q, 0, paramError{name, "Le matricule INS compte 15 caractères (13 + clé)."}
			}
			q.INS = strings.ToUpper(value)
		case "_id":
			id, err := uuid.Parse(v)
			if err != nil {
				return q, 0, paramError{name, "_id attend un identifiant Relais."}
			}
			q.ID = id
		case "_count":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return q, 0, paramError{name, "_count attend un entier positif."}
			}
			count = min(n, maxCount)
		case "_cursor":
			key, id, err := decodeCursor(v)
			if err != nil {
				return q, 0, paramError{name, "Curseur invalide : reprenez la recherche depuis le début."}
			}
			q.AfterKey, q.AfterID = key, id
		}
	}
	q.Limit = count
	return q, count, nil
}

type paramError struct{ param, msg string }

func (e paramError) Error() string { return e.msg }

// The cursor carries the keyset position (sort key and id) of the last
// entry of the page, opaque to clients.
func encodeCursor(key string, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key + "\x00" + id.String()))
}

func decodeCursor(s string) (string, uuid.UUID, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", uuid.Nil, err
	}
	key, idText, ok := strings.Cut(string(b), "\x00")
	if !ok {
		return "", uuid.Nil, fmt.Errorf("cursor without id")
	}
	id, err := uuid.Parse(idText)
	return key, id, err
}

func baseURL(c *gin.Context) string {
	scheme := "http"
	if c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host + "/fhir"
}

func (s *Server) searchPatients(c *gin.Context) {
	role, ok := s.allow(c, "Patient", "read")
	if !ok {
		return
	}
	cp := client(c)
	q, count, err := patientQuery(c, cp.Client.EstablishmentID)
	if pe, isParam := err.(paramError); isParam {
		outcome(c, http.StatusBadRequest, fm.IssueTypeInvalid, pe.msg, pe.param)
		return
	}
	base := baseURL(c)
	b := fm.Bundle{Type: fm.BundleTypeSearchset}
	err = s.inTenant(c, func(tx domain.Tx) error {
		page, err := tx.ListUsagers(q)
		if err != nil {
			return err
		}
		ids := make([]uuid.UUID, len(page.Rows))
		for i, row := range page.Rows {
			ids[i] = row.ID
		}
		idents, err := tx.Identities(ids)
		if err != nil {
			return err
		}
		for _, row := range page.Rows {
			raw, err := marshal(patient(row.Usager, idents[row.ID]))
			if err != nil {
				return err
			}
			b.Entry = append(b.Entry, fm.BundleEntry{FullUrl: ptr(base + "/Patient/" + row.ID.String()), Resource: raw,
				Search: &fm.BundleEntrySearch{Mode: ptr(fm.SearchEntryModeMatch)}})
		}
		self := c.Request.URL.Query()
		self.Del("_format")
		b.Link = append(b.Link, fm.BundleLink{Relation: "self", Url: base + "/Patient?" + self.Encode()})
		if page.More {
			last := page.Rows[len(page.Rows)-1]
			next := c.Request.URL.Query()
			next.Del("_format")
			next.Set("_cursor", encodeCursor(last.SortKey, last.ID))
			next.Set("_count", strconv.Itoa(count))
			b.Link = append(b.Link, fm.BundleLink{Relation: "next", Url: base + "/Patient?" + next.Encode()})
		}
		return s.trace(c, tx, role, uuid.Nil, domain.SectionAdmin, domain.ActionRead, fmt.Sprintf("recherche Patient (%d résultat(s))", len(b.Entry)))
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, b)
}
