package recording_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/recording"
	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/ticks"
)

// fullSeconds is n seconds of the sandbox market's full-mode messages for
// 3000 NSE equities (one full ticker connection), one message a second, as
// Kite sends them.
func fullSeconds(n int) [][]byte {
	day := time.Date(2026, 11, 20, 10, 0, 0, 0, time.FixedZone("IST", 19800))
	u := make([]market.Instrument, 3000)
	toks := make([]uint32, len(u))
	modes := make([]ticks.Mode, len(u))
	for i := range u {
		et := uint32(100000 + i)
		u[i] = market.Instrument{
			Token: et<<8 | ticks.SegmentNSE, ExchangeToken: et, Tradingsymbol: fmt.Sprintf("SYM%d", i),
			TickSize: 5, LotSize: 1, InstrumentType: "EQ", Segment: "NSE", Exchange: "NSE",
			BasePrice: int64(10000 + 7*i), Multiplier: 1,
		}
		toks[i], modes[i] = u[i].Token, ticks.ModeFull
	}
	m := market.New(1, u, day)
	var out [][]byte
	var tk []ticks.Tick
	for s := range n {
		m.Step(day.Add(time.Duration(s+1) * time.Second))
		tk = m.AppendTicks(tk[:0], toks, modes)
		out = append(out, ticks.AppendMessage(nil, tk...))
	}
	return out
}

// BenchmarkRecordFull records 3000 full-mode ticks a second, one block a
// second (the recorder's flush), and reports bytes on disk per tick
// against the raw capture's (kite stream --raw).
func BenchmarkRecordFull(b *testing.B) {
	msgs := fullSeconds(30)
	var raw, ticksN int
	for _, m := range msgs {
		raw += len(m)
		ticksN += 3000
	}
	var disk int64
	b.SetBytes(int64(raw))
	b.ReportAllocs()
	for b.Loop() {
		var cw countWriter
		w, err := recording.NewWriter(&cw, recording.Header{Created: created})
		if err != nil {
			b.Fatal(err)
		}
		for s, m := range msgs {
			if err := w.Write(recording.Frame{Recv: int64(s) * 1e9, Conn: 1, Kind: recording.KindBinary, Data: m}); err != nil {
				b.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
		}
		disk = w.Written()
	}
	b.ReportMetric(float64(raw)/float64(ticksN), "raw-B/tick")
	b.ReportMetric(float64(disk)/float64(ticksN), "disk-B/tick")
	b.ReportMetric(float64(raw)/float64(disk), "x-smaller")
}

// BenchmarkReadFull reads that recording back, frame by frame.
func BenchmarkReadFull(b *testing.B) {
	msgs := fullSeconds(30)
	var buf bytes.Buffer
	w, _ := recording.NewWriter(&buf, recording.Header{Created: created})
	for s, m := range msgs {
		_ = w.Write(recording.Frame{Recv: int64(s) * 1e9, Conn: 1, Kind: recording.KindBinary, Data: m})
		_ = w.Flush()
	}
	b.SetBytes(int64(len(msgs) * len(msgs[0])))
	b.ReportAllocs()
	for b.Loop() {
		r, err := recording.NewReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(b []byte) (int, error) { c.n += int64(len(b)); return len(b), nil }
