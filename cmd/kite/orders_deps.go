package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/kite/orderflow"
)

// orderDeps is what the run function of an order write needs from the
// Factory: the streams, the environment, the client, the instrument
// resolver, the printer, the logger and the clock. The printer and logger
// are getters because the Factory builds them from the global flags, after
// the command is built; a test sets each field to its own.
type orderDeps struct {
	IO       *iostreams.IOStreams
	Getenv   func(string) string
	Client   func(context.Context) (*kite.Client, error)
	Resolver func(ctx context.Context, symbols []string) (*kite.Resolver, error)
	Printer  func() *output.Printer
	Logger   func() *slog.Logger
	Now      func() time.Time
}

func (f *Factory) orderDeps() orderDeps {
	return orderDeps{
		IO:       f.IO,
		Getenv:   f.Getenv,
		Client:   f.Client,
		Resolver: f.resolverFor,
		Printer:  f.Printer,
		Logger:   func() *slog.Logger { return f.Logger },
		Now:      time.Now,
	}
}

// orderFlow is the order flow over c, telling the user on stderr what it
// does while reconciling.
func orderFlow(io *iostreams.IOStreams, logger *slog.Logger, c *kite.Client, window time.Duration) *orderflow.Flow {
	return &orderflow.Flow{Client: c, Window: window, Notices: io.ErrOut, Logger: logger}
}

func (d orderDeps) flow(c *kite.Client, window time.Duration) *orderflow.Flow {
	fl := orderFlow(d.IO, d.Logger(), c, window)
	fl.Now = d.Now
	return fl
}
