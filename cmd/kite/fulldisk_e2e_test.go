package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox"
)

// Stdout on a full disk (/dev/full: every write fails with ENOSPC) ends a
// command with exit 1 and the write error, and nothing claims the output
// was written.
func TestE2EFullDiskStdout(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full here: %v", err)
	}
	defer full.Close()
	_, env := startTestSandbox(t, sandbox.Options{TickInterval: 5 * time.Millisecond})
	for _, args := range [][]string{
		{"stream", symINFY, "--count", "3"},
		{"history", symINFY, "--interval", "minute", "--from", "30d"},
		{"quote", symINFY},
		{"instruments", "--exchange", "NSE"},
		{"orders"},
	} {
		cmd := kiteCommand(t, env, args...)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = full, &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		code := 0
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		msg := stderr.String()
		if code != 1 || !strings.Contains(msg, "no space left on device") || strings.Contains(msg, "written") || strings.Contains(msg, "goroutine") {
			t.Errorf("kite %s > /dev/full: exit %d, stderr:\n%s\nwant exit 1 and the write error", strings.Join(args, " "), code, msg)
		}
	}
}
