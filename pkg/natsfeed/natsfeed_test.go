package natsfeed

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/natstest"
	"github.com/kitecli/kite/pkg/ticks"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestMsgIDAndSubject(t *testing.T) {
	// token 408065 = 0x00063A01, an LTP packet with last price 150000
	// (0x000249F0). Expected: printf '\x00\x06\x3a\x01\x00\x06\x3a\x01\x00\x02\x49\xf0' | sha256sum | cut -c1-32
	pkt := []byte{0x00, 0x06, 0x3a, 0x01, 0x00, 0x02, 0x49, 0xf0}
	if got, want := MsgID(408065, pkt), "fe4a8676472e1dbf1d6c106e1d77ea4b"; got != want {
		t.Errorf("MsgID = %s, want %s", got, want)
	}
	for tok, want := range map[uint32]string{
		408065: "kite.ticks.NSE.408065", 256265: "kite.ticks.INDICES.256265", 12345602: "kite.ticks.NFO.12345602",
	} {
		if got := TickSubject("kite", tok); got != want {
			t.Errorf("TickSubject(%d) = %s, want %s", tok, got, want)
		}
	}
	if got := DefaultStreamName("desk.a"); got != "DESK_A" {
		t.Errorf("DefaultStreamName = %s, want DESK_A", got)
	}
}

func TestCheckURL(t *testing.T) {
	for _, u := range []string{"nats://127.0.0.1:4222", "nats://u:p@localhost:4222", "tls://u:p@nats.example.com:4222", "nats://a:4222,nats://b:4222"} {
		if err := CheckURL(u); err != nil {
			t.Errorf("CheckURL(%s): %v", u, err)
		}
	}
	for _, u := range []string{"nats://u:secret@nats.example.com:4222", "http://x:1", "127.0.0.1:4222"} {
		err := CheckURL(u)
		if err == nil {
			t.Errorf("CheckURL(%s) = nil, want an error", u)
			continue
		}
		if contains(err.Error(), "secret") {
			t.Errorf("CheckURL(%s) leaks the password: %v", u, err)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// fullPacket is a 184-byte full-mode packet for token with last price p.
func fullPacket(token uint32, p int32) []byte {
	tk := ticks.Tick{Mode: ticks.ModeFull, InstrumentToken: token, LastPrice: p, ExchangeTimestamp: 1_790_000_000}
	return ticks.AppendPacket(nil, &tk)[2:] // without the length prefix
}

func setup(t testing.TB) (*natstest.Server, *nats.Conn, jetstream.JetStream) {
	srv := natstest.Start(t)
	nc, err := Connect(ConnOptions{URL: srv.URL(), Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, created, err := EnsureStream(ctx, js, "KITE", "kite"); err != nil || !created {
		t.Fatalf("EnsureStream: created=%v err=%v", created, err)
	}
	return srv, nc, js
}

func streamMsgs(t testing.TB, js jetstream.JetStream) uint64 {
	t.Helper()
	s, err := js.Stream(context.Background(), "KITE")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

func TestEnsureStreamUsesExisting(t *testing.T) {
	_, _, js := setup(t)
	ctx := context.Background()
	s, created, err := EnsureStream(ctx, js, "KITE", "kite")
	if err != nil || created {
		t.Fatalf("second EnsureStream: created=%v err=%v", created, err)
	}
	cfg := s.CachedInfo().Config
	if cfg.Storage != jetstream.FileStorage || cfg.Subjects[0] != "kite.>" || cfg.MaxAge != 24*time.Hour ||
		cfg.Duplicates != 2*time.Minute || cfg.MaxMsgsPerSubject != 100000 {
		t.Errorf("stream config = %+v", cfg)
	}
}

// Two publishers with the same ticks: each is stored once.
func TestTwoPublishersStoreOnce(t *testing.T) {
	_, nc, js := setup(t)
	var pubs [2]*Publisher
	for i := range pubs {
		p, err := NewPublisher(nc, Options{})
		if err != nil {
			t.Fatal(err)
		}
		pubs[i] = p
	}
	const n = 500
	for i := range n {
		pkt := fullPacket(408065, int32(100000+i))
		for _, p := range pubs {
			if !p.Tick(408065, ticks.ModeFull, "NSE:INFY", 1, pkt, pkt, false) {
				t.Fatal("tick not queued")
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var dups uint64
	for _, p := range pubs {
		st := p.Close(ctx)
		if st.Missing() != 0 || st.Acked != n {
			t.Fatalf("stats %+v, want %d acked and none missing", st, n)
		}
		dups += st.Duplicates
	}
	if dups != n {
		t.Errorf("duplicates acked = %d, want %d", dups, n)
	}
	if got := streamMsgs(t, js); got != n {
		t.Errorf("stream holds %d messages, want %d", got, n)
	}
}

// A durable consumer stopped mid-way resumes at the next message, and an
// ordered (ephemeral) one reads everything in order with --since.
func TestConsumeDurableResumes(t *testing.T) {
	_, nc, js := setup(t)
	const n = 20
	publishN(t, nc, n)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	read := func(o ConsumeOptions, max int) []int32 {
		var got []int32
		errStop := ErrStop
		err := Consume(ctx, js, o, func(m Msg) error {
			var tk ticks.Tick
			if err := ticks.DecodePacket(m.Data, &tk); err != nil {
				t.Fatal(err)
			}
			if m.Symbol != "NSE:INFY" || m.Token != 408065 {
				t.Errorf("msg %+v", m)
			}
			got = append(got, tk.LastPrice)
			if len(got) == max {
				return errStop
			}
			return nil
		})
		if err != errStop {
			t.Fatalf("Consume %+v after %v: %v", o, got, err)
		}
		return got
	}
	since := time.Now().Add(-time.Minute)
	first := read(ConsumeOptions{Durable: "d1", Since: since}, 7)
	rest := read(ConsumeOptions{Durable: "d1", Since: since}, n-7)
	all := append(first, rest...)
	for i, v := range all {
		if v != int32(i) {
			t.Fatalf("durable read %v, want 0..%d in order", all, n-1)
		}
	}
	if last := read(ConsumeOptions{Last: true}, 1); last[0] != n-1 {
		t.Errorf("--last gave %v, want [%d]", last, n-1)
	}
}

// prices reads every tick of stream (prefix) from the start, in stream
// order, and returns their last prices.
func prices(t *testing.T, js jetstream.JetStream, prefix, stream string, want int) []int32 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []int32
	err := Consume(ctx, js, ConsumeOptions{Prefix: prefix, Stream: stream, Since: time.Now().Add(-time.Hour)}, func(m Msg) error {
		var tk ticks.Tick
		if err := ticks.DecodePacket(m.Data, &tk); err != nil {
			t.Fatal(err)
		}
		got = append(got, tk.LastPrice)
		if len(got) == want {
			return ErrStop
		}
		return nil
	})
	if err != ErrStop {
		t.Fatalf("reading %s: %v after %d ticks %v", stream, err, len(got), got)
	}
	return got
}

func inOrder(got []int32, from int32) bool {
	for i, v := range got {
		if v != from+int32(i) {
			return false
		}
	}
	return true
}

// The server goes away mid-stream and comes back: every tick is stored,
// once, in the order published. What was in flight when the server
// stopped is resent on reconnect (duplicates of what it had stored are
// acked as such, not stored again).
func TestPublishAcrossRestart(t *testing.T) {
	srv, nc, js := setup(t)
	p, err := NewPublisher(nc, Options{Buffer: 100000, AckTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	const n = 3000
	for i := range n {
		pkt := fullPacket(408065, int32(i))
		if !p.Tick(408065, ticks.ModeFull, "", 1, pkt, pkt, false) {
			t.Fatalf("tick %d dropped", i)
		}
		if i == n/3 {
			srv.Stop()
		}
		if i == 2*n/3 {
			srv.Restart()
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st := p.Close(ctx)
	if st.Queued != n || st.Missing() != 0 || st.Acked != n {
		t.Fatalf("stats %+v: want all %d acked, none missing", st, n)
	}
	if got := streamMsgs(t, js); got != n {
		t.Errorf("stream holds %d messages, want %d", got, n)
	}
	if got := prices(t, js, "kite", "KITE", n); !inOrder(got, 0) {
		t.Errorf("stream order %v, want 0..%d", got, n-1)
	}
	t.Logf("stats %+v", st)
}

// JetStream refuses messages (a full stream that discards new ones):
// the Publisher sends them again until they are stored, in order, and
// counts them resent, not missing.
func TestPublishResendsRefused(t *testing.T) {
	_, nc, js := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cfg := StreamConfig("FULL", "full")
	cfg.MaxMsgs, cfg.Discard = 10, jetstream.DiscardNew
	if _, err := js.CreateStream(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	p, err := NewPublisher(nc, Options{Prefix: "full"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 30
	for i := range n {
		pkt := fullPacket(408065, int32(i))
		p.Tick(408065, ticks.ModeFull, "", 1, pkt, pkt, false)
	}
	// Ten fit; the rest are refused, and resent.
	for st := p.Stats(); st.Acked < 10 || st.Resent < n; st = p.Stats() {
		if ctx.Err() != nil {
			t.Fatalf("stats %+v: want 10 acked and the rest resent", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st := p.Stats(); st.Acked != 10 {
		t.Fatalf("stats %+v: want exactly 10 acked while the stream is full", st)
	}
	// Room for all: the refused ones are stored on their next resend.
	cfg.MaxMsgs = -1
	if _, err := js.UpdateStream(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	st := p.Close(ctx)
	if st.Acked != n || st.Missing() != 0 {
		t.Fatalf("stats %+v: want %d acked, none missing", st, n)
	}
	if got := prices(t, js, "full", "FULL", n); !inOrder(got, 0) {
		t.Errorf("stream order %v, want 0..%d", got, n-1)
	}
}

// No stream yet (JetStream answers "no responders"): ticks are held and
// resent until a stream exists, then stored in order.
func TestPublishBeforeStreamExists(t *testing.T) {
	srv := natstest.Start(t)
	nc, err := Connect(ConnOptions{URL: srv.URL(), Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPublisher(nc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 100
	for i := range n {
		pkt := fullPacket(408065, int32(i))
		p.Tick(408065, ticks.ModeFull, "", 1, pkt, pkt, false)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for p.Stats().Resent == 0 {
		if ctx.Err() != nil {
			t.Fatalf("stats %+v: nothing resent", p.Stats())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, _, err := EnsureStream(ctx, js, "KITE", "kite"); err != nil {
		t.Fatal(err)
	}
	if st := p.Close(ctx); st.Acked != n || st.Missing() != 0 {
		t.Fatalf("stats %+v: want %d acked, none missing", st, n)
	}
	if got := prices(t, js, "kite", "KITE", n); !inOrder(got, 0) {
		t.Errorf("stream order %v, want 0..%d", got, n-1)
	}
}

// NATS away at the end: Close gives up at its deadline and counts every
// message it could not get acked, once.
func TestCloseCountsUnacked(t *testing.T) {
	srv, nc, _ := setup(t)
	p, err := NewPublisher(nc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	const n = 100
	for i := range n {
		pkt := fullPacket(408065, int32(i))
		p.Tick(408065, ticks.ModeFull, "", 1, pkt, pkt, false)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	st := p.Close(ctx)
	if st.Missing() != n || st.Acked != 0 {
		t.Errorf("stats %+v: want all %d missing, none acked", st, n)
	}
}

// A stream nobody published to is a *NoStreamError, whether the consumer
// is ephemeral or durable, and its message names the stream and no
// command: telling the user how to make one is the program's job.
func TestConsumeMissingStream(t *testing.T) {
	_, _, js := setup(t)
	for _, durable := range []string{"", "desk"} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := Consume(ctx, js, ConsumeOptions{Stream: "NOPE", Durable: durable}, func(Msg) error { return nil })
		cancel()
		var ns *NoStreamError
		if !errors.As(err, &ns) || ns.Stream != "NOPE" || !errors.Is(err, jetstream.ErrStreamNotFound) {
			t.Fatalf("durable %q: Consume = %v, want a *NoStreamError for NOPE", durable, err)
		}
		if want := "no JetStream stream NOPE: " + jetstream.ErrStreamNotFound.Error(); err.Error() != want {
			t.Errorf("durable %q: message %q, want %q", durable, err, want)
		}
	}
}
