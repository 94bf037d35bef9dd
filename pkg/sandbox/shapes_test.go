package sandbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestEmptyListsAreArrays: every list the sandbox answers is a JSON array,
// [] when empty, as Kite's are: a client that ranges over data must never
// meet null. A fresh account has no orders, trades or positions.
func TestEmptyListsAreArrays(t *testing.T) {
	s := start(t, Options{RateLimits: NoRateLimits()})
	auth := tokenAuth(s)
	for _, c := range []struct{ path, want string }{
		{"/trades", `[]`},
		{"/orders", `[]`},
		{"/portfolio/positions", `{"net":[],"day":[]}`},
		{"/oms/trades", `[]`},
	} {
		a := auth
		if strings.HasPrefix(c.path, "/oms") {
			a = "enctoken " + s.sessions.issueEnc(UserID)
		}
		r := call(t, http.MethodGet, s.URL()+c.path, a, nil)
		wantData(t, r, nil)
		if got := string(r.Env.Data); got != c.want {
			t.Errorf("GET %s: data %s, want %s", c.path, got, c.want)
		}
	}
	// An order that has not filled has no trades: [].
	var placed struct {
		OrderID string `json:"order_id"`
	}
	wantData(t, call(t, http.MethodPost, s.URL()+"/orders/regular", auth, url.Values{
		"exchange": {"NSE"}, "tradingsymbol": {"INFY"}, "transaction_type": {"BUY"}, "quantity": {"1"},
		"product": {"CNC"}, "order_type": {"LIMIT"}, "price": {lowerCircuit(t, s, auth)}, "validity": {"DAY"},
	}), &placed)
	r := call(t, http.MethodGet, s.URL()+"/orders/"+placed.OrderID+"/trades", auth, nil)
	wantData(t, r, nil)
	if string(r.Env.Data) != `[]` {
		t.Errorf("trades of an open order: %s, want []", r.Env.Data)
	}
	// A historical range with no trading day in it: no candles, [].
	r = call(t, http.MethodGet, s.URL()+"/instruments/historical/408065/day", auth, url.Values{"from": {"2024-01-06"}, "to": {"2024-01-07"}})
	wantData(t, r, nil)
	if string(r.Env.Data) != `{"candles":[]}` {
		t.Errorf("candles of a weekend: %s, want {\"candles\":[]}", r.Env.Data)
	}
}

// kiteMocksDir finds Zerodha's fixtures (github.com/zerodha/kiteconnect-mocks):
// $KITE_MOCKS_DIR, else ../shared/kite-mocks beside the repository root, as
// CI lays it out. They are read, never copied into the repository.
func kiteMocksDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("KITE_MOCKS_DIR"); d != "" {
		return d
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the test: cannot find the repository root")
		}
		dir = parent
	}
	mocks := filepath.Join(filepath.Dir(dir), "shared", "kite-mocks")
	if _, err := os.Stat(filepath.Join(mocks, "orders.json")); err != nil {
		t.Skipf("Zerodha's fixtures are not at %s (a clone with shared/ beside it, as CI has, or KITE_MOCKS_DIR=DIR): skipping the shape comparison", mocks)
	}
	return mocks
}

// notServed are the fixtures of endpoints the sandbox does not serve yet
// (another issue adds them); the shape test lists them and skips them.
// The mutual fund writes are answered, as Kite answers apps, with a
// PermissionException, so their success shapes never occur.
var notServed = []string{
	"autoslice_response.json",
	"mf_order_cancel.json", "mf_order_response.json", "mf_sip_cancel.json", "mf_sip_modify.json", "mf_sip_place.json",
	"trigger_range.json",
}

// newerFields are keys the sandbox sends that a fixture lacks, because the
// fixture is older than Kite's API or trimmed: each is in another of
// Zerodha's fixtures for the same object, or in gokiteconnect's Order
// (account_id, validity_ttl, modified).
var newerFields = map[string][]string{
	// tags: Kite sends them on tagged orders only (orders.json's 4th and
	// later); the comparison is with its first, untagged one, and the
	// sandbox book has a tagged order (an ATO alert's).
	"orders.json": {"account_id", "validity_ttl", "tags"},
	// orders.json has these for the same order object.
	"order_info.json": {"account_id", "validity_ttl", "exchange_update_timestamp", "guid", "market_protection", "meta", "status_message_raw"},
	"postback.json":   {"account_id", "validity_ttl", "modified"},
	// mf_sips.json lacks the envelope's status, which every other fixture has.
	"mf_sips.json": {"status"},
	// The list compares each alert with Kite's first, a simple one; an ATO
	// alert's basket is compared with Kite's second in TestAlertBasketShape.
	"alerts_get.json": {"basket"},
	// A simple alert's fixture has no basket; an ATO one's has (alerts_get).
	"alerts_create_ato.json": {"basket"},
}

// TestShapesMatchKite compares every sandbox endpoint's answer with
// Zerodha's fixture for it: the same object keys, recursively, and the same
// JSON types (null is allowed to stand for any type: Kite sends null for
// unset fields). Every fixture is either compared or listed in notServed.
func TestShapesMatchKite(t *testing.T) {
	mocks := kiteMocksDir(t)
	s := start(t, Options{TickInterval: 5 * time.Millisecond, RateLimits: NoRateLimits()})
	auth := tokenAuth(s)
	get := func(path string, q url.Values) []byte {
		r := call(t, http.MethodGet, s.URL()+path, auth, q)
		wantData(t, r, nil)
		return r.Body
	}
	send := func(method, path string, form url.Values) []byte {
		r := call(t, method, s.URL()+path, auth, form)
		wantData(t, r, nil)
		return r.Body
	}

	// The account needs something in every list: a filled order (a trade,
	// a position), an open one, and the order updates the ticker pushes.
	ws := dialTicker(t, s, s.AccessToken())
	form := func(orderType, price string) url.Values {
		f := url.Values{"exchange": {"NSE"}, "tradingsymbol": {"INFY"}, "transaction_type": {"BUY"}, "quantity": {"1"},
			"product": {"CNC"}, "order_type": {orderType}, "price": {price}, "validity": {"DAY"}}
		if orderType == "MARKET" {
			f.Set("market_protection", "-1")
		}
		return f
	}
	var filled, open struct {
		OrderID string `json:"order_id"`
	}
	placeBody := send(http.MethodPost, "/orders/regular", form("MARKET", ""))
	if err := json.Unmarshal(mustData(t, placeBody), &filled); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(mustData(t, send(http.MethodPost, "/orders/regular", form("LIMIT", lowerCircuit(t, s, auth)))), &open); err != nil {
		t.Fatal(err)
	}
	var update []byte
	readUntil(t, ws, 10*time.Second, func(typ websocket.MessageType, msg []byte) bool {
		if typ == websocket.MessageText && bytes.Contains(msg, []byte(`"type":"order"`)) {
			var m struct {
				Data json.RawMessage `json:"data"`
			}
			if json.Unmarshal(msg, &m) == nil {
				update = m.Data
				return true
			}
		}
		return false
	})
	modifyBody := send(http.MethodPut, "/orders/regular/"+open.OrderID, url.Values{"price": {lowerCircuit(t, s, auth)}, "quantity": {"2"}})
	cancelBody := send(http.MethodDelete, "/orders/regular/"+open.OrderID, nil)

	gttPlace, gttModify, gttDelete, gttTriggered := gttShapes(t, s, auth)
	alertBodies := alertShapes(t, s, auth)

	now := time.Now()
	hist := url.Values{"from": {now.AddDate(0, 0, -7).Format("2006-01-02")}, "to": {now.Format("2006-01-02")}}
	histOI := url.Values{"from": hist["from"], "to": hist["to"], "oi": {"1"}}
	fut := firstFuture(t, s)

	reqTok := requestToken(t, s)
	sum := sha256.Sum256([]byte(APIKey + reqTok + APISecret))
	sessionBody := call(t, http.MethodPost, s.URL()+"/session/token", "", url.Values{
		"api_key": {APIKey}, "request_token": {reqTok}, "checksum": {hex.EncodeToString(sum[:])}}).Body
	var sess struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(mustData(t, sessionBody), &sess); err != nil {
		t.Fatal(err)
	}
	logoutBody := call(t, http.MethodDelete, s.URL()+"/session/token", "", url.Values{"api_key": {APIKey}, "access_token": {sess.AccessToken}}).Body

	quoteQ := url.Values{"i": {"NSE:INFY", "NSE:SBIN"}}
	calc := issue11Bodies(t, s, auth)
	cases := []struct {
		fixture string
		body    []byte
		// freeKeys are paths whose object keys are data, not a schema
		// (instrument keys, an order's meta): values are compared, keys not.
		freeKeys []string
	}{
		{"profile.json", get("/user/profile", nil), nil},
		{"margins.json", get("/user/margins", nil), nil},
		{"margins_equity.json", get("/user/margins/equity", nil), nil},
		{"margin_commodity.json", get("/user/margins/commodity", nil), nil},
		{"holdings.json", get("/portfolio/holdings", nil), []string{"data[].authorisation"}},
		{"positions.json", get("/portfolio/positions", nil), nil},
		{"orders.json", get("/orders", nil), []string{"data[].meta"}},
		{"order_info.json", get("/orders/"+filled.OrderID, nil), []string{"data[].meta"}},
		{"order_trades.json", get("/orders/"+filled.OrderID+"/trades", nil), nil},
		{"trades.json", get("/trades", nil), nil},
		{"order_response.json", placeBody, nil},
		{"order_modify.json", modifyBody, nil},
		{"order_cancel.json", cancelBody, nil},
		{"quote.json", get("/quote", quoteQ), []string{"data"}},
		{"ohlc.json", get("/quote/ohlc", quoteQ), []string{"data"}},
		{"ltp.json", get("/quote/ltp", quoteQ), []string{"data"}},
		{"historical_minute.json", get(fmt.Sprintf("/instruments/historical/%d/minute", fut), hist), nil},
		{"historical_oi.json", get(fmt.Sprintf("/instruments/historical/%d/minute", fut), histOI), nil},
		{"generate_session.json", sessionBody, []string{"data.meta"}},
		{"session_logout.json", logoutBody, nil},
		{"postback.json", update, []string{"meta"}},
		{"order_margins.json", calc.orderMargins, nil},
		{"basket_margins.json", calc.basketMargins, nil},
		{"virtual_contract_note.json", calc.contractNote, nil},
		{"convert_position.json", calc.convert, nil},
		{"holdings_summary.json", get("/portfolio/holdings/summary", nil), nil},
		{"holdings_compact.json", get("/portfolio/holdings/compact", nil), nil},
		{"holdings_auth.json", calc.authorise, nil},
		{"auctions_list.json", get("/portfolio/holdings/auctions", nil), nil},
		{"full_profile.json", get("/user/profile/full", nil), nil},
		{"mf_holdings.json", get("/mf/holdings", nil), nil},
		{"mf_orders.json", get("/mf/orders", nil), nil},
		{"mf_orders_info.json", get("/mf/orders/sb-mf-0000-0000-000000000104", nil), nil},
		{"mf_sips.json", get("/mf/sips", nil), []string{"data[].step_up"}},
		{"mf_sip_info.json", get("/mf/sips/800000000000101", nil), []string{"data.step_up"}},
		{"gtt_place_order.json", gttPlace, nil},
		{"gtt_modify_order.json", gttModify, nil},
		{"gtt_delete_order.json", gttDelete, nil},
		{"gtt_get_orders.json", get("/gtt/triggers", nil), []string{"data[].meta"}},
		{"gtt_get_order.json", get("/gtt/triggers/"+gttTriggered, nil), []string{"data.meta"}},
		{"alerts_create.json", alertBodies["alerts_create.json"], nil},
		{"alerts_create_ato.json", alertBodies["alerts_create_ato.json"], nil},
		{"alerts_modify.json", alertBodies["alerts_modify.json"], nil},
		{"alerts_delete.json", alertBodies["alerts_delete.json"], nil},
		{"alerts_get.json", alertBodies["alerts_get.json"], nil},
		{"alerts_get_one.json", alertBodies["alerts_get_one.json"], nil},
		{"alerts_history.json", alertBodies["alerts_history.json"], nil},
	}
	compared := map[string]bool{}
	for _, c := range cases {
		compared[c.fixture] = true
		t.Run(strings.TrimSuffix(c.fixture, ".json"), func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(mocks, c.fixture))
			if err != nil {
				t.Fatal(err)
			}
			if diffs := shapeDiff(t, want, c.body, c.freeKeys, newerFields[c.fixture]); len(diffs) > 0 {
				t.Errorf("the sandbox's answer differs from Kite's %s:\n  %s\nsandbox: %.600s", c.fixture, strings.Join(diffs, "\n  "), c.body)
			}
		})
	}
	t.Run("instruments", func(t *testing.T) {
		compared["instruments_all.csv"], compared["instruments_nse.csv"], compared["mf_instruments.csv"] = true, true, true
		for fixture, path := range map[string]string{"instruments_all.csv": "/instruments", "instruments_nse.csv": "/instruments/NSE", "mf_instruments.csv": "/mf/instruments"} {
			want := csvHeader(t, filepath.Join(mocks, fixture), nil)
			r := call(t, http.MethodGet, s.URL()+path, auth, nil)
			if got := csvHeader(t, "", r.Body); !slices.Equal(got, want) {
				t.Errorf("GET %s columns %v, Kite's %s has %v", path, got, fixture, want)
			}
		}
	})

	// Every fixture is compared or knowingly skipped.
	entries, err := os.ReadDir(mocks)
	if err != nil {
		t.Fatal(err)
	}
	var skipped []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !(strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".csv")) || compared[n] {
			continue
		}
		if !slices.Contains(notServed, n) {
			t.Errorf("fixture %s is neither compared nor listed in notServed", n)
			continue
		}
		skipped = append(skipped, n)
	}
	t.Logf("not served by the sandbox yet, skipped: %s", strings.Join(skipped, ", "))
}

func mustData(t *testing.T, body []byte) json.RawMessage {
	t.Helper()
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return env.Data
}

// firstFuture is the token of an NFO future in the sandbox's universe.
func firstFuture(t *testing.T, s *Server) uint32 {
	t.Helper()
	for _, in := range s.world.market.Instruments() {
		if in.Exchange == "NFO" && in.InstrumentType == "FUT" {
			return in.Token
		}
	}
	t.Fatal("no NFO future in the universe")
	return 0
}

// requestToken goes through the Connect login redirect for a request token.
func requestToken(t *testing.T, s *Server) string {
	t.Helper()
	r := call(t, http.MethodGet, s.URL()+"/connect/login", "", url.Values{"api_key": {APIKey}, "v": {"3"}})
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil || loc.Query().Get("request_token") == "" {
		t.Fatalf("login redirect: %d %s %v", r.Status, r.Header.Get("Location"), err)
	}
	return loc.Query().Get("request_token")
}

func csvHeader(t *testing.T, path string, body []byte) []string {
	t.Helper()
	if path != "" {
		var err error
		if body, err = os.ReadFile(path); err != nil {
			t.Fatal(err)
		}
	}
	h, err := csv.NewReader(bytes.NewReader(body)).Read()
	if err != nil {
		t.Fatalf("CSV header of %s: %v", path, err)
	}
	return h
}

// shapeDiff lists how got's shape differs from want's: keys one has and
// the other lacks, and values of different JSON types. Arrays compare their
// elements' shapes (every element of got against the union of want's).
// Paths in free have data for keys: only their values' shapes are compared.
func shapeDiff(t *testing.T, want, got []byte, free, newer []string) []string {
	t.Helper()
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("sandbox answer %q: %v", got, err)
	}
	var diffs []string
	walkShape("", w, g, free, &diffs)
	diffs = slices.DeleteFunc(diffs, func(d string) bool {
		for _, k := range newer {
			if strings.Contains(d, "."+k+": extra ") {
				return true
			}
		}
		return false
	})
	sort.Strings(diffs)
	return slices.Compact(diffs)
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func walkShape(path string, want, got any, free []string, diffs *[]string) {
	wt, gt := jsonType(want), jsonType(got)
	if wt == "null" || gt == "null" {
		return
	}
	if wt != gt {
		*diffs = append(*diffs, fmt.Sprintf("%s: Kite has a %s, the sandbox a %s", orRoot(path), wt, gt))
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		if slices.Contains(free, path) {
			// Keys are data: every value against the first of Kite's.
			for _, wv := range w {
				for gk, gv := range g {
					walkShape(path+"."+gk, wv, gv, nil, diffs)
				}
				break
			}
			return
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				*diffs = append(*diffs, fmt.Sprintf("%s.%s: missing (Kite has a %s)", orRoot(path), k, jsonType(wv)))
				continue
			}
			walkShape(join(path, k), wv, gv, free, diffs)
		}
		for k, gv := range g {
			if _, ok := w[k]; !ok {
				*diffs = append(*diffs, fmt.Sprintf("%s.%s: extra (a %s Kite does not send)", orRoot(path), k, jsonType(gv)))
			}
		}
	case []any:
		g := got.([]any)
		if len(w) == 0 || len(g) == 0 {
			return
		}
		if isTuple(w) {
			// A candle: a fixed sequence of differently typed fields.
			if len(w) != len(g) {
				*diffs = append(*diffs, fmt.Sprintf("%s: Kite has %d fields, the sandbox %d", orRoot(path), len(w), len(g)))
				return
			}
			for i := range w {
				walkShape(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], free, diffs)
			}
			return
		}
		for _, gv := range g {
			walkShape(path+"[]", w[0], gv, free, diffs)
		}
	}
}

// isTuple reports whether an array mixes scalar types, as a candle does.
func isTuple(a []any) bool {
	for _, v := range a[1:] {
		if jsonType(v) != jsonType(a[0]) {
			return true
		}
	}
	return false
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func orRoot(path string) string {
	if path == "" {
		return "(root)"
	}
	return path
}

// TestShapeDiff checks the comparator itself on hand-written shapes.
func TestShapeDiff(t *testing.T) {
	want := []byte(`{"data":[{"a":1,"b":"x","c":null,"d":{"e":[1]}}],"candles":[["t",1,2]]}`)
	got := []byte(`{"data":[{"a":"1","c":5,"d":{"e":[2],"f":true}}],"candles":[["t",1,"2"]]}`)
	diffs := shapeDiff(t, want, got, nil, nil)
	wantDiffs := []string{
		"candles[][2]: Kite has a number, the sandbox a string",
		"data[].a: Kite has a number, the sandbox a string",
		"data[].b: missing (Kite has a string)",
		"data[].d.f: extra (a boolean Kite does not send)",
	}
	if !slices.Equal(diffs, wantDiffs) {
		t.Fatalf("diffs:\n%s\nwant:\n%s", strings.Join(diffs, "\n"), strings.Join(wantDiffs, "\n"))
	}
	if d := shapeDiff(t, want, got, nil, []string{"f"}); len(d) != 3 {
		t.Fatalf("an allowed extra key is still reported: %v", d)
	}
}
