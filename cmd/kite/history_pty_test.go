//go:build linux

package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/kitecli/kite/pkg/sandbox"
)

// historyOnTTYStderr runs history with a terminal as stderr (stdout a
// pipe) and returns what each got.
func historyOnTTYStderr(t *testing.T, env map[string]string, args ...string) (stdout, tty string) {
	t.Helper()
	master, slave := openPTY(t)
	cmd := exec.Command(kiteBin, append([]string{"history"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "KITE_HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, slave
	text, err := runOnPTY(cmd, master, slave)
	if err != nil {
		t.Fatalf("history %v: %v\n%s", args, err, text)
	}
	return out.String(), text
}

func TestE2EHistoryProgressOnlyOnTerminal(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	stdout, tty := historyOnTTYStderr(t, env, "NSE:INFY", "--interval", "minute", "--from", "2026-05-01", "--to", "2026-09-30", "-o", "csv")
	if !strings.Contains(tty, "3/3 requests NSE:INFY") || !strings.Contains(tty, "1/3 requests") {
		t.Fatalf("no progress bar on the terminal: %q", tty)
	}
	if strings.Contains(stdout, "requests") || !strings.HasPrefix(stdout, "date,open,high,low,close,volume\n") {
		t.Fatalf("progress leaked into stdout: %.200q", stdout)
	}
	// One request: no bar.
	_, tty = historyOnTTYStderr(t, env, "NSE:INFY", "--interval", "day", "--from", "2026-10-01", "--to", "2026-10-31", "-o", "csv")
	if strings.Contains(tty, "requests") {
		t.Fatalf("progress bar for a single request: %q", tty)
	}
}
