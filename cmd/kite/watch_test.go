package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/ticks"
)

// tmuxSession runs a shell command in a detached tmux session on a private
// socket, so the test sees exactly what a user's terminal would.
type tmuxSession struct {
	t    *testing.T
	sock string
}

func startTmux(t *testing.T, command string) *tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	s := &tmuxSession{t: t, sock: filepath.Join(t.TempDir(), "tmux.sock")}
	s.run("new-session", "-d", "-x", "120", "-y", "30", command)
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", s.sock, "kill-server").Run() })
	return s
}

func (s *tmuxSession) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", s.sock}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (s *tmuxSession) screen() string { return s.run("capture-pane", "-p") }

// waitFor polls the screen until ok accepts it.
func (s *tmuxSession) waitFor(what string, ok func(string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		scr := s.screen()
		if ok(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s; screen:\n%s", what, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func watchCommand(t *testing.T, env map[string]string, args ...string) string {
	return tmuxKiteCommand(t, env, append([]string{"watch"}, args...)...)
}

// tmuxKiteCommand is the shell command that runs kite with args in a
// clean environment plus env, then prints its exit code and waits.
func tmuxKiteCommand(t *testing.T, env map[string]string, args ...string) string {
	var b strings.Builder
	b.WriteString("env -i PATH=/usr/bin:/bin TERM=xterm-256color")
	fmt.Fprintf(&b, " HOME=%s KITE_HOME=%s", t.TempDir(), t.TempDir())
	for k, v := range env {
		fmt.Fprintf(&b, " %s='%s'", k, v)
	}
	b.WriteString(" " + kiteBin)
	for _, a := range args {
		fmt.Fprintf(&b, " '%s'", a)
	}
	b.WriteString(`; echo "EXIT=$?"; sleep 60`)
	return b.String()
}

// rowRe matches a table row with a live price: symbol, last price, change.
var rowRe = regexp.MustCompile(`(?m)^(NSE:\S+)\s+(\d+\.\d\d)\s+([+-]\d+\.\d\d)\s+\d+\s+\d+\.\d\d\s+\d+\.\d\d\s+-\s*$`)

func TestWatchUnderTmux(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{TickInterval: 20 * time.Millisecond})
	s := startTmux(t, watchCommand(t, env, symRELIANCE, symINFY, "--sort", "symbol", "--rate", "10"))
	scr := s.waitFor("both rows with prices", func(scr string) bool { return len(rowRe.FindAllString(scr, -1)) == 2 })
	if !strings.Contains(scr, "kite watch") || !regexp.MustCompile(`SYMBOL\s+LAST\s+CHG%\s+VOLUME\s+BID\s+ASK\s+OI`).MatchString(scr) {
		t.Fatalf("no header; screen:\n%s", scr)
	}
	rows := rowRe.FindAllStringSubmatch(scr, -1)
	if rows[0][1] != symINFY || rows[1][1] != symRELIANCE {
		t.Fatalf("rows not sorted by symbol: %q, %q", rows[0][1], rows[1][1])
	}
	// Redrawn in place: the prices move while the table stays put.
	first := rows[0][2] + rows[1][2]
	s.waitFor("a price change", func(scr string) bool {
		r := rowRe.FindAllStringSubmatch(scr, -1)
		return len(r) == 2 && r[0][2]+r[1][2] != first
	})

	s.run("send-keys", "q")
	scr = s.waitFor("exit", func(scr string) bool { return strings.Contains(scr, "EXIT=") })
	if !strings.Contains(scr, "EXIT=0") {
		t.Fatalf("q: want exit 0; screen:\n%s", scr)
	}
	// The alternate screen is gone and the terminal is back in cooked mode.
	if strings.Contains(scr, "SYMBOL") {
		t.Fatalf("the table is still on the screen after exit:\n%s", scr)
	}
}

func TestWatchCtrlCUnderTmux(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{TickInterval: 20 * time.Millisecond})
	s := startTmux(t, watchCommand(t, env, symINFY))
	s.waitFor("a row with a price", func(scr string) bool { return rowRe.MatchString(scr) })
	s.run("send-keys", "C-c")
	scr := s.waitFor("exit", func(scr string) bool { return strings.Contains(scr, "EXIT=") })
	if !strings.Contains(scr, "EXIT=130") || strings.Contains(scr, "SYMBOL") {
		t.Fatalf("Ctrl-C: want exit 130 and the table gone; screen:\n%s", scr)
	}
}

// --raw refuses to write binary to a terminal, before connecting.
func TestStreamRawRefusesTerminal(t *testing.T) {
	s := startTmux(t, fmt.Sprintf(`env -i PATH=/usr/bin:/bin HOME=%s KITE_HOME=%s KITE_WS_URL=ws://127.0.0.1:1/ws %s stream 408065 --raw; echo "EXIT=$?"; sleep 60`, t.TempDir(), t.TempDir(), kiteBin))
	scr := s.waitFor("exit", func(scr string) bool { return strings.Contains(scr, "EXIT=") })
	if !strings.Contains(scr, "EXIT=2") || !strings.Contains(scr, "terminal") {
		t.Fatalf("want exit 2 naming the terminal; screen:\n%s", scr)
	}
}

// The board sorts as asked and shows "-" until an instrument has ticked.
func TestWatchBoardSortAndRender(t *testing.T) {
	insts := []instrument{{token: 408065, symbol: "NSE:INFY"}, {token: 738561, symbol: "NSE:RELIANCE"}, {token: 884737, symbol: "NSE:TATAMOTORS"}, {token: 12345<<8 | ticks.SegmentNFO, symbol: "NFO:X"}}
	full := func(tok uint32, last, close int32, vol uint32) ticks.Tick {
		tk := ticks.Tick{Mode: ticks.ModeFull, InstrumentToken: tok, LastPrice: last, Close: close, VolumeTraded: vol, OI: 75}
		tk.Depth.Buy[0].Price, tk.Depth.Sell[0].Price = last-5, last+5
		return tk
	}
	msg := ticks.AppendMessage(nil,
		full(408065, 101000, 100000, 10),                    // +1%
		full(738561, 97000, 100000, 30),                     // -3%
		full(12345<<8|ticks.SegmentNFO, 250000, 200000, 20)) // +25%
	order := func(sortBy string, reverse bool) string {
		b := newWatchBoard(insts, sortBy, reverse)
		if err := b.Binary(1, msg); err != nil {
			t.Fatal(err)
		}
		var syms []string
		for _, line := range strings.Split(string(b.render(nil, 200, 50, time.Unix(0, 0))), "\r\n") {
			if f := strings.Fields(line); len(f) > 0 && strings.Contains(f[0], ":") && !strings.Contains(line, "kite watch") {
				syms = append(syms, f[0])
			}
		}
		return strings.Join(syms, " ")
	}
	for _, c := range []struct {
		sortBy  string
		reverse bool
		want    string
	}{
		{"symbol", false, "NFO:X NSE:INFY NSE:RELIANCE NSE:TATAMOTORS"},
		{"change", true, "NFO:X NSE:INFY NSE:TATAMOTORS NSE:RELIANCE"},
		{"change", false, "NSE:RELIANCE NSE:TATAMOTORS NSE:INFY NFO:X"},
		{"volume", true, "NSE:RELIANCE NFO:X NSE:INFY NSE:TATAMOTORS"},
		{"price", false, "NSE:TATAMOTORS NSE:RELIANCE NSE:INFY NFO:X"},
	} {
		if got := order(c.sortBy, c.reverse); got != c.want {
			t.Errorf("--sort %s (reverse %v): %s; want %s", c.sortBy, c.reverse, got, c.want)
		}
	}
	b := newWatchBoard(insts, "symbol", false)
	_ = b.Binary(1, msg)
	screen := string(b.render(nil, 200, 50, time.Unix(0, 0)))
	for _, want := range []string{
		"NFO:X           2500.00  +25.00      20  2499.95  2500.05  75\x1b[K",
		"NSE:INFY        1010.00   +1.00      10  1009.95  1010.05   -\x1b[K",
		"NSE:TATAMOTORS        -       -       -        -        -   -\x1b[K",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
}
