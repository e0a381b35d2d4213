package demo

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// createCareFile fills the care and medical file of the demo people: each
// feature adds its part (targeted notes, observations, care plan,
// medication, medical section).
func createCareFile(tx *store.Tx, spec orgSpec, estIDs map[string]uuid.UUID, users map[string]domain.User, today time.Time) error {
	steps := []struct {
		name string
		fn   func(*store.Tx, orgSpec, map[string]uuid.UUID, map[string]domain.User, time.Time) error
	}{
		{"targeted notes", createTargetedNotes},
		{"observations", createObservations},
		{"care plan", createCarePlans},
		{"medication", createMedication},
		{"medical section", createMedicalFile},
		{"DLU", createDLU},
	}
	for _, s := range steps {
		if err := s.fn(tx, spec, estIDs, users, today); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}
