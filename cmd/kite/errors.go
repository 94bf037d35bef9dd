package main

import (
	"errors"
	"fmt"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/natsfeed"
	"github.com/kitecli/kite/pkg/ticks"
)

// pkg/kite is a library: its errors say what happened and know nothing of
// kite's commands. This is where they get the CLI's next step (which
// command to type); their exit codes are internal/exitcode's.

// hinted is err followed by what to do about it.
type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() + ": " + h.hint }
func (h *hinted) Unwrap() error { return h.err }

// explain adds the next command to type to the errors of pkg/kite (and
// pkg/natsfeed) that call for one, and makes a malformed ticker URL a usage mistake (whose
// message is followed by a pointer to --help). Other errors are returned
// as they are.
func explain(err error) error {
	var unknown *kite.UnknownSymbolError
	if errors.As(err, &unknown) {
		if exch, sym, ok := unknown.Split(); ok {
			return &hinted{err, fmt.Sprintf("look it up with kite instruments search %s --exchange %s", sym, exch)}
		}
		return err
	}
	var noSession *kite.NoSessionError
	if errors.As(err, &noSession) {
		if noSession.Kind == kite.Web && noSession.Need != "" {
			return &hinted{err, "run kite login --web"}
		}
		return &hinted{err, "run kite login"}
	}
	var badURL *kite.TickerURLError
	if errors.As(err, &badURL) {
		return &exitcode.UsageError{Err: err}
	}
	if errors.Is(err, natsfeed.ErrConnectionDown) {
		return &hinted{err, "is nats-server running? start it (nats-server -js) or check the URL, then run this again"}
	}
	return err
}

// noStream tells how to get the JetStream stream a consumer found missing
// (stream --from, watch --from); other errors are returned as they are.
func noStream(err error) error {
	var ns *natsfeed.NoStreamError
	if !errors.As(err, &ns) {
		return err
	}
	return fmt.Errorf("no JetStream stream %s: start a publisher (kite stream ... --publish URL) or name the stream with --stream: %w", ns.Stream, ns.Err)
}

// notTick says where a record that is not a tick came from (stream's
// --orders and --events) and how to keep only ticks; other errors are
// returned as they are.
func notTick(err error) error {
	var nt *ticks.NotTickError
	if !errors.As(err, &nt) {
		return err
	}
	return fmt.Errorf(`not a tick record ("type":%s, from kite stream --orders or --events): keep only ticks, e.g. with jq -c 'select(.mode)'`, nt.Type)
}
