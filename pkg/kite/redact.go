package kite

import (
	"net/http"
	"net/url"
	"strings"
)

// Redacted replaces every secret in traces and error messages.
const Redacted = "REDACTED"

// IsSecretParam reports whether a query or form field named k carries a
// secret anywhere in Kite's REST and ticker protocols (login, session
// exchange, ticker URLs). api_key and user_id are identifiers, not secrets,
// and stay visible so a trace still says whose session it was.
func IsSecretParam(k string) bool {
	switch strings.ToLower(k) {
	case "access_token", "refresh_token", "enctoken", "api_secret", "request_token",
		"checksum", "password", "twofa_value", "totp":
		return true
	}
	return false
}

// RedactURL returns raw with the values of secret query parameters (and any
// userinfo password) replaced by REDACTED, for logs and errors: e.g. the
// ticker URL wss://ws.kite.trade?api_key=k&access_token=REDACTED. A URL that
// does not parse is redacted entirely rather than risk leaking it.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return Redacted
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), Redacted)
	}
	if u.RawQuery != "" {
		u.RawQuery = RedactQuery(u.RawQuery)
	}
	return u.String()
}

// RedactQuery redacts a query string or form-encoded body, keeping the
// order and the names of its fields.
func RedactQuery(q string) string {
	parts := strings.Split(q, "&")
	for i, p := range parts {
		k, _, hasValue := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if hasValue && IsSecretParam(name) {
			parts[i] = k + "=" + Redacted
		}
	}
	return strings.Join(parts, "&")
}

// RedactHeader returns a copy of h safe to log: Authorization keeps its
// scheme ("token", "enctoken") and loses its credentials; cookies go
// entirely (Kite web's session cookie is the enctoken).
func RedactHeader(h http.Header) http.Header {
	out := h.Clone()
	if a := out.Get("Authorization"); a != "" {
		scheme, _, _ := strings.Cut(a, " ")
		out.Set("Authorization", scheme+" "+Redacted)
	}
	for _, k := range []string{"Cookie", "Set-Cookie"} {
		if len(out.Values(k)) > 0 {
			out.Set(k, Redacted)
		}
	}
	return out
}
