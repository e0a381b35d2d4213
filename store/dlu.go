package store

import (
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// dluTables hold rows of a usager (moved on a merge).
var dluTables = []string{"dlu_info"}

// DLUInfo reads the latest DLU data of a usager; none yet gives a zero
// DLUInfo for the usager.
func (tx *Tx) DLUInfo(usager uuid.UUID) (domain.DLUInfo, error) {
	d := domain.DLUInfo{UsagerID: usager, States: map[domain.PatientState]bool{}}
	var girDate sql.NullTime
	var devices, states, directives, palliative, bmr string
	err := tx.g.Raw(`SELECT gir, gir_date, array_to_string(devices, ','), devices_other, directives, directives_at, palliative,
		array_to_string(states, ','), states_checked, bmr, bmr_detail, hospital_name, hospital_finess, hospital_phone,
		gp_name, gp_rpps, gp_phone, nurse_phone, coord_doctor_name, coord_doctor_phone, comment,
		updated_at, updated_by, updated_by_name
		FROM dlu_info WHERE usager_id = ? ORDER BY updated_at DESC, id LIMIT 1`, usager).Row().Scan(
		&d.GIR, &girDate, &devices, &d.DevicesOther, &directives, &d.DirectivesAt, &palliative,
		&states, &d.StatesChecked, &bmr, &d.BMRDetail, &d.HospitalName, &d.HospitalFINESS, &d.HospitalPhone,
		&d.GPName, &d.GPRPPS, &d.GPPhone, &d.NursePhone, &d.CoordDoctorName, &d.CoordDoctorPhone, &d.Comment,
		&d.UpdatedAt, &d.UpdatedBy, &d.UpdatedByName)
	if errors.Is(err, sql.ErrNoRows) {
		return d, nil
	}
	if err != nil {
		return d, mapSQL("read DLU data", err)
	}
	d.GIRDate = girDate.Time
	d.Directives, d.Palliative, d.BMR = domain.YesNo(directives), domain.YesNo(palliative), domain.YesNo(bmr)
	for _, s := range splitList(devices) {
		d.Devices = append(d.Devices, domain.Device(s))
	}
	for _, s := range splitList(states) {
		d.States[domain.PatientState(s)] = true
	}
	return d, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// SaveDLUInfo records a new version of the usager's DLU data.
func (tx *Tx) SaveDLUInfo(d *domain.DLUInfo) error {
	if d.UpdatedAt.IsZero() {
		d.UpdatedAt = time.Now()
	}
	devices := make([]string, len(d.Devices))
	for i, x := range d.Devices {
		devices[i] = string(x)
	}
	var states []string
	for _, g := range domain.StateGroups {
		for _, s := range g.States {
			if d.States[s] {
				states = append(states, string(s))
			}
		}
	}
	return mapErr("save DLU data", tx.g.Exec(`INSERT INTO dlu_info (id, org_id, usager_id, gir, gir_date, devices, devices_other,
		directives, directives_at, palliative, states, states_checked, bmr, bmr_detail, hospital_name, hospital_finess,
		hospital_phone, gp_name, gp_rpps, gp_phone, nurse_phone, coord_doctor_name, coord_doctor_phone, comment,
		updated_at, updated_by, updated_by_name)
		VALUES (?, ?, ?, ?, ?, string_to_array(?, ','), ?, ?, ?, ?, string_to_array(?, ','), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		NewID(), tx.Org, d.UsagerID, d.GIR, dateArg(d.GIRDate), strings.Join(devices, ","), d.DevicesOther,
		string(d.Directives), d.DirectivesAt, string(d.Palliative), strings.Join(states, ","), d.StatesChecked, string(d.BMR), d.BMRDetail,
		d.HospitalName, d.HospitalFINESS, d.HospitalPhone, d.GPName, d.GPRPPS, d.GPPhone, d.NursePhone,
		d.CoordDoctorName, d.CoordDoctorPhone, d.Comment, d.UpdatedAt.UTC(), d.UpdatedBy, d.UpdatedByName).Error)
}
