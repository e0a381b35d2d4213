package fhir

import (
	"bytes"
	"encoding/json"
)

// marshal writes v without HTML escaping ("<", ">" and "&" stay as they
// are: the content type is JSON, not HTML).
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

func ptr[T any](v T) *T { return &v }
