package natsfeed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Symbols maps the Kite-Symbol header of each instrument's latest tick in
// the stream to the instrument's token. A consumer host need not have a
// Kite account: with no session there is no instrument list to resolve
// NSE:INFY by, but every publisher that knew the symbol put it on each
// tick. Instruments published without a symbol (by token) are absent.
//
// It reads headers only, one message per instrument, through a
// short-lived consumer that it deletes.
func Symbols(ctx context.Context, js jetstream.JetStream, prefix, stream string) (map[string]uint32, error) {
	prefix, stream = names(prefix, stream)
	cons, err := js.CreateConsumer(ctx, stream, jetstream.ConsumerConfig{
		FilterSubject:     prefix + ".ticks.>",
		DeliverPolicy:     jetstream.DeliverLastPerSubjectPolicy,
		AckPolicy:         jetstream.AckNonePolicy,
		HeadersOnly:       true,
		InactiveThreshold: time.Minute, // the server removes it if we die first
	})
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, &NoStreamError{Stream: stream, Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("reading the symbols in stream %s: %w", stream, down(err))
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = js.DeleteConsumer(dctx, stream, cons.CachedInfo().Name)
	}()
	out := make(map[string]uint32)
	// NumPending at creation is one message per instrument. A tick
	// stored since may come instead of one of them, which serves as well;
	// one that expired since ends the reading by the wait.
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for left := cons.CachedInfo().NumPending; left > 0; {
		batch, err := cons.Fetch(int(min(left, 1024)), jetstream.FetchContext(wait))
		if err != nil {
			return nil, fmt.Errorf("reading the symbols in stream %s: %w", stream, down(err))
		}
		var got uint64
		for m := range batch.Messages() {
			got++
			kind, tok, ok := ParseSubject(prefix, m.Subject())
			if sym := m.Headers().Get(HeaderSymbol); ok && kind == KindTick && sym != "" {
				out[sym] = tok
			}
		}
		if got == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			break
		}
		left -= min(got, left)
	}
	return out, nil
}
