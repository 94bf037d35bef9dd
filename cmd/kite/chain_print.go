package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kitecli/kite/internal/output"
)

// chainSummary is the line above a chain: the ATM strike's IV and the
// positioning of the whole expiry.
type chainSummary struct {
	Underlying string
	Price      float64
	Model      string
	ATMStrike  float64
	ATMIV      *float64 // the mean of the ATM call's and put's, or either
	Days       float64
	PCR        *float64
	MaxPain    *float64
}

func summarise(all []chainRecord, atm int, p *chainPricing) chainSummary {
	s := chainSummary{Underlying: p.Contracts.Underlying, Price: p.UnderPrice, Model: p.Contracts.Model.String()}
	if len(all) == 0 {
		return s
	}
	s.Days = all[0].TimeToExpiry * 365
	r := all[atm]
	s.ATMStrike = r.Strike
	var ivs []float64
	for _, side := range []*chainQuote{r.Call, r.Put} {
		if side != nil && side.IV != nil {
			ivs = append(ivs, *side.IV)
		}
	}
	if len(ivs) > 0 {
		s.ATMIV = ptr((ivs[0] + ivs[len(ivs)-1]) / 2)
	}
	strikes := make([]float64, len(all))
	callOI, putOI := make([]int64, len(all)), make([]int64, len(all))
	for i, r := range all {
		strikes[i] = r.Strike
		if r.Call != nil {
			callOI[i] = r.Call.OI
		}
		if r.Put != nil {
			putOI[i] = r.Put.OI
		}
	}
	if pcr, ok := putCallRatio(callOI, putOI); ok {
		s.PCR = ptr(pcr)
	}
	if mp, ok := maxPain(strikes, callOI, putOI); ok {
		s.MaxPain = ptr(mp)
	}
	return s
}

// String is the summary line.
func (s chainSummary) String() string {
	na := func(v *float64, format string) string {
		if v == nil {
			return "n/a"
		}
		return fmt.Sprintf(format, *v)
	}
	iv := "n/a"
	if s.ATMIV != nil {
		iv = fmt.Sprintf("%.2f%%", *s.ATMIV*100)
	}
	return fmt.Sprintf("%s %s (%s) · ATM %s IV %s · %.2f days to expiry · PCR %s (OI) · max pain %s",
		s.Underlying, num(s.Price), s.Model, num(s.ATMStrike), iv, s.Days, na(s.PCR, "%.2f"), na(s.MaxPain, "%g"))
}

// Lines is the summary broken between its " · " parts so that no line is
// wider than width columns (a part wider than width gets a line of its
// own). width 0 means one line, as off a terminal.
func (s chainSummary) Lines(width int) []string {
	whole := s.String()
	if width <= 0 || utf8.RuneCountInString(whole) <= width {
		return []string{whole}
	}
	const sep = " · "
	var lines []string
	line := ""
	for _, part := range strings.Split(whole, sep) {
		switch {
		case line == "":
			line = part
		case utf8.RuneCountInString(line+sep+part) <= width:
			line += sep + part
		default:
			lines = append(lines, line)
			line = part
		}
	}
	return append(lines, line)
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// chainCSVRow is a record flattened for CSV.
type chainCSVRow struct {
	Underlying      string   `json:"underlying"`
	UnderlyingPrice float64  `json:"underlying_price"`
	Expiry          string   `json:"expiry"`
	TimeToExpiry    float64  `json:"time_to_expiry"`
	Rate            float64  `json:"rate"`
	Model           string   `json:"model"`
	Price           string   `json:"price"`
	Strike          float64  `json:"strike"`
	CallSymbol      string   `json:"call_symbol"`
	CallToken       uint32   `json:"call_instrument_token"`
	CallLast        float64  `json:"call_last_price"`
	CallBid         *float64 `json:"call_bid"`
	CallAsk         *float64 `json:"call_ask"`
	CallVolume      int64    `json:"call_volume"`
	CallOI          int64    `json:"call_oi"`
	CallOIChange    *int64   `json:"call_oi_change"`
	CallIV          *float64 `json:"call_iv"`
	CallDelta       *float64 `json:"call_delta"`
	CallGamma       *float64 `json:"call_gamma"`
	CallTheta       *float64 `json:"call_theta"`
	CallVega        *float64 `json:"call_vega"`
	PutSymbol       string   `json:"put_symbol"`
	PutToken        uint32   `json:"put_instrument_token"`
	PutLast         float64  `json:"put_last_price"`
	PutBid          *float64 `json:"put_bid"`
	PutAsk          *float64 `json:"put_ask"`
	PutVolume       int64    `json:"put_volume"`
	PutOI           int64    `json:"put_oi"`
	PutOIChange     *int64   `json:"put_oi_change"`
	PutIV           *float64 `json:"put_iv"`
	PutDelta        *float64 `json:"put_delta"`
	PutGamma        *float64 `json:"put_gamma"`
	PutTheta        *float64 `json:"put_theta"`
	PutVega         *float64 `json:"put_vega"`
}

func flatten(r chainRecord) chainCSVRow {
	row := chainCSVRow{Underlying: r.Underlying, UnderlyingPrice: r.UnderlyingPrice, Expiry: r.Expiry,
		TimeToExpiry: r.TimeToExpiry, Rate: r.Rate, Model: r.Model, Price: r.Price, Strike: r.Strike}
	if c := r.Call; c != nil {
		row.CallSymbol, row.CallToken, row.CallLast, row.CallBid, row.CallAsk = c.Symbol, c.InstrumentToken, c.LastPrice, c.Bid, c.Ask
		row.CallVolume, row.CallOI, row.CallOIChange = c.Volume, c.OI, c.OIChange
		row.CallIV, row.CallDelta, row.CallGamma, row.CallTheta, row.CallVega = c.IV, c.Delta, c.Gamma, c.Theta, c.Vega
	}
	if p := r.Put; p != nil {
		row.PutSymbol, row.PutToken, row.PutLast, row.PutBid, row.PutAsk = p.Symbol, p.InstrumentToken, p.LastPrice, p.Bid, p.Ask
		row.PutVolume, row.PutOI, row.PutOIChange = p.Volume, p.OI, p.OIChange
		row.PutIV, row.PutDelta, row.PutGamma, row.PutTheta, row.PutVega = p.IV, p.Delta, p.Gamma, p.Theta, p.Vega
	}
	return row
}

// printChain prints the records: a chain table on a terminal, else the
// records in the chosen format with the summary on stderr.
func (f *Factory) printChain(recs []chainRecord, sum chainSummary) error {
	format := f.Printer().Format()
	if format == output.Table && f.JQ() == nil {
		// On a terminal the summary wraps between its parts rather than
		// mid-word; a pipe gets it on one line.
		for _, l := range sum.Lines(f.IO.Width) {
			fmt.Fprintln(f.IO.Out, l)
		}
		return writeChainTable(f.IO.Out, recs, sum, f.IO.ColorEnabled())
	}
	fmt.Fprintln(f.IO.ErrOut, sum.String())
	if format == output.CSV && f.JQ() == nil {
		rows := make([]chainCSVRow, len(recs))
		for i, r := range recs {
			rows[i] = flatten(r)
		}
		return f.Printer().Print(rows)
	}
	return f.Printer().Print(recs)
}

// ANSI styles of the chain table.
const (
	styleATM   = "\x1b[1;7m"      // bold reverse: the ATM strike
	styleITM   = "\x1b[48;5;236m" // dark background: in-the-money halves
	styleReset = "\x1b[0m"
)

// chainColumns are each side's columns, read outward from the strike.
var chainColumns = []string{"LTP", "DELTA", "IV%", "VOLUME", "OI"}

func sideCells(q *chainQuote) []string {
	if q == nil {
		return []string{"", "", "", "", ""}
	}
	opt := func(v *float64, f func(float64) string) string {
		if v == nil {
			return "-"
		}
		return f(*v)
	}
	return []string{
		strconv.FormatFloat(q.LastPrice, 'f', 2, 64), // NFO options tick in 0.05
		opt(q.Delta, func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }),
		opt(q.IV, func(v float64) string { return strconv.FormatFloat(v*100, 'f', 2, 64) }),
		strconv.FormatInt(q.Volume, 10),
		strconv.FormatInt(q.OI, 10),
	}
}

// writeChainTable lays the chain out as traders read it: calls on the
// left, strikes in the middle, puts on the right. With colour the ATM
// strike is reversed and in-the-money halves shaded; without it the ATM
// strike is marked with asterisks.
func writeChainTable(w io.Writer, recs []chainRecord, sum chainSummary, color bool) error {
	n := len(chainColumns)
	header := make([]string, 0, 2*n+1)
	for i := n - 1; i >= 0; i-- {
		header = append(header, chainColumns[i])
	}
	header = append(header, "STRIKE")
	header = append(header, chainColumns...)
	rows := [][]string{header}
	for _, r := range recs {
		call, put := sideCells(r.Call), sideCells(r.Put)
		row := make([]string, 0, 2*n+1)
		for i := n - 1; i >= 0; i-- {
			row = append(row, call[i])
		}
		strike := num(r.Strike)
		if r.Strike == sum.ATMStrike && !color {
			strike = "*" + strike + "*"
		}
		row = append(row, strike)
		rows = append(rows, append(row, put...))
	}
	width := make([]int, 2*n+1)
	for _, row := range rows {
		for i, c := range row {
			width[i] = max(width[i], len(c))
		}
	}
	var b strings.Builder
	for ri, row := range rows {
		b.Reset()
		var strike float64
		if ri > 0 {
			strike = recs[ri-1].Strike
		}
		for i, c := range row {
			if i > 0 {
				b.WriteString("  ")
			}
			style := ""
			switch {
			case ri == 0 || !color:
			case i == n && strike == sum.ATMStrike:
				style = styleATM
			case i < n && strike < sum.Price, i > n && strike > sum.Price:
				style = styleITM
			}
			b.WriteString(style)
			if i == n {
				pad := width[i] - len(c)
				b.WriteString(strings.Repeat(" ", pad/2) + c + strings.Repeat(" ", pad-pad/2))
			} else {
				b.WriteString(strings.Repeat(" ", width[i]-len(c)) + c)
			}
			if style != "" {
				b.WriteString(styleReset)
			}
		}
		b.WriteByte('\n')
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}
