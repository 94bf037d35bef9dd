package main

import (
	"context"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The tests below drive kite's MCP server with the SDK's own client over
// its in-memory transport, against a sandbox over loopback HTTP;
// mcp_e2e_test.go does the same over a real stdio subprocess.

var mcpReadTools = []string{"alerts", "gtts", "history", "holdings", "instruments_search", "margins", "option_chain", "order_history",
	"order_margins", "orders", "positions", "profile", "quote", "trades"}

var mcpWriteTools = []string{"alert_create", "alert_delete", "cancel_order", "confirm_order", "gtt_create", "gtt_delete", "modify_order", "place_order"}

// mcpSession serves kite mcp in-process on env (KITE_BASE_URL and a
// session, as startTestSandbox gives) and connects the SDK's client to it.
func mcpSession(t *testing.T, env map[string]string, opts MCPOptions) (*mcp.ClientSession, *lockedBuffer) {
	t.Helper()
	env = maps.Clone(env)
	if env["KITE_HOME"] == "" {
		env["KITE_HOME"] = t.TempDir()
	}
	if opts.CallTimeout == 0 {
		opts.CallTimeout = 30 * time.Second
	}
	if opts.Safety.MaxValue == 0 {
		opts.Safety.MaxValue = defaultMaxOrderValue
	}
	opts.Safety.capSource = "--max-value"
	io, _, _, _ := iostreams.Test()
	stderr := &lockedBuffer{}
	io.ErrOut = stderr
	f := newFactory(io, func(k string) string { return env[k] })
	f.Global.BaseURL, f.Global.Profile = env["KITE_BASE_URL"], "default"
	t.Cleanup(f.Close)
	srv, closeFn, err := newMCPServer(f, &opts)
	if err != nil {
		t.Fatalf("newMCPServer: %v", err)
	}
	t.Cleanup(closeFn)
	serverT, clientT := mcp.NewInMemoryTransports()
	ctx := context.Background()
	ss, err := srv.MCP().Connect(ctx, serverT, nil)
	if err != nil {
		t.Fatalf("server connect: %v", err)
	}
	t.Cleanup(func() { _ = ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "kite-test", Version: "1"}, nil).Connect(ctx, clientT, nil)
	if err != nil {
		t.Fatalf("client connect: %v", err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs, stderr
}

func listToolNames(t *testing.T, cs *mcp.ClientSession) []string {
	t.Helper()
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	var names []string
	for _, tool := range res.Tools {
		if tool.InputSchema == nil || tool.OutputSchema == nil || tool.Description == "" {
			t.Errorf("tool %s lacks an input schema, an output schema or a description", tool.Name)
		}
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	return names
}

// callTool calls a tool; a protocol error fails the test (failures must
// be tool errors).
func callTool(t *testing.T, cs *mcp.ClientSession, name string, args any) *mcp.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error %v (failures must be tool errors)", name, err)
	}
	return res
}

func toolText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// callOK calls a tool that must succeed and decodes its structured output.
func callOK[T any](t *testing.T, cs *mcp.ClientSession, name string, args any) T {
	t.Helper()
	res := callTool(t, cs, name, args)
	if res.IsError {
		t.Fatalf("%s(%v): tool error: %s", name, args, toolText(res))
	}
	var out T
	b, err := json.Marshal(res.StructuredContent)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		t.Fatalf("%s: structured output %s: %v", name, b, err)
	}
	return out
}

// callErr calls a tool that must fail with a tool error containing every
// one of wants.
func callErr(t *testing.T, cs *mcp.ClientSession, name string, args any, wants ...string) string {
	t.Helper()
	res := callTool(t, cs, name, args)
	text := toolText(res)
	t.Logf("%s: %s", name, text)
	if !res.IsError {
		t.Fatalf("%s(%v) succeeded, want a tool error; got %s", name, args, text)
	}
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s error %q does not say %q", name, text, w)
		}
	}
	return text
}

func TestMCPReadOnlyOffersNoWriteTool(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	cs, _ := mcpSession(t, env, MCPOptions{})
	if got := listToolNames(t, cs); !slices.Equal(got, mcpReadTools) {
		t.Fatalf("read-only tools = %v, want %v", got, mcpReadTools)
	}
	// A write tool is not merely hidden: calling it fails.
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "place_order",
		Arguments: map[string]any{"symbol": "NSE:INFY", "side": "BUY", "quantity": 1, "price": 1500}})
	if err == nil && !res.IsError {
		t.Fatalf("place_order worked on a read-only server: %s", toolText(res))
	}
}

func TestMCPReadTools(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	cs, _ := mcpSession(t, env, MCPOptions{})

	prof := callOK[struct {
		UserID string `json:"user_id"`
	}](t, cs, "profile", nil)
	if prof.UserID != sandbox.UserID {
		t.Errorf("profile user_id = %q, want %q", prof.UserID, sandbox.UserID)
	}
	m := callOK[map[string]json.RawMessage](t, cs, "margins", nil)
	if m["equity"] == nil || m["commodity"] == nil {
		t.Errorf("margins without segment = %v, want equity and commodity", m)
	}
	m = callOK[map[string]json.RawMessage](t, cs, "margins", map[string]any{"segment": "equity"})
	if m["equity"] == nil || m["commodity"] != nil {
		t.Errorf("margins segment equity = %v, want equity only", m)
	}
	callErr(t, cs, "margins", map[string]any{"segment": "gold"}, "invalid input", "equity or commodity")
	for _, name := range []string{"holdings", "orders", "trades"} {
		out := callOK[map[string]json.RawMessage](t, cs, name, nil)
		if out["count"] == nil {
			t.Errorf("%s output %v has no count", name, out)
		}
	}
	pos := callOK[map[string]json.RawMessage](t, cs, "positions", nil)
	if pos["net"] == nil || pos["day"] == nil {
		t.Errorf("positions = %v, want net and day", pos)
	}

	// quote: the order asked, symbol first; an unknown symbol apart.
	q := callOK[struct {
		Quotes []struct {
			Symbol    string   `json:"symbol"`
			LastPrice float64  `json:"last_price"`
			Change    *float64 `json:"change"`
		} `json:"quotes"`
		Unknown []string `json:"unknown"`
	}](t, cs, "quote", map[string]any{"symbols": []string{"nse:reliance", "NSE:INFY", "NSE:NOSUCHCO"}})
	if len(q.Quotes) != 2 || q.Quotes[0].Symbol != "NSE:RELIANCE" || q.Quotes[1].Symbol != "NSE:INFY" ||
		q.Quotes[1].LastPrice <= 0 || q.Quotes[1].Change == nil {
		t.Errorf("quote = %+v, want RELIANCE then INFY with prices and change", q.Quotes)
	}
	if !slices.Equal(q.Unknown, []string{"NSE:NOSUCHCO"}) {
		t.Errorf("quote unknown = %v, want [NSE:NOSUCHCO]", q.Unknown)
	}
	ltp := callOK[struct {
		Quotes []map[string]any `json:"quotes"`
	}](t, cs, "quote", map[string]any{"symbols": []string{"NSE:INFY"}, "mode": "ltp"})
	if len(ltp.Quotes) != 1 || ltp.Quotes[0]["depth"] != nil {
		t.Errorf("ltp quote = %v, want one quote without depth", ltp.Quotes)
	}
	callErr(t, cs, "quote", map[string]any{"symbols": []string{}}, "invalid input", "NSE:INFY")
	callErr(t, cs, "quote", map[string]any{"symbols": []string{"NSE:INFY"}, "mode": "deep"}, "invalid input")

	// history: a year of day candles up to yesterday (today's candle moves
	// between calls).
	type candle struct {
		Date  string  `json:"date"`
		Open  float64 `json:"open"`
		High  float64 `json:"high"`
		Low   float64 `json:"low"`
		Close float64 `json:"close"`
		Vol   int64   `json:"volume"`
	}
	type history struct {
		Symbol    string   `json:"symbol"`
		Rows      int      `json:"rows"`
		Returned  int      `json:"returned"`
		Truncated bool     `json:"truncated"`
		Candles   []candle `json:"candles"`
		Summary   struct {
			First, Last            string
			Open, High, Low, Close float64
			Volume                 int64
		} `json:"summary"`
	}
	all := callOK[history](t, cs, "history", map[string]any{"symbol": "NSE:INFY", "interval": "day", "from": "1y", "to": "yesterday", "max_rows": 5000})
	if all.Symbol != "NSE:INFY" || all.Rows < 200 || all.Returned != all.Rows || all.Truncated {
		t.Fatalf("history of a year = %d rows, %d returned, truncated %v; want 200+ trading days, all returned", all.Rows, all.Returned, all.Truncated)
	}
	capped := callOK[history](t, cs, "history", map[string]any{"symbol": "NSE:INFY", "interval": "day", "from": "1y", "to": "yesterday", "max_rows": 3})
	if capped.Rows != all.Rows || capped.Returned != 3 || !capped.Truncated || len(capped.Candles) != 3 {
		t.Fatalf("capped history = rows %d returned %d truncated %v, want rows %d returned 3 truncated", capped.Rows, capped.Returned, capped.Truncated, all.Rows)
	}
	if capped.Candles[2] != all.Candles[len(all.Candles)-1] {
		t.Errorf("capped history's last candle %+v, want the most recent %+v", capped.Candles[2], all.Candles[len(all.Candles)-1])
	}
	// The summary covers every row, not the 3 returned.
	hi, lo, vol := all.Candles[0].High, all.Candles[0].Low, int64(0)
	for _, c := range all.Candles {
		hi, lo, vol = math.Max(hi, c.High), math.Min(lo, c.Low), vol+c.Vol
	}
	s := capped.Summary
	if s.First != all.Candles[0].Date || s.Last != all.Candles[len(all.Candles)-1].Date || s.Open != all.Candles[0].Open ||
		s.Close != all.Candles[len(all.Candles)-1].Close || s.High != hi || s.Low != lo || s.Volume != vol {
		t.Errorf("summary %+v, want first %s last %s high %v low %v volume %d over all rows", s, all.Candles[0].Date, all.Candles[len(all.Candles)-1].Date, hi, lo, vol)
	}
	callErr(t, cs, "history", map[string]any{"symbol": "NSE:INFY", "interval": "week", "from": "1y"}, "invalid input", "interval")
	callErr(t, cs, "history", map[string]any{"symbol": "NSE:INFY", "interval": "day", "from": "someday"}, "invalid input", "2024-01-31")

	search := callOK[struct {
		Count       int `json:"count"`
		Instruments []struct {
			Exchange, Tradingsymbol string
		} `json:"instruments"`
	}](t, cs, "instruments_search", map[string]any{"query": "infy", "exchange": "NSE", "limit": 5})
	if search.Count == 0 || search.Instruments[0].Tradingsymbol != "INFY" {
		t.Errorf("instruments_search infy on NSE = %+v, want INFY first", search)
	}
	callErr(t, cs, "instruments_search", map[string]any{"query": " "}, "invalid input")

	chain := callOK[struct {
		Underlying string            `json:"underlying"`
		Price      float64           `json:"price"`
		Strikes    []json.RawMessage `json:"strikes"`
	}](t, cs, "option_chain", map[string]any{"underlying": "NIFTY", "strikes": 2})
	if chain.Underlying != "NSE:NIFTY 50" || chain.Price <= 0 || len(chain.Strikes) != 5 {
		t.Errorf("option_chain NIFTY ±2 = %s at %v with %d strikes, want NSE:NIFTY 50, a price, 5 strikes", chain.Underlying, chain.Price, len(chain.Strikes))
	}
	callErr(t, cs, "order_history", map[string]any{"order_id": "1/2"}, "invalid input", "orders tool")
	callErr(t, cs, "alerts", map[string]any{"status": "asleep"}, "invalid input", "enabled, disabled or deleted")
	callErr(t, cs, "gtts", map[string]any{"id": -1}, "invalid input")

	// The calculators: an intraday buy of 10 SBIN at ₹800 is worth ₹8,000;
	// its margin is a part of that (MIS leverage), its charges a few rupees.
	om := callOK[struct {
		Total   float64 `json:"total"`
		Charges struct {
			Total float64 `json:"total"`
		} `json:"charges"`
	}](t, cs, "order_margins", map[string]any{"symbol": "NSE:SBIN", "side": "BUY", "quantity": 10, "price": 800, "product": "MIS"})
	if om.Total <= 0 || om.Total >= 8000 || om.Charges.Total <= 0 || om.Charges.Total >= 100 {
		t.Errorf("order_margins of 10 SBIN MIS at 800 = margin %v, charges %v; want 0 < margin < 8000 and 0 < charges < 100", om.Total, om.Charges.Total)
	}
	callErr(t, cs, "order_margins", map[string]any{"symbol": "NSE:SBIN", "side": "HOLD", "quantity": 10, "price": 800}, "invalid input")
}

// The GTT and alert books, as kite gtt create and kite alerts create
// leave them.
func TestMCPGTTsAndAlerts(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	cs, _ := mcpSession(t, env, MCPOptions{})
	if g := callOK[struct {
		Count int `json:"count"`
	}](t, cs, "gtts", nil); g.Count != 0 {
		t.Fatalf("a new account has %d GTTs, want 0", g.Count)
	}
	q := callOK[struct {
		Quotes []struct {
			LastPrice float64 `json:"last_price"`
		} `json:"quotes"`
	}](t, cs, "quote", map[string]any{"symbols": []string{"NSE:INFY"}, "mode": "ltp"})
	below := strconv.FormatFloat(math.Floor(q.Quotes[0].LastPrice*0.95), 'f', -1, 64)
	ordersRun(t, env, 0, "gtt", "create", "NSE:INFY", "--buy", "--qty", "1", "--trigger", below, "--price", below, "--yes")
	ordersRun(t, env, 0, "alerts", "create", "NSE:INFY", "--operator", "<=", "--value", below, "--name", "mcp test", "--yes")

	gtts := callOK[struct {
		Count int `json:"count"`
		GTTs  []struct {
			ID        int `json:"id"`
			Condition struct {
				Tradingsymbol string    `json:"tradingsymbol"`
				TriggerValues []float64 `json:"trigger_values"`
			} `json:"condition"`
		} `json:"gtts"`
	}](t, cs, "gtts", nil)
	want, _ := strconv.ParseFloat(below, 64)
	if gtts.Count != 1 || gtts.GTTs[0].Condition.Tradingsymbol != "INFY" || !slices.Equal(gtts.GTTs[0].Condition.TriggerValues, []float64{want}) {
		t.Fatalf("gtts = %+v, want the INFY GTT triggering at %v", gtts, want)
	}
	one := callOK[struct {
		Count int `json:"count"`
	}](t, cs, "gtts", map[string]any{"id": gtts.GTTs[0].ID})
	if one.Count != 1 {
		t.Errorf("gtts by id = %d, want 1", one.Count)
	}
	alerts := callOK[struct {
		Count  int `json:"count"`
		Alerts []struct {
			Name        string  `json:"name"`
			RHSConstant float64 `json:"rhs_constant"`
		} `json:"alerts"`
	}](t, cs, "alerts", map[string]any{"status": "enabled"})
	if alerts.Count != 1 || alerts.Alerts[0].Name != "mcp test" || alerts.Alerts[0].RHSConstant != want {
		t.Fatalf("alerts = %+v, want the one at %v", alerts, want)
	}
	if d := callOK[struct {
		Count int `json:"count"`
	}](t, cs, "alerts", map[string]any{"status": "deleted"}); d.Count != 0 {
		t.Errorf("deleted alerts = %d, want 0", d.Count)
	}
}
