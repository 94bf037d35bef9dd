package sandbox

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/kitecli/kite/pkg/ticks"
)

// BenchmarkTickerFullMode measures how many full-mode ticks one ticker
// connection delivers to a reader that decodes and counts them: 3000
// instruments (Kite's per-connection maximum, padded with load-test
// instruments) subscribed in full mode, the market stepping every
// millisecond. ns/op is per tick; ticks/s is reported.
func BenchmarkTickerFullMode(b *testing.B) {
	s, err := Start(context.Background(), Options{TickInterval: time.Millisecond, LoadInstruments: 3000})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	insts := s.world.market.Instruments()[:maxTokensPerConn]
	toks := make([]string, len(insts))
	for i, in := range insts {
		toks[i] = fmt.Sprint(in.Token)
	}
	c, err := tryDialB(s)
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 24)
	ctx := context.Background()
	list := strings.Join(toks, ",")
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"a":"mode","v":["full",[`+list+`]]}`)); err != nil {
		b.Fatal(err)
	}
	// Wait for the first full batch.
	for {
		_, msg, err := c.Read(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(msg) > 2 && int(msg[0])<<8|int(msg[1]) == len(insts) {
			break
		}
	}
	b.ResetTimer()
	start := time.Now()
	n := 0
	for n < b.N {
		_, msg, err := c.Read(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(msg) < 2 {
			continue
		}
		it := ticks.NewIter(msg)
		var t ticks.Tick
		for it.Next(&t) {
			if t.Mode != ticks.ModeFull {
				b.Fatalf("mode %v", t.Mode)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "ticks/s")
	b.ReportMetric(float64(len(insts)), "instruments")
}

func tryDialB(s *Server) (*websocket.Conn, error) {
	return tryDial(s, map[string][]string{"api_key": {APIKey}, "access_token": {s.AccessToken()}})
}

// BenchmarkQuoteREST measures one GET /quote for 10 instruments over
// loopback HTTP, client included.
func BenchmarkQuoteREST(b *testing.B) {
	s, err := Start(context.Background(), Options{RateLimits: NoRateLimits()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	q := "?i=NSE:INFY&i=NSE:TCS&i=NSE:RELIANCE&i=NSE:SBIN&i=NSE:ITC&i=NSE:HDFCBANK&i=NSE:LT&i=NSE:WIPRO&i=NSE:TITAN&i=NSE:NTPC"
	req, err := http.NewRequest(http.MethodGet, s.URL()+"/quote"+q, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "token "+APIKey+":"+s.AccessToken())
	b.ReportAllocs()
	for b.Loop() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
