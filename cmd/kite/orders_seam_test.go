package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/spf13/cobra"
)

// The order commands take gh's seam: newCmd(f, runF). runF sees the
// options exactly as the flags and environment left them, so these tests
// check the parsing without a server, and call the run functions directly
// against a sandbox.

func seamFactory(env map[string]string) *Factory {
	io, _, _, _ := iostreams.Test()
	return newFactory(io, func(k string) string { return env[k] })
}

func runSeam(t *testing.T, cmd *cobra.Command, args ...string) {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("%s %v: %v", cmd.Name(), args, err)
	}
}

func TestOrdersPlaceFlagsMapToOptions(t *testing.T) {
	var got *ordersPlaceOptions
	f := seamFactory(map[string]string{"KITE_ALGO_ID": "algo7"})
	runSeam(t, newOrdersPlaceCmd(f, func(o *ordersPlaceOptions) error { got = o; return nil }),
		"NSE:INFY", "--sell", "--qty", "5", "--type", "MARKET", "--product", "MIS", "--tag", "rebal01",
		"--market-protection", "2", "--max-value", "1000000", "--yes")
	if got == nil {
		t.Fatal("runF was not called")
	}
	if got.Symbol != "NSE:INFY" || !got.Sell || got.Buy || got.Qty != 5 || got.Type != "MARKET" || got.Product != "MIS" ||
		got.Tag != "rebal01" || got.MarketProtection != 2 || !got.mpSet || got.AlgoID != "algo7" || got.Variety != "regular" {
		t.Fatalf("options = %+v", got)
	}
	if !got.Safety.Yes || got.Safety.DryRun || got.Safety.MaxValue != 1000000 || got.Safety.capSource != "--max-value" {
		t.Fatalf("safety = %+v", got.Safety)
	}
	if got.IO != f.IO || got.Client == nil || got.Resolver == nil || got.Printer == nil || got.Now == nil {
		t.Fatalf("the run function's dependencies are not set: %+v", got.cmdDeps)
	}

	// Without --max-value and --algo-id, the environment decides.
	got = nil
	f = seamFactory(map[string]string{"KITE_MAX_ORDER_VALUE": "250000", "KITE_ALGO_ID": " algo9 "})
	runSeam(t, newOrdersPlaceCmd(f, func(o *ordersPlaceOptions) error { got = o; return nil }),
		"--exchange", "NFO", "--symbol", "NIFTY26NOVFUT", "--side", "BUY", "-q", "75", "--price", "24000", "--dry-run")
	if got.Exchange != "NFO" || got.Symbol != "NIFTY26NOVFUT" || got.Side != "BUY" || got.Qty != 75 || got.Price != 24000 ||
		got.mpSet || got.AlgoID != "algo9" || !got.Safety.DryRun || got.Safety.MaxValue != 250000 || got.Safety.capSource != "KITE_MAX_ORDER_VALUE" {
		t.Fatalf("options = %+v", got)
	}
}

func TestOrdersModifyAndCancelFlagsMapToOptions(t *testing.T) {
	var mod *ordersModifyOptions
	f := seamFactory(nil)
	runSeam(t, newOrdersModifyCmd(f, func(o *ordersModifyOptions) error { mod = o; return nil }),
		"151220000000000", "--price", "1490.5", "--qty", "5", "--trigger", "1480", "--type", "SL", "--validity", "IOC", "--dry-run")
	if mod.OrderID != "151220000000000" || mod.Price != 1490.5 || mod.Qty != 5 || mod.Trigger != 1480 || mod.Type != "SL" ||
		mod.Validity != "IOC" || mod.mpSet || !mod.Safety.DryRun || mod.Safety.MaxValue != defaultMaxOrderValue {
		t.Fatalf("modify options = %+v", mod)
	}

	var cancel *ordersCancelOptions
	runSeam(t, newOrdersCancelCmd(f, func(o *ordersCancelOptions) error { cancel = o; return nil }),
		"151220000000000", "--variety", "co", "--parent", "151220000000001", "-y")
	if cancel.OrderID != "151220000000000" || cancel.Variety != "co" || cancel.Parent != "151220000000001" || !cancel.Safety.Yes {
		t.Fatalf("cancel options = %+v", cancel)
	}
}

// The run functions called directly, with a sandbox for the client and a
// fixed clock, place an order, modify it and cancel it.
func TestOrdersRunFunctionsAgainstSandbox(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 17, RateLimits: sandbox.NoRateLimits()})
	env["KITE_HOME"] = t.TempDir()
	f := seamFactory(env)
	f.Global.BaseURL, f.Global.Profile = env["KITE_BASE_URL"], "default"
	t.Cleanup(f.Close)
	var out bytes.Buffer
	deps := f.deps()
	deps.Printer = func() *output.Printer { return output.New(&out, output.JSON, nil) }
	// A fixed clock: 2026-11-26 10:00 IST.
	deps.Now = func() time.Time { return time.Date(2026, 11, 26, 10, 0, 0, 0, kite.IST) }
	ctx := context.Background()

	// INFY trades near ₹1540 in the sandbox, its lower circuit ₹1386: a
	// buy at ₹1400 stays open.
	place := &ordersPlaceOptions{cmdDeps: deps, Symbol: "NSE:INFY", Buy: true, Qty: 2, Price: 1400,
		Variety: kite.VarietyRegular, Safety: writeSafety{Yes: true, MaxValue: defaultMaxOrderValue}}
	if err := runOrdersPlace(ctx, place); err != nil {
		t.Fatal(err)
	}
	var placed struct {
		OrderID  string `json:"order_id"`
		Tag      string `json:"tag"`
		Status   string `json:"status"`
		Quantity int    `json:"quantity"`
	}
	if err := json.Unmarshal(out.Bytes(), &placed); err != nil || placed.Status != kite.StatusOpen || placed.Quantity != 2 || placed.Tag == "" {
		t.Fatalf("place printed %s (%v)", out.String(), err)
	}

	out.Reset()
	// 3 × ₹1401.50 = ₹4204.50, under the cap of ₹5,000.
	mod := &ordersModifyOptions{cmdDeps: deps, OrderID: placed.OrderID, Qty: 3, Price: 1401.5,
		Safety: writeSafety{Yes: true, MaxValue: 5000, capSource: "--max-value"}}
	if err := runOrdersModify(ctx, mod); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"quantity": 3`) {
		t.Fatalf("modify printed %s", out.String())
	}
	// 4 × ₹1401.50 = ₹5606 is over it.
	mod.Qty = 4
	if err := runOrdersModify(ctx, mod); err == nil || !strings.Contains(err.Error(), "order value ₹5606.00 exceeds --max-value of ₹5000.00") {
		t.Fatalf("a modify over the cap: %v", err)
	}

	out.Reset()
	cancel := &ordersCancelOptions{cmdDeps: deps, OrderID: placed.OrderID, Safety: writeSafety{Yes: true}}
	if err := runOrdersCancel(ctx, cancel); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"status": "CANCELLED"`) {
		t.Fatalf("cancel printed %s", out.String())
	}
	if err := runOrdersCancel(ctx, cancel); err == nil || !strings.Contains(err.Error(), "already CANCELLED: only open orders can be cancelled") {
		t.Fatalf("cancelling a cancelled order: %v", err)
	}
}
