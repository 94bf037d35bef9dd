package kite

import (
	"net/http"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"wss://ws.kite.trade?api_key=k1&access_token=s3cret":                                    "wss://ws.kite.trade?api_key=k1&access_token=REDACTED",
		"wss://ws.zerodha.com/?api_key=kitefront&user_id=AB1234&enctoken=abc%2Bdef&agent=kite3": "wss://ws.zerodha.com/?api_key=kitefront&user_id=AB1234&enctoken=REDACTED&agent=kite3",
		"https://u:pw@example.com/x?Password=p&q=1":                                             "https://u:REDACTED@example.com/x?Password=REDACTED&q=1",
		"http://h/cb?request_token=rt&status=success":                                           "http://h/cb?request_token=REDACTED&status=success",
		"http://h/plain": "http://h/plain",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
	if got := RedactURL("http://h/\x7f?access_token=x"); strings.Contains(got, "x") && got != Redacted {
		t.Errorf("unparsable URL leaked: %q", got)
	}
}

func TestRedactQueryForms(t *testing.T) {
	got := RedactQuery("api_key=k&request_token=rt&checksum=c5&api_secret=as&twofa_value=123456&user_id=AB1&access%5Ftoken=x")
	want := "api_key=k&request_token=REDACTED&checksum=REDACTED&api_secret=REDACTED&twofa_value=REDACTED&user_id=AB1&access%5Ftoken=REDACTED"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestRedactHeader(t *testing.T) {
	h := http.Header{}
	h.Set("Authorization", "token key:s3cret")
	h.Set("Cookie", "enctoken=abc")
	h.Set("X-Kite-Version", "3")
	r := RedactHeader(h)
	if r.Get("Authorization") != "token REDACTED" || r.Get("Cookie") != Redacted || r.Get("X-Kite-Version") != "3" {
		t.Errorf("redacted %v", r)
	}
	if h.Get("Authorization") != "token key:s3cret" {
		t.Error("RedactHeader modified its input")
	}
}

func TestRetryAfter(t *testing.T) {
	now := mustTime(t, "2026-11-21T10:00:00Z")
	for v, want := range map[string]int{"1": 1, " 30 ": 30, "Sat, 21 Nov 2026 10:00:05 GMT": 5, "Sat, 21 Nov 2026 09:00:00 GMT": 0} {
		d, ok := retryAfter(v, now)
		if !ok || d.Seconds() != float64(want) {
			t.Errorf("retryAfter(%q) = %v, %v; want %ds", v, d, ok, want)
		}
	}
	for _, v := range []string{"", "soon", "-3"} {
		if _, ok := retryAfter(v, now); ok {
			t.Errorf("retryAfter(%q) accepted", v)
		}
	}
}

func TestRedactBody(t *testing.T) {
	got := redactBody("application/json", []byte(`{"user_id":"AB1","password":"pw","nested":[{"api_secret":"s","q":1}]}`))
	if strings.Contains(got, `"pw"`) || strings.Contains(got, `"s"`) || !strings.Contains(got, `"user_id":"AB1"`) || !strings.Contains(got, `"password":"REDACTED"`) {
		t.Errorf("json body: %s", got)
	}
	if got := redactBody("application/json", []byte(`{"password":"pw"`)); strings.Contains(got, "pw") {
		t.Errorf("broken json body leaked: %s", got)
	}
	if got := redactBody("application/x-www-form-urlencoded", []byte("user_id=AB1&password=pw")); got != "user_id=AB1&password=REDACTED" {
		t.Errorf("form body: %s", got)
	}
}
