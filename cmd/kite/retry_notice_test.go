package main

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox"
)

// deadServer is a loopback address where nothing listens: a port that was
// bound and released.
func deadServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// matchLines returns the stderr lines matching re, each as its submatches.
func matchLines(stderr string, re *regexp.Regexp) [][]string {
	var out [][]string
	for _, line := range strings.Split(stderr, "\n") {
		if m := re.FindStringSubmatch(line); m != nil {
			out = append(out, m)
		}
	}
	return out
}

// A REST request that keeps failing says so on stderr once per wait: what
// failed, the wait, the attempt of how many. --log-level error silences
// the lines, not the final error. The token is never in them.
func TestE2ERESTRetriesAreTold(t *testing.T) {
	const token = "retrynoticetoken0123456789abcdef"
	_, faulty := startTestSandbox(t, sandbox.Options{Faults: sandbox.Faults{ErrorRate: 1}})
	cases := []struct {
		name string
		base string
		what string // the failure, as the line tells it
		code int
	}{
		{"dead server", "http://" + deadServer(t), `dial tcp [0-9.:]+: connect: connection refused`, 6},
		{"5xx", faulty["KITE_BASE_URL"], `.*\(50[03] \w*\)`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{
				"KITE_BASE_URL": c.base, "KITE_API_KEY": sandbox.APIKey, "KITE_ACCESS_TOKEN": token,
				"KITE_RETRY_ATTEMPTS": "3", "KITE_RETRY_BASE": "20ms", "KITE_RETRY_MAX": "40ms",
			}
			line := regexp.MustCompile(`^kite: GET /user/profile: ` + c.what + `; retrying in [0-9.]+m?s \(attempt (\d) of 3\)$`)
			r := runKite(t, kiteRun{Env: env}, "profile")
			if r.Code == 0 {
				t.Fatalf("exit 0 from a server that always fails; stderr:\n%s", r.Stderr)
			}
			got := matchLines(r.Stderr, line)
			if len(got) != 2 || got[0][1] != "2" || got[1][1] != "3" {
				t.Fatalf("want 2 retry lines (attempts 2 and 3 of 3), got %d; stderr:\n%s", len(got), r.Stderr)
			}
			if strings.Contains(r.Stderr, token) {
				t.Fatalf("the token is on stderr:\n%s", r.Stderr)
			}
			r = runKite(t, kiteRun{Env: env}, "profile", "--log-level", "error")
			if r.Code == 0 || strings.Contains(r.Stderr, "retrying") || !strings.Contains(r.Stderr, "kite: ") {
				t.Fatalf("--log-level error: exit %d, want the error alone; stderr:\n%s", r.Code, r.Stderr)
			}
		})
	}
}

// A ticker that connects and then sends nothing (the sandbox's stall
// fault) is dropped by the watchdog: each drop says why, with the wait and
// the attempt; after three in a row, kite says which flag and variable
// raise the watchdog, once. --log-level error silences all of it.
func TestStreamWatchdogDropsAreTold(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{TickInterval: 10 * time.Millisecond, Faults: sandbox.Faults{Stall: time.Minute}})
	env = fastEnv(env)
	env["KITE_RECONNECT_ATTEMPTS"] = "5"
	tok := fmt.Sprint(sandboxToken(t, srv, symINFY))
	r := runKite(t, kiteRun{Env: env, Timeout: 60 * time.Second}, "stream", tok, "--watchdog", "300ms")
	if r.Code != 6 {
		t.Fatalf("exit %d, want 6 after 5 silent connections; stderr:\n%s", r.Code, r.Stderr)
	}
	line := regexp.MustCompile(`^kite: ticker connection 1: watchdog: no data or heartbeat for 300ms; reconnecting in \d+ms \(attempt (\d) of 5\)$`)
	got := matchLines(r.Stderr, line)
	if len(got) != 4 {
		t.Fatalf("want 4 reconnect lines (attempts 2-5 of 5), got %d; stderr:\n%s", len(got), r.Stderr)
	}
	for i, m := range got {
		if m[1] != fmt.Sprint(i+2) {
			t.Fatalf("line %d is attempt %s, want %d; stderr:\n%s", i+1, m[1], i+2, r.Stderr)
		}
	}
	hint := "kite: the ticker sent nothing for --watchdog 300ms, 3 times in a row; if the server is slow rather than gone, raise it: --watchdog 30s (or KITE_WATCHDOG=30s)"
	third := strings.Index(r.Stderr, got[2][0]+"\n")
	if strings.Count(r.Stderr, hint) != 1 || !strings.HasPrefix(r.Stderr[third+len(got[2][0])+1:], hint+"\n") {
		t.Fatalf("want the hint once, right after the third reconnect line; stderr:\n%s", r.Stderr)
	}
	if strings.Contains(r.Stderr, env["KITE_ACCESS_TOKEN"]) {
		t.Fatalf("the token is on stderr:\n%s", r.Stderr)
	}

	r = runKite(t, kiteRun{Env: env, Timeout: 60 * time.Second}, "stream", tok, "--watchdog", "300ms", "--log-level", "error")
	if r.Code != 6 || strings.Contains(r.Stderr, "reconnecting") || strings.Contains(r.Stderr, "--watchdog 30s") {
		t.Fatalf("--log-level error: exit %d, want 6 and only the final error; stderr:\n%s", r.Code, r.Stderr)
	}

	// KITE_WATCHDOG sets it too (the flag, when given, wins).
	env["KITE_WATCHDOG"] = "250ms"
	env["KITE_RECONNECT_ATTEMPTS"] = "2"
	r = runKite(t, kiteRun{Env: env, Timeout: 60 * time.Second}, "stream", tok)
	if r.Code != 6 || !strings.Contains(r.Stderr, "no data or heartbeat for 250ms; reconnecting") {
		t.Fatalf("KITE_WATCHDOG=250ms: exit %d; stderr:\n%s", r.Code, r.Stderr)
	}
}

// A connection the server cuts (the sandbox's drop fault closes the socket
// without a close frame) says so in words, not coder/websocket's "failed to
// get reader: failed to read frame header: EOF".
func TestStreamConnectionCutIsTold(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{TickInterval: 10 * time.Millisecond, Faults: sandbox.Faults{DropEvery: 200 * time.Millisecond}})
	r := runKite(t, kiteRun{Env: fastEnv(env)}, "stream", fmt.Sprint(sandboxToken(t, srv, symINFY)), "--duration", "1500ms")
	if r.Code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.Code, r.Stderr)
	}
	line := regexp.MustCompile(`^kite: ticker connection 1: cut without a close frame \(server gone or network dropped\); reconnecting in \d+ms \(attempt 2 of 50\)$`)
	if got := matchLines(r.Stderr, line); len(got) == 0 || strings.Contains(r.Stderr, "EOF") {
		t.Fatalf("no line saying the connection was cut; stderr:\n%s", r.Stderr)
	}
}
