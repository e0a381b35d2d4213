package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// DLU data: none yet reads as an empty DLUInfo; a save round-trips every
// field; the latest save wins and the older stays stored; another
// organisation reads nothing.
func TestDLUInfoStore(t *testing.T) {
	f := newFixture(t)
	u := observationUsager(t, f, "Liaison")
	by := store.NewID()
	f.tx(t, func(tx *store.Tx) error {
		d, err := tx.DLUInfo(u.ID)
		if err != nil {
			return err
		}
		if d.UsagerID != u.ID || d.GIR != 0 || len(d.Missing()) != 7 {
			t.Errorf("empty DLU: %+v, missing %q", d, d.Missing())
		}
		return nil
	})
	in := domain.DLUInput{GIR: "3", GIRDate: "2026-01-10", Devices: []string{"oxygene", "pacemaker"}, DevicesOther: "Matelas",
		Directives: "oui", DirectivesAt: "Bureau infirmier", Palliative: "non", States: []string{"chutes", "deficit_auditif"},
		BMR: "non", HospitalName: "HEH", HospitalFINESS: "690781810", HospitalPhone: "04 72 11 00 00",
		GPName: "Dr Bernard", GPRPPS: "10001234565", GPPhone: "04 78 12 34 56", NursePhone: "04 78 00 00 02",
		CoordDoctorName: "Dr Martin", CoordDoctorPhone: "04 78 00 00 03", Comment: "Parler fort."}
	first, err := in.Parse(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	first.UsagerID, first.UpdatedBy, first.UpdatedByName = u.ID, by, "IDE Test"
	first.UpdatedAt = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	f.tx(t, func(tx *store.Tx) error { return tx.SaveDLUInfo(&first) })
	f.tx(t, func(tx *store.Tx) error {
		got, err := tx.DLUInfo(u.ID)
		if err != nil {
			return err
		}
		// Devices and states come back in display order; a state ticked
		// means the state was filled in.
		want := in
		want.Devices, want.States, want.StatesChecked = []string{"pacemaker", "oxygene"}, []string{"deficit_auditif", "chutes"}, true
		if !reflect.DeepEqual(got.Input(), want) {
			t.Errorf("read back:\n got %+v\nwant %+v", got.Input(), want)
		}
		if len(got.Missing()) != 0 || got.UpdatedByName != "IDE Test" || !got.UpdatedAt.Equal(first.UpdatedAt) {
			t.Errorf("read back: %+v missing %q", got, got.Missing())
		}
		return nil
	})
	second := first
	second.GIR, second.UpdatedAt = 2, first.UpdatedAt.Add(time.Hour)
	f.tx(t, func(tx *store.Tx) error { return tx.SaveDLUInfo(&second) })
	f.tx(t, func(tx *store.Tx) error {
		got, err := tx.DLUInfo(u.ID)
		if got.GIR != 2 {
			t.Errorf("latest save not read: GIR %d", got.GIR)
		}
		var n int
		if err := tx.Gorm().Raw(`SELECT count(*) FROM dlu_info WHERE usager_id = ?`, u.ID).Row().Scan(&n); err != nil || n != 2 {
			t.Errorf("versions kept: %d (%v)", n, err)
		}
		return err
	})
	err = f.db.InTenant(context.Background(), uuid.New(), func(tx *store.Tx) error {
		got, err := tx.DLUInfo(u.ID)
		if got.GIR != 0 || got.HospitalName != "" {
			t.Errorf("another organisation reads the DLU: %+v", got)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
