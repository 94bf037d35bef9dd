// Command kite is a fast, scriptable command-line toolkit for Zerodha's Kite
// trading platform. See README.md and `kite --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/kitecli/kite/internal/iostreams"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, iostreams.System(), os.Args[1:], os.Getenv)
	stop()
	os.Exit(code)
}
