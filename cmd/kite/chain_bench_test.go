package main

import (
	"io"
	"math"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/options"
	"github.com/kitecli/kite/pkg/ticks"
)

// benchChain is a full NIFTY-like expiry: 100 strikes every 50 around a
// future at 26110, a call and a put each (200 options), priced from a
// smile, 30 days out.
func benchChain() (*chainState, []ticks.Tick) {
	ist := time.FixedZone("IST", 19800)
	const fut = 26110.0
	st := &chainState{UnderTok: 1 << 8, Quotes: map[uint32]marketQuote{1 << 8: {LastPrice: fut}}}
	st.Contracts = chainContracts{Name: "NIFTY", Exchange: "NFO", Expiry: "2026-12-29", Model: options.Black76,
		Underlying: "NFO:NIFTY26DECFUT", Expires: time.Date(2026, 12, 29, 15, 30, 0, 0, ist)}
	var tks []ticks.Tick
	tok := uint32(2)
	for i := range 100 {
		k := 23600 + 50*float64(i)
		st.Contracts.Strikes = append(st.Contracts.Strikes, k)
		m := math.Log(k / fut)
		vol := 0.13 + 0.8*m*m - 0.1*m
		for _, typ := range []string{"CE", "PE"} {
			kind := options.Call
			if typ == "PE" {
				kind = options.Put
			}
			p, _ := options.Price(options.Inputs{Kind: kind, Model: options.Black76, Underlying: fut, Strike: k, Time: 30.0 / 365, Rate: 0.0531}, vol)
			p = math.Max(math.Round(p*20)/20, 0.05)
			token := tok<<8 | uint32(ticks.SegmentNFO)
			tok++
			st.Contracts.Options = append(st.Contracts.Options, kite.Instrument{InstrumentToken: token, Tradingsymbol: "X", Exchange: "NFO", InstrumentType: typ, Strike: k})
			st.Quotes[token] = marketQuote{LastPrice: p, Bid: p - 0.05, Ask: p + 0.05, OI: 1000}
			tks = append(tks, ticks.Tick{Mode: ticks.ModeFull, InstrumentToken: token, LastPrice: int32(math.Round((p + 0.05) * 100))})
		}
	}
	tks = append(tks, ticks.Tick{Mode: ticks.ModeFull, InstrumentToken: 1<<8 | uint32(ticks.SegmentNFO), LastPrice: int32(fut*100) + 5})
	return st, tks
}

// BenchmarkChainRecompute is one recomputation of a full expiry (200
// options: IV and greeks each, the summary's PCR and max pain), what
// --live does when the underlying ticks.
func BenchmarkChainRecompute(b *testing.B) {
	st, _ := benchChain()
	opts := &ChainOptions{Price: "last", Rate: 0.0531}
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.FixedZone("IST", 19800))
	b.ReportAllocs()
	for b.Loop() {
		st.view(opts, now)
	}
}

// BenchmarkChainLiveMessage is one ticker message carrying a tick for
// every option and the future, decoded into the board and printed as
// NDJSON (all 100 strikes, as the underlying moved).
func BenchmarkChainLiveMessage(b *testing.B) {
	st, tks := benchChain()
	st.UnderTok = tks[len(tks)-1].InstrumentToken
	st.Quotes[st.UnderTok] = marketQuote{LastPrice: 26110}
	opts := &ChainOptions{Price: "last", Rate: 0.0531, Now: func() time.Time {
		return time.Date(2026, 11, 29, 10, 0, 0, 0, time.FixedZone("IST", 19800))
	}}
	board := newChainBoard(st)
	alt := make([]ticks.Tick, len(tks))
	copy(alt, tks)
	for i := range alt {
		alt[i].LastPrice += 5
	}
	msgs := [2][]byte{ticks.Encode(tks...), ticks.Encode(alt...)}
	board.emit = func(strikes map[float64]bool) error {
		recs, _ := board.st.view(opts, opts.now())
		for _, r := range recs {
			if strikes == nil || strikes[r.Strike] {
				_, _ = io.Discard.Write([]byte(r.Expiry))
			}
		}
		return nil
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := board.Binary(0, msgs[i&1]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
