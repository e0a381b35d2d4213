package insi

import (
	"context"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/domain/ins"
)

// Service adapts the client to domain.INSiService.
type Service struct {
	client    *Client
	simulated bool
}

var _ domain.INSiService = (*Service)(nil)

// NewService wraps c; simulated says answers come from the test peer.
func NewService(c *Client, simulated bool) *Service { return &Service{client: c, simulated: simulated} }

// Simulated reports whether answers come from the built-in test table.
func (s *Service) Simulated() bool { return s.simulated }

// SearchByTraits runs the widening search by traits.
func (s *Service) SearchByTraits(ctx context.Context, q domain.INSiTraitsQuery) (domain.INSiResult, error) {
	r, err := s.client.SearchByTraits(ctx, TraitsQuery{BirthName: q.BirthName, FirstNames: q.FirstNames, Sex: string(q.Sex),
		BirthDate: q.BirthDate, BirthPlaceCode: q.BirthPlaceCode})
	return toDomain(r), err
}

// SearchByCarteVitale searches with the card's data.
func (s *Service) SearchByCarteVitale(ctx context.Context, q domain.INSiVitaleQuery) (domain.INSiResult, error) {
	r, err := s.client.SearchByCarteVitale(ctx, VitaleQuery{HolderNIR: q.HolderNIR, HolderKey: q.HolderKey,
		BeneficiaryNIR: q.BeneficiaryNIR, BeneficiaryKey: q.BeneficiaryKey, BirthName: q.BirthName, BirthDate: q.BirthDate, BirthRank: q.BirthRank})
	return toDomain(r), err
}

func toDomain(r Result) domain.INSiResult {
	out := domain.INSiResult{Code: r.Code, Message: r.Message()}
	for _, a := range r.Attempts {
		out.Attempts = append(out.Attempts, a.Description())
	}
	if r.Identity != nil {
		id := r.Identity
		d := domain.INSiIdentity{INS: ins.Matricule{Number: id.NIR, Key: id.Key, OID: id.OID}, BirthName: id.BirthName,
			FirstNames: id.FirstNames, Sex: id.Sex, BirthDate: id.BirthDate, BirthPlaceCode: id.BirthPlaceCode}
		for _, p := range id.PastINS {
			d.PastINS = append(d.PastINS, ins.Matricule{Number: p.NIR, Key: p.Key, OID: p.OID})
		}
		out.Identity = &d
	}
	return out
}
