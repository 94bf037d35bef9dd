package main

import (
	"cmp"
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/natsfeed"
	"github.com/nats-io/nats.go/jetstream"
)

// resolveFromNATS resolves the instruments a NATS consumer (stream
// --from, watch --from) is asked for. With a Kite session or a fresh
// instrument cache they resolve as everywhere else. A consumer host often
// has neither: then EXCHANGE:SYMBOL names resolve by the symbols the
// publishers put on their ticks (natsfeed.Symbols), and tokens need
// nothing.
func resolveFromNATS(ctx context.Context, f *Factory, js jetstream.JetStream, nf *natsFlags, names []string) ([]instrument, error) {
	insts, err := resolveInstruments(ctx, f, names)
	if err == nil || exitcode.Code(err) != exitcode.Auth {
		return insts, err
	}
	stream := cmp.Or(nf.Stream, natsfeed.DefaultStreamName(nf.Prefix)) // watch has no default set
	symbols, serr := natsfeed.Symbols(ctx, js, nf.Prefix, stream)
	if ns := (*natsfeed.NoStreamError)(nil); errors.As(serr, &ns) {
		return nil, exitcode.Usagef("%v", noStream(serr))
	}
	if serr != nil {
		return nil, exitcode.With(exitcode.Network, serr)
	}
	byToken := make(map[uint32]string, len(symbols))
	for s, t := range symbols {
		byToken[t] = s
	}
	out := make([]instrument, 0, len(names))
	seen := make(map[uint32]bool, len(names))
	for _, n := range names {
		var in instrument
		if tok, perr := strconv.ParseUint(n, 10, 32); perr == nil && tok != 0 {
			in = instrument{token: uint32(tok), symbol: byToken[uint32(tok)]}
		} else {
			sym := strings.ToUpper(strings.TrimSpace(n))
			tok, ok := symbols[sym]
			if !ok {
				return nil, exitcode.With(exitcode.Auth, &noSymbolError{name: n, stream: stream, err: err})
			}
			in = instrument{token: tok, symbol: sym}
		}
		if !seen[in.token] {
			seen[in.token] = true
			out = append(out, in)
		}
	}
	return out, nil
}

// noSymbolError is a name neither Kite nor the stream could resolve.
type noSymbolError struct {
	name, stream string
	err          error // why Kite could not: no session
}

func (e *noSymbolError) Error() string {
	return "stream " + e.stream + " has no tick marked " + strconv.Quote(e.name) +
		", and without a Kite session (" + e.err.Error() + ") there is no instrument list to look it up in: " +
		"name its instrument token instead, found with kite instruments search on a logged-in machine"
}

func (e *noSymbolError) Unwrap() error { return e.err }
