package main

import (
	"context"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/output"
	"github.com/spf13/cobra"
)

type positionsOptions struct {
	cmdDeps

	Day bool
	Net bool
}

func newPositionsCmd(f *Factory, runF func(*positionsOptions) error) *cobra.Command {
	opts := &positionsOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "positions",
		Short: "List net and day positions",
		Long: `List positions. Kite keeps two books: net (the account's open positions,
carried over from earlier days) and day (today's trades only).

With --net or --day, the chosen list is printed. With neither, JSON output is
Kite's {"net": [...], "day": [...]} object, and the record formats (table, csv,
ndjson) show the net positions.`,
		Example: `  kite positions
  kite positions --day -o csv
  kite positions --jq '.net[] | select(.pnl < 0) | .tradingsymbol'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runPositions(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Day, "day", false, "only today's positions")
	cmd.Flags().BoolVar(&opts.Net, "net", false, "only net positions")
	cmd.AddCommand(newPositionsConvertCmd(f, nil))
	return cmd
}

func runPositions(ctx context.Context, opts *positionsOptions) error {
	if opts.Day && opts.Net {
		return exitcode.Usagef("--day and --net are exclusive: give one, or neither for both books")
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	p, err := c.Positions(ctx)
	if err != nil {
		return err
	}
	cols := output.Columns("tradingsymbol", "exchange", "product", "quantity", "average_price",
		"last_price", "value", "pnl", "m2m", "realised", "unrealised")
	switch {
	case opts.Day:
		return opts.Printer().Print(p.Day, cols)
	case opts.Net:
		return opts.Printer().Print(p.Net, cols)
	case opts.Printer().Format() == output.JSON:
		return opts.Printer().Print(p)
	case opts.JQ() != nil:
		// A filter is written against Kite's shape (.net[], .day[]),
		// whatever the output format.
		return opts.Printer().Print(p)
	}
	return opts.Printer().Print(p.Net, cols)
}
