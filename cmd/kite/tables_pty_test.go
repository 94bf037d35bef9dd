//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kitecli/kite/pkg/sandbox"
	"golang.org/x/sys/unix"
)

// onTerminal runs kite with stdout on a cols×rows terminal (stderr a
// pipe) and returns what each got.
func onTerminal(t *testing.T, cols, rows uint16, env map[string]string, args ...string) (screen, stderr string) {
	t.Helper()
	master, slave := openPTY(t)
	if err := unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Col: cols, Row: rows}); err != nil {
		t.Fatalf("setting the terminal size: %v", err)
	}
	cmd := exec.Command(kiteBin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "KITE_HOME=" + t.TempDir(), "TERM=xterm-256color"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = slave, &errOut
	screen, err := runOnPTY(cmd, master, slave)
	if err != nil {
		t.Fatalf("kite %v: %v\n%s%s", args, err, screen, errOut.String())
	}
	return screen, errOut.String()
}

// runOnPTY runs cmd, whose streams the caller pointed at slave, and
// returns everything the terminal showed.
func runOnPTY(cmd *exec.Cmd, master, slave *os.File) (string, error) {
	got := make(chan string)
	go func() {
		b, _ := io.ReadAll(master) // ends with EIO once the slave is closed
		got <- string(b)
	}()
	err := cmd.Run()
	slave.Close()
	return <-got, err
}

var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// The bar: on a 100×30 terminal every table is readable without
// wrapping, gains are green and losses red, and NO_COLOR or --color never
// turn colour off.
func TestTablesOnA100ColumnTerminal(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	ordersRun(t, env, 0, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--type", "MARKET", "--yes")
	ordersRun(t, env, 0, "gtt", "create", "NSE:INFY", "--sell", "--qty", "1", "--trigger", "1400,1700", "--price", "1395,1700", "--yes")
	ordersRun(t, env, 0, "alerts", "create", "NSE:INFY", "--operator", ">=", "--value", "1700", "--name", "infy 1700", "--yes")
	for _, args := range [][]string{
		{"holdings"}, {"positions"}, {"orders"}, {"trades"}, {"margins"}, {"gtt"}, {"alerts"},
		{"quote", "NSE:INFY", "NSE:RELIANCE", "NSE:NIFTY 50"}, {"instruments", "search", "NIFTY", "--exchange", "NFO", "--limit", "5"},
		{"mf", "holdings"}, {"mf", "orders"}, {"mf", "sips"}, {"auctions"}, {"profile"}, {"chain", "NIFTY"},
	} {
		screen, _ := onTerminal(t, 100, 30, env, args...)
		lines := strings.Split(strings.TrimRight(sgr.ReplaceAllString(screen, ""), "\r\n"), "\r\n")
		if len(lines) < 2 {
			t.Errorf("kite %s: no table:\n%s", strings.Join(args, " "), screen)
		}
		for _, l := range lines {
			if n := utf8.RuneCountInString(l); n > 100 {
				t.Errorf("kite %s: a line of %d columns wraps on 100:\n%s", strings.Join(args, " "), n, l)
			}
		}
	}

	// Colour: the holdings' P&L is a gain (bought well below today's
	// price), so green; with NO_COLOR or --color never, no colour at all.
	screen, _ := onTerminal(t, 100, 30, env, "holdings")
	if !strings.Contains(screen, "\x1b[32m") {
		t.Errorf("no green on a colour terminal:\n%q", screen)
	}
	noColor := map[string]string{"NO_COLOR": "1"}
	for k, v := range env {
		noColor[k] = v
	}
	if screen, _ := onTerminal(t, 100, 30, noColor, "holdings"); strings.Contains(screen, "\x1b[") {
		t.Errorf("colour with NO_COLOR:\n%q", screen)
	}
	if screen, _ := onTerminal(t, 100, 30, env, "holdings", "--color", "never"); strings.Contains(screen, "\x1b[") {
		t.Errorf("colour with --color never:\n%q", screen)
	}
	// A pipe has no colour unless asked for.
	if r := runKite(t, kiteRun{Env: env}, "holdings", "-o", "table"); strings.Contains(r.Stdout, "\x1b[") {
		t.Errorf("colour in a pipe:\n%q", r.Stdout)
	}
	if r := runKite(t, kiteRun{Env: env}, "holdings", "-o", "table", "--color", "always"); !strings.Contains(r.Stdout, "\x1b[32m") {
		t.Errorf("no colour with --color always:\n%q", r.Stdout)
	}
	if r := runKite(t, kiteRun{Env: env}, "holdings", "--color", "sometimes"); r.Code != 2 || !strings.Contains(r.Stderr, "never, auto or always") {
		t.Errorf("--color sometimes: exit %d %s", r.Code, r.Stderr)
	}

	// A narrow terminal: columns hidden, and stderr says which and how
	// to choose; --columns picks exactly the columns asked for.
	_, stderr := onTerminal(t, 60, 30, env, "holdings")
	if !strings.Contains(stderr, "hidden to fit the terminal") || !strings.Contains(stderr, "--columns") {
		t.Errorf("60 columns: stderr %q", stderr)
	}
	screen, _ = onTerminal(t, 100, 30, env, "holdings", "--columns", "tradingsymbol,pnl")
	if first, _, _ := strings.Cut(sgr.ReplaceAllString(screen, ""), "\r\n"); strings.Join(strings.Fields(first), " ") != "SYMBOL P&L" {
		t.Errorf("--columns tradingsymbol,pnl: header %q", first)
	}
}

// Prices in a table to the tick's decimals (INFY ticks in 0.05: 2), while
// JSON keeps Kite's digits: after buying one more INFY at the market, the
// holding's average is (11 prices)/11.
func TestE2ETableNumbersForPeople(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	ordersRun(t, env, 0, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--type", "MARKET", "--yes")
	r := runKite(t, kiteRun{Env: env}, "holdings", "-o", "json", "--jq", `.[] | select(.tradingsymbol == "INFY") | .average_price`)
	var avg json.Number
	if err := json.Unmarshal([]byte(strings.TrimSpace(r.Stdout)), &avg); err != nil {
		t.Fatalf("average_price %q: %v", r.Stdout, err)
	}
	// Usually a long fraction (the market price varies); either way the
	// table has exactly two decimals.
	f, _ := avg.Float64()
	r = runKite(t, kiteRun{Env: env}, "holdings", "-o", "table", "--columns", "tradingsymbol,average_price,day_change_percentage")
	for _, line := range strings.Split(r.Stdout, "\n") {
		if strings.HasPrefix(line, "INFY ") {
			fields := strings.Fields(line)
			if fields[1] != fmt.Sprintf("%.2f", f) {
				t.Errorf("AVG PRICE %s, want %.2f (from %s)", fields[1], f, avg)
			}
			if !regexp.MustCompile(`^-?\d+\.\d\d$`).MatchString(fields[2]) || fields[2] == "-0.00" {
				t.Errorf("DAY CHANGE %% %q, want 2 decimals", fields[2])
			}
			return
		}
	}
	t.Fatalf("no INFY row:\n%s", r.Stdout)
}
