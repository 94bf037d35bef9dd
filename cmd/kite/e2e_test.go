package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// kiteBin is the binary built once by TestMain; end-to-end tests exec it,
// so they exercise the real process: flags, exit codes, stdout/stderr split.
var kiteBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kite-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	kiteBin = filepath.Join(dir, "kite")
	build := exec.Command("go", "build", "-o", kiteBin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building kite:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of the binary did.
type result struct {
	Stdout, Stderr string
	Code           int
}

// kiteRun describes one run of the binary.
type kiteRun struct {
	Env     map[string]string // added to a minimal environment (PATH, HOME, KITE_HOME)
	Stdin   io.Reader
	Timeout time.Duration // default 60s
	Stderr  io.Writer     // also gets stderr as it is written, when set
}

// runKite execs the built binary with args. The environment is minimal and
// KITE_HOME points at a fresh temp dir unless r.Env sets it, so no test ever
// sees the developer's real session.
func runKite(t *testing.T, r kiteRun, args ...string) result {
	t.Helper()
	timeout := r.Timeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, kiteBin, args...)
	env := map[string]string{
		"PATH":      os.Getenv("PATH"),
		"HOME":      t.TempDir(),
		"KITE_HOME": t.TempDir(),
	}
	for k, v := range r.Env {
		env[k] = v
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.Stdin = &stdout, &stderr, r.Stdin
	if r.Stderr != nil {
		cmd.Stderr = io.MultiWriter(&stderr, r.Stderr)
	}
	err := cmd.Run()
	res := result{Stdout: stdout.String(), Stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.Code = ee.ExitCode()
	default:
		t.Fatalf("running kite %s: %v", strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("kite %s did not finish within %v; stderr:\n%s", strings.Join(args, " "), timeout, res.Stderr)
	}
	return res
}

func TestE2EVersionAndUsageErrors(t *testing.T) {
	r := runKite(t, kiteRun{}, "version")
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "kite ") {
		t.Fatalf("version: %+v", r)
	}
	r = runKite(t, kiteRun{}, "version", "--jq", ".[")
	if r.Code != 2 || r.Stdout != "" || !strings.Contains(r.Stderr, "invalid --jq") {
		t.Fatalf("bad --jq: %+v", r)
	}
	r = runKite(t, kiteRun{}, "no-such-command")
	if r.Code != 2 || !strings.Contains(r.Stderr, "kite --help") {
		t.Fatalf("unknown command: %+v", r)
	}
	r = runKite(t, kiteRun{}, "version", "-o", "yaml")
	if r.Code != 2 || !strings.Contains(r.Stderr, "unknown output format") {
		t.Fatalf("bad -o: %+v", r)
	}
}
