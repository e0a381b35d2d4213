package domain

// MedicationTx stores prescriptions and the administration register.
type MedicationTx interface{}
