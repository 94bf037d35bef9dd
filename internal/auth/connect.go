package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
)

// Client runs the login flows against one Kite (the real one when Root is
// "", else e.g. a sandbox's URL).
type Client struct {
	HTTP      *http.Client     // nil means http.DefaultClient
	Root      string           // REST root; "" means Kite's defaults
	UserAgent string           // sent with every request
	Now       func() time.Time // nil means time.Now
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// root is Root without a trailing slash, or def.
func (c *Client) root(def string) string {
	if c.Root == "" {
		return def
	}
	return strings.TrimRight(c.Root, "/")
}

// LoginURL is the page a user opens to log in to a Kite Connect app. Kite
// serves it from kite.zerodha.com, not from the API host; a custom Root (a
// sandbox) serves it itself at <root>/connect/login.
//
// A non-empty state is sent as Kite's redirect_params, which Kite appends
// to the redirect URL, so the loopback callback can tell the redirect of
// this login from one forged by a web page the user happens to visit.
func (c *Client) LoginURL(apiKey, state string) string {
	q := url.Values{"v": {"3"}, "api_key": {apiKey}}
	if state != "" {
		q.Set("redirect_params", url.Values{StateParam: {state}}.Encode())
	}
	return c.root(kite.DefaultWebBase) + "/connect/login?" + q.Encode()
}

// Checksum is Kite Connect's session checksum:
// hex(sha256(api_key + request_token + api_secret)).
func Checksum(apiKey, requestToken, apiSecret string) string {
	sum := sha256.Sum256([]byte(apiKey + requestToken + apiSecret))
	return hex.EncodeToString(sum[:])
}

// LoginError is Kite refusing a login (bad password, TOTP, checksum or
// request token). Its exit code is exitcode.Auth unless Kite's answer meant
// a network or rate-limit problem, which keep their own codes.
type LoginError struct {
	Step string // what was being done, e.g. "exchanging the request token"
	Hint string // what to do next
	Err  error
}

func (e *LoginError) Error() string {
	msg := fmt.Sprintf("login failed %s: %v", e.Step, e.Err)
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	return msg
}

func (e *LoginError) Unwrap() error { return e.Err }

// ExitCode keeps network and rate-limit codes so scripts can retry them.
func (e *LoginError) ExitCode() int {
	switch c := exitcode.Code(e.Err); c {
	case exitcode.Network, exitcode.RateLimited, exitcode.Interrupted:
		return c
	}
	if ke := (*kite.Error)(nil); errors.As(e.Err, &ke) && ke.Status >= 500 {
		return exitcode.Error
	}
	return exitcode.Auth
}

// sessionToken is the data of POST /session/token that kite keeps.
type sessionToken struct {
	UserID      string `json:"user_id"`
	APIKey      string `json:"api_key"`
	AccessToken string `json:"access_token"`
}

// GenerateSession exchanges a request token for an access token
// (POST /session/token with the checksum). The secret is only ever used in
// the checksum; it is never sent.
func (c *Client) GenerateSession(ctx context.Context, apiKey, requestToken, apiSecret string) (Session, error) {
	kc := &kite.Client{BaseURL: c.root(kite.DefaultAPIBase), HTTPClient: c.http(), UserAgent: c.UserAgent}
	params := url.Values{
		"api_key":       {apiKey},
		"request_token": {requestToken},
		"checksum":      {Checksum(apiKey, requestToken, apiSecret)},
	}
	var tok sessionToken
	if err := kc.Do(ctx, http.MethodPost, "/session/token", params, &tok); err != nil {
		return Session{}, &LoginError{
			Step: "exchanging the request token",
			Hint: "check the API key and secret, and use a fresh request token (each works once, for minutes)",
			Err:  networkCode(err),
		}
	}
	if tok.AccessToken == "" {
		return Session{}, &LoginError{Step: "exchanging the request token", Err: errors.New("no access_token in Kite's answer")}
	}
	if tok.APIKey == "" {
		tok.APIKey = apiKey
	}
	now := c.now()
	return Session{Kind: kite.Connect, APIKey: tok.APIKey, UserID: tok.UserID, Token: tok.AccessToken, LoginTime: now, Expiry: Expiry(now)}, nil
}

// Logout invalidates a Connect session at Kite (DELETE /session/token). A
// session Kite already considers dead counts as logged out. Web sessions
// have no documented logout call; dropping the enctoken is all there is.
func (c *Client) Logout(ctx context.Context, s Session) error {
	if s.Kind != kite.Connect {
		return nil
	}
	kc := &kite.Client{BaseURL: c.root(kite.DefaultAPIBase), HTTPClient: c.http(), UserAgent: c.UserAgent, Credentials: s.Credentials()}
	err := kc.Do(ctx, http.MethodDelete, "/session/token", url.Values{"api_key": {s.APIKey}, "access_token": {s.Token}}, nil)
	if err != nil && !kite.IsTokenError(err) {
		return fmt.Errorf("invalidating the session at Kite: %w", networkCode(err))
	}
	return nil
}

// networkCode gives a transport failure (no answer from Kite at all) the
// network exit code; pkg/kite leaves non-GET failures uncoded because an
// order write's failure is ambiguous, which a login or logout is not.
func networkCode(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && exitcode.Code(err) == exitcode.Error {
		return exitcode.With(exitcode.Network, err)
	}
	return err
}

// RequestToken extracts the request token from what a user pasted: either
// the bare token or the whole URL Kite redirected the browser to
// (…?action=login&status=success&request_token=…). A redirect whose status
// is not success is an error.
func RequestToken(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", exitcode.Usagef("empty request token: paste the request_token or the whole redirect URL")
	}
	if !strings.ContainsAny(s, "?&=/:") {
		if !isToken(s) {
			return "", exitcode.Usagef("the request token must be letters and digits: paste the request_token or the whole redirect URL")
		}
		return s, nil
	}
	query := s
	if i := strings.IndexByte(s, '?'); i >= 0 {
		query = s[i+1:]
	}
	if i := strings.IndexByte(query, '#'); i >= 0 {
		query = query[:i]
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", exitcode.Usagef("cannot read the redirect URL's query (%v): paste the URL exactly as the browser shows it", err)
	}
	return tokenFromQuery(q)
}

func tokenFromQuery(q url.Values) (string, error) {
	if st := q.Get("status"); st != "" && st != "success" {
		return "", &LoginError{Step: "at Kite's login page", Hint: "run kite login again", Err: fmt.Errorf("the redirect says status=%q", st)}
	}
	tok := q.Get("request_token")
	if tok == "" {
		return "", exitcode.Usagef("the redirect URL has no request_token: paste the URL the browser landed on after logging in")
	}
	if !isToken(tok) {
		return "", exitcode.Usagef("the request_token in the redirect URL must be letters and digits")
	}
	return tok, nil
}

func isToken(s string) bool {
	if len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
