package paper_test

import (
	"testing"

	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/sandbox/paper"
	"github.com/kitecli/kite/pkg/ticks"
)

// BenchmarkMatch1000Open is the engine's share of every ticker step with
// 1000 resting orders that do not fill.
func BenchmarkMatch1000Open(b *testing.B) {
	m := market.New(1, market.Universe(start), start)
	e := paper.New(m, paper.Options{Cash: 1e12})
	infy, _ := m.Lookup("NSE", "INFY")
	tk, _ := m.Tick(infy.Token, ticks.ModeLTP)
	lower, _, _ := m.Circuit(infy.Token)
	price := float64(max(lower, int64(tk.LastPrice)-2000*infy.TickSize)) / 100
	for range 1000 {
		if _, err := e.Place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 1, Product: "MIS", OrderType: "LIMIT", Price: price}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		e.Match(start)
	}
}

// BenchmarkPlaceMarket is one MARKET order placed and filled.
func BenchmarkPlaceMarket(b *testing.B) {
	m := market.New(1, market.Universe(start), start)
	e := paper.New(m, paper.Options{Cash: 1e15})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 1, Product: "MIS", OrderType: "MARKET", MarketProtection: -1}); err != nil {
			b.Fatal(err)
		}
	}
}
