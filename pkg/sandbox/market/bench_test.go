package market_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/ticks"
)

// bigUniverse is 3000 NSE equities, a full ticker connection's worth.
func bigUniverse() []market.Instrument {
	out := make([]market.Instrument, 3000)
	for i := range out {
		et := uint32(100000 + i)
		out[i] = market.Instrument{
			Token: et<<8 | ticks.SegmentNSE, ExchangeToken: et, Tradingsymbol: fmt.Sprintf("SYM%d", i),
			TickSize: 5, LotSize: 1, InstrumentType: "EQ", Segment: "NSE", Exchange: "NSE",
			BasePrice: int64(10000 + 7*i), Multiplier: 1,
		}
	}
	return out
}

// BenchmarkAppendTicksFull3000 is the ticker's hot path: one batch of 3000
// full-mode ticks.
func BenchmarkAppendTicksFull3000(b *testing.B) {
	u := bigUniverse()
	m := market.New(1, u, friday)
	m.Step(friday.Add(time.Second))
	toks := make([]uint32, len(u))
	for i := range u {
		toks[i] = u[i].Token
	}
	md := modes(len(toks), ticks.ModeFull)
	dst := make([]ticks.Tick, 0, len(toks))
	b.ReportAllocs()
	for b.Loop() {
		dst = m.AppendTicks(dst[:0], toks, md)
	}
	b.ReportMetric(float64(b.N)*float64(len(toks))/b.Elapsed().Seconds(), "ticks/s")
}

// BenchmarkStep3000 is one walk step of 3000 instruments.
func BenchmarkStep3000(b *testing.B) {
	m := market.New(1, bigUniverse(), friday)
	now := friday
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Millisecond)
		m.Step(now)
	}
}

// BenchmarkCandlesMinute60Days is one maximal minute-candle request.
func BenchmarkCandlesMinute60Days(b *testing.B) {
	m := market.New(1, market.Universe(friday), friday)
	in, _ := m.Lookup("NSE", "INFY")
	from := friday.AddDate(0, 0, -60)
	b.ReportAllocs()
	for b.Loop() {
		cs, err := m.Candles(in.Token, "minute", from, friday, false)
		if err != nil || len(cs) < 40*375 {
			b.Fatal(len(cs), err)
		}
	}
}

// BenchmarkCandlesDay2000Days is one maximal day-candle request (every
// minute of 2000 days is generated and folded).
func BenchmarkCandlesDay2000Days(b *testing.B) {
	m := market.New(1, market.Universe(friday), friday)
	in, _ := m.Lookup("NSE", "INFY")
	from := friday.AddDate(0, 0, -2000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Candles(in.Token, "day", from, friday, false); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNew3000(b *testing.B) {
	u := bigUniverse()
	b.ReportAllocs()
	for b.Loop() {
		market.New(1, u, friday)
	}
}

// BenchmarkCandlesMinuteYear is a year of minute candles fetched as Kite
// clients fetch it: in 60-day chunks.
func BenchmarkCandlesMinuteYear(b *testing.B) {
	m := market.New(1, market.Universe(friday), friday)
	in, _ := m.Lookup("NSE", "INFY")
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for from := friday.AddDate(-1, 0, 0); from.Before(friday); from = from.AddDate(0, 0, 60) {
			cs, err := m.Candles(in.Token, "minute", from, from.AddDate(0, 0, 60), false)
			if err != nil {
				b.Fatal(err)
			}
			n += len(cs)
		}
		if n < 240*375 {
			b.Fatal(n)
		}
	}
}

// BenchmarkCandlesOptionMinute60Days: an option's candles price every
// minute of its underlying through the option formula.
func BenchmarkCandlesOptionMinute60Days(b *testing.B) {
	m := market.New(1, market.Universe(friday), friday)
	in, _ := m.Lookup("NFO", "NIFTY26NOV26050CE")
	from := friday.AddDate(0, 0, -60)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Candles(in.Token, "minute", from, friday, false); err != nil {
			b.Fatal(err)
		}
	}
}
