package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runSandboxServer runs `kite sandbox args…` (startSandboxProcess, which
// stops it with SIGTERM and wants exit 0), has kite profile and kite stream
// use it, and returns its stderr once it has stopped.
func runSandboxServer(t *testing.T, args ...string) string {
	t.Helper()
	var stderr *lockedBuffer
	t.Run(strings.Join(append([]string{"args"}, args...), " "), func(t *testing.T) {
		var env map[string]string
		env, stderr = startSandboxProcess(t, append([]string{"--tick-interval", "50ms"}, args...)...)
		if r := runKite(t, kiteRun{Env: env}, "profile", "-o", "json"); r.Code != 0 {
			t.Fatalf("kite profile: %+v", r)
		}
		if r := runKite(t, kiteRun{Env: env}, "stream", "NSE:INFY", "--count", "1"); r.Code != 0 {
			t.Fatalf("kite stream: %+v", r)
		}
	})
	return stderr.String()
}

// TestE2ESandboxQuietByDefault: kite sandbox in the background writes
// nothing into the user's terminal; -v and --log-file show the requests.
func TestE2ESandboxQuietByDefault(t *testing.T) {
	if got := runSandboxServer(t); got != "" {
		t.Fatalf("kite sandbox wrote to stderr by default:\n%s", got)
	}

	got := runSandboxServer(t, "-v")
	for _, want := range []string{"path=/user/profile", "ticker connected"} {
		if !strings.Contains(got, want) {
			t.Fatalf("kite sandbox -v: no %q on stderr:\n%s", want, got)
		}
	}

	file := filepath.Join(t.TempDir(), "sandbox.log")
	if got := runSandboxServer(t, "--log-file", file); got != "" {
		t.Fatalf("kite sandbox --log-file wrote to stderr:\n%s", got)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"path=/user/profile", "ticker connected", "sandbox listening"} {
		if !strings.Contains(string(b), want) {
			t.Fatalf("--log-file: no %q in the file:\n%s", want, b)
		}
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("log file mode: %v %v", fi, err)
	}

	r := runKite(t, kiteRun{}, "sandbox", "--log-file", filepath.Join(t.TempDir(), "no", "such", "dir", "x.log"))
	if r.Code != 1 || !strings.Contains(r.Stderr, "--log-file") || !strings.Contains(r.Stderr, "no such file") {
		t.Fatalf("unwritable --log-file: %+v", r)
	}
}
