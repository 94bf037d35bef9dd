package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/kitecli/kite/pkg/kite"
)

// dropQueue is --on-slow drop: the ticker's reader copies each message into
// a bounded ring and returns at once, so reading never waits for stdout; a
// writer goroutine drains the ring. When the ring is full the oldest
// message is dropped, because for live prices the newest matter most. Slot
// buffers are reused, so a steady stream allocates nothing.
type dropQueue struct {
	w *tickWriter

	mu       sync.Mutex
	ready    *sync.Cond
	slots    []queued
	head, n  int
	closed   bool
	discard  bool  // close without writing what is left (Ctrl-C)
	err      error // the writer's error: the producer returns it
	dropped  uint64
	droppedT uint64 // ticks in dropped messages
}

type queued struct {
	kind byte // 'b' binary, 't' text, 'e' event
	conn int
	recv int64
	data []byte
	ev   kite.TickerEvent
}

func newDropQueue(w *tickWriter, size int) *dropQueue {
	q := &dropQueue{w: w, slots: make([]queued, size)}
	q.ready = sync.NewCond(&q.mu)
	return q
}

func (q *dropQueue) push(kind byte, conn int, data []byte, ev kite.TickerEvent) error {
	var recv int64
	if kind == 'b' && q.w.recvTime {
		recv = time.Now().UnixNano()
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err != nil {
		return q.err
	}
	if q.n == len(q.slots) {
		q.dropOldest()
		q.n--
	}
	s := &q.slots[(q.head+q.n)%len(q.slots)]
	s.kind, s.conn, s.recv, s.ev = kind, conn, recv, ev
	s.data = append(s.data[:0], data...)
	q.n++
	q.ready.Signal()
	return nil
}

// dropOldest counts the oldest queued message as dropped and advances the
// head; the caller holds mu and adjusts n.
func (q *dropQueue) dropOldest() {
	old := &q.slots[q.head]
	if old.kind == 'b' {
		q.dropped++
		if len(old.data) >= 2 {
			q.droppedT += uint64(binary.BigEndian.Uint16(old.data))
		}
	}
	q.head = (q.head + 1) % len(q.slots)
}

func (q *dropQueue) Binary(conn int, msg []byte) error {
	return q.push('b', conn, msg, kite.TickerEvent{})
}
func (q *dropQueue) Text(conn int, msg []byte) error {
	return q.push('t', conn, msg, kite.TickerEvent{})
}
func (q *dropQueue) Event(ev kite.TickerEvent) error { return q.push('e', ev.Conn, nil, ev) }

// drain writes queued messages until close; a write error (a closed
// stdout, --count reached) is reported through stop and to the producer.
func (q *dropQueue) drain(stop func(error)) {
	var work queued
	for {
		q.mu.Lock()
		for q.n == 0 && !q.closed {
			q.ready.Wait()
		}
		if q.n == 0 || q.discard {
			q.mu.Unlock()
			return
		}
		s := &q.slots[q.head]
		// Swap buffers with the slot instead of copying: the slot gets
		// work's old buffer to fill next time.
		work.data, s.data = s.data, work.data[:0]
		work.kind, work.conn, work.recv, work.ev = s.kind, s.conn, s.recv, s.ev
		q.head = (q.head + 1) % len(q.slots)
		q.n--
		q.mu.Unlock()

		var err error
		switch work.kind {
		case 'b':
			err = q.w.binary(work.conn, work.data, work.recv)
		case 't':
			err = q.w.Text(work.conn, work.data)
		case 'e':
			err = q.w.Event(work.ev)
		}
		if err != nil {
			q.mu.Lock()
			q.err = err
			q.closed = true
			q.mu.Unlock()
			stop(err)
			return
		}
	}
}

// close stops the drain once the queue is empty, or with discard at once,
// counting what was left as dropped.
func (q *dropQueue) close(discard bool) {
	q.mu.Lock()
	q.closed = true
	q.discard = discard
	if discard {
		for ; q.n > 0; q.n-- {
			q.dropOldest()
		}
	}
	q.ready.Broadcast()
	q.mu.Unlock()
}

// report tells stderr about new drops every interval until done closes.
func (q *dropQueue) report(errOut io.Writer, every time.Duration, done <-chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	var last uint64
	for {
		select {
		case <-done:
			return
		case <-t.C:
			if d, dt := q.drops(); d > last {
				fmt.Fprintf(errOut, "kite: stdout is too slow: dropped %d messages (%d ticks) so far\n", d, dt)
				last = d
			}
		}
	}
}

func (q *dropQueue) drops() (messages, ticks uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.dropped, q.droppedT
}
