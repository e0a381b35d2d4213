package domain

// ObservationTx stores observations (constantes).
type ObservationTx interface{}
