package main

// End-to-end tests of the order commands against the sandbox: the whole
// lifecycle, the safety gates (validation, dry run, confirmation, value
// cap), rejections, and reconciling an ambiguous place by its tag.

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/auth"
	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/pkg/sandbox"
)

// ordersBook is the sandbox's order book, fetched directly.
func ordersBook(t *testing.T, env map[string]string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, o := range acctDirect(t, env, "GET", "/orders", nil).([]any) {
		out = append(out, o.(map[string]any))
	}
	return out
}

// ordersLatest is an order's latest state, fetched directly.
func ordersLatest(t *testing.T, env map[string]string, id string) map[string]any {
	t.Helper()
	hist := acctDirect(t, env, "GET", "/orders/"+id, nil).([]any)
	if len(hist) == 0 {
		t.Fatalf("order %s has no history", id)
	}
	return hist[len(hist)-1].(map[string]any)
}

// ordersLTP is an instrument's last price, fetched directly.
func ordersLTP(t *testing.T, env map[string]string, symbol string) float64 {
	t.Helper()
	q := acctDirect(t, env, "GET", "/quote/ltp", url.Values{"i": {symbol}}).(map[string]any)
	n, err := q[symbol].(map[string]any)["last_price"].(json.Number).Float64()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// ordersInstrument is one row of the sandbox's instrument dump, by column.
func ordersInstrument(t *testing.T, env map[string]string, exchange string, match func(map[string]string) bool) map[string]string {
	t.Helper()
	raw := acctDirectRaw(t, env, "GET", "/instruments/"+exchange, nil)
	recs, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, h := range recs[0] {
			row[h] = rec[i]
		}
		if match(row) {
			return row
		}
	}
	t.Fatalf("no matching instrument on %s", exchange)
	return nil
}

// ordersRun runs kite and checks the exit code; stdout JSON is decoded when
// the run succeeded.
func ordersRun(t *testing.T, env map[string]string, code int, args ...string) (result, map[string]any) {
	t.Helper()
	r := runKite(t, kiteRun{Env: env}, args...)
	if r.Code != code {
		t.Fatalf("kite %s: want exit %d, got %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, r.Code, r.Stdout, r.Stderr)
	}
	var out map[string]any
	if code == 0 && strings.HasPrefix(strings.TrimSpace(r.Stdout), "{") {
		out = acctDecode(t, []byte(r.Stdout)).(map[string]any)
	}
	return r, out
}

// ordersAway is a price frac of the way from the last price to the lower
// circuit limit (frac < 0) or the upper one (frac > 0): inside the day's
// band, so Kite accepts it, and away from the market, so it does not fill.
func ordersAway(t *testing.T, env map[string]string, symbol string, frac float64) string {
	t.Helper()
	q := acctDirect(t, env, "GET", "/quote", url.Values{"i": {symbol}}).(map[string]any)[symbol].(map[string]any)
	f := func(k string) float64 {
		v, err := q[k].(json.Number).Float64()
		if err != nil {
			t.Fatalf("quote %s: %s: %v", symbol, k, err)
		}
		return v
	}
	ltp, limit := f("last_price"), f("upper_circuit_limit")
	if frac < 0 {
		limit = f("lower_circuit_limit")
	}
	return ordersPrice(ltp + math.Abs(frac)*(limit-ltp))
}

// ordersPrice rounds to the 0.05 tick of NSE equities.
func ordersPrice(v float64) string {
	return strconv.FormatFloat(math.Round(v*20)/20, 'f', 2, 64)
}

func TestE2EOrdersLifecycle(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 11, RateLimits: sandbox.NoRateLimits()})
	r, _ := ordersRun(t, env, 0, "orders")
	if strings.TrimSpace(r.Stdout) != "[]" {
		t.Fatalf("a fresh account has no orders, got %s", r.Stdout)
	}

	// A LIMIT buy far below the market stays OPEN.
	low := ordersAway(t, env, "NSE:INFY", -0.6)
	_, placed := ordersRun(t, env, 0, "orders", "place", "NSE:INFY", "--buy", "--qty", "2", "--price", low, "--yes")
	id, _ := placed["order_id"].(string)
	tag, _ := placed["tag"].(string)
	if id == "" || placed["status"] != "OPEN" || len(tag) == 0 || len(tag) > 20 {
		t.Fatalf("place LIMIT: want an OPEN order with a tag, got %v", placed)
	}
	o := ordersLatest(t, env, id)
	if o["status"] != "OPEN" || o["tag"] != tag || o["product"] != "CNC" || o["order_type"] != "LIMIT" ||
		o["price"].(json.Number).String() != strings.TrimRight(strings.TrimRight(low, "0"), ".") {
		t.Fatalf("the sandbox's view of the order: %v", o)
	}

	// orders / orders show agree with the sandbox, in every format.
	acctSame(t, "orders", acctJSON(t, env, "orders"), acctDirect(t, env, "GET", "/orders", nil))
	acctSame(t, "orders show", acctJSON(t, env, "orders", "show", id), acctDirect(t, env, "GET", "/orders/"+id, nil))
	r, _ = ordersRun(t, env, 0, "orders", "-o", "csv")
	header, rows := acctCSV(t, r.Stdout)
	if len(rows) != 1 || rows[0][acctCol(t, header, "order_id")] != id || rows[0][acctCol(t, header, "tag")] != tag {
		t.Fatalf("orders csv: %s", r.Stdout)
	}
	r, _ = ordersRun(t, env, 0, "orders", "-o", "ndjson", "--jq", ".status")
	if strings.TrimSpace(r.Stdout) != "OPEN" {
		t.Fatalf("orders ndjson --jq .status: %q", r.Stdout)
	}
	r, _ = ordersRun(t, env, 0, "orders", "show", id, "-o", "table")
	if !strings.Contains(r.Stdout, "ORDER ID") || !strings.Contains(r.Stdout, "OPEN") {
		t.Fatalf("orders show table: %s", r.Stdout)
	}

	// Modify the price and quantity: the sandbox has the new values.
	lower := ordersAway(t, env, "NSE:INFY", -0.8)
	_, mod := ordersRun(t, env, 0, "orders", "modify", id, "--price", lower, "--qty", "3", "--yes")
	if mod["order_id"] != id || mod["status"] != "OPEN" {
		t.Fatalf("modify: %v", mod)
	}
	o = ordersLatest(t, env, id)
	if p, _ := o["price"].(json.Number).Float64(); ordersPrice(p) != lower || o["quantity"].(json.Number).String() != "3" {
		t.Fatalf("after modify the sandbox has %v", o)
	}

	// Cancel it.
	_, can := ordersRun(t, env, 0, "orders", "cancel", id, "--yes")
	if can["status"] != "CANCELLED" || ordersLatest(t, env, id)["status"] != "CANCELLED" {
		t.Fatalf("cancel: %v", can)
	}
	r, _ = ordersRun(t, env, 1, "orders", "cancel", id, "--yes")
	if !strings.Contains(r.Stderr, "already CANCELLED: only open orders can be cancelled") {
		t.Fatalf("cancelling twice: %s", r.Stderr)
	}
	r, _ = ordersRun(t, env, 1, "orders", "modify", id, "--price", low, "--yes")
	if !strings.Contains(r.Stderr, "already CANCELLED: only open orders can be modified") {
		t.Fatalf("modifying a cancelled order: %s", r.Stderr)
	}

	// A MARKET buy completes and shows in trades, positions and holdings
	// (on top of what the account held).
	held := 0
	for _, h := range acctDirect(t, env, "GET", "/portfolio/holdings", nil).([]any) {
		if h := h.(map[string]any); h["tradingsymbol"] == "INFY" && h["exchange"] == "NSE" {
			q, _ := h["quantity"].(json.Number).Int64()
			t1, _ := h["t1_quantity"].(json.Number).Int64()
			held = int(q + t1)
		}
	}
	_, mkt := ordersRun(t, env, 0, "orders", "place", "NSE:INFY", "--buy", "--qty", "4", "--type", "MARKET", "--yes")
	mid, _ := mkt["order_id"].(string)
	if mkt["status"] != "COMPLETE" || mkt["filled_quantity"].(json.Number).String() != "4" ||
		mkt["average_price"] != ordersLatest(t, env, mid)["average_price"] {
		t.Fatalf("MARKET order: %v", mkt)
	}
	fills := acctJSON(t, env, "orders", "trades", mid).([]any)
	acctSame(t, "orders trades", fills, acctDirect(t, env, "GET", "/orders/"+mid+"/trades", nil))
	if len(fills) != 1 || fills[0].(map[string]any)["quantity"].(json.Number).String() != "4" {
		t.Fatalf("orders trades: %v", fills)
	}
	found := false
	for _, tr := range acctJSON(t, env, "trades").([]any) {
		found = found || tr.(map[string]any)["order_id"] == mid
	}
	if !found {
		t.Fatal("the MARKET order's fill is not in kite trades")
	}
	r, _ = ordersRun(t, env, 0, "positions", "--day", "--jq", `.[] | select(.tradingsymbol == "INFY") | .quantity`)
	if strings.TrimSpace(r.Stdout) != "4" {
		t.Fatalf("day position of INFY: %q", r.Stdout)
	}
	r, _ = ordersRun(t, env, 0, "holdings", "--jq", `.[] | select(.tradingsymbol == "INFY" and .exchange == "NSE") | .t1_quantity + .quantity`)
	if strings.TrimSpace(r.Stdout) != strconv.Itoa(held+4) {
		t.Fatalf("CNC buy in holdings: %q", r.Stdout)
	}
	r, _ = ordersRun(t, env, 0, "orders", "trades", mid, "-o", "table")
	if !strings.Contains(r.Stdout, "TRADE ID") {
		t.Fatalf("orders trades table: %s", r.Stdout)
	}
}

func TestE2EOrdersDryRunAndRefusals(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 12, RateLimits: sandbox.NoRateLimits()})
	ltp := ordersLTP(t, env, "NSE:SBIN")
	inst := ordersInstrument(t, env, "NSE", func(r map[string]string) bool { return r["tradingsymbol"] == "SBIN" })

	// --dry-run resolves and values the order and sends nothing.
	_, dry := ordersRun(t, env, 0, "orders", "place", "NSE:SBIN", "--sell", "--qty", "10", "--type", "MARKET", "--product", "MIS", "--dry-run")
	if dry["dry_run"] != true || dry["instrument_token"].(json.Number).String() != inst["instrument_token"] ||
		dry["lot_size"].(json.Number).String() != inst["lot_size"] || dry["transaction_type"] != "SELL" {
		t.Fatalf("dry run: %v (instrument %v)", dry, inst)
	}
	value, _ := dry["value"].(json.Number).Float64()
	if math.Abs(value-10*ltp) > 10*ltp*0.05 {
		t.Fatalf("dry-run value of 10 at market: want about %v, got %v", 10*ltp, value)
	}
	_, dry = ordersRun(t, env, 0, "orders", "place", "NSE:SBIN", "--buy", "--qty", "7", "--price", "100.05", "--dry-run")
	if dry["value"].(json.Number).String() != "700.35" || dry["order_type"] != "LIMIT" || dry["product"] != "CNC" {
		t.Fatalf("dry-run LIMIT: value 7 × 100.05 = 700.35, got %v", dry)
	}
	if n := len(ordersBook(t, env)); n != 0 {
		t.Fatalf("dry runs placed %d orders", n)
	}

	// Without a terminal and without --yes, refused before anything is sent.
	r, _ := ordersRun(t, env, 2, "orders", "place", "NSE:SBIN", "--buy", "--qty", "1", "--price", "100")
	if !strings.Contains(r.Stderr, "--yes") || r.Stdout != "" {
		t.Fatalf("no-TTY refusal should name --yes: %+v", r)
	}

	// A live order to try modify and cancel refusals on.
	_, live := ordersRun(t, env, 0, "orders", "place", "NSE:SBIN", "--buy", "--qty", "1", "--price", ordersAway(t, env, "NSE:SBIN", -0.6), "--yes", "--tag", "refusals01")
	id := live["order_id"].(string)
	ordersRun(t, env, 2, "orders", "cancel", id)
	ordersRun(t, env, 2, "orders", "modify", id, "--price", "100")
	_, dm := ordersRun(t, env, 0, "orders", "modify", id, "--qty", "2", "--dry-run")
	if dm["dry_run"] != true || dm["quantity"].(json.Number).String() != "2" {
		t.Fatalf("modify dry run: %v", dm)
	}
	ordersRun(t, env, 0, "orders", "cancel", id, "--dry-run")
	if o := ordersLatest(t, env, id); o["status"] != "OPEN" || o["quantity"].(json.Number).String() != "1" {
		t.Fatalf("refused and dry-run writes changed the order: %v", o)
	}
	if n := len(ordersBook(t, env)); n != 1 {
		t.Fatalf("want exactly the one live order, got %d", n)
	}

	// The value cap: flag, environment, and 0 for none.
	r, _ = ordersRun(t, env, 2, "orders", "place", "NSE:SBIN", "--buy", "--qty", "100", "--price", "100", "--max-value", "5000", "--yes")
	if !strings.Contains(r.Stderr, "exceeds --max-value") {
		t.Fatalf("--max-value: %s", r.Stderr)
	}
	r = runKite(t, kiteRun{Env: with2(env, "KITE_MAX_ORDER_VALUE", "999")}, "orders", "place", "NSE:SBIN", "--buy", "--qty", "10", "--price", "100", "--yes")
	if r.Code != 2 || !strings.Contains(r.Stderr, "KITE_MAX_ORDER_VALUE") {
		t.Fatalf("KITE_MAX_ORDER_VALUE: %+v", r)
	}
	r = runKite(t, kiteRun{Env: with2(env, "KITE_MAX_ORDER_VALUE", "lots")}, "orders", "place", "NSE:SBIN", "--buy", "--qty", "10", "--price", "100", "--yes")
	if r.Code != 2 {
		t.Fatalf("malformed KITE_MAX_ORDER_VALUE: %+v", r)
	}
	r, _ = ordersRun(t, env, 2, "orders", "place", "NSE:SBIN", "--buy", "--qty", "10000", "--price", "100", "--yes")
	if !strings.Contains(r.Stderr, "default cap") {
		t.Fatalf("default cap: %s", r.Stderr)
	}
	if n := len(ordersBook(t, env)); n != 1 {
		t.Fatalf("capped orders were sent: %d in the book", n)
	}

	// Lot size and unknown symbols are checked against the instrument dump.
	fut := ordersInstrument(t, env, "NFO", func(r map[string]string) bool {
		lot, _ := strconv.Atoi(r["lot_size"])
		return r["instrument_type"] == "FUT" && lot > 1
	})
	r, _ = ordersRun(t, env, 2, "orders", "place", "NFO:"+fut["tradingsymbol"], "--buy", "--qty", "1", "--type", "MARKET", "--yes")
	if !strings.Contains(r.Stderr, "lot size "+fut["lot_size"]) {
		t.Fatalf("lot size: %s", r.Stderr)
	}
	_, dry = ordersRun(t, env, 0, "orders", "place", "NFO:"+fut["tradingsymbol"], "--buy", "--qty", fut["lot_size"], "--type", "MARKET", "--dry-run", "--max-value", "0")
	if dry["lot_size"].(json.Number).String() != fut["lot_size"] || dry["product"] != "NRML" {
		t.Fatalf("future dry run: %v", dry)
	}
	r, _ = ordersRun(t, env, 2, "orders", "place", "NSE:NOSUCHSTOCK", "--buy", "--qty", "1", "--price", "10", "--yes")
	if !strings.Contains(r.Stderr, "NOSUCHSTOCK") {
		t.Fatalf("unknown symbol: %s", r.Stderr)
	}
}

// with2 copies env with one more variable.
func with2(env map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for ek, ev := range env {
		if ek != k {
			out[ek] = ev
		}
	}
	return out
}

func TestE2EOrdersBadInputBeforeAnyRequest(t *testing.T) {
	// Nothing listens at this address: a usage error must come before any
	// attempt to reach it (which would exit 6 instead).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	env := map[string]string{"KITE_BASE_URL": dead, "KITE_API_KEY": "k", "KITE_ACCESS_TOKEN": "t", "KITE_RETRY_ATTEMPTS": "1"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"place", "NSE:INFY", "--buy", "--qty", "0", "--price", "10"}, "quantity must be positive"},
		{[]string{"place", "NSE:INFY", "--buy", "--qty", "-3", "--price", "10"}, "quantity must be positive"},
		{[]string{"place", "NSE:INFY", "--buy", "--qty", "1", "--type", "LIMIT"}, "a LIMIT order needs a price"},
		{[]string{"place", "NSE:INFY", "--buy", "--qty", "1", "--type", "SL", "--price", "10"}, "an SL order needs a trigger price"},
		{[]string{"place", "NSE:INFY", "--buy", "--qty", "1", "--type", "SL-M", "--price", "10", "--trigger", "9"}, "drop the price"},
		{[]string{"place", "NSE:INFY", "--buy", "--qty", "1"}, "--type MARKET"},
		{[]string{"place", "NSE:INFY", "--buy", "--qty", "1", "--price", "-5"}, "--price -5 is not a price"},
		{[]string{"place", "NSE:INFY", "--buy", "--qty", "1", "--price", "NaN"}, "--price NaN is not a price"},
		{[]string{"place", "NSE:INFY", "--buy", "--qty", "1", "--price", "10", "--trigger", "-Inf"}, "--trigger -Inf is not a price"},
		{[]string{"place", "NSE:INFY", "--qty", "1", "--price", "10"}, "--buy or --sell"},
		{[]string{"place", "NSE:INFY", "--buy", "--sell", "--qty", "1", "--price", "10"}, "exclusive"},
		{[]string{"place", "NSE:INFY", "--side", "HOLD", "--qty", "1", "--price", "10"}, `"HOLD"`},
		{[]string{"place", "NSE:INFY", "--buy", "--qty", "1", "--price", "10", "--type", "STOP"}, `"STOP"`},
		{[]string{"place", "NSE:INFY", "--buy", "--qty", "1", "--price", "10", "--product", "XX"}, `"XX"`},
		{[]string{"place", "NSE:INFY", "--buy", "--qty", "1", "--price", "10", "--variety", "bo"}, `"bo"`},
		{[]string{"place", "NSE:INFY", "--buy", "--qty", "1", "--price", "10", "--validity", "TTL"}, "validity_ttl"},
		{[]string{"place", "NSE:INFY", "--buy", "--qty", "1", "--price", "10", "--tag", "has space"}, "letters and digits"},
		{[]string{"place", "INFY", "--buy", "--qty", "1", "--price", "10"}, "NSE:INFY"},
		{[]string{"place", "--buy", "--qty", "1", "--price", "10"}, "which instrument"},
		{[]string{"place", "NSE:INFY", "--buy", "--qty", "x"}, `invalid --qty "x": want a whole number`},
		{[]string{"modify", "123"}, "nothing to modify"},
		{[]string{"modify", "123", "--qty", "-1", "--yes"}, "quantity must be positive"},
		{[]string{"modify", "123", "--price", "nan", "--yes"}, "prices must be positive numbers, got NaN"},
		{[]string{"modify", "abc", "--price", "10"}, "not an order ID"},
		{[]string{"cancel", "12x"}, "not an order ID"},
		{[]string{"show", "../x"}, "not an order ID"},
		{[]string{"trades"}, "order ID"},
		{[]string{"reconcile", "bad tag!"}, "letters and digits"},
		{[]string{"shwo", "123"}, `unknown subcommand "shwo"`},
	} {
		r := runKite(t, kiteRun{Env: env}, append([]string{"orders"}, c.args...)...)
		if r.Code != 2 || !strings.Contains(r.Stderr, c.want) || r.Stdout != "" {
			t.Errorf("kite orders %s: want exit 2 with %q, got %d\n%s", strings.Join(c.args, " "), c.want, r.Code, r.Stderr)
		}
	}
}

func TestE2EOrdersRejectionsAndReconcile(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 13, RateLimits: sandbox.NoRateLimits()})

	// More than the account's cash: Kite (and the sandbox) accept the
	// request, then reject the order for margin. kite exits 5.
	r, _ := ordersRun(t, env, 5, "orders", "place", "NSE:RELIANCE", "--buy", "--qty", "2000", "--type", "MARKET", "--max-value", "0", "--yes", "--tag", "toobig")
	var rej map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &rej); err != nil || rej["status"] != "REJECTED" || rej["status_message"] == "" {
		t.Fatalf("margin rejection should still print the order: %v %s", err, r.Stdout)
	}
	if !strings.Contains(r.Stderr, "rejected") {
		t.Fatalf("rejection message: %s", r.Stderr)
	}

	// reconcile finds a placed tag, and says so when one is missing.
	_, placed := ordersRun(t, env, 0, "orders", "place", "NSE:SBIN", "--buy", "--qty", "1", "--type", "MARKET", "--product", "MIS", "--tag", "nightly42", "--yes")
	if placed["tag"] != "nightly42" {
		t.Fatalf("--tag: %v", placed)
	}
	r, _ = ordersRun(t, env, 0, "orders", "reconcile", "nightly42")
	found := acctDecode(t, []byte(r.Stdout)).([]any)
	if len(found) != 1 || found[0].(map[string]any)["order_id"] != placed["order_id"] {
		t.Fatalf("reconcile nightly42: %s", r.Stdout)
	}
	r, _ = ordersRun(t, env, 0, "orders", "reconcile", "toobig", "--jq", ".[0].status")
	if strings.TrimSpace(r.Stdout) != "REJECTED" {
		t.Fatalf("reconcile of the rejected order: %q", r.Stdout)
	}
	r, _ = ordersRun(t, env, 1, "orders", "reconcile", "neverplaced")
	if !strings.Contains(r.Stderr, "no order tagged") || r.Stdout != "" {
		t.Fatalf("reconcile of a missing tag: %+v", r)
	}

	// An input error from Kite (an SL buy triggering below the market) is
	// exit 1, a general API error (2 is for input caught before any
	// request), and nothing is placed.
	before := len(ordersBook(t, env))
	away := ordersAway(t, env, "NSE:SBIN", -0.5)
	ordersRun(t, env, 1, "orders", "place", "NSE:SBIN", "--buy", "--qty", "1", "--price", away, "--trigger", away, "--yes")
	if after := len(ordersBook(t, env)); after != before {
		t.Fatalf("a refused order reached the book: %d → %d", before, after)
	}
}

// ordersLossyProxy forwards to the sandbox but loses the response of every
// order placement: with forward set the order reaches the sandbox and the
// client sees a dropped connection; without it the request never arrives
// and the client gets a 502. Other requests pass through untouched.
func ordersLossyProxy(t *testing.T, target string, forward bool) (string, *atomic.Int32) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	var places atomic.Int32
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/orders/") {
			rp.ServeHTTP(w, r)
			return
		}
		places.Add(1)
		if !forward {
			_, _ = io.Copy(io.Discard, r.Body)
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return
		}
		rec := &discardWriter{header: http.Header{}}
		rp.ServeHTTP(rec, r)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	return "http://" + ln.Addr().String(), &places
}

// discardWriter swallows a proxied response.
type discardWriter struct{ header http.Header }

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

func TestE2EOrdersAmbiguousPlaceIsReconciledNotResent(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 14, RateLimits: sandbox.NoRateLimits()})
	env = with2(env, "KITE_RECONCILE_WINDOW", "1s") // the lost responses below are never in the book
	away := ordersAway(t, env, "NSE:INFY", -0.6)

	// The order lands but its response is lost: kite finds it by its tag.
	proxy, places := ordersLossyProxy(t, env["KITE_BASE_URL"], true)
	r := runKite(t, kiteRun{Env: with2(env, "KITE_BASE_URL", proxy)}, "orders", "place", "NSE:INFY", "--buy", "--qty", "1",
		"--price", away, "--tag", "lost01", "--yes")
	if r.Code != 0 || places.Load() != 1 {
		t.Fatalf("lost response: want exit 0 after one send, got %d sends, %+v", places.Load(), r)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &res); err != nil || res["reconciled"] != true || res["status"] != "OPEN" {
		t.Fatalf("lost response: %v %s", err, r.Stdout)
	}
	book := ordersBook(t, env)
	if len(book) != 1 || book[0]["order_id"] != res["order_id"] || book[0]["tag"] != "lost01" {
		t.Fatalf("the order must be in the book exactly once: %v", book)
	}
	if !strings.Contains(r.Stderr, "lost01") {
		t.Fatalf("stderr should say it is reconciling the tag: %s", r.Stderr)
	}

	// The request never arrives, but the client gets a 502, which a
	// gateway also answers after forwarding: kite cannot know, so it says
	// the outcome is unknown (exit 8), names the command that settles it,
	// never claims "not placed", and does not send the order again.
	proxy, places = ordersLossyProxy(t, env["KITE_BASE_URL"], false)
	r = runKite(t, kiteRun{Env: with2(env, "KITE_BASE_URL", proxy)}, "orders", "place", "NSE:INFY", "--buy", "--qty", "1",
		"--price", away, "--tag", "lost02", "--yes")
	if r.Code != 8 || places.Load() != 1 || strings.Contains(r.Stderr, "not placed") || r.Stdout != "" ||
		!strings.Contains(r.Stderr, "outcome of the order is unknown") || !strings.Contains(r.Stderr, "kite orders reconcile lost02") {
		t.Fatalf("502: want exit 8 (unknown) after one send, got %d sends, %+v", places.Load(), r)
	}
	if n := len(ordersBook(t, env)); n != 1 {
		t.Fatalf("the book should still hold one order, has %d", n)
	}

	// A reused tag: the earlier order carrying it is not mistaken for the
	// lost one, whether the new one landed or not.
	r = runKite(t, kiteRun{Env: with2(env, "KITE_BASE_URL", proxy)}, "orders", "place", "NSE:INFY", "--buy", "--qty", "1",
		"--price", away, "--tag", "lost01", "--yes")
	if r.Code != 8 || strings.Contains(r.Stderr, "not placed") {
		t.Fatalf("reused tag, never arrived: the earlier order must not count: %+v", r)
	}
	proxy, _ = ordersLossyProxy(t, env["KITE_BASE_URL"], true)
	r = runKite(t, kiteRun{Env: with2(env, "KITE_BASE_URL", proxy)}, "orders", "place", "NSE:INFY", "--buy", "--qty", "2",
		"--price", away, "--tag", "lost01", "--yes")
	if r.Code != 0 {
		t.Fatalf("reused tag, landed: %+v", r)
	}
	if err := json.Unmarshal([]byte(r.Stdout), &res); err != nil || res["reconciled"] != true {
		t.Fatalf("reused tag, landed: %v %s", err, r.Stdout)
	}
	if o := ordersLatest(t, env, res["order_id"].(string)); o["quantity"].(json.Number).String() != "2" {
		t.Fatalf("reconciled to the wrong order: %v", o)
	}
}

// TestOrdersConfirmOnTerminal runs kite in-process with terminal streams,
// the only way to exercise the prompt without a pseudo-terminal.
func TestOrdersConfirmOnTerminal(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 15, RateLimits: sandbox.NoRateLimits()})
	price := ordersAway(t, env, "NSE:INFY", -0.6)
	runTTY := func(answer string) (int, string, string) {
		ios, in, out, errOut := iostreams.Test()
		ios.StdinTTY, ios.StdoutTTY = true, true
		in.WriteString(answer)
		code := run(context.Background(), ios, []string{"orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--price", price, "-o", "json"},
			func(k string) string { return env[k] })
		return code, out.String(), errOut.String()
	}
	code, out, errOut := runTTY("n\n")
	if code != 1 || out != "" || !strings.Contains(errOut, "Place this order? [y/N]") || !strings.Contains(errOut, "BUY 1 NSE:INFY") {
		t.Fatalf("declined: code %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	code, _, _ = runTTY("")
	if code != 1 {
		t.Fatalf("no answer (EOF) must decline, got exit %d", code)
	}
	if n := len(ordersBook(t, env)); n != 0 {
		t.Fatalf("declined orders were sent: %d", n)
	}
	code, out, errOut = runTTY("y\n")
	if code != 0 || !strings.Contains(out, `"status": "OPEN"`) {
		t.Fatalf("confirmed: code %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	if n := len(ordersBook(t, env)); n != 1 {
		t.Fatalf("want one order after confirming, got %d", n)
	}
}

// TestE2EOrdersParameters checks that every flag reaches Kite as the
// parameter it names.
func TestE2EOrdersParameters(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 16, RateLimits: sandbox.NoRateLimits()})
	low := ordersAway(t, env, "NSE:RELIANCE", -0.6)
	place := func(args ...string) map[string]any {
		t.Helper()
		_, out := ordersRun(t, env, 0, append([]string{"orders", "place", "--yes", "--max-value", "0"}, args...)...)
		return ordersLatest(t, env, out["order_id"].(string))
	}
	num := func(v any) string { return v.(json.Number).String() }

	o := place("--exchange", "NSE", "--symbol", "RELIANCE", "--side", "buy", "--qty", "10", "--price", low,
		"--ttl", "5", "--disclosed", "4", "--product", "MIS", "--tag", "params01")
	if o["validity"] != "TTL" || num(o["validity_ttl"]) != "5" || num(o["disclosed_quantity"]) != "4" ||
		o["product"] != "MIS" || o["tag"] != "params01" || o["transaction_type"] != "BUY" {
		t.Fatalf("TTL/disclosed/product/tag: %v", o)
	}
	o = place("NSE:RELIANCE", "--buy", "--qty", "100", "--price", low, "--variety", "iceberg", "--iceberg-legs", "4", "--iceberg-qty", "25")
	ice, _ := o["meta"].(map[string]any)["iceberg"].(map[string]any)
	if o["variety"] != "iceberg" || ice == nil || num(ice["legs"]) != "4" || num(ice["leg_quantity"]) != "25" {
		t.Fatalf("iceberg: %v", o)
	}
	high := ordersAway(t, env, "NSE:RELIANCE", 0.6)
	o = place("NSE:RELIANCE", "--buy", "--qty", "1", "--price", high, "--trigger", high, "--validity", "day")
	if o["order_type"] != "SL" || o["status"] != "TRIGGER PENDING" || o["validity"] != "DAY" {
		t.Fatalf("SL from --price and --trigger: %v", o)
	}
	o = place("NSE:RELIANCE", "--sell", "--qty", "1", "--trigger", low, "--variety", "amo", "--product", "MIS")
	if o["order_type"] != "SL-M" || o["variety"] != "amo" || o["transaction_type"] != "SELL" {
		t.Fatalf("SL-M from --trigger, amo: %v", o)
	}
}

// TestE2EOrdersWebSession places, lists and cancels through a Kite web
// (enctoken) session, whose REST API lives under /oms.
func TestE2EOrdersWebSession(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{Seed: 17, RateLimits: sandbox.NoRateLimits()})
	ac := &auth.Client{Root: srv.URL()}
	sess, err := ac.WebLogin(context.Background(), sandbox.UserID, sandbox.Password, auth.TOTPFromSecret(sandbox.TOTPSecret, time.Now))
	if err != nil {
		t.Fatal(err)
	}
	web := map[string]string{"KITE_BASE_URL": env["KITE_BASE_URL"], "KITE_ENCTOKEN": sess.Token, "KITE_USER_ID": sandbox.UserID}
	price := ordersAway(t, env, "NSE:SBIN", -0.6)
	r, placed := ordersRun(t, web, 0, "orders", "place", "NSE:SBIN", "--buy", "--qty", "1", "--price", price, "--yes", "--debug")
	if !strings.Contains(r.Stderr, "/oms/orders/regular") || strings.Contains(r.Stderr, sess.Token) {
		t.Fatalf("web place should go to /oms with the enctoken redacted:\n%s", r.Stderr)
	}
	id := placed["order_id"].(string)
	acctSame(t, "web orders", acctJSON(t, web, "orders"), acctDirect(t, env, "GET", "/orders", nil))
	ordersRun(t, web, 0, "orders", "cancel", id, "--yes")
	if o := ordersLatest(t, env, id); o["status"] != "CANCELLED" {
		t.Fatalf("web cancel: %v", o)
	}
	r, _ = ordersRun(t, web, 0, "margins", "equity", "--jq", ".enabled")
	if strings.TrimSpace(r.Stdout) != "true" {
		t.Fatalf("web margins: %q", r.Stdout)
	}
}

// TestE2EOrdersUnderServerErrors places orders while the sandbox answers
// 30% of requests with 5xx: reads retry through it, a failed place is
// never resent, and what kite reports matches the order book exactly (each
// tag placed at most once, every reported order there, every "not placed"
// order absent).
func TestE2EOrdersUnderServerErrors(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{Seed: 18, RateLimits: sandbox.NoRateLimits()})
	away := ordersAway(t, env, "NSE:SBIN", -0.6)
	srv.SetFaults(sandbox.Faults{ErrorRate: 0.3})
	env = with2(with2(with2(env, "KITE_RETRY_BASE", "5ms"), "KITE_RETRY_MAX", "20ms"), "KITE_RETRY_ATTEMPTS", "10")
	env = with2(env, "KITE_RECONCILE_WINDOW", "500ms")
	placed, unknown, reconciled := map[string]string{}, map[string]bool{}, 0
	for i := range 12 {
		tag := "fault" + strconv.Itoa(i)
		r := runKite(t, kiteRun{Env: env}, "orders", "place", "NSE:SBIN", "--buy", "--qty", "1", "--price", away, "--tag", tag, "--yes")
		if strings.Contains(r.Stderr, "looking for tag "+tag) {
			reconciled++
		}
		switch {
		case r.Code == 0:
			var res map[string]any
			if err := json.Unmarshal([]byte(r.Stdout), &res); err != nil {
				t.Fatalf("%s: %v\n%s", tag, err, r.Stdout)
			}
			placed[tag] = res["order_id"].(string)
		case r.Code == 8 && strings.Contains(r.Stderr, "kite orders reconcile "+tag):
			// A 5xx answer proves nothing either way.
			unknown[tag] = true
		default:
			t.Fatalf("%s: exit %d, neither placed nor outcome unknown:\n%s", tag, r.Code, r.Stderr)
		}
		if strings.Contains(r.Stderr, "not placed") {
			t.Fatalf("%s: a 5xx never proves an order was not placed:\n%s", tag, r.Stderr)
		}
	}
	if reconciled == 0 {
		t.Fatal("no place failed: the fault did not hit a placement (change the seed)")
	}
	srv.SetFaults(sandbox.Faults{})
	seen := map[string]int{}
	for _, o := range ordersBook(t, env) {
		tag, _ := o["tag"].(string)
		seen[tag]++
		if id, ok := placed[tag]; ok && id != o["order_id"] {
			t.Errorf("%s: kite said %s, the book has %s", tag, id, o["order_id"])
		}
	}
	for tag, n := range seen {
		if n > 1 {
			t.Errorf("%s placed %d times", tag, n)
		}
	}
	for tag := range placed {
		if seen[tag] != 1 {
			t.Errorf("%s reported placed but not in the book", tag)
		}
	}
	t.Logf("%d placed, %d outcome unknown, %d reconciled after a failed place", len(placed), len(unknown), reconciled)
}
