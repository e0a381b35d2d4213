package domain

import "fmt"

// DMPTx holds the documents sent to the person's DMP and the outbox that
// carries them, and the data of the EHPAD emergency liaison document (DLU).
type DMPTx interface {
	DLUTx
}

// IdentityNotQualifiedError is returned when a document meant for the DMP
// (or any national exchange) is built for an identity that is not QUAL:
// without a qualified INS nothing may be produced (RNIV, CI-SIS).
type IdentityNotQualifiedError struct {
	Status IdentityStatus
}

func (e *IdentityNotQualifiedError) Error() string {
	return fmt.Sprintf("identité non qualifiée (%s) : un document pour le DMP ne peut être produit qu'avec une identité qualifiée (INS vérifiée et pièce d'identité contrôlée)", e.Status.Label())
}
