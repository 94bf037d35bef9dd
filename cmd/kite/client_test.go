package main

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/kitecli/kite/pkg/sandbox"
)

// mdEnv is env plus kv pairs (a copy).
func mdEnv(env map[string]string, kv ...string) map[string]string {
	out := maps.Clone(env)
	if out == nil {
		out = map[string]string{}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// mdFast makes retries quick; the sandbox's Retry-After (1 s) still applies.
func mdFast(env map[string]string) map[string]string {
	return mdEnv(env, "KITE_RETRY_BASE", "1ms", "KITE_RETRY_MAX", "5ms")
}

func mdExpect(t *testing.T, r result, code int, stderrHas ...string) {
	t.Helper()
	if r.Code != code {
		t.Fatalf("exit %d, want %d\nstdout: %.2000s\nstderr: %s", r.Code, code, r.Stdout, r.Stderr)
	}
	for _, s := range stderrHas {
		if !strings.Contains(r.Stderr, s) {
			t.Fatalf("stderr lacks %q:\n%s", s, r.Stderr)
		}
	}
}

func TestE2EConnectionRefusedExit6(t *testing.T) {
	env := mdEnv(mdFast(nil), "KITE_BASE_URL", "http://127.0.0.1:1", "KITE_API_KEY", "k", "KITE_ACCESS_TOKEN", "t", "KITE_RETRY_ATTEMPTS", "3")
	for _, args := range [][]string{
		{"quote", "NSE:INFY"},
		{"history", "NSE:INFY", "--from", "7d"},
		{"instruments"},
	} {
		r := runKite(t, kiteRun{Env: env}, args...)
		mdExpect(t, r, 6, "cannot reach http://127.0.0.1:1: connection refused (after 3 attempts)")
		if r.Stdout != "" {
			t.Fatalf("%v: stdout %q", args, r.Stdout)
		}
	}
	// The flags win over the environment.
	r := runKite(t, kiteRun{Env: env}, "quote", "NSE:INFY", "--retry-attempts", "2", "--retry-base", "1ms")
	mdExpect(t, r, 6, "connection refused (after 2 attempts)")
	r = runKite(t, kiteRun{Env: env}, "history", "NSE:INFY", "--from", "7d", "--retry-attempts", "-1")
	mdExpect(t, r, 2, "--retry-attempts must be at least 1")
}

func TestE2EBadRetryAndRateConfigIsUsage(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	r := runKite(t, kiteRun{Env: mdEnv(env, "KITE_RETRY_ATTEMPTS", "zero")}, "quote", "NSE:INFY")
	mdExpect(t, r, 2, "KITE_RETRY_ATTEMPTS")
	r = runKite(t, kiteRun{Env: mdEnv(env, "KITE_RATE_QUOTE", "fast")}, "quote", "NSE:INFY")
	mdExpect(t, r, 2, "KITE_RATE_QUOTE")
}

func TestE2EServerErrorsRetried(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 3, Faults: sandbox.Faults{ErrorRate: 0.3}})
	env = mdFast(env)
	r := runKite(t, kiteRun{Env: env}, "quote", "NSE:INFY", "NSE:RELIANCE", "--mode", "ltp", "--log-level", "info")
	mdExpect(t, r, 0)
	var recs []map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &recs); err != nil || len(recs) != 2 {
		t.Fatalf("stdout %s: %v", r.Stdout, err)
	}
	r = runKite(t, kiteRun{Env: env}, "history", "NSE:INFY", "--interval", "15minute", "--from", "2026-01-01", "--to", "2026-10-31", "-o", "csv", "--log-level", "info")
	mdExpect(t, r, 0)
	if n := strings.Count(r.Stdout, "\n"); n < 1000 {
		t.Fatalf("%d lines of 15minute candles for 10 months", n)
	}
	if !strings.Contains(r.Stderr, "retrying") {
		t.Fatalf("no retry logged with a 30%% error rate: the fault did not fire\n%s", r.Stderr)
	}
}

func TestE2ERateLimitedExit7(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Faults: sandbox.Faults{RateLimit: true}})
	r := runKite(t, kiteRun{Env: mdEnv(mdFast(env), "KITE_RETRY_ATTEMPTS", "2")}, "instruments", "--log-level", "info")
	mdExpect(t, r, 7, "rate limited by "+env["KITE_BASE_URL"], "(after 2 attempts)", "retrying in 1s (attempt 2 of 2)")
}

func TestE2EDebugTraceRedacted(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	r := runKite(t, kiteRun{Env: env}, "quote", "NSE:INFY", "--mode", "ltp", "--debug")
	mdExpect(t, r, 0, "http request", "/quote/ltp", `header.Authorization="token REDACTED"`, "kite-cli/")
	if strings.Contains(r.Stderr, env["KITE_ACCESS_TOKEN"]) {
		t.Fatalf("the access token is in the trace:\n%s", r.Stderr)
	}
}

func TestE2EExpiredSessionExit3(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{})
	srv.ExpireSessions()
	for _, args := range [][]string{{"quote", "NSE:INFY"}, {"history", "NSE:INFY", "--from", "7d"}, {"instruments"}} {
		r := runKite(t, kiteRun{Env: env}, args...)
		mdExpect(t, r, 3, "TokenException")
		if r.Stdout != "" {
			t.Fatalf("%v: stdout %q", args, r.Stdout)
		}
	}
}

func TestE2EBadBaseURLIsUsage(t *testing.T) {
	for _, base := range []string{"localhost:8080", "ftp://example.com", "http://"} {
		r := runKite(t, kiteRun{Env: map[string]string{"KITE_BASE_URL": base, "KITE_API_KEY": "k", "KITE_ACCESS_TOKEN": "t"}}, "quote", "NSE:INFY")
		mdExpect(t, r, 2, "invalid base URL")
	}
}

// The dump is cached, then Kite starts answering 429: quote and history
// give up with exit 7 after the retry budget, printing nothing.
func TestE2ERateLimitedAfterTheDumpIsCached(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{})
	env = mdEnv(mdFast(env), "KITE_HOME", t.TempDir(), "KITE_RETRY_ATTEMPTS", "2")
	mdExpect(t, runKite(t, kiteRun{Env: env}, "instruments", "--exchange", "NSE"), 0)
	srv.SetFaults(sandbox.Faults{RateLimit: true})
	for _, args := range [][]string{{"quote", "NSE:INFY"}, {"history", "NSE:INFY", "--from", "7d"}} {
		r := runKite(t, kiteRun{Env: env}, args...)
		mdExpect(t, r, 7, "rate limited by", "(after 2 attempts)")
		if r.Stdout != "" {
			t.Fatalf("%v: stdout %q", args, r.Stdout)
		}
	}
}
