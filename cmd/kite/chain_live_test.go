package main

import (
	"encoding/json"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox"
)

// --live -o ndjson: every strike once, then a record for each strike that
// changes as ticks arrive, each repricing its option; Ctrl-C exits 130
// with whole lines.
func TestE2EChainLiveNDJSON(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 16, TickInterval: 20 * time.Millisecond})
	cmd, out, _, stderr := startKite(t, env, "chain", "NIFTY", "--expiry", "monthly", "--strikes", "2", "--live", "-o", "ndjson", "--rate", "0.07")
	read := func() chainE2ERecord {
		t.Helper()
		line, err := out.ReadString('\n')
		if err != nil {
			t.Fatalf("reading a record: %v; stderr:\n%s", err, stderr)
		}
		var r chainE2ERecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("not a record: %q", line)
		}
		return r
	}
	// --strikes 2: five strikes around the ATM one (the sandbox lists 21).
	first := map[float64]chainE2ERecord{}
	for range 5 {
		r := read()
		first[r.Strike] = r
	}
	if len(first) != 5 {
		t.Fatalf("snapshot strikes: %v", first)
	}
	// The deadline is generous: on a loaded 2-core CI machine the sandbox
	// and kite can both be starved for seconds (a 20 s one flaked there).
	deadline := time.Now().Add(60 * time.Second)
	moved := 0
	for moved < 3 {
		if time.Now().After(deadline) {
			t.Fatal("no strike changed within 60s")
		}
		r := read()
		was, ok := first[r.Strike]
		if !ok {
			first[r.Strike] = r // the window followed the ATM strike
			continue
		}
		if r.UnderlyingPrice == was.UnderlyingPrice && r.Call.LastPrice == was.Call.LastPrice && r.Put.LastPrice == was.Put.LastPrice &&
			r.Call.OI == was.Call.OI && r.Put.OI == was.Put.OI && *r.Call.Bid == *was.Call.Bid && *r.Put.Ask == *was.Put.Ask {
			continue // volume or the other side's depth moved
		}
		moved++
		first[r.Strike] = r
		for _, s := range []struct {
			call bool
			q    *chainE2ESide
		}{{true, r.Call}, {false, r.Put}} {
			if s.q.IV == nil {
				continue
			}
			a := black76(s.call, r.UnderlyingPrice, r.Strike, r.TimeToExpiry, r.Rate, *s.q.IV-1.5e-6)
			b := black76(s.call, r.UnderlyingPrice, r.Strike, r.TimeToExpiry, r.Rate, *s.q.IV+1.5e-6)
			// time_to_expiry is rounded to 1e-6 years (32 s): allow its
			// theta on top.
			slack := 1e-3 * s.q.LastPrice
			if s.q.LastPrice < a-slack || s.q.LastPrice > b+slack {
				t.Errorf("%s: last %v outside the Black-76 premiums %v..%v at iv %v", s.q.Symbol, s.q.LastPrice, a, b, *s.q.IV)
			}
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(out)
	if code := waitExit(t, cmd, 10*time.Second); code != 130 {
		t.Fatalf("exit %d after SIGINT, want 130; stderr:\n%s", code, stderr)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(rest), "\n"), "\n") {
		if line != "" && !json.Valid([]byte(line)) {
			t.Fatalf("partial line after SIGINT: %q", line)
		}
	}
}

// --live on a terminal: the table is redrawn in place as the underlying
// moves; q quits with exit 0 and the terminal is restored.
func TestE2EChainLiveTableUnderTmux(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 17, TickInterval: 20 * time.Millisecond})
	env["NO_COLOR"] = "1"
	s := startTmux(t, tmuxKiteCommand(t, env, "chain", "NIFTY", "--expiry", "monthly", "--live"))
	header := regexp.MustCompile(`OI\s+VOLUME\s+IV%\s+DELTA\s+LTP\s+STRIKE\s+LTP\s+DELTA\s+IV%\s+VOLUME\s+OI`)
	summary := regexp.MustCompile(`(?m)^(NFO:NIFTY\d\d[A-Z]{3}FUT) (\d+(\.\d+)?) \(black76\) · ATM \d+ IV \d+\.\d\d% · `)
	scr := s.waitFor("the live table", func(scr string) bool {
		return strings.Contains(scr, "kite chain ·") && strings.Contains(scr, "· live ·") && header.MatchString(scr) && summary.MatchString(scr)
	})
	if !regexp.MustCompile(`\*\d+\*`).MatchString(scr) {
		t.Fatalf("no ATM marker with NO_COLOR; screen:\n%s", scr)
	}
	price := summary.FindStringSubmatch(scr)[2]
	s.waitFor("the underlying to move", func(scr string) bool {
		m := summary.FindStringSubmatch(scr)
		return m != nil && m[2] != price
	})
	s.run("send-keys", "q")
	scr = s.waitFor("exit", func(scr string) bool { return strings.Contains(scr, "EXIT=") })
	if !strings.Contains(scr, "EXIT=0") || strings.Contains(scr, "STRIKE") {
		t.Fatalf("q: want exit 0 and the table gone; screen:\n%s", scr)
	}
}

func TestE2EChainLiveUsageErrors(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 18, TickInterval: time.Hour})
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"NIFTY", "--live", "-o", "csv"}, "--live prints a table on a terminal or NDJSON records (-o ndjson), not -o csv"},
		{[]string{"NIFTY", "--live", "-o", "table"}, "the --live table needs a terminal"},
	} {
		r := runKite(t, kiteRun{Env: env}, append([]string{"chain"}, c.args...)...)
		if r.Code != 2 || !strings.Contains(r.Stderr, c.want) {
			t.Errorf("chain %s: exit %d %q; want 2 and %q", strings.Join(c.args, " "), r.Code, r.Stderr, c.want)
		}
	}
}
