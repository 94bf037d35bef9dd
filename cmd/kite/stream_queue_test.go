package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"syscall"
	"testing"

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
	if d, dt := q.drops(); d != 6 || dt != 6 {
		t.Fatalf("drops = %d messages, %d ticks; want 6, 6", d, dt)
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
