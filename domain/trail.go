package domain

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"time"

	"github.com/google/uuid"
)

// trailHashVersion names the encoding below. It is hashed first so that a
// future change of encoding cannot produce the same bytes as this one.
const trailHashVersion = "relais-trail-v1"

// NormalTrailTime is the form in which a trail time is stored and hashed:
// UTC, truncated to the microsecond PostgreSQL keeps, so the hash computed
// before the insert equals the one recomputed from the stored row.
func NormalTrailTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// ChainHash is the hash of e chained to prev, the hash of the organisation's
// previous entry (empty for the first one). It covers every field but Seq
// (assigned by the database after the hash is computed) and the stored hashes
// themselves; each field is length-prefixed so that moving bytes from one
// field to the next changes the hash.
func (e TrailEntry) ChainHash(prev []byte) []byte {
	h := sha256.New()
	writeField(h, []byte(trailHashVersion))
	writeField(h, prev)
	for _, s := range []string{
		e.OrgID.String(),
		NormalTrailTime(e.At).Format(time.RFC3339Nano),
		e.UserID.String(),
		e.Username,
		e.Role,
		e.EstablishmentID.String(),
		e.UsagerID.String(),
		string(e.Section),
		string(e.Action),
		e.Detail,
	} {
		writeField(h, []byte(s))
	}
	return h.Sum(nil)
}

func writeField(h hash.Hash, b []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	h.Write(n[:]) // a hash.Hash never returns an error
	h.Write(b)
}

// TrailBrokenError reports the first trail entry whose chain does not hold:
// the row was altered, or a row before it was removed.
type TrailBrokenError struct {
	OrgID  uuid.UUID
	Seq    int64
	Reason string
}

func (e *TrailBrokenError) Error() string {
	return fmt.Sprintf("access trail of organisation %s broken at seq %d: %s", e.OrgID, e.Seq, e.Reason)
}

// VerifyChain checks that entries, consecutive entries of one organisation in
// seq order, each point to the previous hash (prev for the first one; empty
// when entries start the chain) and that each stored hash matches the
// entry's content. It returns a *TrailBrokenError for the first entry that
// fails, nil otherwise.
func VerifyChain(entries []TrailEntry, prev []byte) error {
	for _, e := range entries {
		if !bytes.Equal(e.PrevHash, prev) {
			reason := "previous hash does not match the previous entry (an entry before it was removed or altered)"
			if len(prev) == 0 {
				reason = "first entry does not start the chain (earlier entries were removed)"
			}
			return &TrailBrokenError{OrgID: e.OrgID, Seq: e.Seq, Reason: reason}
		}
		if !bytes.Equal(e.ChainHash(prev), e.Hash) {
			return &TrailBrokenError{OrgID: e.OrgID, Seq: e.Seq, Reason: "content does not match its hash (the entry was altered)"}
		}
		prev = e.Hash
	}
	return nil
}
