// Command natsprobe splits kite's NATS latency into its hops. It reads the
// ticks a kite publisher sends and prints, like scripts/bench-nats.sh's
// reader, the percentiles of arrival time minus the Kite-Recv-Time header
// (the publisher's receive time), with none of kite's consumer code in
// the way:
//
//	natsprobe -url nats://127.0.0.1:14333 -via core -duration 10s
//	natsprobe -url nats://127.0.0.1:14333 -via jetstream -duration 10s
//
// With -publish N it is also the publisher, and the baseline the kite
// figures are read against: every -every it publishes N full-mode
// packets (184 bytes, distinct instruments) to JetStream as kite's
// Publisher does (the same headers, a Nats-Msg-Id each, acks awaited in
// a window of 4096), stamped with the burst's start as Kite-Recv-Time,
// into a stream of its own prefix created as kite creates its stream:
//
//	natsprobe -url nats://127.0.0.1:14333 -via jetstream -prefix base -publish 400 -every 20ms
//
// -via stdin reads kite stream --from --recv-time's NDJSON instead, timing
// each line as it arrives on the pipe: kite's own consumer, end to end.
//
// -via core subscribes to PREFIX.ticks.> with core NATS: the server hands
// it each message as it routes it, so it measures the publisher and the
// server's routing. -via jetstream reads the stream with nats.go's ordered
// consumer, as kite stream --from does, and adds storing and delivery.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/kitecli/kite/pkg/natsfeed"
	"github.com/kitecli/kite/pkg/ticks"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func main() {
	url := flag.String("url", nats.DefaultURL, "NATS server")
	via := flag.String("via", "core", "core, jetstream, or stdin (kite stream --recv-time NDJSON)")
	prefix := flag.String("prefix", "kite", "subject prefix")
	stream := flag.String("stream", "KITE", "JetStream stream (-via jetstream)")
	dur := flag.Duration("duration", 10*time.Second, "how long to read")
	burst := flag.Int("publish", 0, "publish bursts of this many ticks (0: only read)")
	every := flag.Duration("every", 20*time.Millisecond, "time between bursts (-publish)")
	flag.Parse()
	if *burst > 0 && *stream == "KITE" {
		*stream = natsfeed.DefaultStreamName(*prefix)
	}
	if *via == "stdin" {
		lat, err := readLines(os.Stdin)
		if err != nil {
			fmt.Fprintln(os.Stderr, "natsprobe:", err)
			os.Exit(1)
		}
		report(lat)
		return
	}
	if err := run(*url, *via, *prefix, *stream, *dur, *burst, *every); err != nil {
		fmt.Fprintln(os.Stderr, "natsprobe:", err)
		os.Exit(1)
	}
}

func run(url, via, prefix, stream string, dur time.Duration, burst int, every time.Duration) error {
	nc, err := nats.Connect(url, nats.Name("natsprobe"))
	if err != nil {
		return err
	}
	defer nc.Close()
	var mu sync.Mutex
	var lat []time.Duration
	record := func(h nats.Header) {
		now := time.Now().UnixNano()
		if r, err := strconv.ParseInt(h.Get("Kite-Recv-Time"), 10, 64); err == nil && r > 0 {
			mu.Lock()
			lat = append(lat, time.Duration(now-r))
			mu.Unlock()
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	if burst > 0 {
		js, err := jetstream.New(nc)
		if err != nil {
			return err
		}
		if _, _, err := natsfeed.EnsureStream(ctx, js, stream, prefix); err != nil {
			return err
		}
		// The consumer starts first (new messages only), as in the
		// kite run; publishing stops a second before reading does.
		pctx, pcancel := context.WithTimeout(ctx, dur-time.Second)
		defer pcancel()
		go func() {
			time.Sleep(500 * time.Millisecond)
			if err := publish(pctx, url, prefix, burst, every); err != nil {
				fmt.Fprintln(os.Stderr, "natsprobe: publishing:", err)
			}
		}()
	}
	switch via {
	case "core":
		sub, err := nc.Subscribe(prefix+".ticks.>", func(m *nats.Msg) { record(m.Header) })
		if err != nil {
			return err
		}
		_ = sub.SetPendingLimits(-1, -1)
		<-ctx.Done()
		_ = sub.Unsubscribe()
	case "jetstream":
		js, err := jetstream.New(nc)
		if err != nil {
			return err
		}
		cons, err := js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverNewPolicy})
		if err != nil {
			return err
		}
		it, err := cons.Messages(jetstream.PullMaxMessages(4096))
		if err != nil {
			return err
		}
		stop := context.AfterFunc(ctx, it.Stop)
		defer stop()
		for {
			m, err := it.Next()
			if err != nil {
				break
			}
			record(m.Headers())
		}
	default:
		return fmt.Errorf("-via %q: use core, jetstream or stdin", via)
	}
	mu.Lock()
	defer mu.Unlock()
	report(lat)
	return nil
}

// report prints the percentiles of lat: the one line every mode prints.
func report(lat []time.Duration) {
	if len(lat) == 0 {
		fmt.Println("no ticks")
		return
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[int(float64(len(lat)-1)*p)] }
	fmt.Printf("ticks %d  p50 %v  p90 %v  p99 %v  max %v\n", len(lat), q(.5), q(.9), q(.99), lat[len(lat)-1])
}

// readLines takes, for each line of kite stream --recv-time NDJSON as it
// arrives on r, its arrival time minus its recv_time.
func readLines(r io.Reader) ([]time.Duration, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	key := []byte(`"recv_time":`)
	var lat []time.Duration
	for sc.Scan() {
		now := time.Now().UnixNano()
		l := sc.Bytes()
		i := bytes.Index(l, key)
		if i < 0 {
			continue
		}
		j := i + len(key)
		k := j
		for k < len(l) && l[k] >= '0' && l[k] <= '9' {
			k++
		}
		if r, err := strconv.ParseInt(string(l[j:k]), 10, 64); err == nil {
			lat = append(lat, time.Duration(now-r))
		}
	}
	return lat, sc.Err()
}

// publish sends a burst of n ticks every interval until ctx ends, with a
// window of 4096 unacked messages, as kite's Publisher does but with
// nothing else: headers prebuilt but the id and the time, acks counted
// unparsed, on a connection of its own.
func publish(ctx context.Context, url, prefix string, n int, every time.Duration) error {
	const window = 4096
	nc, err := nats.Connect(url, nats.Name("natsprobe publisher")) // its own, as a kite publisher has
	if err != nil {
		return err
	}
	defer nc.Close()
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	var acked int64
	inbox := nats.NewInbox()
	sub, err := nc.Subscribe(inbox+".*", func(*nats.Msg) {
		mu.Lock()
		acked++
		cond.Signal()
		mu.Unlock()
	})
	if err != nil {
		return err
	}
	defer sub.Unsubscribe()
	_ = sub.SetPendingLimits(-1, -1)
	subjects := make([]string, n)
	packets := make([][]byte, n)
	for i := range n {
		tok := uint32(i+1)<<8 | ticks.SegmentNSE
		subjects[i] = natsfeed.TickSubject(prefix, tok)
		tk := ticks.Tick{Mode: ticks.ModeFull, InstrumentToken: tok, ExchangeTimestamp: 1_790_000_000}
		packets[i] = ticks.AppendPacket(nil, &tk)[2:]
	}
	m := nats.NewMsg("")
	m.Header.Set(natsfeed.HeaderMode, "full")
	var sent int64
	next := time.Now()
	for ctx.Err() == nil {
		recv := strconv.FormatInt(time.Now().UnixNano(), 10)
		for i := range n {
			mu.Lock()
			for sent-acked >= window {
				cond.Wait()
			}
			mu.Unlock()
			pkt := packets[i]
			pkt[4], pkt[5], pkt[6], pkt[7] = byte(sent>>24), byte(sent>>16), byte(sent>>8), byte(sent) // a new price: no duplicates
			m.Subject, m.Data = subjects[i], pkt
			m.Reply = inbox + "." + strconv.FormatInt(sent, 10)
			m.Header.Set(natsfeed.HeaderRecvTime, recv)
			m.Header.Set(jetstream.MsgIDHeader, strconv.FormatInt(sent, 10))
			if err := nc.PublishMsg(m); err != nil {
				return err
			}
			sent++
		}
		next = next.Add(every)
		time.Sleep(time.Until(next))
	}
	return nil
}
