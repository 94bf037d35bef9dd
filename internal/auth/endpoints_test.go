package auth

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
)

func TestEndpointsResolve(t *testing.T) {
	for _, c := range []struct {
		kind     kite.SessionKind
		in, want Endpoints
	}{
		{kite.Connect, Endpoints{}, Endpoints{"https://api.kite.trade", "wss://ws.kite.trade"}},
		{kite.Web, Endpoints{}, Endpoints{"https://kite.zerodha.com", "wss://ws.zerodha.com"}},
		{kite.Connect, Endpoints{"HTTP://127.0.0.1:7777/", "ws://127.0.0.1:7777/ws/"}, Endpoints{"http://127.0.0.1:7777", "ws://127.0.0.1:7777/ws"}},
		{kite.Connect, Endpoints{"https://API.kite.trade:443", "wss://ws.kite.trade:443/"}, Endpoints{"https://api.kite.trade", "wss://ws.kite.trade"}},
		{kite.Connect, Endpoints{"http://localhost:80", ""}, Endpoints{"http://localhost", "wss://ws.kite.trade"}},
	} {
		if got := c.in.Resolve(c.kind); got != c.want {
			t.Errorf("%+v.Resolve(%s) = %+v, want %+v", c.in, c.kind, got, c.want)
		}
	}
}

// Issue 10, item 11: a sandbox session cached in "default" was sent to
// api.kite.trade.
func TestCheckServer(t *testing.T) {
	login := ist("2026-11-21T09:00:00+05:30")
	sandboxSess := connectSession("tok", login)
	sandboxSess.BaseURL, sandboxSess.WSURL = "http://127.0.0.1:7777", "ws://127.0.0.1:7777/ws"
	old := connectSession("tok", login) // written before kite recorded servers

	for _, c := range []struct {
		name    string
		sess    Session
		base    string
		wantErr string // "" = accepted
	}{
		{"same server", sandboxSess, "http://127.0.0.1:7777", ""},
		{"same server, other spelling", sandboxSess, "http://127.0.0.1:7777/", ""},
		{"Kite's default", sandboxSess, "", "was made for http://127.0.0.1:7777, not https://api.kite.trade"},
		{"another sandbox", sandboxSess, "http://127.0.0.1:7778", "not http://127.0.0.1:7778"},
		{"old file on Kite", old, "", ""},
		{"old file on Kite, spelled out", old, "https://api.kite.trade/", ""},
		{"old file on a sandbox", old, "http://127.0.0.1:7777", "saved before kite recorded servers"},
	} {
		err := c.sess.CheckServer("default", c.base)
		if c.wantErr == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		var sm *ServerMismatchError
		if !errors.As(err, &sm) || exitcode.Code(err) != exitcode.Auth || !strings.Contains(err.Error(), c.wantErr) ||
			!strings.Contains(err.Error(), "run kite login") || !strings.Contains(err.Error(), "--profile") {
			t.Errorf("%s: got %v (exit %d), want exit 3 with %q, kite login and --profile", c.name, err, exitcode.Code(err), c.wantErr)
		}
		if strings.Contains(err.Error(), "tok") {
			t.Errorf("%s: the error shows the token: %v", c.name, err)
		}
	}

	if err := sandboxSess.CheckTicker("default", "ws://127.0.0.1:7777/ws"); err != nil {
		t.Errorf("same ticker: %v", err)
	}
	err := sandboxSess.CheckTicker("default", "")
	if err == nil || !strings.Contains(err.Error(), "was made for ws://127.0.0.1:7777/ws, not wss://ws.kite.trade") || !strings.Contains(err.Error(), "--ws-url") {
		t.Errorf("ticker on Kite: %v", err)
	}
}

// The server goes into the file and comes back.
func TestSaveLoadKeepsServer(t *testing.T) {
	login := ist("2026-11-21T09:00:00+05:30")
	s := newStore(t, login.Add(time.Hour))
	want := connectSession("tok", login)
	want.BaseURL, want.WSURL = "http://127.0.0.1:7777", "ws://127.0.0.1:7777/ws"
	if err := s.Save(want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load()
	if err != nil || got.BaseURL != "http://127.0.0.1:7777" || got.WSURL != "ws://127.0.0.1:7777/ws" {
		t.Fatalf("loaded %+v, %v", got, err)
	}
}
