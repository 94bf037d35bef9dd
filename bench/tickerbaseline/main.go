// Command tickerbaseline is the comparison client for kite stream's
// benchmarks: Zerodha's official Go ticker (gokiteconnect v4) subscribing
// in full mode and turning every tick into JSON with encoding/json, written
// to io.Discard — what a Go program on the official client would do at
// least. It reports ticks and ticks/s on stderr.
//
//	tickerbaseline -tokens 256265,408065 -count 1000000
//
// The URL and session come from KITE_WS_URL, KITE_API_KEY and
// KITE_ACCESS_TOKEN, like kite's.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/zerodha/gokiteconnect/v4/models"
	kiteticker "github.com/zerodha/gokiteconnect/v4/ticker"
)

func main() {
	tokensFlag := flag.String("tokens", "", "comma-separated instrument tokens, or @FILE with one per line")
	count := flag.Int("count", 0, "stop after this many ticks")
	duration := flag.Duration("duration", 0, "stop after this long")
	flag.Parse()
	tokens, err := parseTokens(*tokensFlag)
	if err != nil || len(tokens) == 0 {
		fmt.Fprintln(os.Stderr, "tickerbaseline: -tokens needs instrument tokens:", err)
		os.Exit(2)
	}
	u, err := url.Parse(os.Getenv("KITE_WS_URL"))
	if err != nil || u.Host == "" {
		fmt.Fprintln(os.Stderr, "tickerbaseline: set KITE_WS_URL")
		os.Exit(2)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if *duration > 0 {
		ctx, cancel = context.WithTimeout(context.Background(), *duration)
	}
	defer cancel()

	t := kiteticker.New(os.Getenv("KITE_API_KEY"), os.Getenv("KITE_ACCESS_TOKEN"))
	t.SetRootURL(*u)
	enc := json.NewEncoder(io.Discard)
	n := 0
	var start time.Time
	t.OnConnect(func() {
		start = time.Now()
		if err := t.Subscribe(tokens); err != nil {
			fmt.Fprintln(os.Stderr, "subscribe:", err)
		}
		if err := t.SetMode(kiteticker.ModeFull, tokens); err != nil {
			fmt.Fprintln(os.Stderr, "mode:", err)
		}
	})
	t.OnTick(func(tick models.Tick) {
		if err := enc.Encode(tick); err != nil {
			panic(err)
		}
		n++
		if *count > 0 && n == *count {
			cancel()
		}
	})
	t.OnError(func(err error) {
		if ctx.Err() == nil {
			fmt.Fprintln(os.Stderr, "ticker:", err)
		}
	})
	go t.ServeWithContext(ctx)
	<-ctx.Done()
	el := time.Since(start)
	fmt.Fprintf(os.Stderr, "ticks %d in %.3fs: %.0f ticks/s\n", n, el.Seconds(), float64(n)/el.Seconds())
}

func parseTokens(s string) ([]uint32, error) {
	if strings.HasPrefix(s, "@") {
		b, err := os.ReadFile(s[1:])
		if err != nil {
			return nil, err
		}
		s = string(b)
	}
	var out []uint32
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == ' ' }) {
		v, err := strconv.ParseUint(f, 10, 32)
		if err != nil {
			return nil, err
		}
		out = append(out, uint32(v))
	}
	return out, nil
}
