package store

// medicalTables hold rows of a usager (moved on a merge).
var medicalTables = []string{}
