package main

// End-to-end tests of the margin and charge calculators (kite margins
// order, kite margins basket, kite charges, orders place --dry-run)
// against the sandbox. Expected figures are worked out by hand from the
// sandbox's margin model (delivery = full value, MIS = 20%, a short option
// 12% of strike × quantity) and Zerodha's charge schedule (see
// pkg/sandbox/paper/charges_test.go for the sources).

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kitecli/kite/pkg/sandbox"
)

func jsonNum(t *testing.T, v any) float64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v (%T) is not a number", v, v)
	}
	f, err := n.Float64()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func nearly(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func TestE2EMarginsOrderAndCharges(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 3, RateLimits: sandbox.NoRateLimits()})

	// Delivery needs the full value: 7 × 100.05 = 700.35.
	r, _ := ordersRun(t, env, 0, "margins", "order", "NSE:SBIN", "--buy", "--qty", "7", "--price", "100.05", "-o", "json")
	ms := acctDecode(t, []byte(r.Stdout)).([]any)
	m := ms[0].(map[string]any)
	if len(ms) != 1 || !nearly(jsonNum(t, m["total"]), 700.35) || !nearly(jsonNum(t, m["var"]), 700.35) || m["tradingsymbol"] != "SBIN" {
		t.Fatalf("margins order: %s", r.Stdout)
	}
	// MIS: 20% of the value, leverage 5.
	r, _ = ordersRun(t, env, 0, "margins", "order", "NSE:SBIN", "--buy", "--qty", "10", "--price", "100", "--product", "MIS", "--jq", ".[0] | [.total, .leverage]")
	if got := strings.Join(strings.Fields(r.Stdout), ""); got != "[200,5]" {
		t.Fatalf("MIS margin and leverage: %q, want [200,5]", r.Stdout)
	}
	// A table has the charges' total as a column.
	r, _ = ordersRun(t, env, 0, "margins", "order", "NSE:SBIN", "--buy", "--qty", "7", "--price", "100.05", "-o", "table")
	if !strings.Contains(r.Stdout, "CHARGES") || !strings.Contains(r.Stdout, "700.35") {
		t.Fatalf("table: %s", r.Stdout)
	}

	// 10 INFY delivery at 1500: STT 15, NSE 0.4455, SEBI 0.015, stamp 2.25,
	// GST 0.08289, total 17.79339.
	r, _ = ordersRun(t, env, 0, "charges", "NSE:INFY", "--buy", "--qty", "10", "--price", "1500", "--jq", ".[0].charges | [.transaction_tax, .stamp_duty, .total]")
	if got := strings.Join(strings.Fields(r.Stdout), ""); got != "[15,2.25,17.79339]" {
		t.Fatalf("charges: %q", r.Stdout)
	}
	r, _ = ordersRun(t, env, 0, "charges", "NSE:INFY", "--buy", "--qty", "10", "--price", "1500", "-o", "csv")
	if !strings.HasPrefix(r.Stdout, "transaction_type,tradingsymbol,exchange,product,quantity,price,brokerage,stt_ctt,exchange_charges,sebi,stamp_duty,gst,total\n") {
		t.Fatalf("charges CSV: %s", r.Stdout)
	}

	// --dry-run shows the margin and charges and places nothing. 700.35 of
	// SBIN delivery: STT 0.70035 + NSE 0.020800395 + SEBI 0.00070035 +
	// stamp 0.1050525 + GST 18% × 0.021500745 = 0.8307733791.
	_, dry := ordersRun(t, env, 0, "orders", "place", "NSE:SBIN", "--buy", "--qty", "7", "--price", "100.05", "--dry-run")
	if dry["dry_run"] != true || !nearly(jsonNum(t, dry["margin"]), 700.35) || !nearly(jsonNum(t, dry["charges"]), 0.8307733791) {
		t.Fatalf("dry run: %v", dry)
	}
	if n := len(ordersBook(t, env)); n != 0 {
		t.Fatalf("calculators and a dry run placed %d orders", n)
	}

	// Bad input: exit 2, a clear message, nothing sent.
	r, _ = ordersRun(t, env, 2, "margins", "order", "NSE:SBIN", "--buy", "--qty", "1", "--price", "100", "--file", "x.json")
	if !strings.Contains(r.Stderr, "not both") {
		t.Fatalf("flags and file: %s", r.Stderr)
	}
	r, _ = ordersRun(t, env, 2, "charges", "--file", filepath.Join(t.TempDir(), "missing.ndjson"))
	if !strings.Contains(r.Stderr, "no such file") {
		t.Fatalf("missing file: %s", r.Stderr)
	}
	// No instrument: the example is the calculator's own, not orders place's.
	for _, cmd := range [][]string{{"charges"}, {"margins", "order"}} {
		r, _ = ordersRun(t, env, 2, append(cmd, "--buy", "--qty", "1")...)
		if want := "e.g. kite " + strings.Join(cmd, " ") + " NSE:INFY --buy"; !strings.Contains(r.Stderr, want) {
			t.Fatalf("kite %s without an instrument: %s\nwant it to say %q", strings.Join(cmd, " "), r.Stderr, want)
		}
	}
}

func TestE2EMarginsBasketNetsASpread(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 3, RateLimits: sandbox.NoRateLimits()})
	low := ordersInstrument(t, env, "NFO", func(r map[string]string) bool {
		return r["name"] == "NIFTY" && r["instrument_type"] == "CE"
	})
	k1, _ := strconv.ParseFloat(low["strike"], 64)
	high := ordersInstrument(t, env, "NFO", func(r map[string]string) bool {
		k, _ := strconv.ParseFloat(r["strike"], 64)
		return r["name"] == "NIFTY" && r["instrument_type"] == "CE" && r["expiry"] == low["expiry"] && k > k1
	})
	k2, _ := strconv.ParseFloat(high["strike"], 64)
	lot, _ := strconv.ParseFloat(low["lot_size"], 64)
	file := filepath.Join(t.TempDir(), "spread.ndjson")
	basket := `{"exchange":"NFO","tradingsymbol":"` + low["tradingsymbol"] + `","transaction_type":"SELL","quantity":` + low["lot_size"] + `,"price":100}` + "\n" +
		`{"exchange":"NFO","tradingsymbol":"` + high["tradingsymbol"] + `","transaction_type":"BUY","quantity":` + low["lot_size"] + `,"price":40}` + "\n"
	if err := os.WriteFile(file, []byte(basket), 0o600); err != nil {
		t.Fatal(err)
	}
	_, b := ordersRun(t, env, 0, "margins", "basket", file, "--consider-positions")
	initial := jsonNum(t, b["initial"].(map[string]any)["total"])
	final := jsonNum(t, b["final"].(map[string]any)["total"])
	// Alone: the short call's span (12% × strike × lot) and the long call's
	// premium (40 × lot). Together the short call's risk is capped at the
	// spread's width.
	wantInitial := 0.12*k1*lot + 40*lot
	wantFinal := math.Min(0.12*k1, k2-k1)*lot + 40*lot
	if !nearly(initial, wantInitial) || !nearly(final, wantFinal) || len(b["orders"].([]any)) != 2 {
		t.Fatalf("basket: initial %v (want %v), final %v (want %v): %v", initial, wantInitial, final, wantFinal, b)
	}
	r, _ := ordersRun(t, env, 0, "margins", "basket", file, "-o", "table")
	if !strings.Contains(r.Stdout, "final (basket, netted)") {
		t.Fatalf("basket table: %s", r.Stdout)
	}
	// A broken file names the line; stdin works as -.
	r = runKite(t, kiteRun{Env: env, Stdin: strings.NewReader("{\"exchange\":\"NSE\"}\n")}, "margins", "basket", "-")
	if r.Code != 2 || !strings.Contains(r.Stderr, "line 1") || strings.Contains(r.Stderr, "json:") {
		t.Fatalf("bad basket: %+v", r)
	}
}
