// Command kite is a fast, scriptable command-line toolkit for Zerodha's Kite
// trading platform. See README.md and `kite --help`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/iostreams"
)

// signalGrace is how long a command has to wind down after SIGINT or
// SIGTERM (flush what it printed, restore the terminal) before the
// process exits anyway: a signal ends kite within a second, always,
// whatever the command was blocked in.
const signalGrace = 800 * time.Millisecond

func main() {
	// A reader that goes away (| head) is not an error: writes to a closed
	// pipe fail with EPIPE instead of killing the process with SIGPIPE, and
	// run turns EPIPE into exit 0, for every command.
	signal.Ignore(syscall.SIGPIPE)

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan struct{})
	go func() {
		var sig os.Signal
		select {
		case sig = <-sigs:
		case <-done:
			return
		}
		cause := &exitcode.Signaled{Signal: sig}
		cancel(cause)
		select {
		case <-sigs: // a second signal: no more waiting
		case <-time.After(signalGrace):
		case <-done:
			return
		}
		fmt.Fprintf(os.Stderr, "kite: %s\n", cause)
		os.Exit(cause.ExitCode())
	}()
	code := run(ctx, iostreams.System(), os.Args[1:], os.Getenv)
	close(done)
	os.Exit(code)
}
