package main

import (
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox"
)

// expectExact checks the exit code and that stderr is exactly want.
func expectExact(t *testing.T, r result, code int, want string) {
	t.Helper()
	if r.Code != code || r.Stderr != want {
		t.Errorf("exit %d, want %d\nstderr: %q\nwant:   %q", r.Code, code, r.Stderr, want)
	}
}

// An unknown symbol is invalid input caught before any request: exit 2 in
// every command, with the command to look it up and no pointer to --help
// (the command was used correctly).
func TestE2EUnknownSymbolExitsTwoEverywhere(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{RateLimits: sandbox.NoRateLimits()})
	const msg = "kite: unknown instrument \"NSE:ZZZZ\": look it up with kite instruments search ZZZZ --exchange NSE\n"
	for _, args := range [][]string{
		{"history", "NSE:ZZZZ", "--interval", "day", "--from", "2026-10-01", "--to", "2026-10-05"},
		{"stream", "NSE:ZZZZ", "--count", "1"},
		{"orders", "place", "NSE:ZZZZ", "--buy", "--qty", "1", "--price", "10", "--yes"},
	} {
		r := runKite(t, kiteRun{Env: env}, args...)
		expectExact(t, r, 2, msg)
		if r.Stdout != "" {
			t.Errorf("kite %s printed %q", strings.Join(args, " "), r.Stdout)
		}
	}
	r := runKite(t, kiteRun{Env: env}, "quote", "NSE:ZZZZ")
	expectExact(t, r, 2, msg+"kite: 1 of 1 instruments unknown (reported above); no quote was printed\n")
	r = runKite(t, kiteRun{Env: env}, "instruments", "search", "zzzqqq")
	expectExact(t, r, 2, "kite: no instrument matches \"zzzqqq\": try a shorter query (a prefix of the trading symbol or of the company name)\n")
	if r.Stdout != "" {
		t.Errorf("instruments search printed %q", r.Stdout)
	}
	r = runKite(t, kiteRun{Env: env}, "instruments", "search", "INFY", "--exchange", "BSE", "--type", "FUT")
	expectExact(t, r, 2, "kite: no instrument matches \"INFY\": try without --exchange BSE, --type FUT or a shorter query\n")
	r = runKite(t, kiteRun{Env: env}, "chain", "ZZZZ")
	expectExact(t, r, 2, "kite: no unexpired ZZZZ options on NFO, BFO, MCX, CDS; find the name with: kite instruments search zzzz --type CE\n")
	if n := len(ordersBook(t, env)); n != 0 {
		t.Fatalf("%d orders were placed", n)
	}
}

func TestE2EExitCodesOfOtherFailures(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{RateLimits: sandbox.NoRateLimits()})

	// cobra's help answers an unknown topic with exit 0.
	r := runKite(t, kiteRun{}, "help", "nosuch")
	expectExact(t, r, 2, "kite: unknown help topic \"nosuch\": run kite --help for the list of commands\n")
	if r = runKite(t, kiteRun{}, "help", "orders", "place"); r.Code != 0 || !strings.Contains(r.Stdout, "kite orders place") {
		t.Errorf("help orders place: %+v", r)
	}

	// jq's own codes (5 for error, n for halt_error) are not kite's.
	expectExact(t, runKite(t, kiteRun{}, "version", "--jq", `error("x")`), 1, "kite: jq: x\n")
	expectExact(t, runKite(t, kiteRun{}, "version", "--jq", `"no session" | halt_error(3)`), 1, "kite: jq: no session\n")
	expectExact(t, runKite(t, kiteRun{}, "version", "--jq", `1 | keys`), 1, "kite: jq: keys cannot be applied to: number (1)\n")

	// An InputException came back from Kite after the request: 1, not the
	// 2 of input caught before any request.
	r = runKite(t, kiteRun{Env: env}, "api", "GET", "/instruments/historical/abc/day", "-f", "from=2026-01-01", "-f", "to=2026-01-02")
	if r.Code != 1 || !strings.Contains(r.Stderr, "InputException") || strings.Contains(r.Stderr, "--help") {
		t.Errorf("InputException: exit %d, stderr %q", r.Code, r.Stderr)
	}
}

// No Go internals reach the user.
func TestE2ENoGoInternalsInMessages(t *testing.T) {
	// A flag value that does not parse: a usage error, with the pointer.
	expectExact(t, runKite(t, kiteRun{}, "orders", "place", "NSE:INFY", "--buy", "--qty", "abc", "--price", "1"), 2,
		"kite: invalid --qty \"abc\": want a whole number, e.g. --qty 10\nRun 'kite orders place --help' for usage.\n")
	expectExact(t, runKite(t, kiteRun{}, "login", "--timeout", "5"), 2,
		"kite: invalid --timeout \"5\": want a duration, e.g. --timeout 30s (units ms, s, m, h)\nRun 'kite login --help' for usage.\n")

	// A line of kite ticks encode that is JSON but not a record.
	for in, want := range map[string]string{
		"[1]\n":                           "want a JSON object such as kite stream prints, got an array",
		`{"instrument_token":[1]}` + "\n": "instrument_token: want a number, got an array",
		"{\n":                             "the JSON is cut short",
	} {
		r := runKite(t, kiteRun{Stdin: strings.NewReader(in)}, "ticks", "encode", "-")
		expectExact(t, r, 2, "kite: standard input, line 1: invalid tick record: "+want+"\n")
	}

	// --debug prints headers as fields, not as a Go map.
	_, env := startTestSandbox(t, sandbox.Options{})
	r := runKite(t, kiteRun{Env: env}, "--debug", "profile")
	if r.Code != 0 || !strings.Contains(r.Stderr, `header.Authorization="token REDACTED"`) || strings.Contains(r.Stderr, "map[") {
		t.Errorf("--debug: exit %d, stderr:\n%s", r.Code, r.Stderr)
	}
}

// A ticker connection the server drops without a close frame is said in
// words, not as the WebSocket library's "failed to get reader: failed to
// read frame header: EOF".
func TestE2ETickerDropInWords(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{TickInterval: 10 * time.Millisecond, Faults: sandbox.Faults{DropEvery: 100 * time.Millisecond}})
	env["KITE_RECONNECT_ATTEMPTS"] = "1"
	r := runKite(t, kiteRun{Env: env}, "stream", "NSE:INFY", "--duration", "30s")
	if r.Code != 6 || !strings.Contains(r.Stderr, "cut without a close frame") ||
		strings.Contains(r.Stderr, "frame header") || strings.Contains(r.Stderr, "failed to get reader") {
		t.Fatalf("exit %d, stderr:\n%s", r.Code, r.Stderr)
	}
}
