package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/market"
)

// Examples the all-examples test does not run to completion. Each is keyed
// by its exact line, so an entry for an example that changed fails the
// test instead of going stale.
var (
	// skippedExamples need what a test cannot have: a browser, a real
	// account, another program or server, or a terminal.
	skippedExamples = map[string]string{
		"export KITE_API_KEY=xxxx KITE_API_SECRET=yyyy": "needs a real Kite app",
		"kite login": "needs a browser",
		"kite login --api-key xxxx --request-token 'http://127.0.0.1:5050/callback?status=success&request_token=zzzz'": "needs a real Kite account",
		"kite login --api-key xxxx --manual":                                                                                                    "needs a browser",
		"KITE_PASSWORD=... KITE_TOTP_SECRET=... kite login --web --user-id AB1234":                                                              "needs a real Kite account",
		"pass show kite | kite login --web --user-id AB1234 --password-stdin --twofa 123456":                                                    "needs a real Kite account and pass",
		"kite login --web --user-id AB1234":                                                                                                     "needs a real Kite account",
		"claude mcp add kite -- kite mcp":                                                                                                       "needs Claude Code",
		"claude mcp add kite-sandbox -- kite --sandbox mcp --allow-orders":                                                                      "needs Claude Code",
		"kite --profile family mcp --allow-orders --max-value 50000 --max-orders 3":                                                             "needs a logged-in profile",
		"kite whoami --profile work -o json":                                                                                                    "needs a logged-in profile",
		"kill -USR1 $(pgrep -f 'kite record')   # print the counters":                                                                           "needs a running kite record",
		"duckdb -c \"SELECT symbol, max(last_price) FROM '2026-11-20.parquet' GROUP BY symbol\"":                                                "needs duckdb",
		"python -c \"import pandas as pd; print(pd.read_parquet('2026-11-20.parquet').head())\"":                                                "needs python and pandas",
		"kite stream --file nfo.txt --mode full --publish nats://127.0.0.1:4222":                                                                "needs a NATS server",
		"kite stream --from nats://127.0.0.1:4222 NSE:INFY --since 30m":                                                                         "needs a NATS server",
		"kite stream --from nats://n1:4222,nats://n2:4222 --durable risk --creds risk.creds":                                                    "needs a NATS cluster",
		"kite watch --from nats://127.0.0.1:4222 NSE:INFY NSE:RELIANCE":                                                                         "needs a NATS server",
		"kite watch NSE:INFY NSE:RELIANCE NSE:TCS":                                                                                              "needs a terminal",
		"kite watch NSE:NIFTY\\ 50 \"NSE:NIFTY BANK\" NSE:INFY --sort change --reverse":                                                         "needs a terminal",
		"kite watch --file watchlist.txt --rate 2":                                                                                              "needs a terminal",
		"kite orders place NSE:INFY --buy --qty 1 --price 1500":                                                                                 "asks to confirm at a terminal",
		"kite orders place --exchange NFO --symbol \"$FUT\" --side BUY --qty 75 --type MARKET --product NRML":                                   "asks to confirm at a terminal",
		"kite orders place NSE:RELIANCE --buy --qty 1000 --price 1400 --variety iceberg --iceberg-legs 5 --iceberg-qty 200 --max-value 1500000": "asks to confirm at a terminal",
		"kite orders modify \"$ID\" --price 1490.5":                                                                                             "asks to confirm at a terminal",
		"kite orders modify \"$ID\" --type SL --price 801 --trigger 800":                                                                        "asks to confirm at a terminal",
		"kite orders cancel \"$ID\"":                                                                                                            "asks to confirm at a terminal",
	}
	// runningExamples run until stopped: each must still be running, or
	// have exited 0, when it is stopped a few seconds in.
	runningExamples = map[string]bool{
		"kite stream NSE:INFY NSE:RELIANCE": true,
		"kite instruments --exchange NFO --jq '.[] | \"NFO:\" + .tradingsymbol' | kite stream --file - --mode quote": true,
		"kite stream NSE:NIFTY\\ 50 --until 15:30 >> nifty.ndjson":                                                   true,
		"kite stream NSE:INFY --raw --duration 1m > infy.bin && kite ticks decode infy.bin":                          true,
		"kite stream NSE:INFY --mode full --raw --duration 1m > infy.bin":                                            true,
		"kite chain NIFTY --strikes 8 --live":                                                                        true,
		"kite chain BANKNIFTY --live -o ndjson --jq 'select(.strike == 59000) | .call.iv'":                           true,
		"kite record NSE:INFY NSE:RELIANCE --mode full --dir ~/ticks":                                                true,
		"kite record 256265 --dir ticks --max-size 1GB --events":                                                     true,
		"kite sandbox -v": true,
		"kite sandbox --tick-interval 100ms --seed 42 --drop-every 30s --error-rate 0.1": true,
		"kite sandbox --allowed-ips 127.0.0.2 --book-lag 3s":                             true,
		"kite stream NSE:INFY": true, // kite sandbox's, after . ./sandbox.env
		"kite stream NSE:INFY --mode full | jq -c '{s: .symbol, p: .last_price}'":                                                                                          true,
		"kite stream 256265 408065 --mode ltp --jq '[.instrument_token, .last_price] | @tsv'":                                                                              true,
		"kite stream NSE:INFY --raw | kite ticks decode - | head -5":                                                                                                       true,
		"kite instruments --exchange NFO --jq '.[] | select(.name == \"NIFTY\") | \"NFO:\" + .tradingsymbol' | kite record --file - --mode full --dir ticks --until 15:31": true,
	}
)

// assignment is an example line that sets a shell variable for the lines
// after it (FUT=$(kite instruments search …)).
var assignment = regexp.MustCompile(`^[A-Z_]+=\$\(`)

// TestE2EEveryHelpExampleRuns runs every example line of every command's
// help against one sandbox, from a directory holding the files the
// examples name: each must exit 0, apart from those marked above. The
// market clock runs from a moment when INFY trades between the GTT and
// alert examples' levels.
func TestE2EEveryHelpExampleRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every example: long")
	}
	start := time.Now()
	at := time.Date(2026, 11, 25, 11, 0, 0, 0, market.IST)
	_, env := startTestSandbox(t, sandbox.Options{Seed: 9, RateLimits: sandbox.NoRateLimits(), TickInterval: 100 * time.Millisecond,
		MarketClock: func() time.Time { return at.Add(time.Since(start)) }})
	if p := ordersLTP(t, env, "NSE:INFY"); p <= 1404 || p >= 1600 {
		t.Fatalf("INFY at %v: pick another market time for the examples' levels", p)
	}
	dir := helpExampleFixtures(t, env)
	env["TAG"] = "nightlyrebal01"

	root := newRootCmd(newFactory(&iostreams.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, func(string) string { return "" }))
	seen := map[string]bool{}
	var running [][2]string // command, script
	for _, cmd := range examplesOrder(root) {
		var prelude, background []string
		for _, line := range strings.Split(cmd.Example, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				background = nil // a paragraph's background job ends with it
				continue
			}
			seen[line] = true
			if reason, ok := skippedExamples[line]; ok {
				t.Logf("skipped (%s): %s", reason, line)
				continue
			}
			script := strings.Join(append(append(append([]string(nil), prelude...), background...), line), "\n")
			if assignment.MatchString(line) {
				prelude = append(prelude, line)
			}
			// The lines after "kite sandbox … > sandbox.env &" read what
			// it writes: each runs with the job started again before it,
			// as a user's shell would have it running.
			if strings.HasSuffix(line, "&") {
				background = append(background, line)
			}
			if runningExamples[line] {
				running = append(running, [2]string{cmd.CommandPath(), script})
				continue
			}
			runExample(t, cmd.CommandPath(), dir, env, script, false)
		}
	}
	// Those that run until stopped only read the account: all at once,
	// so their few seconds each are spent together.
	var wg sync.WaitGroup
	for _, r := range running {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runExample(t, r[0], dir, env, r[1], true)
		}()
	}
	wg.Wait()
	for line := range skippedExamples {
		if !seen[line] {
			t.Errorf("skippedExamples has %q, which no help shows any more", line)
		}
	}
	for line := range runningExamples {
		if !seen[line] {
			t.Errorf("runningExamples has %q, which no help shows any more", line)
		}
	}
}

// examplesOrder is every available command, each group's writes that make
// something (create, place) before its others, and those that remove it
// (delete, cancel) last, so each example finds what it refers to.
func examplesOrder(root *cobra.Command) []*cobra.Command {
	// orders go first, while the test account still has the margin for
	// the examples' orders.
	rank := map[string]int{"orders": -3, "create": -2, "place": -2, "delete": 2, "cancel": 2, "reset": 2}
	var out []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c != root && (!c.IsAvailableCommand() || c.IsAdditionalHelpTopicCommand()) {
			return
		}
		out = append(out, c)
		subs := append([]*cobra.Command(nil), c.Commands()...)
		sort.SliceStable(subs, func(i, j int) bool { return rank[subs[i].Name()] < rank[subs[j].Name()] })
		for _, s := range subs {
			walk(s)
		}
	}
	walk(root)
	return out
}

// runExample runs one example's script in dir with sh. A running example
// is stopped after a few seconds; it passes if it was still running or had
// exited 0. Whatever it started in the background is stopped with it.
func runExample(t *testing.T, name, dir string, env map[string]string, script string, running bool) {
	t.Helper()
	timeout := 90 * time.Second
	if running {
		timeout = 4 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	sh := exec.CommandContext(ctx, "sh", "-c", script)
	sh.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	sh.Cancel = func() error { return syscall.Kill(-sh.Process.Pid, syscall.SIGTERM) }
	sh.WaitDelay = 5 * time.Second
	sh.Dir = dir
	sh.Env = exampleEnv(dir, env)
	// A file, not a pipe: a background job (kite sandbox … &) keeps its
	// output open, and Wait would wait for it.
	out, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	sh.Stdout, sh.Stderr = out, out
	err = sh.Run()
	if sh.Process != nil {
		_ = syscall.Kill(-sh.Process.Pid, syscall.SIGKILL) // background jobs (kite sandbox … &)
	}
	output, _ := os.ReadFile(out.Name())
	switch {
	case running && ctx.Err() != nil:
	case err != nil && ctx.Err() != nil:
		t.Errorf("%s example did not finish within %v: %q\n%s", name, timeout, script, output)
	case err != nil:
		t.Errorf("%s example failed (%v): %q\n%s", name, err, script, output)
	}
}

// helpExampleFixtures makes the directory the examples run in: the files
// they read, a recording of the day they replay, and an account with an
// open order, a filled intraday buy, a GTT and an alert.
func helpExampleFixtures(t *testing.T, env map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"basket.ndjson": `{"exchange":"NSE","tradingsymbol":"INFY","transaction_type":"BUY","quantity":10,"price":1500}` + "\n",
		"spread.ndjson": `{"exchange":"NSE","tradingsymbol":"INFY","transaction_type":"BUY","quantity":1,"price":1500}` + "\n" +
			`{"exchange":"NSE","tradingsymbol":"SBIN","transaction_type":"SELL","quantity":5,"product":"MIS","order_type":"MARKET"}` + "\n",
		"basket.json":   `[{"exchange":"NSE","tradingsymbol":"ITC","transaction_type":"BUY","variety":"regular","product":"CNC","order_type":"LIMIT","quantity":100,"price":400}]`,
		"trades.ndjson": `{"exchange":"NSE","tradingsymbol":"INFY","transaction_type":"BUY","quantity":10,"average_price":1500,"product":"MIS"}` + "\n",
		"watchlist.txt": "NSE:INFY\nNSE:TCS\n",
		"nfo.txt":       "NSE:INFY\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sh := func(script string) {
		t.Helper()
		c := exec.Command("sh", "-ec", script)
		c.Dir = dir
		c.Env = exampleEnv(dir, env)
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("fixture %q: %v\n%s", script, err, out)
		}
	}
	sh(`kite stream NSE:INFY --mode full --raw --count 5 > capture.bin
kite ticks decode capture.bin > ticks.ndjson && cp capture.bin infy.bin
mkdir rec && kite record NSE:INFY --mode full --dir rec --duration 2s
mkdir -p ticks && cp rec/*.krec ticks/kite-20261120-091500.000.krec && cp rec/*.krec rec.krec
kite orders place NSE:INFY --buy --qty 10 --type MARKET --product MIS --yes
kite orders place NSE:INFY --buy --qty 1 --price 1405 --tag k1a2b3c4d5e6f7 --yes
kite orders place NSE:INFY --buy --qty 1 --price 1406 --tag nightlyrebal01 --yes
kite gtt create NSE:INFY --sell --qty 1 --trigger 1400,1700 --price 1395,1700 --yes
kite gtt create NSE:INFY --sell --qty 1 --trigger 1400,1700 --price 1395,1700 --yes
kite alerts create NSE:INFY --operator '>=' --value 1700 --yes`)
	return dir
}

// exampleEnv is the environment examples run in: the built kite first on
// PATH, dir as HOME and KITE_HOME's parent, and env (the sandbox's).
func exampleEnv(dir string, env map[string]string) []string {
	out := []string{"PATH=" + filepath.Dir(kiteBin) + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + dir, "KITE_HOME=" + filepath.Join(dir, ".kite")}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}
