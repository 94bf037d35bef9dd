package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/sandboxtest"
	"github.com/spf13/cobra"
)

// The seam of the write commands (GTT, alerts, holdings authorise,
// positions convert) and of the order-reading ones: flags map to options
// without a server, flags that cannot work are refused before runF, and
// the run functions, called directly against a sandbox, write what the
// sandbox then lists.

// refusedBeforeRun runs the command built by build with args and fails
// unless it exits 2 (a usage error) without calling runF.
func refusedBeforeRun[O any](t *testing.T, build func(*Factory, func(*O) error) *cobra.Command, args ...string) {
	t.Helper()
	called := false
	err := parseOnly(t, build(testFactory(), func(*O) error { called = true; return nil }), args...)
	if exitcode.Code(err) != exitcode.Usage || called {
		t.Errorf("%v: %v (exit %d), run called %v; want exit 2 before the run", args, err, exitcode.Code(err), called)
	}
}

// parsed runs the command built by build with args and returns the
// options runF saw.
func parsed[O any](t *testing.T, f *Factory, build func(*Factory, func(*O) error) *cobra.Command, args ...string) *O {
	t.Helper()
	var got *O
	if err := parseOnly(t, build(f, func(o *O) error { got = o; return nil }), args...); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	if got == nil {
		t.Fatalf("%v: runF was not called", args)
	}
	return got
}

// depsSet fails unless the run function's dependencies came from f.
func depsSet(t *testing.T, f *Factory, d cmdDeps) {
	t.Helper()
	if d.IO != f.IO || d.Global != &f.Global || d.Client == nil || d.Resolver == nil || d.Printer == nil || d.Now == nil {
		t.Fatalf("the run function's dependencies are not the Factory's: %+v", d)
	}
}

func TestSeamGTTWriteFlags(t *testing.T) {
	f := seamFactory(map[string]string{"KITE_MAX_ORDER_VALUE": "250000"})
	c := parsed(t, f, newGTTCreateCmd, "NSE:INFY", "--sell", "--qty", "5", "--trigger", "1400,1700",
		"--price", "1395", "--price", "1700", "--product", "MIS", "--yes")
	if c.Symbol != "NSE:INFY" || !c.Sell || c.Buy || c.Qty != 5 || c.Product != "MIS" || c.Type != "LIMIT" ||
		!slices.Equal(c.Triggers, []float64{1400, 1700}) || !slices.Equal(c.Prices, []float64{1395, 1700}) {
		t.Fatalf("create options %+v", c.gttLegFlags)
	}
	if !c.Safety.Yes || c.Safety.DryRun || c.Safety.MaxValue != 250000 || c.Safety.capSource != "KITE_MAX_ORDER_VALUE" {
		t.Fatalf("create safety %+v", c.Safety)
	}
	depsSet(t, f, c.cmdDeps)
	c = parsed(t, testFactory(), newGTTCreateCmd, "--exchange", "nse", "--symbol", "infy", "--side", "buy", "-q", "1",
		"--trigger", "1400", "--price", "1401", "--dry-run", "--max-value", "0")
	if c.Exchange != "nse" || c.Symbol != "infy" || c.Side != "buy" || c.Qty != 1 || !c.Safety.DryRun || c.Safety.MaxValue != 0 {
		t.Fatalf("create options %+v", c.gttLegFlags)
	}
	for _, args := range [][]string{
		{"NSE:INFY", "--buy", "--sell", "--qty", "1", "--trigger", "1400", "--price", "1401"},
		{"NSE:INFY", "--buy", "--trigger", "1400", "--price", "1401"},                    // no quantity
		{"NSE:INFY", "--qty", "1", "--trigger", "1400", "--price", "1401"},               // no side
		{"NSE:INFY", "--buy", "--qty", "1", "--trigger", "1400,1700", "--price", "1401"}, // a price short
		{"NSE:INFY", "--buy", "--qty", "1", "--trigger", "1400", "--price", "1401", "--type", "MARKET"},
		{"INFY", "--buy", "--qty", "1", "--trigger", "1400", "--price", "1401"}, // which exchange?
		{"NSE:INFY", "--symbol", "NSE:TCS", "--buy", "--qty", "1", "--trigger", "1400", "--price", "1401"},
		{"NSE:INFY", "--buy", "--qty", "1", "--trigger", "1400", "--price", "1401", "--max-value", "-5"},
	} {
		refusedBeforeRun(t, newGTTCreateCmd, args...)
	}
	// A trigger that is not a price fails in the flag parser: the run
	// never starts either.
	called := false
	err := parseOnly(t, newGTTCreateCmd(testFactory(), func(*gttCreateOptions) error { called = true; return nil }),
		"NSE:INFY", "--buy", "--qty", "1", "--trigger", "14oo", "--price", "1401")
	if err == nil || called || !strings.Contains(err.Error(), `"14oo" is not a price`) {
		t.Fatalf("--trigger 14oo: %v, run called %v", err, called)
	}

	m := parsed(t, f, newGTTModifyCmd, "123456", "--trigger", "1390,1720", "--price", "1385,1720", "--qty", "2", "--dry-run")
	if m.ID != 123456 || m.Qty != 2 || !slices.Equal(m.Triggers, []float64{1390, 1720}) || !slices.Equal(m.Prices, []float64{1385, 1720}) ||
		!m.Safety.DryRun || m.Safety.MaxValue != 250000 {
		t.Fatalf("modify options %+v", m)
	}
	depsSet(t, f, m.cmdDeps)
	for _, args := range [][]string{
		{"12x"},
		{"123456", "--trigger", "1390"}, // a trigger without its price
		{"123456", "--price", "1385"},
		{"123456", "--qty", "-2"},
		{"123456", "--buy", "--side", "SELL"},
		{"123456", "--side", "HOLD"},
	} {
		refusedBeforeRun(t, newGTTModifyCmd, args...)
	}

	d := parsed(t, f, newGTTDeleteCmd, "123456", "--yes")
	if d.ID != 123456 || !d.Safety.Yes || d.Safety.DryRun {
		t.Fatalf("delete options %+v", d)
	}
	depsSet(t, f, d.cmdDeps)
	refusedBeforeRun(t, newGTTDeleteCmd, "0x1f")
	refusedBeforeRun(t, newGTTDeleteCmd)
}

func TestSeamAlertWriteFlags(t *testing.T) {
	f := testFactory()
	c := parsed(t, f, newAlertsCreateCmd, "NSE:INFY", "--operator", ">=", "--value", "1600", "--name", "infy 1600", "--yes")
	if c.Symbol != "NSE:INFY" || c.Operator != ">=" || c.Value != "1600" || c.Name != "infy 1600" || c.Attribute != "LastTradedPrice" ||
		!c.Safety.Yes || c.Safety.MaxValue != defaultMaxOrderValue {
		t.Fatalf("create options %+v", c.alertFlags)
	}
	if !c.set("value") || !c.set("operator") || c.set("compare-to") || c.hasOrder() {
		t.Fatal("create: the flags given are not the ones recorded as given")
	}
	depsSet(t, f, c.cmdDeps)
	c = parsed(t, f, newAlertsCreateCmd, "INDICES:NIFTY 50", "--operator", "<=", "--value", "24000",
		"--order-symbol", "NSE:RELIANCE", "--buy", "--qty", "1", "--type", "MARKET", "--market-protection", "2", "--dry-run")
	if c.OrderSymbol != "NSE:RELIANCE" || !c.Buy || c.Qty != 1 || c.Type != "MARKET" || c.MarketProtection != 2 || !c.hasOrder() || !c.Safety.DryRun {
		t.Fatalf("ATO create options %+v", c.alertFlags)
	}
	for _, args := range [][]string{
		{"NSE:INFY", "--operator", ">="}, // compare with what?
		{"NSE:INFY", "--operator", ">=", "--value", "1600", "--compare-to", "NSE:TCS"},
		{"NSE:INFY", "--operator", ">=", "--value", "sixteen hundred"},
		{"INFY", "--operator", ">=", "--value", "1600"},
		{"NSE:INFY", "--operator", ">=", "--compare-to", "TCS"},
	} {
		refusedBeforeRun(t, newAlertsCreateCmd, args...)
	}

	const uuid = "550e8400-e29b-41d4-a716-446655440000"
	m := parsed(t, f, newAlertsModifyCmd, uuid, "--value", "1650", "--symbol", "NSE:TCS", "--yes")
	if m.UUID != uuid || m.Value != "1650" || m.Symbol != "NSE:TCS" || !m.set("value") || m.set("operator") || !m.Safety.Yes {
		t.Fatalf("modify options %+v", m)
	}
	depsSet(t, f, m.cmdDeps)
	refusedBeforeRun(t, newAlertsModifyCmd, "../../orders", "--value", "1650")
	refusedBeforeRun(t, newAlertsModifyCmd, uuid, "--max-value", "-1")

	d := parsed(t, f, newAlertsDeleteCmd, uuid, "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "--dry-run")
	if strings.Join(d.UUIDs, " ") != uuid+" 6ba7b810-9dad-11d1-80b4-00c04fd430c8" || !d.Safety.DryRun {
		t.Fatalf("delete options %+v", d)
	}
	depsSet(t, f, d.cmdDeps)
	refusedBeforeRun(t, newAlertsDeleteCmd, uuid, "nope")
	refusedBeforeRun(t, newAlertsDeleteCmd)
}

func TestSeamPortfolioWriteFlags(t *testing.T) {
	f := testFactory()
	a := parsed(t, f, newHoldingsAuthoriseCmd, "INFY=5", "INE154A01025", "--type", "mf", "--transfer-type", "gift",
		"--exec-date", "2026-12-01", "--dry-run")
	if strings.Join(a.Holdings, " ") != "INFY=5 INE154A01025" || a.Type != "mf" || a.TransferType != "gift" ||
		a.ExecDate != "2026-12-01" || !a.Safety.DryRun || a.Browser == nil {
		t.Fatalf("authorise options %+v", a)
	}
	depsSet(t, f, a.cmdDeps)
	a = parsed(t, f, newHoldingsAuthoriseCmd, "--yes")
	if len(a.Holdings) != 0 || a.Type != "equity" || a.TransferType != "pre" || !a.Safety.Yes {
		t.Fatalf("authorise defaults %+v", a)
	}
	refusedBeforeRun(t, newHoldingsAuthoriseCmd, "--type", "bonds")
	refusedBeforeRun(t, newHoldingsAuthoriseCmd, "--transfer-type", "off")
	refusedBeforeRun(t, newHoldingsAuthoriseCmd, "--transfer-type", "later")

	c := parsed(t, f, newPositionsConvertCmd, "NSE:INFY", "--from", "mis", "--to", "cnc", "-q", "4", "--overnight", "--max-value", "10000", "--yes")
	if c.Symbol != "NSE:INFY" || c.From != "mis" || c.To != "cnc" || c.Qty != 4 || !c.Overnight || !c.Safety.Yes ||
		c.Safety.MaxValue != 10000 || c.Safety.capSource != "--max-value" {
		t.Fatalf("convert options %+v", c)
	}
	depsSet(t, f, c.cmdDeps)
	for _, args := range [][]string{
		{"INFY", "--from", "MIS", "--to", "CNC"},
		{"NSE:INFY", "--from", "MIS"},
		{"NSE:INFY", "--from", "MIS", "--to", "MIS"},
		{"NSE:INFY", "--from", "MIS", "--to", "BO"},
		{"NSE:INFY", "--from", "MIS", "--to", "CNC", "--qty", "-1"},
		{"--from", "MIS", "--to", "CNC"},
	} {
		refusedBeforeRun(t, newPositionsConvertCmd, args...)
	}
}

func TestSeamOrderReadFlags(t *testing.T) {
	f := testFactory()
	l := parsed(t, f, newOrdersCmd)
	depsSet(t, f, l.cmdDeps)
	refusedBeforeRun(t, newOrdersCmd, "lsit")

	s := parsed(t, f, newOrdersShowCmd, "151220000000000")
	if s.OrderID != "151220000000000" {
		t.Fatalf("show options %+v", s)
	}
	depsSet(t, f, s.cmdDeps)
	refusedBeforeRun(t, newOrdersShowCmd, "15122-0000")
	refusedBeforeRun(t, newOrdersShowCmd)

	tr := parsed(t, f, newOrdersTradesCmd, "151220000000000")
	if tr.OrderID != "151220000000000" {
		t.Fatalf("trades options %+v", tr)
	}
	depsSet(t, f, tr.cmdDeps)
	refusedBeforeRun(t, newOrdersTradesCmd, "../trades")

	r := parsed(t, f, newOrdersReconcileCmd, "rebal01")
	if r.Tag != "rebal01" {
		t.Fatalf("reconcile options %+v", r)
	}
	depsSet(t, f, r.cmdDeps)
	refusedBeforeRun(t, newOrdersReconcileCmd, "rebal-01")
	refusedBeforeRun(t, newOrdersReconcileCmd, "abcdefghijklmnopqrstu") // 21 characters
}

// writeDeps are sandboxDeps with a resolver over the sandbox's instrument
// lists (cached in a private directory), as the write commands check
// lot and tick sizes.
func writeDeps(t *testing.T, srv *sandboxtest.Server) (cmdDeps, *kite.Client, *bytes.Buffer) {
	t.Helper()
	deps, out, _ := sandboxDeps(t, srv, output.JSON)
	c, _ := deps.Client(context.Background())
	cache := &kite.InstrumentCache{Dir: filepath.Join(t.TempDir(), "instruments")}
	deps.Resolver = func(ctx context.Context, symbols []string) (*kite.Resolver, error) {
		var all []kite.Instrument
		for _, ex := range []string{"NSE", "BSE"} {
			insts, err := cache.Load(ctx, c, ex)
			if err != nil {
				return nil, err
			}
			all = append(all, insts...)
		}
		return kite.NewResolver(all), nil
	}
	return deps, c, out
}

// runGTTCreate, runGTTModify and runGTTDelete with --yes: the sandbox then
// lists the GTT as written, and then no longer.
func TestRunGTTWritesAgainstSandbox(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{Seed: 17, RateLimits: sandbox.NoRateLimits()})
	deps, c, out := writeDeps(t, srv)
	ctx := context.Background()

	// INFY trades near ₹1540 in the sandbox: a stop-loss at 1400 and a
	// target at 1700 are on either side of it.
	create := &gttCreateOptions{cmdDeps: deps, gttLegFlags: gttLegFlags{Symbol: "NSE:INFY", Sell: true, Qty: 5,
		Type: kite.OrderTypeLimit, Triggers: []float64{1400, 1700}, Prices: []float64{1395, 1700},
		Safety: writeSafety{Yes: true, MaxValue: 10000, capSource: "--max-value"}}}
	if err := runGTTCreate(ctx, create); err != nil {
		t.Fatal(err)
	}
	printed := decodeJSON[kite.GTT](t, out)
	list, err := c.GTTs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != printed.ID || printed.ID == 0 {
		t.Fatalf("the sandbox lists %+v; the command printed GTT %d", list, printed.ID)
	}
	g := list[0]
	leg := func(price float64) kite.GTTOrder {
		return kite.GTTOrder{Exchange: "NSE", Tradingsymbol: "INFY", Product: "CNC", OrderType: "LIMIT", TransactionType: "SELL", Quantity: 5, Price: price}
	}
	if g.Type != "two-leg" || g.Status != "active" || g.UserID != "SB0001" ||
		g.Condition.Exchange != "NSE" || g.Condition.Tradingsymbol != "INFY" || !slices.Equal(g.Condition.TriggerValues, []float64{1400, 1700}) ||
		len(g.Orders) != 2 || g.Orders[0] != leg(1395) || g.Orders[1] != leg(1700) {
		t.Fatalf("the sandbox's GTT: %+v", g)
	}
	// 5 × ₹1700 = ₹8500, under the cap of ₹10,000; 6 × ₹1700 = ₹10,200 is
	// over it, and nothing is created.
	over := *create
	over.Qty = 6
	if err := runGTTCreate(ctx, &over); exitcode.Code(err) != exitcode.Usage || !strings.Contains(err.Error(), "order value ₹10200.00 exceeds --max-value of ₹10000.00") {
		t.Fatalf("a GTT over the cap: %v", err)
	}
	if list, _ := c.GTTs(ctx); len(list) != 1 {
		t.Fatalf("a GTT over the cap was created: %+v", list)
	}

	out.Reset()
	modify := &gttModifyOptions{cmdDeps: deps, ID: g.ID, gttLegFlags: gttLegFlags{Qty: 2, Type: kite.OrderTypeLimit,
		Safety: writeSafety{Yes: true, MaxValue: defaultMaxOrderValue}}}
	if err := runGTTModify(ctx, modify); err != nil {
		t.Fatal(err)
	}
	g, err = c.GTT(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Only the quantity changed: the triggers, prices, side and product stay.
	if !slices.Equal(g.Condition.TriggerValues, []float64{1400, 1700}) || len(g.Orders) != 2 ||
		g.Orders[0].Quantity != 2 || g.Orders[0].Price != 1395 || g.Orders[1].Quantity != 2 || g.Orders[1].Price != 1700 ||
		g.Orders[0].TransactionType != "SELL" || g.Orders[0].Product != "CNC" {
		t.Fatalf("after modifying the quantity: %+v", g)
	}

	out.Reset()
	if err := runGTTDelete(ctx, &gttDeleteOptions{cmdDeps: deps, ID: g.ID, Safety: writeSafety{Yes: true}}); err != nil {
		t.Fatal(err)
	}
	if del := decodeJSON[map[string]any](t, out); del["trigger_id"] != float64(g.ID) || del["deleted"] != true {
		t.Fatalf("delete printed %v", del)
	}
	g, err = c.GTT(ctx, g.ID)
	if err == nil && g.Status != "deleted" {
		t.Fatalf("after deleting: %+v", g)
	}
}

// runAlertsCreate with --yes: the sandbox then lists the alert.
func TestRunAlertsCreateAgainstSandbox(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{Seed: 17, RateLimits: sandbox.NoRateLimits()})
	deps, c, out := writeDeps(t, srv)
	ctx := context.Background()
	given := map[string]bool{"operator": true, "value": true, "name": true}
	opts := &alertsCreateOptions{cmdDeps: deps, alertFlags: alertFlags{Symbol: "NSE:INFY", Name: "infy 1600",
		Attribute: "LastTradedPrice", Operator: ">=", Value: "1600", MarketProtection: kite.MarketProtectionAuto,
		Safety: writeSafety{Yes: true, MaxValue: defaultMaxOrderValue}, set: func(n string) bool { return given[n] }}}
	if err := runAlertsCreate(ctx, opts); err != nil {
		t.Fatal(err)
	}
	printed := decodeJSON[kite.Alert](t, out)
	list, err := c.Alerts(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].UUID != printed.UUID || checkAlertUUID(printed.UUID) != nil {
		t.Fatalf("the sandbox lists %+v; the command printed %q", list, printed.UUID)
	}
	a := list[0]
	if a.Type != "simple" || a.Status != "enabled" || a.Name != "infy 1600" || a.UserID != "SB0001" ||
		a.LHSExchange != "NSE" || a.LHSTradingsymbol != "INFY" || a.LHSAttribute != "LastTradedPrice" ||
		a.Operator != ">=" || a.RHSType != "constant" || a.RHSConstant != 1600 || a.Basket != nil {
		t.Fatalf("the sandbox's alert: %+v", a)
	}
	// An instrument the sandbox does not list is refused before anything
	// is sent.
	bad := *opts
	bad.Symbol = "NSE:NOSUCHCO"
	if err := runAlertsCreate(ctx, &bad); err == nil {
		t.Fatal("an alert on an unknown instrument was accepted")
	}
	if list, _ := c.Alerts(ctx, ""); len(list) != 1 {
		t.Fatalf("alerts after the refusal: %+v", list)
	}
}

// runPositionsConvert with --yes converts 4 of a 10-share MIS position to
// CNC: the sandbox then holds 6 MIS and 4 CNC.
func TestRunPositionsConvertAgainstSandbox(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{Seed: 5, RateLimits: sandbox.NoRateLimits()})
	deps, c, out := writeDeps(t, srv)
	ctx := context.Background()
	if _, err := c.PlaceOrder(ctx, kite.VarietyRegular, kite.OrderParams{Exchange: "NSE", Tradingsymbol: "INFY",
		TransactionType: kite.Buy, Quantity: 10, Product: "MIS", OrderType: "MARKET", Validity: "DAY",
		MarketProtection: kite.MarketProtectionAuto}); err != nil {
		t.Fatal(err)
	}
	// The position appears when the order fills.
	var held kite.Position
	deadline := time.Now().Add(30 * time.Second)
	for held.Quantity != 10 {
		if time.Now().After(deadline) {
			t.Fatalf("no 10-share MIS position in INFY after the buy: %+v", held)
		}
		pos, err := c.Positions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pos.Day {
			if p.Tradingsymbol == "INFY" && p.Product == "MIS" {
				held = p
			}
		}
		if held.Quantity != 10 {
			time.Sleep(50 * time.Millisecond)
		}
	}

	opts := &positionsConvertOptions{cmdDeps: deps, Symbol: "nse:infy", From: "mis", To: "cnc", Qty: 4,
		Safety: writeSafety{Yes: true, MaxValue: defaultMaxOrderValue}}
	if err := runPositionsConvert(ctx, opts); err != nil {
		t.Fatal(err)
	}
	var res struct {
		Exchange, Tradingsymbol string
		TransactionType         string `json:"transaction_type"`
		PositionType            string `json:"position_type"`
		Quantity                int
		OldProduct              string `json:"old_product"`
		NewProduct              string `json:"new_product"`
		Value                   float64
		Converted               bool
		FromAfter               *int `json:"from_quantity_after"`
		ToAfter                 *int `json:"to_quantity_after"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// The value is 4 shares at the position's average price (an equity's
	// multiplier is 1), to the paisa.
	if res.Exchange != "NSE" || res.Tradingsymbol != "INFY" || res.TransactionType != "BUY" || res.PositionType != "day" ||
		res.Quantity != 4 || res.OldProduct != "MIS" || res.NewProduct != "CNC" || !res.Converted ||
		math.Abs(res.Value-4*held.AveragePrice) > 0.005 || res.FromAfter == nil || *res.FromAfter != 6 || res.ToAfter == nil || *res.ToAfter != 4 {
		t.Fatalf("convert printed %s", out)
	}
	qty := map[string]int{}
	pos, err := c.Positions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pos.Net {
		if p.Tradingsymbol == "INFY" {
			qty[p.Product] = p.Quantity
		}
	}
	if qty["MIS"] != 6 || qty["CNC"] != 4 {
		t.Fatalf("the sandbox's positions after converting: %v", qty)
	}
	// More than is held is refused, and nothing changes.
	opts.Qty = 7
	if err := runPositionsConvert(ctx, opts); exitcode.Code(err) != exitcode.Usage || !strings.Contains(err.Error(), "is 6: --qty 7 is more") {
		t.Fatalf("converting 7 of 6: %v", err)
	}
}
