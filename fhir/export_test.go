package fhir

// ValidateFHIR lets the external tests check every answer of the API
// against the official schema.
var ValidateFHIR = validateFHIR
