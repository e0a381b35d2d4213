package fhir_test

import (
	"os"
	"testing"

	"github.com/relais-dui/relais/internal/testpg"
)

func TestMain(m *testing.M) { os.Exit(testpg.Run(m)) }
