package kite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

// syntheticDump is a dump the size of Kite's real one (~100k rows).
func syntheticDump(rows int) []byte {
	var b bytes.Buffer
	b.WriteString("instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange\n")
	for i := range rows {
		fmt.Fprintf(&b, "%d,%d,NIFTY26NOV%dCE,NIFTY,%d.35,2026-11-26,%d.0,0.05,75,CE,NFO-OPT,NFO\n", 10000000+i, 40000+i, 20000+i, i%500, 20000+i)
	}
	return b.Bytes()
}

func BenchmarkParseInstrumentsCSV100k(b *testing.B) {
	data := syntheticDump(100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseInstrumentsCSV(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewResolver100k(b *testing.B) {
	insts, err := ParseInstrumentsCSV(bytes.NewReader(syntheticDump(100_000)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		NewResolver(insts)
	}
}

// One candle through the history path: parse Kite's array, write CSV.
func BenchmarkCandleParseAndCSV(b *testing.B) {
	raw := json.RawMessage(`["2019-12-04T09:15:00+0530",12009.9,12019.35,12001.25,12001.5,163275,13667775]`)
	var out []byte
	b.ReportAllocs()
	for b.Loop() {
		c, err := ParseCandle(raw)
		if err != nil {
			b.Fatal(err)
		}
		out = c.AppendCSV(out[:0], true)
	}
}
