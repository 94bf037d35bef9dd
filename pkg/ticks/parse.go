package ticks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// NotTickError is a JSON record that is not a tick but says what it is
// instead, in a "type" field: an order update or a connection event, which
// a feed interleaves with ticks.
type NotTickError struct {
	Type string // the "type" value as JSON, e.g. "order" with its quotes
}

func (e *NotTickError) Error() string {
	return fmt.Sprintf(`not a tick record ("type":%s)`, e.Type)
}

// ParseJSON is the inverse of AppendJSON: it reads one tick record (the
// docs/design.md "tick record" shape) into a Tick and returns its "symbol", if
// any. It is for turning NDJSON back into binary captures (`kite ticks
// encode`), not a hot path, so it uses encoding/json.
//
// Prices are parsed exactly from their decimal text, as JSON numbers or
// strings ("1573.7" or 1573.7), at the precision of the token's segment;
// more significant decimals than the segment has are an error, never
// rounded. Times are RFC 3339 strings (any offset) or null. "tradable" and
// "change" are derived from the token and prices, and "recv_time" (kite
// stream --recv-time) is not part of the tick, so they are accepted and
// ignored. Unknown fields, and fields the record's mode does not carry, are
// errors: they would be silently lost in the binary form. Index records
// (segment 9) carry no net change in JSON; it is set to last_price − close,
// which is what Kite sends.
func ParseJSON(line []byte) (Tick, string, error) {
	var r jsonRecord
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil {
		// kite stream --orders and --events interleave records with a
		// "type"; say so rather than name their first unknown field.
		var other struct {
			Type json.RawMessage `json:"type"`
		}
		if json.Unmarshal(line, &other) == nil && other.Type != nil {
			return Tick{}, "", &NotTickError{Type: string(other.Type)}
		}
		return Tick{}, "", fmt.Errorf("invalid tick record: %w", jsonProblem(err))
	}
	if dec.More() {
		return Tick{}, "", errors.New("invalid tick record: more than one JSON value on the line")
	}
	var t Tick
	mode, ok := ParseMode(r.Mode)
	if !ok {
		return Tick{}, "", fmt.Errorf("invalid tick record: mode %q: want ltp, quote or full", r.Mode)
	}
	t.Mode = mode
	if r.InstrumentToken == "" {
		return Tick{}, "", errors.New("invalid tick record: instrument_token is missing")
	}
	tok, err := strconv.ParseUint(string(r.InstrumentToken), 10, 32)
	if err != nil {
		return Tick{}, "", fmt.Errorf("invalid tick record: instrument_token %s: want an integer from 0 to %d", r.InstrumentToken, uint32(math.MaxUint32))
	}
	t.InstrumentToken = uint32(tok)
	p := parser{dec: DivisorDecimals(t.Segment())}
	t.LastPrice = p.price("last_price", r.LastPrice)

	quoteOnly := r.LastTradedQuantity != nil || r.AverageTradedPrice != nil || r.VolumeTraded != nil ||
		r.TotalBuyQuantity != nil || r.TotalSellQuantity != nil
	fullOnly := r.LastTradeTime != nil || r.OI != nil || r.OIDayHigh != nil || r.OIDayLow != nil || r.Depth != nil
	switch {
	case mode == ModeLTP && (quoteOnly || fullOnly || r.OHLC != nil || r.ExchangeTimestamp != nil):
		return Tick{}, "", errors.New("invalid tick record: an ltp record carries only instrument_token and last_price")
	case t.IsIndex() && (quoteOnly || fullOnly):
		return Tick{}, "", errors.New("invalid tick record: an index record (segment 9) carries only last_price, ohlc, change and exchange_timestamp")
	case mode == ModeQuote && (fullOnly || r.ExchangeTimestamp != nil):
		return Tick{}, "", errors.New("invalid tick record: a quote record has no last_trade_time, oi, exchange_timestamp or depth (use mode full)")
	}

	if r.OHLC != nil {
		t.Open = p.price("ohlc.open", r.OHLC.Open)
		t.High = p.price("ohlc.high", r.OHLC.High)
		t.Low = p.price("ohlc.low", r.OHLC.Low)
		t.Close = p.price("ohlc.close", r.OHLC.Close)
	}
	t.LastTradedQuantity = p.uint32("last_traded_quantity", r.LastTradedQuantity)
	t.AverageTradedPrice = p.price("average_traded_price", r.AverageTradedPrice)
	t.VolumeTraded = p.uint32("volume_traded", r.VolumeTraded)
	t.TotalBuyQuantity = p.uint32("total_buy_quantity", r.TotalBuyQuantity)
	t.TotalSellQuantity = p.uint32("total_sell_quantity", r.TotalSellQuantity)
	t.LastTradeTime = p.time("last_trade_time", r.LastTradeTime)
	t.OI = p.uint32("oi", r.OI)
	t.OIDayHigh = p.uint32("oi_day_high", r.OIDayHigh)
	t.OIDayLow = p.uint32("oi_day_low", r.OIDayLow)
	t.ExchangeTimestamp = p.time("exchange_timestamp", r.ExchangeTimestamp)
	if r.Depth != nil {
		p.depth("depth.buy", r.Depth.Buy, &t.Depth.Buy)
		p.depth("depth.sell", r.Depth.Sell, &t.Depth.Sell)
	}
	if p.err != nil {
		return Tick{}, "", fmt.Errorf("invalid tick record: %w", p.err)
	}
	if t.IsIndex() && mode != ModeLTP {
		t.NetChange = int32(int64(t.LastPrice) - int64(t.Close))
	}
	return t, r.Symbol, nil
}

// jsonProblem says what is wrong with a line in the record's terms, not
// encoding/json's ("cannot unmarshal array into Go value of type
// ticks.jsonRecord"). The original stays in the chain.
func jsonProblem(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te) && te.Field == "":
		return &recordError{"want a JSON object such as kite stream prints, got " + article(te.Value), err}
	case errors.As(err, &te):
		return &recordError{fmt.Sprintf("%s: want %s, got %s", te.Field, jsonKind(te.Type), article(te.Value)), err}
	case errors.As(err, &se):
		return &recordError{fmt.Sprintf("not valid JSON at byte %d", se.Offset), err}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &recordError{"the JSON is cut short", err}
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return &recordError{"unknown field " + field, err}
	}
	return err
}

// recordError is a message for people over the error that caused it.
type recordError struct {
	msg string
	err error
}

func (e *recordError) Error() string { return e.msg }
func (e *recordError) Unwrap() error { return e.err }

// article names a JSON value kind as encoding/json reports it ("array").
func article(kind string) string {
	switch kind {
	case "array", "object":
		return "an " + kind
	case "number", "string", "bool":
		return "a " + kind
	}
	return kind
}

// jsonKind names what a field of jsonRecord takes.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	if t == reflect.TypeFor[json.Number]() {
		return "a number"
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	}
	return "another type"
}

type jsonRecord struct {
	Tradable           *bool           `json:"tradable"`
	Mode               string          `json:"mode"`
	InstrumentToken    json.Number     `json:"instrument_token"`
	LastPrice          json.RawMessage `json:"last_price"`
	LastTradedQuantity json.RawMessage `json:"last_traded_quantity"`
	AverageTradedPrice json.RawMessage `json:"average_traded_price"`
	VolumeTraded       json.RawMessage `json:"volume_traded"`
	TotalBuyQuantity   json.RawMessage `json:"total_buy_quantity"`
	TotalSellQuantity  json.RawMessage `json:"total_sell_quantity"`
	OHLC               *struct {
		Open  json.RawMessage `json:"open"`
		High  json.RawMessage `json:"high"`
		Low   json.RawMessage `json:"low"`
		Close json.RawMessage `json:"close"`
	} `json:"ohlc"`
	Change            json.RawMessage `json:"change"`
	LastTradeTime     json.RawMessage `json:"last_trade_time"`
	OI                json.RawMessage `json:"oi"`
	OIDayHigh         json.RawMessage `json:"oi_day_high"`
	OIDayLow          json.RawMessage `json:"oi_day_low"`
	ExchangeTimestamp json.RawMessage `json:"exchange_timestamp"`
	Depth             *struct {
		Buy  []jsonDepth `json:"buy"`
		Sell []jsonDepth `json:"sell"`
	} `json:"depth"`
	Symbol string `json:"symbol"`
	// Added by kite stream --recv-time; not part of the tick.
	RecvTime json.RawMessage `json:"recv_time"`
}

type jsonDepth struct {
	Quantity json.RawMessage `json:"quantity"`
	Price    json.RawMessage `json:"price"`
	Orders   json.RawMessage `json:"orders"`
}

// parser keeps the first field error, so the field conversions read as a
// flat list.
type parser struct {
	dec int
	err error
}

func (p *parser) fail(field string, raw json.RawMessage, want string) {
	if p.err == nil {
		p.err = fmt.Errorf("%s %s: want %s", field, raw, want)
	}
}

// text returns the number's text, unquoting a JSON string; "" for absent or null.
func text(raw json.RawMessage) string {
	s := string(bytes.TrimSpace(raw))
	if s == "null" {
		return ""
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

func (p *parser) uint32(field string, raw json.RawMessage) uint32 {
	s := text(raw)
	if s == "" {
		return 0
	}
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		p.fail(field, raw, fmt.Sprintf("an integer from 0 to %d", uint32(math.MaxUint32)))
	}
	return uint32(v)
}

func (p *parser) price(field string, raw json.RawMessage) int32 {
	s := text(raw)
	if s == "" {
		return 0
	}
	v, ok := ParsePrice(s, p.dec)
	if !ok {
		p.fail(field, raw, fmt.Sprintf("a decimal with at most %d decimal places, within ±%s", p.dec, string(appendDecimal(nil, math.MaxInt32, p.dec))))
	}
	return v
}

func (p *parser) time(field string, raw json.RawMessage) uint32 {
	s := text(raw)
	if s == "" {
		return 0
	}
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil || tm.Unix() <= 0 || tm.Unix() > math.MaxUint32 {
		p.fail(field, raw, `an RFC 3339 time such as "2021-07-05T10:41:27+05:30" (1970 to 2106), or null`)
		return 0
	}
	return uint32(tm.Unix())
}

func (p *parser) depth(field string, in []jsonDepth, out *[5]DepthItem) {
	if len(in) > len(out) {
		if p.err == nil {
			p.err = fmt.Errorf("%s has %d entries: want at most 5", field, len(in))
		}
		return
	}
	for i := range in {
		f := fmt.Sprintf("%s[%d]", field, i)
		out[i].Quantity = p.uint32(f+".quantity", in[i].Quantity)
		out[i].Price = p.price(f+".price", in[i].Price)
		o := p.uint32(f+".orders", in[i].Orders)
		if o > math.MaxUint16 {
			p.fail(f+".orders", in[i].Orders, "an integer from 0 to 65535")
		}
		out[i].Orders = uint16(o)
	}
}

// ParsePrice parses a plain decimal ("-1573.70", "0.05", "1573") into an
// integer count of 10^-dec units, exactly. It refuses exponents, more
// non-zero decimals than dec, and values outside int32.
func ParsePrice(s string, dec int) (int32, bool) {
	neg := false
	if s != "" && s[0] == '-' {
		neg, s = true, s[1:]
	}
	if s == "" {
		return 0, false
	}
	var v int64
	digits, frac, point := 0, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && !point:
			point = true
			continue
		case c < '0' || c > '9':
			return 0, false
		}
		digits++
		if point {
			if frac == dec {
				if c != '0' {
					return 0, false
				}
				continue
			}
			frac++
		}
		v = v*10 + int64(c-'0')
		if v > 1<<31 { // the final value is at least v: out of range already
			return 0, false
		}
	}
	if digits == 0 || s[0] == '.' || s[len(s)-1] == '.' {
		return 0, false
	}
	v *= int64(pow10[dec-frac])
	if neg {
		v = -v
	}
	if v > math.MaxInt32 || v < math.MinInt32 {
		return 0, false
	}
	return int32(v), true
}
