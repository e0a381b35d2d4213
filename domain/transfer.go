package domain

// TransferTx holds what the national DUI transfer (TDDUI) needs beyond the
// record's own repositories: the link between an imported bundle's
// resources and the records they became, so a second import creates nothing.
type TransferTx interface{}
