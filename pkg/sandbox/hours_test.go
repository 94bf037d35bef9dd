package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/ticks"
)

// testClock is a market clock a test sets by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func ist(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, market.IST)
}

// TestQuoteTickerHistoryAgree: a future's quote, its ticker tick and its
// candles tell the same day, with the market clock fixed in the middle of
// a minute. The issue saw volume 983,250 and OI 57,825 in the quote beside
// 48,300 and 35,700 in the day candle, and a quote stamped today with
// yesterday's OHLC.
func TestQuoteTickerHistoryAgree(t *testing.T) {
	for _, c := range []struct {
		name  string
		hours Hours
		at    time.Time
	}{
		{"always open, at 02:00", AlwaysOpen, ist(2026, 11, 24, 2, 0, 37)},
		{"real hours, in session", RealHours, ist(2026, 11, 20, 11, 0, 37)},
		{"real hours, at 02:00", RealHours, ist(2026, 11, 24, 2, 0, 37)},
	} {
		t.Run(c.name, func(t *testing.T) {
			clock := &testClock{t: c.at}
			s := start(t, Options{TickInterval: 5 * time.Millisecond, Hours: c.hours, MarketClock: clock.now, RateLimits: NoRateLimits()})
			auth := tokenAuth(s)
			const sym = "NFO:NIFTY26NOVFUT"
			var quotes map[string]quoteJSON
			wantData(t, call(t, http.MethodGet, s.URL()+"/quote", auth, url.Values{"i": {sym}}), &quotes)
			q := quotes[sym]

			// History: today's day candle and the one before, with OI.
			var hist struct {
				Candles [][]any `json:"candles"`
			}
			day := c.at.Format("2006-01-02")
			wantData(t, call(t, http.MethodGet, fmt.Sprintf("%s/instruments/historical/%d/day", s.URL(), q.InstrumentToken), auth,
				url.Values{"from": {c.at.AddDate(0, 0, -7).Format("2006-01-02")}, "to": {day + " 23:59:59"}, "oi": {"1"}}), &hist)
			n := len(hist.Candles)
			if n < 2 {
				t.Fatalf("%d day candles", n)
			}
			today, prev := hist.Candles[n-1], hist.Candles[n-2]
			stampDay := q.Timestamp[:10]
			if !strings.HasPrefix(today[0].(string), stampDay) {
				t.Errorf("quote stamped %s, latest day candle %s", q.Timestamp, today[0])
			}
			if c.hours == AlwaysOpen || c.at.Hour() >= 9 {
				if stampDay != day {
					t.Errorf("quote stamped %s on a trading day %s", q.Timestamp, day)
				}
			}
			if q.OHLC.Open != today[1] || q.OHLC.High != today[2] || q.OHLC.Low != today[3] || q.LastPrice != today[4] ||
				float64(q.Volume) != today[5] || float64(q.OI) != today[6] || q.OHLC.Close != prev[4] {
				t.Errorf("quote ohlc %+v last %v volume %d oi %d; day candle %v, previous %v", q.OHLC, q.LastPrice, q.Volume, q.OI, today, prev)
			}

			// The ticker's full tick for the same instrument says the same.
			ws := dialTicker(t, s, s.AccessToken())
			send(t, ws, fmt.Sprintf(`{"a":"mode","v":["full",[%d]]}`, q.InstrumentToken))
			readUntil(t, ws, 10*time.Second, func(typ websocket.MessageType, msg []byte) bool {
				if typ != websocket.MessageBinary || len(msg) < 2 {
					return false
				}
				got, err := ticks.Decode(msg)
				if err != nil || len(got) != 1 || got[0].Mode != ticks.ModeFull {
					return false
				}
				tk := got[0]
				if tk.VolumeTraded != q.Volume || tk.OI != q.OI || tk.OIDayHigh != q.OIDayHigh ||
					float64(tk.LastPrice)/100 != q.LastPrice || kiteTimestamp(tk.ExchangeTimestamp) != q.Timestamp {
					t.Errorf("tick volume %d oi %d/%d last %d at %s; quote %d %d/%d %v at %s",
						tk.VolumeTraded, tk.OI, tk.OIDayHigh, tk.LastPrice, kiteTimestamp(tk.ExchangeTimestamp), q.Volume, q.OI, q.OIDayHigh, q.LastPrice, q.Timestamp)
				}
				return true
			})
		})
	}
}

// TestRealHoursOrdersAndFeed: under RealHours at 02:00 IST a regular order
// gets Kite's "markets are closed" InputException, an AMO order waits as
// AMO REQ RECEIVED, and the feed sends a new subscription its last tick
// and then only heartbeats. At the open the AMO order goes to the exchange
// and fills; AMO orders are then refused and regular ones taken.
func TestRealHoursOrdersAndFeed(t *testing.T) {
	clock := &testClock{t: ist(2026, 11, 24, 2, 0, 0)} // a Tuesday
	s := start(t, Options{TickInterval: 5 * time.Millisecond, Hours: RealHours, MarketClock: clock.now, RateLimits: NoRateLimits()})
	auth := tokenAuth(s)
	order := func(variety, orderType string) reply {
		return call(t, http.MethodPost, s.URL()+"/orders/"+variety, auth, url.Values{
			"exchange": {"NSE"}, "tradingsymbol": {"INFY"}, "transaction_type": {"BUY"}, "quantity": {"1"},
			"product": {"CNC"}, "order_type": {orderType}, "market_protection": {"-1"}, "validity": {"DAY"}})
	}
	r := order("regular", "MARKET")
	wantError(t, r, http.StatusBadRequest, "InputException")
	if !strings.HasPrefix(r.Env.Message, "Markets are closed right now. Use GTT for placing long standing orders instead.") {
		t.Errorf("closed-market message %q", r.Env.Message)
	}
	var amo struct {
		OrderID string `json:"order_id"`
	}
	wantData(t, order("amo", "MARKET"), &amo)
	status := func() string {
		var hist []struct {
			Status string `json:"status"`
		}
		wantData(t, call(t, http.MethodGet, s.URL()+"/orders/"+amo.OrderID, auth, nil), &hist)
		return hist[len(hist)-1].Status
	}
	if st := status(); st != "AMO REQ RECEIVED" {
		t.Fatalf("AMO order placed at 02:00 is %s", st)
	}

	// The feed: the subscription's last tick, then heartbeats only.
	ws := dialTicker(t, s, s.AccessToken())
	send(t, ws, `{"a":"subscribe","v":[408065]}`)
	tickMsgs, heartbeats := 0, 0
	readUntil(t, ws, 20*time.Second, func(typ websocket.MessageType, msg []byte) bool {
		switch {
		case typ != websocket.MessageBinary:
		case len(msg) == 1:
			heartbeats++
		default:
			tickMsgs++
		}
		return heartbeats == 2
	})
	if tickMsgs != 1 {
		t.Errorf("%d tick messages at 02:00 IST, want only the new subscription's", tickMsgs)
	}
	// Many steps later the AMO order still waits.
	if st := status(); st != "AMO REQ RECEIVED" {
		t.Fatalf("AMO order at 02:00 became %s", st)
	}

	// The open: the AMO order goes to the exchange and fills.
	clock.set(ist(2026, 11, 24, 9, 15, 30))
	deadline := time.Now().Add(20 * time.Second)
	for status() != "COMPLETE" {
		if time.Now().After(deadline) {
			t.Fatalf("AMO order %s after the open", status())
		}
		time.Sleep(10 * time.Millisecond)
	}
	wantError(t, order("amo", "MARKET"), http.StatusBadRequest, "InputException")
	wantData(t, order("regular", "MARKET"), nil)
	readUntil(t, ws, 20*time.Second, func(typ websocket.MessageType, msg []byte) bool {
		return typ == websocket.MessageBinary && len(msg) > 1
	})
}
