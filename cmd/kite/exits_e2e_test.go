//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox"
	"golang.org/x/sys/unix"
)

// stdinRun is a run of the binary with a pipe on stdin that the test
// writes to and keeps open, as a slow producer would.
type stdinRun struct {
	t      *testing.T
	cmd    *exec.Cmd
	in     *os.File // the test's end of stdin
	stderr bytes.Buffer
	cancel context.CancelFunc
}

func startWithStdin(t *testing.T, env map[string]string, args ...string) *stdinRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	r := &stdinRun{t: t, cancel: cancel}
	r.cmd = exec.CommandContext(ctx, kiteBin, args...)
	r.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "KITE_HOME=" + t.TempDir()}
	for k, v := range env {
		r.cmd.Env = append(r.cmd.Env, k+"="+v)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.in = pw
	r.cmd.Stdin, r.cmd.Stderr = pr, &r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pr.Close()
	t.Cleanup(func() { cancel(); pw.Close() })
	return r
}

// feed writes b to stdin and waits until kite has read all of it: by then
// kite is running its command, with its signal handling in place.
func (r *stdinRun) feed(b []byte) {
	r.t.Helper()
	if _, err := r.in.Write(b); err != nil {
		r.t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		n, err := unix.IoctlGetInt(int(r.in.Fd()), unix.TIOCINQ) // FIONREAD: bytes in the pipe
		if err != nil {
			r.t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("kite never read its stdin; stderr:\n%s", r.stderr.String())
		}
	}
}

// signal sends sig and returns the exit code. A run still going after
// half a minute (a liveness bound, not a speed check) is killed, which
// fails the test: kite must end on its own.
func (r *stdinRun) signal(sig os.Signal) (int, string) {
	r.t.Helper()
	defer r.cancel()
	if err := r.cmd.Process.Signal(sig); err != nil {
		r.t.Fatal(err)
	}
	err := r.cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		r.t.Fatal(err)
	}
	if r.cmd.ProcessState.ExitCode() == -1 {
		r.t.Fatalf("kite did not end on %v; stderr:\n%s", sig, r.stderr.String())
	}
	return r.cmd.ProcessState.ExitCode(), r.stderr.String()
}

// A signal ends kite, with 130 for SIGINT and 143 for SIGTERM, while it
// waits for stdin that never ends.
func TestE2ESignalWhileReadingStdin(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	tests := []struct {
		args  []string
		input string
		sig   syscall.Signal
		want  int
	}{
		{[]string{"stream", "--file", "-"}, "NSE:INFY\n", syscall.SIGINT, 130},
		{[]string{"quote", "--file", "-"}, "NSE:INFY\n", syscall.SIGTERM, 143},
		{[]string{"api", "POST", "/orders/regular", "--input", "-"}, "{", syscall.SIGTERM, 143},
		{[]string{"ticks", "decode", "-"}, "\x00", syscall.SIGINT, 130},
		{[]string{"ticks", "encode", "-"}, `{"instrument_token":`, syscall.SIGTERM, 143},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := startWithStdin(t, env, tt.args...)
			r.feed([]byte(tt.input))
			code, stderr := r.signal(tt.sig)
			msg := map[int]string{130: "kite: interrupted\n", 143: "kite: terminated\n"}[tt.want]
			if code != tt.want || stderr != msg {
				t.Fatalf("exit %d, want %d; stderr %q, want %q", code, tt.want, stderr, msg)
			}
		})
	}
	if n := len(ordersBook(t, env)); n != 0 {
		t.Fatalf("%d orders were placed", n)
	}
}

// A --jq program that never ends stops on Ctrl-C.
func TestE2ESignalStopsJQ(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	capture := runKite(t, kiteRun{Env: env}, "stream", "NSE:INFY", "--raw", "--count", "1")
	if capture.Code != 0 || len(capture.Stdout) < 10 {
		t.Fatalf("capturing a message: %+v", capture)
	}
	r := startWithStdin(t, nil, "ticks", "decode", "-", "--jq", "last(range(1e10))")
	r.feed([]byte(capture.Stdout))
	r.in.Close() // EOF: all that is left to do is the jq program
	code, stderr := r.signal(syscall.SIGINT)
	if code != 130 || stderr != "kite: interrupted\n" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// runClosedStdout runs the binary with stdout a pipe whose reader has
// gone: every write fails (EPIPE, or SIGPIPE unless it is ignored). When
// readFirst, the reader takes the first line before going, as | head -1.
func runClosedStdout(t *testing.T, env map[string]string, stdin []byte, readFirst bool, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, kiteBin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "KITE_HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.Stdin = pw, &stderr, bytes.NewReader(stdin)
	if !readFirst {
		pr.Close()
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if readFirst {
		if _, err := bufio.NewReader(pr).ReadString('\n'); err != nil {
			t.Fatalf("reading the first line: %v", err)
		}
		pr.Close()
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatalf("kite %v did not end; stderr:\n%s", args, stderr.String())
	}
	return cmd.ProcessState.ExitCode(), stderr.String()
}

// A reader that goes away (| head) is not an error in any command: exit 0
// and no error on stderr. (Before, history was killed by SIGPIPE: 141 in a
// shell.)
func TestE2EClosedPipeExitsZero(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{Seed: 3, RateLimits: sandbox.NoRateLimits()})
	capture := runKite(t, kiteRun{Env: env}, "stream", "NSE:INFY", "NSE:SBIN", "--raw", "--count", "4")
	records := runKite(t, kiteRun{Stdin: strings.NewReader(capture.Stdout)}, "ticks", "decode", "-")
	if capture.Code != 0 || records.Code != 0 || records.Stdout == "" {
		t.Fatalf("a capture and its records: %+v %+v", capture, records)
	}
	commands := [][]string{
		{"version"},
		{"whoami"},
		{"profile"},
		{"margins"},
		{"holdings"},
		{"positions"},
		{"orders"},
		{"trades"},
		{"quote", "NSE:INFY", "NSE:SBIN"},
		{"history", "NSE:INFY", "--interval", "minute", "--from", "2026-05-01", "--to", "2026-09-30", "-o", "csv"},
		{"history", "NSE:INFY", "--interval", "minute", "--from", "2026-05-01", "--to", "2026-09-30", "-o", "ndjson", "--jq", ".close"},
		{"instruments", "-o", "csv"},
		{"instruments", "search", "INFY"},
		{"api", "GET", "/user/profile"},
		{"chain", "NIFTY", "--strikes", "2"},
		{"stream", "NSE:INFY", "--count", "3"},
		{"ticks", "decode", "-"},
		{"ticks", "encode", "-"},
		{"orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--price", "1", "--dry-run"},
	}
	for _, args := range commands {
		var stdin []byte
		if args[0] == "ticks" {
			stdin = map[string][]byte{"decode": []byte(capture.Stdout), "encode": []byte(records.Stdout)}[args[1]]
		}
		code, stderr := runClosedStdout(t, env, stdin, false, args...)
		// No error on stderr (chain's summary line belongs there).
		if code != 0 || strings.Contains(stderr, "kite:") || strings.Contains(stderr, "pipe") {
			t.Errorf("kite %s > closed pipe: exit %d, stderr %q", strings.Join(args, " "), code, stderr)
		}
	}
	code, stderr := runClosedStdout(t, env, nil, true, "history", "NSE:INFY", "--interval", "minute", "--from", "2026-05-01", "--to", "2026-09-30", "-o", "csv")
	if code != 0 || stderr != "" {
		t.Errorf("kite history | head -1: exit %d, stderr %q", code, stderr)
	}
}
