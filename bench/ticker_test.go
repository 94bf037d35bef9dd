package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"testing"
	"time"

	"github.com/kitecli/kite/bench/tickerfeed"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/retry"
	"github.com/kitecli/kite/pkg/ticks"
	"github.com/zerodha/gokiteconnect/v4/models"
	kiteticker "github.com/zerodha/gokiteconnect/v4/ticker"
)

// Both clients read the same feed (100 full-mode ticks per message, back to
// back) and turn every tick into JSON discarded at the end: kite through
// its ticker, the zero-allocation decoder and a ticks.JSONEncoder (what
// kite stream uses) into a reused buffer; gokiteconnect through its ticker,
// OnTick and encoding/json. One op is one message of 100 ticks. The feed's
// ticks share an exchange timestamp per message and each has its own last
// trade time, so the encoder's time cache sees what it would see live.
const feedTicks = 100

var errEnough = errors.New("enough")

type kiteSink struct {
	out   *bufio.Writer
	buf   []byte
	tick  ticks.Tick
	enc   ticks.JSONEncoder
	n     int
	limit int
	b     *testing.B
}

func (s *kiteSink) Binary(_ int, msg []byte) error {
	it := ticks.NewIter(msg)
	buf := s.buf[:0]
	for it.Next(&s.tick) {
		buf = s.enc.Append(buf, &s.tick, "")
		s.n++
	}
	s.buf = buf
	if _, err := s.out.Write(buf); err != nil {
		return err
	}
	if err := s.out.Flush(); err != nil {
		return err
	}
	if s.n >= s.limit {
		s.b.StopTimer()
		return errEnough
	}
	return nil
}
func (s *kiteSink) Text(int, []byte) error       { return nil }
func (s *kiteSink) Event(kite.TickerEvent) error { return nil }

func BenchmarkTickerKite(b *testing.B) {
	feed, err := tickerfeed.Start(tickerfeed.Options{Instruments: feedTicks, Messages: b.N})
	if err != nil {
		b.Fatal(err)
	}
	defer feed.Close()
	sink := &kiteSink{out: bufio.NewWriterSize(io.Discard, 64<<10), limit: b.N * feedTicks, b: b}
	tk, err := kite.NewTicker(kite.TickerOptions{
		URL:         feed.URL,
		Credentials: kite.Credentials{Kind: kite.Connect, APIKey: "feed", AccessToken: "feed"},
		Reconnect:   retry.Policy{Base: time.Millisecond, Max: time.Millisecond, Attempts: 1},
		Handler:     sink,
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := tk.Subscribe(context.Background(), ticks.ModeFull, feed.Tokens...); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	if err := tk.Run(context.Background()); !errors.Is(err, errEnough) {
		b.Fatalf("Run = %v", err)
	}
	b.ReportMetric(float64(sink.n)/b.Elapsed().Seconds(), "ticks/s")
}

func BenchmarkTickerGokiteconnect(b *testing.B) {
	feed, err := tickerfeed.Start(tickerfeed.Options{Instruments: feedTicks, Messages: b.N})
	if err != nil {
		b.Fatal(err)
	}
	defer feed.Close()
	u, _ := url.Parse(feed.URL)
	t := kiteticker.New("feed", "feed")
	t.SetRootURL(*u)
	t.SetAutoReconnect(false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	enc := json.NewEncoder(io.Discard)
	n, limit := 0, b.N*feedTicks
	t.OnConnect(func() {
		_ = t.Subscribe(feed.Tokens)
		_ = t.SetMode(kiteticker.ModeFull, feed.Tokens)
	})
	t.OnTick(func(tick models.Tick) {
		if err := enc.Encode(tick); err != nil {
			b.Error(err)
		}
		if n++; n == limit {
			b.StopTimer()
			cancel()
		}
	})
	b.ReportAllocs()
	b.ResetTimer()
	t.ServeWithContext(ctx)
	if n < limit {
		b.Fatalf("%d of %d ticks before the ticker stopped", n, limit)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ticks/s")
}
