package sandboxtest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/sandboxtest"
)

// The server answers on loopback with the sandbox's user, for a token it
// issued, and a request token from RequestToken is the sandbox's own
// (it is exchanged for a session, which only a live request token is).
func TestNewServer(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	if !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") || !strings.HasPrefix(srv.WSURL(), "ws://127.0.0.1:") {
		t.Fatalf("URLs %q %q, want loopback", srv.URL(), srv.WSURL())
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL()+"/user/profile", nil)
	req.Header.Set("Authorization", "token "+sandboxtest.APIKey+":"+srv.AccessToken())
	req.Header.Set("X-Kite-Version", "3")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			UserID string `json:"user_id"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("profile: %d %v", resp.StatusCode, err)
	}
	if body.Data.UserID != "SB0001" {
		t.Fatalf("user_id %q, want SB0001", body.Data.UserID)
	}

	redirect := srv.LoginRedirect(t)
	if !strings.HasPrefix(redirect, sandbox.DefaultRedirectURL+"?") {
		t.Fatalf("redirect %q, want the app's registered URL %s", redirect, sandbox.DefaultRedirectURL)
	}
	if tok := srv.RequestToken(t); tok == "" || strings.Contains(redirect, tok) {
		t.Fatalf("request token %q: want a fresh one per login (the first was in %q)", tok, redirect)
	}
}

// A test may close the server itself; the cleanup's second Close does
// nothing and reports nothing.
func TestCloseEarly(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(srv.URL() + "/instruments"); err == nil {
		t.Fatal("the closed server still answers")
	}
}
