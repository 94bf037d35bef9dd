package main

// End-to-end tests of Kite's 2026 order rules and of honest
// reconciliation (issue 9): market protection, algo_id, autoslice, the
// static-IP refusal, a lagging order book, and the exit codes of missing
// orders, refused connections and unanswered writes.

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/pkg/sandbox"
)

func TestE2EOrdersMarketProtection(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 31, RateLimits: sandbox.NoRateLimits()})
	num := func(v any) string { return v.(json.Number).String() }

	// A MARKET order is placed with Kite's automatic protection (-1).
	_, out := ordersRun(t, env, 0, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--type", "MARKET", "--yes")
	if o := ordersLatest(t, env, out["order_id"].(string)); num(o["market_protection"]) != "-1" || o["status"] != "COMPLETE" {
		t.Fatalf("MARKET order: want market_protection -1 and COMPLETE, got %v", o)
	}
	// --market-protection overrides it; SL-M gets -1 too.
	_, out = ordersRun(t, env, 0, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--type", "MARKET", "--market-protection", "3", "--yes")
	if o := ordersLatest(t, env, out["order_id"].(string)); num(o["market_protection"]) != "3" {
		t.Fatalf("--market-protection 3: %v", o)
	}
	low := ordersAway(t, env, "NSE:INFY", -0.6)
	_, out = ordersRun(t, env, 0, "orders", "place", "NSE:INFY", "--sell", "--qty", "1", "--trigger", low, "--product", "MIS", "--yes")
	if o := ordersLatest(t, env, out["order_id"].(string)); o["order_type"] != "SL-M" || num(o["market_protection"]) != "-1" {
		t.Fatalf("SL-M order: %v", o)
	}
	// A LIMIT order carries none; modifying it into MARKET sends -1, which
	// Kite requires for the change.
	_, out = ordersRun(t, env, 0, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--price", low, "--yes")
	id := out["order_id"].(string)
	if o := ordersLatest(t, env, id); num(o["market_protection"]) != "0" {
		t.Fatalf("LIMIT order: %v", o)
	}
	ordersRun(t, env, 0, "orders", "modify", id, "--type", "MARKET", "--yes")
	if o := ordersLatest(t, env, id); o["order_type"] != "MARKET" || num(o["market_protection"]) != "-1" {
		t.Fatalf("modified into MARKET: %v", o)
	}

	// --dry-run shows the value that would be sent.
	_, dry := ordersRun(t, env, 0, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--type", "MARKET", "--dry-run")
	if num(dry["market_protection"]) != "-1" {
		t.Fatalf("dry run: %v", dry)
	}
	_, dry = ordersRun(t, env, 0, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--type", "MARKET", "--market-protection", "2.5", "--dry-run")
	if num(dry["market_protection"]) != "2.5" {
		t.Fatalf("dry run with --market-protection 2.5: %v", dry)
	}
	// Values Kite refuses are usage errors before any request.
	before := len(ordersBook(t, env))
	for _, v := range []string{"0", "101", "-2", "abc"} {
		r, _ := ordersRun(t, env, 2, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--type", "MARKET", "--market-protection", v, "--yes")
		if !strings.Contains(r.Stderr, "market-protection") {
			t.Fatalf("--market-protection %s: %s", v, r.Stderr)
		}
	}
	r, _ := ordersRun(t, env, 2, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--price", low, "--market-protection", "5", "--yes")
	if !strings.Contains(r.Stderr, "market protection is for MARKET and SL-M orders") {
		t.Fatalf("market protection on a LIMIT order: %s", r.Stderr)
	}
	if after := len(ordersBook(t, env)); after != before {
		t.Fatalf("refused orders reached the book: %d → %d", before, after)
	}
}

// TestOrdersConfirmShowsMarketProtection runs kite in-process with
// terminal streams to see the confirmation summary.
func TestOrdersConfirmShowsMarketProtection(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 32, RateLimits: sandbox.NoRateLimits()})
	ios, in, out, errOut := iostreams.Test()
	ios.StdinTTY, ios.StdoutTTY = true, true
	in.WriteString("n\n")
	code := run(context.Background(), ios, []string{"orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--type", "MARKET", "--algo-id", "algo7"},
		func(k string) string { return env[k] })
	if code != 1 || out.Len() != 0 || !strings.Contains(errOut.String(), "market protection auto (-1)") || !strings.Contains(errOut.String(), "algo algo7") {
		t.Fatalf("confirmation: code %d\nstderr %s", code, errOut)
	}
}

func TestE2EOrdersAlgoID(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 33, RateLimits: sandbox.NoRateLimits()})
	low := ordersAway(t, env, "NSE:SBIN", -0.6)
	_, out := ordersRun(t, with2(env, "KITE_ALGO_ID", "envalgo1"), 0, "orders", "place", "NSE:SBIN", "--buy", "--qty", "1", "--price", low, "--yes")
	if o := ordersLatest(t, env, out["order_id"].(string)); o["algo_id"] != "envalgo1" {
		t.Fatalf("KITE_ALGO_ID: the order book has %v", o)
	}
	_, out = ordersRun(t, with2(env, "KITE_ALGO_ID", "envalgo1"), 0, "orders", "place", "NSE:SBIN", "--buy", "--qty", "1", "--price", low, "--algo-id", "flagalgo2", "--yes")
	id := out["order_id"].(string)
	if o := ordersLatest(t, env, id); o["algo_id"] != "flagalgo2" {
		t.Fatalf("--algo-id wins over KITE_ALGO_ID: %v", o)
	}
	// kite shows it back from the book.
	r, _ := ordersRun(t, env, 0, "orders", "--jq", `.[] | select(.order_id == "`+id+`") | .algo_id`)
	if strings.TrimSpace(r.Stdout) != `flagalgo2` {
		t.Fatalf("kite orders: algo_id %q", r.Stdout)
	}
}

func TestE2EOrdersAutoslice(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 34, RateLimits: sandbox.NoRateLimits()})
	fut := ordersInstrument(t, env, "NFO", func(row map[string]string) bool {
		return row["name"] == "NIFTY" && row["instrument_type"] == "CE"
	})["tradingsymbol"]
	// NIFTY's freeze quantity in the sandbox is 1800 (24 lots of 75):
	// 4050 is two children of 1800 and one of 450. A LIMIT buy of the
	// option far below the market rests, and its premium fits the account.
	low := ordersAway(t, env, "NFO:"+fut, -0.8)
	r := runKite(t, kiteRun{Env: env}, "orders", "place", "NFO:"+fut, "--buy", "--qty", "4050", "--price", low,
		"--autoslice", "--max-value", "0", "--tag", "slice01", "--yes", "-o", "json")
	if r.Code != 0 {
		t.Fatalf("autoslice place: %+v", r)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &rows); err != nil {
		t.Fatalf("autoslice output is not a list of children: %v\n%s\n%s", err, r.Stdout, r.Stderr)
	}
	book := ordersBook(t, env)
	if len(rows) != 3 || len(book) != 3 {
		t.Fatalf("want 3 children printed and in the book, got %d and %d:\n%s\n%s", len(rows), len(book), r.Stdout, r.Stderr)
	}
	for i, want := range []string{"1800", "1800", "450"} {
		row, o := rows[i], book[i]
		if row["order_id"] != o["order_id"] || row["parent_order_id"] == "" || row["parent_order_id"] == row["order_id"] ||
			row["tag"] != "slice01" || row["status"] != "OPEN" || o["quantity"].(json.Number).String() != want {
			t.Fatalf("child %d: printed %v, book %v", i, row, o)
		}
	}
	// The table has a row per child; reconcile finds all three by the tag.
	for _, o := range book {
		if !strings.Contains(r.Stdout, o["order_id"].(string)) {
			t.Fatalf("child %v missing from the output", o["order_id"])
		}
	}
	table := runKite(t, kiteRun{Env: env}, "orders", "place", "NFO:"+fut, "--buy", "--qty", "1875", "--price", low,
		"--autoslice", "--max-value", "0", "--yes", "-o", "table")
	if table.Code != 0 || strings.Count(table.Stdout, "\n") != 3 || !strings.Contains(table.Stdout, "PARENT ORDER ID") {
		t.Fatalf("autoslice table (a header and two rows): %+v", table)
	}
	// A slice Kite refuses is printed with its error: here every slice of
	// a stop-loss buy whose trigger is below the last price.
	r = runKite(t, kiteRun{Env: env}, "orders", "place", "NFO:"+fut, "--buy", "--qty", "1875", "--trigger", low,
		"--autoslice", "--max-value", "0", "--yes", "-o", "json")
	var refused []map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &refused); err != nil || r.Code == 0 || r.Code == 8 || len(refused) != 2 {
		t.Fatalf("refused slices: %v %+v", err, r)
	}
	for _, row := range refused {
		if row["status"] != "NOT PLACED" || !strings.Contains(row["status_message"].(string), "Trigger price") || row["parent_order_id"] == "" {
			t.Fatalf("a refused slice: %v", row)
		}
	}
	if !strings.Contains(r.Stderr, "was not placed: Trigger price") {
		t.Fatalf("refused slices: %s", r.Stderr)
	}

	// Kite refuses to slice an order at or below the freeze quantity.
	r = runKite(t, kiteRun{Env: env}, "orders", "place", "NFO:"+fut, "--buy", "--qty", "1800", "--price", low, "--autoslice", "--max-value", "0", "--yes")
	if r.Code == 0 || r.Code == 8 || !strings.Contains(r.Stderr, "for order slicing") || !strings.Contains(r.Stderr, "not placed") {
		t.Fatalf("autoslice below the freeze quantity: %+v", r)
	}
}

func TestE2EOrdersStaticIPRefusal(t *testing.T) {
	// Only 127.0.0.2 is registered; kite connects from 127.0.0.1.
	_, env := startTestSandbox(t, sandbox.Options{Seed: 35, RateLimits: sandbox.NoRateLimits(), AllowedIPs: []netip.Addr{netip.MustParseAddr("127.0.0.2")}})
	low := ordersAway(t, env, "NSE:INFY", -0.6)
	r, _ := ordersRun(t, env, 4, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--price", low, "--yes")
	for _, want := range []string{"127.0.0.1 (the address Kite saw)", "not a registered static IP", "Kite developer console", "IP Whitelist"} {
		if !strings.Contains(r.Stderr, want) {
			t.Fatalf("static-IP refusal should say %q:\n%s", want, r.Stderr)
		}
	}
	if n := len(ordersBook(t, env)); n != 0 {
		t.Fatalf("a refused order reached the book: %d", n)
	}

	// An order placed from the registered address cannot be cancelled
	// from another one either.
	from2 := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{
		LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}).DialContext}}
	req, _ := http.NewRequest(http.MethodPost, env["KITE_BASE_URL"]+"/orders/regular", strings.NewReader(url.Values{
		"exchange": {"NSE"}, "tradingsymbol": {"INFY"}, "transaction_type": {"BUY"}, "quantity": {"1"},
		"product": {"CNC"}, "order_type": {"LIMIT"}, "price": {low}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "token "+env["KITE_API_KEY"]+":"+env["KITE_ACCESS_TOKEN"])
	resp, err := from2.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var placed struct {
		Data struct {
			OrderID string `json:"order_id"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&placed); err != nil || placed.Data.OrderID == "" {
		t.Fatalf("placing from 127.0.0.2: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	id := placed.Data.OrderID
	r, _ = ordersRun(t, env, 4, "orders", "cancel", id, "--yes")
	if !strings.Contains(r.Stderr, "could not cancel order "+id) || !strings.Contains(r.Stderr, "127.0.0.1") {
		t.Fatalf("cancel from an unregistered IP: %s", r.Stderr)
	}
	if o := ordersLatest(t, env, id); o["status"] != "OPEN" {
		t.Fatalf("the order must stay open: %v", o)
	}
}

func TestE2EOrdersStaticIPAdmitted(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 35, RateLimits: sandbox.NoRateLimits(), AllowedIPs: []netip.Addr{netip.MustParseAddr("127.0.0.1")}})
	low := ordersAway(t, env, "NSE:INFY", -0.6)
	_, out := ordersRun(t, env, 0, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--price", low, "--yes")
	ordersRun(t, env, 0, "orders", "cancel", out["order_id"].(string), "--yes")
}

// TestE2EOrdersLaggingBookIsReconciled: the order is placed but its
// response is lost and the book shows it only 4 s later (longer than the
// three lookups over about 3 s that kite used to make). kite keeps looking
// and finds it; it never says "not placed".
func TestE2EOrdersLaggingBookIsReconciled(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{Seed: 36, RateLimits: sandbox.NoRateLimits()})
	low := ordersAway(t, env, "NSE:INFY", -0.6)
	srv.SetFaults(sandbox.Faults{BookLag: 4 * time.Second, DropPlaceResponse: true})
	r := runKite(t, kiteRun{Env: env}, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--price", low, "--tag", "lag01", "--yes")
	if r.Code != 0 || strings.Contains(r.Stderr, "not placed") || !strings.Contains(r.Stderr, "looking for tag lag01") {
		t.Fatalf("lagging book: want the order found, got %+v", r)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &res); err != nil || res["reconciled"] != true || res["tag"] != "lag01" {
		t.Fatalf("lagging book: %v %s", err, r.Stdout)
	}
	srv.SetFaults(sandbox.Faults{})
	if book := ordersBook(t, env); len(book) != 1 || book[0]["order_id"] != res["order_id"] {
		t.Fatalf("the order must be in the book exactly once: %v", book)
	}

	// A lag longer than the window: the outcome is unknown (exit 8), with
	// the tag and the command that settles it, which does settle it once
	// the book catches up.
	srv.SetFaults(sandbox.Faults{BookLag: time.Hour, DropPlaceResponse: true})
	r = runKite(t, kiteRun{Env: with2(env, "KITE_RECONCILE_WINDOW", "1s")}, "orders", "place", "NSE:INFY", "--buy", "--qty", "1",
		"--price", low, "--tag", "lag02", "--yes")
	if r.Code != 8 || strings.Contains(r.Stderr, "not placed") || !strings.Contains(r.Stderr, "kite orders reconcile lag02") || r.Stdout != "" {
		t.Fatalf("lag beyond the window: want exit 8, got %+v", r)
	}
	srv.SetFaults(sandbox.Faults{})
	r, _ = ordersRun(t, env, 0, "orders", "reconcile", "lag02", "--jq", ".[0].tag")
	if strings.TrimSpace(r.Stdout) != "lag02" {
		t.Fatalf("reconcile after the lag: %q", r.Stdout)
	}
	r = runKite(t, kiteRun{Env: with2(env, "KITE_RECONCILE_WINDOW", "soon")}, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--price", low, "--yes")
	if r.Code != 2 || !strings.Contains(r.Stderr, "KITE_RECONCILE_WINDOW") {
		t.Fatalf("a bad KITE_RECONCILE_WINDOW is a usage error: %+v", r)
	}
}

// TestE2EOrdersRefusedConnectionIsNotPlaced: with the instrument dump
// cached, a place to a server that is gone fails at connect, before
// anything is sent: a network error (6) that knows the order was not
// placed.
func TestE2EOrdersRefusedConnectionIsNotPlaced(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{Seed: 37, RateLimits: sandbox.NoRateLimits()})
	env = with2(env, "KITE_HOME", t.TempDir())
	low := ordersAway(t, env, "NSE:INFY", -0.6)
	ordersRun(t, env, 0, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--price", low, "--dry-run") // caches the dump
	srv.Close()
	r := runKite(t, kiteRun{Env: env}, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--price", low, "--yes")
	if r.Code != 6 || !strings.Contains(r.Stderr, "the order was not placed") || !strings.Contains(r.Stderr, "connection refused") {
		t.Fatalf("refused connection: want exit 6, not placed, got %+v", r)
	}
}

// writes503 forwards to the sandbox but answers every order modify and
// cancel with Kite's 503.
func writes503(t *testing.T, target string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut || r.Method == http.MethodDelete {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":"error","message":"Service temporarily unavailable. Please try again.","error_type":"NetworkException"}`))
			return
		}
		rp.ServeHTTP(w, r)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	return "http://" + ln.Addr().String()
}

func TestE2EOrdersExitCodes(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 38, RateLimits: sandbox.NoRateLimits()})
	// A missing order is not a rejected order: exit 1, and what to do.
	for _, args := range [][]string{
		{"orders", "show", "999"},
		{"orders", "trades", "999"},
		{"orders", "cancel", "999", "--yes"},
		{"orders", "modify", "999", "--price", "100", "--yes"},
	} {
		r, _ := ordersRun(t, env, 1, args...)
		if !strings.Contains(r.Stderr, "no order 999 today") || !strings.Contains(r.Stderr, "kite orders") {
			t.Fatalf("%v: %s", args, r.Stderr)
		}
	}
	// A 503 on a modify or cancel, which is never retried: the outcome is
	// unknown (8), and nothing says retries were exhausted.
	low := ordersAway(t, env, "NSE:INFY", -0.6)
	_, out := ordersRun(t, env, 0, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--price", low, "--yes")
	id := out["order_id"].(string)
	proxied := with2(env, "KITE_BASE_URL", writes503(t, env["KITE_BASE_URL"]))
	for _, args := range [][]string{{"orders", "cancel", id, "--yes"}, {"orders", "modify", id, "--qty", "2", "--yes"}} {
		r, _ := ordersRun(t, proxied, 8, args...)
		if !strings.Contains(r.Stderr, "outcome is unknown") || !strings.Contains(r.Stderr, "kite orders show "+id) ||
			strings.Contains(r.Stderr, "attempts") || strings.Contains(r.Stderr, "retries") || strings.Contains(r.Stderr, "kept failing") {
			t.Fatalf("%v behind a 503: %s", args, r.Stderr)
		}
	}
}

// startKiteSandbox runs `kite sandbox --seed 39` with args in the
// background (startSandboxProcess) and returns the environment it prints.
func startKiteSandbox(t *testing.T, args ...string) map[string]string {
	t.Helper()
	env, _ := startSandboxProcess(t, append([]string{"--seed", "39"}, args...)...)
	return env
}

// TestE2ESandboxOrderFlags: the static-IP rule and the order-book faults
// are `kite sandbox` flags, so anyone's client can be tried against them.
func TestE2ESandboxOrderFlags(t *testing.T) {
	env := startKiteSandbox(t, "--allowed-ips", "127.0.0.2,::2", "--book-lag", "1s", "--drop-order-responses")
	low := ordersAway(t, env, "NSE:INFY", -0.6)
	r, _ := ordersRun(t, env, 4, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--price", low, "--yes")
	if !strings.Contains(r.Stderr, "127.0.0.1") || !strings.Contains(r.Stderr, "developer console") {
		t.Fatalf("--allowed-ips refusal: %s", r.Stderr)
	}
	env = startKiteSandbox(t, "--allowed-ips", "127.0.0.1", "--book-lag", "1s", "--drop-order-responses")
	r = runKite(t, kiteRun{Env: env}, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--price", low, "--tag", "flags01", "--yes")
	if r.Code != 0 || !strings.Contains(r.Stderr, "looking for tag flags01") || !strings.Contains(r.Stdout, `"reconciled": true`) {
		t.Fatalf("--drop-order-responses with --book-lag 1s: %+v", r)
	}
	for _, bad := range [][]string{{"--allowed-ips", "localhost"}, {"--book-lag", "-1s"}} {
		r := runKite(t, kiteRun{Timeout: 20 * time.Second}, append([]string{"sandbox"}, bad...)...)
		if r.Code != 2 || r.Stdout != "" {
			t.Errorf("kite sandbox %v: %+v", bad, r)
		}
	}
}
