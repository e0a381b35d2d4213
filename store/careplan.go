package store

// carePlanTables hold rows of a usager (moved on a merge).
var carePlanTables = []string{}
