package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/pkg/sandbox"
)

// TestE2EHelpExamplesRun runs every example in the help of the commands
// issue 11 added, in order, through a shell against one sandbox, from a
// directory holding the files they name (basket.ndjson, spread.ndjson,
// basket.json, trades.ndjson). Each must exit 0: the help shows nothing
// that does not work.
func TestE2EHelpExamplesRun(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 9, RateLimits: sandbox.NoRateLimits()})
	dir := t.TempDir()
	low := ordersInstrument(t, env, "NFO", func(r map[string]string) bool { return r["name"] == "NIFTY" && r["instrument_type"] == "CE" })
	k1, _ := strconv.ParseFloat(low["strike"], 64)
	high := ordersInstrument(t, env, "NFO", func(r map[string]string) bool {
		k, _ := strconv.ParseFloat(r["strike"], 64)
		return r["name"] == "NIFTY" && r["instrument_type"] == "CE" && r["expiry"] == low["expiry"] && k > k1
	})
	files := map[string]string{
		"basket.ndjson": `{"exchange":"NSE","tradingsymbol":"INFY","transaction_type":"BUY","quantity":10,"price":1500}` + "\n" +
			`{"exchange":"NSE","tradingsymbol":"SBIN","transaction_type":"SELL","quantity":5,"product":"MIS","order_type":"MARKET"}` + "\n",
		"spread.ndjson": `{"exchange":"NFO","tradingsymbol":"` + low["tradingsymbol"] + `","transaction_type":"SELL","quantity":` + low["lot_size"] + `,"price":100}` + "\n" +
			`{"exchange":"NFO","tradingsymbol":"` + high["tradingsymbol"] + `","transaction_type":"BUY","quantity":` + low["lot_size"] + `,"price":40}` + "\n",
		"basket.json":   `[{"exchange":"NSE","tradingsymbol":"ITC","transaction_type":"BUY","quantity":100,"price":400}]`,
		"trades.ndjson": `{"exchange":"NSE","tradingsymbol":"INFY","transaction_type":"BUY","quantity":10,"average_price":1500,"product":"MIS"}` + "\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// positions convert's examples convert an intraday buy of 10 INFY.
	ordersRun(t, env, 0, "orders", "place", "NSE:INFY", "--buy", "--qty", "10", "--type", "MARKET", "--product", "MIS", "--yes")

	root := newRootCmd(newFactory(&iostreams.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, func(string) string { return "" }))
	path := filepath.Dir(kiteBin) + string(os.PathListSeparator) + os.Getenv("PATH")
	for _, name := range []string{
		"margins", "margins order", "margins basket", "charges", "positions convert", "holdings", "holdings summary",
		"holdings authorise", "auctions", "profile", "mf", "mf holdings", "mf orders", "mf sips", "mf instruments",
	} {
		cmd, _, err := root.Find(strings.Fields(name))
		if err != nil || cmd.Name() != strings.Fields(name)[len(strings.Fields(name))-1] {
			t.Fatalf("no command %q: %v", name, err)
		}
		if strings.TrimSpace(cmd.Example) == "" {
			t.Errorf("kite %s has no examples", name)
		}
		for _, line := range strings.Split(cmd.Example, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			sh := exec.CommandContext(ctx, "sh", "-c", line)
			sh.Dir = dir
			sh.Env = []string{"PATH=" + path, "HOME=" + t.TempDir(), "KITE_HOME=" + t.TempDir()}
			for k, v := range env {
				sh.Env = append(sh.Env, k+"="+v)
			}
			out, err := sh.CombinedOutput()
			cancel()
			if err != nil {
				t.Errorf("kite %s example %q: %v\n%s", name, line, err, out)
			}
		}
	}
}
