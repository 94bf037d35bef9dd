package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
)

// cmdDeps is what a command's run function takes from the Factory, as
// values and functions a unit test can supply without one (gh's seam):
// each command's options struct embeds it, newXCmd(f, runF) fills it from
// the Factory, and runX(ctx, opts) reads only opts.
//
// The getters are functions because the Factory builds what they return
// after flag parsing (the printer from -o and --jq, the client from the
// session) and only when a command asks (a command that fails on its
// flags never reads a session).
type cmdDeps struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string
	// Global are the global flags, filled in before the run function runs.
	Global *GlobalOptions
	// Now is the clock; the wall clock unless a test fixes it.
	Now func() time.Time
	// Client is the authenticated REST client.
	Client func(context.Context) (*kite.Client, error)
	// Resolver resolves EXCHANGE:SYMBOL names, loading the instrument
	// lists of only the exchanges named.
	Resolver func(ctx context.Context, symbols []string) (*kite.Resolver, error)
	// Instruments is the (cached) instrument dump of one exchange, ""
	// for all.
	Instruments func(ctx context.Context, exchange string) ([]kite.Instrument, error)
	// Printer prints results in the -o format through --jq.
	Printer func() *output.Printer
	// JQ is the compiled --jq expression, or nil.
	JQ func() *output.JQ
	// Logger is the run's logger (its level set by --log-level).
	Logger func() *slog.Logger
}

// deps is the Factory's cmdDeps.
func (f *Factory) deps() cmdDeps {
	return cmdDeps{
		IO:          f.IO,
		Getenv:      f.Getenv,
		Global:      &f.Global,
		Now:         time.Now,
		Client:      f.Client,
		Resolver:    f.resolverFor,
		Instruments: f.instruments,
		Printer:     f.Printer,
		JQ:          f.JQ,
		Logger:      func() *slog.Logger { return f.Logger },
	}
}

// flat reports whether output is a table or CSV without --jq: then nested
// objects are flattened into rows, and JSON keeps Kite's shape.
func (d cmdDeps) flat() bool {
	format := d.Printer().Format()
	return (format == output.Table || format == output.CSV) && d.JQ() == nil
}
