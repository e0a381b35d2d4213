package fhir

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// TestReferenceDoc keeps docs/fhir-reference.md equal to what the
// CapabilityStatement declares: the reference is generated, never edited by
// hand (go test ./fhir -run ReferenceDoc -update rewrites it).
func TestReferenceDoc(t *testing.T) {
	got := referenceDoc(capability("2026-01-01"))
	path := filepath.Join("..", "docs", "fhir-reference.md")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./fhir -run ReferenceDoc -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date with the CapabilityStatement: run go test ./fhir -run ReferenceDoc -update", path)
	}
}

// referenceDoc writes the integrators' reference from the statement.
func referenceDoc(cs fm.CapabilityStatement) []byte {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Référence de l'API FHIR\n\n")
	p("<!-- Généré depuis le CapabilityStatement (GET /fhir/metadata) par `go test ./fhir -run ReferenceDoc -update` : ne pas modifier à la main. -->\n\n")
	p("FHIR %s, `application/fhir+json`. Base : `$BASE/fhir` (par exemple `http://127.0.0.1:8080/fhir`). ", cs.FhirVersion.Code())
	p("Chaque requête porte `Authorization: Bearer $TOKEN` (voir [fhir.md](fhir.md) pour obtenir un jeton) ; ")
	p("la portée nécessaire est `system/<Ressource>.read` pour lire et rechercher, `system/<Ressource>.write` pour créer ou modifier.\n\n")
	rest := cs.Rest[0]
	if rest.Security != nil && rest.Security.Description != nil {
		p("Sécurité : %s\n\n", *rest.Security.Description)
	}
	if len(rest.Interaction) > 0 || len(rest.Operation) > 0 {
		p("## Niveau système\n\n")
		for _, i := range rest.Interaction {
			p("- interaction `%s`", i.Code.Code())
			if i.Documentation != nil {
				p(" : %s", *i.Documentation)
			}
			p("\n")
		}
		for _, o := range rest.Operation {
			p("- opération `$%s` (%s)", o.Name, o.Definition)
			if o.Documentation != nil {
				p(" : %s", *o.Documentation)
			}
			p("\n")
		}
		p("\n")
	}
	p("## Ressources\n\n| Ressource | Interactions | Paramètres de recherche |\n| --- | --- | --- |\n")
	for _, r := range rest.Resource {
		var inter, params []string
		for _, i := range r.Interaction {
			inter = append(inter, i.Code.Code())
		}
		for _, sp := range r.SearchParam {
			params = append(params, "`"+sp.Name+"`")
		}
		p("| [%s](#%s) | %s | %s |\n", r.Type.Code(), strings.ToLower(r.Type.Code()), strings.Join(inter, ", "), strings.Join(params, ", "))
	}
	p("\n")
	for _, r := range rest.Resource {
		typ := r.Type.Code()
		p("### %s\n\n", typ)
		if r.Profile != nil {
			p("Profil : <%s>\n\n", *r.Profile)
		}
		p("```sh\n")
		for _, i := range r.Interaction {
			p("%s\n", curlFor(typ, i.Code, r.SearchParam))
		}
		for _, o := range r.Operation {
			p("curl -s -H \"Authorization: Bearer $TOKEN\" \"$BASE/fhir/%s/<id>/$%s\"\n", typ, o.Name)
		}
		p("```\n\n")
		if len(r.SearchParam) > 0 {
			p("| Paramètre | Type | Description |\n| --- | --- | --- |\n")
			for _, sp := range r.SearchParam {
				doc := ""
				if sp.Documentation != nil {
					doc = strings.NewReplacer("|", `\|`, "<", "&lt;").Replace(*sp.Documentation)
				}
				p("| `%s` | %s | %s |\n", sp.Name, sp.Type.Code(), doc)
			}
			p("\n")
		}
		for _, o := range r.Operation {
			if o.Documentation != nil {
				p("Opération `$%s` : %s\n\n", o.Name, *o.Documentation)
			}
		}
	}
	return append(bytes.TrimRight(b.Bytes(), "\n"), '\n')
}

// curlFor is one example command per interaction.
func curlFor(typ string, i fm.TypeRestfulInteraction, params []fm.CapabilityStatementRestResourceSearchParam) string {
	const auth = `curl -s -H "Authorization: Bearer $TOKEN"`
	const body = ` -H "Content-Type: application/fhir+json" --data @`
	file := strings.ToLower(typ) + ".json"
	switch i {
	case fm.TypeRestfulInteractionRead:
		return fmt.Sprintf("%s $BASE/fhir/%s/<id>", auth, typ)
	case fm.TypeRestfulInteractionVread:
		return fmt.Sprintf("%s $BASE/fhir/%s/<id>/_history/<versionId>", auth, typ)
	case fm.TypeRestfulInteractionHistoryInstance:
		return fmt.Sprintf("%s $BASE/fhir/%s/<id>/_history", auth, typ)
	case fm.TypeRestfulInteractionSearchType:
		q := ""
		for _, sp := range params {
			if !strings.HasPrefix(sp.Name, "_") {
				q = "?" + sp.Name + "=" + exampleValue(sp)
				break
			}
		}
		return fmt.Sprintf("%s \"$BASE/fhir/%s%s\"", auth, typ, q)
	case fm.TypeRestfulInteractionCreate:
		return fmt.Sprintf("%s -X POST%s%s $BASE/fhir/%s", auth, body, file, typ)
	case fm.TypeRestfulInteractionUpdate:
		return fmt.Sprintf("%s -X PUT -H 'If-Match: W/\"<versionId>\"'%s%s $BASE/fhir/%s/<id>", auth, body, file, typ)
	}
	return fmt.Sprintf("# %s : voir fhir.md", i.Code())
}

func exampleValue(sp fm.CapabilityStatementRestResourceSearchParam) string {
	switch {
	case sp.Type == fm.SearchParamTypeReference:
		return "Patient/<id>"
	case sp.Type == fm.SearchParamTypeDate:
		return "ge2026-01-01"
	case sp.Name == "identifier":
		return "<système>|<valeur>"
	case sp.Name == "gender":
		return "female"
	}
	return "dupont"
}
