package domain

// CarePlanTx stores the care plan (plan de soins) and SSIAD rounds.
type CarePlanTx interface{}
