package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/ticks"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

type watchOptions struct {
	Instruments []string
	File        string
	Sort        string
	Reverse     bool
	Rate        float64
	Conn        tickerFlags
	NATS        natsFlags
}

// newWatchCmd builds kite watch; runF, when not nil, replaces the run
// function (the seam unit tests use).
func newWatchCmd(f *Factory, runF func(*watchOptions) error) *cobra.Command {
	opts := &watchOptions{}
	cmd := &cobra.Command{
		Use:   "watch SYMBOL|TOKEN...",
		Short: "Watch live prices in a terminal table",
		Long: `Show a live table of instruments — last price, change since the previous
close, volume, best bid and ask, and open interest for derivatives — redrawn in
place at most --rate times a second from the ticker's full-mode ticks. Rows
that do not fit the terminal are left out and counted on the last line:
--sort picks which come first. On a colour terminal gains are green and
losses red (--color never, or NO_COLOR, turns it off).

Instruments are given as for kite stream: EXCHANGE:TRADINGSYMBOL symbols (a
symbol without an exchange means NSE) or tokens, as arguments or in --file.

Press q or Ctrl-C to quit; the terminal is restored. watch needs a terminal:
to record ticks or pipe them into another program, use kite stream.`,
		Example: `  kite watch NSE:INFY NSE:RELIANCE NSE:TCS
  kite watch NSE:NIFTY\ 50 "NSE:NIFTY BANK" NSE:INFY --sort change --reverse
  kite watch --file watchlist.txt --rate 2`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Instruments = args
			if err := opts.NATS.check(f, cmd); err != nil {
				return err
			}
			if err := opts.validate(f); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runWatch(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", symbolFileUsage)
	fl.StringVarP(&opts.Sort, "sort", "s", "symbol", "sort rows by symbol, price, change, volume or oi")
	fl.BoolVarP(&opts.Reverse, "reverse", "r", false, "sort in descending order")
	fl.Float64Var(&opts.Rate, "rate", 4, "redraw at most this many times a second")
	opts.Conn.register(cmd)
	opts.NATS.registerFrom(cmd)
	return cmd
}

// streamHint is the kite stream command that pipes what watch would have
// shown, quoted for a POSIX shell so it can be pasted as it is.
func streamHint(opts *watchOptions) string {
	args := []string{"kite", "stream"}
	if opts.File != "" {
		args = append(args, "--file", opts.File)
	}
	return shellJoin(append(args, opts.Instruments...))
}

// shellJoin joins words for a POSIX shell: words with anything but
// letters, digits and -_.:/@%+=, are single-quoted ("NSE:NIFTY 50").
func shellJoin(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = w
		if w == "" || strings.IndexFunc(w, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:/@%+=,", r))
		}) >= 0 {
			out[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}

var watchSorts = []string{"symbol", "price", "change", "volume", "oi"}

// validate refuses what kite watch cannot do, before anything is loaded.
func (opts *watchOptions) validate(f *Factory) error {
	if !f.IO.StdoutTTY {
		return exitcode.Usagef("kite watch draws a live table and stdout is not a terminal: to record or pipe ticks, use %s", streamHint(opts))
	}
	if !slices.Contains(watchSorts, opts.Sort) {
		return exitcode.Usagef("unknown --sort %q: use %s", opts.Sort, strings.Join(watchSorts, ", "))
	}
	if opts.Rate <= 0 || opts.Rate > 60 {
		return exitcode.Usagef("--rate must be above 0 and at most 60 redraws a second")
	}
	if opts.File == "-" {
		return exitcode.Usagef("kite watch reads keys from the terminal, so --file - is not possible: name a file")
	}
	return nil
}

func runWatch(ctx context.Context, f *Factory, opts *watchOptions) error {
	source := watchKite
	if opts.NATS.From != "" {
		source = watchFrom
	}
	board, run, err := source(ctx, f, opts)
	if err != nil {
		return err
	}
	board.color = f.IO.ColorEnabled()

	screen, err := openScreen(f)
	if err != nil {
		return err
	}
	defer screen.restore()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go screen.keys(cancel)
	runErr := make(chan error, 1)
	go func() { runErr <- run(ctx) }()

	every := time.Duration(float64(time.Second) / opts.Rate)
	redraw := time.NewTicker(every)
	defer redraw.Stop()
	var frame []byte
	for {
		select {
		case err := <-runErr:
			return screen.end(ctx, err)
		case <-redraw.C:
			if !board.takeDirty() {
				continue
			}
			w, h := screen.size()
			frame = board.render(frame[:0], w, h, time.Now())
			if _, err := screen.out.Write(frame); err != nil {
				cancel(err)
			}
		}
	}
}

// watchKite subscribes to Kite's ticker in full mode; run runs it.
func watchKite(ctx context.Context, f *Factory, opts *watchOptions) (*watchBoard, func(context.Context) error, error) {
	insts, tickerOpts, err := opts.Conn.setup(ctx, f, opts.Instruments, opts.File)
	if err != nil {
		return nil, nil, err
	}

	board := newWatchBoard(insts, opts.Sort, opts.Reverse)
	tickerOpts.Handler = board
	t, err := kite.NewTicker(tickerOpts)
	if err != nil {
		return nil, nil, err
	}
	tokens := make([]uint32, len(insts))
	for i, in := range insts {
		tokens[i] = in.token
	}
	if err := t.Subscribe(ctx, ticks.ModeFull, tokens...); err != nil {
		return nil, nil, err
	}

	return board, t.Run, nil
}

// end restores the terminal when the ticker's Run has returned err and
// says how the command ends: q is success, Ctrl-C an interrupt.
func (s *screen) end(ctx context.Context, err error) error {
	s.restore()
	if errors.Is(err, errWatchQuit) {
		return nil
	}
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		return context.Canceled
	}
	return tickerHint(err)
}

// errWatchQuit is the q key: a normal exit.
var errWatchQuit = errors.New("quit")

// screen is the terminal in raw mode on the alternate screen.
type screen struct {
	out      io.Writer
	fd       int
	in       io.Reader
	inFd     int
	oldState *term.State
	once     sync.Once
}

func openScreen(f *Factory) (*screen, error) {
	s := &screen{out: f.IO.Out, fd: -1, inFd: -1, in: f.IO.In}
	if fo, ok := f.IO.Out.(*os.File); ok {
		s.fd = int(fo.Fd())
	}
	// Raw mode so q quits without Enter and Ctrl-C arrives as a key, which
	// lets the terminal be restored before the process exits.
	if fi, ok := f.IO.In.(*os.File); ok && term.IsTerminal(int(fi.Fd())) {
		s.inFd = int(fi.Fd())
		st, err := term.MakeRaw(s.inFd)
		if err != nil {
			return nil, fmt.Errorf("putting the terminal in raw mode: %w", err)
		}
		s.oldState = st
	}
	// Alternate screen, hidden cursor, cleared.
	fmt.Fprint(s.out, "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J")
	return s, nil
}

func (s *screen) restore() {
	s.once.Do(func() {
		fmt.Fprint(s.out, "\x1b[?25h\x1b[?1049l")
		if s.oldState != nil {
			_ = term.Restore(s.inFd, s.oldState)
		}
	})
}

func (s *screen) size() (w, h int) {
	if s.fd >= 0 {
		if w, h, err := term.GetSize(s.fd); err == nil {
			return w, h
		}
	}
	return 100, 40
}

// keys reads the keyboard: q quits, Ctrl-C interrupts.
func (s *screen) keys(stop context.CancelCauseFunc) {
	if s.inFd < 0 {
		return
	}
	r := bufio.NewReader(s.in)
	for {
		b, err := r.ReadByte()
		if err != nil {
			return
		}
		switch b {
		case 'q', 'Q':
			stop(errWatchQuit)
			return
		case 3: // Ctrl-C
			stop(context.Canceled)
			return
		}
	}
}

// watchRow is the latest state of one instrument.
type watchRow struct {
	symbol     string
	token      uint32
	derivative bool
	index      bool // indices have no volume or depth
	seen       bool
	last       int32
	close      int32
	volume     uint32
	bid, ask   int32
	oi         uint32
}

func (r *watchRow) change() float64 {
	if r.close == 0 {
		return 0
	}
	return float64(r.last-r.close) * 100 / float64(r.close)
}

// watchBoard is the latest-state store: the ticker writes ticks into it,
// the redraw loop reads it. Redraws are paced independently of the tick
// rate, so a busy market costs decode work only.
type watchBoard struct {
	mu      sync.Mutex
	rows    []*watchRow
	byToken map[uint32]*watchRow
	sortBy  string
	reverse bool
	dirty   bool
	color   bool // gains green, losses red
	status  string
	tick    ticks.Tick
}

func newWatchBoard(insts []instrument, sortBy string, reverse bool) *watchBoard {
	b := &watchBoard{byToken: map[uint32]*watchRow{}, sortBy: sortBy, reverse: reverse, dirty: true, status: "connecting"}
	for _, in := range insts {
		r := &watchRow{symbol: in.symbol, token: in.token}
		if r.symbol == "" {
			r.symbol = strconv.FormatUint(uint64(in.token), 10)
		}
		switch uint8(in.token) {
		case ticks.SegmentIndices:
			r.index = true
		case ticks.SegmentNFO, ticks.SegmentBFO, ticks.SegmentCDS, ticks.SegmentBCD, ticks.SegmentMCX:
			r.derivative = true
		}
		b.rows = append(b.rows, r)
		b.byToken[in.token] = r
	}
	return b
}

func (b *watchBoard) Binary(_ int, msg []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	it := ticks.NewIter(msg)
	for it.Next(&b.tick) {
		r := b.byToken[b.tick.InstrumentToken]
		if r == nil {
			continue
		}
		t := &b.tick
		r.seen = true
		r.last = t.LastPrice
		if t.Mode != ticks.ModeLTP {
			r.close, r.volume = t.Close, t.VolumeTraded
		}
		// Until Kite applies the full mode the first ticks are quotes,
		// without depth or OI: keep what the table shows.
		if t.Mode == ticks.ModeFull {
			r.oi = t.OI
			r.bid, r.ask = t.Depth.Buy[0].Price, t.Depth.Sell[0].Price
		}
		b.dirty = true
	}
	return nil
}

func (b *watchBoard) Text(int, []byte) error { return nil }

func (b *watchBoard) Event(ev kite.TickerEvent) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.status = tickerStatus(ev, b.status)
	b.dirty = true
	return nil
}

// tickerStatus is the status line's word for the ticker after ev (cur
// when ev does not change it); watch and chain --live show it.
func tickerStatus(ev kite.TickerEvent, cur string) string {
	switch ev.Kind {
	case kite.EventConnected:
		return "live"
	case kite.EventReconnecting:
		return fmt.Sprintf("reconnecting (attempt %d in %s)", ev.Attempt, ev.Wait.Round(time.Millisecond))
	case kite.EventDisconnected:
		return "disconnected"
	}
	return cur
}

func (b *watchBoard) takeDirty() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	d := b.dirty
	b.dirty = false
	return d
}

var watchHeader = []string{"SYMBOL", "LAST", "CHG%", "VOLUME", "BID", "ASK", "OI"}

// render draws the whole table from the top left, each line cleared to
// its end, so a redraw never flickers or leaves stale characters.
func (b *watchBoard) render(dst []byte, width, height int, now time.Time) []byte {
	b.mu.Lock()
	rows := make([]watchRow, len(b.rows))
	for i, r := range b.rows {
		rows[i] = *r
	}
	status := b.status
	b.mu.Unlock()
	b.sort(rows)

	cells := make([][]string, 0, len(rows)+1)
	cells = append(cells, watchHeader)
	for _, r := range rows {
		if !r.seen {
			cells = append(cells, []string{r.symbol, "-", "-", "-", "-", "-", "-"})
			continue
		}
		dec := ticks.DivisorDecimals(uint8(r.token))
		oi := "-"
		if r.derivative {
			oi = strconv.FormatUint(uint64(r.oi), 10)
		}
		volume, bid, ask := "-", "-", "-"
		if !r.index {
			volume = strconv.FormatUint(uint64(r.volume), 10)
			bid, ask = ticks.FormatPrice(r.bid, dec), ticks.FormatPrice(r.ask, dec)
		}
		cells = append(cells, []string{r.symbol, ticks.FormatPrice(r.last, dec), fmt.Sprintf("%+.2f", r.change()), volume, bid, ask, oi})
	}
	widths := make([]int, len(watchHeader))
	for _, row := range cells {
		for i, c := range row {
			widths[i] = max(widths[i], len(c))
		}
	}
	// The screen is height lines; the last one is written without a line
	// feed, which would scroll the title off the top. A short terminal
	// loses the blank line first, then rows, which the last line counts.
	height = max(height, 1)
	title := fmt.Sprintf("kite watch · %s · %s · q to quit", now.In(kite.IST).Format("15:04:05 MST"), status)
	lines := []string{title}
	blank := height >= len(cells)+2 || height >= 8
	if blank {
		lines = append(lines, "")
	}
	room := height - len(lines) // for the header and the rows
	hidden := 0
	if len(cells) > room {
		// Keep a line to say how many rows are hidden, if there is one
		// for the header and a row besides.
		shown := max(room-1, 0)
		if room < 3 {
			shown = room
		}
		hidden = len(rows) - max(shown-1, 0)
		cells = cells[:shown]
	}
	dst = append(dst, "\x1b[H"...)
	n := 0 // lines written
	line := func(s string) {
		n++
		dst = appendLine(dst, s, width, n == height)
	}
	for _, l := range lines {
		line(l)
	}
	for r, row := range cells {
		var sb strings.Builder
		for i, c := range row {
			if i > 0 {
				sb.WriteString("  ")
			}
			if i == 0 {
				sb.WriteString(c + strings.Repeat(" ", widths[i]-len(c)))
				continue
			}
			sb.WriteString(strings.Repeat(" ", widths[i]-len(c)))
			if i == 2 && r > 0 && b.color && (width <= 0 || sb.Len()+len(c) <= width) {
				c = colorChange(c)
			}
			sb.WriteString(c)
		}
		line(sb.String())
	}
	if hidden > 0 && n < height {
		line(fmt.Sprintf("… %d more rows hidden: make the terminal taller, or choose which come first with --sort", hidden))
	}
	return append(dst, "\x1b[J"...) // clear anything below
}

// appendLine writes one screen line cut to width (colour codes, only in
// lines that fit, do not count) and cleared to its end; the screen's last
// line has no line feed, which would scroll the title away.
func appendLine(dst []byte, s string, width int, last bool) []byte {
	if width > 0 && visibleLen(s) > width {
		s = cutVisible(s, width)
	}
	dst = append(dst, s...)
	if last {
		return append(dst, "\x1b[K"...)
	}
	return append(dst, "\x1b[K\r\n"...)
}

// visibleLen is s's width on screen: runes, without colour codes.
func visibleLen(s string) int { return utf8.RuneCountInString(ansiCode.ReplaceAllString(s, "")) }

var ansiCode = regexp.MustCompile("\x1b\\[[0-9;]*m")

// cutVisible cuts a line without colour codes to width runes.
func cutVisible(s string, width int) string {
	s = ansiCode.ReplaceAllString(s, "")
	r := []rune(s)
	if len(r) > width {
		r = r[:width]
	}
	return string(r)
}

// colorChange paints a change cell green (a gain) or red (a loss).
func colorChange(c string) string {
	if c == "" || strings.Trim(c[1:], "0.") == "" {
		return c // +0.00 is neither
	}
	switch c[0] {
	case '+':
		return "\x1b[32m" + c + "\x1b[0m"
	case '-':
		return "\x1b[31m" + c + "\x1b[0m"
	}
	return c
}

func (b *watchBoard) sort(rows []watchRow) {
	key := func(r *watchRow) float64 {
		switch b.sortBy {
		case "price":
			return float64(r.last) / float64(ticks.Divisor(uint8(r.token)))
		case "change":
			return r.change()
		case "volume":
			return float64(r.volume)
		case "oi":
			return float64(r.oi)
		}
		return 0
	}
	slices.SortStableFunc(rows, func(x, y watchRow) int {
		c := cmpFloat(key(&x), key(&y))
		if b.sortBy == "symbol" {
			c = strings.Compare(x.symbol, y.symbol)
		}
		if b.reverse {
			c = -c
		}
		if c == 0 {
			c = strings.Compare(x.symbol, y.symbol)
		}
		return c
	})
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
