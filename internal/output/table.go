package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kitecli/kite/internal/exitcode"
)

// TableStyle is what a table needs to know about the terminal it is
// printed on. The zero value is a table for a pipe: every column, no
// colour, no width limit.
type TableStyle struct {
	// Width is the terminal's width in columns; 0 means no limit. A table
	// wider than Width loses its low-value columns, then shortens its
	// widest text column.
	Width int
	// Color paints gains green and losses red.
	Color bool
	// Columns, from --columns, picks and orders the columns of a table or
	// CSV, overriding the command's own choice.
	Columns []string
	// Notice hears which columns a narrow terminal hid (stderr); nil is
	// silence.
	Notice io.Writer
	// Now is the clock short times are relative to; nil is time.Now.
	Now func() time.Time
}

// SetTableStyle sets how tables are drawn.
func (p *Printer) SetTableStyle(s TableStyle) { p.style = s }

// ANSI styles of a table.
const (
	ansiGreen = "\x1b[32m"
	ansiRed   = "\x1b[31m"
	ansiBold  = "\x1b[1m"
	ansiReset = "\x1b[0m"
)

// grid is tabular data: a header of field names and rows of cells.
type grid struct {
	header  []string
	rows    [][]cell
	numeric []bool
	// vertical: a field/value table of one object.
	vertical bool
}

type cell struct {
	text string
	sign int // -1 a loss, +1 a gain, 0 neither (only in signed columns)
}

// toGrid lays a JSON document out as rows. A list of objects is one row per
// object with the union of their keys as columns (first-seen order); a single
// object is a two-column field/value table on a terminal and a one-row table
// in CSV; scalars are one "value" column. Nested values are compact JSON.
// human formats numbers and times for people (tables only).
func toGrid(doc []byte, columns []string, vertical, human bool, now time.Time) (*grid, error) {
	doc = bytes.TrimSpace(doc)
	var recs []json.RawMessage
	if len(doc) > 0 && doc[0] == '[' {
		if err := json.Unmarshal(doc, &recs); err != nil {
			return nil, err
		}
	} else {
		if vertical && len(doc) > 0 && doc[0] == '{' {
			return verticalGrid(doc, columns, human, now)
		}
		recs = []json.RawMessage{doc}
	}
	g := &grid{}
	index := map[string]int{}
	var objs [][]field
	for _, r := range recs {
		fs, isObj, err := objectFields(r)
		if err != nil {
			return nil, err
		}
		if !isObj {
			fs = []field{{key: "value", val: r}}
		}
		objs = append(objs, fs)
		for _, f := range fs {
			if _, ok := index[f.key]; !ok {
				index[f.key] = len(g.header)
				g.header = append(g.header, f.key)
			}
		}
	}
	if columns != nil {
		g.header = columns
		clear(index)
		for i, c := range columns {
			index[c] = i
		}
	}
	g.numeric = make([]bool, len(g.header))
	for i := range g.numeric {
		g.numeric[i] = true
	}
	seen := make([]bool, len(g.header))
	for _, fs := range objs {
		row := make([]cell, len(g.header))
		byKey := fieldMap(fs)
		for _, f := range fs {
			if i, ok := index[f.key]; ok {
				row[i] = makeCell(f.key, f.val, byKey, human, now)
				if row[i].text != "" {
					seen[i] = true
					g.numeric[i] = g.numeric[i] && isNumber(f.val)
				}
			}
		}
		g.rows = append(g.rows, row)
	}
	for i := range g.numeric {
		g.numeric[i] = g.numeric[i] && seen[i]
	}
	return g, nil
}

func verticalGrid(doc []byte, columns []string, human bool, now time.Time) (*grid, error) {
	fs, _, err := objectFields(doc)
	if err != nil {
		return nil, err
	}
	g := &grid{header: []string{"field", "value"}, numeric: []bool{false, false}, vertical: true}
	byKey := fieldMap(fs)
	if columns != nil {
		fs = fs[:0]
		for _, c := range columns {
			fs = append(fs, field{key: c, val: byKey[c]})
		}
	}
	for _, f := range fs {
		g.rows = append(g.rows, []cell{{text: f.key}, makeCell(f.key, f.val, byKey, human, now)})
	}
	return g, nil
}

func fieldMap(fs []field) map[string]json.RawMessage {
	m := make(map[string]json.RawMessage, len(fs))
	for _, f := range fs {
		m[f.key] = f.val
	}
	return m
}

// makeCell is one value as text; human rounds numbers to what their
// column means and shortens timestamps.
func makeCell(key string, v json.RawMessage, row map[string]json.RawMessage, human bool, now time.Time) cell {
	c := cell{text: cellText(v)}
	if !human || c.text == "" {
		return c
	}
	if isNumber(v) {
		switch kindOf(key) {
		case kindPrice:
			c.text = formatNumber(c.text, priceDecimals(row))
		case kindMoney, kindPercent:
			c.text = formatNumber(c.text, 2)
		}
		if signed(key) {
			if f, err := strconv.ParseFloat(c.text, 64); err == nil {
				c.sign = cmpZero(f)
			}
		}
		return c
	}
	if v[0] == '"' {
		if t, ok := shortTime(c.text, now); ok {
			c.text = t
		}
	}
	return c
}

func cmpZero(f float64) int {
	switch {
	case f > 0:
		return 1
	case f < 0:
		return -1
	}
	return 0
}

// checkColumns rejects a --columns name no record has, naming those it has.
func checkColumns(doc []byte, columns []string) error {
	g, err := toGrid(doc, nil, false, false, time.Time{})
	if err != nil {
		return err
	}
	for _, c := range columns {
		if !slices.Contains(g.header, c) && len(g.rows) > 0 {
			return exitcode.Usagef("unknown column %q in --columns: choose from %s", c, strings.Join(g.header, ","))
		}
	}
	return nil
}

func (g *grid) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(g.header); err != nil {
		return err
	}
	for _, r := range g.rows {
		rec := make([]string, len(r))
		for i, c := range r {
			rec[i] = c.text
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

const colGap = 2 // spaces between columns

// fit makes the grid at most width columns wide: it drops low-value
// columns, shortens long text (a fund's name, an alert's condition) to 16
// characters, drops the rightmost columns (never the first), and last
// shortens text down to 8 characters. It returns the dropped columns.
func (g *grid) fit(width int, mayDrop bool) []string {
	if width <= 0 {
		return nil
	}
	var dropped []string
	drop := func(i int) {
		dropped = append(dropped, g.header[i])
		g.header = slices.Delete(g.header, i, i+1)
		g.numeric = slices.Delete(g.numeric, i, i+1)
		for r := range g.rows {
			g.rows[r] = slices.Delete(g.rows[r], i, i+1)
		}
	}
	canDrop := mayDrop && !g.vertical
	for canDrop && g.width() > width {
		i := g.lowValueColumn()
		if i < 0 {
			break
		}
		drop(i)
	}
	g.shorten(width, 16)
	for canDrop && g.width() > width && len(g.header) > 1 {
		drop(len(g.header) - 1)
	}
	g.shorten(width, 8)
	return dropped
}

// shorten cuts the widest text column, then the next, with an ellipsis
// until the grid fits width or no text column is wider than least.
func (g *grid) shorten(width, least int) {
	done := make([]bool, len(g.header)) // cut as far as it goes (a wide header stays)
	for total := g.width(); total > width; {
		widths := g.widths()
		best := -1
		for i, w := range widths {
			if !done[i] && !g.numeric[i] && !keepWhole(g.header[i]) && w > least && (best < 0 || w > widths[best]) {
				best = i
			}
		}
		if best < 0 {
			return
		}
		limit := max(least, widths[best]-(total-width))
		for _, r := range g.rows {
			r[best].text = ellipsis(r[best].text, limit)
		}
		if now := g.width(); now < total {
			total = now
		} else {
			done[best] = true
		}
	}
}

// lowValueColumn is the index of the low-value column to lose next, or
// -1 when there is none left.
func (g *grid) lowValueColumn() int {
	for _, name := range lowValue {
		if i := slices.Index(g.header, name); i > 0 {
			return i
		}
	}
	return -1
}

// keepWhole are columns a person copies, so never shortens: IDs and
// symbols.
func keepWhole(key string) bool {
	k := strings.ToLower(key)
	return k == "id" || strings.HasSuffix(k, "_id") || strings.HasSuffix(k, "uuid") ||
		strings.Contains(k, "symbol") || k == "instrument"
}

func ellipsis(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func (g *grid) headerTexts() []string {
	h := make([]string, len(g.header))
	for i, k := range g.header {
		h[i] = headerText(k)
	}
	return h
}

func (g *grid) widths() []int {
	w := make([]int, len(g.header))
	for i, h := range g.headerTexts() {
		w[i] = utf8.RuneCountInString(h)
	}
	for _, r := range g.rows {
		for i, c := range r {
			w[i] = max(w[i], utf8.RuneCountInString(c.text))
		}
	}
	return w
}

func (g *grid) width() int {
	total := 0
	for _, w := range g.widths() {
		total += w
	}
	return total + colGap*max(0, len(g.header)-1)
}

// writeTable prints the grid as aligned columns: text left, numbers right.
func (g *grid) writeTable(w io.Writer, color bool) error {
	if len(g.rows) == 0 {
		_, err := io.WriteString(w, "(no rows)\n")
		return err
	}
	widths := g.widths()
	var b strings.Builder
	line := func(cells []cell, header bool) {
		b.Reset()
		for i, c := range cells {
			if i > 0 {
				b.WriteString(strings.Repeat(" ", colGap))
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c.text))
			style := ""
			switch {
			case !color:
			case header:
				style = ansiBold
			case c.sign > 0:
				style = ansiGreen
			case c.sign < 0:
				style = ansiRed
			}
			if g.numeric[i] {
				b.WriteString(pad)
			}
			if style != "" {
				b.WriteString(style + c.text + ansiReset)
			} else {
				b.WriteString(c.text)
			}
			if !g.numeric[i] && i < len(cells)-1 {
				b.WriteString(pad)
			}
		}
		s := strings.TrimRight(b.String(), " ")
		b.Reset()
		b.WriteString(s)
		b.WriteByte('\n')
	}
	hdr := make([]cell, len(g.header))
	for i, h := range g.headerTexts() {
		hdr[i] = cell{text: h}
	}
	line(hdr, true)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	for _, r := range g.rows {
		line(r, false)
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}

// printGrid prints doc as a table or CSV in the printer's style.
func (p *Printer) printGrid(doc []byte, cols []string) error {
	human := p.format == Table
	if user := p.style.Columns; len(user) > 0 {
		if err := checkColumns(doc, user); err != nil {
			return err
		}
		cols = user
	}
	now := time.Now
	if p.style.Now != nil {
		now = p.style.Now
	}
	g, err := toGrid(doc, cols, human, human, now())
	if err != nil {
		return err
	}
	if p.format == CSV {
		return g.writeCSV(p.w)
	}
	// The user's own --columns all stay; only their text may shorten.
	dropped := g.fit(p.style.Width, len(p.style.Columns) == 0)
	if len(dropped) > 0 && p.style.Notice != nil {
		what := "columns"
		if len(dropped) == 1 {
			what = "column"
		}
		fmt.Fprintf(p.style.Notice, "kite: %d %s hidden to fit the terminal (%s): choose with --columns, or see all with -o json\n",
			len(dropped), what, strings.Join(dropped, ","))
	}
	return g.writeTable(p.w, p.style.Color)
}
