package frontend

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

// Identitovigilance screens: the organisation's possible duplicates, the
// merge of two records of one person, and "two different people".

func (a *App) registerIdentityAdmin(read, write *gin.RouterGroup) {
	read.GET("/identitovigilance", a.duplicates)
	write.GET("/identitovigilance/fusion", a.mergeForm)
	write.POST("/identitovigilance/fusion", a.merge)
	write.POST("/identitovigilance/distincts", a.markDistinct)
}

type duplicatesData struct {
	Pairs    []domain.DuplicatePair
	CanWrite bool
}

func (a *App) duplicates(c *gin.Context) {
	p := principal(c)
	var d duplicatesData
	_, _, d.CanWrite = a.cfg.Authz.CanInAny(p, p.Establishments(), domain.SectionSettings, domain.ActionWrite)
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		d.Pairs, err = tx.DuplicatePairs(200)
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, http.StatusOK, "admin_duplicates", view{Title: "Identitovigilance", Nav: "admin", Data: d})
}

type mergeSide struct {
	Usager domain.Usager
	Stays  []stayView
	Counts map[string]int
}

type mergeData struct {
	Kept, Merged mergeSide
}

// mergeForm shows both records side by side before the merge.
func (a *App) mergeForm(c *gin.Context) {
	kept, okK := parseID(c.Query("garder"))
	merged, okM := parseID(c.Query("fusionner"))
	if !okK || !okM {
		a.errorPage(c, http.StatusNotFound, "Choisissez les deux dossiers à fusionner depuis la liste des doublons possibles.")
		return
	}
	a.showMerge(c, http.StatusOK, kept, merged, nil)
}

func (a *App) showMerge(c *gin.Context, status int, kept, merged uuid.UUID, errs map[string]string) {
	var d mergeData
	err := a.inTenant(c, func(tx domain.Tx) error {
		var err error
		if d.Kept, err = a.mergeSide(c, tx, kept); err != nil {
			return err
		}
		d.Merged, err = a.mergeSide(c, tx, merged)
		return err
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, status, "admin_merge", view{Title: "Fusion de dossiers", Nav: "admin", Errors: errs, Data: d})
}

func (a *App) mergeSide(c *gin.Context, tx domain.Tx, id uuid.UUID) (mergeSide, error) {
	u, err := tx.Usager(id)
	if err != nil {
		return mergeSide{}, err
	}
	if u.MergedInto != uuid.Nil {
		return mergeSide{}, fmt.Errorf("usager %s already merged: %w", id, domain.ErrNotFound)
	}
	s := mergeSide{Usager: u, Counts: map[string]int{}}
	stays, err := tx.Stays(id)
	if err != nil {
		return s, err
	}
	estabs, err := tx.Establishments()
	if err != nil {
		return s, err
	}
	names := map[uuid.UUID]string{}
	for _, e := range estabs {
		names[e.ID] = e.Name
	}
	for _, st := range stays {
		s.Stays = append(s.Stays, stayView{Stay: st, Establishment: names[st.EstablishmentID]})
	}
	contacts, err := tx.Contacts(id)
	if err != nil {
		return s, err
	}
	consents, err := tx.Consents(id)
	if err != nil {
		return s, err
	}
	s.Counts["entourage"], s.Counts["consentements"] = len(contacts), len(consents)
	for _, sec := range domain.RecordSections {
		notes, err := tx.Notes(id, sec)
		if err != nil {
			return s, err
		}
		s.Counts["notes"] += len(notes)
	}
	return s, nil
}

// merge moves everything of the merged record to the kept one, in one
// transaction with the trail rows of both records.
func (a *App) merge(c *gin.Context) {
	kept, okK := parseID(c.PostForm("kept"))
	merged, okM := parseID(c.PostForm("merged"))
	if !okK || !okM {
		a.errorPage(c, http.StatusNotFound, "Dossiers à fusionner introuvables.")
		return
	}
	g := settingsGrant(c)
	err := a.inTenant(c, func(tx domain.Tx) error {
		res, err := tx.MergeUsagers(kept, merged)
		if err != nil {
			return err
		}
		var moved []string
		tables := make([]string, 0, len(res.Moved))
		for t := range res.Moved {
			tables = append(tables, t)
		}
		sort.Strings(tables)
		for _, t := range tables {
			moved = append(moved, fmt.Sprintf("%s : %d", t, res.Moved[t]))
		}
		p := principal(c)
		if err := access.Trace(tx, p, g.Role, g.Estab, kept, domain.SectionAdmin, domain.ActionWrite,
			"fusion : le dossier "+merged.String()+" est rattaché à celui-ci ("+strings.Join(moved, ", ")+")"); err != nil {
			return err
		}
		return access.Trace(tx, p, g.Role, g.Estab, merged, domain.SectionAdmin, domain.ActionWrite, "fusion : dossier rattaché au dossier "+kept.String())
	})
	if v, ok := domain.AsValidation(err); ok {
		a.showMerge(c, http.StatusUnprocessableEntity, kept, merged, v.Fields)
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/identitovigilance?ok=fusion")
}

func (a *App) markDistinct(c *gin.Context) {
	x, okA := parseID(c.PostForm("a"))
	y, okB := parseID(c.PostForm("b"))
	if !okA || !okB {
		a.errorPage(c, http.StatusNotFound, "Dossiers introuvables.")
		return
	}
	g := settingsGrant(c)
	p := principal(c)
	err := a.inTenant(c, func(tx domain.Tx) error {
		if err := tx.MarkDistinct(x, y, p.UserID); err != nil {
			return err
		}
		for _, pair := range [][2]uuid.UUID{{x, y}, {y, x}} {
			if err := access.Trace(tx, p, g.Role, g.Estab, pair[0], domain.SectionAdmin, domain.ActionWrite,
				"identitovigilance : personne distincte du dossier "+pair[1].String()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/identitovigilance?ok=distincts")
}
