package main

import (
	"strings"
	"testing"

	"github.com/kitecli/kite/pkg/sandbox"
)

// TestE2EMutualFunds runs kite mf against the sandbox's fund universe.
func TestE2EMutualFunds(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 7, RateLimits: sandbox.NoRateLimits()})
	// 412.337 units at 121.27, NAV 152.4321: P&L 12849.29.
	r, _ := ordersRun(t, env, 0, "mf", "holdings", "--jq", `.[] | select(.tradingsymbol == "INF000S01AA1") | .pnl`)
	if strings.TrimSpace(r.Stdout) != "12849.29" {
		t.Fatalf("mf holdings: %q", r.Stdout)
	}
	r, _ = ordersRun(t, env, 0, "mf", "orders", "-o", "csv")
	if lines := strings.Split(strings.TrimSpace(r.Stdout), "\n"); len(lines) != 5 || !strings.HasPrefix(lines[0], "order_id,") {
		t.Fatalf("mf orders CSV: %s", r.Stdout)
	}
	r, _ = ordersRun(t, env, 0, "mf", "orders", "sb-mf-0000-0000-000000000102", "--jq", ".status")
	if strings.TrimSpace(r.Stdout) != "COMPLETE" {
		t.Fatalf("mf order: %q", r.Stdout)
	}
	r, _ = ordersRun(t, env, 2, "mf", "orders", "--from", "2026-11-25")
	if !strings.Contains(r.Stderr, "both --from and --to") {
		t.Fatalf("half a range: %s", r.Stderr)
	}
	r, _ = ordersRun(t, env, 0, "mf", "sips", "--jq", `map(select(.status == "ACTIVE")) | length`)
	if strings.TrimSpace(r.Stdout) != "1" {
		t.Fatalf("mf sips: %q", r.Stdout)
	}
	r, _ = ordersRun(t, env, 0, "mf", "instruments", "--jq", "length")
	if strings.TrimSpace(r.Stdout) != "6" {
		t.Fatalf("mf instruments: %q", r.Stdout)
	}
	// The help says why there are no writes, and the sandbox refuses one
	// sent through kite api as Kite does (PermissionException: exit 4).
	r, _ = ordersRun(t, env, 0, "mf", "--help")
	if !strings.Contains(r.Stdout, "read-only for apps") {
		t.Fatalf("mf help: %s", r.Stdout)
	}
	r = runKite(t, kiteRun{Env: env}, "api", "POST", "/mf/orders", "-f", "tradingsymbol=INF000S01AA1", "-f", "amount=5000")
	if r.Code != 4 || !strings.Contains(r.Stderr, "Coin") {
		t.Fatalf("MF write through kite api: %+v", r)
	}
}
