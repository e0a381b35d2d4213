package frontend_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// uploadBody builds a multipart upload; fields go first, the file last.
func uploadBody(t *testing.T, csrf string, fields map[string]string, filename string, content []byte) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf_token", csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if filename != "" {
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(content)
	}
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

// upload posts a document form as a browser would (multipart).
func (c *client) upload(path string, fields map[string]string, filename string, content []byte) (int, string) {
	c.t.Helper()
	ct, body := uploadBody(c.t, c.csrf, fields, filename, content)
	req, err := http.NewRequest(http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// download returns the status, headers and body of a GET.
func (c *client) download(path string) (int, http.Header, []byte) {
	c.t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func testPDF() []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n" +
		"trailer << /Root 1 0 R >>\n%%EOF\n")
}

func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for x := 0; x < 8; x++ {
		img.Set(x, x, color.RGBA{0, 90, 200, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// documentIDs lists the usager's documents of a section, newest first.
func (w *world) documentIDs(usager uuid.UUID, s domain.Section) []uuid.UUID {
	w.t.Helper()
	var out []uuid.UUID
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		docs, err := tx.Documents(usager, s, true)
		for _, d := range docs {
			out = append(out, d.ID)
		}
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

func (w *world) trailDetails(usager uuid.UUID) string {
	w.t.Helper()
	var b strings.Builder
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		entries, err := tx.Trail(domain.TrailQuery{UsagerID: usager, Limit: 100})
		for _, e := range entries {
			fmt.Fprintf(&b, "%s %s %s %s\n", e.Username, e.Section, e.Action, e.Detail)
		}
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return b.String()
}

func TestDocumentUploadAndDownload(t *testing.T) {
	w := newWorld(t)
	rec := "/usagers/" + w.resident.String()
	c := w.login("u.medecin")
	c.get(rec + "/sections/medical")
	pdf, pngData := testPDF(), testPNG(t)

	code, body := c.upload(rec+"/sections/medical/documents", map[string]string{"title": "Compte rendu d'hospitalisation", "doc_type": "compte_rendu"}, "scan.PDF", pdf)
	if code != http.StatusSeeOther {
		t.Fatalf("PDF upload: %d %s", code, body)
	}
	code, body = c.upload(rec+"/sections/care/documents", map[string]string{"title": "Photo de la plaie", "doc_type": "autre"}, "photo.jpeg", pngData)
	if code != http.StatusSeeOther {
		t.Fatalf("PNG upload (named .jpeg): %d %s", code, body)
	}
	code, body = c.get(rec + "/sections/medical?ok=document")
	if code != http.StatusOK || !strings.Contains(body, "Compte rendu d&#39;hospitalisation") || !strings.Contains(body, "Le document a été déposé.") ||
		!strings.Contains(body, "Médecin Test") || strings.Contains(body, "Photo de la plaie") {
		t.Fatalf("medical tab does not list its document (or lists another section's): %d", code)
	}

	for _, tc := range []struct {
		section domain.Section
		content []byte
		ctype   string
		name    string
	}{
		{domain.SectionMedical, pdf, "application/pdf", "Compte_rendu_d_hospitalisation.pdf"},
		{domain.SectionCare, pngData, "image/png", "Photo_de_la_plaie.png"},
	} {
		ids := w.documentIDs(w.resident, tc.section)
		if len(ids) != 1 {
			t.Fatalf("%s: %d documents stored", tc.section, len(ids))
		}
		code, h, got := c.download(rec + "/documents/" + ids[0].String())
		if code != http.StatusOK || !bytes.Equal(got, tc.content) {
			t.Fatalf("%s download: %d, %d bytes, same = %v", tc.section, code, len(got), bytes.Equal(got, tc.content))
		}
		if h.Get("Content-Type") != tc.ctype || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Content-Disposition") != `attachment; filename=`+tc.name {
			t.Errorf("%s headers: %v", tc.section, h)
		}
		if !strings.Contains(string(mustGet(c, rec+"/sections/"+string(tc.section))), "/documents/"+ids[0].String()) {
			t.Errorf("%s tab has no download link", tc.section)
		}
	}
	trail := w.trailDetails(w.resident)
	for _, want := range []string{"u.medecin medical write dépôt du document", "u.medecin care write dépôt du document",
		"u.medecin medical read consultation du document", "u.medecin care read consultation du document"} {
		if !strings.Contains(trail, want) {
			t.Errorf("trail lacks %q:\n%s", want, trail)
		}
	}
}

func mustGet(c *client, path string) string {
	c.t.Helper()
	code, body := c.get(path)
	if code != http.StatusOK {
		c.t.Fatalf("GET %s: %d", path, code)
	}
	return body
}

func TestDocumentUploadRefusals(t *testing.T) {
	w := newWorld(t)
	rec := "/usagers/" + w.resident.String()
	c := w.login("u.infirmier") // care: read, write, validate
	c.get(rec + "/sections/care")
	valid := map[string]string{"title": "Ordonnance de kinésithérapie", "doc_type": "ordonnance"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range valid {
			m[a] = b
		}
		m[k] = v
		return m
	}
	big := append(testPDF(), bytes.Repeat([]byte{' '}, domain.MaxDocumentSize)...)
	tests := []struct {
		name     string
		fields   map[string]string
		filename string
		content  []byte
		field    string
		message  string
	}{
		{"text named x.pdf", valid, "x.pdf", []byte("Ceci est un texte, pas un PDF.\n"), "file", "n&#39;est ni un PDF, ni une image JPEG ou PNG"},
		{"html named x.png", valid, "x.png", []byte("<!DOCTYPE html><script>alert(1)</script>"), "file", "n&#39;est ni un PDF"},
		{"no file", valid, "", nil, "file", "Choisissez un fichier"},
		{"over the size limit", valid, "gros.pdf", big, "file", "dépasse la taille maximale de 10 Mo"},
		{"no title", with("title", " "), "x.pdf", testPDF(), "title", "Le titre du document est obligatoire."},
		{"no type", with("doc_type", ""), "x.pdf", testPDF(), "doc_type", "Choisissez le type de document."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := c.upload(rec+"/sections/care/documents", tc.fields, tc.filename, tc.content)
			if code != http.StatusUnprocessableEntity {
				t.Fatalf("%d, want 422", code)
			}
			// The message sits in the field's own block, the form keeps its values.
			i := strings.Index(body, `<p class="field-error" id="`+tc.field+`-error">`)
			if i < 0 || !strings.Contains(body[i:i+400], tc.message) {
				t.Fatalf("no message %q beside %s", tc.message, tc.field)
			}
			if tc.field != "title" && !strings.Contains(html.UnescapeString(body), `value="`+valid["title"]+`"`) {
				t.Error("the title typed was lost")
			}
		})
	}
	if n := w.count("documents"); n != 0 {
		t.Errorf("%d documents stored after refusals", n)
	}

	// A body declared far over the limit is refused before it is sent.
	u, _ := url.Parse(w.srv.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var cookies []string
	for _, k := range c.http.Jar.Cookies(u) {
		cookies = append(cookies, k.Name+"="+k.Value)
	}
	fmt.Fprintf(conn, "POST %s/sections/care/documents HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nContent-Type: multipart/form-data; boundary=xyz\r\nContent-Length: %d\r\n\r\n--xyz\r\n",
		rec, u.Host, strings.Join(cookies, "; "), int64(1)<<30)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "dépasse la taille maximale") ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("1 Gio declared: %d %v", resp.StatusCode, resp.Header)
	}

	// An undeclared (chunked) body is cut at the cap: refused, nothing stored.
	ct, body := uploadBody(t, c.csrf, valid, "gros.pdf", append(testPDF(), bytes.Repeat([]byte{' '}, domain.MaxDocumentSize+1<<20+64<<10)...))
	req, _ := http.NewRequest(http.MethodPost, c.base+rec+"/sections/care/documents", io.MultiReader(bytes.NewReader(body)))
	req.ContentLength = -1
	req.Header.Set("Content-Type", ct)
	resp, err = c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "dépasse la taille maximale") {
		t.Errorf("chunked over the cap: %d", resp.StatusCode)
	}
	if n := w.count("documents"); n != 0 {
		t.Errorf("%d documents stored after the over-size uploads", n)
	}

	// Without write on the section: 403.
	if code, _ := c.upload(rec+"/sections/medical/documents", valid, "x.pdf", testPDF()); code != http.StatusForbidden {
		t.Errorf("infirmier uploading in the medical section: %d, want 403", code)
	}
	// Restricting needs validate: the aide-soignant writes in care but does not validate.
	as := w.login("u.aide_soignant")
	as.get(rec + "/sections/care")
	code, page := as.upload(rec+"/sections/care/documents", with("confidentiality", "restreint"), "x.pdf", testPDF())
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, "Seuls les professionnels qui valident cette section") {
		t.Errorf("aide-soignant restricting a document: %d", code)
	}
	if n := w.count("documents"); n != 0 {
		t.Errorf("%d documents stored after refusals", n)
	}
}

func TestDocumentAccess(t *testing.T) {
	w := newWorld(t)
	rec := "/usagers/" + w.resident.String()
	med := w.login("u.medecin")
	med.get(rec + "/sections/medical")
	for _, d := range []map[string]string{
		{"title": "Courrier du cardiologue", "doc_type": "courrier"},
		{"title": "Avis psychiatrique confidentiel", "doc_type": "compte_rendu", "confidentiality": "restreint"},
	} {
		if code, body := med.upload(rec+"/sections/medical/documents", d, "a.pdf", testPDF()); code != http.StatusSeeOther {
			t.Fatalf("upload %s: %d %s", d["title"], code, body)
		}
	}
	ids := w.documentIDs(w.resident, domain.SectionMedical) // newest first: restricted, then normal
	restricted, normal := ids[0], ids[1]

	// The aide-soignant has no right on the medical section.
	as := w.login("u.aide_soignant")
	if code, _, body := as.download(rec + "/documents/" + normal.String()); code != http.StatusForbidden || bytes.Contains(body, []byte("%PDF")) {
		t.Errorf("aide-soignant downloading a medical document: %d", code)
	}
	// The infirmier reads the medical section but does not validate it: the
	// restricted document is neither listed nor downloadable.
	inf := w.login("u.infirmier")
	page := mustGet(inf, rec+"/sections/medical")
	if !strings.Contains(page, "Courrier du cardiologue") || strings.Contains(page, "Avis psychiatrique") || strings.Contains(page, restricted.String()) {
		t.Error("infirmier's medical tab: the normal document must show, the restricted one must not")
	}
	if strings.Contains(page, `/sections/medical/documents"`) {
		t.Error("the upload form is offered without write on the section")
	}
	if code, _, _ := inf.download(rec + "/documents/" + normal.String()); code != http.StatusOK {
		t.Errorf("infirmier downloading a normal medical document: %d", code)
	}
	if code, _, body := inf.download(rec + "/documents/" + restricted.String()); code != http.StatusForbidden || bytes.Contains(body, []byte("%PDF")) {
		t.Errorf("infirmier downloading a restricted document: %d", code)
	}
	// The médecin validates the medical section: both.
	page = mustGet(med, rec+"/sections/medical")
	if !strings.Contains(page, "Avis psychiatrique confidentiel") || !strings.Contains(page, "Restreint") {
		t.Error("médecin does not see the restricted document")
	}
	if code, _, _ := med.download(rec + "/documents/" + restricted.String()); code != http.StatusOK {
		t.Errorf("médecin downloading the restricted document: %d", code)
	}
	// A document is reached only through its own record.
	if code, _, _ := med.download("/usagers/" + w.insiOne.String() + "/documents/" + normal.String()); code != http.StatusNotFound {
		t.Errorf("document through another record: %d, want 404", code)
	}
	if code, _, _ := med.download(rec + "/documents/" + uuid.NewString()); code != http.StatusNotFound {
		t.Errorf("unknown document: %d, want 404", code)
	}
	if code, _, _ := med.download("/usagers/" + w.foreign.String() + "/documents/" + normal.String()); code != http.StatusNotFound {
		t.Errorf("other organisation's record: %d, want 404", code)
	}
}
