package main

import (
	"testing"
	"time"

	"github.com/kitecli/kite/internal/auth"
	"github.com/kitecli/kite/internal/kitehome"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/sandboxtest"
)

// startTestSandbox starts a sandbox for one test (sandboxtest.NewServer)
// and returns it with the environment that points the kite binary at it
// (for runKite's Env): KITE_BASE_URL, KITE_WS_URL, KITE_API_KEY and a
// fresh KITE_ACCESS_TOKEN. The sandbox is closed when the test ends.
func startTestSandbox(t *testing.T, opts sandbox.Options) (*sandboxtest.Server, map[string]string) {
	t.Helper()
	srv := sandboxtest.NewServer(t, opts)
	return srv, sandboxEnv(srv)
}

// sandboxEnv is the environment that points the kite binary at srv with a
// fresh access token.
func sandboxEnv(srv *sandboxtest.Server) map[string]string {
	return map[string]string{
		"KITE_BASE_URL":     srv.URL(),
		"KITE_WS_URL":       srv.WSURL(),
		"KITE_API_KEY":      sandbox.APIKey,
		"KITE_ACCESS_TOKEN": srv.AccessToken(),
	}
}

// saveSandboxSession writes into env's KITE_HOME, for profile, what kite
// login leaves there after logging in to srv: a Connect session with a
// fresh access token, valid for an hour, tied to srv's URLs.
func saveSandboxSession(t *testing.T, srv *sandboxtest.Server, env map[string]string, profile string) *auth.Store {
	t.Helper()
	dirs, err := kitehome.Resolve(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	store := auth.NewStore(dirs.ProfileDir(profile), profile)
	now := time.Now()
	err = store.Save(auth.Session{Kind: kite.Connect, APIKey: sandbox.APIKey, UserID: sandbox.UserID,
		Token: srv.AccessToken(), LoginTime: now, Expiry: now.Add(time.Hour), BaseURL: srv.URL(), WSURL: srv.WSURL()})
	if err != nil {
		t.Fatal(err)
	}
	return store
}
