package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox"
)

func TestE2EQuote(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{})
	_ = srv
	r := runKite(t, kiteRun{Env: env}, "quote", "nse:reliance", "NSE:INFY", "NSE:NOPE", "408065", "INFY")
	// Unknown symbols are invalid input (2), as in every command; the
	// known ones are still printed. A bare INFY means NSE:INFY (issue 16).
	mdExpect(t, r, 2, `unknown instrument "NSE:NOPE"`, "kite instruments search NOPE --exchange NSE",
		"kite: INFY means NSE:INFY; write the exchange to silence this\n")
	var recs []map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &recs); err != nil {
		t.Fatalf("stdout is not a JSON list: %v\n%s", err, r.Stdout)
	}
	// Asked order kept; the token 408065 is NSE:INFY again.
	if len(recs) != 4 || recs[0]["symbol"] != "NSE:RELIANCE" || recs[1]["symbol"] != "NSE:INFY" || recs[2]["symbol"] != "NSE:INFY" || recs[3]["symbol"] != "NSE:INFY" {
		t.Fatalf("records %v", recs)
	}
	for _, rec := range recs {
		ohlc, _ := rec["ohlc"].(map[string]any)
		last, _ := rec["last_price"].(float64)
		closePrice, _ := ohlc["close"].(float64)
		ch, ok := rec["change"].(float64)
		if ohlc == nil || rec["depth"] == nil || last <= 0 || !ok {
			t.Fatalf("full quote lacks fields: %v", rec)
		}
		for _, k := range []string{"timestamp", "last_trade_time"} {
			ts, _ := rec[k].(string)
			if _, err := time.Parse(time.RFC3339, ts); err != nil || !strings.HasSuffix(ts, "+05:30") {
				t.Fatalf("%s %q is not RFC 3339 in IST", k, ts)
			}
		}
		if want := (last - closePrice) / closePrice * 100; ch < want-0.006 || ch > want+0.006 {
			t.Fatalf("change %v, want %.4f from last %v and close %v", ch, want, last, closePrice)
		}
	}
	if !strings.HasPrefix(strings.TrimSpace(r.Stdout), "[\n  {\n    \"symbol\": \"NSE:RELIANCE\",\n    \"instrument_token\":") {
		t.Fatalf("symbol should come first, then Kite's fields in Kite's order:\n%.300s", r.Stdout)
	}
}

func TestE2EQuoteModesAndFile(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	r := runKite(t, kiteRun{Env: env, Stdin: strings.NewReader("# watchlist\nNSE:INFY, NSE:RELIANCE\n\nNSE:TCS\n")},
		"quote", "--file", "-", "--mode", "ltp", "-o", "csv")
	mdExpect(t, r, 0)
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	if len(lines) != 4 || lines[0] != "symbol,instrument_token,last_price" || !strings.HasPrefix(lines[3], "NSE:TCS,") {
		t.Fatalf("ltp csv:\n%s", r.Stdout)
	}
	r = runKite(t, kiteRun{Env: env}, "quote", "NSE:INFY", "--mode", "ohlc", "-o", "ndjson", "--jq", `.symbol + " " + (.ohlc.close|tostring)`)
	mdExpect(t, r, 0)
	if !strings.HasPrefix(r.Stdout, "NSE:INFY ") || strings.Count(r.Stdout, "\n") != 1 {
		t.Fatalf("ohlc jq: %q", r.Stdout)
	}
}

func TestE2EQuoteUsageErrorsBeforeNetwork(t *testing.T) {
	// A dead base URL: any request would be exit 6, not 2.
	env := map[string]string{"KITE_BASE_URL": "http://127.0.0.1:1", "KITE_API_KEY": "k", "KITE_ACCESS_TOKEN": "t"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"quote"}, "at least one SYMBOL"},
		{[]string{"quote", "NSE:INFY", "--mode", "depth"}, "full, ohlc or ltp"},
		{[]string{"quote", "--file", "/nonexistent/list"}, "reading --file"},
	} {
		r := runKite(t, kiteRun{Env: env}, c.args...)
		mdExpect(t, r, 2, c.want)
	}
}

func TestE2EQuoteBatchedAndPaced(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	r := runKite(t, kiteRun{Env: env}, "instruments", "-o", "ndjson", "--jq", `"\(.exchange):\(.tradingsymbol)"`)
	mdExpect(t, r, 0)
	universe := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	// 1200 symbols cycling through the sandbox's universe: two ltp
	// requests (Kite takes at most 1000 instruments in one), paced so the
	// sandbox (1 quote request a second, like Kite) never answers 429.
	var asked []string
	for i := range 1200 {
		asked = append(asked, universe[i%len(universe)])
	}
	r = runKite(t, kiteRun{Env: env, Stdin: strings.NewReader(strings.Join(asked, "\n"))}, "quote", "--file", "-", "--mode", "ltp", "-o", "ndjson", "--jq", ".symbol", "--debug")
	mdExpect(t, r, 0)
	if got := strings.Split(strings.TrimSpace(r.Stdout), "\n"); strings.Join(got, "\n") != strings.Join(asked, "\n") {
		t.Fatalf("%d records, want one per symbol asked, in order", len(got))
	}
	requests := 0
	for line := range strings.SplitSeq(r.Stderr, "\n") {
		if strings.Contains(line, `msg="http response"`) && strings.Contains(line, "/quote/ltp") {
			if strings.Contains(line, "status=429") {
				t.Fatalf("429 from the sandbox: %s", line)
			}
			requests++
		}
	}
	if requests != 2 {
		t.Fatalf("%d /quote/ltp requests, want 2\n%s", requests, r.Stderr)
	}
}

// Symbols that name their exchange load only that exchange's dump; a bare
// token needs the full one.
func TestE2EQuoteLoadsOnlyTheExchangesNamed(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	env = mdEnv(env, "KITE_HOME", t.TempDir())
	dumps := func() string {
		files, _ := filepath.Glob(filepath.Join(env["KITE_HOME"], "cache", "instruments", "*.csv"))
		var names []string
		for _, f := range files {
			names = append(names, f[strings.LastIndex(f, "-")+1:])
		}
		return strings.Join(names, " ")
	}
	mdExpect(t, runKite(t, kiteRun{Env: env}, "quote", "nse:infy", "--mode", "ltp"), 0)
	if got := dumps(); got != "NSE.csv" {
		t.Fatalf("after quote NSE:INFY the cache holds %q, want only NSE.csv", got)
	}
	time.Sleep(1100 * time.Millisecond) // the sandbox's quote limit is per API key, across processes
	mdExpect(t, runKite(t, kiteRun{Env: env}, "quote", "408065", "--mode", "ltp"), 0)
	if got := dumps(); got != "ALL.csv NSE.csv" {
		t.Fatalf("after quote 408065 the cache holds %q, want ALL.csv too", got)
	}
}

// Kite allows one quote request a second per API key, across processes:
// parallel kite quote runs sharing a KITE_HOME take turns instead of
// earning 429s.
func TestE2EQuoteProcessesShareTheLimit(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	env = mdEnv(env, "KITE_HOME", t.TempDir(), "KITE_RETRY_ATTEMPTS", "1")
	mdExpect(t, runKite(t, kiteRun{Env: env}, "instruments", "--exchange", "NSE"), 0) // warm the cache
	time.Sleep(1100 * time.Millisecond)
	const n = 3
	type out struct {
		code   int
		stderr string
	}
	results := make(chan out, n)
	for range n {
		go func() {
			cmd := exec.Command(kiteBin, "quote", "NSE:INFY", "--mode", "ltp", "--debug")
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + env["KITE_HOME"]}
			for k, v := range env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				code = -1
			}
			results <- out{code, stderr.String()}
		}()
	}
	for range n {
		r := <-results
		if r.code != 0 || strings.Contains(r.stderr, "status=429") {
			t.Fatalf("exit %d (retries off, so a 429 fails the run):\n%s", r.code, r.stderr)
		}
	}
}
