package sandbox

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/kitecli/kite/pkg/ticks"
)

func TestQuoteAndTicker(t *testing.T) {
	s := start(t, Options{TickInterval: 20 * time.Millisecond})
	auth := tokenAuth(s)

	var quotes map[string]struct {
		InstrumentToken uint32  `json:"instrument_token"`
		LastPrice       float64 `json:"last_price"`
	}
	wantData(t, call(t, http.MethodGet, s.URL()+"/quote", auth, url.Values{"i": {"NSE:INFY", "NSE:NOSUCHTHING"}}), &quotes)
	infy, ok := quotes["NSE:INFY"]
	if !ok || len(quotes) != 1 || infy.InstrumentToken != 408065 || infy.LastPrice <= 0 {
		t.Fatalf("quote: %+v", quotes)
	}

	c := dialTicker(t, s, s.AccessToken())
	send(t, c, `{"a":"subscribe","v":[408065,256265]}`)
	seen := map[uint32]ticks.Mode{}
	readUntil(t, c, 10*time.Second, func(typ websocket.MessageType, msg []byte) bool {
		if typ != websocket.MessageBinary || len(msg) < 2 {
			return false
		}
		ts, err := ticks.Decode(msg)
		if err != nil {
			t.Fatalf("decoding %x: %v", msg, err)
		}
		for _, tk := range ts {
			seen[tk.InstrumentToken] = tk.Mode
		}
		return len(seen) == 2
	})
	if seen[408065] != ticks.ModeQuote || seen[256265] != ticks.ModeQuote {
		t.Fatalf("modes: %v", seen)
	}
}
