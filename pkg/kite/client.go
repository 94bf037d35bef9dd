// Package kite is a client for the Kite Connect v3 REST API and its
// WebSocket ticker, for both session kinds: a Kite Connect access token
// ("token api_key:access_token" on api.kite.trade) and a Kite web session
// ("enctoken …" on kite.zerodha.com/oms).
//
// The REST client is built for scripts that run unattended: idempotent
// requests survive a flaky network or an overloaded Kite (retries with
// backoff, Retry-After honoured) while writes are sent exactly once, since a
// repeated order is worse than a failed one; requests are paced under Kite's
// published per-class limits (one table, RateTable) so normal use never
// earns a 429; and traces never show a secret. Kite's bulk data (the daily
// instrument dump, historical candles) is parsed without reflection and
// cached or chunked so any range and any number of symbols work.
package kite

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kitecli/kite/pkg/retry"
)

// Default endpoints of the real Kite.
const (
	DefaultAPIBase = "https://api.kite.trade"   // Kite Connect REST
	DefaultWebBase = "https://kite.zerodha.com" // Kite web: login at /api, REST at /oms
	DefaultWSURL   = "wss://ws.kite.trade"      // Kite Connect ticker
	DefaultWebWS   = "wss://ws.zerodha.com"     // Kite web ticker
	APIVersion     = "3"                        // sent as X-Kite-Version
)

// SessionKind says which of Kite's two authentication schemes a session uses.
type SessionKind string

// Session kinds.
const (
	Connect SessionKind = "connect" // Kite Connect: api_key + access_token
	Web     SessionKind = "web"     // Kite web: user_id + enctoken
)

// Credentials authenticate requests. They are secrets: never log them.
type Credentials struct {
	Kind        SessionKind
	APIKey      string // Connect
	AccessToken string // Connect
	UserID      string // web (and informational for Connect)
	EncToken    string // web
}

// Authorization is the value of the Authorization header, or "" if the
// credentials are incomplete.
func (c Credentials) Authorization() string {
	switch c.Kind {
	case Connect:
		if c.APIKey != "" && c.AccessToken != "" {
			return "token " + c.APIKey + ":" + c.AccessToken
		}
	case Web:
		if c.EncToken != "" {
			return "enctoken " + c.EncToken
		}
	}
	return ""
}

// RESTBase is the base URL REST paths are appended to for these credentials:
// root as given for Connect, root+"/oms" for a web session. root "" means
// the real Kite.
func (c Credentials) RESTBase(root string) string {
	if c.Kind == Web {
		if root == "" {
			root = DefaultWebBase
		}
		return strings.TrimRight(root, "/") + "/oms"
	}
	if root == "" {
		root = DefaultAPIBase
	}
	return strings.TrimRight(root, "/")
}

// Client talks to Kite's REST API. Its zero value is not usable: set BaseURL
// (see Credentials.RESTBase) and Credentials. A Client is safe for
// concurrent use once configured.
type Client struct {
	BaseURL     string
	Credentials Credentials
	HTTPClient  *http.Client // nil means http.DefaultClient; see NewTransport
	UserAgent   string
	// Retry is the policy for idempotent requests (GET): network errors,
	// 5xx and 429 (after at least its Retry-After) are tried again. The zero
	// value tries once. Writes are never retried: a POST that timed out may
	// have placed an order.
	Retry retry.Policy
	// Limits paces requests per endpoint class; nil means no client-side
	// limit.
	Limits *RateLimiter
	// OnRetry, if not nil, is told about each failed attempt before the
	// wait, for the caller to show its user; the Logger then stays quiet
	// about retries. It runs on the request's goroutine.
	OnRetry func(RetryNotice)
	// Logger hears about retries (info level) unless OnRetry is set; nil
	// discards.
	Logger *slog.Logger
}

// RetryNotice is one failed attempt of a request that will be tried again.
// Nothing in it holds a secret: Path has no query, and Err is the
// server's message or the network's.
type RetryNotice struct {
	Method, Path string
	Attempt      int           // the attempt that failed, from 1
	Attempts     int           // the most the policy allows
	Wait         time.Duration // until the next attempt
	Err          error
}

// envelope is Kite's response wrapper.
type envelope struct {
	Status    string          `json:"status"`
	Data      json.RawMessage `json:"data"`
	Message   string          `json:"message"`
	ErrorType string          `json:"error_type"`
}

// Do sends a request and decodes the envelope's data into out (skipped when
// out is nil). params go in the query for GET and DELETE and as a
// form-encoded body otherwise. Kite errors come back as *Error; a request
// that kept failing comes back as *RetryError.
func (c *Client) Do(ctx context.Context, method, path string, params url.Values, out any) error {
	body, err := c.DoRaw(ctx, method, path, params)
	if err != nil {
		return err
	}
	return decodeEnvelope(body, out)
}

// DoRaw sends a request and returns the raw body of a successful response
// (CSV endpoints such as /instruments are not enveloped).
func (c *Client) DoRaw(ctx context.Context, method, path string, params url.Values) ([]byte, error) {
	return c.doRaw(ctx, method, path, params, nil, method == http.MethodGet || method == http.MethodHead)
}

// DoJSON sends body as JSON (Kite's calculators take a JSON array) with
// params in the query, and decodes the envelope's data into out. The
// calculators change nothing, so the request is retried as a GET is.
func (c *Client) DoJSON(ctx context.Context, method, path string, params url.Values, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encoding %s %s: %w", method, path, err)
	}
	raw, err := c.doRaw(ctx, method, path, params, b, true)
	if err != nil {
		return err
	}
	return decodeEnvelope(raw, out)
}

func (c *Client) doRaw(ctx context.Context, method, path string, params url.Values, jsonBody []byte, idempotent bool) ([]byte, error) {
	var raw []byte
	attempts := 0
	err := retry.Do(ctx, c.Retry, func(ctx context.Context) error {
		attempts++
		release, err := c.Limits.Acquire(ctx, method, path)
		if err != nil {
			return retry.Fatal(err)
		}
		raw, err = c.once(ctx, method, path, params, jsonBody)
		release()
		if err == nil || idempotent && ctx.Err() == nil && retryable(err) {
			return err
		}
		return retry.Fatal(err)
	}, func(attempt int, err error, wait time.Duration) {
		if c.OnRetry != nil {
			c.OnRetry(RetryNotice{Method: method, Path: path, Attempt: attempt, Attempts: max(c.Retry.Attempts, 1), Wait: wait, Err: err})
		} else if c.Logger != nil {
			c.Logger.Info("retrying", "method", method, "path", path, "attempt", attempt, "wait", wait.Round(time.Millisecond), "err", err.Error())
		}
	})
	var ex *retry.ExhaustedError
	if errors.As(err, &ex) {
		return nil, &RetryError{BaseURL: c.BaseURL, Method: method, Path: path, Attempts: ex.Attempts, Err: ex.Err}
	}
	if err != nil && ctx.Err() != nil && attempts > 0 {
		return nil, fmt.Errorf("%s %s: %w", method, path, ctx.Err())
	}
	return raw, err
}

// retryable says whether a failed idempotent request may succeed if sent
// again. The error may carry a server-chosen delay (retry.After).
func retryable(err error) bool {
	var ke *Error
	if errors.As(err, &ke) {
		return ke.Status == http.StatusTooManyRequests || ke.Status >= 500
	}
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) {
		return false // a wrong certificate stays wrong
	}
	var cte *CleartextError
	if errors.As(err, &cte) {
		return false // refused before sending; it would be refused again
	}
	var te *transportError
	return errors.As(err, &te)
}

// transportError is a request that got no usable HTTP response: refused,
// reset, timed out, or cut off mid-body.
type transportError struct {
	op  string
	err error
}

func (e *transportError) Error() string { return e.op + ": " + e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

func (c *Client) once(ctx context.Context, method, path string, params url.Values, jsonBody []byte) ([]byte, error) {
	u := c.BaseURL + path
	var body io.Reader
	contentType := "application/x-www-form-urlencoded"
	if jsonBody != nil {
		if len(params) > 0 {
			u += "?" + params.Encode()
		}
		body, contentType = bytes.NewReader(jsonBody), "application/json"
	} else if method == http.MethodGet || method == http.MethodDelete {
		if len(params) > 0 {
			u += "?" + params.Encode()
		}
	} else {
		body = strings.NewReader(params.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("building request %s %s: %w", method, path, err)
	}
	req.Header.Set("X-Kite-Version", APIVersion)
	if a := c.Credentials.Authorization(); a != "" {
		req.Header.Set("Authorization", a)
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			// url.Error repeats the whole URL; keep the cause only, the
			// caller names the request and the host.
			err = ue.Err
		}
		return nil, &transportError{op: method + " " + path, err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, &transportError{op: method + " " + path + ": reading response", err: err}
	}
	if resp.StatusCode >= 400 {
		kerr := errorFromResponse(resp.StatusCode, raw)
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return nil, retry.After(kerr, d)
		}
		return nil, kerr
	}
	return raw, nil
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func decodeEnvelope(raw []byte, out any) error {
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("decoding Kite response: %w", err)
	}
	if env.Status == "error" {
		return &Error{Status: http.StatusOK, ErrorType: defaultType(env.ErrorType), Message: env.Message}
	}
	if out == nil || len(env.Data) == 0 {
		return nil
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return fmt.Errorf("decoding Kite response data: %w", err)
	}
	return nil
}

func errorFromResponse(status int, raw []byte) error {
	var env envelope
	if json.Unmarshal(raw, &env) == nil && env.Message != "" {
		return &Error{Status: status, ErrorType: defaultType(env.ErrorType), Message: env.Message}
	}
	msg := strings.TrimSpace(string(raw))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	typ := GeneralException
	switch {
	case status == 429 || status == 503:
		typ = NetworkException
	case status == 403:
		typ = TokenException
	case status == 400:
		typ = InputException
	case status == 502:
		typ = DataException
	}
	return &Error{Status: status, ErrorType: typ, Message: msg}
}

func defaultType(t string) string {
	if t == "" {
		return GeneralException
	}
	return t
}
