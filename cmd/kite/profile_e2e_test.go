package main

// End-to-end tests of the account commands (profile, margins, holdings,
// positions, trades) against the sandbox. Expected values come from the
// sandbox itself, fetched with a plain HTTP request that shares no code
// with kite's client.

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox"
)

// acctDirect sends one request straight to the sandbox with the session of
// env and returns the envelope's data, numbers as json.Number.
func acctDirect(t *testing.T, env map[string]string, method, path string, form url.Values) any {
	t.Helper()
	raw := acctDirectRaw(t, env, method, path, form)
	var envl struct {
		Status string          `json:"status"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &envl); err != nil || envl.Status != "success" {
		t.Fatalf("%s %s: %v: %s", method, path, err, raw)
	}
	return acctDecode(t, envl.Data)
}

func acctDirectRaw(t *testing.T, env map[string]string, method, path string, form url.Values) []byte {
	t.Helper()
	u := env["KITE_BASE_URL"] + path
	var body io.Reader
	if method == http.MethodGet || method == http.MethodDelete {
		if len(form) > 0 {
			u += "?" + form.Encode()
		}
	} else {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Kite-Version", "3")
	req.Header.Set("Authorization", "token "+env["KITE_API_KEY"]+":"+env["KITE_ACCESS_TOKEN"])
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func acctDecode(t *testing.T, doc []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %s: %v", doc, err)
	}
	return v
}

// acctJSON runs kite with JSON output and decodes stdout; it must exit 0.
func acctJSON(t *testing.T, env map[string]string, args ...string) any {
	t.Helper()
	r := runKite(t, kiteRun{Env: env}, append(args, "-o", "json")...)
	if r.Code != 0 {
		t.Fatalf("kite %s: exit %d\n%s", strings.Join(args, " "), r.Code, r.Stderr)
	}
	return acctDecode(t, []byte(r.Stdout))
}

// acctIST is written out here rather than taken from pkg/kite, so the
// expected timestamps are computed independently of the code under test.
var acctIST = time.FixedZone("+0530", 19800)

// acctSame checks that kite printed what the sandbox served: every field
// the sandbox sent is in kite's output with the same value. Two documented
// transformations are allowed: Kite's "2006-01-02 15:04:05" IST timestamps
// print as RFC 3339 with +05:30, and a null string prints as "".
func acctSame(t *testing.T, where string, got, want any) {
	t.Helper()
	switch w := want.(type) {
	case nil:
		if g, ok := got.([]any); ok && len(g) == 0 {
			return
		}
		if got != nil && got != "" {
			t.Errorf("%s: sandbox sent null, kite printed %v", where, got)
		}
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			t.Errorf("%s: sandbox sent an object, kite printed %T %v", where, got, got)
			return
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				t.Errorf("%s.%s: field missing from kite's output", where, k)
				continue
			}
			acctSame(t, where+"."+k, gv, wv)
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			t.Errorf("%s: sandbox sent %d items, kite printed %v", where, len(w), got)
			return
		}
		for i := range w {
			acctSame(t, fmt.Sprintf("%s[%d]", where, i), g[i], w[i])
		}
	case json.Number:
		g, ok := got.(json.Number)
		wf, _ := w.Float64()
		if gf, err := g.Float64(); !ok || err != nil || gf != wf {
			t.Errorf("%s: sandbox sent %s, kite printed %v", where, w, got)
		}
	case string:
		if ts, err := time.ParseInLocation("2006-01-02 15:04:05", w, acctIST); err == nil {
			w = ts.Format("2006-01-02T15:04:05") + "+05:30"
		}
		if got != w {
			t.Errorf("%s: want %q, kite printed %v", where, w, got)
		}
	default:
		if got != want {
			t.Errorf("%s: sandbox sent %v, kite printed %v", where, want, got)
		}
	}
}

// acctTrade places a MARKET order straight through the sandbox (not
// through kite), so the account has a position, a trade and a holding.
func acctTrade(t *testing.T, env map[string]string, symbol, side string, qty int, product string) string {
	t.Helper()
	ex, ts, _ := strings.Cut(symbol, ":")
	data := acctDirect(t, env, http.MethodPost, "/orders/regular", url.Values{
		"exchange": {ex}, "tradingsymbol": {ts}, "transaction_type": {side},
		"quantity": {strconv.Itoa(qty)}, "product": {product}, "order_type": {"MARKET"}, "market_protection": {"-1"},
	})
	id, _ := data.(map[string]any)["order_id"].(string)
	if id == "" {
		t.Fatalf("placing %s directly: no order_id in %v", symbol, data)
	}
	return id
}

// acctCSV parses kite's CSV output into a header and rows.
func acctCSV(t *testing.T, out string) ([]string, [][]string) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("bad CSV (%v):\n%s", err, out)
	}
	return recs[0], recs[1:]
}

func acctCol(t *testing.T, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no %q column in %v", name, header)
	return -1
}

// frozenMarket is a tick interval no test outlives: prices stay put, so two
// reads of P&L or margins (kite's and the test's own) see the same numbers.
const frozenMarket = time.Hour

func TestE2EAccountProfileAndMargins(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 7, RateLimits: sandbox.NoRateLimits(), TickInterval: frozenMarket})

	acctSame(t, "profile", acctJSON(t, env, "profile"), acctDirect(t, env, "GET", "/user/profile", nil))
	r := runKite(t, kiteRun{Env: env}, "profile", "--jq", ".user_id")
	if r.Code != 0 || strings.TrimSpace(r.Stdout) != sandbox.UserID {
		t.Fatalf("profile --jq .user_id: want %s, got %+v", sandbox.UserID, r)
	}
	r = runKite(t, kiteRun{Env: env}, "profile", "-o", "table")
	if r.Code != 0 || !strings.Contains(r.Stdout, "user_id") || !strings.Contains(r.Stdout, sandbox.UserID) {
		t.Fatalf("profile table: %+v", r)
	}

	// Spend some margin first, so the numbers are not all opening balances.
	acctTrade(t, env, "NSE:SBIN", "BUY", 3, "MIS")
	all := acctDirect(t, env, "GET", "/user/margins", nil)
	acctSame(t, "margins", acctJSON(t, env, "margins"), all)
	for _, seg := range []string{"equity", "commodity"} {
		acctSame(t, "margins "+seg, acctJSON(t, env, "margins", seg), acctDirect(t, env, "GET", "/user/margins/"+seg, nil))
	}
	eq := all.(map[string]any)["equity"].(map[string]any)
	r = runKite(t, kiteRun{Env: env}, "margins", "--jq", ".equity.net")
	if r.Code != 0 || strings.TrimSpace(r.Stdout) != eq["net"].(json.Number).String() {
		t.Fatalf("margins --jq .equity.net: want %s, got %+v", eq["net"], r)
	}
	// The table and CSV flatten one row per segment.
	r = runKite(t, kiteRun{Env: env}, "margins", "-o", "table")
	if r.Code != 0 || !strings.Contains(r.Stdout, "LIVE") || !strings.Contains(r.Stdout, "commodity") {
		t.Fatalf("margins table: %+v", r)
	}
	// CSV: one row per segment with every field of both parts.
	r = runKite(t, kiteRun{Env: env}, "margins", "-o", "csv")
	header, rows := acctCSV(t, r.Stdout)
	if r.Code != 0 || len(rows) != 2 {
		t.Fatalf("margins csv: %+v", r)
	}
	for i, seg := range []string{"equity", "commodity"} {
		m := all.(map[string]any)[seg].(map[string]any)
		if rows[i][acctCol(t, header, "segment")] != seg || rows[i][acctCol(t, header, "net")] != m["net"].(json.Number).String() {
			t.Errorf("margins csv row %d: %v", i, rows[i])
		}
		for _, part := range []string{"available", "utilised"} {
			for k, v := range m[part].(map[string]any) {
				if got := rows[i][acctCol(t, header, k)]; got != v.(json.Number).String() {
					t.Errorf("margins csv %s.%s.%s: want %s, got %s", seg, part, k, v, got)
				}
			}
		}
	}
	r = runKite(t, kiteRun{Env: env}, "profile", "-o", "csv")
	header, rows = acctCSV(t, r.Stdout)
	if r.Code != 0 || len(rows) != 1 || rows[0][acctCol(t, header, "user_id")] != sandbox.UserID {
		t.Fatalf("profile csv: %+v", r)
	}
	r = runKite(t, kiteRun{Env: env}, "margins", "equity", "-o", "ndjson")
	if r.Code != 0 || strings.Count(r.Stdout, "\n") != 1 {
		t.Fatalf("margins equity ndjson: one line expected, got %+v", r)
	}
	r = runKite(t, kiteRun{Env: env}, "margins", "currency")
	if r.Code != 2 || !strings.Contains(r.Stderr, "equity or commodity") {
		t.Fatalf("margins currency: want exit 2, got %+v", r)
	}
}

func TestE2EAccountHoldingsPositionsTrades(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 8, RateLimits: sandbox.NoRateLimits(), TickInterval: frozenMarket})
	buy := acctTrade(t, env, "NSE:INFY", "BUY", 2, "CNC")
	acctTrade(t, env, "NSE:SBIN", "BUY", 5, "MIS")
	acctTrade(t, env, "NSE:SBIN", "SELL", 2, "MIS")

	holdings := acctDirect(t, env, "GET", "/portfolio/holdings", nil).([]any)
	acctSame(t, "holdings", acctJSON(t, env, "holdings"), holdings)
	var infy map[string]any
	for _, h := range holdings {
		if h := h.(map[string]any); h["tradingsymbol"] == "INFY" {
			infy = h
		}
	}
	if infy == nil {
		t.Fatalf("a CNC buy should show in holdings: %v", holdings)
	}

	positions := acctDirect(t, env, "GET", "/portfolio/positions", nil).(map[string]any)
	acctSame(t, "positions", acctJSON(t, env, "positions"), positions)
	acctSame(t, "positions --day", acctJSON(t, env, "positions", "--day"), positions["day"])
	acctSame(t, "positions --net", acctJSON(t, env, "positions", "--net"), positions["net"])
	if len(positions["net"].([]any)) < 2 {
		t.Fatalf("want INFY and SBIN positions, got %v", positions["net"])
	}

	trades := acctDirect(t, env, "GET", "/trades", nil).([]any)
	acctSame(t, "trades", acctJSON(t, env, "trades"), trades)
	if len(trades) != 3 {
		t.Fatalf("three MARKET orders should make three trades, got %d", len(trades))
	}

	// Every record format carries the records; CSV and NDJSON all fields.
	for _, c := range []struct {
		args []string
		want []any
	}{
		{[]string{"holdings"}, holdings},
		{[]string{"positions"}, positions["net"].([]any)},
		{[]string{"positions", "--day"}, positions["day"].([]any)},
		{[]string{"trades"}, trades},
	} {
		name := strings.Join(c.args, " ")
		r := runKite(t, kiteRun{Env: env}, append(c.args, "-o", "ndjson")...)
		lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
		if r.Code != 0 || len(lines) != len(c.want) {
			t.Fatalf("%s ndjson: want %d lines, got %+v", name, len(c.want), r)
		}
		for i, l := range lines {
			acctSame(t, fmt.Sprintf("%s ndjson[%d]", name, i), acctDecode(t, []byte(l)), c.want[i])
		}
		r = runKite(t, kiteRun{Env: env}, append(c.args, "-o", "csv")...)
		header, rows := acctCSV(t, r.Stdout)
		if r.Code != 0 || len(rows) != len(c.want) {
			t.Fatalf("%s csv: want %d rows, got %+v", name, len(c.want), r)
		}
		for k, v := range c.want[0].(map[string]any) {
			if s, ok := v.(json.Number); ok {
				if got := rows[0][acctCol(t, header, k)]; got != s.String() {
					t.Errorf("%s csv %s: want %s, got %s", name, k, s, got)
				}
			}
		}
		r = runKite(t, kiteRun{Env: env}, append(c.args, "-o", "table")...)
		if r.Code != 0 || !strings.Contains(r.Stdout, "SYMBOL") {
			t.Fatalf("%s table: %+v", name, r)
		}
	}

	r := runKite(t, kiteRun{Env: env}, "trades", "--jq", ".[] | select(.order_id == \""+buy+"\") | .quantity")
	if r.Code != 0 || strings.TrimSpace(r.Stdout) != "2" {
		t.Fatalf("trades --jq for the INFY buy: want 2, got %+v", r)
	}
	r = runKite(t, kiteRun{Env: env}, "positions", "--day", "--net")
	if r.Code != 2 {
		t.Fatalf("--day with --net: want exit 2, got %+v", r)
	}
	r = runKite(t, kiteRun{Env: env}, "holdings", "extra")
	if r.Code != 2 {
		t.Fatalf("holdings with an argument: want exit 2, got %+v", r)
	}
}

func TestE2EAccountNoSessionAndExpired(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{Seed: 9, RateLimits: sandbox.NoRateLimits()})
	r := runKite(t, kiteRun{Env: map[string]string{"KITE_BASE_URL": env["KITE_BASE_URL"]}}, "holdings")
	if r.Code != 3 || !strings.Contains(r.Stderr, "kite login") || r.Stdout != "" {
		t.Fatalf("no session: want exit 3 naming kite login, got %+v", r)
	}
	srv.ExpireSessions()
	for _, cmd := range []string{"profile", "margins", "positions", "orders"} {
		if r := runKite(t, kiteRun{Env: env}, cmd); r.Code != 3 {
			t.Errorf("%s with an expired session: want exit 3, got %+v", cmd, r)
		}
	}
}
