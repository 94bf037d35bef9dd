package kite_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/retry"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/sandboxtest"
)

// fastRetry keeps the tests quick; the sandbox's Retry-After (1 s) still
// wins where it sends one.
var fastRetry = retry.Policy{Base: time.Millisecond, Max: 5 * time.Millisecond, Attempts: 5}

// syncBuffer is a log sink shared by the server's and the client's
// goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testSandbox starts a sandbox whose request log the test can count.
func testSandbox(t *testing.T, opts sandbox.Options) (*sandboxtest.Server, *sandboxtest.RequestLog) {
	t.Helper()
	log := &sandboxtest.RequestLog{}
	opts.Logger = log.Logger()
	return sandboxtest.NewServer(t, opts), log
}

func connectClient(srv *sandboxtest.Server) *kite.Client {
	return &kite.Client{
		BaseURL:     srv.URL(),
		Credentials: kite.Credentials{Kind: kite.Connect, APIKey: sandbox.APIKey, AccessToken: srv.AccessToken()},
		HTTPClient:  &http.Client{Transport: kite.NewTransport()},
		UserAgent:   "kite-test",
		Retry:       fastRetry,
	}
}

func TestRetriesServerErrorsOnGET(t *testing.T) {
	srv, log := testSandbox(t, sandbox.Options{Seed: 7, Faults: sandbox.Faults{ErrorRate: 0.3}, RateLimits: sandbox.NoRateLimits()})
	c := connectClient(srv)
	for i := range 20 {
		var out map[string]json.RawMessage
		if err := c.Do(context.Background(), http.MethodGet, "/quote/ltp", url.Values{"i": {"NSE:INFY"}}, &out); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if _, ok := out["NSE:INFY"]; !ok {
			t.Fatalf("request %d: no NSE:INFY in %v", i, out)
		}
	}
	if n := log.Count("", "/quote/ltp"); n <= 20 {
		t.Fatalf("the sandbox saw %d requests for 20 calls: no fault was injected, the test proves nothing", n)
	}
}

func TestNeverRetriesWrites(t *testing.T) {
	srv, log := testSandbox(t, sandbox.Options{Faults: sandbox.Faults{ErrorRate: 1}})
	c := connectClient(srv)
	err := c.Do(context.Background(), http.MethodPost, "/orders/regular", url.Values{"tradingsymbol": {"INFY"}}, nil)
	var ke *kite.Error
	if !errors.As(err, &ke) || ke.Status < 500 {
		t.Fatalf("err = %v, want the server error itself", err)
	}
	if n := log.Count("", "/orders/regular"); n != 1 {
		t.Fatalf("POST sent %d times, want exactly once", n)
	}
}

func TestNeverRetries403Or400(t *testing.T) {
	srv, log := testSandbox(t, sandbox.Options{})
	c := connectClient(srv)
	_, err := c.DoRaw(context.Background(), http.MethodGet, "/instruments/historical/408065/fortnight", url.Values{"from": {"2024-01-01"}, "to": {"2024-01-02"}})
	// Kite's InputException came after the request: a general error (1),
	// not the 2 of input caught before any request.
	var re *kite.RetryError
	if kite.ErrorTypeOf(err) != kite.InputException || errors.As(err, &re) {
		t.Fatalf("bad interval: err = %v, want Kite's InputException, not retried", err)
	}
	if n := log.Count("", "/instruments/historical/408065/fortnight"); n != 1 {
		t.Fatalf("400 sent %d times, want once", n)
	}
	srv.ExpireSessions()
	err = c.Do(context.Background(), http.MethodGet, "/user/profile", nil, nil)
	if !kite.IsTokenError(err) {
		t.Fatalf("expired session: err = %v, want TokenException", err)
	}
	if n := log.Count("", "/user/profile"); n != 1 {
		t.Fatalf("403 sent %d times, want once", n)
	}
}

func TestRateLimitedHonoursRetryAfterThenExit7(t *testing.T) {
	srv, log := testSandbox(t, sandbox.Options{Faults: sandbox.Faults{RateLimit: true}})
	c := connectClient(srv)
	c.Retry.Attempts = 3
	logs := &syncBuffer{}
	c.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	err := c.Do(context.Background(), http.MethodGet, "/quote/ltp", url.Values{"i": {"NSE:INFY"}}, nil)
	var re *kite.RetryError
	if !errors.As(err, &re) || re.Attempts != 3 || !re.RateLimited() {
		t.Fatalf("err = %v, want a rate-limited RetryError after 3 attempts", err)
	}
	if !strings.Contains(err.Error(), "rate limited") || !strings.Contains(err.Error(), srv.URL()) {
		t.Fatalf("message %q should say rate limited and name the server", err)
	}
	if n := log.Count("", "/quote/ltp"); n != 3 {
		t.Fatalf("sandbox saw %d requests, want 3", n)
	}
	// The policy's own waits are a few milliseconds; each wait logged must
	// be the server's Retry-After of one second.
	waits := 0
	for line := range strings.SplitSeq(strings.TrimSpace(logs.String()), "\n") {
		var rec struct {
			Msg  string
			Wait time.Duration // slog's JSON: nanoseconds
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Msg != "retrying" || rec.Wait < time.Second {
			t.Fatalf("retry log %s: want a wait of at least the Retry-After (1s)", line)
		}
		waits++
	}
	if waits != 2 {
		t.Fatalf("%d retries logged, want 2", waits)
	}
}

func TestConnectionRefusedNamesTheURL(t *testing.T) {
	c := &kite.Client{BaseURL: "http://127.0.0.1:1", Retry: retry.Policy{Base: time.Millisecond, Max: time.Millisecond, Attempts: 3},
		HTTPClient: &http.Client{Transport: kite.NewTransport()}}
	err := c.Do(context.Background(), http.MethodGet, "/user/profile", nil, nil)
	want := "cannot reach http://127.0.0.1:1: connection refused (after 3 attempts)"
	var re *kite.RetryError
	if err == nil || err.Error() != want || !errors.As(err, &re) || re.RateLimited() {
		t.Fatalf("err = %v, want a RetryError %q, not rate-limited", err, want)
	}
}

func TestContextCancelStopsRetrying(t *testing.T) {
	c := &kite.Client{BaseURL: "http://127.0.0.1:1", Retry: retry.Policy{Base: time.Hour, Max: time.Hour, Attempts: 5},
		HTTPClient: &http.Client{Transport: kite.NewTransport()}}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	err := c.Do(ctx, http.MethodGet, "/user/profile", nil, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled in its chain", err)
	}
}

// The sandbox always answers well-formed envelopes, so these edge cases
// need a server that misbehaves on purpose.
func TestMalformedResponses(t *testing.T) {
	var hits sync.Map
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := hits.LoadOrStore(r.URL.Path, new(int))
		*(n.(*int))++
		switch r.URL.Path {
		case "/garbage":
			w.Write([]byte("<html>not json</html>"))
		case "/truncated":
			w.Header().Set("Content-Length", "100")
			w.Write([]byte(`{"status":"success"`))
		case "/bare502":
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte("bad gateway"))
		}
	}))
	defer ts.Close()
	c := &kite.Client{BaseURL: ts.URL, Retry: retry.Policy{Base: time.Millisecond, Max: time.Millisecond, Attempts: 2}}
	count := func(p string) int {
		n, _ := hits.Load(p)
		return *(n.(*int))
	}

	err := c.Do(context.Background(), http.MethodGet, "/garbage", nil, &struct{}{})
	if err == nil || !strings.Contains(err.Error(), "decoding Kite response") || count("/garbage") != 1 {
		t.Fatalf("garbage 200: err = %v after %d requests, want a decode error after 1", err, count("/garbage"))
	}
	err = c.Do(context.Background(), http.MethodGet, "/truncated", nil, nil)
	var re *kite.RetryError
	if !errors.As(err, &re) || re.RateLimited() || count("/truncated") != 2 {
		t.Fatalf("truncated body: err = %v after %d requests, want exit 6 after 2", err, count("/truncated"))
	}
	err = c.Do(context.Background(), http.MethodGet, "/bare502", nil, nil)
	if kite.ErrorTypeOf(err) != kite.DataException || !errors.As(err, &re) || re.RateLimited() || count("/bare502") != 2 {
		t.Fatalf("502: err = %v after %d requests", err, count("/bare502"))
	}
}

func TestClientRateLimitKeepsUnderSandboxLimit(t *testing.T) {
	srv, _ := testSandbox(t, sandbox.Options{})
	for _, limited := range []bool{false, true} {
		c := connectClient(srv)
		c.Retry = retry.Policy{Attempts: 1}
		if limited {
			c.Limits = kite.NewRateLimiter(kite.DefaultRateTable())
		}
		var got429 bool
		for range 3 {
			_, err := c.Quote(context.Background(), kite.QuoteLTP, []string{"NSE:INFY"})
			if re := (*kite.RetryError)(nil); errors.As(err, &re) && re.RateLimited() {
				got429 = true
			} else if err != nil {
				t.Fatal(err)
			}
		}
		if got429 == limited {
			t.Fatalf("client limits %v: got a 429 = %v", limited, got429)
		}
		time.Sleep(1100 * time.Millisecond) // let the sandbox's bucket refill
	}
}

func TestDebugTraceRedactsSecrets(t *testing.T) {
	srv, _ := testSandbox(t, sandbox.Options{})
	trace := &syncBuffer{}
	token := srv.AccessToken()
	c := connectClient(srv)
	c.Credentials.AccessToken = token
	c.HTTPClient = &http.Client{Transport: &kite.DebugTransport{Base: kite.NewTransport(),
		Logger: slog.New(slog.NewTextHandler(trace, &slog.HandlerOptions{Level: slog.LevelDebug}))}}
	secrets := map[string]string{"request_token": "rt-secret-123", "checksum": "cs-secret-456", "api_key": sandbox.APIKey}
	form := url.Values{}
	for k, v := range secrets {
		form.Set(k, v)
	}
	_ = c.Do(context.Background(), http.MethodPost, "/session/token", form, nil)
	_ = c.Do(context.Background(), http.MethodGet, "/user/profile", url.Values{"enctoken": {"enc-secret-789"}}, nil)
	out := trace.String()
	for _, s := range []string{token, "rt-secret-123", "cs-secret-456", "enc-secret-789", sandbox.APISecret} {
		if strings.Contains(out, s) {
			t.Fatalf("trace leaks %q:\n%s", s, out)
		}
	}
	for _, want := range []string{"checksum=REDACTED", "request_token=REDACTED", "enctoken=REDACTED", "api_key=" + sandbox.APIKey, "token REDACTED", "status=200"} {
		if !strings.Contains(out, want) {
			t.Fatalf("trace lacks %q:\n%s", want, out)
		}
	}
}

func TestUserAgentAndVersionHeaders(t *testing.T) {
	got := make(chan http.Header, 1)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
		fmt.Fprint(w, `{"status":"success","data":{}}`)
	}))
	defer ts.Close()
	c := &kite.Client{BaseURL: ts.URL, UserAgent: "kite-cli/v9", Credentials: kite.Credentials{Kind: kite.Web, EncToken: "e"}}
	if err := c.Do(context.Background(), http.MethodGet, "/x", nil, nil); err != nil {
		t.Fatal(err)
	}
	h := <-got
	if h.Get("User-Agent") != "kite-cli/v9" || h.Get("X-Kite-Version") != "3" || h.Get("Authorization") != "enctoken e" {
		t.Fatalf("headers %v", h)
	}
}

// A certificate the client does not trust is not retried: it will not
// change between attempts. (The sandbox speaks plain HTTP on loopback.)
func TestUntrustedCertificateNotRetried(t *testing.T) {
	var hits int
	var mu sync.Mutex
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
	}))
	defer ts.Close()
	c := &kite.Client{BaseURL: ts.URL, HTTPClient: &http.Client{Transport: kite.NewTransport()},
		Retry: retry.Policy{Base: time.Millisecond, Max: time.Millisecond, Attempts: 5}}
	err := c.Do(context.Background(), http.MethodGet, "/user/profile", nil, nil)
	var re *kite.RetryError
	if err == nil || errors.As(err, &re) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("err = %v, want the certificate error after one attempt", err)
	}
	if hits != 0 {
		t.Fatalf("handler reached %d times through an untrusted certificate", hits)
	}
}
