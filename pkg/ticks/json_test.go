package ticks

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

const fullDepthJSON = `"depth":{"buy":[{"quantity":100,"price":1573.65,"orders":1},{"quantity":200,"price":1573.6,"orders":2},{"quantity":300,"price":1573.55,"orders":3},{"quantity":400,"price":1573.5,"orders":4},{"quantity":500,"price":1573.45,"orders":5}],` +
	`"sell":[{"quantity":100,"price":1573.75,"orders":1},{"quantity":200,"price":1573.8,"orders":2},{"quantity":300,"price":1573.85,"orders":3},{"quantity":400,"price":1573.9,"orders":4},{"quantity":500,"price":1573.95,"orders":5}]}`

func TestAppendJSONGolden(t *testing.T) {
	cds := Tick{Mode: ModeQuote, InstrumentToken: usdinr, LastPrice: 745012500, Open: 740000000, High: 750000001, Low: 1, Close: 745000000}
	bcd := Tick{Mode: ModeLTP, InstrumentToken: bcdTok, LastPrice: 745025}
	negative := Tick{Mode: ModeQuote, InstrumentToken: infy, LastPrice: -5, AverageTradedPrice: -120, Open: 100, High: 100, Low: -5, Close: 300}
	zeroClose := Tick{Mode: ModeFull, InstrumentToken: nifty, LastPrice: 100}
	cases := []struct {
		name   string
		tick   Tick
		symbol string
		want   string
	}{
		{"ltp", ltpTick, "", `{"tradable":true,"mode":"ltp","instrument_token":408065,"last_price":1573.7}`},
		{"ltp with symbol", ltpTick, "NSE:INFY", `{"tradable":true,"mode":"ltp","instrument_token":408065,"last_price":1573.7,"symbol":"NSE:INFY"}`},
		{"index quote", indexQuoteTick, "NSE:NIFTY 50",
			`{"tradable":false,"mode":"quote","instrument_token":256265,"last_price":24567.85,"ohlc":{"open":24450,"high":24600,"low":24400.5,"close":24500},"change":0.2769,"symbol":"NSE:NIFTY 50"}`},
		{"index full", indexFullTick, "",
			`{"tradable":false,"mode":"full","instrument_token":256265,"last_price":24567.85,"ohlc":{"open":24450,"high":24600,"low":24400.5,"close":24500},"change":0.2769,"exchange_timestamp":"2021-07-05T10:48:07+05:30"}`},
		{"quote", quoteTick, "",
			`{"tradable":true,"mode":"quote","instrument_token":408065,"last_price":1573.7,"last_traded_quantity":25,"average_traded_price":1568.12,"volume_traded":4012345,"total_buy_quantity":120034,"total_sell_quantity":98001,"ohlc":{"open":1550,"high":1580,"low":1545.1,"close":1555},"change":1.2026}`},
		{"full", fullTick, "NSE:INFY",
			`{"tradable":true,"mode":"full","instrument_token":408065,"last_price":1573.7,"last_traded_quantity":25,"average_traded_price":1568.12,"volume_traded":4012345,"total_buy_quantity":120034,"total_sell_quantity":98001,"ohlc":{"open":1550,"high":1580,"low":1545.1,"close":1555},"change":1.2026,` +
				`"last_trade_time":"2021-07-05T10:48:05+05:30","oi":0,"oi_day_high":0,"oi_day_low":0,"exchange_timestamp":"2021-07-05T10:48:07+05:30",` + fullDepthJSON + `,"symbol":"NSE:INFY"}`},
		{"cds: 7 decimals", cds, "",
			`{"tradable":true,"mode":"quote","instrument_token":1001475,"last_price":74.50125,"last_traded_quantity":0,"average_traded_price":0,"volume_traded":0,"total_buy_quantity":0,"total_sell_quantity":0,"ohlc":{"open":74,"high":75.0000001,"low":0.0000001,"close":74.5},"change":0.0017}`},
		{"bcd: 4 decimals", bcd, "", `{"tradable":true,"mode":"ltp","instrument_token":32006,"last_price":74.5025}`},
		{"negative prices", negative, "",
			`{"tradable":true,"mode":"quote","instrument_token":408065,"last_price":-0.05,"last_traded_quantity":0,"average_traded_price":-1.2,"volume_traded":0,"total_buy_quantity":0,"total_sell_quantity":0,"ohlc":{"open":1,"high":1,"low":-0.05,"close":3},"change":-101.6667}`},
		{"zero close and zero timestamp", zeroClose, "",
			`{"tradable":false,"mode":"full","instrument_token":256265,"last_price":1,"ohlc":{"open":0,"high":0,"low":0,"close":0},"change":0,"exchange_timestamp":null}`},
		{"symbol escaping", ltpTick, "a\"b\\c\n\x01é\xff",
			`{"tradable":true,"mode":"ltp","instrument_token":408065,"last_price":1573.7,"symbol":"a\"b\\c\n\u0001é\ufffd"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := AppendJSON([]byte("prefix"), &c.tick, c.symbol)
			want := "prefix" + c.want + "\n"
			if string(got) != want {
				t.Fatalf("got\n%s\nwant\n%s", got, want)
			}
			if !json.Valid(got[len("prefix"):]) {
				t.Fatalf("not valid JSON: %s", got)
			}
		})
	}
}

// TestAppendJSONValuesMatchOracle checks random ticks of every kind and
// segment: the output parses, and each price, change and time equals what
// math/big and the time package (independent of the codec) compute.
func TestAppendJSONValuesMatchOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	ist := time.FixedZone("IST", 5*3600+1800)
	var buf []byte
	for range 2000 {
		seg := allSegments[r.IntN(len(allSegments))]
		tk := randomTick(r, []Mode{ModeLTP, ModeQuote, ModeFull}[r.IntN(3)], seg)
		buf = AppendJSON(buf[:0], &tk, "NSE:X")
		var rec map[string]any
		dec := json.NewDecoder(bytes.NewReader(buf))
		dec.UseNumber()
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("%s: %v", buf, err)
		}
		div := big.NewRat(Divisor(seg), 1)
		wantPrice := func(v int32) string {
			return trimDecimal(new(big.Rat).Quo(big.NewRat(int64(v), 1), div).FloatString(DivisorDecimals(seg)))
		}
		wantTime := func(s uint32) any {
			if s == 0 {
				return nil
			}
			return time.Unix(int64(s), 0).In(ist).Format(time.RFC3339)
		}
		check := func(name string, got any, want any) {
			t.Helper()
			if n, ok := got.(json.Number); ok {
				got = n.String()
			}
			if got != want {
				t.Fatalf("%s = %v, want %v in %s", name, got, want, buf)
			}
		}
		check("last_price", rec["last_price"], wantPrice(tk.LastPrice))
		check("symbol", rec["symbol"], "NSE:X")
		check("tradable", rec["tradable"], seg != SegmentIndices)
		if tk.Mode == ModeLTP {
			if len(rec) != 5 {
				t.Fatalf("ltp record has %d fields: %s", len(rec), buf)
			}
			continue
		}
		ohlc := rec["ohlc"].(map[string]any)
		check("open", ohlc["open"], wantPrice(tk.Open))
		check("close", ohlc["close"], wantPrice(tk.Close))
		check("change", rec["change"], wantChange(tk.LastPrice, tk.Close))
		if tk.Mode == ModeFull {
			check("exchange_timestamp", rec["exchange_timestamp"], wantTime(tk.ExchangeTimestamp))
		}
		if seg == SegmentIndices || tk.Mode != ModeFull {
			continue
		}
		check("last_trade_time", rec["last_trade_time"], wantTime(tk.LastTradeTime))
		sell := rec["depth"].(map[string]any)["sell"].([]any)
		check("depth.sell[4].price", sell[4].(map[string]any)["price"], wantPrice(tk.Depth.Sell[4].Price))
	}
}

// trimDecimal applies AppendJSON's documented rule to a fixed-point string.
func trimDecimal(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		return "0"
	}
	return s
}

// wantChange is the documented change: percent, rounded half away from zero
// to 4 places, computed with big.Rat.
func wantChange(last, close int32) string {
	if close == 0 {
		return "0"
	}
	q := new(big.Rat).SetFrac(big.NewInt((int64(last)-int64(close))*100), big.NewInt(int64(close)))
	neg := q.Sign() < 0
	q.Abs(q)
	q.Mul(q, big.NewRat(10000, 1))
	q.Add(q, big.NewRat(1, 2))
	n := new(big.Int).Quo(q.Num(), q.Denom()) // floor, as q > 0
	if neg {
		n.Neg(n)
	}
	return trimDecimal(new(big.Rat).SetFrac(n, big.NewInt(10000)).FloatString(4))
}

func TestTimesAcrossTheRange(t *testing.T) {
	ist := time.FixedZone("IST", 5*3600+1800)
	for _, s := range []uint32{1, 59, 86399, 951782400 /* 2000-02-29 */, 1625462287, 4102444800 /* 2100-01-01 */, math.MaxUint32} {
		got := string(new(timeCache).append(nil, s))
		want := `"` + time.Unix(int64(s), 0).In(ist).Format(time.RFC3339) + `"`
		if got != want {
			t.Fatalf("time %d printed as %s, want %s", s, got, want)
		}
	}
	if got := string(new(timeCache).append(nil, 0)); got != "null" {
		t.Fatalf("zero time = %s", got)
	}
}

func TestAppendJSONDoesNotAllocate(t *testing.T) {
	buf := make([]byte, 0, 4096)
	msg := message(fullPacket, indexFullPacket, quotePacket, ltpPacket)
	n := testing.AllocsPerRun(100, func() {
		it := NewIter(msg)
		var tk Tick
		buf = buf[:0]
		for it.Next(&tk) {
			buf = AppendJSON(buf, &tk, "NSE:INFY")
		}
	})
	if n != 0 {
		t.Fatalf("decode + AppendJSON allocated %v times per run", n)
	}
}

func TestParseJSONInvertsAppendJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var buf []byte
	for range 2000 {
		seg := allSegments[r.IntN(len(allSegments))]
		in := randomTick(r, []Mode{ModeLTP, ModeQuote, ModeFull}[r.IntN(3)], seg)
		if in.IsIndex() && in.Mode != ModeLTP {
			// JSON has no net change; ParseJSON rebuilds it as Kite computes it.
			in.NetChange = int32(int64(in.LastPrice) - int64(in.Close))
		}
		buf = AppendJSON(buf[:0], &in, "BSE:X")
		out, sym, err := ParseJSON(buf)
		if err != nil {
			t.Fatalf("%s: %v", buf, err)
		}
		if sym != "BSE:X" || !reflect.DeepEqual(out, in) {
			t.Fatalf("round trip of %s:\nin  %+v\nout %+v", buf, in, out)
		}
	}
}

func TestParseJSONAcceptsStringsAndOtherOffsets(t *testing.T) {
	line := `{"mode":"full","instrument_token":408065,"recv_time":1625462287000000123,"last_price":"1573.70","exchange_timestamp":"2021-07-04T23:48:07-05:30","last_trade_time":null,"depth":{"buy":[{"quantity":1,"price":"-0.05","orders":2}]}}`
	got, sym, err := ParseJSON([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	want := Tick{Mode: ModeFull, InstrumentToken: infy, LastPrice: 157370, ExchangeTimestamp: 1625462287}
	want.Depth.Buy[0] = DepthItem{Quantity: 1, Price: -5, Orders: 2}
	if sym != "" || got != want {
		t.Fatalf("got %+v", got)
	}
}

func TestParseJSONErrors(t *testing.T) {
	cases := []struct{ line, want string }{
		{`not json`, "invalid tick record"},
		{`{"mode":"ltp"}`, "instrument_token is missing"},
		{`{"mode":"slow","instrument_token":1}`, `mode "slow": want ltp, quote or full`},
		{`{"mode":"ltp","instrument_token":408065,"last_prce":1}`, `unknown field "last_prce"`},
		{`{"mode":"ltp","instrument_token":408065,"last_price":1573.705}`, "last_price 1573.705: want a decimal with at most 2 decimal places"},
		{`{"mode":"ltp","instrument_token":408065,"last_price":1e3}`, "last_price 1e3"},
		{`{"mode":"ltp","instrument_token":408065,"last_price":30000000}`, "within ±21474836.47"},
		{`{"mode":"ltp","instrument_token":408065,"volume_traded":1}`, "an ltp record carries only"},
		{`{"mode":"quote","instrument_token":408065,"oi":1}`, "use mode full"},
		{`{"mode":"full","instrument_token":256265,"volume_traded":1}`, "an index record (segment 9)"},
		{`{"mode":"full","instrument_token":408065,"oi":-1}`, "oi -1: want an integer"},
		{`{"mode":"full","instrument_token":408065,"exchange_timestamp":"yesterday"}`, "exchange_timestamp \"yesterday\": want an RFC 3339 time"},
		{`{"mode":"full","instrument_token":408065,"depth":{"buy":[{},{},{},{},{},{}]}}`, "depth.buy has 6 entries"},
		{`{"mode":"full","instrument_token":408065,"depth":{"sell":[{"orders":70000}]}}`, "depth.sell[0].orders 70000"},
		{`{"mode":"ltp","instrument_token":4294967296}`, "instrument_token 4294967296"},
		{`{"mode":"ltp","instrument_token":1} {}`, "more than one JSON value"},
		{`{"type":"order","data":{"order_id":"1"}}`, `not a tick record ("type":"order")`},
	}
	for _, c := range cases {
		_, _, err := ParseJSON([]byte(c.line))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseJSON(%s) = %v, want an error containing %q", c.line, err, c.want)
		}
		if nt := (*NotTickError)(nil); errors.As(err, &nt) != strings.HasPrefix(c.line, `{"type"`) || nt != nil && nt.Type != `"order"` {
			t.Errorf("ParseJSON(%s) = %v: want a *NotTickError exactly for a typed record", c.line, err)
		}
	}
}

func TestParsePrice(t *testing.T) {
	cases := []struct {
		s    string
		dec  int
		want int32
		ok   bool
	}{
		{"1573.7", 2, 157370, true},
		{"1573.70", 2, 157370, true},
		{"1573.700000", 2, 157370, true},
		{"1573", 2, 157300, true},
		{"-0.05", 2, -5, true},
		{"74.50125", 7, 745012500, true},
		{"0.0000001", 7, 1, true},
		{"214.7483647", 7, math.MaxInt32, true},
		{"-214.7483648", 7, math.MinInt32, true},
		{"214.7483648", 7, 0, false},
		{"1573.705", 2, 0, false},
		{"", 2, 0, false},
		{"-", 2, 0, false},
		{".5", 2, 0, false},
		{"5.", 2, 0, false},
		{"1.2.3", 2, 0, false},
		{"99999999999999999999", 2, 0, false},
		{"+1", 2, 0, false},
	}
	for _, c := range cases {
		got, ok := ParsePrice(c.s, c.dec)
		if got != c.want || ok != c.ok {
			t.Errorf("ParsePrice(%q, %d) = %d, %v; want %d, %v", c.s, c.dec, got, ok, c.want, c.ok)
		}
	}
}

// Every day a uint32 Unix time can reach, against the time package.
func TestCivilEveryDay(t *testing.T) {
	for days := uint32(0); days <= math.MaxUint32/86400; days++ {
		y, m, d := civil(days)
		want := time.Unix(int64(days)*86400, 0).UTC()
		if int(y) != want.Year() || time.Month(m) != want.Month() || int(d) != want.Day() {
			t.Fatalf("civil(%d) = %d-%02d-%02d, want %s", days, y, m, d, want.Format(time.DateOnly))
		}
	}
}

// One JSONEncoder across a stream prints exactly what AppendJSON prints for
// each tick alone, whatever the times do between ticks: repeat, move within
// a day, cross midnight IST, go back, or vanish (0 prints null).
func TestJSONEncoderMatchesAppendJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	midnight := uint32(1625423400) // 2021-07-05T00:00:00+05:30
	pool := []uint32{0, 1, midnight - 1, midnight, midnight + 1, midnight + 37815, midnight + 86399, midnight + 86400, math.MaxUint32}
	var e JSONEncoder
	var got, want []byte
	for i := range 20000 {
		seg := allSegments[r.IntN(len(allSegments))]
		tk := randomTick(r, []Mode{ModeLTP, ModeQuote, ModeFull}[r.IntN(3)], seg)
		switch r.IntN(3) {
		case 0: // times from a small pool: many repeats and day changes
			tk.LastTradeTime, tk.ExchangeTimestamp = pool[r.IntN(len(pool))], pool[r.IntN(len(pool))]
		case 1: // a burst: the same exchange time, trades earlier that day
			tk.ExchangeTimestamp = midnight + 40000
			tk.LastTradeTime = midnight + uint32(r.IntN(40000))
		}
		got = e.Append(got[:0], &tk, "NSE:X")
		want = AppendJSON(want[:0], &tk, "NSE:X")
		if !bytes.Equal(got, want) {
			t.Fatalf("tick %d: encoder printed\n%s\nAppendJSON printed\n%s", i, got, want)
		}
	}
}

func TestJSONEncoderDoesNotAllocate(t *testing.T) {
	buf := make([]byte, 0, 4096)
	msg := message(fullPacket, indexFullPacket, quotePacket, ltpPacket)
	var e JSONEncoder
	n := testing.AllocsPerRun(100, func() {
		it := NewIter(msg)
		var tk Tick
		buf = buf[:0]
		for it.Next(&tk) {
			buf = e.Append(buf, &tk, "NSE:INFY")
		}
	})
	if n != 0 {
		t.Fatalf("decode + JSONEncoder.Append allocated %v times per run", n)
	}
}

// appendUint against strconv: every value below 10^6 (each digit count of
// the leading group), the powers of ten around the group boundaries, and
// the top of the range.
func TestAppendUint(t *testing.T) {
	check := func(v uint32) {
		if got, want := string(appendUint(nil, v)), strconv.FormatUint(uint64(v), 10); got != want {
			t.Fatalf("appendUint(%d) = %q", v, got)
		}
	}
	for v := range uint32(1e6) {
		check(v)
	}
	for p := uint32(10); p <= 1e9; p *= 10 {
		check(p - 1)
		check(p)
		check(p + 1)
	}
	check(math.MaxUint32)
	check(math.MaxUint32 - 1)
}

// FormatPrice keeps every decimal of the segment (kite watch's columns
// line up); the cases are worked by hand from the paise and the
// segment's divisor.
func TestFormatPrice(t *testing.T) {
	for _, tt := range []struct {
		v    int32
		dec  int
		want string
	}{
		{157370, 2, "1573.70"},
		{157375, 2, "1573.75"},
		{5, 2, "0.05"},
		{0, 2, "0.00"},
		{-105, 2, "-1.05"},
		{-100, 2, "-1.00"},
		{831250, 4, "83.1250"}, // BSE currency, 10^4
		{10000, 4, "1.0000"},
		{831234567, 7, "83.1234567"}, // NSE currency, 10^7
		{2147483647, 2, "21474836.47"},
	} {
		if got := FormatPrice(tt.v, tt.dec); got != tt.want {
			t.Errorf("FormatPrice(%d, %d) = %q, want %q", tt.v, tt.dec, got, tt.want)
		}
	}
}
