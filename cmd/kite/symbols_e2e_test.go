package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox"
)

// Issue 16: a bare symbol means NSE, with a one-line notice on stderr.
const infyNotice = "kite: INFY means NSE:INFY; write the exchange to silence this\n"

func TestE2EBareSymbolQuote(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	env["KITE_HOME"] = t.TempDir() // one quote pacer for the runs: no 429 notices
	// Any case, as EXCHANGE:TRADINGSYMBOL is; the notice quotes what was typed.
	r := runKite(t, kiteRun{Env: env}, "quote", "infy", "--mode", "ltp", "-o", "json")
	var recs []map[string]any
	if r.Code != 0 || r.Stderr != "kite: infy means NSE:INFY; write the exchange to silence this\n" || json.Unmarshal([]byte(r.Stdout), &recs) != nil || len(recs) != 1 || recs[0]["symbol"] != "NSE:INFY" {
		t.Fatalf("quote infy: exit %d\nstdout: %s\nstderr: %q", r.Code, r.Stdout, r.Stderr)
	}
	// Written out, the exchange silences the notice.
	r = runKite(t, kiteRun{Env: env}, "quote", "NSE:INFY", "--mode", "ltp", "-o", "json")
	if r.Code != 0 || r.Stderr != "" {
		t.Fatalf("quote NSE:INFY: exit %d, stderr %q; want no notice", r.Code, r.Stderr)
	}
	// Several in one line, from --file too.
	list := filepath.Join(t.TempDir(), "list.txt")
	if err := os.WriteFile(list, []byte("INFY\nRELIANCE, NSE:TCS\t408065 # a token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runKite(t, kiteRun{Env: env}, "quote", "--file", list, "--mode", "ltp", "-o", "ndjson", "--jq", ".symbol")
	if want := "kite: INFY, RELIANCE mean NSE:INFY, NSE:RELIANCE; write the exchange to silence this\n"; r.Code != 0 || r.Stderr != want ||
		r.Stdout != "NSE:INFY\nNSE:RELIANCE\nNSE:TCS\nNSE:INFY\n" {
		t.Fatalf("quote --file: exit %d\nstdout: %q\nstderr: %q, want %q", r.Code, r.Stdout, r.Stderr, want)
	}
}

func TestE2EBareSymbolHistory(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	args := []string{"--interval", "day", "--from", "2026-10-01", "--to", "2026-10-31", "-o", "csv"}
	bare := runKite(t, kiteRun{Env: env}, append([]string{"history", "INFY"}, args...)...)
	full := runKite(t, kiteRun{Env: env}, append([]string{"history", "NSE:INFY"}, args...)...)
	if bare.Code != 0 || bare.Stderr != infyNotice || full.Code != 0 || full.Stderr != "" {
		t.Fatalf("history INFY: exit %d, stderr %q (want %q); NSE:INFY: exit %d, stderr %q", bare.Code, bare.Stderr, infyNotice, full.Code, full.Stderr)
	}
	if !strings.HasPrefix(bare.Stdout, "date,open,high,low,close,volume\n") || bare.Stdout != full.Stdout {
		t.Fatalf("history INFY and NSE:INFY differ:\n%.300s\n---\n%.300s", bare.Stdout, full.Stdout)
	}
	// A bare symbol NSE does not have is unknown there, with the next step.
	r := runKite(t, kiteRun{Env: env}, append([]string{"history", "ZZZZ"}, args...)...)
	if want := "kite: ZZZZ means NSE:ZZZZ; write the exchange to silence this\n" +
		"kite: unknown instrument \"NSE:ZZZZ\": look it up with kite instruments search ZZZZ --exchange NSE\n"; r.Code != 2 || r.Stderr != want {
		t.Fatalf("history ZZZZ: exit %d, stderr %q; want 2 and %q", r.Code, r.Stderr, want)
	}
}

// stream INFY streams NSE:INFY, and loads only NSE's instrument dump to
// find it, as quote does: the cache holds NSE's file and not the full one.
func TestE2EBareSymbolStream(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{TickInterval: 5 * time.Millisecond})
	home := t.TempDir()
	env["KITE_HOME"] = home
	r := runKite(t, kiteRun{Env: env}, "stream", "INFY", "--count", "3", "--jq", ".symbol")
	if r.Code != 0 || r.Stderr != infyNotice || r.Stdout != "NSE:INFY\nNSE:INFY\nNSE:INFY\n" {
		t.Fatalf("stream INFY: exit %d\nstdout: %q\nstderr: %q, want %q", r.Code, r.Stdout, r.Stderr, infyNotice)
	}
	files, err := filepath.Glob(filepath.Join(home, "cache", "instruments", "*.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var dumps []string
	for _, f := range files {
		_, exch, _ := strings.Cut(strings.TrimSuffix(filepath.Base(f), ".csv"), "-")
		dumps = append(dumps, exch)
	}
	if !slices.Equal(dumps, []string{"NSE"}) {
		t.Fatalf("stream NSE:INFY cached the dumps %v, want only NSE's", dumps)
	}
	// The same list file as quote's: commas and tabs separate, # comments.
	list := filepath.Join(t.TempDir(), "list.txt")
	if err := os.WriteFile(list, []byte("NSE:INFY,\tNSE:RELIANCE # two\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runKite(t, kiteRun{Env: env}, "stream", "--file", list, "--count", "40", "--jq", ".symbol")
	got := map[string]bool{}
	for _, s := range strings.Fields(r.Stdout) {
		got[s] = true
	}
	if r.Code != 0 || r.Stderr != "" || len(got) != 2 || !got["NSE:INFY"] || !got["NSE:RELIANCE"] {
		t.Fatalf("stream --file: exit %d, symbols %v, stderr %q", r.Code, got, r.Stderr)
	}
}

func TestWatchBareSymbolUnderTmux(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{TickInterval: 20 * time.Millisecond})
	s := startTmux(t, watchCommand(t, env, "INFY"))
	scr := s.waitFor("a row with a price", func(scr string) bool { return rowRe.MatchString(scr) })
	if rows := rowRe.FindAllStringSubmatch(scr, -1); len(rows) != 1 || rows[0][1] != symINFY {
		t.Fatalf("watch INFY: want one row for NSE:INFY; screen:\n%s", scr)
	}
	s.run("send-keys", "q")
	scr = s.waitFor("exit", func(scr string) bool { return strings.Contains(scr, "EXIT=") })
	if !strings.Contains(scr, "EXIT=0") || !strings.Contains(scr, strings.TrimSuffix(infyNotice, "\n")) {
		t.Fatalf("watch INFY: want exit 0 and the notice left on the terminal; screen:\n%s", scr)
	}
}
