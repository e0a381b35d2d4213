package store

// observationTables hold rows of a usager (moved on a merge).
var observationTables = []string{}
