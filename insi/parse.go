package insi

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// Wire shapes of an answer. Every element is matched with its namespace so a
// look-alike document (SOAP 1.1, another service) is not taken for a result.
type respEnvelope struct {
	XMLName xml.Name `xml:"http://www.w3.org/2003/05/soap-envelope Envelope"`
	Body    struct {
		Fault    *respFault    `xml:"http://www.w3.org/2003/05/soap-envelope Fault"`
		Resultat *respResultat `xml:"http://www.cnamts.fr/INSiResultat RESULTAT"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Body"`
}

type respFault struct {
	Code struct {
		Value   string `xml:"http://www.w3.org/2003/05/soap-envelope Value"`
		Subcode struct {
			Value string `xml:"http://www.w3.org/2003/05/soap-envelope Value"`
		} `xml:"http://www.w3.org/2003/05/soap-envelope Subcode"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Code"`
	Reason struct {
		Texts []struct {
			Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
			Text string `xml:",chardata"`
		} `xml:"http://www.w3.org/2003/05/soap-envelope Text"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Reason"`
	Detail struct {
		Erreur *struct {
			Code     string `xml:"code,attr"`
			Severite string `xml:"severite,attr"`
			Text     string `xml:",chardata"`
		} `xml:"urn:siram Erreur"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Detail"`
}

type respMatricule struct {
	NumIdentifiant string `xml:"http://www.cnamts.fr/INSiResultat NumIdentifiant"`
	Cle            string `xml:"http://www.cnamts.fr/INSiResultat Cle"`
}

type respINS struct {
	IdIndividu *respMatricule `xml:"http://www.cnamts.fr/INSiResultat IdIndividu"`
	OID        string         `xml:"http://www.cnamts.fr/INSiResultat OID"`
}

type respResultat struct {
	CR *struct {
		CodeCR    string `xml:"http://www.cnamts.fr/INSiResultat CodeCR"`
		LibelleCR string `xml:"http://www.cnamts.fr/INSiResultat LibelleCR"`
	} `xml:"http://www.cnamts.fr/INSiResultat CR"`
	Individu *struct {
		Actif *respINS  `xml:"http://www.cnamts.fr/INSiResultat INSACTIF"`
		Histo []respINS `xml:"http://www.cnamts.fr/INSiResultat INSHISTO"`
		TIQ   *struct {
			NomNaissance  string `xml:"http://www.cnamts.fr/INSiResultat NomNaissance"`
			Prenom        string `xml:"http://www.cnamts.fr/INSiResultat Prenom"`
			ListePrenom   string `xml:"http://www.cnamts.fr/INSiResultat ListePrenom"`
			Sexe          string `xml:"http://www.cnamts.fr/INSiResultat Sexe"`
			DateNaissance string `xml:"http://www.cnamts.fr/INSiResultat DateNaissance"`
			LieuNaissance string `xml:"http://www.cnamts.fr/INSiResultat LieuNaissance"`
		} `xml:"http://www.cnamts.fr/INSiResultat TIQ"`
	} `xml:"http://www.cnamts.fr/INSiResultat INDIVIDU"`
}

// Shapes the contract gives (INSi_RESULTAT_INS.xsd patterns).
var (
	reMatricule = regexp.MustCompile(`^[0-9]{6}[0-9AB][0-9]{6}$`)
	reKey       = regexp.MustCompile(`^[0-9]{2}$`)
	reOID       = regexp.MustCompile(`^[0-2](\.[0-9]+)+$`)
	reDate      = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	reCOG       = regexp.MustCompile(`^[0-9][0-9AB][0-9]{3}$`)
)

// answer is a decoded RESULTAT. Error messages below never quote traits or
// matricules: they end up in logs.
type answer struct {
	code     string
	label    string
	identity *Identity
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w : %s", ErrMalformedResponse, fmt.Sprintf(format, args...))
}

// decodeEnvelope reads a SOAP 1.2 envelope. It refuses a DTD (SOAP 1.2
// forbids one, and it is the vector of entity tricks) and relies on
// encoding/xml, which neither fetches nor expands entities.
func decodeEnvelope(body []byte) (*respEnvelope, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, malformed("document vide")
			}
			return nil, malformed("XML invalide : %v", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, malformed("déclaration DTD interdite dans un message SOAP")
		case xml.StartElement:
			var env respEnvelope
			if err := d.DecodeElement(&env, &t); err != nil {
				return nil, malformed("enveloppe SOAP 1.2 attendue : %v", err)
			}
			return &env, nil
		}
	}
}

// parseResponse turns an HTTP answer into a result or an error: a SOAP fault
// wins whatever the status (the service sends faults with HTTP 500), a result
// needs a 2xx status.
func parseResponse(status int, statusText string, body []byte) (answer, error) {
	env, err := decodeEnvelope(body)
	if err == nil && env.Body.Fault != nil {
		return answer{}, faultError(env.Body.Fault)
	}
	if status < 200 || status > 299 {
		return answer{}, &HTTPError{StatusCode: status, Status: statusText}
	}
	if err != nil {
		return answer{}, err
	}
	if env.Body.Resultat == nil {
		return answer{}, malformed("élément RESULTAT absent")
	}
	return decodeResultat(env.Body.Resultat)
}

func faultError(f *respFault) *FaultError {
	e := &FaultError{
		Code:    localName(f.Code.Value),
		Subcode: localName(f.Code.Subcode.Value),
	}
	// The service writes French; take that text, else the first one.
	for _, t := range f.Reason.Texts {
		french := strings.HasPrefix(strings.ToLower(t.Lang), "fr")
		if e.Reason == "" || french {
			e.Reason = strings.TrimSpace(t.Text)
		}
		if french {
			break
		}
	}
	if er := f.Detail.Erreur; er != nil {
		e.Detail = strings.TrimSpace(er.Text)
		e.DetailCode = strings.TrimSpace(er.Code)
		e.Severity = strings.TrimSpace(er.Severite)
	}
	return e
}

// localName drops the prefix of a QName value such as "soap:Sender".
func localName(qname string) string {
	qname = strings.TrimSpace(qname)
	if i := strings.LastIndexByte(qname, ':'); i >= 0 {
		return qname[i+1:]
	}
	return qname
}

func decodeResultat(r *respResultat) (answer, error) {
	if r.CR == nil {
		return answer{}, malformed("compte rendu CR absent")
	}
	a := answer{code: strings.TrimSpace(r.CR.CodeCR), label: strings.TrimSpace(r.CR.LibelleCR)}
	switch a.code {
	case CodeNotFound, CodeSeveral:
		// Any INDIVIDU sent along is ignored: only a 00 designates a person.
		return a, nil
	case CodeFound:
	default:
		return answer{}, malformed("code retour inconnu %.8q", a.code)
	}
	ind := r.Individu
	if ind == nil || ind.Actif == nil || ind.TIQ == nil {
		return answer{}, malformed("réponse 00 sans INS actif ni traits")
	}
	active, err := decodeINS(*ind.Actif)
	if err != nil {
		return answer{}, fmt.Errorf("INS actif : %w", err)
	}
	id := &Identity{NIR: active.NIR, Key: active.Key, OID: active.OID}
	for i, h := range ind.Histo {
		past, err := decodeINS(h)
		if err != nil {
			return answer{}, fmt.Errorf("INS historique %d : %w", i+1, err)
		}
		id.PastINS = append(id.PastINS, past)
	}
	t := ind.TIQ
	id.BirthName = strings.TrimSpace(t.NomNaissance)
	id.FirstNames = strings.Fields(t.ListePrenom)
	if len(id.FirstNames) == 0 {
		id.FirstNames = strings.Fields(t.Prenom)
	}
	id.Sex = strings.TrimSpace(t.Sexe)
	id.BirthDateText = strings.TrimSpace(t.DateNaissance)
	id.BirthPlaceCode = strings.TrimSpace(t.LieuNaissance)
	switch {
	case id.BirthName == "":
		return answer{}, malformed("nom de naissance absent")
	case len(id.FirstNames) == 0:
		return answer{}, malformed("prénoms absents")
	case len(id.Sex) != 1 || id.Sex[0] < 'A' || id.Sex[0] > 'Z':
		return answer{}, malformed("sexe invalide")
	case !reDate.MatchString(id.BirthDateText):
		return answer{}, malformed("date de naissance invalide")
	case id.BirthPlaceCode != "" && !reCOG.MatchString(id.BirthPlaceCode):
		return answer{}, malformed("lieu de naissance invalide")
	}
	// A lunar date (day or month 00) is no calendar date: only the text is kept.
	if d, err := time.Parse(time.DateOnly, id.BirthDateText); err == nil {
		id.BirthDate = d
	}
	a.identity = id
	return a, nil
}

func decodeINS(in respINS) (PastINS, error) {
	if in.IdIndividu == nil {
		return PastINS{}, malformed("IdIndividu absent")
	}
	p := PastINS{
		NIR: strings.TrimSpace(in.IdIndividu.NumIdentifiant),
		Key: strings.TrimSpace(in.IdIndividu.Cle),
		OID: strings.TrimSpace(in.OID),
	}
	switch {
	case !reMatricule.MatchString(p.NIR):
		return PastINS{}, malformed("matricule invalide")
	case p.Key != "" && !reKey.MatchString(p.Key):
		return PastINS{}, malformed("clé invalide")
	case !reOID.MatchString(p.OID):
		return PastINS{}, malformed("OID invalide")
	}
	return p, nil
}
