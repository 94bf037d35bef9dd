package natsfeed

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ConsumeOptions choose what a consumer reads and from where.
type ConsumeOptions struct {
	Prefix  string   // DefaultPrefix if empty
	Stream  string   // DefaultStreamName(Prefix) if empty
	Tokens  []uint32 // the instruments; none = all
	Orders  bool     // also PREFIX.orders.>
	Events  bool     // also PREFIX.events
	Since   time.Time
	Last    bool   // start with the latest message of each subject
	Durable string // a durable consumer that resumes; "" = ephemeral

	// Idle, if set, is called when fn has had every message that has
	// arrived and Consume is about to wait for more: the moment for a
	// writer to flush, so that a burst of ticks costs one write, not one
	// each. A durable consumer calls it after each message, before the
	// message is acked. An error from Idle ends Consume with it.
	Idle func() error
}

// Kind is what a Msg carries.
type Kind int

// Kinds of Msg.
const (
	KindTick Kind = iota + 1
	KindOrder
	KindEvent
)

// Msg is one message read back.
type Msg struct {
	Kind     Kind
	Token    uint32 // KindTick
	Symbol   string // the Kite-Symbol header, if any
	RecvTime int64  // the Kite-Recv-Time header, 0 if absent or bad
	JSON     bool   // Data is an NDJSON record, not packet bytes
	Data     []byte
}

// Consume calls fn with each message, in stream order, until ctx ends
// or fn returns an error (which Consume returns). A durable consumer acks
// each message after fn, so a restart continues after the last one fn
// handled.
func Consume(ctx context.Context, js jetstream.JetStream, o ConsumeOptions, fn func(Msg) error) error {
	o.Prefix, o.Stream = names(o.Prefix, o.Stream)
	var filters []string
	if len(o.Tokens) == 0 {
		filters = append(filters, o.Prefix+".ticks.>")
	}
	for _, t := range o.Tokens {
		filters = append(filters, TickSubject(o.Prefix, t))
	}
	if o.Orders {
		filters = append(filters, o.Prefix+".orders.>")
	}
	if o.Events {
		filters = append(filters, o.Prefix+".events")
	}
	// Every tick of a stream that holds only this prefix: no filter at
	// all, and the few orders and events not asked for are dropped here.
	// nats-server matches a wildcard filter against its subject tree for
	// each message it delivers (a third of its CPU at 20,000 ticks/s over
	// 500 instruments); an unfiltered consumer skips that.
	if len(o.Tokens) == 0 && wholeStream(ctx, js, o.Stream, o.Prefix) {
		filters = nil
	}
	policy := jetstream.DeliverNewPolicy
	var start *time.Time
	switch {
	case !o.Since.IsZero():
		policy, start = jetstream.DeliverByStartTimePolicy, &o.Since
	case o.Last:
		policy = jetstream.DeliverLastPerSubjectPolicy
	}
	var cons jetstream.Consumer
	var err error
	if o.Durable != "" {
		cons, err = js.Consumer(ctx, o.Stream, o.Durable)
		if errors.Is(err, jetstream.ErrConsumerNotFound) {
			cons, err = js.CreateConsumer(ctx, o.Stream, jetstream.ConsumerConfig{
				Durable: o.Durable, FilterSubjects: filters, DeliverPolicy: policy,
				OptStartTime: start, AckPolicy: jetstream.AckExplicitPolicy,
				MaxAckPending: 1 << 16,
			})
		}
	} else {
		cons, err = js.OrderedConsumer(ctx, o.Stream, jetstream.OrderedConsumerConfig{
			FilterSubjects: filters, DeliverPolicy: policy, OptStartTime: start,
		})
	}
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return &NoStreamError{Stream: o.Stream, Err: err}
	}
	if err != nil {
		return fmt.Errorf("creating a consumer on stream %s: %w", o.Stream, down(err))
	}
	if o.Durable != "" {
		return consumeDurable(ctx, cons, o, fn)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(4096))
	if err != nil {
		return fmt.Errorf("reading stream %s: %w", o.Stream, down(err))
	}
	defer it.Stop()
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	// Messages are read ahead into a queue, so that Idle is called
	// only when it is empty.
	type next struct {
		m   jetstream.Msg
		err error
	}
	queue := make(chan next, 1024)
	quit := make(chan struct{})
	defer close(quit) // before it.Stop: the reader's send or Next ends
	go func() {
		for {
			m, err := it.Next()
			select {
			case queue <- next{m, err}:
			case <-quit:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	handled := false // since the last Idle
	for {
		var n next
		select {
		case n = <-queue:
		default:
			if handled && o.Idle != nil {
				if err := o.Idle(); err != nil {
					return err
				}
			}
			handled = false
			n = <-queue
		}
		if n.err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("reading stream %s: %w", o.Stream, down(n.err))
		}
		if msg, ok := parse(o.Prefix, n.m); ok && o.wants(msg.Kind) {
			handled = true
			if err := fn(msg); err != nil {
				return err
			}
		}
	}
}

// consumeDurable reads a durable consumer in fetched batches. It acks
// each handled message, and naks the rest of the batch, in order, when it stops, so
// a restarted consumer gets them at once instead of after the ack wait.
// The last ack waits for the server's reply: the position is saved before
// the process exits.
func consumeDurable(ctx context.Context, cons jetstream.Consumer, o ConsumeOptions, fn func(Msg) error) error {
	var last jetstream.Msg
	var result error
	for result == nil {
		if err := ctx.Err(); err != nil {
			result = err
			break
		}
		b, err := cons.Fetch(256, jetstream.FetchMaxWait(500*time.Millisecond))
		if err != nil {
			result = fmt.Errorf("reading durable consumer %s: %w", o.Durable, err)
			break
		}
		var unhandled []jetstream.Msg
		for m := range b.Messages() {
			if result != nil || ctx.Err() != nil {
				unhandled = append(unhandled, m)
				continue
			}
			var ferr error
			if msg, ok := parse(o.Prefix, m); ok && o.wants(msg.Kind) {
				ferr = fn(msg)
				if o.Idle != nil && (ferr == nil || errors.Is(ferr, ErrStop)) {
					if err := o.Idle(); err != nil {
						ferr = err
					}
				}
			}
			if ferr != nil && !errors.Is(ferr, ErrStop) {
				result = ferr // not handled: nak it too
				unhandled = append(unhandled, m)
				continue
			}
			// The latest handled message is acked when the next one is,
			// or with a reply-awaited ack at the end.
			if last != nil {
				_ = last.Ack()
			}
			last = m
			result = ferr
		}
		// Naked only now that the fetch is over, in order: the server
		// redelivers them first, in that order, to the next fetch.
		for _, m := range unhandled {
			_ = m.Nak()
		}
		if err := b.Error(); err != nil && result == nil && !errors.Is(err, nats.ErrTimeout) {
			result = fmt.Errorf("reading durable consumer %s: %w", o.Durable, err)
		}
	}
	if last != nil {
		actx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := last.DoubleAck(actx); err != nil {
			return fmt.Errorf("saving the position of durable consumer %s: %w", o.Durable, err)
		}
	}
	return result
}

// names fills in the defaults of an empty prefix and stream name.
func names(prefix, stream string) (string, string) {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	if stream == "" {
		stream = DefaultStreamName(prefix)
	}
	return prefix, stream
}

// wants reports whether the caller asked for messages of kind k.
func (o *ConsumeOptions) wants(k Kind) bool {
	return k == KindTick || k == KindOrder && o.Orders || k == KindEvent && o.Events
}

// wholeStream reports whether stream holds exactly prefix's subjects.
func wholeStream(ctx context.Context, js jetstream.JetStream, stream, prefix string) bool {
	s, err := js.Stream(ctx, stream)
	if err != nil {
		return false // the consumer's creation tells the error
	}
	subj := s.CachedInfo().Config.Subjects
	return len(subj) == 1 && subj[0] == prefix+".>"
}

// ErrConnectionDown is in the chain of an error that came of the
// connection being down: the server went away (restarting, or gone for
// good) and nats.go was reconnecting, so the request was never sent.
var ErrConnectionDown = errors.New("the connection to the NATS server is down")

// down marks err with ErrConnectionDown when that is its cause. nats.go
// says so with an error about its outbound buffer (which Connect sets to
// nothing, so that no message waits in it), which tells a user little.
func down(err error) error {
	if errors.Is(err, nats.ErrReconnectBufExceeded) || errors.Is(err, nats.ErrConnectionReconnecting) ||
		errors.Is(err, nats.ErrConnectionClosed) || errors.Is(err, nats.ErrDisconnected) {
		return fmt.Errorf("%w (%w)", ErrConnectionDown, err)
	}
	return err
}

// ErrStop, returned (or wrapped) by Consume's fn, means the message was
// handled and reading should stop: a durable consumer acknowledges it.
var ErrStop = errors.New("stop consuming")

// NoStreamError is a JetStream server without the stream Consume was asked
// to read: nothing has published there yet, or the name is wrong.
type NoStreamError struct {
	Stream string
	Err    error // jetstream.ErrStreamNotFound, as the server said it
}

func (e *NoStreamError) Error() string {
	return fmt.Sprintf("no JetStream stream %s: %v", e.Stream, e.Err)
}

func (e *NoStreamError) Unwrap() error { return e.Err }

// parse classifies m by subject; ok is false for a subject this package
// does not publish.
func parse(prefix string, m jetstream.Msg) (Msg, bool) {
	var msg Msg
	var ok bool
	if msg.Kind, msg.Token, ok = ParseSubject(prefix, m.Subject()); !ok {
		return msg, false
	}
	h := m.Headers()
	msg.Symbol = h.Get(HeaderSymbol)
	msg.JSON = h.Get(HeaderFormat) == "json"
	msg.RecvTime, _ = strconv.ParseInt(h.Get(HeaderRecvTime), 10, 64)
	msg.Data = m.Data()
	return msg, true
}

// ParseSubject classifies a subject under prefix: a tick (with its
// token), an order update or an event. ok is false for anything else.
func ParseSubject(prefix, subject string) (kind Kind, token uint32, ok bool) {
	subj, found := strings.CutPrefix(subject, prefix+".")
	if !found {
		return 0, 0, false
	}
	switch {
	case strings.HasPrefix(subj, "ticks."):
		parts := strings.Split(subj, ".")
		if len(parts) != 3 {
			return 0, 0, false
		}
		tok, err := strconv.ParseUint(parts[2], 10, 32)
		if err != nil || tok == 0 {
			return 0, 0, false
		}
		return KindTick, uint32(tok), true
	case strings.HasPrefix(subj, "orders.") && len(subj) > len("orders."):
		return KindOrder, 0, true
	case subj == "events":
		return KindEvent, 0, true
	}
	return 0, 0, false
}
