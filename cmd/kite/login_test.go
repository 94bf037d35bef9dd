package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/sandboxtest"
	"github.com/pquerna/otp/totp"
)

// End-to-end tests of login, logout, whoami and the session cache: the
// built binary against the sandbox over loopback, with a real KITE_HOME.

// authEnv is an environment pointing at srv with a private KITE_HOME and no
// session of its own (unlike startTestSandbox's env, which carries an
// access token).
func authEnv(t *testing.T, srv *sandboxtest.Server) map[string]string {
	return map[string]string{"KITE_BASE_URL": srv.URL(), "KITE_HOME": t.TempDir()}
}

func with(env map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func sessionFile(env map[string]string, profile string) string {
	return filepath.Join(env["KITE_HOME"], "config", "profiles", profile, "session.json")
}

type cachedSession struct {
	Kind   string    `json:"kind"`
	APIKey string    `json:"api_key"`
	UserID string    `json:"user_id"`
	Token  string    `json:"token"`
	Expiry time.Time `json:"expiry"`
}

// readCache reads the cached session and checks it is private.
func readCache(t *testing.T, env map[string]string, profile string) cachedSession {
	t.Helper()
	path := sessionFile(env, profile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no session cached: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("session file mode %v, want 0600", fi.Mode().Perm())
	}
	if di, err := os.Stat(filepath.Dir(path)); err != nil || di.Mode().Perm() != 0o700 {
		t.Fatalf("session dir mode %v (%v), want 0700", di.Mode().Perm(), err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s cachedSession
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("cache is not JSON: %v\n%s", err, b)
	}
	return s
}

func noCache(t *testing.T, env map[string]string, profile string) {
	t.Helper()
	if _, err := os.Stat(sessionFile(env, profile)); !os.IsNotExist(err) {
		t.Fatalf("a session is cached for %q but must not be (%v)", profile, err)
	}
}

func requestTokenOf(t *testing.T, redirect string) string {
	t.Helper()
	u, err := url.Parse(redirect)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("request_token")
}

func mustCode(t *testing.T, r result, code int, stderrHas ...string) {
	t.Helper()
	if r.Code != code {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.Code, code, r.Stdout, r.Stderr)
	}
	for _, s := range stderrHas {
		if !strings.Contains(r.Stderr, s) {
			t.Fatalf("stderr lacks %q:\n%s", s, r.Stderr)
		}
	}
}

func whoamiJSON(t *testing.T, env map[string]string, args ...string) map[string]any {
	t.Helper()
	r := runKite(t, kiteRun{Env: env}, append([]string{"whoami", "-o", "json"}, args...)...)
	mustCode(t, r, 0)
	var w map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &w); err != nil {
		t.Fatalf("whoami stdout is not JSON: %v\n%s", err, r.Stdout)
	}
	return w
}

func TestE2ELoginRequestTokenWhoamiLogout(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	env := authEnv(t, srv)

	r := runKite(t, kiteRun{Env: with(env, "KITE_API_SECRET", sandbox.APISecret)},
		"login", "--api-key", sandbox.APIKey, "--request-token", requestTokenOf(t, srv.LoginRedirect(t)))
	mustCode(t, r, 0, "Logged in to Kite Connect as "+sandbox.UserID, `profile "default"`, "06:00:00+05:30")
	if r.Stdout != "" {
		t.Fatalf("login wrote to stdout: %q", r.Stdout)
	}
	s := readCache(t, env, "default")
	if s.Kind != "connect" || s.APIKey != sandbox.APIKey || s.UserID != sandbox.UserID || s.Token == "" {
		t.Fatalf("cached %+v", s)
	}
	if u := s.Expiry.UTC(); u.Hour() != 0 || u.Minute() != 30 || !s.Expiry.After(time.Now()) || time.Until(s.Expiry) > 24*time.Hour {
		t.Fatalf("expiry %v is not the next 06:00 IST (00:30 UTC)", s.Expiry.UTC())
	}

	w := whoamiJSON(t, env)
	if w["user_id"] != sandbox.UserID || w["source"] != "cache" || w["session"] != "connect" || w["profile"] != "default" || w["expiry"] == nil {
		t.Fatalf("whoami %v", w)
	}
	// The whole redirect URL works as --request-token, and --profile keeps sessions apart.
	r = runKite(t, kiteRun{Env: with(env, "KITE_API_SECRET", sandbox.APISecret, "KITE_API_KEY", sandbox.APIKey)},
		"login", "--profile", "work", "--request-token", srv.LoginRedirect(t))
	mustCode(t, r, 0, `profile "work"`)
	if w := whoamiJSON(t, with(env, "KITE_PROFILE", "work")); w["profile"] != "work" {
		t.Fatalf("whoami work: %v", w)
	}

	r = runKite(t, kiteRun{Env: env}, "logout")
	mustCode(t, r, 0, "Logged out "+sandbox.UserID)
	noCache(t, env, "default")
	// Kite was told: the token is dead at the sandbox.
	c := &kite.Client{BaseURL: srv.URL(), Credentials: kite.Credentials{Kind: kite.Connect, APIKey: sandbox.APIKey, AccessToken: s.Token}}
	if _, err := c.Profile(t.Context()); !kite.IsTokenError(err) {
		t.Fatalf("token still valid after logout: %v", err)
	}
	r = runKite(t, kiteRun{Env: env}, "logout")
	mustCode(t, r, 0, "nothing to do")
	r = runKite(t, kiteRun{Env: env}, "whoami")
	mustCode(t, r, 3, `no session for profile "default": run kite login (or try kite without an account: add --sandbox)`)
	if r.Stdout != "" {
		t.Fatalf("stdout on error: %q", r.Stdout)
	}
	readCache(t, env, "work") // untouched by the default profile's logout
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// runKiteAsync starts runKite in the background.
func runKiteAsync(t *testing.T, r kiteRun, args ...string) <-chan result {
	ch := make(chan result, 1)
	go func() { ch <- runKite(t, r, args...) }()
	return ch
}

// loginURLWatcher is the user reading the terminal: it is fed kite login's
// stderr and hands over the first login URL printed there.
type loginURLWatcher struct {
	mu   sync.Mutex
	buf  []byte
	sent bool
	url  chan string
}

var loginURLPattern = regexp.MustCompile(`http://\S+/connect/login\?\S+`)

func newLoginURLWatcher() *loginURLWatcher { return &loginURLWatcher{url: make(chan string, 1)} }

func (w *loginURLWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if !w.sent {
		// Only a whole URL: one the newline after it has arrived for.
		if m := loginURLPattern.FindIndex(w.buf); m != nil && bytes.IndexByte(w.buf[m[1]:], '\n') >= 0 {
			w.url <- string(w.buf[m[0]:m[1]])
			w.sent = true
		}
	}
	return len(p), nil
}

// await returns the login URL kite printed.
func (w *loginURLWatcher) await(t *testing.T, done <-chan result) string {
	t.Helper()
	select {
	case u := <-w.url:
		return u
	case r := <-done:
		t.Fatalf("kite login ended (exit %d) before printing a login URL; stderr:\n%s", r.Code, r.Stderr)
	case <-time.After(30 * time.Second):
		t.Fatal("kite login printed no login URL within 30s")
	}
	return ""
}

func TestE2ELoginCallback(t *testing.T) {
	port := freePort(t)
	srv := sandboxtest.NewServer(t, sandbox.Options{RedirectURL: fmt.Sprintf("http://127.0.0.1:%d/callback", port)})
	env := with(authEnv(t, srv), "KITE_API_KEY", sandbox.APIKey, "KITE_API_SECRET", sandbox.APISecret)

	w := newLoginURLWatcher()
	done := runKiteAsync(t, kiteRun{Env: env, Stderr: w}, "login", "--callback-port", fmt.Sprint(port))
	loginURL := w.await(t, done)
	if !strings.HasPrefix(loginURL, srv.URL()+"/connect/login?") {
		t.Fatalf("login URL %q is not the sandbox's login page", loginURL)
	}
	// A page in the browser forging the redirect, without the login's
	// state, is turned away and does not end the login.
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/callback?action=login&status=success&request_token=Forged", port))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a forged redirect got %d", resp.StatusCode)
	}
	// The test is the browser: open the printed login page and follow its
	// redirect to the CLI's listener.
	resp, err = http.Get(loginURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "close this tab") {
		t.Fatalf("the browser got %d: %s", resp.StatusCode, body)
	}
	r := <-done
	mustCode(t, r, 0, "/connect/login?api_key="+sandbox.APIKey, "ignored a request to the callback", "Logged in to Kite Connect as "+sandbox.UserID)
	if r.Stdout != "" {
		t.Fatalf("stdout: %q", r.Stdout)
	}
	if w := whoamiJSON(t, env); w["user_id"] != sandbox.UserID {
		t.Fatalf("whoami %v", w)
	}
}

func TestE2ELoginCallbackFailures(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	env := with(authEnv(t, srv), "KITE_API_KEY", sandbox.APIKey, "KITE_API_SECRET", sandbox.APISecret)

	t.Run("status not success", func(t *testing.T) {
		port := freePort(t)
		w := newLoginURLWatcher()
		done := runKiteAsync(t, kiteRun{Env: env, Stderr: w}, "login", "--callback-port", fmt.Sprint(port))
		u, err := url.Parse(w.await(t, done))
		if err != nil {
			t.Fatal(err)
		}
		// Kite sends the user back with the app's redirect_params.
		back, err := url.ParseQuery(u.Query().Get("redirect_params"))
		if err != nil || back.Get("kite_state") == "" {
			t.Fatalf("no state in the login URL %s (%v)", u, err)
		}
		back.Set("action", "login")
		back.Set("status", "cancelled")
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/callback?%s", port, back.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "terminal") {
			t.Fatalf("browser got %d %s", resp.StatusCode, body)
		}
		mustCode(t, <-done, 3, `status="cancelled"`, "run kite login again")
		noCache(t, env, "default")
	})
	t.Run("port in use", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		// Reported before the secret is even looked for.
		r := runKite(t, kiteRun{Env: with(env, "KITE_API_SECRET", "")}, "login", "--callback-port", fmt.Sprint(ln.Addr().(*net.TCPAddr).Port))
		mustCode(t, r, 2, "is in use", "--manual")
		noCache(t, env, "default")
	})
	t.Run("timeout", func(t *testing.T) {
		r := runKite(t, kiteRun{Env: env}, "login", "--callback-port", fmt.Sprint(freePort(t)), "--timeout", "300ms")
		mustCode(t, r, 3, "timed out", "--timeout")
		noCache(t, env, "default")
	})
}

func TestE2ELoginManual(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	env := with(authEnv(t, srv), "KITE_API_KEY", sandbox.APIKey, "KITE_API_SECRET", sandbox.APISecret)

	r := runKite(t, kiteRun{Env: env, Stdin: strings.NewReader(srv.LoginRedirect(t) + "\n")}, "login", "--manual")
	mustCode(t, r, 0, "/connect/login?", "paste", "Logged in")
	readCache(t, env, "default")

	env2 := with(env, "KITE_HOME", t.TempDir())
	r = runKite(t, kiteRun{Env: env2, Stdin: strings.NewReader("https://example.com/cb?action=login\n")}, "login", "--manual")
	mustCode(t, r, 2, "no request_token")
	r = runKite(t, kiteRun{Env: env2, Stdin: strings.NewReader("")}, "login", "--manual")
	mustCode(t, r, 2, "nothing was pasted")
	noCache(t, env2, "default")
}

func TestE2ELoginWeb(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	env := authEnv(t, srv)

	// Unattended: password and TOTP secret from the environment.
	r := runKite(t, kiteRun{Env: with(env, "KITE_PASSWORD", sandbox.Password, "KITE_TOTP_SECRET", sandbox.TOTPSecret)},
		"login", "--web", "--user-id", sandbox.UserID)
	mustCode(t, r, 0, "Logged in to Kite web as "+sandbox.UserID)
	s := readCache(t, env, "default")
	if s.Kind != "web" || s.UserID != sandbox.UserID || s.Token == "" {
		t.Fatalf("cached %+v", s)
	}
	if w := whoamiJSON(t, env); w["session"] != "web" || w["user_id"] != sandbox.UserID || w["source"] != "cache" {
		t.Fatalf("whoami %v", w)
	}

	// Password on stdin, a code from "the authenticator" (the test computes it).
	env2 := with(env, "KITE_HOME", t.TempDir(), "KITE_USER_ID", sandbox.UserID)
	code, err := totp.GenerateCode(sandbox.TOTPSecret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r = runKite(t, kiteRun{Env: env2, Stdin: strings.NewReader(sandbox.Password + "\n")}, "login", "--web", "--password-stdin", "--twofa", code)
	mustCode(t, r, 0, "Logged in to Kite web")
	readCache(t, env2, "default")

	// Env-only web session: the enctoken alone authenticates, nothing cached.
	env3 := with(env, "KITE_HOME", t.TempDir(), "KITE_ENCTOKEN", s.Token, "KITE_USER_ID", sandbox.UserID)
	if w := whoamiJSON(t, env3); w["session"] != "web" || w["source"] != "env" {
		t.Fatalf("whoami from KITE_ENCTOKEN: %v", w)
	}
	noCache(t, env3, "default")
}

func TestE2ELoginWebFailures(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	env := with(authEnv(t, srv), "KITE_USER_ID", sandbox.UserID)
	cases := []struct {
		name  string
		env   map[string]string
		stdin string
		args  []string
		code  int
		msg   []string
	}{
		{"wrong password", with(env, "KITE_PASSWORD", "not-the-password", "KITE_TOTP_SECRET", sandbox.TOTPSecret), "", nil, 3, []string{"login failed", "password"}},
		{"wrong totp", with(env, "KITE_PASSWORD", sandbox.Password), "", []string{"--twofa", "000000"}, 3, []string{"two-factor", "--twofa"}},
		{"bad totp secret", with(env, "KITE_PASSWORD", sandbox.Password, "KITE_TOTP_SECRET", "!!not base32!!"), "", nil, 2, []string{"KITE_TOTP_SECRET", "base32"}},
		{"no 2fa, no terminal", with(env, "KITE_PASSWORD", sandbox.Password), "", nil, 2, []string{"--twofa", "KITE_TOTP_SECRET"}},
		{"no password, no terminal", with(env, "KITE_TOTP_SECRET", sandbox.TOTPSecret), "", nil, 2, []string{"KITE_PASSWORD", "--password-stdin"}},
		{"empty password on stdin", with(env, "KITE_TOTP_SECRET", sandbox.TOTPSecret), "\n", []string{"--password-stdin"}, 2, []string{"--password-stdin"}},
		{"no user id", with(authEnv(t, srv), "KITE_PASSWORD", sandbox.Password, "KITE_TOTP_SECRET", sandbox.TOTPSecret), "", nil, 2, []string{"--user-id", "KITE_USER_ID"}},
		{"connect flag with web", env, "", []string{"--api-key", "x"}, 2, []string{"--api-key", "--web"}},
		{"bad twofa code", env, "", []string{"--twofa", "abc"}, 2, []string{"--twofa"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runKite(t, kiteRun{Env: c.env, Stdin: strings.NewReader(c.stdin)}, append([]string{"login", "--web"}, c.args...)...)
			mustCode(t, r, c.code, c.msg...)
			if r.Stdout != "" {
				t.Fatalf("stdout: %q", r.Stdout)
			}
			noCache(t, c.env, "default")
		})
	}
}

func TestE2ELoginConnectFailures(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	env := authEnv(t, srv)
	secret := with(env, "KITE_API_SECRET", sandbox.APISecret)

	used := requestTokenOf(t, srv.LoginRedirect(t))
	mustCode(t, runKite(t, kiteRun{Env: secret}, "login", "--api-key", sandbox.APIKey, "--request-token", used), 0)
	os.Remove(sessionFile(env, "default"))

	cases := []struct {
		name  string
		env   map[string]string
		stdin string
		args  []string
		code  int
		msg   []string
	}{
		{"no api key", secret, "", []string{"--request-token", "abc"}, 2, []string{"--api-key", "KITE_API_KEY"}},
		{"no secret, no terminal", env, "", []string{"--api-key", sandbox.APIKey, "--request-token", "abc"}, 2, []string{"KITE_API_SECRET", "--secret-stdin"}},
		{"bad token", secret, "", []string{"--api-key", sandbox.APIKey, "--request-token", "a b"}, 2, []string{"--request-token"}},
		{"redirect with failure", secret, "", []string{"--api-key", sandbox.APIKey, "--request-token", "http://127.0.0.1:5050/callback?status=error"}, 3, []string{"status"}},
		{"used request token", secret, "", []string{"--api-key", sandbox.APIKey, "--request-token", used}, 3, []string{"login failed", "fresh request token"}},
		{"wrong secret", with(env, "KITE_API_SECRET", "wrong-secret"), "", []string{"--api-key", sandbox.APIKey, "--request-token", requestTokenOf(t, srv.LoginRedirect(t))}, 3, []string{"checksum"}},
		{"wrong secret on stdin", env, "wrong-secret\n", []string{"--secret-stdin", "--api-key", sandbox.APIKey, "--request-token", requestTokenOf(t, srv.LoginRedirect(t))}, 3, []string{"checksum"}},
		{"web flag without web", secret, "", []string{"--twofa", "123456"}, 2, []string{"--web"}},
		{"manual and token", secret, "", []string{"--api-key", "k", "--manual", "--request-token", "abc"}, 2, []string{"--manual"}},
		{"bad port", secret, "", []string{"--api-key", "k", "--callback-port", "70000"}, 2, []string{"--callback-port"}},
		{"bad profile", secret, "", []string{"--profile", "../../etc", "--api-key", "k", "--request-token", "abc"}, 2, []string{"invalid profile name"}},
		{"with --sandbox", secret, "", []string{"--sandbox"}, 2, []string{"--sandbox"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runKite(t, kiteRun{Env: c.env, Stdin: strings.NewReader(c.stdin)}, append([]string{"login"}, c.args...)...)
			mustCode(t, r, c.code, c.msg...)
			if r.Stdout != "" {
				t.Fatalf("stdout: %q", r.Stdout)
			}
			noCache(t, c.env, "default")
		})
	}
	// A refused login says nothing about an env session that happens to be set.
	r := runKite(t, kiteRun{Env: with(env, "KITE_API_SECRET", "wrong-secret", "KITE_ACCESS_TOKEN", "x", "KITE_API_KEY", sandbox.APIKey)},
		"login", "--request-token", requestTokenOf(t, srv.LoginRedirect(t)))
	mustCode(t, r, 3, "checksum")
	if strings.Contains(r.Stderr, "KITE_ACCESS_TOKEN") {
		t.Fatalf("a failed login blamed the env session: %s", r.Stderr)
	}
	// A secret piped on stdin works.
	r = runKite(t, kiteRun{Env: env, Stdin: strings.NewReader(sandbox.APISecret + "\n")},
		"login", "--secret-stdin", "--api-key", sandbox.APIKey, "--request-token", requestTokenOf(t, srv.LoginRedirect(t)))
	mustCode(t, r, 0, "Logged in")
}

func TestE2EEnvSession(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{})
	env["KITE_HOME"] = t.TempDir()
	w := whoamiJSON(t, env)
	if w["source"] != "env" || w["session"] != "connect" || w["user_id"] != sandbox.UserID || w["expiry"] != nil {
		t.Fatalf("whoami from env: %v", w)
	}
	// A cached session of another kind is ignored while env is set, and a
	// dead env token never removes the cache.
	r := runKite(t, kiteRun{Env: with(env, "KITE_PASSWORD", sandbox.Password, "KITE_TOTP_SECRET", sandbox.TOTPSecret)}, "login", "--web", "--user-id", sandbox.UserID)
	mustCode(t, r, 0, "KITE_ACCESS_TOKEN is set and takes precedence")
	srv.ExpireSessions()
	r = runKite(t, kiteRun{Env: env}, "whoami")
	mustCode(t, r, 3, "the session in KITE_ACCESS_TOKEN is no longer valid")
	readCache(t, env, "default")
	mustCode(t, runKite(t, kiteRun{Env: with(env, "KITE_HOME", t.TempDir())}, "logout"), 0, "nothing to do", "KITE_ACCESS_TOKEN is not cached")
	// KITE_ACCESS_TOKEN without KITE_API_KEY is a usage error.
	delete(env, "KITE_API_KEY")
	mustCode(t, runKite(t, kiteRun{Env: env}, "whoami"), 2, "KITE_API_KEY")
}

func TestE2ESessionExpiredAtKite(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	env := authEnv(t, srv)
	r := runKite(t, kiteRun{Env: with(env, "KITE_API_SECRET", sandbox.APISecret)},
		"login", "--api-key", sandbox.APIKey, "--request-token", srv.LoginRedirect(t))
	mustCode(t, r, 0)
	whoamiJSON(t, env)
	srv.ExpireSessions()
	r = runKite(t, kiteRun{Env: env}, "whoami")
	mustCode(t, r, 3, "run kite login", `profile "default"`)
	noCache(t, env, "default")
	mustCode(t, runKite(t, kiteRun{Env: env}, "whoami"), 3, "no session")
	// logout of a session Kite already killed: the cache is gone, fine.
	mustCode(t, runKite(t, kiteRun{Env: env}, "logout"), 0)
}

func writeCache(t *testing.T, env map[string]string, content string, mode os.FileMode) string {
	t.Helper()
	path := sessionFile(env, "default")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestE2ECacheExpiredCorruptLoose(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	env := authEnv(t, srv)

	// Past its 06:00 IST expiry: removed and reported without asking Kite.
	writeCache(t, env, `{"kind":"connect","api_key":"kitesandbox","user_id":"SB0001","token":"deadtoken","login_time":"2020-01-01T10:00:00+05:30","expiry":"2020-01-02T06:00:00+05:30"}`, 0o600)
	mustCode(t, runKite(t, kiteRun{Env: env}, "whoami"), 3, "session expired", "run kite login")
	noCache(t, env, "default")

	path := writeCache(t, env, "{garbage", 0o600)
	mustCode(t, runKite(t, kiteRun{Env: env}, "whoami"), 3, path, "corrupt", "run kite login")
	mustCode(t, runKite(t, kiteRun{Env: env}, "logout"), 0, "Removed the unusable session file")
	noCache(t, env, "default")

	path = writeCache(t, env, `{"kind":"connect","api_key":"kitesandbox","user_id":"SB0001","token":"tok","login_time":"2099-01-01T10:00:00+05:30","expiry":"2099-01-02T06:00:00+05:30"}`, 0o644)
	r := runKite(t, kiteRun{Env: env}, "whoami")
	mustCode(t, r, 1, path, "chmod 600")
	if strings.Contains(r.Stderr, `"tok"`) {
		t.Fatalf("the token was shown: %s", r.Stderr)
	}
}

func TestE2EConcurrentLogins(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	env := with(authEnv(t, srv), "KITE_API_KEY", sandbox.APIKey, "KITE_API_SECRET", sandbox.APISecret)
	const n = 4
	tokens := make([]string, n)
	for i := range tokens {
		tokens[i] = requestTokenOf(t, srv.LoginRedirect(t))
	}
	var wg sync.WaitGroup
	results := make([]result, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = runKite(t, kiteRun{Env: env}, "login", "--request-token", tokens[i])
		}()
	}
	wg.Wait()
	for _, r := range results {
		mustCode(t, r, 0)
	}
	s := readCache(t, env, "default")
	if s.Token == "" || s.UserID != sandbox.UserID {
		t.Fatalf("cache after concurrent logins: %+v", s)
	}
	if w := whoamiJSON(t, env); w["user_id"] != sandbox.UserID {
		t.Fatalf("whoami %v", w)
	}
	entries, _ := os.ReadDir(filepath.Dir(sessionFile(env, "default")))
	for _, e := range entries {
		if e.Name() != "session.json" && e.Name() != "session.lock" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// TestE2ENoSecretInOutput greps every byte the binary printed, with
// --debug, during logins and a few commands for the secrets and tokens.
func TestE2ENoSecretInOutput(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	env := authEnv(t, srv)
	var out strings.Builder
	record := func(r result) result {
		out.WriteString(r.Stdout)
		out.WriteString(r.Stderr)
		return r
	}
	redirect := srv.LoginRedirect(t)
	reqTok := requestTokenOf(t, redirect)
	mustCode(t, record(runKite(t, kiteRun{Env: env, Stdin: strings.NewReader(sandbox.APISecret + "\n")},
		"--debug", "login", "--api-key", sandbox.APIKey, "--secret-stdin", "--request-token", redirect)), 0)
	access := readCache(t, env, "default").Token
	mustCode(t, record(runKite(t, kiteRun{Env: env}, "--debug", "whoami")), 0)
	mustCode(t, record(runKite(t, kiteRun{Env: env}, "--debug", "whoami", "-o", "table")), 0)
	mustCode(t, record(runKite(t, kiteRun{Env: env}, "--debug", "logout")), 0)
	// Failures print too: a reused token and a wrong secret.
	mustCode(t, record(runKite(t, kiteRun{Env: with(env, "KITE_API_SECRET", sandbox.APISecret)},
		"--debug", "login", "--api-key", sandbox.APIKey, "--request-token", reqTok)), 3)

	webEnv := with(env, "KITE_PASSWORD", sandbox.Password, "KITE_TOTP_SECRET", sandbox.TOTPSecret)
	mustCode(t, record(runKite(t, kiteRun{Env: webEnv}, "--debug", "login", "--web", "--user-id", sandbox.UserID)), 0)
	enc := readCache(t, env, "default").Token
	mustCode(t, record(runKite(t, kiteRun{Env: env}, "--debug", "whoami")), 0)
	mustCode(t, record(runKite(t, kiteRun{Env: with(webEnv, "KITE_PASSWORD", "wrong-password-x")}, "--debug", "login", "--web", "--user-id", sandbox.UserID)), 3)
	code, _ := totp.GenerateCode(sandbox.TOTPSecret, time.Now())
	mustCode(t, record(runKite(t, kiteRun{Env: env, Stdin: strings.NewReader(sandbox.Password + "\n")},
		"--debug", "login", "--web", "--user-id", sandbox.UserID, "--password-stdin", "--twofa", code)), 0)
	enc2 := readCache(t, env, "default").Token
	srv.ExpireSessions()
	mustCode(t, record(runKite(t, kiteRun{Env: env}, "--debug", "whoami")), 3)
	// A logout that cannot reach Kite fails, still removes the cache, and
	// does not print the token it tried to revoke (DELETE puts it in the URL).
	mustCode(t, record(runKite(t, kiteRun{Env: with(env, "KITE_API_SECRET", sandbox.APISecret)},
		"--debug", "login", "--api-key", sandbox.APIKey, "--request-token", srv.LoginRedirect(t))), 0)
	access2 := readCache(t, env, "default").Token
	srv.Close()
	r := record(runKite(t, kiteRun{Env: env}, "--debug", "logout"))
	mustCode(t, r, 6, "removed the cached session", "connection refused")
	noCache(t, env, "default")

	all := out.String()
	if !strings.Contains(all, "http request") {
		t.Fatalf("--debug traced nothing, so the check proves nothing:\n%s", all)
	}
	for name, secret := range map[string]string{
		"API secret": sandbox.APISecret, "password": sandbox.Password, "wrong password": "wrong-password-x",
		"TOTP secret": sandbox.TOTPSecret, "access token": access, "second access token": access2, "enctoken": enc, "second enctoken": enc2,
		"request token": reqTok, "checksum": fmt.Sprintf("%x", sha256.Sum256([]byte(sandbox.APIKey+reqTok+sandbox.APISecret))),
	} {
		if secret == "" {
			t.Fatalf("%s is empty", name)
		}
		if strings.Contains(all, secret) {
			t.Errorf("the output shows the %s", name)
		}
	}
}

// TestE2ETickerTokenExceptionForgetsSession: the ticker refusing the cached
// session (403 TokenException) removes the cache too, like a REST call.
func TestE2ETickerTokenExceptionForgetsSession(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	env := with(authEnv(t, srv), "KITE_WS_URL", srv.WSURL())
	mustCode(t, runKite(t, kiteRun{Env: with(env, "KITE_API_SECRET", sandbox.APISecret)},
		"login", "--api-key", sandbox.APIKey, "--request-token", srv.LoginRedirect(t)), 0)
	// 408065 is a numeric instrument token: the stream needs no REST call.
	mustCode(t, runKite(t, kiteRun{Env: env, Timeout: 20 * time.Second}, "stream", "408065", "--count", "1"), 0)
	srv.ExpireSessions()
	r := runKite(t, kiteRun{Env: env, Timeout: 20 * time.Second}, "stream", "408065", "--count", "1")
	mustCode(t, r, 3, "run kite login")
	noCache(t, env, "default")
}

// TestE2ESandboxFlagIgnoresCache: --sandbox uses its own session, never the
// cache, and login/logout refuse to run with it.
func TestE2ESandboxFlagIgnoresCache(t *testing.T) {
	env := map[string]string{"KITE_HOME": t.TempDir()}
	content := `{"kind":"connect","api_key":"someapp","user_id":"ZZ9999","token":"cachedtok","login_time":"2099-01-01T10:00:00+05:30","expiry":"2099-01-02T06:00:00+05:30"}`
	path := writeCache(t, env, content, 0o600)
	w := whoamiJSON(t, env, "--sandbox")
	if w["source"] != "sandbox" || w["user_id"] != sandbox.UserID {
		t.Fatalf("--sandbox whoami: %v", w)
	}
	mustCode(t, runKite(t, kiteRun{Env: env}, "--sandbox", "logout"), 2, "--sandbox")
	if b, err := os.ReadFile(path); err != nil || string(b) != content {
		t.Fatalf("the cache changed under --sandbox: %q %v", b, err)
	}
}
