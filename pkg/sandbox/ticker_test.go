package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/kitecli/kite/pkg/ticks"
)

// nextTicks reads until a binary message with ticks arrives and decodes it.
func nextTicks(t *testing.T, c *websocket.Conn) []ticks.Tick {
	t.Helper()
	var out []ticks.Tick
	readUntil(t, c, 10*time.Second, func(typ websocket.MessageType, msg []byte) bool {
		if typ != websocket.MessageBinary || len(msg) < 2 {
			return false
		}
		ts, err := ticks.Decode(msg)
		if err != nil {
			t.Fatalf("decoding %x: %v", msg, err)
		}
		out = ts
		return len(ts) > 0
	})
	return out
}

// packetLens returns the packet lengths of a binary message by token.
func packetLens(t *testing.T, msg []byte) map[uint32]int {
	t.Helper()
	out := map[uint32]int{}
	n := int(msg[0])<<8 | int(msg[1])
	off := 2
	for range n {
		l := int(msg[off])<<8 | int(msg[off+1])
		p := msg[off+2 : off+2+l]
		out[uint32(p[0])<<24|uint32(p[1])<<16|uint32(p[2])<<8|uint32(p[3])] = l
		off += 2 + l
	}
	if off != len(msg) {
		t.Fatalf("message has %d trailing bytes", len(msg)-off)
	}
	return out
}

func TestTickerModesAndPacketLengths(t *testing.T) {
	s := start(t, Options{TickInterval: 10 * time.Millisecond})
	c := dialTicker(t, s, s.AccessToken())
	const infy, nifty = 408065, 256265
	send(t, c, fmt.Sprintf(`{"a":"subscribe","v":[%d,%d,12345]}`, infy, nifty))
	want := func(lens map[uint32]int) {
		t.Helper()
		readUntil(t, c, 10*time.Second, func(typ websocket.MessageType, msg []byte) bool {
			if typ != websocket.MessageBinary || len(msg) < 2 {
				return false
			}
			got := packetLens(t, msg)
			for tok, l := range lens {
				if got[tok] != l {
					return false
				}
			}
			return len(got) == len(lens)
		})
	}
	// New subscriptions are in quote mode; unknown tokens send nothing.
	want(map[uint32]int{infy: 44, nifty: 28})
	send(t, c, fmt.Sprintf(`{"a":"mode","v":["full",[%d,%d]]}`, infy, nifty))
	want(map[uint32]int{infy: 184, nifty: 32})
	send(t, c, fmt.Sprintf(`{"a":"mode","v":["ltp",[%d,%d]]}`, infy, nifty))
	want(map[uint32]int{infy: 8, nifty: 8})
	send(t, c, fmt.Sprintf(`{"a":"unsubscribe","v":[%d]}`, nifty))
	want(map[uint32]int{infy: 8})

	// Full ticks agree with themselves.
	send(t, c, fmt.Sprintf(`{"a":"mode","v":["full",[%d]]}`, infy))
	var tk ticks.Tick
	for tk.Mode != ticks.ModeFull {
		tk = nextTicks(t, c)[0]
	}
	if tk.InstrumentToken != infy || tk.LastPrice <= 0 || tk.Low > tk.High || tk.Depth.Buy[0].Price > tk.Depth.Sell[0].Price ||
		tk.Depth.Buy[0].Price == 0 || tk.ExchangeTimestamp == 0 {
		t.Fatalf("implausible full tick: %+v", tk)
	}
}

func TestTickerBadRequests(t *testing.T) {
	s := start(t, Options{TickInterval: 50 * time.Millisecond})
	c := dialTicker(t, s, s.AccessToken())
	for _, bad := range []string{`not json`, `{"a":"dance","v":[1]}`, `{"a":"subscribe","v":"x"}`, `{"a":"mode","v":["turbo",[1]]}`, `{"a":"mode","v":[1]}`} {
		send(t, c, bad)
		readUntil(t, c, 10*time.Second, func(typ websocket.MessageType, msg []byte) bool {
			if typ != websocket.MessageText {
				return false
			}
			var m struct{ Type, Data string }
			if err := json.Unmarshal(msg, &m); err != nil || m.Type != "error" || m.Data == "" {
				t.Fatalf("%s: got %s", bad, msg)
			}
			return true
		})
	}

	// 3000 instruments per connection.
	toks := make([]string, 3001)
	for i := range toks {
		toks[i] = fmt.Sprint(1000000 + i)
	}
	send(t, c, `{"a":"subscribe","v":[`+strings.Join(toks, ",")+`]}`)
	readUntil(t, c, 10*time.Second, func(typ websocket.MessageType, msg []byte) bool {
		if typ != websocket.MessageText {
			return false
		}
		if !strings.Contains(string(msg), `"type":"error"`) || !strings.Contains(string(msg), "3000") {
			t.Fatalf("over the limit: %s", msg)
		}
		return true
	})
}

func TestTickerAuthAndConnectionLimit(t *testing.T) {
	s := start(t, Options{})
	status := func(q url.Values) int {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, resp, err := websocket.Dial(ctx, s.WSURL()+"?"+q.Encode(), nil)
		if err == nil {
			c.CloseNow()
			return http.StatusSwitchingProtocols
		}
		if resp == nil {
			t.Fatalf("dial: %v", err)
		}
		return resp.StatusCode
	}
	tok := s.AccessToken()
	if got := status(url.Values{"api_key": {APIKey}, "access_token": {"bogus"}}); got != http.StatusForbidden {
		t.Fatalf("bad token: %d", got)
	}
	if got := status(url.Values{"api_key": {"other"}, "access_token": {tok}}); got != http.StatusForbidden {
		t.Fatalf("wrong api_key: %d", got)
	}
	if got := status(url.Values{}); got != http.StatusForbidden {
		t.Fatalf("no credentials: %d", got)
	}
	for range 3 {
		dialTicker(t, s, tok)
	}
	// Kite refuses the upgrade of a fourth connection with 429.
	if got := status(url.Values{"api_key": {APIKey}, "access_token": {s.AccessToken()}}); got != http.StatusTooManyRequests {
		t.Fatalf("a fourth connection for the API key: %d, want 429", got)
	}
}

func TestTickerHeartbeat(t *testing.T) {
	s := start(t, Options{TickInterval: 10 * time.Millisecond})
	c := dialTicker(t, s, s.AccessToken())
	// Nothing subscribed: the only binary messages are 1-byte heartbeats.
	beats := 0
	readUntil(t, c, 10*time.Second, func(typ websocket.MessageType, msg []byte) bool {
		if typ != websocket.MessageBinary || len(msg) != 1 {
			t.Fatalf("idle connection sent %d bytes: %x", len(msg), msg)
		}
		beats++
		return beats == 2
	})
}

func TestTickerFaults(t *testing.T) {
	t.Run("drop", func(t *testing.T) {
		s := start(t, Options{TickInterval: 10 * time.Millisecond, Faults: Faults{DropEvery: 200 * time.Millisecond}})
		c := dialTicker(t, s, s.AccessToken())
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for {
			if _, _, err := c.Read(ctx); err != nil {
				if ctx.Err() != nil {
					t.Fatal("the connection was not dropped")
				}
				break
			}
		}
		// The sandbox still accepts connections after dropping one.
		dialTicker(t, s, s.AccessToken())
	})
	t.Run("stall", func(t *testing.T) {
		const stall = 500 * time.Millisecond
		s := start(t, Options{TickInterval: 10 * time.Millisecond, Faults: Faults{Stall: stall}})
		begin := time.Now()
		c := dialTicker(t, s, s.AccessToken())
		send(t, c, `{"a":"subscribe","v":[408065]}`)
		nextTicks(t, c)
		if waited := time.Since(begin); waited < stall {
			t.Fatalf("first message after %v, inside a %v stall", waited, stall)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		s := start(t, Options{TickInterval: 10 * time.Millisecond})
		c := dialTicker(t, s, s.AccessToken())
		send(t, c, `{"a":"subscribe","v":[408065]}`)
		nextTicks(t, c)
		s.SendMalformed()
		bad := 0
		readUntil(t, c, 10*time.Second, func(typ websocket.MessageType, msg []byte) bool {
			if typ != websocket.MessageBinary {
				return false
			}
			if _, err := ticks.Decode(msg); err != nil {
				bad++
				return false
			}
			return bad > 0 // a good message after the bad one
		})
		if bad != 1 {
			t.Fatalf("%d malformed messages, want 1", bad)
		}
	})
	t.Run("expire", func(t *testing.T) {
		s := start(t, Options{TickInterval: 10 * time.Millisecond})
		tok := s.AccessToken()
		c := dialTicker(t, s, tok)
		s.ExpireSessions()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for {
			if _, _, err := c.Read(ctx); err != nil {
				if ctx.Err() != nil {
					t.Fatal("the connection outlived its session")
				}
				break
			}
		}
		if _, err := tryDial(s, url.Values{"api_key": {APIKey}, "access_token": {tok}}); err == nil {
			t.Fatal("an expired token connected")
		}
	})
}
