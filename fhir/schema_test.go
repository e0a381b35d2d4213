package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The official FHIR R4 JSON schema, installed under ./var by
// `make install-fhir-schema` (never committed). RELAIS_FHIR_SCHEMA may point
// elsewhere.
const schemaURL = "http://hl7.org/fhir/json-schema/4.0"

type fhirSchema struct {
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	byType   map[string]*jsonschema.Schema
}

// loadSchema reads the schema once per test binary: 3.6 MB of JSON.
var loadSchema = sync.OnceValues(func() (*fhirSchema, error) {
	path := os.Getenv("RELAIS_FHIR_SCHEMA")
	if path == "" {
		path = filepath.Join("..", "var", "fhir-schema", "fhir.schema.json")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("schéma FHIR officiel absent (%w) : lancez `make install-fhir-schema`", err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	// Errata: the R4 schema was generated before the 4.0.1 technical
	// correction, so its FHIRVersion list stops at 4.0.0 and refuses the
	// version every R4 server must declare. Add that one value, nothing else.
	if err := allowFHIRVersion401(doc); err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("add FHIR schema: %w", err)
	}
	return &fhirSchema{compiler: c, byType: map[string]*jsonschema.Schema{}}, nil
})

// validateFHIR checks one resource's JSON against the official FHIR R4
// schema of its resourceType (unknown elements, wrong types, bad codes of
// required bindings, invalid primitives).
func validateFHIR(data []byte) error {
	s, err := loadSchema()
	if err != nil {
		return err
	}
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if head.ResourceType == "" {
		return errors.New("no resourceType")
	}
	s.mu.Lock()
	sch, ok := s.byType[head.ResourceType]
	if !ok {
		sch, err = s.compiler.Compile(schemaURL + "#/definitions/" + head.ResourceType)
		if err != nil {
			s.mu.Unlock()
			return fmt.Errorf("compile schema of %s: %w", head.ResourceType, err)
		}
		s.byType[head.ResourceType] = sch
	}
	s.mu.Unlock()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("read instance: %w", err)
	}
	if err := sch.Validate(inst); err != nil {
		return err
	}
	return oneChoice(inst, "")
}

func allowFHIRVersion401(doc any) error {
	enum, ok := dig(doc, "definitions", "CapabilityStatement", "properties", "fhirVersion", "enum").([]any)
	if !ok {
		return errors.New("FHIR schema: CapabilityStatement.fhirVersion has no enum (schema changed?)")
	}
	for _, v := range enum {
		if v == "4.0.1" {
			return nil
		}
	}
	m := dig(doc, "definitions", "CapabilityStatement", "properties", "fhirVersion").(map[string]any)
	m["enum"] = append(enum, "4.0.1")
	return nil
}

func dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// choiceKey splits a choice element's JSON name (valueQuantity,
// medicationCodeableConcept) into its base and type.
var choiceKey = regexp.MustCompile(`^([a-z][a-zA-Z]*?)(Boolean|Integer|Decimal|String|Uri|Url|Canonical|Base64Binary|Instant|Date|DateTime|Time|Code|Oid|Id|Markdown|UnsignedInt|PositiveInt|Uuid|Quantity|CodeableConcept|Coding|Reference|Period|Range|Ratio|SampledData|Attachment|Identifier|HumanName|Address|ContactPoint|Timing|Signature|Annotation|Age|Duration|Money|Count|Distance|Expression)$`)

// oneChoice checks what the JSON schema cannot: a choice element [x]
// appears under one type only (samply marshals every alternative of some).
func oneChoice(v any, path string) error {
	switch v := v.(type) {
	case map[string]any:
		seen := map[string]string{}
		for k, child := range v {
			if m := choiceKey.FindStringSubmatch(k); m != nil {
				if other, dup := seen[m[1]]; dup {
					return fmt.Errorf("at '%s': choice element %s[x] given twice (%s and %s)", path, m[1], other, k)
				}
				seen[m[1]] = k
			}
			if err := oneChoice(child, path+"/"+k); err != nil {
				return err
			}
		}
	case []any:
		for i, child := range v {
			if err := oneChoice(child, fmt.Sprintf("%s/%d", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// TestSchemaRejectsInvalid proves the validation bites: resources with an
// unknown element, a wrong primitive, a code outside a required binding or
// two alternatives of one choice element are refused; valid ones pass.
func TestSchemaRejectsInvalid(t *testing.T) {
	for _, c := range []struct {
		name, json string
		valid      bool
	}{
		{"minimal patient", `{"resourceType":"Patient","id":"a1","gender":"female","birthDate":"1931-04-12"}`, true},
		{"unknown element", `{"resourceType":"Patient","id":"a1","sexe":"F"}`, false},
		{"bad gender code", `{"resourceType":"Patient","gender":"F"}`, false},
		{"bad date", `{"resourceType":"Patient","birthDate":"12/04/1931"}`, false},
		{"every medication alternative", `{"resourceType":"MedicationRequest","status":"active","intent":"order","subject":{"reference":"Patient/a1"},
			"medicationCodeableConcept":{"text":"Doliprane"},"medicationReference":{}}`, false},
		{"one medication alternative", `{"resourceType":"MedicationRequest","status":"active","intent":"order","subject":{"reference":"Patient/a1"},
			"medicationCodeableConcept":{"text":"Doliprane"}}`, true},
		{"R4 capability statement", `{"resourceType":"CapabilityStatement","status":"active","date":"2026-11-23","kind":"instance","fhirVersion":"4.0.1","format":["json"]}`, true},
		{"unknown FHIR version", `{"resourceType":"CapabilityStatement","status":"active","date":"2026-11-23","kind":"instance","fhirVersion":"4.0.9","format":["json"]}`, false},
		{"observation without code", `{"resourceType":"Observation","status":"final"}`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := validateFHIR([]byte(c.json))
			if c.valid && err != nil {
				t.Fatalf("valid resource refused: %v", err)
			}
			if !c.valid && err == nil {
				t.Fatal("invalid resource accepted")
			}
		})
	}
}
