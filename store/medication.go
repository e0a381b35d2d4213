package store

// medicationTables hold rows of a usager (moved on a merge).
var medicationTables = []string{}
