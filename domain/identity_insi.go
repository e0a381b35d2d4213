package domain

import (
	"context"
	"time"
)

// INSiService looks up a person's INS at the national teleservice. The
// implementation speaks SOAP to INSi (package insi); Simulated says whether
// answers come from the built-in test table, which every screen must say.
type INSiService interface {
	SearchByTraits(ctx context.Context, q INSiTraitsQuery) (INSiResult, error)
	SearchByCarteVitale(ctx context.Context, q INSiVitaleQuery) (INSiResult, error)
	Simulated() bool
}

// INSiTraitsQuery searches by the strict traits.
type INSiTraitsQuery struct {
	BirthName      string
	FirstNames     []string
	Sex            Sex
	BirthDate      time.Time
	BirthPlaceCode string
}

// INSiVitaleQuery searches with the data read from a carte Vitale.
type INSiVitaleQuery struct {
	HolderNIR      string // 13 characters, the card holder's
	HolderKey      string
	BeneficiaryNIR string // the person's own, when the card holds one
	BeneficiaryKey string
	BirthName      string
	BirthDate      string // as on the card (lunar dates allowed)
	BirthRank      int
}

// INSi answer codes.
const (
	INSiFound    = "00"
	INSiNotFound = "01"
	INSiSeveral  = "02"
)

// INSiResult is the outcome of a search: the code, its French message, the
// identity for a 00, and the French description of each call made.
type INSiResult struct {
	Code     string
	Message  string
	Identity *INSiIdentity
	Attempts []string
}

// INSiQueryFromUsager builds the traits query of a record.
func INSiQueryFromUsager(u Usager) INSiTraitsQuery {
	return INSiTraitsQuery{BirthName: u.BirthName, FirstNames: u.FirstNames, Sex: u.Sex, BirthDate: u.BirthDate, BirthPlaceCode: u.BirthPlaceCode}
}
