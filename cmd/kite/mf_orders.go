package main

import (
	"context"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/output"
	"github.com/spf13/cobra"
)

type mfOrdersOptions struct {
	cmdDeps

	OrderID  string
	From, To string
}

func newMFOrdersCmd(f *Factory, runF func(*mfOrdersOptions) error) *cobra.Command {
	opts := &mfOrdersOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "orders [ORDER_ID]",
		Short: "List mutual fund orders, or show one",
		Long: `List the recent mutual fund orders (Kite keeps the last few days), or
those placed between --from and --to (YYYY-MM-DD, both), or show one order by
its ID. Orders are placed on Coin: see kite mf --help.`,
		Example: `  kite mf orders
  kite mf orders --from 2026-11-01 --to 2026-11-25 -o csv
  kite mf orders sb-mf-0000-0000-000000000102`,
		Args: maxArgs(1, "one order ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.OrderID = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return runMFOrders(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.From, "from", "", "first day, YYYY-MM-DD (with --to)")
	cmd.Flags().StringVar(&opts.To, "to", "", "last day, YYYY-MM-DD (with --from)")
	return cmd
}

func runMFOrders(ctx context.Context, opts *mfOrdersOptions) error {
	if (opts.From == "") != (opts.To == "") {
		return exitcode.Usagef("give both --from and --to, e.g. --from 2026-11-01 --to 2026-11-25")
	}
	if opts.From != "" {
		from, err1 := time.Parse(time.DateOnly, opts.From)
		to, err2 := time.Parse(time.DateOnly, opts.To)
		switch {
		case err1 != nil || err2 != nil:
			return exitcode.Usagef("--from and --to are dates, YYYY-MM-DD")
		case to.Before(from):
			return exitcode.Usagef("--to %s is before --from %s", opts.To, opts.From)
		case opts.OrderID != "":
			return exitcode.Usagef("--from and --to list orders: drop them to show order %s", opts.OrderID)
		}
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	cols := output.Columns("order_id", "fund", "transaction_type", "variety", "status", "amount", "quantity",
		"average_price", "order_timestamp", "status_message")
	if opts.OrderID != "" {
		o, err := c.MFOrder(ctx, opts.OrderID)
		if err != nil {
			return err
		}
		return opts.Printer().Print(o, cols)
	}
	os, err := c.MFOrders(ctx, opts.From, opts.To)
	if err != nil {
		return err
	}
	return opts.Printer().Print(os, cols)
}
