package main

// End-to-end tests of the portfolio commands added for the whole Kite API:
// positions convert, holdings summary/--compact/authorise, auctions and
// profile --full, each running the built binary against the sandbox.

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/pkg/sandbox"
)

func TestE2EPositionsConvert(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 5, RateLimits: sandbox.NoRateLimits()})
	ordersRun(t, env, 0, "orders", "place", "NSE:INFY", "--buy", "--qty", "10", "--type", "MARKET", "--product", "MIS", "--yes")

	_, dry := ordersRun(t, env, 0, "positions", "convert", "NSE:INFY", "--from", "MIS", "--to", "CNC", "--dry-run")
	if dry["dry_run"] != true || jsonNum(t, dry["quantity"]) != 10 || dry["transaction_type"] != "BUY" || dry["converted"] != false {
		t.Fatalf("dry run: %v", dry)
	}
	// Without a terminal and without --yes: refused before anything is sent.
	r, _ := ordersRun(t, env, 2, "positions", "convert", "NSE:INFY", "--from", "MIS", "--to", "CNC")
	if !strings.Contains(r.Stderr, "--yes") {
		t.Fatalf("no-TTY refusal: %s", r.Stderr)
	}
	_, done := ordersRun(t, env, 0, "positions", "convert", "NSE:INFY", "--from", "MIS", "--to", "CNC", "--qty", "4", "--yes")
	if done["converted"] != true || jsonNum(t, done["from_quantity_after"]) != 6 || jsonNum(t, done["to_quantity_after"]) != 4 {
		t.Fatalf("convert 4 of 10: %v", done)
	}
	// The sandbox agrees: 6 MIS, 4 CNC.
	qty := map[string]float64{}
	for _, p := range acctDirect(t, env, "GET", "/portfolio/positions", nil).(map[string]any)["net"].([]any) {
		p := p.(map[string]any)
		qty[p["product"].(string)] = jsonNum(t, p["quantity"])
	}
	if qty["MIS"] != 6 || qty["CNC"] != 4 {
		t.Fatalf("positions after converting: %v", qty)
	}
	r, _ = ordersRun(t, env, 2, "positions", "convert", "NSE:INFY", "--from", "MIS", "--to", "CNC", "--qty", "7", "--yes")
	if !strings.Contains(r.Stderr, "is 6") {
		t.Fatalf("too many: %s", r.Stderr)
	}
	r, _ = ordersRun(t, env, 2, "positions", "convert", "NSE:ITC", "--from", "MIS", "--to", "CNC", "--yes")
	if !strings.Contains(r.Stderr, "no open MIS position") {
		t.Fatalf("no position: %s", r.Stderr)
	}
}

func TestE2EHoldingsAuctionsProfile(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 5, RateLimits: sandbox.NoRateLimits()})

	// The seeded holdings: 10 INFY at 1402.35, 100 ITC at 388.1 and 16 SBIN
	// at 801.75 were bought for 65,661.50.
	r, _ := ordersRun(t, env, 0, "holdings", "summary", "--jq", ".invested_amount")
	if strings.TrimSpace(r.Stdout) != "65661.5" {
		t.Fatalf("invested: %q", r.Stdout)
	}
	r, _ = ordersRun(t, env, 0, "holdings", "--compact", "-o", "csv")
	if !strings.HasPrefix(r.Stdout, "exchange,tradingsymbol,instrument_token,t1_quantity,quantity\n") || !strings.Contains(r.Stdout, "NSE,INFY,") {
		t.Fatalf("compact: %s", r.Stdout)
	}

	// Authorise 5 INFY: the URL is the sandbox's page; opening it completes
	// the authorisation.
	_, dry := ordersRun(t, env, 0, "holdings", "authorise", "INFY=5", "--dry-run")
	if dry["dry_run"] != true || dry["request_id"] != nil {
		t.Fatalf("authorise dry run: %v", dry)
	}
	_, a := ordersRun(t, env, 0, "holdings", "authorise", "INFY=5", "--yes")
	u, _ := a["url"].(string)
	if !strings.HasPrefix(u, env["KITE_BASE_URL"]+"/connect/portfolio/authorise/holdings/") || a["request_id"] == "" {
		t.Fatalf("authorise: %v", a)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("authorisation page: %d", resp.StatusCode)
	}
	r, _ = ordersRun(t, env, 0, "holdings", "--jq", `.[] | select(.tradingsymbol == "INFY") | .authorised_quantity`)
	if strings.TrimSpace(r.Stdout) != "5" {
		t.Fatalf("authorised quantity: %q", r.Stdout)
	}
	r, _ = ordersRun(t, env, 2, "holdings", "authorise", "NOPE", "--yes")
	if !strings.Contains(r.Stderr, "not in the holdings") {
		t.Fatalf("unknown holding: %s", r.Stderr)
	}

	// Auctions list the settled holdings; an auction order uses the number.
	r, _ = ordersRun(t, env, 0, "auctions", "--jq", `.[] | select(.tradingsymbol == "INFY") | .auction_number`)
	num := strings.Trim(strings.TrimSpace(r.Stdout), `"`)
	if num == "" {
		t.Fatalf("auctions: %q", r.Stdout)
	}
	_, placed := ordersRun(t, env, 0, "orders", "place", "NSE:INFY", "--sell", "--qty", "1", "--price", ordersAway(t, env, "NSE:INFY", 0.5),
		"--variety", "auction", "--auction", num, "--yes")
	if placed["status"] != "OPEN" {
		t.Fatalf("auction order: %v", placed)
	}

	r, _ = ordersRun(t, env, 0, "profile", "--full", "--jq", ".twofa_type")
	if strings.TrimSpace(r.Stdout) != "totp" {
		t.Fatalf("full profile: %q", r.Stdout)
	}
}

// TestHoldingsAuthoriseOnTerminal: on a terminal the confirmation asks to
// request the authorisation and open its page; declining sends nothing,
// accepting requests it and tries to open the page (this test's terminal
// cannot open a browser, so kite says to open the URL).
func TestHoldingsAuthoriseOnTerminal(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 5, RateLimits: sandbox.NoRateLimits()})
	runTTY := func(answer string, args ...string) (int, string, string) {
		ios, in, out, errOut := iostreams.Test()
		ios.StdinTTY, ios.StdoutTTY = true, true
		in.WriteString(answer)
		code := run(context.Background(), ios, append([]string{"holdings", "authorise", "INFY=2", "-o", "json"}, args...),
			func(k string) string { return env[k] })
		return code, out.String(), errOut.String()
	}
	code, out, errOut := runTTY("n\n")
	if code != 1 || out != "" || !strings.Contains(errOut, "Request it, and open the page to enter the TPIN? [y/N]") {
		t.Fatalf("declined: %d %q %q", code, out, errOut)
	}
	code, out, errOut = runTTY("y\n")
	if code != 0 || !strings.Contains(out, `"request_id"`) || !strings.Contains(errOut, "open the URL above to enter the TPIN") {
		t.Fatalf("accepted: %d %q %q", code, out, errOut)
	}
	code, out, errOut = runTTY("n\n", "--yes")
	if code != 0 || !strings.Contains(out, `"request_id"`) || !strings.Contains(errOut, "to enter the TPIN? [Y/n]") || strings.Contains(errOut, "open the URL above") {
		t.Fatalf("--yes, declined opening: %d %q %q", code, out, errOut)
	}
}
