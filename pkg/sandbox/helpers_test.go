package sandbox

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// start runs a sandbox for one test.
func start(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// reply is one HTTP exchange, decoded.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
	Env    struct {
		Status    string          `json:"status"`
		Data      json.RawMessage `json:"data"`
		Message   string          `json:"message"`
		ErrorType string          `json:"error_type"`
	}
}

// call sends one request over real HTTP. params go in the query for GET and
// DELETE and as a form body otherwise, as Kite's clients send them.
func call(t *testing.T, method, u, auth string, params url.Values) reply {
	t.Helper()
	var body io.Reader
	if method == http.MethodGet || method == http.MethodDelete {
		if len(params) > 0 {
			u += "?" + params.Encode()
		}
	} else {
		body = strings.NewReader(params.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Kite-Version", "3")
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	var r reply
	r.Status, r.Header = resp.StatusCode, resp.Header
	if r.Body, err = io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(r.Body, &r.Env); err != nil {
			t.Fatalf("%s %s: bad JSON %q: %v", method, u, r.Body, err)
		}
	}
	return r
}

// tokenAuth is the Kite Connect Authorization header for a fresh session.
func tokenAuth(s *Server) string { return "token " + APIKey + ":" + s.AccessToken() }

// wantError checks an error envelope.
func wantError(t *testing.T, r reply, status int, errorType string) {
	t.Helper()
	if r.Status != status || r.Env.Status != "error" || r.Env.ErrorType != errorType || r.Env.Message == "" {
		t.Fatalf("want %d %s error envelope, got %d %s", status, errorType, r.Status, r.Body)
	}
}

// wantData checks a success envelope and decodes its data into out.
func wantData(t *testing.T, r reply, out any) {
	t.Helper()
	if r.Status != http.StatusOK || r.Env.Status != "success" {
		t.Fatalf("want 200 success, got %d %s", r.Status, r.Body)
	}
	if out != nil {
		if err := json.Unmarshal(r.Env.Data, out); err != nil {
			t.Fatalf("decoding data %s: %v", r.Env.Data, err)
		}
	}
}

// dialTicker connects to the ticker with Kite Connect credentials.
func dialTicker(t *testing.T, s *Server, accessToken string) *websocket.Conn {
	t.Helper()
	c, err := tryDial(s, url.Values{"api_key": {APIKey}, "access_token": {accessToken}})
	if err != nil {
		t.Fatalf("dialing the ticker: %v", err)
	}
	t.Cleanup(func() { c.CloseNow() })
	c.SetReadLimit(1 << 24)
	return c
}

func tryDial(s *Server, q url.Values) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, s.WSURL()+"?"+q.Encode(), nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	return c, err
}

func send(t *testing.T, c *websocket.Conn, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		t.Fatalf("sending %s: %v", msg, err)
	}
}

// readUntil reads messages until keep returns true or the deadline passes.
func readUntil(t *testing.T, c *websocket.Conn, d time.Duration, keep func(websocket.MessageType, []byte) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		typ, msg, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("reading the ticker: %v", err)
		}
		if keep(typ, msg) {
			return
		}
	}
}
