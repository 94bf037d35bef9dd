package main

// The proof that GTTs and alerts work end to end: created with the kite
// binary on a sandbox whose market runs fast, they fire when the simulated
// price crosses their levels, and the orders they place are in kite orders
// and arrive on kite stream --orders.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox"
)

func TestE2EGTTAndAlertFireIntoOrdersAndStream(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{Seed: 41, TickInterval: 5 * time.Millisecond,
		RateLimits: sandbox.NoRateLimits(), MarketClock: sandbox.FastClock(6000)})

	// The stream runs first, so it sees the orders as they are placed.
	_, out, _, stderr := startStream(t, env, fmt.Sprint(sandboxToken(t, srv, symINFY)), "--orders", "--mode", "ltp")
	var (
		mu       sync.Mutex
		streamed = map[string]bool{}
	)
	go func() {
		for {
			line, err := out.ReadString('\n')
			if err != nil {
				return
			}
			var rec struct {
				Type string `json:"type"`
				Data struct {
					OrderID string `json:"order_id"`
				} `json:"data"`
			}
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Type == "order" {
				mu.Lock()
				streamed[rec.Data.OrderID] = true
				mu.Unlock()
			}
		}
	}()

	// A two-leg GTT selling the seeded INFY holding 0.5% either side. The
	// market runs so fast that the price kite fetches may already have
	// moved close to a trigger: then kite refuses it (exit 2, "too close"),
	// or, when the price moves after kite's check, the sandbox does (an
	// InputException, exit 1), and the test tries again from the new price.
	var g gttOut
	for attempt := 1; ; attempt++ {
		ltp := ordersLTP(t, env, "NSE:INFY")
		lo, hi := gttPrice(ltp, -0.005), gttPrice(ltp, 0.005)
		r := runKite(t, kiteRun{Env: env}, "gtt", "create", "NSE:INFY", "--sell", "--qty", "1", "--trigger", lo+","+hi,
			"--price", gttPrice(ltp, -0.011)+","+hi, "--yes")
		if r.Code == 0 {
			if err := json.Unmarshal([]byte(r.Stdout), &g); err != nil {
				t.Fatal(err)
			}
			break
		}
		if (r.Code != 2 && r.Code != 1) || !strings.Contains(r.Stderr, "too close") || attempt == 5 {
			t.Fatalf("kite gtt create: exit %d\n%s", r.Code, r.Stderr)
		}
	}
	// Two ATO alerts buying SBIN, 0.2% above and below its price: the
	// walk crosses one of them.
	sbin := ordersLTP(t, env, "NSE:SBIN")
	_, up := alertsRun(t, env, 0, "alerts", "create", "NSE:SBIN", "--operator", ">=", "--value", gttPrice(sbin, 0.002), "--buy", "--qty", "1", "--yes")
	_, down := alertsRun(t, env, 0, "alerts", "create", "NSE:SBIN", "--operator", "<=", "--value", gttPrice(sbin, -0.002), "--buy", "--qty", "1", "--yes")

	var gttOrder, alertOrder string
	deadline := time.Now().Add(45 * time.Second)
	for (gttOrder == "" || alertOrder == "") && time.Now().Before(deadline) {
		if gttOrder == "" {
			_, cur := gttRun(t, env, 0, "gtt", "show", fmt.Sprint(g.ID), "-o", "json")
			for _, o := range cur.Orders {
				if o.Result != nil {
					if cur.Status != "triggered" || o.Result.OrderResult.Status != "success" {
						t.Fatalf("GTT fired as %+v", cur)
					}
					gttOrder = o.Result.OrderResult.OrderID
				}
			}
		}
		if alertOrder == "" {
			for _, a := range []alertOut{up, down} {
				r, _ := alertsRun(t, env, 0, "alerts", "history", a.UUID, "-o", "json")
				var h []struct {
					OrderMeta []struct {
						Status  string `json:"status"`
						OrderID string `json:"order_id"`
					} `json:"order_meta"`
				}
				if err := json.Unmarshal([]byte(r.Stdout), &h); err != nil {
					t.Fatal(err)
				}
				if len(h) > 0 {
					if len(h[0].OrderMeta) != 1 || h[0].OrderMeta[0].Status != "success" {
						t.Fatalf("alert fired as %+v", h)
					}
					alertOrder = h[0].OrderMeta[0].OrderID
					break
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if gttOrder == "" || alertOrder == "" {
		t.Fatalf("within 45s of a fast market: GTT order %q, alert order %q", gttOrder, alertOrder)
	}

	// Both orders are in kite orders …
	r := runKite(t, kiteRun{Env: env}, "orders", "-o", "json")
	if r.Code != 0 || !strings.Contains(r.Stdout, `"order_id": "`+gttOrder+`"`) || !strings.Contains(r.Stdout, `"order_id": "`+alertOrder+`"`) {
		t.Fatalf("kite orders (exit %d) lacks %s or %s:\n%s", r.Code, gttOrder, alertOrder, r.Stdout)
	}
	// … and on the stream.
	for end := time.Now().Add(15 * time.Second); ; {
		mu.Lock()
		ok := streamed[gttOrder] && streamed[alertOrder]
		mu.Unlock()
		if ok {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("kite stream --orders did not show %s and %s; stderr:\n%s", gttOrder, alertOrder, stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// dropWritesProxy forwards everything to target, but answers a matching
// request by forwarding it and then cutting the connection: the write is
// applied, and the client cannot know.
func dropWritesProxy(t *testing.T, target string, match func(*http.Request) bool) (string, *atomic.Int32) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	var n atomic.Int32
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !match(r) {
			rp.ServeHTTP(w, r)
			return
		}
		n.Add(1)
		rp.ServeHTTP(&discardWriter{header: http.Header{}}, r)
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	return "http://" + ln.Addr().String(), &n
}

// A GTT or alert create whose answer is lost after it was sent: kite does
// not send it again, says the outcome is unknown with the command that
// settles it, and exits 8; the sandbox has exactly one.
func TestE2EGTTAndAlertAmbiguousCreateIsNotResent(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{Seed: 42, RateLimits: sandbox.NoRateLimits()})
	proxy, writes := dropWritesProxy(t, srv.URL(), func(r *http.Request) bool {
		return r.Method == http.MethodPost && (r.URL.Path == "/gtt/triggers" || r.URL.Path == "/alerts")
	})
	penv := with2(env, "KITE_BASE_URL", proxy)
	below := gttPrice(ordersLTP(t, env, "NSE:INFY"), -0.03)
	r := runKite(t, kiteRun{Env: penv}, "gtt", "create", "NSE:INFY", "--buy", "--qty", "1", "--trigger", below, "--price", below, "--yes")
	if r.Code != 8 || !strings.Contains(r.Stderr, "outcome is unknown") || !strings.Contains(r.Stderr, "kite gtt") {
		t.Fatalf("gtt create with a lost answer: exit %d\n%s", r.Code, r.Stderr)
	}
	r = runKite(t, kiteRun{Env: penv}, "alerts", "create", "NSE:INFY", "--operator", "<=", "--value", below, "--yes")
	if r.Code != 8 || !strings.Contains(r.Stderr, "outcome is unknown") || !strings.Contains(r.Stderr, "kite alerts") {
		t.Fatalf("alerts create with a lost answer: exit %d\n%s", r.Code, r.Stderr)
	}
	if n := writes.Load(); n != 2 {
		t.Fatalf("%d writes reached the proxy, want 2 (one each, never resent)", n)
	}
	if g, a := len(gttList(t, env)), len(alertsList(t, env)); g != 1 || a != 1 {
		t.Fatalf("the sandbox has %d GTTs and %d alerts, want one each", g, a)
	}
}
