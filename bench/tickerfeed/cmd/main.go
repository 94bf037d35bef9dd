// Command tickerfeed runs the synthetic ticker feed for whole-command
// benchmarks: it prints the export lines that point kite (or any client)
// at it and serves until interrupted.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/kitecli/kite/bench/tickerfeed"
)

func main() {
	var o tickerfeed.Options
	flag.IntVar(&o.Instruments, "instruments", 100, "ticks per message")
	flag.DurationVar(&o.Interval, "interval", 0, "one message per interval (0 = as fast as the client reads)")
	flag.Parse()
	f, err := tickerfeed.Start(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("export KITE_WS_URL=%s KITE_API_KEY=feed KITE_ACCESS_TOKEN=feed\n", f.URL)
	fmt.Printf("# tokens %d..%d (step 256)\n", f.Tokens[0], f.Tokens[len(f.Tokens)-1])
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	<-ctx.Done()
	f.Close()
}
