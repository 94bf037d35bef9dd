package main

import (
	"context"

	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
)

type gttShowOptions struct {
	cmdDeps

	ID int
}

func newGTTShowCmd(f *Factory, runF func(*gttShowOptions) error) *cobra.Command {
	opts := &gttShowOptions{cmdDeps: f.deps()}
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show one GTT: its condition, legs and, once triggered, the order placed",
		Long: `Show one GTT. -o json prints Kite's object; on a terminal, one row per leg.
A triggered leg carries the order it placed (order_id; see kite orders show)
or, if placing failed, Kite's reason.`,
		Example: `  kite gtt show "$(kite gtt --jq '.[0].id')"
  kite gtt show "$(kite gtt --jq '.[0].id')" --jq '.orders[] | select(.result) | .result.order_result.order_id'`,
		Args: exactArgs(1, "a GTT ID (see kite gtt)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseGTTID(args[0])
			if err != nil {
				return err
			}
			opts.ID = id
			if runF != nil {
				return runF(opts)
			}
			return runGTTShow(cmd.Context(), opts)
		},
	}
}

func runGTTShow(ctx context.Context, opts *gttShowOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	g, err := c.GTT(ctx, opts.ID)
	if err != nil {
		return noSuchGTT(opts.ID, err)
	}
	p := opts.Printer()
	if p.Format() == output.Table {
		return printGTTs(opts.cmdDeps, []kite.GTT{g})
	}
	return p.Print(g)
}
