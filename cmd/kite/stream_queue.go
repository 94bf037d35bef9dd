package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/kitecli/kite/pkg/kite"
)

// dropQueue is --on-slow drop: the ticker's reader copies each message into
// a bounded ring and returns at once, so reading never waits for stdout; a
// writer goroutine drains the ring. When the ring is full the oldest tick
// message is dropped, because for live prices the newest matter most.
// Order updates, Kite's texts and connection events are never dropped: a
// lost order update is a wrong picture of the account, not a stale price.
// Slot buffers are reused, so a steady stream allocates nothing.
type dropQueue struct {
	w     queueSink
	stamp bool   // take each message's receive time as it is queued
	name  string // where the drain writes, for the drop notices: "stdout"

	mu        sync.Mutex
	ready     *sync.Cond
	slots     []queued
	head, n   int
	closed    bool
	discard   bool  // close without writing what is left (Ctrl-C)
	err       error // the writer's error: the producer returns it
	dropped   dropCounts
	recorded  dropCounts // the part of dropped already told in a record
	unwritten dropCounts // left in the queue by an interrupted stream
}

type queued struct {
	kind byte // 'b' binary, 't' text, 'e' event
	conn int
	recv int64
	data []byte
	ev   kite.TickerEvent
}

// queueSink is where a dropQueue's drain writes: kite stream's tickWriter,
// kite record's file writer. recv is the receive time (Unix ns) when the
// queue stamps messages, else 0.
type queueSink interface {
	binary(conn int, msg []byte, recv int64) error
	text(conn int, msg []byte, recv int64) error
	event(ev kite.TickerEvent, recv int64) error
	// dropped tells of a gap before the next message written.
	dropped(c dropCounts) error
}

// dropCounts counts messages by kind. A slow stdout only ever costs tick
// messages; texts and events appear in the counts of an interrupted stream.
type dropCounts struct {
	messages uint64 // tick messages
	ticks    uint64 // the ticks in them
	texts    uint64 // order updates and Kite's error and message texts
	events   uint64 // connection events
}

func (c *dropCounts) add(kind byte, data []byte) {
	switch kind {
	case 'b':
		c.messages++
		if len(data) >= 2 {
			c.ticks += uint64(binary.BigEndian.Uint16(data))
		}
	case 't':
		c.texts++
	case 'e':
		c.events++
	}
}

func (c dropCounts) sub(o dropCounts) dropCounts {
	return dropCounts{c.messages - o.messages, c.ticks - o.ticks, c.texts - o.texts, c.events - o.events}
}

func (c dropCounts) zero() bool { return c == dropCounts{} }

// String lists the non-zero kinds: "3 tick messages (300 ticks), 1 text
// message (order updates, Kite's notices)".
func (c dropCounts) String() string {
	var parts []string
	if c.messages > 0 {
		parts = append(parts, fmt.Sprintf("%d tick %s (%d %s)", c.messages, plural(c.messages, "message"), c.ticks, plural(c.ticks, "tick")))
	}
	if c.texts > 0 {
		parts = append(parts, fmt.Sprintf("%d text %s (order updates, Kite's notices)", c.texts, plural(c.texts, "message")))
	}
	if c.events > 0 {
		parts = append(parts, fmt.Sprintf("%d connection %s", c.events, plural(c.events, "event")))
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

func plural(n uint64, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func newDropQueue(w *tickWriter, size int) *dropQueue {
	return newSinkQueue(w, w.recvTime, "stdout", size)
}

func newSinkQueue(w queueSink, stamp bool, name string, size int) *dropQueue {
	q := &dropQueue{w: w, stamp: stamp, name: name, slots: make([]queued, size)}
	q.ready = sync.NewCond(&q.mu)
	return q
}

func (q *dropQueue) push(kind byte, conn int, data []byte, ev kite.TickerEvent) error {
	var recv int64
	if q.stamp {
		recv = time.Now().UnixNano()
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err != nil {
		return q.err
	}
	if q.n == len(q.slots) && !q.dropOldestTick() {
		// A ring full of order updates and events: a new tick message is
		// the oldest tick there is, so it goes; anything else makes room.
		// Those come a few a minute, so the ring grows only while stdout
		// is stuck, and by little.
		if kind == 'b' {
			q.dropped.add(kind, data)
			return nil
		}
		q.grow()
	}
	s := &q.slots[(q.head+q.n)%len(q.slots)]
	s.kind, s.conn, s.recv, s.ev = kind, conn, recv, ev
	s.data = append(s.data[:0], data...)
	q.n++
	q.ready.Signal()
	return nil
}

// dropOldestTick drops the oldest queued tick message, moving the messages
// queued before it (order updates, events) up one slot so their order
// holds, and reports whether there was one. Slots swap rather than copy,
// so every buffer stays in the ring. The caller holds mu.
func (q *dropQueue) dropOldestTick() bool {
	size := len(q.slots)
	i := 0
	for i < q.n && q.slots[(q.head+i)%size].kind != 'b' {
		i++
	}
	if i == q.n {
		return false
	}
	old := &q.slots[(q.head+i)%size]
	q.dropped.add(old.kind, old.data)
	for ; i > 0; i-- {
		a, b := &q.slots[(q.head+i)%size], &q.slots[(q.head+i-1)%size]
		*a, *b = *b, *a
	}
	q.head = (q.head + 1) % size
	q.n--
	return true
}

// grow doubles the ring, oldest message first. The caller holds mu.
func (q *dropQueue) grow() {
	slots := make([]queued, 2*len(q.slots))
	for i := range q.n {
		slots[i] = q.slots[(q.head+i)%len(q.slots)]
	}
	q.slots, q.head = slots, 0
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
// Where messages were dropped, a record with --events says how many,
// before the next message written.
func (q *dropQueue) drain(stop func(error)) {
	var work queued
	for {
		q.mu.Lock()
		for q.n == 0 && !q.closed {
			q.ready.Wait()
		}
		gap := q.dropped.sub(q.recorded)
		q.recorded = q.dropped
		discard := q.discard
		last := q.n == 0 || discard
		if !last {
			s := &q.slots[q.head]
			// Swap buffers with the slot instead of copying: the slot gets
			// work's old buffer to fill next time.
			work.data, s.data = s.data, work.data[:0]
			work.kind, work.conn, work.recv, work.ev = s.kind, s.conn, s.recv, s.ev
			q.head = (q.head + 1) % len(q.slots)
			q.n--
		}
		q.mu.Unlock()

		var err error
		if !gap.zero() && !discard {
			err = q.w.dropped(gap)
		}
		if err == nil && !last {
			switch work.kind {
			case 'b':
				err = q.w.binary(work.conn, work.data, work.recv)
			case 't':
				err = q.w.text(work.conn, work.data, work.recv)
			case 'e':
				err = q.w.event(work.ev, work.recv)
			}
		}
		if err != nil {
			q.mu.Lock()
			q.err = err
			q.closed = true
			q.mu.Unlock()
			stop(err)
			return
		}
		if last {
			return
		}
	}
}

// close ends the drain: once the queue is empty, or with discard (Ctrl-C)
// at once, counting what was left unwritten.
func (q *dropQueue) close(discard bool) {
	q.mu.Lock()
	q.closed = true
	q.discard = discard
	if discard {
		for ; q.n > 0; q.n-- {
			q.unwritten.add(q.slots[q.head].kind, q.slots[q.head].data)
			q.head = (q.head + 1) % len(q.slots)
		}
	}
	q.ready.Broadcast()
	q.mu.Unlock()
}

// report tells stderr about new drops every interval until done closes.
func (q *dropQueue) report(errOut io.Writer, every time.Duration, done <-chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	var last dropCounts
	for {
		select {
		case <-done:
			return
		case <-t.C:
			if d := q.drops(); d != last {
				fmt.Fprintf(errOut, "kite: %s is too slow: dropped %v so far (order updates and events are kept)\n", q.name, d)
				last = d
			}
		}
	}
}

// summary tells errOut, at the end, what was dropped and what an
// interrupted stream left unwritten.
func (q *dropQueue) summary(errOut io.Writer) {
	q.mu.Lock()
	dropped, unwritten := q.dropped, q.unwritten
	q.mu.Unlock()
	if !dropped.zero() {
		fmt.Fprintf(errOut, "kite: %s was too slow: dropped %v\n", q.name, dropped)
	}
	if !unwritten.zero() {
		fmt.Fprintf(errOut, "kite: interrupted with %v still queued for %s, not written\n", unwritten, q.name)
	}
}

func (q *dropQueue) drops() dropCounts {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.dropped
}
