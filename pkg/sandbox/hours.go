package sandbox

import (
	"net/http"

	"github.com/kitecli/kite/pkg/kitespec"
	"github.com/kitecli/kite/pkg/sandbox/market"
)

// Hours are the sandbox market's trading hours (Options.Hours).
type Hours = market.Hours

const (
	// AlwaysOpen (the default): every segment trades round the clock,
	// every day from the sandbox's start on, so the sandbox is live
	// whenever it is tried; quotes, ticks, candles and orders carry the
	// wall clock's time. History before the start day keeps the real
	// sessions.
	AlwaysOpen = market.AlwaysOpen
	// RealHours: the IST sessions on weekdays (NSE, BSE, NFO, BFO
	// 09:15–15:30; CDS, BCD 09:00–17:00; MCX 09:00–23:30). Outside them
	// the feed is quiet, quotes show the last session, regular orders are
	// refused with Kite's message and AMO orders wait for the open.
	RealHours = market.RealHours
)

// Kite's answer to a regular order when the market is closed, word for word
// as Kite sent it (InputException, HTTP 400) to a regular NFO order placed
// after hours, captured in a public project's notes and found with the
// search tool: "Markets are closed right now. Use GTT for placing long
// standing orders instead. [Read more.](…)".
const msgMarketsClosed = "Markets are closed right now. Use GTT for placing long standing orders instead. [Read more.](https://support.zerodha.com/category/trading-and-markets/gtt/articles/what-is-the-good-till-triggered-gtt-feature)"

// msgAMOWhileOpen is the sandbox's own wording: Zerodha documents that AMO
// orders are blocked while the market is open, but not the message.
const msgAMOWhileOpen = "After market orders (AMO) can only be placed when the market is closed: place a regular order now."

// checkMarketHours refuses an order the market hours do not allow: under
// RealHours, a regular (or iceberg) order while its segment is closed, and
// an AMO order while it is open. AlwaysOpen allows everything (an AMO order
// then goes straight to the exchange). Unknown instruments pass: the paper
// engine refuses them with Kite's message.
func (s *Server) checkMarketHours(w http.ResponseWriter, variety, exchange, tradingsymbol string) bool {
	m := s.world.market
	if m.Hours() != RealHours {
		return true
	}
	in, ok := m.Lookup(exchange, tradingsymbol)
	if !ok {
		return true
	}
	open := m.Open(in.Token)
	switch {
	case variety == "amo" && open:
		writeError(w, http.StatusBadRequest, kitespec.InputException, msgAMOWhileOpen)
		return false
	case variety != "amo" && !open:
		writeError(w, http.StatusBadRequest, kitespec.InputException, msgMarketsClosed)
		return false
	}
	return true
}
