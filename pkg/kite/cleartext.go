package kite

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Every request to Kite carries a secret: the Authorization header, the
// ticker URL's access_token or enctoken, a login's password. Over plain
// http:// or ws:// anyone on the path can read it and trade with it, so
// plain text is only for loopback addresses, where the sandbox lives and
// the bytes never leave the machine.

// IsLoopbackHost reports whether host (without a port) is this machine by
// address: 127.0.0.0/8, ::1 (also as an IPv4-mapped address), or the name
// localhost, which RFC 6761 reserves for it.
func IsLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CleartextError is a plain http:// or ws:// URL to a host that is not
// loopback: a secret sent there travels unencrypted. It is caught before
// anything is dialled.
type CleartextError struct {
	URL string // redacted: RedactURL of the refused URL
}

func (e *CleartextError) Error() string {
	return fmt.Sprintf("refusing to send a session or login secret in clear text to %s: plain http:// and ws:// are allowed only to loopback addresses (127.0.0.1, ::1, localhost); use https:// or wss://", e.URL)
}

// CheckCleartext returns a *CleartextError when rawURL is http:// or ws://
// to a host that is not loopback. Other schemes, and URLs that do not
// parse, pass: whether they are usable is for their users to say.
func CheckCleartext(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	return checkCleartextURL(u)
}

func checkCleartextURL(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "http", "ws":
		if !IsLoopbackHost(u.Hostname()) {
			return &CleartextError{URL: RedactURL(u.String())}
		}
	}
	return nil
}

// CleartextGuard is a RoundTripper that refuses, before dialling, any
// request in plain text to a host that is not loopback, whoever built the
// request: the REST client, a login flow, the ticker's WebSocket upgrade,
// or a redirect (net/http keeps the Authorization header on a redirect
// from https:// to http:// on the same host).
type CleartextGuard struct {
	Base http.RoundTripper // nil means http.DefaultTransport
}

// RoundTrip implements http.RoundTripper.
func (g *CleartextGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkCleartextURL(req.URL); err != nil {
		if req.Body != nil {
			req.Body.Close() // a RoundTripper always closes the body
		}
		return nil, err
	}
	base := g.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(req)
}
