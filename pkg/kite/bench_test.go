package kite

import (
	"bytes"
	"fmt"
	"testing"
	"time"
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

// candleList is a maximal minute chunk: 60 days of 375 candles.
func candleList(n int) []byte {
	b := []byte("[")
	t := time.Date(2026, 1, 1, 9, 15, 0, 0, IST)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `["%s",%d.5,%d.75,%d.05,%d.2,%d,%d]`, t.Add(time.Duration(i)*time.Minute).Format("2006-01-02T15:04:05-0700"), 1500+i%90, 1510+i%90, 1490+i%90, 1505+i%90, 100000+i, 5000+i)
	}
	return append(b, ']')
}

// A 60-day minute chunk through the history path: parse Kite's arrays,
// write CSV.
func BenchmarkCandlesParseAndCSV22500(b *testing.B) {
	data := candleList(22_500)
	var out []byte
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		cs, err := ParseCandles(data)
		if err != nil {
			b.Fatal(err)
		}
		out = out[:0]
		for i := range cs {
			out = cs[i].AppendCSV(out, true)
		}
	}
}

// The same through encoding/json, the baseline the scanner replaced.
func BenchmarkCandlesReferenceParse22500(b *testing.B) {
	data := candleList(22_500)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := referenceCandles(data); err != nil {
			b.Fatal(err)
		}
	}
}
