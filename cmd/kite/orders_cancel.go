package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/kite/orderflow"
	"github.com/spf13/cobra"
)

type ordersCancelOptions struct {
	cmdDeps

	OrderID string
	Variety string
	Parent  string
	Safety  writeSafety
}

// newOrdersCancelCmd builds kite orders cancel; runF, when not nil, runs
// instead of runOrdersCancel with the options as parsed (tests use it).
func newOrdersCancelCmd(f *Factory, runF func(*ordersCancelOptions) error) *cobra.Command {
	opts := &ordersCancelOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "cancel ORDER_ID",
		Short: "Cancel an open order",
		Long: `Cancel an open order. Its variety is read from the order book unless
--variety is given; the second leg of a cover order needs --parent.

Confirmed on a terminal, refused without one unless --yes, previewed with
--dry-run, and never retried. A cancel that fails after it was sent (a
timeout, a 5xx) may have gone through: kite says the outcome is unknown, to
check with kite orders show ID, and exits 8. An unknown order ID exits 1.`,
		Example: `  ID=$(kite orders --jq '[.[] | select(.status == "OPEN")][0].order_id')
  kite orders cancel "$ID"
  kite orders cancel "$ID" --yes
  kite orders --jq '.[] | select(.status == "OPEN") | .order_id' | xargs -n1 kite orders cancel --yes`,
		Args: exactArgs(1, "the ID of the order to cancel (see kite orders)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.OrderID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runOrdersCancel(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Variety, "variety", "", "the order's variety (default: as in the order book)")
	fl.StringVar(&opts.Parent, "parent", "", "parent order ID (the second leg of a cover order)")
	opts.Safety.addFlags(fl, false)
	return cmd
}

// cancelPlan is a cancellation checked against its order: everything
// short of sending it.
type cancelPlan struct {
	Variety string
	Current kite.Order
	Flow    *orderflow.Flow
}

// summary is what a cancellation shows before asking.
func (pl cancelPlan) summary() string {
	cur := pl.Current
	s := fmt.Sprintf("cancel order %s: %s %d %s:%s %s", cur.OrderID,
		cur.TransactionType, cur.PendingQuantity, cur.Exchange, cur.Tradingsymbol, cur.OrderType)
	if cur.Price > 0 {
		s += fmt.Sprintf(" @ %v", cur.Price)
	}
	return s + " (" + cur.Status + ")"
}

// planCancel validates a cancellation and reads the order, which must be
// open: everything short of sending. kite orders cancel and kite mcp share
// it.
func planCancel(ctx context.Context, opts *ordersCancelOptions) (cancelPlan, error) {
	if err := checkOrderID(opts.OrderID); err != nil {
		return cancelPlan{}, err
	}
	if opts.Parent != "" {
		if err := checkOrderID(opts.Parent); err != nil {
			return cancelPlan{}, err
		}
	}
	variety := strings.ToLower(opts.Variety)
	if variety != "" && !slices.Contains(kite.Varieties(), variety) {
		return cancelPlan{}, exitcode.Usagef("variety %q is not one of %s", opts.Variety, strings.Join(kite.Varieties(), ", "))
	}
	if err := opts.Safety.checkCanWrite(opts.IO, "cancel an order"); err != nil {
		return cancelPlan{}, err
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return cancelPlan{}, err
	}
	flow := opts.flow(c, 0)
	cur, err := flow.Open(ctx, opts.OrderID)
	if err != nil {
		return cancelPlan{}, closedOrder(err, "cancelled")
	}
	if cur.OrderID == "" {
		cur.OrderID = opts.OrderID
	}
	if variety == "" {
		variety = cur.Variety
	}
	return cancelPlan{Variety: variety, Current: cur, Flow: flow}, nil
}

func runOrdersCancel(ctx context.Context, opts *ordersCancelOptions) error {
	pl, err := planCancel(ctx, opts)
	if err != nil {
		return err
	}
	if opts.Safety.DryRun {
		return opts.Printer().Print(struct {
			OrderID string `json:"order_id"`
			Variety string `json:"variety"`
			Status  string `json:"status"`
			Cancel  bool   `json:"cancel"`
			DryRun  bool   `json:"dry_run"`
		}{opts.OrderID, pl.Variety, pl.Current.Status, true, true})
	}
	if err := opts.Safety.confirm(ctx, opts.IO, pl.summary(), "Cancel this order?"); err != nil {
		return err
	}
	res, err := pl.Flow.Cancel(ctx, pl.Variety, opts.OrderID, opts.Parent, pl.Current.Tag)
	if res.OrderID == "" {
		return explainWrite(err, pl.Flow.Client.BaseURL, "")
	}
	if perr := opts.Printer().Print(res); perr != nil {
		return perr
	}
	return explainWrite(err, pl.Flow.Client.BaseURL, "")
}
