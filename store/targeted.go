package store

// targetedTables hold rows of a usager (moved on a merge).
var targetedTables = []string{}
