package main

import (
	"log/slog"
	"time"

	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/kite/orderflow"
)

// orderFlow is the order flow over c, telling the user on stderr what it
// does while reconciling.
func orderFlow(io *iostreams.IOStreams, logger *slog.Logger, c *kite.Client, window time.Duration) *orderflow.Flow {
	return &orderflow.Flow{Client: c, Window: window, Notices: io.ErrOut, Logger: logger}
}

// flow is the order flow of a command's run function: its streams,
// logger and clock.
func (d cmdDeps) flow(c *kite.Client, window time.Duration) *orderflow.Flow {
	fl := orderFlow(d.IO, d.Logger(), c, window)
	fl.Now = d.Now
	return fl
}
