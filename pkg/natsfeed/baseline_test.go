package natsfeed

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/ticks"
	"github.com/nats-io/nats.go"
)

// The baselines below are the physical limits a Publisher's figures are
// read against, measured in the same run on the same server: what NATS
// itself costs for the same bytes, with no Publisher in the way.

// BenchmarkBaselineCorePublish publishes the same 184-byte full packets
// with core NATS (no JetStream, no ack, no subscriber) and flushes: the
// ceiling of the client and the server's parser.
func BenchmarkBaselineCorePublish(b *testing.B) {
	nc, _ := benchSetup(b)
	pkt := fullPacket(408065, 1)
	cpu0 := cpuTime()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if err := nc.Publish("nocore.ticks.NSE.408065", pkt); err != nil {
			b.Fatal(err)
		}
	}
	if err := nc.Flush(); err != nil {
		b.Fatal(err)
	}
	el := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/el.Seconds(), "ticks/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/tick")
}

// BenchmarkBaselineJetStreamRaw stores the same messages (same subjects,
// same four headers, distinct ids) in the same stream with the least
// client work there is: headers prebuilt but the id, one reply subject
// per message on one wildcard subscription, acks counted unparsed, a
// window of 4096. What is left is the server's cost of storing and
// acking one message: the ceiling for one JetStream message per tick.
//
// headers=none stores bare packets (no Nats-Msg-Id: no deduplication),
// to show what the headers cost the server.
func BenchmarkBaselineJetStreamRaw(b *testing.B) {
	for _, hdrs := range []string{"kite", "none"} {
		b.Run("headers="+hdrs, func(b *testing.B) { benchJetStreamRaw(b, hdrs == "kite") })
	}
}

func benchJetStreamRaw(b *testing.B, headers bool) {
	nc, _ := benchSetup(b)
	const window = 4096
	var acked atomic.Int64
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	inbox := nats.NewInbox()
	sub, err := nc.Subscribe(inbox+".*", func(*nats.Msg) {
		acked.Add(1)
		mu.Lock()
		cond.Signal()
		mu.Unlock()
	})
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Unsubscribe()
	_ = sub.SetPendingLimits(-1, -1)
	pkts := make([][]byte, 1000)
	subjs := make([]string, len(pkts))
	for i := range pkts {
		tok := uint32(i)<<8 | ticks.SegmentNFO
		pkts[i] = fullPacket(tok, int32(i))
		subjs[i] = TickSubject("kite", tok)
	}
	m := nats.NewMsg("")
	if headers {
		m.Header.Set(HeaderMode, "full")
		m.Header.Set(HeaderRecvTime, "1790000000000000000")
	}
	cpu0 := cpuTime()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		for int64(i)-acked.Load() >= window {
			mu.Lock()
			if int64(i)-acked.Load() >= window {
				cond.Wait()
			}
			mu.Unlock()
		}
		pkt := pkts[i%len(pkts)]
		pkt[4], pkt[5], pkt[6], pkt[7] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
		m.Subject = subjs[i%len(pkts)]
		m.Reply = inbox + "." + strconv.Itoa(i)
		m.Data = pkt
		if headers {
			m.Header.Set("Nats-Msg-Id", strconv.Itoa(i))
		}
		if err := nc.PublishMsg(m); err != nil {
			b.Fatal(err)
		}
	}
	for acked.Load() < int64(b.N) {
		mu.Lock()
		if acked.Load() < int64(b.N) {
			cond.Wait()
		}
		mu.Unlock()
	}
	el := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/el.Seconds(), "ticks/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/tick")
}
