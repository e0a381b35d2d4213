package domain

// PractitionerTx holds the professionals as partners see them (FHIR
// Practitioner / PractitionerRole): national identifiers and roles.
type PractitionerTx interface{}
