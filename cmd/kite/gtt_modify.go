package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/spf13/cobra"
)

type gttModifyOptions struct {
	cmdDeps
	ID int
	gttLegFlags
}

// newGTTModifyCmd builds kite gtt modify; runF, when not nil, runs instead
// of runGTTModify with the options as parsed and checked (tests use it).
func newGTTModifyCmd(f *Factory, runF func(*gttModifyOptions) error) *cobra.Command {
	opts := &gttModifyOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "modify ID",
		Short: "Change an active GTT's triggers, limit prices, quantity or side",
		Long: `Change an active GTT. What is not given stays as it is: the side, quantity
and product of its legs, and its triggers and limit prices (--trigger and
--price go together, one price per trigger). Giving two triggers to a single
GTT makes it a two-leg OCO, and one to a two-leg GTT makes it single. The
instrument cannot change: delete the GTT and create another.

The last price is fetched again for Kite's last_price field and Kite's rules
are checked as for kite gtt create. Confirmed on a terminal, refused without
one unless --yes, previewed with --dry-run, sent once and never retried
(an unknown outcome exits 8). Prints the GTT as modified.`,
		Example: `  kite gtt modify "$(kite gtt --jq '.[0].id')" --trigger 1390,1720 --price 1385,1720 --yes
  kite gtt modify "$(kite gtt --jq '.[0].id')" --qty 2 --yes
  kite gtt modify "$(kite gtt --jq '.[0].id')" --trigger 1380 --price 1381 --dry-run`,
		Args: exactArgs(1, "the ID of the GTT to modify (see kite gtt)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseGTTID(args[0])
			if err != nil {
				return err
			}
			opts.ID = id
			if err := opts.Safety.resolveMaxValue(cmd.Flags(), f.Getenv); err != nil {
				return err
			}
			if _, err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runGTTModify(cmd.Context(), opts)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

// check checks what needs no network and returns the side given ("" to
// keep the GTT's). The command runs it before runF; the run again.
func (o *gttModifyOptions) check() (string, error) {
	side, err := o.side()
	if err != nil {
		return "", err
	}
	if (len(o.Triggers) == 0) != (len(o.Prices) == 0) {
		return "", exitcode.Usagef("--trigger and --price go together: give one limit price per trigger")
	}
	if o.Qty < 0 {
		return "", exitcode.Usagef("--qty %d must be positive", o.Qty)
	}
	return side, nil
}

func runGTTModify(ctx context.Context, opts *gttModifyOptions) error {
	side, err := opts.check()
	if err != nil {
		return err
	}
	if err := opts.Safety.checkCanWrite(opts.IO, "modify a GTT"); err != nil {
		return err
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	cur, err := c.GTT(ctx, opts.ID)
	if err != nil {
		return noSuchGTT(opts.ID, err)
	}
	if cur.Status != "active" || len(cur.Orders) == 0 {
		return exitcode.With(exitcode.Error, fmt.Errorf("GTT %d is %s: only an active GTT can be modified; create another with kite gtt create", opts.ID, cur.Status))
	}
	exchange, symbol := cur.Condition.Exchange, cur.Condition.Tradingsymbol
	if opts.Symbol != "" || opts.Exchange != "" {
		ex, sym, err := opts.instrument("kite gtt modify ID --trigger 1400 --price 1401")
		if err != nil {
			return err
		}
		if ex != exchange || sym != symbol {
			return exitcode.Usagef("GTT %d is on %s:%s and its instrument cannot change: delete it (kite gtt delete %d) and create another", opts.ID, exchange, symbol, opts.ID)
		}
	}
	leg := cur.Orders[0]
	if side == "" {
		side = leg.TransactionType
	}
	qty := opts.Qty
	if qty == 0 {
		qty = leg.Quantity
	}
	product := strings.ToUpper(opts.Product)
	if product == "" {
		product = leg.Product
	}
	if len(opts.Triggers) == 0 {
		opts.Triggers = cur.Condition.TriggerValues
		opts.Prices = nil
		for _, o := range cur.Orders {
			opts.Prices = append(opts.Prices, o.Price)
		}
	}
	if err := opts.checkLegs(); err != nil {
		return err
	}
	p, pv, err := checkGTT(ctx, opts.cmdDeps, c, &opts.gttLegFlags, exchange, symbol, side, product, qty)
	if err != nil {
		return err
	}
	pv.ID = opts.ID
	if opts.Safety.DryRun {
		pv.DryRun = true
		return opts.Printer().Print(pv)
	}
	if err := opts.Safety.confirm(ctx, opts.IO, pv.summary(fmt.Sprintf("modify GTT %d into a", opts.ID)), "Modify this GTT?"); err != nil {
		return err
	}
	if _, err := c.ModifyGTT(ctx, opts.ID, p); err != nil {
		return gttWriteFailure(fmt.Sprintf("modifying GTT %d", opts.ID), err)
	}
	return printGTTAfterWrite(ctx, opts.cmdDeps, c, opts.ID)
}
