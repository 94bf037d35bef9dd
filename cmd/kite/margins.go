package main

import (
	"context"

	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
)

type marginsOptions struct {
	// Segment is "", kite.SegmentEquity or kite.SegmentCommodity.
	Segment string
}

func newMarginsCmd(f *Factory) *cobra.Command {
	opts := &marginsOptions{}
	return &cobra.Command{
		Use:   "margins [equity|commodity]",
		Short: "Show funds and margins, for both segments or one",
		Long: `Show the account's funds: net, available (cash, opening and live balance,
collateral) and utilised (debits, span, exposure, option premium, M2M) margins.
Without an argument both segments are shown; name one to get just it.

JSON keeps Kite's nested shape; the table has one row per segment.`,
		Example: `  kite margins
  kite margins equity --jq .net
  kite margins -o json --jq '.equity.available.live_balance'`,
		Args:      maxArgs(1, "one segment: equity or commodity"),
		ValidArgs: []string{kite.SegmentEquity, kite.SegmentCommodity},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Segment = args[0]
			}
			return runMargins(cmd.Context(), f, opts)
		},
	}
}

// marginRow is one segment flattened for a table.
type marginRow struct {
	Segment        string  `json:"segment"`
	Enabled        bool    `json:"enabled"`
	Net            float64 `json:"net"`
	Cash           float64 `json:"cash"`
	OpeningBalance float64 `json:"opening_balance"`
	LiveBalance    float64 `json:"live_balance"`
	Collateral     float64 `json:"collateral"`
	Debits         float64 `json:"debits"`
	Span           float64 `json:"span"`
	Exposure       float64 `json:"exposure"`
	OptionPremium  float64 `json:"option_premium"`
	M2MRealised    float64 `json:"m2m_realised"`
	M2MUnrealised  float64 `json:"m2m_unrealised"`
}

func newMarginRow(segment string, m kite.SegmentMargins) marginRow {
	return marginRow{
		Segment: segment, Enabled: m.Enabled, Net: m.Net,
		Cash: m.Available.Cash, OpeningBalance: m.Available.OpeningBalance,
		LiveBalance: m.Available.LiveBalance, Collateral: m.Available.Collateral,
		Debits: m.Utilised.Debits, Span: m.Utilised.Span, Exposure: m.Utilised.Exposure,
		OptionPremium: m.Utilised.OptionPremium,
		M2MRealised:   m.Utilised.M2MRealised, M2MUnrealised: m.Utilised.M2MUnrealised,
	}
}

func runMargins(ctx context.Context, f *Factory, opts *marginsOptions) error {
	switch opts.Segment {
	case "", kite.SegmentEquity, kite.SegmentCommodity:
	default:
		return exitcode.Usagef("unknown segment %q: use equity or commodity, or nothing for both", opts.Segment)
	}
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	// A table flattens the nested objects into one row per segment; every
	// other format (and --jq) gets Kite's shape.
	flat := f.Printer().Format() == output.Table && f.JQ() == nil
	if opts.Segment != "" {
		m, err := c.SegmentMargins(ctx, opts.Segment)
		if err != nil {
			return err
		}
		if flat {
			return f.Printer().Print([]marginRow{newMarginRow(opts.Segment, m)})
		}
		return f.Printer().Print(m)
	}
	m, err := c.Margins(ctx)
	if err != nil {
		return err
	}
	if flat {
		return f.Printer().Print([]marginRow{
			newMarginRow(kite.SegmentEquity, m.Equity),
			newMarginRow(kite.SegmentCommodity, m.Commodity),
		})
	}
	return f.Printer().Print(m)
}
