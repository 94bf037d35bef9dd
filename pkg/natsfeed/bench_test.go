package natsfeed

import (
	"context"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/ticks"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// benchSetup is setup, or with NATSFEED_BENCH_URL set, a connection to
// that server (nats-server -js as its own process) with a fresh KITE
// stream: then cpu-ns/tick is the publisher's (and consumer's) alone.
func benchSetup(b *testing.B) (*nats.Conn, jetstream.JetStream) {
	url := os.Getenv("NATSFEED_BENCH_URL")
	if url == "" {
		_, nc, js := setup(b)
		return nc, js
	}
	nc, err := Connect(ConnOptions{URL: url, Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = js.DeleteStream(ctx, "KITE")
	if _, created, err := EnsureStream(ctx, js, "KITE", "kite"); err != nil || !created {
		b.Fatalf("EnsureStream: created=%v err=%v", created, err)
	}
	return nc, js
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPublishFull publishes distinct full-mode ticks (184 bytes)
// through a Publisher to JetStream file storage on loopback and waits for
// every ack. The server runs in this process, so cpu-ns/tick counts
// server and publisher together.
func BenchmarkPublishFull(b *testing.B) {
	nc, _ := benchSetup(b)
	p, err := NewPublisher(nc, Options{Buffer: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	pkts := make([][]byte, 1000)
	for i := range pkts {
		pkts[i] = fullPacket(uint32(i)<<8|ticks.SegmentNFO, int32(i))
	}
	cpu0 := cpuTime()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		pkt := pkts[i%len(pkts)]
		// A distinct packet each time (the price), so none is a duplicate.
		pkt[4], pkt[5], pkt[6], pkt[7] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
		for !p.Tick(uint32(i%len(pkts))<<8|ticks.SegmentNFO, ticks.ModeFull, "", 0, pkt, pkt, false) {
			time.Sleep(time.Millisecond) // the benchmark, unlike kite, waits instead of dropping
		}
	}
	st := p.Close(context.Background())
	el := time.Since(start)
	b.StopTimer()
	if st.Missing() != 0 || st.Acked != uint64(b.N) {
		b.Fatalf("stats %+v for %d ticks", st, b.N)
	}
	b.ReportMetric(float64(b.N)/el.Seconds(), "ticks/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/tick")
}

// BenchmarkLatency20k publishes full ticks at 20,000/s for b.N ticks and
// measures, per tick, the time from Publisher.Tick to a consumer's
// Consume callback (same process, same clock): p50 and p99.
func BenchmarkLatency20k(b *testing.B) {
	nc, js := benchSetup(b)
	p, err := NewPublisher(nc, Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lat := make([]time.Duration, 0, b.N)
	got := make(chan struct{})
	go func() {
		defer close(got)
		_ = Consume(ctx, js, ConsumeOptions{}, func(m Msg) error {
			lat = append(lat, time.Duration(time.Now().UnixNano()-m.RecvTime))
			if len(lat) == b.N {
				return ErrStop
			}
			return nil
		})
	}()
	time.Sleep(200 * time.Millisecond) // the consumer subscribes (new ticks only)
	b.ResetTimer()
	const rate = 20000
	start := time.Now()
	for i := range b.N {
		due := start.Add(time.Duration(i) * time.Second / rate)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		pkt := fullPacket(uint32(i%500)<<8|ticks.SegmentNFO, int32(i))
		p.Tick(uint32(i%500)<<8|ticks.SegmentNFO, ticks.ModeFull, "", time.Now().UnixNano(), pkt, pkt, false)
	}
	select {
	case <-got:
	case <-time.After(30 * time.Second):
		b.Fatalf("consumer got %d of %d ticks", len(lat), b.N)
	}
	b.StopTimer()
	p.Close(context.Background())
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
