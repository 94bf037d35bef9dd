package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/ticks"
)

// ltpMessage is one message with one LTP tick whose price tells the
// messages apart.
func ltpMessage(price int32) []byte {
	return ticks.AppendMessage(nil, ticks.Tick{Mode: ticks.ModeLTP, InstrumentToken: 408065, LastPrice: price})
}

// With the writer stalled, the queue keeps the newest messages and counts
// the oldest it dropped; once drained, the output has exactly the kept
// ones, in order.
func TestDropQueueDropsOldest(t *testing.T) {
	var out bytes.Buffer
	w := newBenchWriter(&out, 0)
	q := newDropQueue(w, 4)
	for p := int32(1); p <= 10; p++ {
		if err := q.Binary(1, ltpMessage(p*100)); err != nil {
			t.Fatal(err)
		}
	}
	if d := q.drops(); d != (dropCounts{messages: 6, ticks: 6}) {
		t.Fatalf("drops = %+v; want 6 messages, 6 ticks", d)
	}
	q.close(false)
	q.drain(func(err error) { t.Fatalf("drain stopped: %v", err) })
	if err := w.out.Flush(); err != nil {
		t.Fatal(err)
	}
	var prices []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var rec struct {
			LastPrice json.Number `json:"last_price"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("bad line %q: %v", line, err)
		}
		prices = append(prices, rec.LastPrice.String())
	}
	if got := strings.Join(prices, " "); got != "7 8 9 10" {
		t.Fatalf("kept prices %q, want the newest four: 7 8 9 10", got)
	}
}

// Order updates and connection events are never dropped: when the queue
// is full the oldest tick message goes, wherever it is; with no tick queued
// a new tick is dropped and anything else grows the queue. The writer then
// prints, in order, a record of the gap and everything kept.
func TestDropQueueKeepsOrdersAndEvents(t *testing.T) {
	var out bytes.Buffer
	w := newBenchWriter(&out, 0)
	w.orders, w.events = true, true
	q := newDropQueue(w, 4)
	order := func(id string) []byte { return []byte(`{"type":"order","data":{"order_id":"` + id + `"}}`) }
	ev := func(n int) kite.TickerEvent { return kite.TickerEvent{Kind: kite.EventConnected, Conn: n} }
	steps := []func() error{
		func() error { return q.Binary(1, ltpMessage(100)) }, // [t1]
		func() error { return q.Text(1, order("o1")) },       // [t1 o1]
		func() error { return q.Binary(1, ltpMessage(200)) }, // [t1 o1 t2]
		func() error { return q.Event(ev(1)) },               // [t1 o1 t2 e1]: full
		func() error { return q.Binary(1, ltpMessage(300)) }, // t1 dropped: [o1 t2 e1 t3]
		func() error { return q.Binary(1, ltpMessage(400)) }, // t2 dropped: [o1 e1 t3 t4]
		func() error { return q.Text(1, order("o2")) },       // t3 dropped: [o1 e1 t4 o2]
		func() error { return q.Event(ev(2)) },               // t4 dropped: [o1 e1 o2 e2]
		func() error { return q.Binary(1, ltpMessage(500)) }, // no tick queued: t5 dropped
		func() error { return q.Text(1, order("o3")) },       // grows: [o1 e1 o2 e2 o3]
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
	if d := q.drops(); d != (dropCounts{messages: 5, ticks: 5}) {
		t.Fatalf("drops = %+v; want 5 tick messages of 1 tick, nothing else", d)
	}
	q.close(false)
	q.drain(func(err error) { t.Fatalf("drain stopped: %v", err) })
	w.out.Flush()
	var got []string
	for _, rec := range parseLines(t, out.String()) {
		switch {
		case rec.Type == "order":
			got = append(got, rec.orderID())
		case rec.Event == "dropped":
			got = append(got, fmt.Sprintf("dropped %d/%d", rec.Messages, rec.Ticks))
		case rec.Event == "connected":
			got = append(got, fmt.Sprintf("e%d", rec.Connection))
		default:
			got = append(got, fmt.Sprintf("%+v", rec))
		}
	}
	if s := strings.Join(got, " "); s != "dropped 5/5 o1 e1 o2 e2 o3" {
		t.Fatalf("written: %s\nwant: dropped 5/5 o1 e1 o2 e2 o3", s)
	}
	var summary bytes.Buffer
	q.summary(&summary)
	if want := "kite: stdout was too slow: dropped 5 tick messages (5 ticks)\n"; summary.String() != want {
		t.Fatalf("summary %q, want %q", summary.String(), want)
	}
}

// Ctrl-C discards what is queued, counting it by kind.
func TestDropQueueInterruptCountsUnwritten(t *testing.T) {
	q := newDropQueue(newBenchWriter(io.Discard, 0), 4)
	for _, err := range []error{
		q.Binary(1, ticks.AppendMessage(nil, ticks.Tick{Mode: ticks.ModeLTP, InstrumentToken: 408065}, ticks.Tick{Mode: ticks.ModeLTP, InstrumentToken: 408065})),
		q.Text(1, []byte(`{"type":"order","data":{}}`)),
		q.Event(kite.TickerEvent{Kind: kite.EventDisconnected, Conn: 1}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	q.close(true)
	q.drain(func(err error) { t.Fatalf("drain stopped: %v", err) })
	var summary bytes.Buffer
	q.summary(&summary)
	want := "kite: interrupted with 1 tick message (2 ticks), 1 text message (order updates, Kite's notices), 1 connection event still queued for stdout, not written\n"
	if summary.String() != want {
		t.Fatalf("summary %q\nwant %q", summary.String(), want)
	}
}

// A writer error (a closed stdout) stops the drain and is handed back to
// the ticker on its next message.
func TestDropQueueWriterErrorStopsProducer(t *testing.T) {
	w := newBenchWriter(failWriter{}, 0)
	q := newDropQueue(w, 4)
	if err := q.Binary(1, ltpMessage(100)); err != nil {
		t.Fatal(err)
	}
	var stopped error
	q.drain(func(err error) { stopped = err })
	if !errors.Is(stopped, syscall.EPIPE) {
		t.Fatalf("drain stopped with %v, want EPIPE", stopped)
	}
	if err := q.Binary(1, ltpMessage(200)); !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("next push = %v, want EPIPE", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, syscall.EPIPE }

// Queueing a message for the writer (or dropping the oldest for it)
// allocates nothing once the slots' buffers have grown.
func TestDropQueueDoesNotAllocate(t *testing.T) {
	msg := benchMessage(50)
	q := newDropQueue(newBenchWriter(io.Discard, 0), 4)
	for range 8 {
		if err := q.Binary(1, msg); err != nil {
			t.Fatal(err)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = q.Binary(1, msg) }); n != 0 {
		t.Fatalf("%v allocations per queued message, want 0", n)
	}
	// Dropping a tick from behind a queued order update moves slots, and
	// still allocates nothing.
	oq := newDropQueue(newBenchWriter(io.Discard, 0), 4)
	if err := oq.Text(1, []byte(`{"type":"order","data":{}}`)); err != nil {
		t.Fatal(err)
	}
	for range 8 {
		if err := oq.Binary(1, msg); err != nil {
			t.Fatal(err)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = oq.Binary(1, msg) }); n != 0 {
		t.Fatalf("%v allocations per message behind an order update, want 0", n)
	}
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		q.drain(func(err error) { t.Errorf("drain stopped: %v", err) })
	}()
	if n := testing.AllocsPerRun(100, func() { _ = q.Binary(1, msg) }); n != 0 {
		t.Fatalf("%v allocations per message with the writer draining, want 0", n)
	}
	q.close(false)
	<-drained
}
