package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/market"
)

// TestE2EGTTAndAlertHelpExamplesRun runs every example in the help of kite
// gtt and kite alerts, in order (create before show, modify, delete),
// through a shell against one sandbox. Each must exit 0. The market clock
// is stopped at a moment when INFY trades between the examples' levels
// (above 1404 and below 1600, so 1400 is a valid stop-loss trigger and
// 1700 a target), so the examples' fixed prices always apply.
func TestE2EGTTAndAlertHelpExamplesRun(t *testing.T) {
	at := time.Date(2026, 11, 25, 11, 0, 0, 0, market.IST)
	_, env := startTestSandbox(t, sandbox.Options{Seed: 9, RateLimits: sandbox.NoRateLimits(), MarketClock: func() time.Time { return at }})
	if p := ordersLTP(t, env, "NSE:INFY"); p <= 1404 || p >= 1600 {
		t.Fatalf("INFY at %v: pick another market time for the examples' levels", p)
	}
	runHelpExamples(t, env, t.TempDir(), []string{
		"gtt create", "gtt", "gtt show", "gtt modify", "gtt delete",
		"alerts create", "alerts", "alerts show", "alerts modify", "alerts history", "alerts delete",
	})
}

// runHelpExamples runs every example line of the named commands' help, in
// the order given, through a shell in dir against the sandbox of env, and
// fails the test for each that does not exit 0.
func runHelpExamples(t *testing.T, env map[string]string, dir string, names []string) {
	t.Helper()
	root := newRootCmd(newFactory(&iostreams.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, func(string) string { return "" }))
	path := filepath.Dir(kiteBin) + string(os.PathListSeparator) + os.Getenv("PATH")
	for _, name := range names {
		cmd, _, err := root.Find(strings.Fields(name))
		if err != nil || cmd.Name() != strings.Fields(name)[len(strings.Fields(name))-1] {
			t.Fatalf("no command %q: %v", name, err)
		}
		if strings.TrimSpace(cmd.Example) == "" {
			t.Errorf("kite %s has no examples", name)
		}
		for _, line := range strings.Split(cmd.Example, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			sh := exec.CommandContext(ctx, "sh", "-c", line)
			sh.Dir = dir
			sh.Env = []string{"PATH=" + path, "HOME=" + t.TempDir(), "KITE_HOME=" + t.TempDir()}
			for k, v := range env {
				sh.Env = append(sh.Env, k+"="+v)
			}
			out, err := sh.CombinedOutput()
			cancel()
			if err != nil {
				t.Errorf("kite %s example %q: %v\n%s", name, line, err, out)
			}
		}
	}
}
