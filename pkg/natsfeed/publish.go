package natsfeed

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kitecli/kite/pkg/ticks"
	"github.com/nats-io/nats.go"
)

// Publisher defaults.
const (
	// DefaultWindow is how many messages may await JetStream's ack at
	// once: enough to keep loopback busy, small enough that an outage
	// stalls the window, not memory.
	DefaultWindow = 4096
	// DefaultBuffer is how many messages the Publisher holds, sent or
	// not, until JetStream acks them: about 5 s of a 9000-instrument
	// full feed while NATS is slow or away. Past it, new messages are
	// dropped and counted.
	DefaultBuffer = 1 << 16
	// DefaultAckTimeout is how long a published message waits for its
	// ack before it is sent again (with the same Nats-Msg-Id, so a copy
	// that was stored after all is not stored twice).
	DefaultAckTimeout = 5 * time.Second
	// retryWait is the pause before resending after JetStream refused a
	// message or had no responder (a server restarting, a full stream).
	retryWait = 100 * time.Millisecond
)

// Options configure a Publisher.
type Options struct {
	Prefix     string        // subject prefix; DefaultPrefix if empty
	Window     int           // unacked messages in flight; DefaultWindow if 0
	Buffer     int           // messages held until acked; DefaultBuffer if 0 (rounded up to a power of two)
	AckTimeout time.Duration // wait for an ack before resending; DefaultAckTimeout if 0
}

// Stats count a Publisher's messages. Dropped + Failed is everything that
// may be missing from the stream.
type Stats struct {
	Queued     uint64 // handed to the Publisher and accepted
	Acked      uint64 // stored by JetStream (Duplicates included)
	Duplicates uint64 // acked as already stored (another publisher's copy, or a resent one)
	Dropped    uint64 // refused because the buffer was full
	Failed     uint64 // never acked: Close gave up on them (they may still have been stored)
	Resent     uint64 // sends after the first (no ack in time, or refused): not losses
}

// Missing is how many messages may be absent from the stream.
func (s Stats) Missing() uint64 { return s.Dropped + s.Failed }

// slot is one message held from Tick (Order, Event) until its ack. The
// slots form a ring reused for ever, so a tick allocates nothing there.
type slot struct {
	kind   Kind
	token  uint32
	mode   ticks.Mode
	json   bool
	acked  bool
	symbol string
	subj   string // orders and events; ticks use the Publisher's cache
	recv   int64
	sentAt int64 // monotonic ns of the last send; 0: not sent
	id     [16]byte
	data   []byte
}

// Publisher publishes asynchronously to JetStream with a bounded window
// of unacknowledged messages. Tick, Order and Event never block: they
// copy the message into a ring, or drop and count it when the ring is
// full. One goroutine sends the ring in order; each message stays in the
// ring until JetStream acks it, and is sent again, with the same
// Nats-Msg-Id, when its ack does not come in time or JetStream refuses
// it.
//
// Order: messages are sent in the order given. A resend goes back to the
// oldest unacked message and sends every unacked one after it again, in
// order (go-back-N), so after an outage, which loses everything after
// some message, the stream's order is the publish order. Only a message
// JetStream refused while later ones of the same instrument were stored
// (a stream limit hit and then freed) is stored after them.
//
// Deduplication lasts the stream's duplicate window (DefaultDuplicates):
// a message stored but not acked before an outage longer than that is
// stored again when resent.
//
// Tick, Order and Event are safe to call from several goroutines, but
// never after Close.
type Publisher struct {
	nc         *nats.Conn
	prefix     string
	window     uint64
	ackTimeout time.Duration
	inbox      string // replies come to inbox.N, N the message's number
	sub        *nats.Subscription
	epoch      time.Time // for monotonic send times

	mu    sync.Mutex
	ring  []slot
	mask  uint64
	tail  uint64 // oldest unacked message number
	next  uint64 // next message number to send
	head  uint64 // next free number: [tail, head) are held
	high  uint64 // highest number sent, +1
	pin   uint64 // number being sent outside the lock (+1; 0: none): tail stops before it
	retry time.Time
	// reconnects is nc's reconnect count this Publisher has resent after.
	reconnects uint64
	// probe holds the window to one message until JetStream acks one:
	// after a reconnect, a refusal or a missing ack, JetStream may still
	// be starting, and with a full window in flight it could refuse older
	// messages and store newer ones, out of order.
	probe bool
	stop  bool
	idle  bool // the sender waits for a kick: the next Tick or ack sends one

	kick   chan struct{} // wakes an idle sender (cap 1, never blocks)
	status chan nats.Status
	done   chan struct{}
	closed chan struct{}

	queued, acked, dups, dropped, failed, resent atomic.Uint64

	// sender-only state
	subjects map[uint32]string
	msg      *nats.Msg
	vals     struct{ id, mode, recv, symbol, format []string }
	hexbuf   [32]byte
}

// NewPublisher starts a Publisher on nc. The stream must exist (see
// EnsureStream).
func NewPublisher(nc *nats.Conn, o Options) (*Publisher, error) {
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.Buffer <= 0 {
		o.Buffer = DefaultBuffer
	}
	if o.Buffer < o.Window {
		o.Buffer = o.Window
	}
	if o.AckTimeout <= 0 {
		o.AckTimeout = DefaultAckTimeout
	}
	size := 1
	for size < o.Buffer {
		size <<= 1
	}
	p := &Publisher{
		nc: nc, prefix: o.Prefix, window: uint64(o.Window), ackTimeout: o.AckTimeout,
		inbox: nc.NewRespInbox(), epoch: time.Now(),
		ring: make([]slot, size), mask: uint64(size - 1),
		kick: make(chan struct{}, 1), done: make(chan struct{}), closed: make(chan struct{}),
		subjects: make(map[uint32]string), reconnects: nc.Stats().Reconnects,
	}
	p.vals.id, p.vals.mode, p.vals.recv = make([]string, 1), make([]string, 1), make([]string, 1)
	p.vals.symbol, p.vals.format = make([]string, 1), []string{"json"}
	p.msg = &nats.Msg{Header: nats.Header{}}
	sub, err := nc.Subscribe(p.inbox+".*", p.onAck)
	if err != nil {
		return nil, err
	}
	// Acks must never be dropped as a slow consumer: the window bounds them.
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		_ = sub.Unsubscribe()
		return nil, err
	}
	p.sub = sub
	p.status = nc.StatusChanged(nats.CONNECTED)
	go p.onReconnect()
	go p.run()
	return p, nil
}

// Tick queues one tick. packet is the Kite packet (without its length
// prefix); payload is what to publish: the packet itself, or its NDJSON
// record (then json is true). recv is the receive time in Unix
// nanoseconds. The bytes are copied. It reports whether the tick was
// queued.
func (p *Publisher) Tick(token uint32, mode ticks.Mode, symbol string, recv int64, packet, payload []byte, json bool) bool {
	id := msgID(token, packet)
	p.mu.Lock()
	s, ok := p.slot()
	if ok {
		s.kind, s.token, s.mode, s.symbol, s.recv, s.json, s.id = KindTick, token, mode, symbol, recv, json, id
		s.data = append(s.data[:0], payload...)
		p.head++
	}
	wake := p.wakeLocked()
	p.mu.Unlock()
	return p.queuedOrDropped(ok, wake)
}

// Order queues one order update (Kite's JSON text) for user.
func (p *Publisher) Order(user string, data []byte) bool {
	if user == "" {
		user = "unknown"
	}
	return p.other(KindOrder, p.prefix+".orders."+subjectToken(user), data)
}

// Event queues one event record (JSON) on PREFIX.events.
func (p *Publisher) Event(data []byte) bool {
	return p.other(KindEvent, p.prefix+".events", data)
}

func (p *Publisher) other(kind Kind, subj string, data []byte) bool {
	p.mu.Lock()
	s, ok := p.slot()
	if ok {
		s.kind, s.subj, s.symbol, s.json = kind, subj, "", false
		s.data = append(s.data[:0], data...)
		p.head++
	}
	wake := p.wakeLocked()
	p.mu.Unlock()
	return p.queuedOrDropped(ok, wake)
}

// slot returns the free slot at head, reset; ok is false when the ring is
// full. p.mu is held.
func (p *Publisher) slot() (*slot, bool) {
	if p.head-p.tail > p.mask {
		return nil, false
	}
	s := &p.ring[p.head&p.mask]
	s.acked, s.sentAt = false, 0
	return s, true
}

func (p *Publisher) queuedOrDropped(ok, wake bool) bool {
	if wake {
		p.kickSender()
	}
	if !ok {
		p.dropped.Add(1)
		return false
	}
	p.queued.Add(1)
	return true
}

// wakeLocked reports whether the caller must kick the sender (it was
// idle), and marks it awake: a channel send only when the sender sleeps,
// not one per tick. p.mu is held.
func (p *Publisher) wakeLocked() bool {
	if !p.idle {
		return false
	}
	p.idle = false
	return true
}

// Stats returns the counts so far.
func (p *Publisher) Stats() Stats {
	return Stats{
		Queued: p.queued.Load(), Acked: p.acked.Load(), Duplicates: p.dups.Load(),
		Dropped: p.dropped.Load(), Failed: p.failed.Load(), Resent: p.resent.Load(),
	}
}

// Close sends what is held and waits for every ack (resending as usual)
// until ctx ends; messages still unacked then count as Failed. No Tick,
// Order or Event may follow.
func (p *Publisher) Close(ctx context.Context) Stats {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		p.mu.Lock()
		left := p.head - p.tail
		p.mu.Unlock()
		if left == 0 {
			break
		}
		select {
		case <-t.C:
			continue
		case <-ctx.Done():
		}
		break
	}
	p.mu.Lock()
	p.stop = true
	for n := p.tail; n < p.head; n++ {
		if !p.ring[n&p.mask].acked {
			p.failed.Add(1)
		}
	}
	p.tail = p.head
	p.mu.Unlock()
	close(p.closed)
	<-p.done
	p.nc.RemoveStatusListener(p.status)
	_ = p.sub.Unsubscribe()
	return p.Stats()
}

// subjectToken makes s usable as one subject token.
func subjectToken(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c <= ' ' || c == '.' || c == '*' || c == '>' || c >= 0x7f {
			b[i] = '_'
		}
	}
	return string(b)
}
