package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/recording"
	"github.com/kitecli/kite/pkg/ticks"
	"github.com/parquet-go/parquet-go"
	"github.com/spf13/cobra"
)

type ticksConvertOptions struct {
	cmdDeps

	Inputs []string
	To     string
	Output string // the Parquet file (-o here names a file)
}

// newTicksConvertCmd builds kite ticks convert; runF, when not nil,
// replaces the run function (the seam unit tests use).
func newTicksConvertCmd(f *Factory, runF func(*ticksConvertOptions) error) *cobra.Command {
	opts := &ticksConvertOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "convert --to parquet FILE... -o OUT.parquet",
		Short: "Convert recordings and raw captures to a Parquet file of ticks",
		Long: `Write the ticks of recordings (kite record) and raw captures (kite stream
--raw), read in order, to one Parquet file: one row per tick, the same ticks
kite ticks decode prints, with typed columns that DuckDB, pandas and polars
read directly.

Columns (null where the tick's mode or kind does not carry the field, as
kite ticks decode leaves it out):
  recv_time              timestamp[ns] UTC   receive time (null for raw captures)
  instrument_token       int64
  symbol, exchange       string              from the recording's mapping (null if unknown)
  mode                   string              ltp, quote or full
  tradable               bool                false for indices
  last_price             float64             rupees
  last_traded_quantity, volume_traded, total_buy_quantity,
  total_sell_quantity    int64
  average_traded_price, open, high, low, close
                         float64             rupees
  change                 float64             percent, 4 decimals, as decode prints it
  last_trade_time, exchange_timestamp
                         timestamp[ns] UTC   null when Kite sent zero
  oi, oi_day_high, oi_day_low
                         int64
  bid_price_1..5, ask_price_1..5            float64
  bid_quantity_1..5, ask_quantity_1..5      int64
  bid_orders_1..5, ask_orders_1..5          int64  (level 1 is the best)

Prices are float64: Kite's integer price divided by the segment's divisor
(100, or 10,000,000 for CDS and 10,000 for BCD), which IEEE 754 rounds to
the float64 nearest the exact decimal kite ticks decode prints. The file is
zstd-compressed. OUT is replaced only when the conversion succeeds.`,
		Example: `  kite ticks convert --to parquet ticks/kite-20261120-*.krec -o 2026-11-20.parquet
  duckdb -c "SELECT symbol, max(last_price) FROM '2026-11-20.parquet' GROUP BY symbol"
  python -c "import pandas as pd; print(pd.read_parquet('2026-11-20.parquet').head())"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Inputs = args
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runTicksConvert(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.To, "to", "", "output format: parquet")
	// -o names the output file here, shadowing the global --output format
	// flag, as kite ticks convert has one format per --to.
	fl.StringVarP(&opts.Output, "output", "o", "", "the Parquet file to write (required)")
	return cmd
}

// validate refuses flags and arguments kite ticks convert cannot use.
func (opts *ticksConvertOptions) validate() error {
	if opts.To != "parquet" {
		return exitcode.Usagef("--to %q: kite ticks convert writes --to parquet", opts.To)
	}
	if opts.Output == "" || opts.Output == "-" {
		return exitcode.Usagef("name the Parquet file to write: -o OUT.parquet")
	}
	if opts.Global.JQ != "" {
		return exitcode.Usagef("--jq does not apply to a Parquet file: filter with kite ticks decode --jq, or query the file")
	}
	for _, in := range opts.Inputs {
		if in == "-" {
			return exitcode.Usagef("kite ticks convert reads FILEs, not standard input")
		}
	}
	return nil
}

// runTicksConvert writes the Parquet file; opts has been validated.
func runTicksConvert(ctx context.Context, opts *ticksConvertOptions) error {
	if err := checkInputs(opts.Inputs); err != nil {
		return err
	}
	// Write next to OUT and rename at the end, so a failed run leaves no
	// half file under OUT's name.
	tmp, err := os.CreateTemp(dirOf(opts.Output), ".kite-convert-*.parquet")
	if err != nil {
		return exitcode.Usagef("cannot write %s: %v", opts.Output, unwrapPathError(err))
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriterSize(tmp, 1<<20)
	pw := parquet.NewGenericWriter[tickRow](bw, parquet.Compression(&parquet.Zstd))
	c := &parquetConverter{w: pw, rows: make([]tickRow, 0, 4096)}
	for _, name := range opts.Inputs {
		if err = c.file(ctx, name, opts.IO.ErrOut); err != nil {
			break
		}
	}
	if err == nil {
		err = c.flush()
	}
	if err == nil {
		err = pw.Close()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Chmod(0o644) // CreateTemp's 0600 is for the half-written file
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), opts.Output); err != nil {
		return fmt.Errorf("writing %s: %w", opts.Output, unwrapPathError(err))
	}
	fmt.Fprintf(opts.IO.ErrOut, "kite: wrote %d ticks to %s\n", c.n, opts.Output)
	return nil
}

func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if os.IsPathSeparator(path[i]) {
			return path[:i+1]
		}
	}
	return "."
}

type parquetConverter struct {
	w    *parquet.GenericWriter[tickRow]
	rows []tickRow
	n    int64
}

func (c *parquetConverter) flush() error {
	if len(c.rows) == 0 {
		return nil
	}
	_, err := c.w.Write(c.rows)
	c.rows = c.rows[:0]
	return err
}

func (c *parquetConverter) add(t *ticks.Tick, recv int64, mapping map[uint32]recording.Instrument) error {
	c.rows = append(c.rows, tickRow{})
	fillRow(&c.rows[len(c.rows)-1], t, recv, mapping)
	c.n++
	if len(c.rows) == cap(c.rows) {
		return c.flush()
	}
	return nil
}

// file converts one input; a torn recording is converted up to its cut.
func (c *parquetConverter) file(ctx context.Context, name string, errOut io.Writer) error {
	fh, err := os.Open(name)
	if err != nil {
		return exitcode.Usagef("cannot read %s: %v", name, unwrapPathError(err))
	}
	defer fh.Close()
	br := bufio.NewReaderSize(fh, 64<<10)
	head, _ := br.Peek(len(recording.Magic))
	var t ticks.Tick
	if !recording.IsRecording(head) {
		r := ticks.NewReader(br)
		for {
			msg, _, rerr := r.Next()
			it := ticks.NewIter(msg)
			for it.Next(&t) {
				if err := c.add(&t, 0, nil); err != nil {
					return err
				}
			}
			if rerr == io.EOF {
				return nil
			}
			if rerr != nil {
				return fmt.Errorf("%s: %w (no Parquet file was written)", name, rerr)
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
	rr, err := recording.NewReader(br)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	mapping := make(map[uint32]recording.Instrument, len(rr.Header().Instruments))
	for _, in := range rr.Header().Instruments {
		mapping[in.Token] = in
	}
	for {
		fr, err := rr.Next()
		switch {
		case err == io.EOF:
			return nil
		case errors.Is(err, recording.ErrTruncated):
			fmt.Fprintf(errOut, "kite: %s: %v\n", name, err)
			return nil
		case err != nil:
			return fmt.Errorf("%s: %w (no Parquet file was written)", name, err)
		}
		if fr.Kind != recording.KindBinary {
			continue
		}
		it := ticks.NewIter(fr.Data)
		for it.Next(&t) {
			if err := c.add(&t, fr.Recv, mapping); err != nil {
				return err
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}
