package domain

// MedicalTx stores the medical section and delegations (bris de glace).
type MedicalTx interface{}
