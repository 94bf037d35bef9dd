package main

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
)

// benchCandles is n minute candles with oi, as kite.ParseCandles returns
// them from Kite's arrays.
func benchCandles(b *testing.B, n int) []kite.Candle {
	data := []byte("[")
	t := time.Date(2026, 1, 1, 9, 15, 0, 0, kite.IST)
	for i := range n {
		if i > 0 {
			data = append(data, ',')
		}
		data = fmt.Appendf(data, `["%s",%d.5,%d.75,%d.05,%d.2,%d,%d]`, t.Add(time.Duration(i)*time.Minute).Format("2006-01-02T15:04:05-0700"), 1500+i%90, 1510+i%90, 1490+i%90, 1505+i%90, 100000+i, 5000+i)
	}
	cs, err := kite.ParseCandles(append(data, ']'))
	if err != nil {
		b.Fatal(err)
	}
	return cs
}

// BenchmarkHistoryWrite is history's output path for one maximal minute
// chunk (22,500 candles with oi): records to a discarded stdout, in each
// streamed format, flushed once as a chunk is.
func BenchmarkHistoryWrite(b *testing.B) {
	cs := benchCandles(b, 22_500)
	for _, f := range []output.Format{output.CSV, output.NDJSON, output.JSON} {
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := output.NewRecordWriter(io.Discard, f, nil, output.RecordOptions{CSVHeader: kite.CandleColumns(true)})
				if err := writeCandles(w, &candleRecord{oi: true}, cs); err != nil {
					b.Fatal(err)
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(cs)), "ns/candle")
		})
	}
}
