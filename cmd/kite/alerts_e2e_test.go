package main

// End-to-end tests of kite alerts against the sandbox: the lifecycle of a
// simple and an ATO alert, and the refusals before anything is sent.

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kitecli/kite/pkg/sandbox"
)

type alertOut struct {
	UUID       string  `json:"uuid"`
	Type       string  `json:"type"`
	Name       string  `json:"name"`
	Status     string  `json:"status"`
	Operator   string  `json:"operator"`
	RHSType    string  `json:"rhs_type"`
	RHSConst   float64 `json:"rhs_constant"`
	AlertCount int     `json:"alert_count"`
	Basket     *struct {
		Items []struct {
			Tradingsymbol string `json:"tradingsymbol"`
			Params        struct {
				TransactionType  string   `json:"transaction_type"`
				OrderType        string   `json:"order_type"`
				Quantity         int      `json:"quantity"`
				MarketProtection float64  `json:"market_protection"`
				Tags             []string `json:"tags"`
			} `json:"params"`
		} `json:"items"`
	} `json:"basket"`
	DryRun bool `json:"dry_run"`
}

func alertsRun(t *testing.T, env map[string]string, code int, args ...string) (result, alertOut) {
	t.Helper()
	r := runKite(t, kiteRun{Env: env}, args...)
	if r.Code != code {
		t.Fatalf("kite %s: want exit %d, got %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, r.Code, r.Stdout, r.Stderr)
	}
	var a alertOut
	if code == 0 && strings.HasPrefix(strings.TrimSpace(r.Stdout), "{") {
		if err := json.Unmarshal([]byte(r.Stdout), &a); err != nil {
			t.Fatalf("kite %s: %v\n%s", strings.Join(args, " "), err, r.Stdout)
		}
	}
	return r, a
}

func alertsList(t *testing.T, env map[string]string, args ...string) []alertOut {
	t.Helper()
	r, _ := alertsRun(t, env, 0, append([]string{"alerts"}, args...)...)
	var list []alertOut
	if err := json.Unmarshal([]byte(r.Stdout), &list); err != nil {
		t.Fatalf("kite alerts: %v\n%s", err, r.Stdout)
	}
	return list
}

func TestE2EAlertsLifecycle(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 31, RateLimits: sandbox.NoRateLimits()})
	ltp := ordersLTP(t, env, "NSE:INFY")
	far := gttPrice(ltp, 1)    // twice the price: never reached
	low := gttPrice(ltp, -0.5) // half: never reached
	_, dry := alertsRun(t, env, 0, "alerts", "create", "NSE:INFY", "--operator", ">=", "--value", far, "--dry-run")
	if !dry.DryRun || dry.Operator != ">=" || dry.RHSType != "constant" {
		t.Fatalf("dry run %+v", dry)
	}
	if l := alertsList(t, env); len(l) != 0 {
		t.Fatalf("--dry-run created an alert: %+v", l)
	}

	_, a := alertsRun(t, env, 0, "alerts", "create", "NSE:INFY", "--operator", ">=", "--value", far, "--name", "infy double", "--yes")
	if a.UUID == "" || a.Status != "enabled" || a.Type != "simple" || a.Name != "infy double" {
		t.Fatalf("created %+v", a)
	}
	// An ATO alert with a MARKET order: market protection -1 is sent.
	_, ato := alertsRun(t, env, 0, "alerts", "create", "NSE:INFY", "--operator", "<=", "--value", low, "--buy", "--qty", "1", "--yes")
	if ato.Type != "ato" || ato.Basket == nil || len(ato.Basket.Items) != 1 {
		t.Fatalf("created ATO %+v", ato)
	}
	if p := ato.Basket.Items[0].Params; p.OrderType != "MARKET" || p.MarketProtection != -1 || p.Quantity != 1 || p.TransactionType != "BUY" {
		t.Errorf("ATO order %+v: want a MARKET buy of 1 with market protection -1", p)
	}
	if tags := ato.Basket.Items[0].Params.Tags; len(tags) != 1 || len(tags[0]) != 15 || tags[0][0] != 'k' {
		t.Errorf("ATO order tags %v: want one generated kite tag", tags)
	}
	_, shown := alertsRun(t, env, 0, "alerts", "show", a.UUID)
	if shown.UUID != a.UUID || shown.Name != "infy double" {
		t.Fatalf("show: %+v", shown)
	}
	// Modify keeps what is not given.
	_, m := alertsRun(t, env, 0, "alerts", "modify", ato.UUID, "--qty", "2", "--yes")
	if m.Type != "ato" || m.Operator != "<=" || m.Basket.Items[0].Params.Quantity != 2 || m.Basket.Items[0].Params.OrderType != "MARKET" {
		t.Fatalf("modify --qty 2: %+v", m)
	}
	_, m = alertsRun(t, env, 0, "alerts", "modify", a.UUID, "--operator", ">", "--compare-to", "NSE:SBIN", "--yes")
	if m.RHSType != "instrument" || m.Operator != ">" || m.Name != "infy double" {
		t.Fatalf("modify to compare with SBIN: %+v", m)
	}
	r, _ := alertsRun(t, env, 0, "alerts", "history", a.UUID)
	if strings.TrimSpace(r.Stdout) != "[]" {
		t.Errorf("history of an alert that has not fired: %s", r.Stdout)
	}
	if l := alertsList(t, env); len(l) != 2 {
		t.Fatalf("list: %+v", l)
	}
	alertsRun(t, env, 0, "alerts", "delete", a.UUID, ato.UUID, "--yes")
	if l := alertsList(t, env); len(l) != 0 {
		t.Fatalf("deleted alerts listed: %+v", l)
	}
	if l := alertsList(t, env, "--status", "deleted"); len(l) != 2 {
		t.Fatalf("--status deleted lists %d", len(l))
	}
	r, _ = alertsRun(t, env, 1, "alerts", "show", "00000000-0000-4000-8000-000000000000")
	if !strings.Contains(r.Stderr, "kite alerts") {
		t.Errorf("unknown alert: %s", r.Stderr)
	}
}

func TestE2EAlertsRefusals(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 32, RateLimits: sandbox.NoRateLimits()})
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"NSE:INFY", "--value", "1500", "--yes"}, "--operator"},
		{[]string{"NSE:INFY", "--operator", "=>", "--value", "1500", "--yes"}, "operator \"=>\""},
		{[]string{"NSE:INFY", "--operator", ">=", "--yes"}, "--value N or --compare-to"},
		{[]string{"NSE:INFY", "--operator", ">=", "--value", "1e", "--yes"}, "is not a number"},
		{[]string{"NSE:INFY", "--operator", ">=", "--value", "1", "--compare-to", "NSE:TCS", "--yes"}, "not both"},
		{[]string{"NSE:INFY", "--operator", ">=", "--value", "1", "--attribute", "Mood", "--yes"}, "attribute \"Mood\""},
		{[]string{"INFY", "--operator", ">=", "--value", "1", "--yes"}, "EXCHANGE:TRADINGSYMBOL"},
		{[]string{"NSE:INFY", "--operator", ">=", "--value", "1"}, "add --yes"},
		{[]string{"NSE:INFY", "--operator", ">=", "--value", "1", "--buy", "--yes"}, "--qty"},
		{[]string{"NSE:INFY", "--operator", ">=", "--value", "1", "--buy", "--qty", "1000", "--type", "MARKET", "--yes"}, "exceeds the default cap"},
		{[]string{"INDICES:NIFTY 50", "--operator", ">=", "--value", "1", "--buy", "--qty", "1", "--yes"}, "--order-symbol"},
		{[]string{"NSE:INFY", "--operator", ">=", "--value", "1", "--buy", "--qty", "1", "--type", "MARKET", "--market-protection", "0", "--yes"}, "--market-protection 0"},
		{[]string{"NSE:NOSUCH", "--operator", ">=", "--value", "1", "--yes"}, "NOSUCH"},
	} {
		r, _ := alertsRun(t, env, 2, append([]string{"alerts", "create"}, c.args...)...)
		if !strings.Contains(r.Stderr, c.want) || strings.Contains(r.Stderr, "strconv.") || strings.Contains(r.Stderr, "json:") {
			t.Errorf("kite alerts create %s: stderr %q, want it to say %q", strings.Join(c.args, " "), r.Stderr, c.want)
		}
	}
	for _, args := range [][]string{{"alerts", "show", "nope"}, {"alerts", "delete", "--yes"}, {"alerts", "history", "x"}, {"alerts", "--status", "odd"}, {"alerts", "modify", "1234"}} {
		alertsRun(t, env, 2, args...)
	}
	if l := alertsList(t, env); len(l) != 0 {
		t.Fatalf("a refused alert was created: %+v", l)
	}
}
