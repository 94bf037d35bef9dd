package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/sandboxtest"
)

// TestE2EAuthStatus logs in a Connect profile and a web profile against
// the sandbox, plants an expired and a corrupt one, and checks kite auth
// status (and kite profiles) list them all, changing nothing and never
// showing a token.
func TestE2EAuthStatus(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	env := authEnv(t, srv)
	mustCode(t, runKite(t, kiteRun{Env: with(env, "KITE_API_SECRET", sandbox.APISecret)},
		"login", "--api-key", sandbox.APIKey, "--request-token", srv.RequestToken(t)), 0)
	mustCode(t, runKite(t, kiteRun{Env: with(env, "KITE_PASSWORD", sandbox.Password, "KITE_TOTP_SECRET", sandbox.TOTPSecret)},
		"login", "--web", "--user-id", sandbox.UserID, "--profile", "webby"), 0)
	connectToken := readCache(t, env, "default").Token
	webToken := readCache(t, env, "webby").Token

	plant := func(profile, content string) string {
		path := sessionFile(env, profile)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	plant("old", `{"kind":"connect","api_key":"kitesandbox","user_id":"AB1234","token":"oldsecrettoken","login_time":"2020-01-01T10:00:00+05:30","expiry":"2020-01-02T06:00:00+05:30","base_url":"https://api.kite.trade","ws_url":"wss://ws.kite.trade"}`)
	bad := plant("broken", `{garbage`)

	r := runKite(t, kiteRun{Env: with(env, "KITE_PROFILE", "webby")}, "auth", "status", "-o", "json")
	mustCode(t, r, 0)
	for _, secret := range []string{connectToken, webToken, "oldsecrettoken"} {
		if strings.Contains(r.Stdout+r.Stderr, secret) {
			t.Fatalf("a token was printed:\n%s%s", r.Stdout, r.Stderr)
		}
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &rows); err != nil {
		t.Fatalf("auth status -o json: %v\n%s", err, r.Stdout)
	}
	type want struct{ kind, user, server, expiry, status string }
	wants := map[string]want{
		"broken":  {"", "", "", "", "unreadable"},
		"default": {"connect", sandbox.UserID, srv.URL(), "06:00:00+05:30", "valid"},
		"old":     {"connect", "AB1234", "https://api.kite.trade", "2020-01-02T06:00:00+05:30", "expired"},
		"webby":   {"web", sandbox.UserID, srv.URL(), "06:00:00+05:30", "valid"},
	}
	if len(rows) != len(wants) {
		t.Fatalf("want %d profiles, got %s", len(wants), r.Stdout)
	}
	for i, name := range []string{"broken", "default", "old", "webby"} { // sorted by name
		row, w := rows[i], wants[name]
		str := func(k string) string { s, _ := row[k].(string); return s }
		if str("profile") != name || str("kind") != w.kind || str("user_id") != w.user || str("base_url") != w.server ||
			!strings.HasSuffix(str("expiry"), w.expiry) || str("status") != w.status || row["current"] != (name == "webby") {
			t.Errorf("row %d: %v, want %s %+v", i, row, name, w)
		}
	}
	if p, _ := rows[0]["problem"].(string); !strings.Contains(p, bad) || !strings.Contains(p, "kite login") {
		t.Errorf("the corrupt profile's problem %q should name %s and the fix", p, bad)
	}
	// Listing removed nothing, not even the expired session.
	if _, err := os.Stat(sessionFile(env, "old")); err != nil {
		t.Fatalf("auth status removed the expired session: %v", err)
	}

	// --jq, the table and the kite profiles alias.
	r = runKite(t, kiteRun{Env: env}, "profiles", "--jq", `.[] | select(.status == "valid") | .profile`)
	mustCode(t, r, 0)
	if strings.TrimSpace(r.Stdout) != "default\nwebby" {
		t.Fatalf("kite profiles --jq: %q", r.Stdout)
	}
	r = runKite(t, kiteRun{Env: env}, "auth", "status", "-o", "table")
	mustCode(t, r, 0)
	for _, w := range []string{"PROFILE", "webby", "web", "connect", srv.URL(), "expired"} {
		if !strings.Contains(r.Stdout, w) {
			t.Fatalf("table lacks %q:\n%s", w, r.Stdout)
		}
	}

	// No profiles at all: an empty list, exit 0.
	r = runKite(t, kiteRun{}, "auth", "status", "-o", "json")
	if r.Code != 0 || strings.TrimSpace(r.Stdout) != "[]" {
		t.Fatalf("no profiles: %+v", r)
	}
}
