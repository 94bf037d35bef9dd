package kite_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/retry"
)

func TestCheckCleartext(t *testing.T) {
	for _, c := range []struct {
		url    string
		refuse bool
	}{
		{"http://127.0.0.1:7777", false},
		{"http://127.45.6.7:80/x", false}, // all of 127.0.0.0/8 is loopback
		{"http://[::1]:7777", false},
		{"http://[::ffff:127.0.0.1]:7777", false},
		{"http://localhost:7777", false},
		{"http://LocalHost.:7777", false},
		{"ws://127.0.0.1:7777/ws", false},
		{"https://api.kite.trade", false},
		{"wss://ws.kite.trade", false},
		{"https://192.0.2.1", false},
		{"http://192.0.2.1", true}, // TEST-NET-1 (RFC 5737)
		{"HTTP://192.0.2.1:7777", true},
		{"ws://192.0.2.1/ws", true},
		{"http://10.0.0.5:7777", true},
		{"http://0.0.0.0:7777", true},
		{"http://[2001:db8::1]:7777", true}, // documentation prefix (RFC 3849)
		{"http://kite.example", true},
		{"http://localhost.example", true},
		{"http://127.0.0.1.nip.example", true},
	} {
		err := kite.CheckCleartext(c.url)
		var ce *kite.CleartextError
		if got := errors.As(err, &ce); got != c.refuse {
			t.Errorf("CheckCleartext(%s) = %v, want refused=%v", c.url, err, c.refuse)
			continue
		}
	}
}

// dialLog is a real transport that remembers every address it dialled.
type dialLog struct {
	mu    sync.Mutex
	addrs []string
}

func (d *dialLog) transport() *http.Transport {
	tr := kite.NewTransport()
	tr.Proxy = nil
	var dialer net.Dialer
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		d.mu.Lock()
		d.addrs = append(d.addrs, addr)
		d.mu.Unlock()
		return dialer.DialContext(ctx, network, addr)
	}
	return tr
}

// A server that redirects to plain http elsewhere gets no second request:
// the guard refuses it before dialling (net/http would otherwise follow
// it), and the refusal is not retried.
func TestCleartextGuardRefusesRedirectBeforeDial(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "http://192.0.2.1/user/profile", http.StatusFound)
	}))
	defer srv.Close()
	dials := &dialLog{}
	c := &kite.Client{
		BaseURL:     srv.URL,
		Credentials: kite.Credentials{Kind: kite.Connect, APIKey: "k", AccessToken: "secret-token-123"},
		HTTPClient:  &http.Client{Transport: &kite.CleartextGuard{Base: dials.transport()}},
		Retry:       retry.Policy{Base: time.Millisecond, Max: time.Millisecond, Attempts: 3},
	}
	_, err := c.DoRaw(context.Background(), http.MethodGet, "/user/profile", nil)
	var ce *kite.CleartextError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a *CleartextError", err)
	}
	if strings.Contains(err.Error(), "secret-token-123") {
		t.Fatalf("the error shows the token: %v", err)
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("the server saw %d requests, want 1 (a refusal is not retried)", n)
	}
	dials.mu.Lock()
	defer dials.mu.Unlock()
	for _, a := range dials.addrs {
		if host, _, _ := net.SplitHostPort(a); !kite.IsLoopbackHost(host) {
			t.Fatalf("dialled %s", a)
		}
	}
	if len(dials.addrs) == 0 {
		t.Fatal("nothing was dialled: the test did not exercise the transport")
	}
}

// The ticker refuses a ws:// URL to another host when it is built, before
// Run could dial; AllowCleartext lets it be built.
func TestTickerRefusesCleartextURL(t *testing.T) {
	creds := kite.Credentials{Kind: kite.Connect, APIKey: "k", AccessToken: "secret-token-123"}
	opts := kite.TickerOptions{URL: "ws://192.0.2.1/ws", Credentials: creds, Handler: &recorder{}}
	_, err := kite.NewTicker(opts)
	var ce *kite.CleartextError
	if !errors.As(err, &ce) || strings.Contains(err.Error(), "secret-token-123") {
		t.Fatalf("NewTicker(ws://192.0.2.1) = %v, want a *CleartextError without the token", err)
	}
	opts.AllowCleartext = true
	if _, err := kite.NewTicker(opts); err != nil {
		t.Fatalf("with AllowCleartext: %v", err)
	}
	opts.AllowCleartext = false
	opts.URL = "ws://127.0.0.1:1/ws"
	if _, err := kite.NewTicker(opts); err != nil {
		t.Fatalf("loopback: %v", err)
	}
}
