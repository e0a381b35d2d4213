package domain

// TargetedNoteTx stores targeted notes (transmissions ciblées).
type TargetedNoteTx interface{}
