package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// sbRun runs kite --sandbox with KITE_HOME home and wants exit 0.
func sbRun(t *testing.T, home string, args ...string) result {
	t.Helper()
	r := runKite(t, kiteRun{Env: map[string]string{"KITE_HOME": home}}, append([]string{"--sandbox"}, args...)...)
	if r.Code != 0 {
		t.Fatalf("kite --sandbox %s: exit %d\n%s", strings.Join(args, " "), r.Code, r.Stderr)
	}
	return r
}

type sbOrder struct {
	OrderID, Status, Tradingsymbol, Product string
	Quantity                                int
}

func sbOrders(t *testing.T, home string, args ...string) []sbOrder {
	t.Helper()
	var out []struct {
		OrderID       string `json:"order_id"`
		Status        string `json:"status"`
		Tradingsymbol string `json:"tradingsymbol"`
		Product       string `json:"product"`
		Quantity      int    `json:"quantity"`
	}
	r := sbRun(t, home, append(args, "orders", "-o", "json")...)
	if err := json.Unmarshal([]byte(r.Stdout), &out); err != nil {
		t.Fatalf("orders: %v\n%s", err, r.Stdout)
	}
	var o []sbOrder
	for _, x := range out {
		o = append(o, sbOrder{x.OrderID, x.Status, x.Tradingsymbol, x.Product, x.Quantity})
	}
	return o
}

// TestE2ESandboxRemembers: an order placed by one kite --sandbox command
// is in the orders, trades and positions of the next, per seed, until
// kite sandbox reset.
func TestE2ESandboxRemembers(t *testing.T) {
	home := t.TempDir()
	sbRun(t, home, "orders", "place", "NSE:INFY", "--buy", "--qty", "2", "--type", "MARKET", "--product", "MIS", "--yes")

	orders := sbOrders(t, home)
	if len(orders) != 1 || orders[0].Tradingsymbol != "INFY" || orders[0].Status != "COMPLETE" || orders[0].Quantity != 2 {
		t.Fatalf("orders after a place: %+v", orders)
	}
	r := sbRun(t, home, "positions", "-o", "json", "--jq", `.net[] | select(.tradingsymbol == "INFY" and .product == "MIS") | .quantity`)
	if strings.TrimSpace(r.Stdout) != "2" {
		t.Fatalf("positions: INFY MIS quantity %q, want 2", r.Stdout)
	}
	r = sbRun(t, home, "trades", "-o", "json", "--jq", `length`)
	if strings.TrimSpace(r.Stdout) != "1" {
		t.Fatalf("trades: %q, want 1", r.Stdout)
	}

	// Another seed is another account; the first one is untouched by it.
	sbRun(t, home, "--sandbox-seed", "5", "orders", "place", "NSE:SBIN", "--buy", "--qty", "1", "--type", "MARKET", "--product", "MIS", "--yes")
	if o := sbOrders(t, home, "--sandbox-seed", "5"); len(o) != 1 || o[0].Tradingsymbol != "SBIN" {
		t.Fatalf("seed 5 orders: %+v", o)
	}
	r = runKite(t, kiteRun{Env: map[string]string{"KITE_HOME": home, "KITE_SANDBOX_SEED": "5"}}, "--sandbox", "orders", "-o", "json", "--jq", ".[].tradingsymbol")
	if r.Code != 0 || strings.TrimSpace(r.Stdout) != "SBIN" {
		t.Fatalf("KITE_SANDBOX_SEED=5 orders: %+v", r)
	}
	if o := sbOrders(t, home); len(o) != 1 || o[0].Tradingsymbol != "INFY" {
		t.Fatalf("seed 0 orders after seed 5 traded: %+v", o)
	}

	// The account file is private.
	fi, err := os.Stat(filepath.Join(home, "config", "sandbox", "account-seed-0.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("account file: %v %v", fi, err)
	}

	// reset forgets seed 0 only; --all the rest.
	r = runKite(t, kiteRun{Env: map[string]string{"KITE_HOME": home}}, "sandbox", "reset")
	if r.Code != 0 || !strings.Contains(r.Stderr, "Reset the seed 0 sandbox account") {
		t.Fatalf("reset: %+v", r)
	}
	if o := sbOrders(t, home); len(o) != 0 {
		t.Fatalf("orders after reset: %+v", o)
	}
	r = sbRun(t, home, "positions", "-o", "json", "--jq", ".net | length")
	if strings.TrimSpace(r.Stdout) != "0" {
		t.Fatalf("positions after reset: %q", r.Stdout)
	}
	if o := sbOrders(t, home, "--sandbox-seed", "5"); len(o) != 1 {
		t.Fatalf("seed 5 after resetting seed 0: %+v", o)
	}
	if r = runKite(t, kiteRun{Env: map[string]string{"KITE_HOME": home}}, "sandbox", "reset", "--all"); r.Code != 0 {
		t.Fatalf("reset --all: %+v", r)
	}
	if o := sbOrders(t, home, "--sandbox-seed", "5"); len(o) != 0 {
		t.Fatalf("seed 5 after reset --all: %+v", o)
	}

	// Bad input: usage errors in words, exit 2.
	for _, c := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"sandbox", "reset", "--seed", "1", "--all"}, "--seed and --all cannot be used together"},
		{nil, []string{"--sandbox", "--sandbox-seed", "abc", "orders"}, "--sandbox-seed"},
		{map[string]string{"KITE_SANDBOX_SEED": "x"}, []string{"--sandbox", "orders"}, `KITE_SANDBOX_SEED="x" is not a whole number`},
	} {
		r := runKite(t, kiteRun{Env: c.env}, c.args...)
		if r.Code != 2 || !strings.Contains(r.Stderr, c.want) || strings.Contains(r.Stderr, "strconv") {
			t.Errorf("kite %v: %+v, want exit 2 saying %q", c.args, r, c.want)
		}
	}
}

// TestE2ESandboxConcurrentCommands: two kite --sandbox commands at once
// both keep their orders (the account is locked from load to save).
func TestE2ESandboxConcurrentCommands(t *testing.T) {
	home := t.TempDir()
	var wg sync.WaitGroup
	results := make([]result, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = runKite(t, kiteRun{Env: map[string]string{"KITE_HOME": home}},
				"--sandbox", "orders", "place", "NSE:ITC", "--buy", "--qty", "1", "--type", "MARKET", "--product", "MIS", "--yes")
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.Code != 0 {
			t.Fatalf("place %d: exit %d\n%s", i, r.Code, r.Stderr)
		}
	}
	orders := sbOrders(t, home)
	ids := map[string]bool{}
	for _, o := range orders {
		ids[o.OrderID] = true
	}
	if len(orders) != 4 || len(ids) != 4 {
		t.Fatalf("want 4 distinct orders after 4 concurrent places, got %+v", orders)
	}
}

// TestE2ESandboxCorruptAccount: an account file that is not one is a clear
// error naming the file and kite sandbox reset, which mends it.
func TestE2ESandboxCorruptAccount(t *testing.T) {
	home := t.TempDir()
	dir := filepath.Join(home, "config", "sandbox")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "account-seed-7.json")
	if err := os.WriteFile(path, []byte(`{"version":1,"seed":7,"paper":{"orders":[{`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"KITE_HOME": home}
	r := runKite(t, kiteRun{Env: env}, "--sandbox", "--sandbox-seed", "7", "orders")
	if r.Code != 1 || !strings.Contains(r.Stderr, path) || !strings.Contains(r.Stderr, "kite sandbox reset --seed 7") ||
		!strings.Contains(r.Stderr, "cut short") || strings.Contains(r.Stderr, "json:") {
		t.Fatalf("corrupt account: %+v", r)
	}
	if r = runKite(t, kiteRun{Env: env}, "sandbox", "reset", "--seed", "7"); r.Code != 0 {
		t.Fatalf("reset --seed 7: %+v", r)
	}
	if o := sbOrders(t, home, "--sandbox-seed", "7"); len(o) != 0 {
		t.Fatalf("orders after reset: %+v", o)
	}
}

// TestE2EReadmeTourWithSandbox runs the README tour's account steps as
// separate kite --sandbox commands, as a reader types them: each one needs
// what the one before it did.
func TestE2EReadmeTourWithSandbox(t *testing.T) {
	home := t.TempDir()
	sbRun(t, home, "orders", "place", "--symbol", "NSE:INFY", "--buy", "--qty", "1", "--type", "MARKET", "--yes")
	r := sbRun(t, home, "positions", "-o", "json", "--jq", `.net[] | select(.tradingsymbol == "INFY" and .product == "CNC") | .quantity`)
	if strings.TrimSpace(r.Stdout) != "1" {
		t.Fatalf("positions after the MARKET buy: %q", r.Stdout)
	}
	// "the MARKET buy above, as intraday"
	sbRun(t, home, "positions", "convert", "NSE:INFY", "--from", "CNC", "--to", "MIS", "--dry-run")

	sbRun(t, home, "gtt", "create", "NSE:INFY", "--sell", "--qty", "1", "--trigger", "1400,1700", "--price", "1395,1700", "--yes")
	id := strings.TrimSpace(sbRun(t, home, "gtt", "--jq", ".[0].id").Stdout)
	if id == "" || id == "null" {
		t.Fatalf("gtt list after create: %q", id)
	}
	sbRun(t, home, "gtt", "show", id)

	sbRun(t, home, "alerts", "create", "NSE:INFY", "--operator", ">=", "--value", "1700", "--name", "infy 1700", "--yes")
	uuid := strings.TrimSpace(sbRun(t, home, "alerts", "--jq", ".[0].uuid").Stdout)
	if len(uuid) != 36 {
		t.Fatalf("alerts list after create: %q", uuid)
	}
	sbRun(t, home, "alerts", "history", uuid)
}
