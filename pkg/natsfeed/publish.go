package natsfeed

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/kitecli/kite/pkg/ticks"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Publisher defaults.
const (
	// DefaultWindow is how many messages may await JetStream's ack at
	// once: enough to keep loopback busy at 200k ticks/s, small enough
	// that an outage stalls the window, not memory.
	DefaultWindow = 4096
	// DefaultBuffer is how many messages wait for the window while NATS
	// is slow or away: about 5 s of a 9000-instrument full feed. Past it,
	// new messages are dropped and counted.
	DefaultBuffer = 1 << 16
	// DefaultAckTimeout is how long a published message may wait for its
	// ack (a NATS restart included) before it counts as failed.
	DefaultAckTimeout = 30 * time.Second
)

// Options configure a Publisher.
type Options struct {
	Prefix     string        // subject prefix; DefaultPrefix if empty
	Window     int           // unacked messages in flight; DefaultWindow if 0
	Buffer     int           // messages queued behind the window; DefaultBuffer if 0
	AckTimeout time.Duration // DefaultAckTimeout if 0
}

// Stats count a Publisher's messages. Dropped + Failed is everything that
// may be missing from the stream; Failed messages may still have been
// stored (an ack lost with the connection).
type Stats struct {
	Queued     uint64 // handed to the Publisher and accepted
	Acked      uint64 // stored by JetStream (Duplicates included)
	Duplicates uint64 // acked as already stored (another publisher's copy)
	Dropped    uint64 // refused because the buffer was full
	Failed     uint64 // published but never acked (timeout, closed connection)
}

// Missing is how many messages may be absent from the stream.
func (s Stats) Missing() uint64 { return s.Dropped + s.Failed }

// Publisher publishes asynchronously to JetStream. Tick, Order and Event
// never block: they queue the message, or drop and count it when the
// queue is full. One goroutine publishes the queue in order, so the order
// of each instrument's ticks (of all messages, in fact) is kept.
//
// Tick, Order and Event are safe to call from several goroutines, but
// never after Close.
type Publisher struct {
	js     jetstream.JetStream
	prefix string
	q      chan *nats.Msg
	done   chan struct{}
	abort  atomic.Bool // Close gave up: count the rest as failed, unsent

	queued, acked, dups, dropped, failed atomic.Uint64
}

// NewPublisher starts a Publisher on nc.
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
	if o.AckTimeout <= 0 {
		o.AckTimeout = DefaultAckTimeout
	}
	p := &Publisher{prefix: o.Prefix, q: make(chan *nats.Msg, o.Buffer), done: make(chan struct{})}
	js, err := jetstream.New(nc,
		jetstream.WithPublishAsyncMaxPending(o.Window),
		jetstream.WithPublishAsyncTimeout(o.AckTimeout),
		jetstream.WithPublishAsyncAckHandler(func(_ jetstream.JetStream, _ *nats.Msg, a *jetstream.PubAck) {
			p.acked.Add(1)
			if a.Duplicate {
				p.dups.Add(1)
			}
		}),
		jetstream.WithPublishAsyncErrHandler(func(jetstream.JetStream, *nats.Msg, error) {
			p.failed.Add(1)
		}),
	)
	if err != nil {
		return nil, err
	}
	p.js = js
	go p.run()
	return p, nil
}

// Tick queues one tick. packet is the Kite packet (without its length
// prefix); payload is what to publish: the packet itself, or its NDJSON
// record (then json is true). recv is the receive time in Unix
// nanoseconds. The bytes are copied. It reports whether the tick was
// queued.
func (p *Publisher) Tick(token uint32, mode ticks.Mode, symbol string, recv int64, packet, payload []byte, json bool) bool {
	m := nats.NewMsg(TickSubject(p.prefix, token))
	m.Data = append([]byte(nil), payload...)
	m.Header.Set(jetstream.MsgIDHeader, MsgID(token, packet))
	m.Header.Set(HeaderMode, mode.String())
	if symbol != "" {
		m.Header.Set(HeaderSymbol, symbol)
	}
	m.Header.Set(HeaderRecvTime, strconv.FormatInt(recv, 10))
	if json {
		m.Header.Set(HeaderFormat, "json")
	}
	return p.enqueue(m)
}

// Order queues one order update (Kite's JSON text) for user.
func (p *Publisher) Order(user string, data []byte) bool {
	if user == "" {
		user = "unknown"
	}
	return p.enqueue(&nats.Msg{Subject: p.prefix + ".orders." + subjectToken(user), Data: append([]byte(nil), data...)})
}

// Event queues one event record (JSON) on PREFIX.events.
func (p *Publisher) Event(data []byte) bool {
	return p.enqueue(&nats.Msg{Subject: p.prefix + ".events", Data: append([]byte(nil), data...)})
}

func (p *Publisher) enqueue(m *nats.Msg) bool {
	select {
	case p.q <- m:
		p.queued.Add(1)
		return true
	default:
		p.dropped.Add(1)
		return false
	}
}

// run publishes the queue in order. A full window (NATS slow or away)
// makes it wait and retry the same message, so the queue fills instead of
// the order breaking.
func (p *Publisher) run() {
	defer close(p.done)
	for m := range p.q {
		for {
			if p.abort.Load() {
				p.failed.Add(1)
				break
			}
			_, err := p.js.PublishMsgAsync(m)
			if err == nil {
				break
			}
			if errors.Is(err, jetstream.ErrTooManyStalledMsgs) || errors.Is(err, nats.ErrReconnectBufExceeded) {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			// Closed connection, or a message NATS refuses: count it.
			p.failed.Add(1)
			break
		}
	}
}

// Stats returns the counts so far.
func (p *Publisher) Stats() Stats {
	return Stats{
		Queued: p.queued.Load(), Acked: p.acked.Load(), Duplicates: p.dups.Load(),
		Dropped: p.dropped.Load(), Failed: p.failed.Load(),
	}
}

// Close publishes what is queued and waits for the acks until ctx ends;
// messages still unacked then count as Failed. No Tick, Order or Event
// may follow.
func (p *Publisher) Close(ctx context.Context) Stats {
	close(p.q)
	select {
	case <-p.done:
	case <-ctx.Done():
		// run counts the rest of the queue as failed, without sending.
		p.abort.Store(true)
		<-p.done
	}
	select {
	case <-p.js.PublishAsyncComplete():
		return p.Stats()
	case <-ctx.Done():
		// Those still awaiting their ack count as failed here; the ack
		// handlers may yet fire for some, but the caller has its answer.
		st := p.Stats()
		st.Failed += uint64(p.js.PublishAsyncPending())
		return st
	}
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
