package orderflow

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/retry"
)

// DefaultWindow is how long an ambiguous place is looked for in the order
// book by default: long enough to cover the few seconds Kite's book has
// been seen to lag a placement.
const DefaultWindow = 15 * time.Second

// spacing spaces the order-book lookups: quick at first (the order is
// usually there at once), then every 2 s.
func spacing() retry.Policy {
	return retry.Policy{Base: 250 * time.Millisecond, Max: 2 * time.Second}
}

// Flow is the order flow over one client. The zero values of its optional
// fields are usable: a Flow needs only Client.
type Flow struct {
	Client *kite.Client
	// Window is how long an ambiguous place is looked for in the order
	// book; 0 looks once.
	Window time.Duration
	// Notices receives what a person watching should know while the flow
	// works (a place being reconciled); nil discards.
	Notices io.Writer
	// Logger gets warnings (an order whose status could not be read back);
	// nil discards.
	Logger *slog.Logger
	// Now is the clock of the reconcile window; nil is time.Now.
	Now func() time.Time
}

func (f *Flow) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

func (f *Flow) notice(format string, args ...any) {
	if f.Notices != nil {
		fmt.Fprintf(f.Notices, format, args...)
	}
}

func (f *Flow) logger() *slog.Logger {
	if f.Logger != nil {
		return f.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Placed is what a place produced: Kite's answer (the order ID, and the
// children of an autosliced order), or, when the answer was lost, the
// orders found in the book by the tag.
type Placed struct {
	kite.PlaceResult
	Reconciled []kite.Order
}

// Place sends a validated order exactly once; p.Tag must be set. An
// ambiguous failure is reconciled by the tag, never by sending again; what
// the book does not settle is an *UnknownOutcomeError. A failure known to
// have placed nothing is a *NotPlacedError.
//
// userTag says the tag was chosen by the caller rather than generated, so
// today's orders may already carry it (a tag often groups a strategy's
// orders): those are noted first so that reconciling can only find the
// order this call sent. Generated tags are fresh and skip the lookup.
func (f *Flow) Place(ctx context.Context, variety string, p kite.OrderParams, userTag bool) (Placed, error) {
	if err := kite.ValidateTag(p.Tag); err != nil {
		return Placed{}, fmt.Errorf("nothing was sent: %w", err)
	}
	var earlier map[string]bool
	if userTag {
		found, err := f.Tagged(ctx, p.Tag)
		if err != nil {
			return Placed{}, fmt.Errorf("nothing was sent: %w", err)
		}
		earlier = map[string]bool{}
		for _, o := range found {
			earlier[o.OrderID] = true
		}
	}
	res, err := f.Client.Place(ctx, variety, p)
	placed := Placed{PlaceResult: res}
	switch {
	case err != nil && kite.IsAmbiguous(err):
		if placed.Reconciled, err = f.reconcile(ctx, p.Tag, earlier, err); err != nil {
			return placed, err
		}
		f.notice("the order reached the order book despite the error: %d order(s) tagged %s\n", len(placed.Reconciled), p.Tag)
	case err != nil:
		return placed, &NotPlacedError{Order: p, Err: err}
	}
	return placed, nil
}

// reconcile looks tag up in the order book until a new order carries it
// or the window ends. Orders in earlier do not count. It returns the new
// orders (more than one for an autosliced order), or an
// *UnknownOutcomeError.
func (f *Flow) reconcile(ctx context.Context, tag string, earlier map[string]bool, placeErr error) ([]kite.Order, error) {
	f.notice("placing the order failed after it was sent (%v); looking for tag %s in the order book for up to %v…\n", placeErr, tag, f.Window)
	deadline := f.now().Add(f.Window)
	pace := spacing()
	var lookupErr error
	for i := 0; ; i++ {
		found, err := f.Tagged(ctx, tag)
		lookupErr = err
		var fresh []kite.Order
		for _, o := range found {
			if !earlier[o.OrderID] {
				fresh = append(fresh, o)
			}
		}
		if len(fresh) > 0 {
			return fresh, nil
		}
		wait := pace.Backoff(i)
		if ctx.Err() != nil || f.now().Add(wait).After(deadline) {
			break
		}
		if retry.Sleep(ctx, wait) != nil {
			break
		}
	}
	why := fmt.Sprintf("no order tagged %s appeared in the order book within %v", tag, f.Window)
	switch {
	case ctx.Err() != nil:
		why = "the lookup was interrupted"
	case lookupErr != nil:
		why = fmt.Sprintf("the order book could not be read (%v)", lookupErr)
	}
	return nil, &UnknownOutcomeError{Action: "placing the order", Tag: tag, Why: why, Err: placeErr}
}

// Tagged returns today's orders carrying tag (none is an empty slice).
func (f *Flow) Tagged(ctx context.Context, tag string) ([]kite.Order, error) {
	book, err := f.Client.Orders(ctx)
	if err != nil {
		return nil, fmt.Errorf("looking up tag %q in the order book: %w", tag, err)
	}
	found := []kite.Order{}
	for _, o := range book {
		if o.HasTag(tag) {
			found = append(found, o)
		}
	}
	return found, nil
}
