package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
)

type ordersCancelOptions struct {
	OrderID string
	Variety string
	Parent  string
	Safety  writeSafety
}

func newOrdersCancelCmd(f *Factory) *cobra.Command {
	opts := &ordersCancelOptions{}
	cmd := &cobra.Command{
		Use:   "cancel ORDER_ID",
		Short: "Cancel an open order",
		Long: `Cancel an open order. Its variety is read from the order book unless
--variety is given; the second leg of a cover order needs --parent.

Confirmed on a terminal, refused without one unless --yes, previewed with
--dry-run, and never retried. A cancel that fails after it was sent (a
timeout, a 5xx) may have gone through: kite says the outcome is unknown, to
check with kite orders show ID, and exits 8. An unknown order ID exits 1.`,
		Example: `  kite orders cancel 151220000000000
  kite orders cancel 151220000000000 --yes
  kite orders --jq '.[] | select(.status == "OPEN") | .order_id' | xargs -n1 kite orders cancel --yes`,
		Args: exactArgs(1, "the ID of the order to cancel (see kite orders)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.OrderID = args[0]
			return runOrdersCancel(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Variety, "variety", "", "the order's variety (default: as in the order book)")
	fl.StringVar(&opts.Parent, "parent", "", "parent order ID (the second leg of a cover order)")
	opts.Safety.addFlags(fl, false)
	return cmd
}

// planCancel validates a cancellation and reads the order, which must be
// open: everything short of sending. kite orders cancel and kite mcp share
// it.
func planCancel(ctx context.Context, f *Factory, opts *ordersCancelOptions) (variety string, cur kite.Order, c *kite.Client, err error) {
	if err := checkOrderID(opts.OrderID); err != nil {
		return "", kite.Order{}, nil, err
	}
	if opts.Parent != "" {
		if err := checkOrderID(opts.Parent); err != nil {
			return "", kite.Order{}, nil, err
		}
	}
	variety = strings.ToLower(opts.Variety)
	if variety != "" && !slices.Contains(kite.Varieties(), variety) {
		return "", kite.Order{}, nil, exitcode.Usagef("variety %q is not one of %s", opts.Variety, strings.Join(kite.Varieties(), ", "))
	}
	if err := opts.Safety.checkCanWrite(f, "cancel an order"); err != nil {
		return "", kite.Order{}, nil, err
	}
	c, err = f.Client(ctx)
	if err != nil {
		return "", kite.Order{}, nil, err
	}
	cur, err = openOrder(ctx, c, opts.OrderID, "cancelled")
	if err != nil {
		return "", kite.Order{}, nil, err
	}
	if variety == "" {
		variety = cur.Variety
	}
	return variety, cur, c, nil
}

func runOrdersCancel(ctx context.Context, f *Factory, opts *ordersCancelOptions) error {
	variety, cur, c, err := planCancel(ctx, f, opts)
	if err != nil {
		return err
	}
	if opts.Safety.DryRun {
		return f.Printer().Print(struct {
			OrderID string `json:"order_id"`
			Variety string `json:"variety"`
			Status  string `json:"status"`
			Cancel  bool   `json:"cancel"`
			DryRun  bool   `json:"dry_run"`
		}{opts.OrderID, variety, cur.Status, true, true})
	}
	summary := fmt.Sprintf("cancel order %s: %s %d %s:%s %s", opts.OrderID,
		cur.TransactionType, cur.PendingQuantity, cur.Exchange, cur.Tradingsymbol, cur.OrderType)
	if cur.Price > 0 {
		summary += fmt.Sprintf(" @ %v", cur.Price)
	}
	summary += " (" + cur.Status + ")"
	if err := opts.Safety.confirm(ctx, f, summary, "Cancel this order?"); err != nil {
		return err
	}
	if _, err := c.CancelOrder(ctx, variety, opts.OrderID, opts.Parent); err != nil {
		return writeFailure(opts.OrderID, "cancel", err)
	}
	res, serr := settle(ctx, f, c, writeResult{OrderID: opts.OrderID, Variety: variety, Tag: cur.Tag})
	if err := f.Printer().Print(res); err != nil {
		return err
	}
	return serr
}
