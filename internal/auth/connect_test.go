package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
)

func TestChecksum(t *testing.T) {
	// Computed independently: printf keytoksec | sha256sum
	const want = "404dba8d4d5675120f0271403261300596d3802d7e96594a802476b22ede6d6f"
	if got := Checksum("key", "tok", "sec"); got != want {
		t.Fatalf("Checksum = %s, want %s", got, want)
	}
}

func TestRequestToken(t *testing.T) {
	ok := map[string]string{
		"abc123":     "abc123",
		"  abc123\n": "abc123",
		"http://127.0.0.1:5050/callback?action=login&type=login&status=success&request_token=Tok9": "Tok9",
		"https://example.com/cb?request_token=Tok9&status=success#frag":                            "Tok9",
		"request_token=Tok9&action=login":                                                          "Tok9",
		"/callback?request_token=Tok9":                                                             "Tok9",
	}
	for in, want := range ok {
		got, err := RequestToken(in)
		if err != nil || got != want {
			t.Errorf("RequestToken(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := map[string]int{
		"":                                exitcode.Usage,
		"abc def":                         exitcode.Usage,
		"tok;rm -rf":                      exitcode.Usage,
		"http://x/cb?status=success":      exitcode.Usage,
		"http://x/cb?request_token=a%20b": exitcode.Usage,
		"http://x/cb?request_token=a&status=cancelled": exitcode.Auth,
		"http://x/cb?status=error":                     exitcode.Auth,
		"http://x/cb?request_token=%zz":                exitcode.Usage,
	}
	for in, code := range bad {
		_, err := RequestToken(in)
		if err == nil || exitcode.Code(err) != code {
			t.Errorf("RequestToken(%q): err %v code %d, want code %d", in, err, exitcode.Code(err), code)
		}
	}
}

func FuzzRequestToken(f *testing.F) {
	for _, s := range []string{"abc", "http://127.0.0.1:5050/callback?status=success&request_token=x1", "?request_token=", "%", "status=x", "a=b&c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := RequestToken(s)
		if err != nil {
			if tok != "" {
				t.Fatal("token with error")
			}
			return
		}
		if tok == "" || !isToken(tok) {
			t.Fatalf("RequestToken(%q) accepted %q", s, tok)
		}
	})
}

func TestTOTPMatchesRFC6238(t *testing.T) {
	// RFC 6238 appendix B, SHA-1, secret "12345678901234567890"; Kite uses
	// 6 digits, the last 6 of the RFC's 8.
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	for unix, want := range map[int64]string{59: "287082", 1111111109: "081804", 1234567890: "005924", 2000000000: "279037"} {
		got, err := TOTP(secret, time.Unix(unix, 0))
		if err != nil || got != want {
			t.Errorf("TOTP at %d = %q, %v; want %q", unix, got, err, want)
		}
	}
	// As authenticator apps display it: lower case, in groups.
	got, err := TOTP("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", time.Unix(59, 0))
	if err != nil || got != "287082" {
		t.Errorf("spaced lower-case secret: %q %v", got, err)
	}
	_, err = TOTP("not base32 at all!!", time.Unix(59, 0))
	if exitcode.Code(err) != exitcode.Usage || strings.Contains(err.Error(), "base32 at all") {
		t.Errorf("bad secret: %v", err)
	}
}

func TestTOTPFromSecretHonoursTwoFAType(t *testing.T) {
	fn := TOTPFromSecret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", func() time.Time { return time.Unix(59, 0) })
	kind, code, err := fn(context.Background(), TwoFATOTP, nil)
	if err != nil || kind != TwoFATOTP || code != "287082" {
		t.Fatalf("totp: %q %q %v", kind, code, err)
	}
	kind, _, err = fn(context.Background(), TwoFAAppCode, []string{TwoFAAppCode, TwoFATOTP})
	if err != nil || kind != TwoFATOTP {
		t.Fatalf("app_code preferred but totp accepted: %q %v", kind, err)
	}
	_, _, err = fn(context.Background(), TwoFAAppCode, []string{TwoFAAppCode})
	if exitcode.Code(err) != exitcode.Usage || !strings.Contains(err.Error(), "--twofa") {
		t.Fatalf("app_code only: %v", err)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestCallbackSuccess(t *testing.T) {
	cb, err := ListenCallback(0)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close()
	base := fmt.Sprintf("http://127.0.0.1:%d", cb.Port())
	if code, _ := get(t, base+"/favicon.ico"); code != http.StatusNotFound {
		t.Fatalf("favicon: %d", code)
	}
	code, body := get(t, base+"/callback?action=login&type=login&status=success&request_token=Tok42&kite_state="+cb.State())
	if code != 200 || !strings.Contains(body, "close this tab") {
		t.Fatalf("page: %d %q", code, body)
	}
	tok, err := cb.Wait(context.Background(), nil)
	if err != nil || tok != "Tok42" {
		t.Fatalf("wait: %q %v", tok, err)
	}
	// A second redirect (reload) does not replace the first.
	if code, body := get(t, base+"/callback?status=success&request_token=Other&kite_state="+cb.State()); code != http.StatusConflict || !strings.Contains(body, "already") {
		t.Fatalf("second: %d %q", code, body)
	}
}

func TestCallbackStatusNotSuccess(t *testing.T) {
	cb, err := ListenCallback(0)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close()
	code, body := get(t, fmt.Sprintf("http://localhost:%d/cb?status=cancelled&kite_state=%s", cb.Port(), cb.State()))
	if code != http.StatusBadRequest || !strings.Contains(body, "terminal") {
		t.Fatalf("page: %d %q", code, body)
	}
	_, err = cb.Wait(context.Background(), nil)
	if exitcode.Code(err) != exitcode.Auth || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("wait: %v", err)
	}
}

func TestCallbackRefusesForeignHost(t *testing.T) {
	cb, err := ListenCallback(0)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close()
	req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/cb?status=success&request_token=x&kite_state=%s", cb.Port(), cb.State()), nil)
	req.Host = "evil.example:80"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign Host: %d", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := cb.Wait(ctx, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("foreign request was delivered: %v", err)
	}
}

// A redirect without the login's state (a page in the browser forging
// one) is refused and does not end the wait; the real one still counts.
func TestCallbackRefusesWrongState(t *testing.T) {
	cb, err := ListenCallback(0)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close()
	if len(cb.State()) < 20 {
		t.Fatalf("state %q is too short to be unguessable", cb.State())
	}
	if other, _ := ListenCallback(0); other != nil {
		if other.State() == cb.State() {
			t.Fatal("two callbacks share a state")
		}
		other.Close()
	}
	base := fmt.Sprintf("http://127.0.0.1:%d/callback?", cb.Port())
	for _, q := range []string{
		"status=success&request_token=Forged",
		"status=success&request_token=Forged&kite_state=" + cb.State()[1:],
		"status=cancelled&kite_state=",
	} {
		if code, body := get(t, base+q); code != http.StatusForbidden || !strings.Contains(body, "ignored") {
			t.Fatalf("%s: %d %q", q, code, body)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	told := 0
	if tok, err := cb.Wait(ctx, func() { told++ }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a forged redirect was delivered: %q %v", tok, err)
	}
	if told == 0 {
		t.Fatal("the waiter was not told of the refused redirects")
	}
	if code, _ := get(t, base+"status=success&request_token=Real&kite_state="+cb.State()); code != http.StatusOK {
		t.Fatalf("real redirect: %d", code)
	}
	if tok, err := cb.Wait(context.Background(), nil); err != nil || tok != "Real" {
		t.Fatalf("wait: %q %v", tok, err)
	}
}

func TestCallbackPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	_, err = ListenCallback(port)
	if exitcode.Code(err) != exitcode.Usage || !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), "--manual") {
		t.Fatalf("port in use: %v", err)
	}
}

func TestCallbackWaitCancelled(t *testing.T) {
	cb, err := ListenCallback(0)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := cb.Wait(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel: %v", err)
	}
}

func TestLoginURL(t *testing.T) {
	c := &Client{}
	if got := c.LoginURL("k1", ""); got != "https://kite.zerodha.com/connect/login?api_key=k1&v=3" {
		t.Fatalf("default: %s", got)
	}
	c.Root = "http://127.0.0.1:9/"
	if got := c.LoginURL("k 1", ""); got != "http://127.0.0.1:9/connect/login?api_key=k+1&v=3" {
		t.Fatalf("sandbox: %s", got)
	}
	// The state travels URL-encoded inside redirect_params, as Kite wants.
	if got := c.LoginURL("k1", "AB2"); got != "http://127.0.0.1:9/connect/login?api_key=k1&redirect_params=kite_state%3DAB2&v=3" {
		t.Fatalf("state: %s", got)
	}
}
