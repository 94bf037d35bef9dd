package sandbox

import (
	"bytes"
	"sync"
	"time"

	"github.com/kitecli/kite/pkg/sandbox/market"
)

// world is the simulated state behind the API: the market and the paper
// trading account.
type world struct {
	market *market.Market

	csvOnce sync.Once
	csv     map[string][]byte // exchange ("" = all) → the /instruments dump
}

func newWorld(seed int64, now time.Time) (*world, error) {
	return &world{market: market.New(seed, market.Universe(now), now)}, nil
}

// step advances the market one tick interval and lets the paper engine
// fill what the new prices reach.
func (w *world) step(now time.Time) {
	w.market.Step(now)
}

// subscribeOrders returns the order updates of a user, and a function to
// stop them.
func (w *world) subscribeOrders(userID string) (<-chan any, func()) {
	return nil, func() {}
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
