package kite_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/auth"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/retry"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/sandboxtest"
	"github.com/kitecli/kite/pkg/ticks"
)

func TestTickerURL(t *testing.T) {
	connect := kite.Credentials{Kind: kite.Connect, APIKey: "key1", AccessToken: "sekret/tok"}
	web := kite.Credentials{Kind: kite.Web, UserID: "AB1234", EncToken: "enc+tok=="}
	cases := []struct {
		name string
		base string
		c    kite.Credentials
		want string
	}{
		{"connect default", "", connect, "wss://ws.kite.trade?access_token=sekret%2Ftok&api_key=key1"},
		{"web default", "", web, "wss://ws.zerodha.com/?agent=kite3-web&api_key=kitefront&enctoken=enc%2Btok%3D%3D&user_id=AB1234&version=3.0.0"},
		{"sandbox override", "ws://127.0.0.1:9999/ws", connect, "ws://127.0.0.1:9999/ws?access_token=sekret%2Ftok&api_key=key1"},
		{"override keeps its query", "ws://h:1/ws?x=1", connect, "ws://h:1/ws?access_token=sekret%2Ftok&api_key=key1&x=1"},
	}
	for _, c := range cases {
		got, err := kite.TickerURL(c.base, c.c)
		if err != nil || got != c.want {
			t.Errorf("%s: TickerURL = %q, %v; want %q", c.name, got, err, c.want)
		}
	}
	var bad *kite.TickerURLError
	if _, err := kite.TickerURL("https://x", connect); !errors.As(err, &bad) || bad.URL != "https://x" {
		t.Errorf("https base: err %v, want a *TickerURLError", err)
	}
	if _, err := kite.TickerURL("", kite.Credentials{Kind: kite.Connect, APIKey: "k"}); !errors.Is(err, kite.ErrNoSession) {
		t.Errorf("no access token: err %v, want ErrNoSession", err)
	}
	if _, err := kite.TickerURL("", kite.Credentials{}); !errors.Is(err, kite.ErrNoSession) {
		t.Errorf("no session: err %v, want ErrNoSession", err)
	}
}

func TestTickerSharding(t *testing.T) {
	tk := newTestTicker(t, "ws://127.0.0.1:1/ws", &recorder{})
	toks := make([]uint32, 7000)
	for i := range toks {
		toks[i] = uint32(i + 1)
	}
	if err := tk.Subscribe(context.Background(), ticks.ModeFull, toks...); err != nil {
		t.Fatal(err)
	}
	if n := tk.Conns(); n != 3 {
		t.Errorf("7000 tokens on %d connections, want 3", n)
	}
	// Re-subscribing known tokens (a mode change) takes no room.
	if err := tk.Subscribe(context.Background(), ticks.ModeLTP, toks[:100]...); err != nil {
		t.Fatal(err)
	}
	more := make([]uint32, 2000)
	for i := range more {
		more[i] = uint32(10000 + i)
	}
	if err := tk.Subscribe(context.Background(), ticks.ModeLTP, more...); err != nil {
		t.Fatalf("9000 tokens: %v", err)
	}
	if err := tk.Subscribe(context.Background(), ticks.ModeLTP, 99999); !errors.Is(err, kite.ErrTickerFull) {
		t.Fatalf("9001st token: err %v, want ErrTickerFull", err)
	}
}

// recorder is a TickerHandler that keeps what it was given.
type recorder struct {
	mu      sync.Mutex
	events  []kite.TickerEvent
	session int                           // connected events so far
	seen    map[int]map[uint32]ticks.Mode // per session: token → mode of its last tick
	ticks   int
	texts   []string
	onTick  func(n int) error
}

func (r *recorder) Binary(conn int, msg []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	it := ticks.NewIter(msg)
	var tk ticks.Tick
	for it.Next(&tk) {
		if r.seen == nil {
			r.seen = map[int]map[uint32]ticks.Mode{}
		}
		if r.seen[r.session] == nil {
			r.seen[r.session] = map[uint32]ticks.Mode{}
		}
		r.seen[r.session][tk.InstrumentToken] = tk.Mode
		r.ticks++
	}
	if r.onTick != nil {
		return r.onTick(r.ticks)
	}
	return nil
}

func (r *recorder) Text(conn int, msg []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.texts = append(r.texts, string(msg))
	return nil
}

func (r *recorder) Event(ev kite.TickerEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ev.Kind == kite.EventConnected {
		r.session++
	}
	r.events = append(r.events, ev)
	return nil
}

func (r *recorder) count(kind kite.EventKind) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

func newTestTicker(t *testing.T, wsURL string, h kite.TickerHandler) *kite.Ticker {
	t.Helper()
	return newTestTickerWith(t, wsURL, kite.Credentials{Kind: kite.Connect, APIKey: sandbox.APIKey, AccessToken: "not-a-real-token"}, h, 5)
}

func newTestTickerWith(t *testing.T, wsURL string, c kite.Credentials, h kite.TickerHandler, attempts int) *kite.Ticker {
	t.Helper()
	tk, err := kite.NewTicker(kite.TickerOptions{
		URL:         wsURL,
		Credentials: c,
		Reconnect:   retry.Policy{Base: 5 * time.Millisecond, Max: 20 * time.Millisecond, Attempts: attempts},
		Watchdog:    300 * time.Millisecond,
		Handler:     h,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func startSandbox(t *testing.T, opts sandbox.Options) (*sandboxtest.Server, kite.Credentials) {
	t.Helper()
	if opts.TickInterval == 0 {
		opts.TickInterval = 10 * time.Millisecond
	}
	srv := sandboxtest.NewServer(t, opts)
	return srv, kite.Credentials{Kind: kite.Connect, APIKey: sandbox.APIKey, AccessToken: srv.AccessToken()}
}

// sandboxTokens lists a few instrument tokens of the sandbox's universe,
// fetched the way a client would, from its /instruments dump.
func sandboxTokens(t *testing.T, srv *sandboxtest.Server, c kite.Credentials, n int) []uint32 {
	t.Helper()
	cl := &kite.Client{BaseURL: srv.URL(), Credentials: c, HTTPClient: http.DefaultClient}
	raw, err := cl.DoRaw(context.Background(), http.MethodGet, "/instruments/NSE", nil)
	if err != nil {
		t.Fatal(err)
	}
	insts, err := kite.ParseInstrumentsCSV(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(insts) < n {
		t.Fatalf("sandbox has %d NSE instruments, want %d", len(insts), n)
	}
	out := make([]uint32, n)
	for i := range out {
		out[i] = insts[i].InstrumentToken
	}
	return out
}

// A connection dropped again and again is re-established, and each new
// connection carries every instrument again in the mode it was asked in.
func TestTickerReplaysSubscriptionsAfterDrops(t *testing.T) {
	srv, creds := startSandbox(t, sandbox.Options{Faults: sandbox.Faults{DropEvery: 250 * time.Millisecond}})
	toks := sandboxTokens(t, srv, creds, 4)
	rec := &recorder{}
	tk := newTestTickerWith(t, srv.WSURL(), creds, rec, 5)
	ctx := context.Background()
	if err := tk.Subscribe(ctx, ticks.ModeLTP, toks[:2]...); err != nil {
		t.Fatal(err)
	}
	if err := tk.Subscribe(ctx, ticks.ModeFull, toks[2:]...); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(ctx)
	rec.onTick = func(int) error {
		if rec.session >= 4 && len(rec.seen[rec.session]) == len(toks) {
			cancel()
		}
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- tk.Run(ctx) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run = %v, want context.Canceled", err)
		}
	case <-time.After(15 * time.Second):
		cancel()
		t.Fatalf("no fourth session with every instrument; events: %+v", rec.events)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for s := 2; s <= rec.session; s++ {
		got := rec.seen[s]
		if s < rec.session && len(got) != len(toks) {
			t.Errorf("session %d ticked %d of %d instruments", s, len(got), len(toks))
		}
		for tok, m := range got {
			want := ticks.ModeFull
			if tok == toks[0] || tok == toks[1] {
				want = ticks.ModeLTP
			}
			if m != want {
				t.Errorf("session %d: token %d ticked in mode %v, want %v", s, tok, m, want)
			}
		}
	}
}

// A connection that goes silent (no data, no heartbeat) is closed by the
// watchdog and replaced.
func TestTickerWatchdogReconnects(t *testing.T) {
	srv, creds := startSandbox(t, sandbox.Options{Faults: sandbox.Faults{Stall: time.Hour}})
	toks := sandboxTokens(t, srv, creds, 1)
	rec := &recorder{}
	tk := newTestTickerWith(t, srv.WSURL(), creds, rec, 50)
	if err := tk.Subscribe(context.Background(), ticks.ModeQuote, toks...); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	rec.onTick = func(int) error { cancel(); return nil }
	done := make(chan error, 1)
	go func() { done <- tk.Run(ctx) }()
	for rec.count(kite.EventReconnecting) == 0 && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	srv.SetFaults(sandbox.Faults{})
	<-done
	if rec.ticks == 0 {
		t.Fatalf("no ticks after the stall ended; events %+v", rec.events)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var sawWatchdog bool
	for _, e := range rec.events {
		if e.Kind == kite.EventDisconnected && e.Err != nil && strings.Contains(e.Err.Error(), "watchdog") {
			sawWatchdog = true
		}
	}
	if !sawWatchdog {
		t.Errorf("no disconnect blamed on the watchdog: %+v", rec.events)
	}
}

// An expired session ends Run at once with a TokenException (exit 3), and
// the error never shows the token.
func TestTickerExpiredSession(t *testing.T) {
	srv, creds := startSandbox(t, sandbox.Options{})
	toks := sandboxTokens(t, srv, creds, 1)
	rec := &recorder{}
	tk := newTestTickerWith(t, srv.WSURL(), creds, rec, 50)
	if err := tk.Subscribe(context.Background(), ticks.ModeQuote, toks...); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	rec.onTick = func(int) error { once.Do(func() { go srv.ExpireSessions() }); return nil }
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err := tk.Run(ctx)
	if !kite.IsTokenError(err) {
		t.Fatalf("Run = %v, want a TokenException", err)
	}
	if strings.Contains(err.Error(), creds.AccessToken) {
		t.Fatalf("error shows the access token: %v", err)
	}
	// The advice is the caller's: only it knows whether the session came
	// from a cache (log in again) or a variable (export a fresh one), and
	// two pieces of advice contradict each other.
	if strings.Contains(err.Error(), "kite login") {
		t.Errorf("the library gives advice the CLI will repeat or contradict: %v", err)
	}
}

// A server that is gone costs the reconnect budget, then exit 6; no error
// along the way shows the token.
func TestTickerGivesUpWithNetworkExit(t *testing.T) {
	srv, creds := startSandbox(t, sandbox.Options{})
	ws := srv.WSURL()
	srv.Close()
	rec := &recorder{}
	tk := newTestTickerWith(t, ws, creds, rec, 3)
	if err := tk.Subscribe(context.Background(), ticks.ModeQuote, 256265); err != nil {
		t.Fatal(err)
	}
	err := tk.Run(context.Background())
	var ex *retry.ExhaustedError
	var ne *kite.NetworkError
	if !errors.As(err, &ne) || !errors.As(err, &ex) || ex.Attempts != 3 {
		t.Fatalf("Run = %v, want a NetworkError, exhausted after 3 attempts", err)
	}
	if rec.count(kite.EventReconnecting) != 2 {
		t.Errorf("%d reconnect events, want 2", rec.count(kite.EventReconnecting))
	}
	for _, e := range append(rec.events, kite.TickerEvent{Err: err}) {
		if e.Err != nil && strings.Contains(e.Err.Error(), creds.AccessToken) {
			t.Fatalf("error shows the access token: %v", e.Err)
		}
	}
	if !strings.Contains(err.Error(), "access_token="+kite.Redacted) {
		t.Errorf("error does not name the (redacted) URL: %v", err)
	}
}

// A refused upgrade with a bad token is fatal at once.
func TestTickerBadTokenIsFatal(t *testing.T) {
	srv, _ := startSandbox(t, sandbox.Options{})
	rec := &recorder{}
	tk := newTestTickerWith(t, srv.WSURL(), kite.Credentials{Kind: kite.Connect, APIKey: sandbox.APIKey, AccessToken: "wrongtoken123"}, rec, 50)
	if err := tk.Subscribe(context.Background(), ticks.ModeQuote, 256265); err != nil {
		t.Fatal(err)
	}
	err := tk.Run(context.Background())
	if !kite.IsTokenError(err) || strings.Contains(err.Error(), "wrongtoken123") {
		t.Fatalf("Run = %v, want a TokenException without the token", err)
	}
	if n := rec.count(kite.EventReconnecting); n != 0 {
		t.Errorf("%d reconnects after a 403, want none", n)
	}
}

// A handler's error stops every connection and comes back from Run.
func TestTickerHandlerErrorStops(t *testing.T) {
	srv, creds := startSandbox(t, sandbox.Options{})
	toks := sandboxTokens(t, srv, creds, 2)
	stop := errors.New("enough")
	rec := &recorder{}
	rec.onTick = func(n int) error {
		if n >= 5 {
			return stop
		}
		return nil
	}
	tk := newTestTickerWith(t, srv.WSURL(), creds, rec, 50)
	if err := tk.Subscribe(context.Background(), ticks.ModeFull, toks...); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := tk.Run(ctx); !errors.Is(err, stop) {
		t.Fatalf("Run = %v, want the handler's error", err)
	}
}

// A Kite web session (user_id + enctoken, api_key=kitefront) streams too.
func TestTickerWebSession(t *testing.T) {
	srv, creds := startSandbox(t, sandbox.Options{})
	toks := sandboxTokens(t, srv, creds, 2)
	ac := &auth.Client{Root: srv.URL()}
	sess, err := ac.WebLogin(context.Background(), sandbox.UserID, sandbox.Password, auth.TOTPFromSecret(sandbox.TOTPSecret, time.Now))
	if err != nil {
		t.Fatal(err)
	}
	web := sess.Credentials()
	if web.Kind != kite.Web || web.EncToken == "" {
		t.Fatalf("web login gave %v credentials", web.Kind)
	}
	rec := &recorder{}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	rec.onTick = func(n int) error {
		if n >= 4 {
			cancel()
		}
		return nil
	}
	tk := newTestTickerWith(t, srv.WSURL(), web, rec, 1)
	if err := tk.Subscribe(ctx, ticks.ModeQuote, toks...); err != nil {
		t.Fatal(err)
	}
	if err := tk.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want ticks until cancelled", err)
	}
}

// Unsubscribing on a live connection stops the instrument's ticks, and a
// reconnect does not bring it back.
func TestTickerUnsubscribe(t *testing.T) {
	srv, creds := startSandbox(t, sandbox.Options{Faults: sandbox.Faults{DropEvery: 400 * time.Millisecond}})
	toks := sandboxTokens(t, srv, creds, 2)
	rec := &recorder{}
	tk := newTestTickerWith(t, srv.WSURL(), creds, rec, 5)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := tk.Subscribe(ctx, ticks.ModeLTP, toks...); err != nil {
		t.Fatal(err)
	}
	unsubscribed := make(chan int, 1)
	rec.onTick = func(int) error {
		switch {
		case rec.session == 1 && len(rec.seen[1]) == 2 && len(unsubscribed) == 0:
			go func() {
				if err := tk.Unsubscribe(ctx, toks[0]); err != nil {
					t.Error(err)
				}
				rec.mu.Lock()
				unsubscribed <- rec.session
				rec.mu.Unlock()
			}()
		case rec.session >= 3:
			cancel()
		}
		return nil
	}
	if err := tk.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v; events %+v", err, rec.events)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for s := 2; s <= rec.session; s++ {
		if _, ok := rec.seen[s][toks[0]]; ok {
			t.Errorf("session %d: the unsubscribed token ticked", s)
		}
		if _, ok := rec.seen[s][toks[1]]; !ok && s < rec.session {
			t.Errorf("session %d: the other token did not tick", s)
		}
	}
}

// SetMode on a live connection switches the instrument's ticks to the new
// mode, and a reconnect keeps the new mode.
func TestTickerSetModeLive(t *testing.T) {
	srv, creds := startSandbox(t, sandbox.Options{Faults: sandbox.Faults{DropEvery: 500 * time.Millisecond}})
	toks := sandboxTokens(t, srv, creds, 1)
	rec := &recorder{}
	tk := newTestTickerWith(t, srv.WSURL(), creds, rec, 5)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := tk.Subscribe(ctx, ticks.ModeLTP, toks...); err != nil {
		t.Fatal(err)
	}
	var modes []ticks.Mode // the mode of every tick, in order
	changed := false
	rec.onTick = func(int) error {
		modes = append(modes, rec.seen[rec.session][toks[0]])
		if !changed && len(modes) == 3 {
			changed = true
			go func() {
				if err := tk.SetMode(ctx, ticks.ModeFull, toks...); err != nil {
					t.Error(err)
				}
			}()
		}
		if rec.session >= 2 && len(modes) > 3 && modes[len(modes)-1] == ticks.ModeFull {
			cancel()
		}
		return nil
	}
	if err := tk.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v; modes %v", err, modes)
	}
	// ltp first, then full from some tick on, never back to ltp.
	i := 0
	for i < len(modes) && modes[i] == ticks.ModeLTP {
		i++
	}
	if i < 3 {
		t.Fatalf("first ticks not in ltp: %v", modes)
	}
	for _, m := range modes[i:] {
		if m != ticks.ModeFull {
			t.Fatalf("mode went back after SetMode (and a reconnect): %v", modes)
		}
	}
}
