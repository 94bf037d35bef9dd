package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lockedBuffer collects a process's stderr while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startSandboxProcess runs `kite sandbox ARGS` as a real process, as a user
// would, and returns the environment it printed and its stderr. It is
// stopped with SIGTERM (and must exit 0) when the test ends.
func startSandboxProcess(t *testing.T, args ...string) (map[string]string, *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cmd := exec.CommandContext(ctx, kiteBin, append([]string{"sandbox"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "KITE_HOME=" + t.TempDir()}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer cancel()
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("kite sandbox %v: %v; stderr:\n%s", args, err, stderr)
		}
	})
	env := map[string]string{}
	sc := bufio.NewScanner(stdout)
	for len(env) < 4 && sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		if !ok {
			t.Fatalf("stdout line %q", sc.Text())
		}
		env[k] = v
	}
	if len(env) < 4 {
		t.Fatalf("kite sandbox %v printed no environment; stderr:\n%s", args, stderr)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return env, stderr
}

// TestE2ESandboxSessionTTL: with --session-ttl the printed session works,
// then expires: kite profile exits 3 and says to log in again, and kite
// stream, connected before, ends with exit 3 too.
func TestE2ESandboxSessionTTL(t *testing.T) {
	env, sbErr := startSandboxProcess(t, "-v", "--session-ttl", "4s", "--tick-interval", "50ms")
	if r := runKite(t, kiteRun{Env: env}, "profile", "-o", "json"); r.Code != 0 {
		t.Fatalf("profile while the session is fresh: %+v", r)
	}
	// The stream runs until the session dies under it.
	r := runKite(t, kiteRun{Env: fastEnv(env), Timeout: 60 * time.Second}, "stream", "NSE:INFY")
	if r.Code != 3 || !strings.Contains(r.Stderr, "kite login") {
		t.Fatalf("stream across the expiry: exit %d, want 3; stderr:\n%s", r.Code, r.Stderr)
	}
	r = runKite(t, kiteRun{Env: env}, "profile")
	if r.Code != 3 || !strings.Contains(r.Stderr, "kite login") || strings.Contains(r.Stderr, env["KITE_ACCESS_TOKEN"]) {
		t.Fatalf("profile after the expiry: %+v", r)
	}
	if !strings.Contains(sbErr.String(), "ticker session expired") {
		t.Errorf("the sandbox did not log the expiry:\n%s", sbErr)
	}
}

// TestE2ESandboxMalformedEvery: with --malformed-every, kite stream meets
// malformed ticker messages, reports each on stderr and goes on printing
// ticks.
func TestE2ESandboxMalformedEvery(t *testing.T) {
	env, _ := startSandboxProcess(t, "--malformed-every", "300ms", "--tick-interval", "50ms")
	r := runKite(t, kiteRun{Env: env, Timeout: 60 * time.Second}, "stream", "NSE:INFY", "--duration", "3s")
	if r.Code != 0 {
		t.Fatalf("stream: exit %d; stderr:\n%s", r.Code, r.Stderr)
	}
	if n := strings.Count(r.Stderr, "malformed"); n < 2 {
		t.Fatalf("%d malformed messages reported in 3s at one per 300ms; stderr:\n%s", n, r.Stderr)
	}
	if ticks := len(parseLines(t, r.Stdout)); ticks < 10 {
		t.Fatalf("%d ticks in 3s at 50ms", ticks)
	}
}

func TestE2ESandboxFaultFlagsUsage(t *testing.T) {
	for _, flag := range []string{"--session-ttl", "--malformed-every"} {
		r := runKite(t, kiteRun{Timeout: 20 * time.Second}, "sandbox", flag, "-1s")
		if r.Code != 2 || !strings.Contains(r.Stderr, flag) {
			t.Errorf("%s -1s: %+v", flag, r)
		}
	}
	r := runKite(t, kiteRun{}, "sandbox", "--help")
	for _, want := range []string{"--session-ttl 1m", "--malformed-every 5s"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("help has no example with %q", want)
		}
	}
}
