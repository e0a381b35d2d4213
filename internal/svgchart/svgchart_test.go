package svgchart

import (
	"encoding/xml"
	"io"
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestScale(t *testing.T) {
	for _, c := range []struct {
		s    scale
		v    float64
		want float64
	}{
		{scale{from: 0, to: 10, a: 0, b: 100}, 5, 50},
		{scale{from: 60, to: 80, a: 200, b: 20}, 60, 200}, // y axis: values grow upwards
		{scale{from: 60, to: 80, a: 200, b: 20}, 80, 20},
		{scale{from: 60, to: 80, a: 200, b: 20}, 70, 110},
		{scale{from: 5, to: 5, a: 0, b: 100}, 5, 50}, // flat domain: middle
	} {
		if got := c.s.at(c.v); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%+v at %v = %v, want %v", c.s, c.v, got, c.want)
		}
	}
}

func TestValueTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		n      int
		want   []float64
		dec    int
	}{
		{62.3, 71.8, 5, []float64{62, 64, 66, 68, 70, 72}, 0},
		{0, 10, 5, []float64{0, 2, 4, 6, 8, 10}, 0},
		{0.62, 2.4, 4, []float64{0.5, 1, 1.5, 2, 2.5}, 1},
		{36.2, 38.9, 5, []float64{36, 37, 38, 39}, 0},
		{36.2, 38.9, 8, []float64{36, 36.5, 37, 37.5, 38, 38.5, 39}, 1},
		{70, 70, 4, []float64{66, 68, 70, 72, 74}, 0}, // a single value is widened
		{55, 185, 5, []float64{50, 100, 150, 200}, 0},
	} {
		got := valueTicks(c.lo, c.hi, c.n)
		if !reflect.DeepEqual(got.Values, c.want) || got.Decimals != c.dec {
			t.Errorf("valueTicks(%v, %v, %d) = %v (%d decimals), want %v (%d)", c.lo, c.hi, c.n, got.Values, got.Decimals, c.want, c.dec)
		}
		if got.Values[0] > c.lo || got.Values[len(got.Values)-1] < c.hi {
			t.Errorf("ticks %v do not cover [%v, %v]", got.Values, c.lo, c.hi)
		}
	}
}

func labels(ts []timeTick) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Label
		if t.Sub != "" {
			out[i] += " " + t.Sub
		}
	}
	return out
}

func TestTimeTicks(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone data")
	}
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 8, 0, 0, 0, paris) }
	for _, c := range []struct {
		name     string
		from, to time.Time
		max      int
		want     []string
	}{
		{"a year: months, the year under the first and January", d(2025, 11, 24), d(2026, 11, 23), 13,
			[]string{"déc. 2025", "janv. 2026", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov."}},
		{"a year on a narrow chart: every two months", d(2025, 11, 24), d(2026, 11, 23), 7,
			[]string{"janv. 2026", "mars", "mai", "juil.", "sept.", "nov."}},
		{"a week: days", d(2026, 3, 2), d(2026, 3, 6), 10, []string{"03/03 2026", "04/03", "05/03", "06/03"}},
		{"a month: weeks from Monday", d(2026, 3, 1), d(2026, 3, 31), 8, []string{"02/03 2026", "09/03", "16/03", "23/03", "30/03"}},
		{"ten years: years", d(2016, 6, 1), d(2026, 6, 1), 12, []string{"2017", "2018", "2019", "2020", "2021", "2022", "2023", "2024", "2025", "2026"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := timeTicks(c.from, c.to, paris, c.max)
			if !reflect.DeepEqual(labels(got), c.want) {
				t.Errorf("got %q, want %q", labels(got), c.want)
			}
			for _, tk := range got {
				if h, m, _ := tk.T.Clock(); h != 0 || m != 0 || tk.T.Location() != paris {
					t.Errorf("tick %v not at midnight in Paris", tk.T)
				}
			}
		})
	}
}

// parse checks the SVG is well-formed XML and counts elements by name and
// class.
func parse(t *testing.T, svg string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok {
			counts[se.Name.Local]++
			for _, a := range se.Attr {
				if a.Name.Local == "class" {
					for _, cl := range strings.Fields(a.Value) {
						counts[se.Name.Local+"."+cl]++
					}
				}
			}
		}
	}
	return counts
}

func TestRenderEmptySeries(t *testing.T) {
	svg := Render(Chart{Title: "Poids", Desc: "Aucune valeur", Series: []Series{{Name: "Poids"}}})
	c := parse(t, svg)
	if c["polyline"] != 0 || c["circle"] != 0 || c["text.empty"] != 1 || !strings.Contains(svg, "Aucune valeur sur la période.") {
		t.Errorf("empty chart: %v\n%s", c, svg)
	}
	if !strings.Contains(svg, `role="img"`) || c["title"] != 1 || c["desc"] != 1 {
		t.Error("empty chart must stay an accessible image")
	}
}

func TestRenderSinglePoint(t *testing.T) {
	at := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	svg := Render(Chart{Title: "Poids", Series: []Series{{Name: "Poids", Points: []Point{{T: at, V: 70}}}}})
	c := parse(t, svg)
	if c["polyline"] != 1 || c["circle.point"] != 1 || c["text.xtick"] == 0 || c["g.yticks"] != 1 {
		t.Errorf("single point: %v", c)
	}
	// One day either side: the point sits in the middle of the plot.
	cx := float64(marginLeft) + float64(DefaultWidth-marginLeft-marginRight)/2
	if !strings.Contains(svg, `cx="`+num(cx)+`"`) {
		t.Errorf("single point not centred at x=%s", num(cx))
	}
}

// Two series (blood pressure), an alert zone clipped to the plot, a target
// line, a flagged point, and text escaped.
func TestRenderTwoSeriesZonesAndEscaping(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var sys, dia []Point
	for i := 0; i < 10; i++ {
		sys = append(sys, Point{T: at.AddDate(0, 0, i), V: 130 + float64(i)})
		dia = append(dia, Point{T: at.AddDate(0, 0, i), V: 80})
	}
	sys[9].Flag = true
	sys[9].V = 170
	svg := Render(Chart{ID: "c-bp", Title: `Tension <"artérielle"> & co`, Desc: "d", Unit: "mmHg",
		Series: []Series{{Name: "Systolique", Points: sys}, {Name: "Diastolique", Points: dia}},
		Zones:  []Zone{{From: 160, To: math.Inf(1)}, {From: math.Inf(-1), To: 50}}, Lines: []Line{{Y: 140, Label: "Objectif"}}})
	c := parse(t, svg)
	if c["polyline.series"] != 2 || c["circle"] != 20 || c["circle.flag"] != 1 || c["line.target"] != 1 {
		t.Errorf("two series: %v", c)
	}
	if c["rect.zone"] != 1 { // the zone under 50 is out of the drawn range
		t.Errorf("zones drawn: %d, want 1", c["rect.zone"])
	}
	if !strings.Contains(svg, "Tension &lt;&#34;artérielle&#34;&gt; &amp; co") || !strings.Contains(svg, `aria-labelledby="c-bp-title c-bp-desc"`) {
		t.Errorf("title not escaped or ids not prefixed:\n%s", svg[:300])
	}
	if c["text.legend"] != 2 {
		t.Error("two series need a legend")
	}
}

// A fixed period leaves out the points before it.
func TestRenderFixedPeriod(t *testing.T) {
	to := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	pts := []Point{{T: to.AddDate(-2, 0, 0), V: 80}, {T: to.AddDate(0, 0, -10), V: 70}, {T: to.AddDate(0, 0, -3), V: 71}}
	c := parse(t, Render(Chart{Series: []Series{{Points: pts}}, From: to.AddDate(0, -1, 0), To: to}))
	if c["circle"] != 2 {
		t.Errorf("points of the month: %d, want 2", c["circle"])
	}
}

// A year of daily weights: the budget of the largest chart a care page draws.
func BenchmarkRenderYear(b *testing.B) {
	start := time.Date(2025, 11, 24, 7, 0, 0, 0, time.UTC)
	pts := make([]Point, 365)
	for i := range pts {
		pts[i] = Point{T: start.AddDate(0, 0, i), V: 70 + math.Sin(float64(i)/20)}
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		_ = Render(Chart{Title: "Poids", Series: []Series{{Name: "Poids", Points: pts}}, Zones: []Zone{{From: 150, To: math.Inf(1)}}, Loc: paris})
		durations = append(durations, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	b.ReportMetric(float64(durations[len(durations)*95/100].Microseconds())/1000, "p95-ms")
}
