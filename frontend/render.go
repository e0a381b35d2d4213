package frontend

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFiles embed.FS

func staticFS() http.FileSystem {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return http.FS(sub)
}

// view is what every page template receives.
type view struct {
	Title  string
	User   *access.Principal
	CSRF   string
	Nav    string // "usagers" or "admin": highlights the menu
	Admin  bool   // show the administration menu
	Flash  string
	Errors map[string]string // field name → French message
	Unread int               // unread liaison notes (nav badge)
	Data   any
	// On the pages of a record: its allergy banner and the user's running
	// delegations, filled by render from the loaded record.
	Record *record
}

var funcs = template.FuncMap{
	"date":         domain.FrenchDate,
	"inputDate":    domain.FormatDate,
	"datetime":     domain.FrenchDateTime,
	"monthShort":   func(t time.Time) string { return domain.FrenchMonthShort(t) + " " + t.Format("2006") },
	"join":         strings.Join,
	"upper":        strings.ToUpper,
	"sectionLabel": func(s domain.Section) string { return s.Label() },
	"has": func(list []string, v string) bool {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	},
	"query": func(kv ...string) template.URL {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] != "" {
				v.Set(kv[i], kv[i+1])
			}
		}
		return template.URL(v.Encode())
	},
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"legalProtection": domain.LegalProtectionLabel,
	"givenBy":         domain.GivenByLabel,
	"severity":        domain.SeverityLabel,
	"accueilMode":     domain.AccueilModeLabel,
}

// parsePages builds one template set per page: the layout plus the page.
func parsePages() (map[string]*template.Template, error) {
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || base == "partials" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		pages[base] = t
	}
	return pages, nil
}

// render writes page with status, filling the common view fields.
func (a *App) render(c *gin.Context, status int, page string, v view) {
	t, ok := a.pages[page]
	if !ok {
		panic("unknown page template " + page)
	}
	if p := principal(c); p != nil {
		v.User = p
		v.CSRF = p.CSRFToken
		_, _, v.Admin = a.cfg.Authz.CanInAny(p, p.Establishments(), domain.SectionSettings, domain.ActionRead)
		v.Unread = a.liaisonUnread(c, p)
	}
	if r, ok := c.Get("record"); ok {
		if rec, ok := r.(record); ok {
			v.Record = &rec
		}
	}
	if v.Flash == "" {
		v.Flash = flashMessages[c.Query("ok")]
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		a.cfg.Logger.Error("render", "page", page, "err", err)
		c.String(http.StatusInternalServerError, "Erreur d'affichage.")
		c.Abort()
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

func (a *App) errorPage(c *gin.Context, status int, msg string) {
	a.render(c, status, "error", view{Title: http.StatusText(status), Data: map[string]any{"Status": status, "Message": msg}})
	c.Abort()
}

// flashMessages are confirmations shown after a redirect (?ok=key).
var flashMessages = map[string]string{
	"client-revoque": "Le client de l'API est révoqué : ses jetons ne fonctionnent plus.",
	"medical":        "Le dossier médical a été mis à jour.",
	"dlu":            "Le DLU a été mis à jour.",
	"dmp-envoi":      "Le DLU part vers le DMP : son état s'affiche ci-dessous (en attente, puis envoyé ou refusé avec le motif).",
	"dmp-retrait":    "Le retrait du document est demandé au DMP.",
	"dmp-document":   "Le document part vers le DMP : son état s'affiche ci-dessous.",
	"compte-rendu":   "Le compte rendu a été enregistré.",
	"delegation":     "La section est ouverte par délégation ; chaque consultation est tracée et visible de la direction.",
	"delegation-fin": "La délégation est terminée.",
	"cree":           "Le dossier a été créé.",
	"identite":       "L'identité a été enregistrée.",
	"sejour":         "La pré-admission a été enregistrée.",
	"admis":          "L'admission a été enregistrée.",
	"sortie":         "La sortie a été enregistrée.",
	"contact":        "L'entourage a été mis à jour.",
	"consent":        "Le consentement a été enregistré.",
	"retrait":        "Le retrait du consentement a été enregistré.",
	"note":           "La note a été ajoutée.",
	"valide":         "La note a été validée.",
	"utilisateur":    "Le compte a été enregistré.",
	"roles":          "La matrice des droits a été enregistrée.",
	"motdepasse":     "Le mot de passe a été changé.",
	"fusion":         "Les deux dossiers ont été fusionnés.",
	"piece":          "La vérification de l'identité a été enregistrée.",
	"attribut":       "L'attribut de l'identité a été mis à jour.",
	"ins":            "L'INS a été enregistrée.",
	"evenement":      "L'événement a été enregistré.",
	"presences":      "Le registre de présence a été enregistré.",
	"projet":         "Le projet personnalisé a été mis à jour.",
	"revision":       "Une nouvelle version du projet a été préparée ; la version en cours le reste jusqu'à son démarrage.",
	"distincts":      "Les deux dossiers sont enregistrés comme deux personnes différentes.",
	"alias":          "Le dossier demandé a été fusionné avec celui-ci.",
	// Coordination: opening settings, staff meetings.
	"ouverture":     "Les jours d'ouverture ont été enregistrés.",
	"fermeture":     "La période de fermeture a été enregistrée.",
	"fermeture-del": "La période de fermeture a été supprimée.",
	"reunion":       "La réunion a été enregistrée.",
	"reunion-annul": "La réunion a été annulée.",
	// Targeted notes (transmissions ciblées).
	"transmission": "La transmission ciblée a été enregistrée.",
	"resultat":     "Le résultat a été noté.",
	"cloture":      "La cible a été close.",
	// Care plan, daily checklist and rounds.
	"soin":       "Le soin a été noté.",
	"correction": "La correction du soin a été enregistrée ; l'état précédent reste consultable.",
	"acte":       "L'acte de soins a été ajouté au plan de soins.",
	"arret":      "L'acte de soins a été arrêté ; son historique reste consultable.",
	"tournee":    "La tournée a été enregistrée.",
	// Observations (constantes).
	"constantes": "Les constantes ont été enregistrées.",
	"erronee":    "La valeur a été marquée comme saisie erronée ; elle reste dans l'historique.",
	// Medication
	"prescription":     "La prescription a été enregistrée.",
	"arret-traitement": "La prescription a été arrêtée.",
	"administration":   "L'administration a été tracée dans le registre.",
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
