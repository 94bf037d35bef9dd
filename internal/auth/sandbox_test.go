package auth_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/auth"
	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/sandboxtest"
)

// These tests run the login flows against the sandbox over loopback HTTP.

// requestToken plays the browser: it opens the Connect login page and
// returns the request token from the redirect, without following it.
func requestToken(t *testing.T, srv *sandboxtest.Server) string {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get((&auth.Client{Root: srv.URL()}).LoginURL(sandbox.APIKey, ""))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("login page: %d %q %v", resp.StatusCode, resp.Header.Get("Location"), err)
	}
	return loc.Query().Get("request_token")
}

func profileOf(t *testing.T, srv *sandboxtest.Server, s auth.Session) (kite.Profile, error) {
	t.Helper()
	c := &kite.Client{BaseURL: s.Credentials().RESTBase(srv.URL()), Credentials: s.Credentials()}
	return c.Profile(context.Background())
}

func TestGenerateSessionAndLogout(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	login := time.Date(2026, 11, 21, 10, 0, 0, 0, kite.IST)
	ac := &auth.Client{Root: srv.URL(), Now: func() time.Time { return login }}
	ctx := context.Background()

	tok := requestToken(t, srv)
	if _, err := ac.GenerateSession(ctx, sandbox.APIKey, tok, "wrong-secret"); exitcode.Code(err) != exitcode.Auth || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("wrong secret: %v", err)
	}
	s, err := ac.GenerateSession(ctx, sandbox.APIKey, tok, sandbox.APISecret)
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind != kite.Connect || s.APIKey != sandbox.APIKey || s.UserID != sandbox.UserID || s.Token == "" ||
		!s.Expiry.Equal(time.Date(2026, 11, 22, 6, 0, 0, 0, kite.IST)) {
		t.Fatalf("session: %+v", s)
	}
	if p, err := profileOf(t, srv, s); err != nil || p.UserID != sandbox.UserID {
		t.Fatalf("profile with the new session: %+v %v", p, err)
	}
	// A request token works once.
	if _, err := ac.GenerateSession(ctx, sandbox.APIKey, tok, sandbox.APISecret); exitcode.Code(err) != exitcode.Auth || !strings.Contains(err.Error(), "fresh request token") {
		t.Fatalf("reused request token: %v", err)
	}
	if err := ac.Logout(ctx, s); err != nil {
		t.Fatal(err)
	}
	if _, err := profileOf(t, srv, s); !kite.IsTokenError(err) {
		t.Fatalf("token still valid after logout: %v", err)
	}
	// Idempotent: a dead token logs out fine.
	if err := ac.Logout(ctx, s); err != nil {
		t.Fatalf("second logout: %v", err)
	}
}

func TestWebLogin(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	ac := &auth.Client{Root: srv.URL()}
	ctx := context.Background()

	var asked string
	s, err := ac.WebLogin(ctx, sandbox.UserID, sandbox.Password, func(ctx context.Context, want string, kinds []string) (string, string, error) {
		asked = want
		return auth.TOTPFromSecret(sandbox.TOTPSecret, nil)(ctx, want, kinds)
	})
	if err != nil {
		t.Fatal(err)
	}
	if asked != auth.TwoFATOTP || s.Kind != kite.Web || s.UserID != sandbox.UserID || s.Token == "" || s.APIKey != "" {
		t.Fatalf("asked %q, session %+v", asked, s)
	}
	if p, err := profileOf(t, srv, s); err != nil || p.UserID != sandbox.UserID {
		t.Fatalf("profile with the enctoken: %+v %v", p, err)
	}

	_, err = ac.WebLogin(ctx, sandbox.UserID, "wrong", auth.TOTPFromSecret(sandbox.TOTPSecret, nil))
	if exitcode.Code(err) != exitcode.Auth || !strings.Contains(err.Error(), "password") || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("wrong password: %v", err)
	}
	fixed := func(code string) auth.TwoFA {
		return func(_ context.Context, want string, _ []string) (string, string, error) { return want, code, nil }
	}
	_, err = ac.WebLogin(ctx, sandbox.UserID, sandbox.Password, fixed("000000"))
	if exitcode.Code(err) != exitcode.Auth || !strings.Contains(err.Error(), "two-factor") {
		t.Fatalf("wrong TOTP: %v", err)
	}
	// A second factor the caller cannot give stops the login.
	_, err = ac.WebLogin(ctx, sandbox.UserID, sandbox.Password, func(context.Context, string, []string) (string, string, error) {
		return "", "", exitcode.Usagef("no code")
	})
	if exitcode.Code(err) != exitcode.Usage {
		t.Fatalf("2FA source error: %v", err)
	}
}

func TestLoginNetworkFailureKeepsNetworkCode(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	root := srv.URL()
	srv.Close()
	ac := &auth.Client{Root: root}
	_, err := ac.WebLogin(context.Background(), sandbox.UserID, sandbox.Password, auth.TOTPFromSecret(sandbox.TOTPSecret, nil))
	if exitcode.Code(err) != exitcode.Network || strings.Contains(err.Error(), sandbox.Password) {
		t.Fatalf("unreachable Kite: code %d, %v", exitcode.Code(err), err)
	}
	_, err = ac.GenerateSession(context.Background(), sandbox.APIKey, "reqtok", sandbox.APISecret)
	if exitcode.Code(err) != exitcode.Network || strings.Contains(err.Error(), sandbox.APISecret) {
		t.Fatalf("session exchange with unreachable Kite: code %d, %v", exitcode.Code(err), err)
	}
	s := auth.Session{Kind: kite.Connect, APIKey: sandbox.APIKey, UserID: sandbox.UserID, Token: "accesstok", Expiry: time.Now().Add(time.Hour)}
	err = ac.Logout(context.Background(), s)
	if exitcode.Code(err) != exitcode.Network || strings.Contains(err.Error(), "accesstok") {
		t.Fatalf("logout with unreachable Kite: code %d, %v", exitcode.Code(err), err)
	}
}
