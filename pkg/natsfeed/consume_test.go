package natsfeed

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/ticks"
	"github.com/nats-io/nats.go"
)

// publishN stores n distinct INFY ticks (prices 0..n-1) through a
// Publisher on nc and waits for their acks.
func publishN(t *testing.T, nc *nats.Conn, n int) {
	t.Helper()
	p, err := NewPublisher(nc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		pkt := fullPacket(408065, int32(i))
		if !p.Tick(408065, ticks.ModeFull, "NSE:INFY", int64(i), pkt, pkt, false) {
			t.Fatalf("tick %d dropped", i)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if st := p.Close(ctx); st.Acked != uint64(n) {
		t.Fatalf("stats %+v, want %d acked", st, n)
	}
}

// Idle comes once every message that has arrived is handled, and only
// then: a writer that flushes in Idle never leaves a record in its
// buffer while Consume waits for the next message.
func TestConsumeIdleFollowsTheLastMessage(t *testing.T) {
	_, nc, js := setup(t)
	const n = 50
	publishN(t, nc, n)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	handled := 0
	var atIdle []int // handled, at each Idle
	errAllWritten := errors.New("all written")
	err := Consume(ctx, js, ConsumeOptions{
		Since: time.Now().Add(-time.Hour),
		Idle: func() error {
			atIdle = append(atIdle, handled)
			if handled == n {
				return errAllWritten // ends Consume with it
			}
			return nil
		},
	}, func(Msg) error { handled++; return nil })
	if !errors.Is(err, errAllWritten) {
		t.Fatalf("Consume: %v after %d messages, Idle at %v: want Idle once all %d were handled", err, handled, atIdle, n)
	}
	for i, h := range atIdle {
		if h == 0 || i > 0 && h <= atIdle[i-1] {
			t.Fatalf("Idle at %v: each Idle must follow at least one new message", atIdle)
		}
	}
}

// A durable consumer calls Idle after each message, before that message
// is acked: what was written is out before the position moves past it.
func TestConsumeDurableIdleEachMessage(t *testing.T) {
	_, nc, js := setup(t)
	publishN(t, nc, 10)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	handled, idles := 0, 0
	err := Consume(ctx, js, ConsumeOptions{
		Durable: "idle", Since: time.Now().Add(-time.Hour),
		Idle: func() error {
			idles++
			if idles != handled {
				t.Errorf("Idle %d after %d messages", idles, handled)
			}
			return nil
		},
	}, func(Msg) error {
		handled++
		if handled == 6 {
			return ErrStop
		}
		return nil
	})
	if !errors.Is(err, ErrStop) || handled != 6 || idles != 6 {
		t.Fatalf("Consume: %v, %d handled, %d Idle calls; want ErrStop, 6 and 6", err, handled, idles)
	}
	// The sixth was acked: the next run starts at the seventh (price 6).
	var first int32 = -1
	err = Consume(ctx, js, ConsumeOptions{Durable: "idle", Since: time.Now().Add(-time.Hour)}, func(m Msg) error {
		var tk ticks.Tick
		if err := ticks.DecodePacket(m.Data, &tk); err != nil {
			t.Fatal(err)
		}
		first = tk.LastPrice
		return ErrStop
	})
	if !errors.Is(err, ErrStop) || first != 6 {
		t.Fatalf("resumed at price %d (%v), want 6", first, err)
	}
}

// Symbols maps each symbol publishers put on ticks to its token, and
// leaves no consumer behind.
func TestSymbols(t *testing.T) {
	_, nc, js := setup(t)
	p, err := NewPublisher(nc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Tokens as Kite numbers them: INFY 408065, RELIANCE 738561 (NSE),
	// and 256265 (NIFTY 50) published by token, without a symbol.
	for i, tk := range []struct {
		token  uint32
		symbol string
	}{{408065, "NSE:INFY"}, {738561, "NSE:RELIANCE"}, {256265, ""}, {408065, "NSE:INFY"}} {
		pkt := fullPacket(tk.token, int32(i))
		p.Tick(tk.token, ticks.ModeFull, tk.symbol, 0, pkt, pkt, false)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if st := p.Close(ctx); st.Acked != 4 {
		t.Fatalf("stats %+v", st)
	}
	got, err := Symbols(ctx, js, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["NSE:INFY"] != 408065 || got["NSE:RELIANCE"] != 738561 {
		t.Fatalf("Symbols = %v, want NSE:INFY 408065 and NSE:RELIANCE 738561", got)
	}
	s, err := js.Stream(ctx, "KITE")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Consumers != 0 {
		t.Errorf("%d consumers left on the stream", info.State.Consumers)
	}
	var ns *NoStreamError
	if _, err := Symbols(ctx, js, "other", ""); !errors.As(err, &ns) || ns.Stream != "OTHER" {
		t.Errorf("Symbols of a missing stream: %v, want a NoStreamError for OTHER", err)
	}
}

// With the server gone, Consume and Symbols fail with ErrConnectionDown
// in the chain, not only nats.go's word about its outbound buffer.
func TestConsumeWithTheServerDown(t *testing.T) {
	srv, nc, js := setup(t)
	srv.Stop()
	for deadline := time.Now().Add(10 * time.Second); nc.Status() == nats.CONNECTED; {
		if time.Now().After(deadline) {
			t.Fatal("the client still says connected 10 s after the server stopped")
		}
		time.Sleep(10 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := Consume(ctx, js, ConsumeOptions{}, func(Msg) error { return nil })
	if !errors.Is(err, ErrConnectionDown) {
		t.Errorf("Consume: %v, want ErrConnectionDown in the chain", err)
	}
	if _, err := Symbols(ctx, js, "", ""); !errors.Is(err, ErrConnectionDown) {
		t.Errorf("Symbols: %v, want ErrConnectionDown in the chain", err)
	}
}
