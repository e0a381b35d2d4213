package domain

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
)

func sampleEntry() TrailEntry {
	return TrailEntry{
		Seq: 7, OrgID: uuid.MustParse("0190a000-0000-7000-8000-000000000001"),
		At:     time.Date(2026, 1, 2, 3, 4, 5, 6007, time.UTC),
		UserID: uuid.MustParse("0190a000-0000-7000-8000-000000000002"), Username: "ide", Role: "infirmier",
		Section: SectionCare, Action: ActionRead, Detail: "transmissions",
	}
}

func TestChainHashCoversEveryFieldButSeq(t *testing.T) {
	prev := []byte("previous")
	base := sampleEntry().ChainHash(prev)
	if len(base) != 32 {
		t.Fatalf("hash of %d bytes, want 32", len(base))
	}
	same := []struct {
		name   string
		change func(*TrailEntry)
	}{
		{"seq", func(e *TrailEntry) { e.Seq = 99 }},
		{"time zone", func(e *TrailEntry) { e.At = e.At.In(time.FixedZone("CET", 3600)) }},
		{"nanoseconds below the microsecond", func(e *TrailEntry) { e.At = e.At.Add(900) }},
		{"stored hashes", func(e *TrailEntry) { e.PrevHash, e.Hash = []byte("x"), []byte("y") }},
	}
	for _, tt := range same {
		e := sampleEntry()
		tt.change(&e)
		if !bytes.Equal(e.ChainHash(prev), base) {
			t.Errorf("changing %s changed the hash", tt.name)
		}
	}
	differs := []struct {
		name   string
		change func(*TrailEntry)
	}{
		{"org", func(e *TrailEntry) { e.OrgID = uuid.New() }},
		{"time", func(e *TrailEntry) { e.At = e.At.Add(time.Microsecond) }},
		{"user", func(e *TrailEntry) { e.UserID = uuid.New() }},
		{"username", func(e *TrailEntry) { e.Username = "ide2" }},
		{"role", func(e *TrailEntry) { e.Role = "medecin" }},
		{"establishment", func(e *TrailEntry) { e.EstablishmentID = uuid.New() }},
		{"usager", func(e *TrailEntry) { e.UsagerID = uuid.New() }},
		{"section", func(e *TrailEntry) { e.Section = SectionMedical }},
		{"action", func(e *TrailEntry) { e.Action = ActionWrite }},
		{"detail", func(e *TrailEntry) { e.Detail = "x" }},
		// Length prefixes: moving a character between adjacent fields shows.
		{"boundary between username and role", func(e *TrailEntry) { e.Username, e.Role = "idei", "nfirmier" }},
	}
	for _, tt := range differs {
		e := sampleEntry()
		tt.change(&e)
		if bytes.Equal(e.ChainHash(prev), base) {
			t.Errorf("changing %s left the hash unchanged", tt.name)
		}
	}
	if bytes.Equal(sampleEntry().ChainHash(nil), base) {
		t.Error("the previous hash is not covered")
	}
}

func TestVerifyChain(t *testing.T) {
	var chain []TrailEntry
	var prev []byte
	for i, d := range []string{"a", "b", "c"} {
		e := sampleEntry()
		e.Seq, e.Detail, e.PrevHash = int64(i+1), d, prev
		e.Hash = e.ChainHash(prev)
		chain = append(chain, e)
		prev = e.Hash
	}
	if err := VerifyChain(chain, nil); err != nil {
		t.Fatalf("intact chain: %v", err)
	}
	if err := VerifyChain(chain[1:], chain[0].Hash); err != nil {
		t.Errorf("chain verified from its middle: %v", err)
	}
	tests := []struct {
		name    string
		entries func() []TrailEntry
		seq     int64
	}{
		{"altered", func() []TrailEntry {
			c := append([]TrailEntry(nil), chain...)
			c[1].Detail = "x"
			return c
		}, 2},
		{"middle removed", func() []TrailEntry { return []TrailEntry{chain[0], chain[2]} }, 3},
		{"first removed", func() []TrailEntry { return chain[1:] }, 2},
	}
	for _, tt := range tests {
		err := VerifyChain(tt.entries(), nil)
		var broken *TrailBrokenError
		if !errors.As(err, &broken) || broken.Seq != tt.seq {
			t.Errorf("%s: error = %v, want TrailBrokenError at seq %d", tt.name, err, tt.seq)
		}
	}
}
