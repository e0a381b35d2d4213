package domain

// DMPTx holds the documents sent to the person's DMP and the outbox that
// carries them.
type DMPTx interface{}
