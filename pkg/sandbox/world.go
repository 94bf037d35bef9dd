package sandbox

import (
	"bytes"
	"fmt"
	"sync"
	"time"

	"github.com/kitecli/kite/pkg/sandbox/alerts"
	"github.com/kitecli/kite/pkg/sandbox/gtt"
	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/sandbox/paper"
	"github.com/kitecli/kite/pkg/ticks"
)

// world is the simulated state behind the API: the market and the paper
// trading account.
type world struct {
	market *market.Market
	paper  *paper.Engine // the sandbox has one user, so one account
	gtt    *gtt.Book
	alerts *alerts.Book

	csvOnce sync.Once
	csv     map[string][]byte // exchange ("" = all) → the /instruments dump
}

func newWorld(seed int64, now time.Time, loadInstruments int, hours market.Hours, recorded []market.Instrument) (*world, error) {
	universe := mergeUniverse(market.Universe(now), recorded)
	if loadInstruments < 0 || loadInstruments > maxLoadInstruments {
		return nil, fmt.Errorf("load instruments: %d is not between 0 and %d", loadInstruments, maxLoadInstruments)
	}
	for i := range loadInstruments {
		ex := uint32(loadTokenBase + i)
		universe = append(universe, market.Instrument{
			Token:          ex<<8 | ticks.SegmentNSE,
			ExchangeToken:  ex,
			Tradingsymbol:  fmt.Sprintf("LOAD%05d", i+1),
			Name:           "SANDBOX LOAD TEST",
			TickSize:       5,
			LotSize:        1,
			InstrumentType: "EQ",
			Segment:        "NSE",
			Exchange:       "NSE",
			BasePrice:      int64(50_000 + 5*(i%2000)),
			Multiplier:     1,
		})
	}
	m := market.NewWithHours(seed, universe, now, hours)
	w := &world{
		market: m,
		paper:  paper.New(m, paper.Options{UserID: UserID, Holdings: seedHoldings()}),
	}
	w.gtt = gtt.New(m, w.paper, UserID)
	w.alerts = alerts.New(m, w.paper, UserID)
	return w, nil
}

// Synthetic instruments for load tests (Options.LoadInstruments): NSE
// equities LOAD00001…, with exchange tokens far above any real one.
const (
	maxLoadInstruments = 100_000
	loadTokenBase      = 9_000_000
)

// step advances the market one tick interval and lets the paper engine
// fill what the new prices reach.
func (w *world) step(now time.Time) {
	w.market.Step(now)
	w.paper.Match(now)
	w.gtt.Step(now)
	w.alerts.Step(now)
}

// subscribeOrders calls fn with every order update of a user, as the
// ticker pushes it, until the returned function is called.
func (w *world) subscribeOrders(userID string, fn func(orderUpdate)) func() {
	if userID != UserID {
		return func() {}
	}
	return w.paper.Subscribe(func(o paper.Order) { fn(newOrderUpdate(o, userID)) })
}

// instrumentsCSV is the /instruments dump for an exchange ("" = every
// exchange), built once: the universe does not change while serving.
func (w *world) instrumentsCSV(exchange string) ([]byte, bool) {
	w.csvOnce.Do(func() {
		insts := w.market.Instruments()
		byExchange := map[string][]market.Instrument{"": insts}
		for _, in := range insts {
			byExchange[in.Exchange] = append(byExchange[in.Exchange], in)
		}
		w.csv = make(map[string][]byte, len(byExchange))
		for ex, list := range byExchange {
			var b bytes.Buffer
			if err := market.WriteCSV(&b, list); err == nil {
				w.csv[ex] = b.Bytes()
			}
		}
	})
	b, ok := w.csv[exchange]
	return b, ok
}

// runClock steps the world every tick interval until the server closes,
// and wakes the ticker connections after each step.
func (s *Server) runClock() {
	t := time.NewTicker(s.opts.TickInterval)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			s.world.step(s.opts.MarketClock())
			s.ticker.stepped()
		}
	}
}
