package main

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/ticks"
)

// A terminal shorter than the table keeps the title on its first line,
// writes exactly its height in lines (the last without a line feed, which
// would scroll the title away) and says how many rows it left out.
func TestWatchBoardShortTerminal(t *testing.T) {
	var insts []instrument
	var tk []ticks.Tick
	for i := range 6 {
		tok := uint32(1000+i)<<8 | ticks.SegmentNSE
		insts = append(insts, instrument{token: tok, symbol: fmt.Sprintf("NSE:S%d", i)})
		tk = append(tk, ticks.Tick{Mode: ticks.ModeFull, InstrumentToken: tok, LastPrice: 10100, Close: 10000})
	}
	b := newWatchBoard(insts, "symbol", false)
	if err := b.Binary(1, ticks.AppendMessage(nil, tk...)); err != nil {
		t.Fatal(err)
	}
	for _, h := range []int{1, 2, 3, 5, 7} {
		frame := string(b.render(nil, 100, h, time.Unix(0, 0)))
		if strings.HasSuffix(frame, "\r\n\x1b[J") {
			t.Errorf("height %d: the last line ends with a line feed, scrolling the title away", h)
		}
		lines := strings.Split(strings.TrimSuffix(frame, "\x1b[J"), "\r\n")
		if len(lines) != h {
			t.Errorf("height %d: %d lines:\n%s", h, len(lines), frame)
		}
		if !strings.HasPrefix(lines[0], "\x1b[Hkite watch") {
			t.Errorf("height %d: the first line is not the title: %q", h, lines[0])
		}
	}
	// 5 lines: title, header, two rows, and the count of the other four.
	frame := string(b.render(nil, 100, 5, time.Unix(0, 0)))
	if !strings.Contains(frame, "NSE:S1") || strings.Contains(frame, "NSE:S2") ||
		!strings.Contains(frame, "… 4 more rows hidden") {
		t.Errorf("height 5:\n%s", frame)
	}
	// Tall enough: every row, nothing hidden.
	if frame := string(b.render(nil, 100, 30, time.Unix(0, 0))); strings.Contains(frame, "hidden") || !strings.Contains(frame, "NSE:S5") {
		t.Errorf("height 30:\n%s", frame)
	}
	// Colour: a gain green; a line cut to the width keeps no colour codes.
	b.color = true
	if frame := string(b.render(nil, 100, 30, time.Unix(0, 0))); !strings.Contains(frame, "\x1b[32m+1.00\x1b[0m") {
		t.Errorf("no green gain:\n%q", frame)
	}
	if frame := string(b.render(nil, 12, 30, time.Unix(0, 0))); strings.Contains(frame, "\x1b[32m") {
		t.Errorf("colour codes in a cut line:\n%q", frame)
	}
}

func TestShellJoin(t *testing.T) {
	got := shellJoin([]string{"kite", "stream", "NSE:INFY", "NSE:NIFTY 50", "it's", "", "a=b,c"})
	want := `kite stream NSE:INFY 'NSE:NIFTY 50' 'it'\''s' '' a=b,c`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// watch in a pipe points at kite stream with the same symbols, quoted so
// the hint can be pasted.
func TestE2EWatchHintQuotes(t *testing.T) {
	r := runKite(t, kiteRun{}, "--sandbox", "watch", "NSE:INFY", "NSE:NIFTY 50")
	if r.Code != 2 || !strings.Contains(r.Stderr, `use kite stream NSE:INFY 'NSE:NIFTY 50'`) {
		t.Fatalf("exit %d, stderr:\n%s", r.Code, r.Stderr)
	}
}

// On a 6-line terminal with more instruments than fit, the title stays on
// the top line while the table redraws, and the last line counts the rest.
func TestWatchShortTerminalUnderTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	_, env := startTestSandbox(t, sandbox.Options{TickInterval: 20 * time.Millisecond})
	s := startTmux(t, watchCommand(t, env, "NSE:INFY", "NSE:RELIANCE", "NSE:TCS", "NSE:SBIN", "NSE:ITC", "NSE:HDFCBANK", "--rate", "10"))
	s.run("resize-window", "-y", "6")
	s.waitFor("a full short screen", func(scr string) bool {
		return rowRe.MatchString(scr) && strings.Contains(scr, "more rows hidden")
	})
	time.Sleep(500 * time.Millisecond) // a few more redraws
	scr := s.screen()
	if first, _, _ := strings.Cut(scr, "\n"); !strings.HasPrefix(first, "kite watch") {
		t.Fatalf("the title left the top line:\n%s", scr)
	}
	if !strings.Contains(scr, "… 3 more rows hidden") {
		t.Fatalf("want 3 rows hidden on 6 lines (title, header, 3 rows, the count):\n%s", scr)
	}
}
