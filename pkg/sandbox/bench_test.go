package sandbox

import (
	"context"
	"fmt"
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
