package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relais-dui/relais/dmp/xds"
)

func TestDMPSimulationAcceptsDocuments(t *testing.T) {
	client, src, err := dmpClient(DMPConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	doc, err := os.ReadFile(filepath.Join("..", "dmp", "xds", "testdata", "cda_v1.xml"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := xds.NewSubmission(src, xds.Document{CDA: doc, ClassCode: xds.Code{Code: "11", CodeSystem: "1.2.250.1.213.1.1.4.1", DisplayName: "Compte rendu"},
		FormatCode: xds.FormatPDF}, xds.NewSubmissionID(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Provide(context.Background(), xds.Actor{SubjectID: "demo"}, s); err != nil {
		t.Fatalf("simulation refused: %v", err)
	}
	if err := client.Provide(context.Background(), xds.Actor{SubjectID: "demo"}, s); err == nil || !strings.Contains(err.Error(), "déjà enregistré") {
		t.Errorf("second send: %v", err)
	}
}

func TestDMPRealModeNeedsCertificate(t *testing.T) {
	if _, _, err := dmpClient(DMPConfig{RepositoryURL: "https://dmp.example/"}); err == nil {
		t.Error("a real DMP without certificate was accepted")
	}
}
