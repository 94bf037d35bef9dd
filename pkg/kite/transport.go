package kite

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// NewTransport is the one transport a process uses for Kite: keep-alive
// connections reused across requests (a batched quote or a chunked history
// fetch pays the TCP and TLS handshakes once), bounded dial and handshake
// times so an unreachable host fails into the retry loop quickly, and no
// overall timeout: the caller's context decides how long a command may run.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          32,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// DebugTransport logs each request and response at debug level with every
// secret redacted: the Authorization header, cookies, and secret fields in
// query strings and form bodies. Response bodies are not logged (a session
// exchange answers with the access token).
type DebugTransport struct {
	Base   http.RoundTripper // nil means http.DefaultTransport
	Logger *slog.Logger
}

// RoundTrip implements http.RoundTripper.
func (t *DebugTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	attrs := []any{
		"method", req.Method,
		"url", RedactURL(req.URL.String()),
		headerAttr(req.Header),
	}
	if req.Body != nil && req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			b, _ := io.ReadAll(io.LimitReader(body, 64<<10))
			body.Close()
			if len(b) > 0 {
				attrs = append(attrs, "body", redactBody(req.Header.Get("Content-Type"), b))
			}
		}
	}
	t.Logger.Debug("http request", attrs...)
	start := time.Now()
	resp, err := base.RoundTrip(req)
	if err != nil {
		t.Logger.Debug("http error", "method", req.Method, "url", RedactURL(req.URL.String()),
			"elapsed", time.Since(start).Round(time.Microsecond), "err", err.Error())
		return nil, err
	}
	t.Logger.Debug("http response", "method", req.Method, "url", RedactURL(req.URL.String()),
		"status", resp.StatusCode, "elapsed", time.Since(start).Round(time.Microsecond),
		"content_length", resp.ContentLength, headerAttr(resp.Header))
	return resp, nil
}

// redactBody is a request body safe to log: form fields and JSON members
// named like secrets are redacted; anything else that cannot be parsed is
// left out rather than risk a leak.
func redactBody(contentType string, b []byte) string {
	b = bytes.TrimSpace(b)
	if !strings.Contains(contentType, "json") {
		return RedactQuery(string(b))
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return "(unparsable JSON body omitted)"
	}
	out, err := json.Marshal(redactJSON(v))
	if err != nil {
		return "(body omitted)"
	}
	return string(out)
}

func redactJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if IsSecretParam(k) {
				x[k] = Redacted
			} else {
				x[k] = redactJSON(val)
			}
		}
	case []any:
		for i := range x {
			x[i] = redactJSON(x[i])
		}
	}
	return v
}
