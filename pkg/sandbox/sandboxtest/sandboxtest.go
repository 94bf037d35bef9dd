// Package sandboxtest starts the sandbox for a test, in the manner of
// net/http/httptest: NewServer serves the real sandbox (REST, web login,
// ticker) on a loopback port, and the test's cleanup closes it. Every test
// that needs a Kite to talk to starts it here, so they all get it the same
// way and close it the same way.
//
// It is a package of its own, under pkg/, so that the bench module (which
// cannot import the kite module's internal packages) uses it too. It knows
// the sandbox and nothing of the kite client or CLI: what a test does with
// the URLs and tokens (environment variables, a cached session) is the
// test's business.
package sandboxtest

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kitecli/kite/pkg/sandbox"
)

// Server is a sandbox serving one test. The embedded *sandbox.Server gives
// the URLs (URL, WSURL), fresh access tokens (AccessToken) and the fault
// switches (SetFaults, ExpireSessions, SendMalformed).
type Server struct {
	*sandbox.Server
}

// The sandbox's fixed credentials, repeated here so a test reads them
// where it got its server.
const (
	APIKey     = sandbox.APIKey
	APISecret  = sandbox.APISecret
	UserID     = sandbox.UserID
	Password   = sandbox.Password
	TOTPSecret = sandbox.TOTPSecret
)

// NewServer starts a sandbox with opts on 127.0.0.1 (a zero Addr) and
// closes it when the test ends; a Close that fails is reported as a test
// error. A sandbox that cannot start fails the test at once.
//
// The test may Close it itself earlier (to see the server go away);
// closing again at cleanup does nothing.
func NewServer(tb testing.TB, opts sandbox.Options) *Server {
	tb.Helper()
	srv, err := sandbox.Start(context.Background(), opts)
	if err != nil {
		tb.Fatalf("starting the sandbox: %v", err)
	}
	tb.Cleanup(func() {
		if err := srv.Close(); err != nil {
			tb.Errorf("closing the sandbox: %v", err)
		}
	})
	return &Server{Server: srv}
}

// LoginURL is the sandbox's Kite Connect login page for APIKey (Kite's
// https://kite.zerodha.com/connect/login?v=3&api_key=…).
func (s *Server) LoginURL() string {
	return s.URL() + "/connect/login?" + url.Values{"v": {"3"}, "api_key": {APIKey}}.Encode()
}

// LoginRedirect plays the user's browser on the Connect login page: the
// sandbox logs the user in at once and redirects to the app's redirect URL
// with a request token. LoginRedirect returns that URL, not followed (the
// app need not be listening), as a user would paste it from the address
// bar.
func (s *Server) LoginRedirect(tb testing.TB) string {
	tb.Helper()
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(s.LoginURL())
	if err != nil {
		tb.Fatalf("opening the sandbox's login page: %v", err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.Contains(loc, "request_token=") {
		tb.Fatalf("the sandbox's login page answered %d, Location %q; want a 302 to the app with a request_token", resp.StatusCode, loc)
	}
	return loc
}

// RequestToken is the request token of a LoginRedirect. It is good once,
// for five minutes, as Kite's are.
func (s *Server) RequestToken(tb testing.TB) string {
	tb.Helper()
	loc := s.LoginRedirect(tb)
	u, err := url.Parse(loc)
	if err != nil {
		tb.Fatalf("the sandbox's login redirect %q: %v", loc, err)
	}
	tok := u.Query().Get("request_token")
	if tok == "" {
		tb.Fatalf("the sandbox's login redirect %q has no request_token", loc)
	}
	return tok
}
