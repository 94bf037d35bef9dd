package main

import (
	"context"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
)

type marginsOptions struct {
	cmdDeps

	// Segment is "", kite.SegmentEquity or kite.SegmentCommodity.
	Segment string
}

func newMarginsCmd(f *Factory, runF func(*marginsOptions) error) *cobra.Command {
	opts := &marginsOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "margins [equity|commodity]",
		Short: "Show funds and margins, for both segments or one",
		Long: `Show the account's funds: net, available (cash, opening and live balance,
collateral) and utilised (debits, span, exposure, option premium, M2M) margins.
Without an argument both segments are shown; name one to get just it.

JSON keeps Kite's nested shape; a table or CSV has one row per segment (CSV
with every field).

Before trading, kite margins order shows what an order would block and cost,
and kite margins basket what a basket would, hedges netted.`,
		Example: `  kite margins
  kite margins equity --jq .net
  kite margins -o json --jq '.equity.available.live_balance'
  kite margins order NSE:INFY --buy --qty 10 --price 1500`,
		Args:      maxArgs(1, "one segment: equity or commodity"),
		ValidArgs: []string{kite.SegmentEquity, kite.SegmentCommodity},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Segment = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return runMargins(cmd.Context(), opts)
		},
	}
	cmd.AddCommand(newMarginsOrderCmd(f, nil), newMarginsBasketCmd(f, nil))
	return cmd
}

// marginRow is one segment flattened into a record: a table row or a CSV
// line. Kite's available and utilised field names do not overlap, so they
// keep their names.
type marginRow struct {
	Segment string  `json:"segment"`
	Enabled bool    `json:"enabled"`
	Net     float64 `json:"net"`
	kite.AvailableMargins
	kite.UtilisedMargins
}

func newMarginRow(segment string, m kite.SegmentMargins) marginRow {
	return marginRow{Segment: segment, Enabled: m.Enabled, Net: m.Net,
		AvailableMargins: m.Available, UtilisedMargins: m.Utilised}
}

// marginColumns are what a terminal table shows; CSV has every field.
func marginColumns() output.Option {
	return output.Columns("segment", "enabled", "net", "cash", "opening_balance", "live_balance",
		"collateral", "debits", "span", "exposure", "option_premium", "m2m_realised", "m2m_unrealised")
}

func runMargins(ctx context.Context, opts *marginsOptions) error {
	switch opts.Segment {
	case "", kite.SegmentEquity, kite.SegmentCommodity:
	default:
		return exitcode.Usagef("unknown segment %q: use equity or commodity, or nothing for both", opts.Segment)
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	// A table or CSV flattens the nested objects into one row per segment;
	// JSON, NDJSON and --jq get Kite's shape.
	format := opts.Printer().Format()
	flat := (format == output.Table || format == output.CSV) && opts.JQ() == nil
	if opts.Segment != "" {
		m, err := c.SegmentMargins(ctx, opts.Segment)
		if err != nil {
			return err
		}
		if flat {
			return opts.Printer().Print([]marginRow{newMarginRow(opts.Segment, m)}, marginColumns())
		}
		return opts.Printer().Print(m)
	}
	m, err := c.Margins(ctx)
	if err != nil {
		return err
	}
	if flat {
		return opts.Printer().Print([]marginRow{
			newMarginRow(kite.SegmentEquity, m.Equity),
			newMarginRow(kite.SegmentCommodity, m.Commodity),
		}, marginColumns())
	}
	return opts.Printer().Print(m)
}
