package main

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/sandboxtest"
)

// proxyTrap is a loopback HTTP proxy that answers every request with a
// Kite success envelope and remembers what reached it. Pointing
// HTTP_PROXY and HTTPS_PROXY at it makes any request kite sends to a
// non-loopback host arrive here instead, so a test can prove that nothing
// was sent, and no test ever sends a byte off this machine.
type proxyTrap struct {
	ln    net.Listener
	mu    sync.Mutex
	conns int
	lines []string // request lines, absolute-form as proxies receive them
}

func startProxyTrap(t *testing.T) *proxyTrap {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxyTrap{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.conns++
			p.mu.Unlock()
			go p.serve(c)
		}
	}()
	return p
}

func (p *proxyTrap) serve(c net.Conn) {
	defer c.Close()
	req, err := http.ReadRequest(bufio.NewReader(c))
	if err != nil {
		return
	}
	p.mu.Lock()
	p.lines = append(p.lines, req.Method+" "+req.RequestURI)
	p.mu.Unlock()
	body := `{"status":"success","data":{"user_id":"TRAP01","user_name":"trap"}}`
	c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + body))
}

func (p *proxyTrap) env() map[string]string {
	u := "http://" + p.ln.Addr().String()
	return map[string]string{"HTTP_PROXY": u, "HTTPS_PROXY": u}
}

func (p *proxyTrap) seen() (int, []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conns, append([]string(nil), p.lines...)
}

// Issue 10, item 2: the token went in clear to any http:// or ws:// host.
// Every way in is refused with exit 2 before a connection is made: the
// trap proxy, which would receive any request, sees none. 192.0.2.1 is
// TEST-NET-1 (RFC 5737); nothing is ever dialled there.
func TestE2ECleartextRefusedBeforeAnyConnection(t *testing.T) {
	trap := startProxyTrap(t)
	const token = "cleartext-secret-token-1234"
	base := with(trap.env(), "KITE_API_KEY", "somekey", "KITE_ACCESS_TOKEN", token,
		"KITE_RETRY_ATTEMPTS", "1", "KITE_RECONNECT_ATTEMPTS", "1")
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
		flag string
	}{
		{"api --base-url", base, []string{"api", "GET", "/user/profile", "--base-url", "http://192.0.2.1"}, "--base-url"},
		{"quote KITE_BASE_URL", with(base, "KITE_BASE_URL", "http://kite.example:7777"), []string{"quote", "NSE:INFY"}, "--base-url"},
		{"whoami 10.x", with(base, "KITE_BASE_URL", "http://10.255.255.1:7777"), []string{"whoami"}, "--base-url"},
		{"stream --ws-url", base, []string{"stream", "408065", "--count", "1", "--ws-url", "ws://192.0.2.1/ws"}, "--ws-url"},
		{"stream KITE_WS_URL", with(base, "KITE_WS_URL", "ws://192.0.2.1:7777/ws"), []string{"stream", "408065", "--count", "1"}, "--ws-url"},
		{"login", with(base, "KITE_API_SECRET", "some-api-secret"),
			[]string{"login", "--base-url", "http://192.0.2.1", "--api-key", "somekey", "--request-token", "abcdef"}, "--base-url"},
		{"web login", with(base, "KITE_PASSWORD", "some-password", "KITE_TOTP_SECRET", "JBSWY3DPEHPK3PXP"),
			[]string{"login", "--web", "--user-id", "AB1234", "--base-url", "http://192.0.2.1"}, "--base-url"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runKite(t, kiteRun{Env: c.env, Timeout: 30 * time.Second}, c.args...)
			mustCode(t, r, 2, "refusing "+c.flag, "--insecure-send-token-in-clear", "loopback")
			for _, secret := range []string{token, "some-api-secret", "some-password"} {
				if strings.Contains(r.Stderr+r.Stdout, secret) {
					t.Fatalf("output shows a secret:\n%s", r.Stderr)
				}
			}
			if n, lines := trap.seen(); n != 0 {
				t.Fatalf("%d connections reached the network (via the trap proxy): %v", n, lines)
			}
		})
	}
}

// The loud flag (or its variable) lets it through, with a warning every
// run. The requests go to the trap proxy on loopback; .invalid (RFC 2606)
// never resolves, so even without the proxy nothing could leave.
func TestE2ECleartextAllowedWithLoudFlag(t *testing.T) {
	trap := startProxyTrap(t)
	env := with(trap.env(), "KITE_API_KEY", "somekey", "KITE_ACCESS_TOKEN", "cleartext-secret-token-1234", "KITE_RETRY_ATTEMPTS", "1")
	r := runKite(t, kiteRun{Env: env}, "--insecure-send-token-in-clear", "api", "GET", "/user/profile",
		"--base-url", "http://kite-sandbox.invalid:7777", "--jq", ".user_id")
	mustCode(t, r, 0, "WARNING", "UNENCRYPTED", "http://kite-sandbox.invalid:7777")
	if strings.TrimSpace(r.Stdout) != "TRAP01" {
		t.Fatalf("stdout %q", r.Stdout)
	}
	r = runKite(t, kiteRun{Env: with(env, "KITE_INSECURE_SEND_TOKEN_IN_CLEAR", "1", "KITE_BASE_URL", "http://kite-sandbox.invalid:7777")},
		"api", "GET", "/user/profile", "--jq", ".user_id")
	mustCode(t, r, 0, "WARNING")
	if _, lines := trap.seen(); len(lines) != 2 || lines[0] != "GET http://kite-sandbox.invalid:7777/user/profile" {
		t.Fatalf("the trap saw %v, want the two requests", lines)
	}
	r = runKite(t, kiteRun{Env: with(env, "KITE_INSECURE_SEND_TOKEN_IN_CLEAR", "maybe")}, "api", "GET", "/user/profile", "--base-url", "http://kite-sandbox.invalid")
	mustCode(t, r, 2, "KITE_INSECURE_SEND_TOKEN_IN_CLEAR")
}

// loginSandbox logs profile "default" in to srv (REST and ticker URLs in
// env) and returns the env.
func loginSandbox(t *testing.T, srv *sandboxtest.Server) map[string]string {
	t.Helper()
	env := with(authEnv(t, srv), "KITE_WS_URL", srv.WSURL())
	mustCode(t, runKite(t, kiteRun{Env: with(env, "KITE_API_SECRET", sandbox.APISecret)},
		"login", "--api-key", sandbox.APIKey, "--request-token", srv.LoginRedirect(t)), 0, "at "+srv.URL())
	return env
}

// Issue 10, item 11: a sandbox login cached in "default" was sent to
// api.kite.trade (35 s of retries, then exit 6). The session now carries
// its server, whoami shows it, and another server is refused at once,
// before any request: the trap proxy, where a request to Kite would land,
// sees nothing.
func TestE2ESessionTiedToServer(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})
	env := loginSandbox(t, srv)

	w := whoamiJSON(t, env)
	if w["base_url"] != srv.URL() || w["ws_url"] != srv.WSURL() || w["source"] != "cache" {
		t.Fatalf("whoami %v: want base_url %s, ws_url %s", w, srv.URL(), srv.WSURL())
	}
	b, err := os.ReadFile(sessionFile(env, "default"))
	if err != nil || !strings.Contains(string(b), `"base_url": "`+srv.URL()+`"`) {
		t.Fatalf("session file %s (%v) does not record the server", b, err)
	}

	trap := startProxyTrap(t)
	onKite := with(env, "KITE_RETRY_ATTEMPTS", "1", "KITE_RECONNECT_ATTEMPTS", "1")
	delete(onKite, "KITE_BASE_URL")
	delete(onKite, "KITE_WS_URL")
	for k, v := range trap.env() {
		onKite[k] = v
	}
	for _, args := range [][]string{{"whoami"}, {"quote", "NSE:INFY"}, {"stream", "408065", "--count", "1"}, {"logout"}} {
		r := runKite(t, kiteRun{Env: onKite, Timeout: 30 * time.Second}, args...)
		mustCode(t, r, 3, "made for "+srv.URL()+", not https://api.kite.trade", "run kite login", "--profile")
		if n, lines := trap.seen(); n != 0 {
			t.Fatalf("%v: %d connections left the machine (via the trap proxy): %v", args, n, lines)
		}
	}
	readCache(t, env, "default") // the refused logout left it

	// The ticker URL too: the same REST server, another ticker.
	r := runKite(t, kiteRun{Env: with(env, "KITE_WS_URL", "ws://127.0.0.1:1/ws", "KITE_RECONNECT_ATTEMPTS", "1"), Timeout: 30 * time.Second},
		"stream", "408065", "--count", "1")
	mustCode(t, r, 3, "made for "+srv.WSURL()+", not ws://127.0.0.1:1/ws", "--ws-url")

	// A file from before servers were recorded counts as Kite's own.
	writeCache(t, env, `{"kind":"connect","api_key":"kitesandbox","user_id":"SB0001","token":"oldtoken","login_time":"2099-01-01T10:00:00+05:30","expiry":"2099-01-02T06:00:00+05:30"}`, 0o600)
	mustCode(t, runKite(t, kiteRun{Env: env}, "whoami"), 3, "made for https://api.kite.trade (it was saved before kite recorded servers", "not "+srv.URL())
}

// Issue 10, item 11: an invalid token on stream said "run kite login" and
// "export a fresh one" at once. One piece of advice, the one for where the
// token came from.
func TestE2EStreamBadTokenOneAdvice(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	env["KITE_ACCESS_TOKEN"] = "not-a-valid-token-0000"
	r := runKite(t, kiteRun{Env: fastEnv(env), Timeout: 30 * time.Second}, "stream", "408065", "--count", "1")
	mustCode(t, r, 3, "KITE_ACCESS_TOKEN", "export a fresh one")
	if n := strings.Count(r.Stderr, "kite login"); n != 1 {
		t.Fatalf("%d pieces of advice mention kite login, want 1:\n%s", n, r.Stderr)
	}
}

// Issue 10, item 3: what sits at session.json and session.lock is never
// followed or waited on.
func TestE2ESessionFilesNotFollowed(t *testing.T) {
	srv := sandboxtest.NewServer(t, sandbox.Options{})

	// A FIFO at session.json hung kite for ever; runKite's timeout would
	// kill a regression and fail it.
	env := authEnv(t, srv)
	path := sessionFile(env, "default")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := mkfifo(path); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	mustCode(t, runKite(t, kiteRun{Env: env, Timeout: 30 * time.Second}, "whoami"), 3, "FIFO", path)
	// logout removes it, as it does a corrupt file.
	mustCode(t, runKite(t, kiteRun{Env: env, Timeout: 30 * time.Second}, "logout"), 0, "Removed the unusable session file")
	noCache(t, env, "default")

	// A link at session.json to a session elsewhere is not used.
	env = authEnv(t, srv)
	path = sessionFile(env, "default")
	planted := filepath.Join(t.TempDir(), "planted.json")
	if err := os.WriteFile(planted, []byte(`{"kind":"connect","api_key":"kitesandbox","user_id":"SB0001","token":"planted","login_time":"2099-01-01T10:00:00+05:30","expiry":"2099-01-02T06:00:00+05:30"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(planted, path); err != nil {
		t.Fatal(err)
	}
	mustCode(t, runKite(t, kiteRun{Env: env}, "whoami"), 3, "symbolic link", path)

	// A link at session.lock made login create the link's target.
	env = authEnv(t, srv)
	lock := filepath.Join(filepath.Dir(sessionFile(env, "default")), "session.lock")
	target := filepath.Join(t.TempDir(), "created-by-kite")
	if err := os.MkdirAll(filepath.Dir(lock), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, lock); err != nil {
		t.Fatal(err)
	}
	r := runKite(t, kiteRun{Env: with(env, "KITE_API_SECRET", sandbox.APISecret)},
		"login", "--api-key", sandbox.APIKey, "--request-token", srv.LoginRedirect(t))
	mustCode(t, r, 1, "symbolic link", lock)
	if _, err := os.Lstat(target); !os.IsNotExist(err) {
		t.Fatalf("login created the lock link's target (%v)", err)
	}
	noCache(t, env, "default")
}

// rateLimitFiles are the shared pacing files of kite quote under KITE_HOME.
func rateLimitFiles(t *testing.T, home string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(home, "cache", "ratelimit", "*-quote"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// Issue 10, item 5: a stamp in the future in the shared rate-limit file
// stalled kite quote (30 s for a clock 30 s ahead; for ever for a damaged
// file). Now it is ignored with a warning. runKite's timeout only stops a
// regression from stalling the suite.
func TestE2EFutureRateLimitStamp(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	env["KITE_HOME"] = t.TempDir()
	mustCode(t, runKite(t, kiteRun{Env: env}, "quote", "NSE:INFY", "-o", "json"), 0)
	files := rateLimitFiles(t, env["KITE_HOME"])
	if len(files) != 1 {
		t.Fatalf("pacing files %v, want one", files)
	}
	for _, stamp := range []string{strconv.FormatInt(time.Now().Add(time.Hour).UnixNano(), 10), "garbage"} {
		if err := os.WriteFile(files[0], []byte(stamp), 0o600); err != nil {
			t.Fatal(err)
		}
		r := runKite(t, kiteRun{Env: env, Timeout: 50 * time.Second}, "quote", "NSE:INFY", "-o", "json")
		mustCode(t, r, 0, "ignoring the shared rate-limit state", files[0])
		var quotes []map[string]any
		if err := json.Unmarshal([]byte(r.Stdout), &quotes); err != nil || len(quotes) != 1 {
			t.Fatalf("stdout %q: %v", r.Stdout, err)
		}
	}
}

// Issue 10, item 10: a KITE_HOME that cannot be written made kite quote
// exit 1 ("caching the instrument list: permission denied"). A cache is
// an optimisation: warn and go on. A KITE_HOME under a regular file cannot
// be created by anyone, root included; a read-only directory is tried too
// where chmod binds (not as root).
func TestE2EUnwritableHomeIsNotFatal(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	homes := []string{filepath.Join(file, "kite-home")}
	if os.Geteuid() != 0 {
		ro := t.TempDir()
		if err := os.Chmod(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(ro, 0o700) })
		homes = append(homes, ro)
	}
	for _, home := range homes {
		r := runKite(t, kiteRun{Env: with(env, "KITE_HOME", home)}, "quote", "NSE:INFY", "-o", "json")
		mustCode(t, r, 0, "could not cache the instrument list")
		var quotes []map[string]any
		if err := json.Unmarshal([]byte(r.Stdout), &quotes); err != nil || len(quotes) != 1 {
			t.Fatalf("KITE_HOME %s: stdout %q: %v", home, r.Stdout, err)
		}
	}
}
