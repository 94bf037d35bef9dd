package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/parquet-go/parquet-go"
)

// parquetTick reads back the columns the test compares, by name; it is
// the test's own schema, not the converter's.
type parquetTick struct {
	RecvTime          *int64   `parquet:"recv_time,optional"`
	InstrumentToken   int64    `parquet:"instrument_token"`
	Symbol            *string  `parquet:"symbol,optional"`
	Mode              string   `parquet:"mode"`
	Tradable          bool     `parquet:"tradable"`
	LastPrice         float64  `parquet:"last_price"`
	VolumeTraded      *int64   `parquet:"volume_traded,optional"`
	Close             *float64 `parquet:"close,optional"`
	Change            *float64 `parquet:"change,optional"`
	ExchangeTimestamp *int64   `parquet:"exchange_timestamp,optional"`
	BidPrice1         *float64 `parquet:"bid_price_1,optional"`
	AskQuantity5      *int64   `parquet:"ask_quantity_5,optional"`
	AskOrders5        *int64   `parquet:"ask_orders_5,optional"`
}

// decodedTick is the same fields from kite ticks decode's JSON.
type decodedTick struct {
	RecvTime          *int64                       `json:"recv_time"`
	InstrumentToken   int64                        `json:"instrument_token"`
	Symbol            *string                      `json:"symbol"`
	Mode              string                       `json:"mode"`
	Tradable          bool                         `json:"tradable"`
	LastPrice         json.Number                  `json:"last_price"`
	VolumeTraded      *int64                       `json:"volume_traded"`
	OHLC              *struct{ Close json.Number } `json:"ohlc"`
	Change            *json.Number                 `json:"change"`
	ExchangeTimestamp *string                      `json:"exchange_timestamp"`
	Depth             *struct {
		Buy, Sell []struct {
			Quantity int64
			Price    json.Number
			Orders   int64
		}
	} `json:"depth"`
}

func jsonFloat(t *testing.T, n json.Number) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(string(n), 64) // the float64 nearest the decimal text
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// kite ticks convert writes what kite ticks decode prints, tick for tick:
// a hand-made recording, a raw capture and a sandbox recording, compared
// field by field (prices as the float64 nearest decode's exact decimal).
func TestTicksConvertParquetMatchesDecode(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{TickInterval: 10 * time.Millisecond})
	dir := t.TempDir()
	if r := runKite(t, kiteRun{Env: env}, "record", symINFY, "NSE:NIFTY 50", "--mode", "full", "--dir", dir, "--duration", "1200ms"); r.Code != 0 {
		t.Fatalf("record: %+v", r)
	}
	inputs := append([]string{
		writeTicksFile(t, "hand.krec", handRecording(t)),
		writeTicksFile(t, "raw.bin", ticksBE(uint16(1), uint16(8), uint32(408065), int32(157370))),
	}, recordings(t, dir)...)
	out := filepath.Join(t.TempDir(), "ticks.parquet")
	c := runKite(t, kiteRun{}, append([]string{"ticks", "convert", "--to", "parquet", "-o", out}, inputs...)...)
	if c.Code != 0 {
		t.Fatalf("convert: %+v", c)
	}
	d := runKite(t, kiteRun{}, append([]string{"ticks", "decode"}, inputs...)...)
	if d.Code != 0 {
		t.Fatalf("decode: %+v", d)
	}
	rows, err := parquet.ReadFile[parquetTick](out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(d.Stdout), "\n")
	if len(rows) != len(lines) || len(rows) < 10 {
		t.Fatalf("%d rows, %d decoded ticks", len(rows), len(lines))
	}
	for i, line := range lines {
		var want decodedTick
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		got := rows[i]
		ok := got.InstrumentToken == want.InstrumentToken && got.Mode == want.Mode && got.Tradable == want.Tradable &&
			got.LastPrice == jsonFloat(t, want.LastPrice) && eqPtr(got.RecvTime, want.RecvTime) && eqPtr(got.Symbol, want.Symbol) &&
			eqPtr(got.VolumeTraded, want.VolumeTraded)
		if want.OHLC != nil {
			ok = ok && got.Close != nil && *got.Close == jsonFloat(t, want.OHLC.Close) && got.Change != nil && *got.Change == jsonFloat(t, *want.Change)
		} else {
			ok = ok && got.Close == nil && got.Change == nil
		}
		if want.ExchangeTimestamp != nil {
			ts, err := time.Parse(time.RFC3339, *want.ExchangeTimestamp)
			ok = ok && err == nil && got.ExchangeTimestamp != nil && *got.ExchangeTimestamp == ts.UnixNano()
		} else {
			ok = ok && got.ExchangeTimestamp == nil
		}
		if want.Depth != nil {
			ok = ok && got.BidPrice1 != nil && *got.BidPrice1 == jsonFloat(t, want.Depth.Buy[0].Price) &&
				*got.AskQuantity5 == want.Depth.Sell[4].Quantity && *got.AskOrders5 == want.Depth.Sell[4].Orders
		} else {
			ok = ok && got.BidPrice1 == nil && got.AskQuantity5 == nil
		}
		if !ok {
			g, _ := json.Marshal(got)
			t.Fatalf("row %d differs from decode:\nrow    %s\ndecode %s", i, g, line)
		}
	}

	// The columns are typed as documented.
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	schema := pf.Schema().String()
	for _, want := range []string{
		"optional int64 recv_time (TIMESTAMP(isAdjustedToUTC=true,unit=NANOS))",
		"required double last_price",
		"optional int64 volume_traded",
		"optional binary symbol (STRING)",
		"optional double bid_price_1",
	} {
		if !strings.Contains(schema, want) {
			t.Errorf("schema lacks %q:\n%s", want, schema)
		}
	}
}

func eqPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func TestTicksConvertUsageErrors(t *testing.T) {
	rec := writeTicksFile(t, "a.krec", handRecording(t))
	out := filepath.Join(t.TempDir(), "x.parquet")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ticks", "convert", rec, "-o", out}, "--to parquet"},
		{[]string{"ticks", "convert", "--to", "csv", rec, "-o", out}, "--to parquet"},
		{[]string{"ticks", "convert", "--to", "parquet", rec}, "-o OUT.parquet"},
		{[]string{"ticks", "convert", "--to", "parquet", "/no/such.krec", "-o", out}, "cannot read /no/such.krec"},
		{[]string{"ticks", "convert", "--to", "parquet", "-", "-o", out}, "not standard input"},
	} {
		r := runKite(t, kiteRun{}, tc.args...)
		if r.Code != 2 || !strings.Contains(r.Stderr, tc.want) {
			t.Errorf("kite %s: exit %d, stderr %q; want 2 and %q", strings.Join(tc.args, " "), r.Code, r.Stderr, tc.want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed conversion left its output file")
	}
}
