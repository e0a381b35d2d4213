// Package svgchart draws small time-series charts as inline SVG, computed
// on the server (no JavaScript, no dependency): one or more series over
// time, shaded alert zones, horizontal reference lines (targets), French
// date ticks and value ticks. Colours are presentation attributes so the
// same SVG renders inline in a page or on its own (image/svg+xml).
package svgchart

import (
	"encoding/xml"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/relais-dui/relais/domain"
)

// Point is one value at one time.
type Point struct {
	T    time.Time
	V    float64
	Flag bool // drawn as an alert marker
}

// Series is a named line of points.
type Series struct {
	Name   string
	Points []Point
}

// Zone is a horizontal band shaded as an alert zone between From and To
// (either may be infinite: the band is clipped to the plot).
type Zone struct {
	From, To float64
}

// Line is a horizontal reference line, such as a target.
type Line struct {
	Y     float64
	Label string
}

// Chart is what to draw. Zero sizes take the defaults; a zero From/To takes
// the span of the data.
type Chart struct {
	ID       string // prefix of the element ids (unique on the page)
	Title    string
	Desc     string
	Width    int
	Height   int
	Unit     string // shown on the value axis
	Series   []Series
	Zones    []Zone
	Lines    []Line
	From, To time.Time
	Loc      *time.Location // time zone of the date ticks (UTC when nil)
	Empty    string         // message when there is nothing to draw
}

// Default size: fits a tablet in portrait with the page margins.
const (
	DefaultWidth  = 720
	DefaultHeight = 280
)

// margins of the plot inside the SVG.
const (
	marginLeft   = 56
	marginRight  = 16
	marginTop    = 22
	marginBottom = 40
)

// palette is one colour per series (contrast ≥ 4.5:1 on white).
var palette = []string{"#1f5fa8", "#a34a00", "#2e7d32", "#6a1b9a"}

const (
	flagColour = "#b3261e"
	zoneColour = "#fbe4e1"
	gridColour = "#dde3ea"
	axisColour = "#5f6b7a"
	textColour = "#333333"
)

// Render returns the chart as an SVG element.
func Render(c Chart) string {
	if c.Width <= 0 {
		c.Width = DefaultWidth
	}
	if c.Height <= 0 {
		c.Height = DefaultHeight
	}
	if c.ID == "" {
		c.ID = "chart"
	}
	loc := c.Loc
	if loc == nil {
		loc = time.UTC
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="%s-title %s-desc" viewBox="0 0 %d %d" width="%d" height="%d" font-family="sans-serif" font-size="12" fill="%s">`,
		esc(c.ID), esc(c.ID), c.Width, c.Height, c.Width, c.Height, textColour)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(c.ID), esc(c.Title), esc(c.ID), esc(c.Desc))
	px, py, pw, ph := float64(marginLeft), float64(marginTop), float64(c.Width-marginLeft-marginRight), float64(c.Height-marginTop-marginBottom)
	fmt.Fprintf(&b, `<rect class="plot" x="%s" y="%s" width="%s" height="%s" fill="#ffffff" stroke="%s"/>`, num(px), num(py), num(pw), num(ph), gridColour)

	from, to, lo, hi, ok := domains(c)
	if !ok {
		msg := c.Empty
		if msg == "" {
			msg = "Aucune valeur sur la période."
		}
		fmt.Fprintf(&b, `<text class="empty" x="%s" y="%s" text-anchor="middle">%s</text></svg>`, num(px+pw/2), num(py+ph/2), esc(msg))
		return b.String()
	}
	yt := valueTicks(lo, hi, max(2, int(ph/40)))
	lo, hi = yt.Values[0], yt.Values[len(yt.Values)-1]
	x := scale{from: float64(from.UnixMilli()), to: float64(to.UnixMilli()), a: px, b: px + pw}
	y := scale{from: lo, to: hi, a: py + ph, b: py}

	for _, z := range c.Zones {
		top, bottom := math.Min(z.To, hi), math.Max(z.From, lo)
		if top <= bottom {
			continue
		}
		fmt.Fprintf(&b, `<rect class="zone" x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, num(px), num(y.at(top)), num(pw), num(y.at(bottom)-y.at(top)), zoneColour)
	}
	b.WriteString(`<g class="yticks">`)
	for _, v := range yt.Values {
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s"/><text x="%s" y="%s" text-anchor="end">%s</text>`,
			num(px), num(px+pw), num(y.at(v)), num(y.at(v)), gridColour, num(px-6), num(y.at(v)+4), esc(frenchNumber(v, yt.Decimals)))
	}
	b.WriteString(`</g>`)
	if c.Unit != "" {
		fmt.Fprintf(&b, `<text class="unit" x="%s" y="%s" text-anchor="end">%s</text>`, num(px-6), num(py-8), esc(c.Unit))
	}
	b.WriteString(`<g class="xticks">`)
	for _, t := range timeTicks(from, to, loc, max(2, int(pw/48))) {
		xt := x.at(float64(t.T.UnixMilli()))
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s"/><text class="xtick" x="%s" y="%s" text-anchor="middle">%s`,
			num(xt), num(xt), num(py+ph), num(py+ph+5), axisColour, num(xt), num(py+ph+18), esc(t.Label))
		if t.Sub != "" {
			fmt.Fprintf(&b, `<tspan x="%s" dy="14">%s</tspan>`, num(xt), esc(t.Sub))
		}
		b.WriteString(`</text>`)
	}
	b.WriteString(`</g>`)
	for _, l := range c.Lines {
		if l.Y < lo || l.Y > hi {
			continue
		}
		fmt.Fprintf(&b, `<line class="target" x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-dasharray="6 4"/><text x="%s" y="%s" text-anchor="end">%s</text>`,
			num(px), num(px+pw), num(y.at(l.Y)), num(y.at(l.Y)), axisColour, num(px+pw-4), num(y.at(l.Y)-4), esc(l.Label))
	}
	for i, s := range c.Series {
		colour := palette[i%len(palette)]
		pts := visible(s.Points, from, to)
		if len(pts) == 0 {
			continue
		}
		coords := make([]string, len(pts))
		for j, p := range pts {
			coords[j] = num(x.at(float64(p.T.UnixMilli()))) + "," + num(y.at(p.V))
		}
		fmt.Fprintf(&b, `<polyline class="series" fill="none" stroke="%s" stroke-width="2" points="%s"/>`, colour, strings.Join(coords, " "))
		fmt.Fprintf(&b, `<g class="points" fill="%s">`, colour)
		for j, p := range pts {
			xy := strings.SplitN(coords[j], ",", 2)
			if p.Flag {
				fmt.Fprintf(&b, `<circle class="point flag" cx="%s" cy="%s" r="5" fill="%s" stroke="#ffffff"/>`, xy[0], xy[1], flagColour)
			} else {
				fmt.Fprintf(&b, `<circle class="point" cx="%s" cy="%s" r="2.5"/>`, xy[0], xy[1])
			}
		}
		b.WriteString(`</g>`)
	}
	if len(c.Series) > 1 {
		lx := px + 4
		for i, s := range c.Series {
			fmt.Fprintf(&b, `<rect x="%s" y="%s" width="10" height="10" fill="%s"/><text class="legend" x="%s" y="%s">%s</text>`,
				num(lx), num(py-16), palette[i%len(palette)], num(lx+14), num(py-7), esc(s.Name))
			lx += 14 + 8*float64(len([]rune(s.Name))) + 16
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// domains are the time span and value range to draw; false when there is
// no point to draw.
func domains(c Chart) (from, to time.Time, lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	var first, last time.Time
	for _, s := range c.Series {
		for _, p := range s.Points {
			if (!c.From.IsZero() && p.T.Before(c.From)) || (!c.To.IsZero() && p.T.After(c.To)) {
				continue
			}
			lo, hi = math.Min(lo, p.V), math.Max(hi, p.V)
			if first.IsZero() || p.T.Before(first) {
				first = p.T
			}
			if last.IsZero() || p.T.After(last) {
				last = p.T
			}
			ok = true
		}
	}
	if !ok {
		return
	}
	for _, l := range c.Lines {
		lo, hi = math.Min(lo, l.Y), math.Max(hi, l.Y)
	}
	from, to = c.From, c.To
	if from.IsZero() {
		from = first
	}
	if to.IsZero() {
		to = last
	}
	if !to.After(from) { // a single instant: one day either side
		from, to = from.Add(-24*time.Hour), to.Add(24*time.Hour)
	}
	return from, to, lo, hi, true
}

func visible(pts []Point, from, to time.Time) []Point {
	out := make([]Point, 0, len(pts))
	for _, p := range pts {
		if !p.T.Before(from) && !p.T.After(to) {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].T.Before(out[j].T) })
	return out
}

// scale maps [from, to] linearly onto [a, b].
type scale struct{ from, to, a, b float64 }

func (s scale) at(v float64) float64 {
	if s.to == s.from {
		return (s.a + s.b) / 2
	}
	return s.a + (v-s.from)/(s.to-s.from)*(s.b-s.a)
}

// ticks are round values covering a range.
type ticks struct {
	Values   []float64
	Decimals int
}

// valueTicks covers [lo, hi] with at most about n round steps (1, 2 or 5
// times a power of ten); a flat range is widened around its value.
func valueTicks(lo, hi float64, n int) ticks {
	if hi < lo {
		lo, hi = hi, lo
	}
	if hi == lo {
		pad := math.Max(math.Abs(lo)*0.05, 1)
		lo, hi = lo-pad, hi+pad
	}
	n = max(n, 1)
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag * 10
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	start, end := math.Floor(lo/step+1e-9)*step, math.Ceil(hi/step-1e-9)*step
	dec := 0
	if step < 1 {
		dec = int(math.Ceil(-math.Log10(step) - 1e-9))
	}
	var t ticks
	t.Decimals = dec
	for i := 0; ; i++ {
		v := start + float64(i)*step
		if v > end+step/2 {
			break
		}
		t.Values = append(t.Values, math.Round(v/step)*step)
	}
	return t
}

// timeTick is a date tick: its time, its label and an optional second line
// (the year, at the first tick and each January).
type timeTick struct {
	T     time.Time
	Label string
	Sub   string
}

// timeSteps from the finest: days, then months, then years.
var timeSteps = []struct {
	days, months, years int
}{{days: 1}, {days: 2}, {days: 7}, {days: 14}, {months: 1}, {months: 2}, {months: 3}, {months: 6}, {years: 1}, {years: 2}, {years: 5}, {years: 10}}

// timeTicks are at most max calendar ticks (midnights, first days of
// months or years in loc) within [from, to], at the finest step that fits.
func timeTicks(from, to time.Time, loc *time.Location, maxTicks int) []timeTick {
	for _, st := range timeSteps {
		var out []timeTick
		f := from.In(loc)
		var t time.Time
		switch {
		case st.days > 0:
			t = time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, loc)
			if st.days == 7 || st.days == 14 { // weeks start on Monday
				t = t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
			}
		case st.months > 0:
			m := (int(f.Month()) - 1) / st.months * st.months
			t = time.Date(f.Year(), time.Month(m+1), 1, 0, 0, 0, 0, loc)
		default:
			t = time.Date(f.Year()/st.years*st.years, 1, 1, 0, 0, 0, 0, loc)
		}
		for i := 0; ; i++ {
			var tt time.Time
			switch {
			case st.days > 0:
				tt = t.AddDate(0, 0, i*st.days)
			case st.months > 0:
				tt = t.AddDate(0, i*st.months, 0)
			default:
				tt = t.AddDate(i*st.years, 0, 0)
			}
			if tt.After(to) {
				break
			}
			if tt.Before(from) {
				continue
			}
			out = append(out, timeTick{T: tt})
			if len(out) > maxTicks {
				break
			}
		}
		if len(out) > maxTicks {
			continue
		}
		for i := range out {
			tt := out[i].T
			switch {
			case st.days > 0:
				out[i].Label = tt.Format("02/01")
				if i == 0 || (tt.Month() == time.January && tt.Day() <= st.days) {
					out[i].Sub = strconv.Itoa(tt.Year())
				}
			case st.months > 0:
				out[i].Label = domain.FrenchMonthShort(tt)
				if i == 0 || tt.Month() <= time.Month(st.months) {
					out[i].Sub = strconv.Itoa(tt.Year())
				}
			default:
				out[i].Label = strconv.Itoa(tt.Year())
			}
		}
		return out
	}
	return nil
}

// frenchNumber writes v with dec decimals and a decimal comma.
func frenchNumber(v float64, dec int) string {
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if s == "-0" || strings.Trim(s, "-0.") == "" {
		s = strconv.FormatFloat(0, 'f', dec, 64)
	}
	return strings.Replace(s, ".", ",", 1)
}

// num writes a coordinate to one decimal.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
	return b.String()
}
