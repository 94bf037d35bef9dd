package kite

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Instrument is one row of Kite's instrument dump (GET /instruments). The
// JSON names are Kite's CSV column names, in Kite's order, so every output
// format carries Kite's columns.
type Instrument struct {
	InstrumentToken uint32  `json:"instrument_token"`
	ExchangeToken   uint32  `json:"exchange_token"`
	Tradingsymbol   string  `json:"tradingsymbol"`
	Name            string  `json:"name"`
	LastPrice       float64 `json:"last_price"`
	Expiry          string  `json:"expiry"` // "2026-11-26" or ""
	Strike          float64 `json:"strike"`
	TickSize        float64 `json:"tick_size"`
	LotSize         int     `json:"lot_size"`
	InstrumentType  string  `json:"instrument_type"`
	Segment         string  `json:"segment"`
	Exchange        string  `json:"exchange"`
}

// Symbol is the instrument's EXCHANGE:TRADINGSYMBOL, the key Kite's quote
// endpoints use.
func (i Instrument) Symbol() string { return i.Exchange + ":" + i.Tradingsymbol }

// instrumentColumns are the dump's columns, in Kite's order (read-only).
var instrumentColumns = [...]string{"instrument_token", "exchange_token", "tradingsymbol", "name",
	"last_price", "expiry", "strike", "tick_size", "lot_size", "instrument_type", "segment", "exchange"}

// ParseInstrumentsCSV parses Kite's instrument dump. Columns are found by
// their header names, so a reordered or extended dump still parses; the
// token, tradingsymbol and exchange columns are required. The input is
// untrusted: a malformed row is an error naming its line, never a panic.
func ParseInstrumentsCSV(r io.Reader) ([]Instrument, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("instrument dump is empty (no header)")
	}
	if err != nil {
		return nil, fmt.Errorf("instrument dump header: %w", err)
	}
	var col [len(instrumentColumns)]int
	for i := range col {
		col[i] = -1
	}
	for j, h := range header {
		h = strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")
		for i, name := range instrumentColumns {
			if h == name && col[i] < 0 {
				col[i] = j
			}
		}
	}
	for _, required := range []int{0, 2, 11} {
		if col[required] < 0 {
			return nil, fmt.Errorf("instrument dump has no %q column", instrumentColumns[required])
		}
	}
	var out []Instrument
	if l, ok := r.(interface{ Len() int }); ok {
		// Kite's rows are 60-100 bytes: size the slice once instead of
		// growing it through a dozen copies of a 100k-row dump.
		out = make([]Instrument, 0, l.Len()/64+1)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("instrument dump: %w", err)
		}
		line, _ := cr.FieldPos(0)
		inst, err := parseInstrumentRow(rec, &col)
		if err != nil {
			return nil, fmt.Errorf("instrument dump line %d: %w", line, err)
		}
		out = append(out, inst)
	}
}

func parseInstrumentRow(rec []string, col *[len(instrumentColumns)]int) (Instrument, error) {
	field := func(i int) string {
		if j := col[i]; j >= 0 && j < len(rec) {
			return rec[j]
		}
		return ""
	}
	var in Instrument
	var err error
	u32 := func(i int) uint32 {
		s := field(i)
		if s == "" || err != nil {
			return 0
		}
		v, perr := strconv.ParseUint(s, 10, 32)
		if perr != nil {
			err = fmt.Errorf("%s %q is not a 32-bit unsigned integer", instrumentColumns[i], s)
		}
		return uint32(v)
	}
	f64 := func(i int) float64 {
		s := field(i)
		if s == "" || err != nil {
			return 0
		}
		v, perr := strconv.ParseFloat(s, 64)
		if perr != nil {
			err = fmt.Errorf("%s %q is not a number", instrumentColumns[i], s)
		}
		return v
	}
	in.InstrumentToken = u32(0)
	in.ExchangeToken = u32(1)
	in.Tradingsymbol = field(2)
	in.Name = field(3)
	in.LastPrice = f64(4)
	in.Expiry = field(5)
	in.Strike = f64(6)
	in.TickSize = f64(7)
	if s := field(8); s != "" && err == nil {
		lot, perr := strconv.ParseFloat(s, 64) // some dumps write "1.0"
		if perr != nil || lot != float64(int(lot)) || lot < 0 {
			err = fmt.Errorf("lot_size %q is not a whole number", s)
		}
		in.LotSize = int(lot)
	}
	in.InstrumentType = field(9)
	in.Segment = field(10)
	in.Exchange = field(11)
	if err == nil && (in.Tradingsymbol == "" || in.Exchange == "") {
		err = errors.New("empty tradingsymbol or exchange")
	}
	return in, err
}

// UnknownSymbolError is a symbol the resolver cannot map to an instrument:
// the input is wrong, not Kite, and nothing was asked of Kite for it.
type UnknownSymbolError struct {
	Symbol string
}

func (e *UnknownSymbolError) Error() string {
	if _, _, ok := e.Split(); !ok {
		return fmt.Sprintf("unknown instrument %q: write it as EXCHANGE:TRADINGSYMBOL (e.g. NSE:INFY) or an instrument token", e.Symbol)
	}
	return fmt.Sprintf("unknown instrument %q", e.Symbol)
}

// Split is the symbol's exchange and tradingsymbol, upper-cased, and
// whether it has the EXCHANGE:TRADINGSYMBOL form at all: where to look
// for what was meant.
func (e *UnknownSymbolError) Split() (exchange, tradingsymbol string, ok bool) {
	exch, sym, ok := strings.Cut(e.Symbol, ":")
	if !ok || exch == "" || strings.TrimSpace(sym) == "" {
		return "", "", false
	}
	return strings.ToUpper(exch), strings.ToUpper(sym), true
}

// Resolver maps what users type (NSE:INFY, nse:infy, 408065) to instruments.
// It is read-only after NewResolver and safe for concurrent use.
type Resolver struct {
	insts    []Instrument
	bySymbol map[symbolKey]int // upper case
	byToken  map[uint32]int
}

// symbolKey avoids building an "EXCHANGE:TRADINGSYMBOL" string per row:
// Kite's dump is ~100k rows and every command that resolves indexes it.
type symbolKey struct{ exchange, tradingsymbol string }

// NewResolver indexes insts. When a symbol or token appears twice, the
// first row wins.
func NewResolver(insts []Instrument) *Resolver {
	r := &Resolver{
		insts:    insts,
		bySymbol: make(map[symbolKey]int, len(insts)),
		byToken:  make(map[uint32]int, len(insts)),
	}
	for i, in := range insts {
		// ToUpper returns its argument, unallocated, when it is already
		// upper case, as Kite's symbols are.
		key := symbolKey{strings.ToUpper(in.Exchange), strings.ToUpper(in.Tradingsymbol)}
		if _, dup := r.bySymbol[key]; !dup {
			r.bySymbol[key] = i
		}
		if _, dup := r.byToken[in.InstrumentToken]; !dup {
			r.byToken[in.InstrumentToken] = i
		}
	}
	return r
}

// Resolve finds "EXCHANGE:TRADINGSYMBOL" (case-insensitive) or a numeric
// instrument token. Anything else is an *UnknownSymbolError.
func (r *Resolver) Resolve(s string) (Instrument, error) {
	s = strings.TrimSpace(s)
	if tok, err := strconv.ParseUint(s, 10, 32); err == nil {
		if in, ok := r.ByToken(uint32(tok)); ok {
			return in, nil
		}
		return Instrument{}, &UnknownSymbolError{Symbol: s}
	}
	if exch, sym, ok := strings.Cut(s, ":"); ok {
		if i, ok := r.bySymbol[symbolKey{strings.ToUpper(exch), strings.ToUpper(sym)}]; ok {
			return r.insts[i], nil
		}
	}
	return Instrument{}, &UnknownSymbolError{Symbol: s}
}

// ByToken finds an instrument by its instrument token.
func (r *Resolver) ByToken(token uint32) (Instrument, bool) {
	i, ok := r.byToken[token]
	if !ok {
		return Instrument{}, false
	}
	return r.insts[i], true
}

// Instruments is every instrument the resolver knows, in dump order. The
// slice is shared: do not modify it.
func (r *Resolver) Instruments() []Instrument { return r.insts }

// SearchOptions narrow Search.
type SearchOptions struct {
	Exchange string // "" = any
	Type     string // instrument_type: EQ, FUT, CE, PE, … "" = any
	Expiry   string // "2026-11-26" exact or "2026-11" month prefix; "" = any
	Limit    int    // 0 = no limit
}

// Search finds instruments whose tradingsymbol or name contains query
// (case-insensitive), best matches first: an exact tradingsymbol, then
// tradingsymbols starting with the query, then the rest; nearer expiries
// first within each group.
func (r *Resolver) Search(query string, o SearchOptions) []Instrument {
	q := strings.ToUpper(strings.TrimSpace(query))
	type hit struct {
		rank int
		i    int
	}
	var hits []hit
	for i, in := range r.insts {
		if o.Exchange != "" && !strings.EqualFold(in.Exchange, o.Exchange) ||
			o.Type != "" && !strings.EqualFold(in.InstrumentType, o.Type) ||
			o.Expiry != "" && !strings.HasPrefix(in.Expiry, o.Expiry) {
			continue
		}
		sym := strings.ToUpper(in.Tradingsymbol)
		rank := -1
		switch {
		case sym == q:
			rank = 0
		case strings.HasPrefix(sym, q):
			rank = 1
		case strings.Contains(sym, q):
			rank = 2
		case strings.Contains(strings.ToUpper(in.Name), q):
			rank = 3
		}
		if rank >= 0 {
			hits = append(hits, hit{rank, i})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		ea, eb := r.insts[a.i].Expiry, r.insts[b.i].Expiry
		if ea != eb {
			// no expiry (equities, indices) before any expiry
			return strings.Compare(ea, eb)
		}
		return strings.Compare(r.insts[a.i].Tradingsymbol, r.insts[b.i].Tradingsymbol)
	})
	if o.Limit > 0 && len(hits) > o.Limit {
		hits = hits[:o.Limit]
	}
	out := make([]Instrument, len(hits))
	for k, h := range hits {
		out[k] = r.insts[h.i]
	}
	return out
}
