package main

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/auth"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/sandboxtest"
)

// Failures are tool errors carrying Kite's message and the next step; the
// server lives on after each (the next call is answered).

func TestMCPDeadSessionIsToolError(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{})

	bad := map[string]string{"KITE_BASE_URL": env["KITE_BASE_URL"], "KITE_API_KEY": env["KITE_API_KEY"], "KITE_ACCESS_TOKEN": "notatoken"}
	cs, _ := mcpSession(t, bad, MCPOptions{})
	callErr(t, cs, "profile", nil, "session expired or invalid", "KITE_ACCESS_TOKEN", "kite login")

	// A session that was good and expires under the server (the sandbox
	// expires it as Kite does at 06:00).
	cs, _ = mcpSession(t, env, MCPOptions{})
	callOK[map[string]any](t, cs, "profile", nil)
	srv.ExpireSessions()
	callErr(t, cs, "holdings", nil, "session expired or invalid", "TokenException", "kite login")
	callErr(t, cs, "quote", map[string]any{"symbols": []string{"NSE:INFY"}}, "session expired or invalid", "kite login")
}

func TestMCPRateLimitIsToolError(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{})
	env["KITE_RETRY_ATTEMPTS"] = "2"
	env["KITE_RETRY_BASE"] = "10ms"
	env["KITE_RETRY_MAX"] = "10ms"
	cs, _ := mcpSession(t, env, MCPOptions{})
	callOK[map[string]any](t, cs, "profile", nil)
	srv.SetFaults(sandbox.Faults{RateLimit: true})
	callErr(t, cs, "positions", nil, "rate limited by Kite", "wait a minute")
	srv.SetFaults(sandbox.Faults{})
	callOK[map[string]any](t, cs, "positions", nil)
}

func TestMCPNetworkFailureIsToolError(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	env := map[string]string{"KITE_BASE_URL": srv.URL(), "KITE_API_KEY": sandbox.APIKey, "KITE_ACCESS_TOKEN": srv.AccessToken(),
		"KITE_RETRY_ATTEMPTS": "2", "KITE_RETRY_BASE": "10ms", "KITE_RETRY_MAX": "10ms"}
	cs, _ := mcpSession(t, env, MCPOptions{})
	callOK[map[string]any](t, cs, "profile", nil)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	callErr(t, cs, "margins", nil, "network failure", "cannot reach", "check the internet connection")
	callErr(t, cs, "orders", nil, "network failure")
}

func TestMCPTimeoutIsToolError(t *testing.T) {
	// A server that accepts and never answers: Kite stalled.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	stalled := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			stalled <- c // held open, never read or answered
		}
	}()
	t.Cleanup(func() {
		for len(stalled) > 0 {
			(<-stalled).Close()
		}
	})
	env := map[string]string{"KITE_BASE_URL": "http://" + ln.Addr().String(), "KITE_API_KEY": sandbox.APIKey, "KITE_ACCESS_TOKEN": "token"}
	cs, _ := mcpSession(t, env, MCPOptions{CallTimeout: 500 * time.Millisecond})
	callErr(t, cs, "profile", nil, "timed out", "deadline of 500ms", "call again")
	callErr(t, cs, "quote", map[string]any{"symbols": []string{"NSE:INFY"}}, "timed out")
	// The server is alive: it answers the protocol.
	if err := cs.Ping(context.Background(), nil); err != nil {
		t.Fatalf("ping after timeouts: %v", err)
	}
}

// The session of kite's cache: when it dies, the cache is removed and the
// error says to log in; once the user has logged in again, the running
// server uses the new session (no restart).
func TestMCPCachedSessionDiesAndRebinds(t *testing.T) {
	srv, sbEnv := startTestSandbox(t, sandbox.Options{})
	env := map[string]string{"KITE_BASE_URL": sbEnv["KITE_BASE_URL"], "KITE_HOME": t.TempDir()}
	// what kite login leaves in the cache
	login := func() *auth.Store { return saveSandboxSession(t, srv, env, "default") }
	store := login()
	cs, _ := mcpSession(t, env, MCPOptions{})
	callOK[map[string]any](t, cs, "profile", nil)

	srv.ExpireSessions()
	callErr(t, cs, "profile", nil, "session expired or invalid", "its cache was removed", "kite login")
	if _, err := store.Load(); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("the dead session is still cached: %v", err)
	}
	callErr(t, cs, "holdings", nil, "session expired or invalid", `no session for profile "default": run kite login`)

	login()
	prof := callOK[struct {
		UserID string `json:"user_id"`
	}](t, cs, "profile", nil)
	if prof.UserID != sandbox.UserID {
		t.Errorf("after logging in again profile user_id = %q, want %q", prof.UserID, sandbox.UserID)
	}
}
