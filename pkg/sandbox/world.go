package sandbox

import (
	"bytes"
	"sync"
	"time"

	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/sandbox/paper"
)

// world is the simulated state behind the API: the market and the paper
// trading account.
type world struct {
	market *market.Market
	paper  *paper.Engine // the sandbox has one user, so one account

	csvOnce sync.Once
	csv     map[string][]byte // exchange ("" = all) → the /instruments dump
}

func newWorld(seed int64, now time.Time) (*world, error) {
	m := market.New(seed, market.Universe(now), now)
	return &world{
		market: m,
		paper:  paper.New(m, paper.Options{UserID: UserID, Holdings: seedHoldings()}),
	}, nil
}

// step advances the market one tick interval and lets the paper engine
// fill what the new prices reach.
func (w *world) step(now time.Time) {
	w.market.Step(now)
	w.paper.Match(now)
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
		case now := <-t.C:
			s.world.step(now)
			s.ticker.stepped()
		}
	}
}
