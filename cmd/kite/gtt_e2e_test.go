package main

// End-to-end tests of kite gtt against the sandbox: the lifecycle, Kite's
// rules checked before sending, and the write safety.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/pkg/sandbox"
)

// gttPrice is a price frac away from the last price (frac -0.02 is 2%
// below), on the 0.05 tick.
func gttPrice(ltp, frac float64) string {
	return strconv.FormatFloat(math.Round(ltp*(1+frac)*20)/20, 'f', 2, 64)
}

type gttOut struct {
	ID        int    `json:"id"`
	Type      string `json:"type"`
	Status    string `json:"status"`
	Condition struct {
		LastPrice     float64   `json:"last_price"`
		TriggerValues []float64 `json:"trigger_values"`
	} `json:"condition"`
	Orders []struct {
		TransactionType string  `json:"transaction_type"`
		Quantity        int     `json:"quantity"`
		Price           float64 `json:"price"`
		Result          *struct {
			OrderResult struct {
				Status  string `json:"status"`
				OrderID string `json:"order_id"`
			} `json:"order_result"`
		} `json:"result"`
	} `json:"orders"`
	DryRun bool `json:"dry_run"`
}

func gttRun(t *testing.T, env map[string]string, code int, args ...string) (result, gttOut) {
	t.Helper()
	r := runKite(t, kiteRun{Env: env}, args...)
	if r.Code != code {
		t.Fatalf("kite %s: want exit %d, got %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, r.Code, r.Stdout, r.Stderr)
	}
	var g gttOut
	if code == 0 && strings.HasPrefix(strings.TrimSpace(r.Stdout), "{") {
		if err := json.Unmarshal([]byte(r.Stdout), &g); err != nil {
			t.Fatalf("kite %s: %v\n%s", strings.Join(args, " "), err, r.Stdout)
		}
	}
	return r, g
}

func gttList(t *testing.T, env map[string]string) []gttOut {
	t.Helper()
	r, _ := gttRun(t, env, 0, "gtt")
	var list []gttOut
	if err := json.Unmarshal([]byte(r.Stdout), &list); err != nil {
		t.Fatalf("kite gtt: %v\n%s", err, r.Stdout)
	}
	return list
}

func TestE2EGTTLifecycle(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 21, RateLimits: sandbox.NoRateLimits()})
	if l := gttList(t, env); len(l) != 0 {
		t.Fatalf("a fresh account has no GTTs: %+v", l)
	}
	ltp := ordersLTP(t, env, "NSE:INFY")
	sl, slPx := gttPrice(ltp, -0.03), gttPrice(ltp, -0.031)
	tgt := gttPrice(ltp, 0.03)

	// --dry-run: the resolved GTT with the fetched last price; nothing sent.
	_, dry := gttRun(t, env, 0, "gtt", "create", "NSE:INFY", "--sell", "--qty", "2", "--trigger", sl+","+tgt, "--price", slPx+","+tgt, "--dry-run")
	if !dry.DryRun || dry.Type != "two-leg" || dry.Condition.LastPrice <= 0 || len(dry.Orders) != 2 || dry.Orders[0].Quantity != 2 {
		t.Fatalf("dry run printed %+v", dry)
	}
	if l := gttList(t, env); len(l) != 0 {
		t.Fatalf("--dry-run created a GTT: %+v", l)
	}

	_, g := gttRun(t, env, 0, "gtt", "create", "NSE:INFY", "--sell", "--qty", "2", "--trigger", sl+","+tgt, "--price", slPx+","+tgt, "--yes")
	if g.ID == 0 || g.Status != "active" || g.Type != "two-leg" || g.Orders[1].TransactionType != "SELL" {
		t.Fatalf("created %+v", g)
	}
	id := strconv.Itoa(g.ID)
	_, shown := gttRun(t, env, 0, "gtt", "show", id)
	if shown.ID != g.ID || fmt.Sprint(shown.Condition.TriggerValues) != fmt.Sprint(g.Condition.TriggerValues) {
		t.Fatalf("show %s: %+v", id, shown)
	}

	// Modify: what is not given stays; two triggers become one.
	_, m := gttRun(t, env, 0, "gtt", "modify", id, "--qty", "3", "--yes")
	if m.Orders[0].Quantity != 3 || m.Type != "two-leg" || m.Orders[0].Price != g.Orders[0].Price {
		t.Fatalf("modify --qty 3: %+v", m)
	}
	_, m = gttRun(t, env, 0, "gtt", "modify", id, "--trigger", sl, "--price", slPx, "--yes")
	if m.Type != "single" || len(m.Orders) != 1 || m.Orders[0].Quantity != 3 {
		t.Fatalf("modify to single: %+v", m)
	}

	r, _ := gttRun(t, env, 0, "gtt", "delete", id, "--yes")
	if !strings.Contains(r.Stdout, `"deleted": true`) {
		t.Fatalf("delete printed %s", r.Stdout)
	}
	if l := gttList(t, env); len(l) != 0 {
		t.Fatalf("deleted GTT still listed: %+v", l)
	}
	// A deleted or unknown GTT: exit 1 and the command to list them.
	r, _ = gttRun(t, env, 1, "gtt", "modify", id, "--qty", "1", "--yes")
	if !strings.Contains(r.Stderr, "kite gtt") {
		t.Errorf("modify of a deleted GTT: %s", r.Stderr)
	}
	r, _ = gttRun(t, env, 1, "gtt", "show", "99")
	if !strings.Contains(r.Stderr, "no GTT 99") || !strings.Contains(r.Stderr, "kite gtt") {
		t.Errorf("show 99: %s", r.Stderr)
	}
}

// Kite's rules and the write safety refuse before anything is sent: exit
// 2, a message naming the fix, and no GTT.
func TestE2EGTTRefusals(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 22, RateLimits: sandbox.NoRateLimits()})
	ltp := ordersLTP(t, env, "NSE:INFY")
	near := gttPrice(ltp, 0.001)
	below, above := gttPrice(ltp, -0.03), gttPrice(ltp, 0.03)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"NSE:INFY", "--buy", "--qty", "1", "--trigger", near, "--price", near, "--yes"}, "too close to the last price"},
		{[]string{"NSE:INFY", "--sell", "--qty", "1", "--trigger", above + "," + below, "--price", above + "," + below, "--yes"}, "below and above the last price"},
		{[]string{"NSE:INFY", "--buy", "--qty", "1", "--trigger", below, "--price", gttPrice(ltp, -0.2), "--yes"}, "more than 10% from its trigger"},
		{[]string{"NSE:INFY", "--buy", "--qty", "1", "--trigger", below, "--price", below, "--type", "MARKET", "--yes"}, "LIMIT orders only"},
		{[]string{"NSE:INFY", "--buy", "--qty", "1", "--trigger", below + "," + above, "--price", below, "--yes"}, "one --price per trigger"},
		{[]string{"NSE:INFY", "--buy", "--qty", "1", "--trigger", "1,2,3", "--price", "1,2,3", "--yes"}, "one price (a single GTT) or two"},
		{[]string{"NSE:INFY", "--buy", "--qty", "1000", "--trigger", below, "--price", below, "--yes"}, "exceeds the default cap"},
		{[]string{"NSE:INFY", "--buy", "--qty", "1", "--trigger", below, "--price", below}, "add --yes"},
		{[]string{"NSE:INFY", "--qty", "1", "--trigger", below, "--price", below, "--yes"}, "add --buy or --sell"},
		{[]string{"NSE:INFY", "--buy", "--qty", "1", "--trigger", "abc", "--price", below, "--yes"}, "--trigger"},
		{[]string{"NSE:NOSUCH", "--buy", "--qty", "1", "--trigger", below, "--price", below, "--yes"}, "NOSUCH"},
	} {
		r, _ := gttRun(t, env, 2, append([]string{"gtt", "create"}, c.args...)...)
		if !strings.Contains(r.Stderr, c.want) || strings.Contains(r.Stderr, "strconv.") || strings.Contains(r.Stderr, "json:") {
			t.Errorf("kite gtt create %s: stderr %q, want it to say %q", strings.Join(c.args, " "), r.Stderr, c.want)
		}
	}
	for _, args := range [][]string{{"gtt", "show", "abc"}, {"gtt", "delete", "-5", "--yes"}, {"gtt", "modify", "x"}, {"gtt", "bogus"}} {
		gttRun(t, env, 2, args...)
	}
	if l := gttList(t, env); len(l) != 0 {
		t.Fatalf("a refused GTT was created: %+v", l)
	}
}

// TestGTTAndAlertConfirmOnTerminal runs kite in-process with terminal
// streams: a write is shown and asked about; anything but y sends nothing.
func TestGTTAndAlertConfirmOnTerminal(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 23, RateLimits: sandbox.NoRateLimits()})
	ltp := ordersLTP(t, env, "NSE:INFY")
	below := gttPrice(ltp, -0.03)
	runTTY := func(answer string, args ...string) (int, string) {
		ios, in, _, errOut := iostreams.Test()
		ios.StdinTTY, ios.StdoutTTY = true, true
		in.WriteString(answer)
		code := run(context.Background(), ios, append(args, "-o", "json"), func(k string) string { return env[k] })
		return code, errOut.String()
	}
	gttArgs := []string{"gtt", "create", "NSE:INFY", "--buy", "--qty", "1", "--trigger", below, "--price", below}
	alertArgs := []string{"alerts", "create", "NSE:INFY", "--operator", "<=", "--value", below, "--buy", "--qty", "1", "--price", below}
	for _, c := range []struct {
		args   []string
		prompt string
	}{{gttArgs, "Create this GTT? [y/N]"}, {alertArgs, "Create this alert? [y/N]"}} {
		code, errOut := runTTY("n\n", c.args...)
		if code != 1 || !strings.Contains(errOut, c.prompt) || !strings.Contains(errOut, "NSE:INFY") {
			t.Fatalf("%s declined: exit %d\n%s", c.args[0], code, errOut)
		}
	}
	if len(gttList(t, env)) != 0 || len(alertsList(t, env)) != 0 {
		t.Fatal("a declined write was sent")
	}
	for _, args := range [][]string{gttArgs, alertArgs} {
		if code, errOut := runTTY("y\n", args...); code != 0 {
			t.Fatalf("%s confirmed: exit %d\n%s", args[0], code, errOut)
		}
	}
	if len(gttList(t, env)) != 1 || len(alertsList(t, env)) != 1 {
		t.Fatal("confirmed writes were not sent")
	}
}
