package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/recording"
	"github.com/kitecli/kite/pkg/ticks"
	"github.com/spf13/cobra"
)

func newTicksCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ticks",
		Short: "Decode recordings and raw tick captures, encode captures",
		Long: `Convert between Kite's binary ticker messages and NDJSON tick records.

A raw capture is Kite's binary messages back to back, exactly as the ticker
sends them (heartbeats dropped): what kite stream --raw writes. Each message
is a uint16 packet count and that many (uint16 length, packet) pairs, so the
file needs no other framing. A recording is what kite record writes (see
docs/recording-format.md). Tick records are the JSON kite stream prints.`,
		Example: `  kite stream NSE:INFY --mode full --raw --duration 1m > infy.bin
  kite ticks decode infy.bin | jq -c '{t: .exchange_timestamp, p: .last_price}'
  kite ticks decode infy.bin | kite ticks encode > copy.bin && cmp infy.bin copy.bin`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return exitcode.Usagef("unknown command %q for kite ticks: use kite ticks decode or kite ticks encode", args[0])
			}
			return cmd.Help()
		},
	}
	cmd.AddCommand(newTicksDecodeCmd(f, nil), newTicksEncodeCmd(f, nil), newTicksConvertCmd(f, nil))
	return cmd
}

type ticksDecodeOptions struct {
	Inputs []string // paths; "-" is stdin
	// Format is -o, resolved by ticksDecodeFormats: always NDJSON.
	Format output.Format
}

// ticksDecodeFormats: ticks decode writes NDJSON records, also for -o
// json (a record stream is JSON), and nothing else.
func ticksDecodeFormats() output.RecordFormats {
	return output.RecordFormats{
		Writes:  map[string]output.Format{"": output.NDJSON, "json": output.NDJSON, "ndjson": output.NDJSON},
		Refusal: "kite ticks decode always writes NDJSON records: drop -o %s (use --jq to reshape them)",
	}
}

// newTicksDecodeCmd builds kite ticks decode; runF, when not nil,
// replaces the run function (the seam unit tests use).
func newTicksDecodeCmd(f *Factory, runF func(*ticksDecodeOptions) error) *cobra.Command {
	opts := &ticksDecodeOptions{}
	return &cobra.Command{
		Use:   "decode [FILE...|-]",
		Short: "Print recordings and raw tick captures as NDJSON tick records",
		Long: `Read recordings (kite record) and raw captures (Kite binary messages back to
back, as kite stream --raw writes them) from the FILEs in order, or standard
input, and print one NDJSON tick record per packet on stdout, in the same
shape as kite stream. Each file is recognised by its first bytes. A
recording's ticks also carry "symbol" (from the instrument mapping in its
header) and "recv_time", the time the recorder received the message in Unix
nanoseconds. --jq filters each record.

Input of any size is streamed in constant memory. Prices are exact decimals
(157370 paise prints as 1573.7), times are RFC 3339 in IST, and a timestamp
Kite left at zero prints as null.

A recording cut short (a recorder killed, a full disk) is read up to its
last complete block; the cut is reported on stderr and the next file is
read (exit 0). A recording with a damaged block stops the run there: every
tick before it is printed, the error goes to stderr, and the exit status is 1.

A packet Kite does not send (an unknown length, or a length that does not
suit its instrument: 8, 28 or 32 bytes for an index, 8, 44 or 184 for
anything else) is skipped by its length prefix, reported on stderr with its
byte offset, and the rest is decoded; the exit status stays 0. Framing that
cannot be followed (a cut-off packet or length, a message past 12 MB) ends
the run: every tick before it is printed, the error and its byte offset go
to stderr, and the exit status is 1. A FILE that cannot be opened is invalid
input: exit 2.`,
		Example: `  kite ticks decode capture.bin
  kite ticks decode ticks/kite-20261120-*.krec --jq 'select(.symbol == "NSE:INFY") | [.recv_time, .last_price] | @tsv'
  kite ticks decode capture.bin --jq 'select(.mode == "full") | .depth.buy[0].price'
  kite stream NSE:INFY --raw | kite ticks decode - | head -5`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Inputs = args
			if len(args) == 0 {
				opts.Inputs = []string{"-"}
			}
			var err error
			if opts.Format, err = f.recordFormat(ticksDecodeFormats()); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runTicksDecode(cmd.Context(), f, opts)
		},
	}
}

// openInput opens path ("-" = stdin). A file that cannot be opened is
// invalid input (exit 2); so is waiting on a terminal for binary data.
func openInput(ctx context.Context, f *Factory, path, what string) (io.Reader, func(), error) {
	if path == "-" {
		if f.IO.StdinTTY {
			return nil, nil, exitcode.Usagef("standard input is a terminal: pass a FILE or pipe %s in", what)
		}
		return f.IO.Stdin(ctx), func() {}, nil
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, nil, exitcode.Invalidf("cannot read %s: %v", path, unwrapPathError(err))
	}
	if st, err := file.Stat(); err == nil && st.IsDir() {
		file.Close()
		return nil, nil, exitcode.Invalidf("cannot read %s: it is a directory; pass a file of %s", path, what)
	}
	return file, func() { file.Close() }, nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// checkInputs fails before any output when a FILE cannot be read, so a
// typo in the fifth of five names does not leave four files' output.
func checkInputs(paths []string) error {
	stdin := 0
	for _, p := range paths {
		if p == "-" {
			if stdin++; stdin > 1 {
				return exitcode.Usagef("standard input (-) can be read only once")
			}
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return exitcode.Invalidf("cannot read %s: %v", p, unwrapPathError(err))
		}
		if st.IsDir() {
			return exitcode.Invalidf("cannot read %s: it is a directory; pass the files in it (%s/*)", p, p)
		}
	}
	return nil
}

func runTicksDecode(ctx context.Context, f *Factory, opts *ticksDecodeOptions) error {
	if err := checkInputs(opts.Inputs); err != nil {
		return err
	}

	w := f.newRecordWriter(opts.Format, output.RecordOptions{})
	var err error
	for _, name := range opts.Inputs {
		if err = decodeFile(ctx, f, name, w); err != nil {
			break
		}
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if output.ClosedPipe(err) {
		return nil
	}
	return err
}

// decodeFile decodes one input. A recording's torn tail is told on stderr
// and is not an error.
func decodeFile(ctx context.Context, f *Factory, name string, w *output.RecordWriter) error {
	in, closeIn, err := openInput(ctx, f, name, "a recording or raw capture")
	if err != nil {
		return err
	}
	defer closeIn()
	err = decodeInput(ctx, in, w, f.IO.ErrOut)
	if errors.Is(err, recording.ErrTruncated) {
		if ferr := w.Flush(); ferr != nil {
			return ferr
		}
		fmt.Fprintf(f.IO.ErrOut, "kite: %s: %v\n", name, err)
		return nil
	}
	if err != nil && name != "-" && !output.ClosedPipe(err) && !errors.Is(err, context.Canceled) {
		err = fmt.Errorf("%s: %w", name, err)
	}
	return err
}

// maxSkipReports is how many skipped packets ticks decode describes one by
// one; a capture full of them gets a count instead of a wall of lines.
const maxSkipReports = 10

// decodeCapture is the hot loop: one buffer for the JSON line, one Tick, the
// Reader's own buffer; nothing allocates per tick unless --jq is used.
// Skipped packets are told on errOut.
func decodeCapture(ctx context.Context, r *ticks.Reader, w *output.RecordWriter, errOut io.Writer) error {
	var (
		line    []byte
		t       ticks.Tick
		enc     ticks.JSONEncoder
		skipped int
	)
	defer func() {
		switch {
		case skipped == 1:
			fmt.Fprintf(errOut, "kite: skipped 1 packet Kite does not send; every other tick was decoded\n")
		case skipped > 1:
			fmt.Fprintf(errOut, "kite: skipped %d packets Kite does not send; every other tick was decoded\n", skipped)
		}
	}()
	for n := 0; ; n++ {
		if n&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		// The Reader returns whole, validated messages (and, with an
		// error, the valid prefix of a broken one), so the Iter itself
		// never fails here: FuzzReader checks that contract.
		msg, off, rerr := r.Next()
		it := ticks.NewIter(msg)
		for it.Next(&t) {
			line = enc.Append(line[:0], &t, "")
			if err := w.WriteJSON(line); err != nil {
				return err
			}
		}
		if n := it.Skipped(); n > 0 {
			if skipped < maxSkipReports {
				reportSkip(errOut, it.SkipErr(), off, n)
			}
			skipped += n
		}
		switch {
		case rerr == io.EOF:
			return nil
		case rerr != nil:
			return fmt.Errorf("%w (every tick before it was printed)", rerr)
		}
	}
}

// reportSkip tells errOut about the first skipped packet of the message
// at stream offset off, which had n.
func reportSkip(errOut io.Writer, err error, off, n int) {
	var de *ticks.DecodeError
	if !errors.As(err, &de) {
		return
	}
	de.Offset += off
	more := ""
	if n > 1 {
		more = fmt.Sprintf(" (and %d more in that message)", n-1)
	}
	fmt.Fprintf(errOut, "kite: %v%s\n", de, more)
}

type ticksEncodeOptions struct {
	Input string
	Batch int
}

// newTicksEncodeCmd builds kite ticks encode; runF, when not nil,
// replaces the run function (the seam unit tests use).
func newTicksEncodeCmd(f *Factory, runF func(*ticksEncodeOptions) error) *cobra.Command {
	opts := &ticksEncodeOptions{}
	cmd := &cobra.Command{
		Use:   "encode [FILE|-]",
		Short: "Turn NDJSON tick records into a raw tick capture",
		Long: `Read NDJSON tick records (the shape kite ticks decode and kite stream print)
from FILE or standard input and write Kite binary messages to stdout: the
inverse of kite ticks decode, for making captures to test your own tools.

Prices are parsed exactly from their decimal text (numbers or strings) at
the precision of the token's segment; "tradable" and "change" are derived and
ignored. Blank lines are skipped. A record that is not valid JSON, has an
unknown field, or carries fields its mode does not have is an error naming
its line number (exit 2). Stdout must not be a terminal.`,
		Example: `  kite ticks encode ticks.ndjson > capture.bin
  kite ticks decode capture.bin --jq 'select(.last_price > 1500)' | kite ticks encode > big.bin
  kite ticks encode --batch 50 ticks.ndjson | kite ticks decode`,
		Args: maxArgs(1, "one FILE (or - for standard input)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Input = "-"
			if len(args) == 1 {
				opts.Input = args[0]
			}
			if err := opts.validate(f); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runTicksEncode(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().IntVar(&opts.Batch, "batch", 1, "ticks per binary message (1 to 65535)")
	return cmd
}

// maxRecordLen bounds one NDJSON line; a full record is about 1.2 KB.
const maxRecordLen = 1 << 20

// validate refuses what kite ticks encode cannot do, before any input is
// read.
func (opts *ticksEncodeOptions) validate(f *Factory) error {
	if opts.Batch < 1 || opts.Batch > ticks.MaxPackets {
		return exitcode.Usagef("--batch %d: want 1 to %d ticks per message", opts.Batch, ticks.MaxPackets)
	}
	if f.Global.JQ != "" {
		return exitcode.Usagef("--jq filters JSON output, and kite ticks encode writes binary: filter the records before encoding them")
	}
	if f.IO.StdoutTTY {
		return exitcode.Usagef("kite ticks encode writes binary data and stdout is a terminal: redirect it to a file or pipe it into kite ticks decode")
	}
	return nil
}

// runTicksEncode encodes the records; opts has been validated.
func runTicksEncode(ctx context.Context, f *Factory, opts *ticksEncodeOptions) error {
	in, closeIn, err := openInput(ctx, f, opts.Input, "NDJSON tick records")
	if err != nil {
		return err
	}
	defer closeIn()

	out := bufio.NewWriterSize(f.IO.Out, 64<<10)
	err = encodeRecords(ctx, in, out, opts)
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	return err // EPIPE (| head) included: run turns it into exit 0
}

func encodeRecords(ctx context.Context, in io.Reader, out *bufio.Writer, opts *ticksEncodeOptions) error {
	name := opts.Input
	if name == "-" {
		name = "standard input"
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), maxRecordLen)
	batch := make([]ticks.Tick, 0, opts.Batch)
	var msg []byte
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		msg = ticks.AppendMessage(msg[:0], batch...)
		batch = batch[:0]
		_, err := out.Write(msg)
		return err
	}
	lineNo := 0
	for sc.Scan() {
		lineNo++
		if lineNo&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		t, _, err := ticks.ParseJSON(line)
		if err != nil {
			// The records before the bad one are still written.
			if ferr := flush(); ferr != nil {
				return ferr
			}
			return exitcode.With(exitcode.Usage, fmt.Errorf("%s, line %d: %w", name, lineNo, notTick(err)))
		}
		batch = append(batch, t)
		if len(batch) == opts.Batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return exitcode.With(exitcode.Usage, fmt.Errorf("%s, line %d: a record longer than %d bytes is not a tick record", name, lineNo+1, maxRecordLen))
		}
		return fmt.Errorf("reading %s: %w", name, err)
	}
	return flush()
}
