package domain

// DMPOutboxTx holds the DMP outbox: documents decided to be sent, claimed
// by a worker, retried, and their final state.
type DMPOutboxTx interface{}
