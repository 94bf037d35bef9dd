package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kitecli/kite/pkg/sandbox"
)

func TestE2EAPI(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 21, RateLimits: sandbox.NoRateLimits()})

	r := runKite(t, kiteRun{Env: env}, "api", "GET", "/user/profile", "--jq", ".user_id")
	if r.Code != 0 || strings.TrimSpace(r.Stdout) != sandbox.UserID {
		t.Fatalf("api GET /user/profile --jq .user_id: %+v", r)
	}
	// The leading slash is optional, as in gh api.
	r = runKite(t, kiteRun{Env: env}, "api", "GET", "user/profile", "--jq", ".user_id")
	if r.Code != 0 || strings.TrimSpace(r.Stdout) != sandbox.UserID {
		t.Fatalf("api GET user/profile --jq .user_id: %+v", r)
	}
	acctSame(t, "api margins", acctJSON(t, env, "api", "get", "/user/margins/equity"), acctDirect(t, env, "GET", "/user/margins/equity", nil))

	// Repeated -f keys make a list; a query string in the path is kept.
	ltp := acctJSON(t, env, "api", "GET", "/quote/ltp?i=NSE:RELIANCE", "-f", "i=NSE:INFY", "-f", "i=NSE:SBIN").(map[string]any)
	for _, s := range []string{"NSE:INFY", "NSE:SBIN", "NSE:RELIANCE"} {
		if _, ok := ltp[s]; !ok {
			t.Errorf("api /quote/ltp: %s missing from %v", s, ltp)
		}
	}

	// A CSV endpoint's body is printed as is.
	r = runKite(t, kiteRun{Env: env}, "api", "GET", "/instruments/NSE")
	if want := string(acctDirectRaw(t, env, "GET", "/instruments/NSE", nil)); r.Code != 0 || r.Stdout != want {
		t.Fatalf("api GET /instruments/NSE: exit %d, %d bytes, want the sandbox's %d bytes", r.Code, len(r.Stdout), len(want))
	}

	// Writes: place with -f fields, cancel with DELETE, place with a form
	// body from --input.
	away := ordersAway(t, env, "NSE:SBIN", -0.5)
	placed := acctJSON(t, env, "api", "POST", "/orders/regular", "-f", "exchange=NSE", "-f", "tradingsymbol=SBIN",
		"-f", "transaction_type=BUY", "-f", "quantity=1", "-f", "product=CNC", "-f", "order_type=LIMIT", "-f", "price="+away, "-f", "tag=viaapi").(map[string]any)
	id, _ := placed["order_id"].(string)
	if o := ordersLatest(t, env, id); o["status"] != "OPEN" || o["tag"] != "viaapi" {
		t.Fatalf("api POST /orders/regular: %v", o)
	}
	acctJSON(t, env, "api", "DELETE", "/orders/regular/"+id)
	if o := ordersLatest(t, env, id); o["status"] != "CANCELLED" {
		t.Fatalf("api DELETE: %v", o)
	}
	form := filepath.Join(t.TempDir(), "order.form")
	if err := os.WriteFile(form, []byte("exchange=NSE&tradingsymbol=SBIN&transaction_type=BUY&quantity=2&product=CNC&order_type=LIMIT&price="+away+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	placed = acctJSON(t, env, "api", "POST", "/orders/regular", "--input", form, "-f", "tag=viaform").(map[string]any)
	if o := ordersLatest(t, env, placed["order_id"].(string)); o["quantity"].(json.Number).String() != "2" || o["tag"] != "viaform" {
		t.Fatalf("api --input form: %v", o)
	}

	// A JSON body is sent as JSON (visible in the redacted --debug trace);
	// Kite's errors come back with their exit codes.
	body := filepath.Join(t.TempDir(), "basket.json")
	if err := os.WriteFile(body, []byte(`[{"exchange":"NSE","tradingsymbol":"INFY"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runKite(t, kiteRun{Env: env}, "api", "POST", "/margins/orders", "--input", body, "--debug")
	if r.Code == 0 || !strings.Contains(r.Stderr, "application/json") || strings.Contains(r.Stderr, env["KITE_ACCESS_TOKEN"]) {
		t.Fatalf("api --input JSON: %+v", r)
	}
	r = runKite(t, kiteRun{Env: env}, "api", "GET", "/orders/000000000000001")
	if r.Code == 0 || r.Stdout != "" || !strings.HasPrefix(r.Stderr, "kite: ") {
		t.Fatalf("api GET of an unknown order: %+v", r)
	}
}

func TestE2EAPIUsageErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	env := map[string]string{"KITE_BASE_URL": dead, "KITE_API_KEY": "k", "KITE_ACCESS_TOKEN": "t"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"GET", "/quote/ltp", "-f", "i"}, `malformed field "i"`},
		{[]string{"GET", "/quote/ltp", "-f", "=NSE:INFY"}, "malformed field"},
		{[]string{"FETCH", "/user/profile"}, "unsupported method"},
		{[]string{"GET", "https://api.kite.trade/user/profile"}, "must be an API path"},
		{[]string{"GET", "?i=NSE:INFY"}, "must be an API path"},
		{[]string{"GET", "/user/profile", "--input", "/nonexistent/file"}, "reading --input"},
		{[]string{"GET"}, "a method and a path"},
	} {
		r := runKite(t, kiteRun{Env: env}, append([]string{"api"}, c.args...)...)
		if r.Code != 2 || !strings.Contains(r.Stderr, c.want) {
			t.Errorf("kite api %s: want exit 2 with %q, got %d\n%s", strings.Join(c.args, " "), c.want, r.Code, r.Stderr)
		}
	}
	r := runKite(t, kiteRun{Env: env, Stdin: strings.NewReader("{}")}, "api", "GET", "/user/profile", "--input", "-")
	if r.Code != 2 || !strings.Contains(r.Stderr, "no body") {
		t.Fatalf("GET with a body: %+v", r)
	}
}
