// Package tickerfeed is a synthetic Kite ticker for throughput benchmarks.
//
// The sandbox's ticker is faithful but bounded by its market model (a
// hundred-odd instruments, one step per TickInterval), so it cannot show
// how fast a client is. This feed speaks the same protocol — the query's
// api_key/access_token are accepted, subscribe/mode commands are read and
// ignored — and writes pre-built full-mode messages either as fast as the
// client reads them or one per interval, so the client is what is measured.
package tickerfeed

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/coder/websocket"
	"github.com/kitecli/kite/pkg/ticks"
)

// Options shape the feed.
type Options struct {
	Instruments int           // ticks per message; tokens are NSE, 1000<<8|1 upwards
	Interval    time.Duration // 0 = back to back, as fast as the client reads
	Messages    int           // messages per connection; 0 = until the client goes
}

// Feed is a running feed.
type Feed struct {
	URL    string // ws://127.0.0.1:PORT/ws
	Tokens []uint32
	srv    *http.Server
}

// Start listens on a free loopback port.
func Start(o Options) (*Feed, error) {
	if o.Instruments < 1 || o.Instruments > ticks.MaxPackets {
		return nil, errors.New("tickerfeed: Instruments must be between 1 and 65535")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	msgs, tokens := build(o.Instruments)
	f := &Feed{URL: "ws://" + ln.Addr().String() + "/ws", Tokens: tokens}
	f.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		serve(w, r, o, msgs)
	})}
	go f.srv.Serve(ln)
	return f, nil
}

// Close stops the feed and its connections.
func (f *Feed) Close() error { return f.srv.Close() }

// build pre-encodes 16 variants of the message (prices move between them)
// so the feed itself costs nothing per message.
func build(n int) ([][]byte, []uint32) {
	tokens := make([]uint32, n)
	ts := make([]ticks.Tick, n)
	var msgs [][]byte
	for v := range 16 {
		for i := range ts {
			tokens[i] = uint32(1000+i)<<8 | ticks.SegmentNSE
			t := &ts[i]
			*t = ticks.Tick{Mode: ticks.ModeFull, InstrumentToken: tokens[i]}
			t.LastPrice = int32(150000 + 5*((i+v)%40))
			t.LastTradedQuantity, t.AverageTradedPrice, t.VolumeTraded = uint32(1+v), 149950, uint32(1234567+v*10)
			t.TotalBuyQuantity, t.TotalSellQuantity = 500000, 400000
			t.Open, t.High, t.Low, t.Close = 149000, 151000, 148500, 149500
			// One exchange time per message, as in Kite's bursts; each
			// instrument last traded at its own second.
			t.LastTradeTime, t.ExchangeTimestamp = 1795240000+uint32(v)-uint32(i%97), 1795240000+uint32(v)
			t.OI, t.OIDayHigh, t.OIDayLow = 0, 0, 0
			for j := range 5 {
				t.Depth.Buy[j] = ticks.DepthItem{Quantity: uint32(10 + j), Price: t.LastPrice - int32(5*(j+1)), Orders: uint16(j + 1)}
				t.Depth.Sell[j] = ticks.DepthItem{Quantity: uint32(20 + j), Price: t.LastPrice + int32(5*(j+1)), Orders: uint16(j + 2)}
			}
		}
		msgs = append(msgs, ticks.AppendMessage(nil, ts...))
	}
	return msgs, tokens
}

func serve(w http.ResponseWriter, r *http.Request, o Options, msgs [][]byte) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return
	}
	defer c.CloseNow()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() {
		defer cancel()
		for {
			if _, _, err := c.Read(ctx); err != nil {
				return
			}
		}
	}()
	var tick *time.Ticker
	if o.Interval > 0 {
		tick = time.NewTicker(o.Interval)
		defer tick.Stop()
	}
	for i := 0; o.Messages == 0 || i < o.Messages; i++ {
		if tick != nil {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
		if err := c.Write(ctx, websocket.MessageBinary, msgs[i%len(msgs)]); err != nil {
			return
		}
	}
	<-ctx.Done()
}
