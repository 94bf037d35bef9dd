// Package kite is a client for the Kite Connect v3 REST API and its
// WebSocket ticker, for both session kinds: a Kite Connect access token
// ("token api_key:access_token" on api.kite.trade) and a Kite web session
// ("enctoken …" on kite.zerodha.com/oms).
package kite

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
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
// (see Credentials.RESTBase) and Credentials.
type Client struct {
	BaseURL     string
	Credentials Credentials
	HTTPClient  *http.Client // nil means http.DefaultClient
	UserAgent   string
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
// form-encoded body otherwise. Kite errors come back as *Error.
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
	u := c.BaseURL + path
	var body io.Reader
	if method == http.MethodGet || method == http.MethodDelete {
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
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading response: %w", method, path, err)
	}
	if resp.StatusCode >= 400 {
		return nil, errorFromResponse(resp.StatusCode, raw)
	}
	return raw, nil
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
