package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/kite/orderflow"
	"github.com/spf13/cobra"
)

type ordersModifyOptions struct {
	cmdDeps

	OrderID   string
	Variety   string
	Qty       int
	Price     float64
	Trigger   float64
	Type      string
	Validity  string
	TTL       int
	Disclosed int
	// MarketProtection for an order modified into MARKET or SL-M; without
	// --market-protection such a change sends -1 (automatic).
	MarketProtection float64
	mpSet            bool
	Safety           writeSafety
}

// newOrdersModifyCmd builds kite orders modify; runF, when not nil, runs
// instead of runOrdersModify with the options as parsed (tests use it).
func newOrdersModifyCmd(f *Factory, runF func(*ordersModifyOptions) error) *cobra.Command {
	opts := &ordersModifyOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "modify ORDER_ID",
		Short: "Change an open order's quantity, prices, type or validity",
		Long: `Modify an open order. Only the fields given are changed; the instrument, side
and product of an order cannot be changed (cancel it and place a new one).

The order's variety is read from the order book unless --variety is given.
Like place, modify is validated before any request, capped by --max-value
(on the order's value after the change), previewed with --dry-run, confirmed
on a terminal, refused without one unless --yes, and never retried.

A change to MARKET or SL-M sends market_protection -1 (Kite's automatic
protection), which Kite requires since April 2026; --market-protection
sends 1 to 100 (%) instead. A modify that fails after it was sent (a
timeout, a 5xx) may have been applied: kite says the outcome is unknown,
to check with kite orders show ID, and exits 8. Kite admits order writes
only from the app's registered static IPs (see kite orders place --help).`,
		Example: `  ID=$(kite orders --jq '[.[] | select(.status == "OPEN")][0].order_id')
  kite orders modify "$ID" --price 1490.5
  kite orders modify "$ID" --qty 5 --yes
  kite orders modify "$ID" --type MARKET --dry-run
  kite orders modify "$ID" --type MARKET --market-protection 3 --yes
  kite orders modify "$ID" --type SL --price 801 --trigger 800`,
		Args: exactArgs(1, "the ID of the order to modify (see kite orders)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.OrderID = args[0]
			if err := opts.Safety.resolveMaxValue(cmd.Flags(), f.Getenv); err != nil {
				return err
			}
			opts.mpSet = cmd.Flags().Changed("market-protection")
			if runF != nil {
				return runF(opts)
			}
			return runOrdersModify(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Variety, "variety", "", "the order's variety (default: as in the order book)")
	fl.IntVarP(&opts.Qty, "qty", "q", 0, "new quantity")
	fl.Float64Var(&opts.Price, "price", 0, "new limit price")
	fl.Float64Var(&opts.Trigger, "trigger", 0, "new trigger price")
	fl.StringVarP(&opts.Type, "type", "t", "", "new order type: "+strings.Join(kite.OrderTypes(), ", "))
	fl.StringVar(&opts.Validity, "validity", "", "new validity: "+strings.Join(kite.Validities(), ", "))
	fl.IntVar(&opts.TTL, "ttl", 0, "new minutes for a TTL order")
	fl.IntVar(&opts.Disclosed, "disclosed", 0, "new disclosed quantity")
	fl.Float64Var(&opts.MarketProtection, "market-protection", kite.MarketProtectionAuto, "market protection when the order becomes MARKET or SL-M: 1 to 100 (%), or -1 for Kite's automatic protection")
	opts.Safety.addFlags(fl, true)
	return cmd
}

// modifyPreview is what --dry-run prints.
type modifyPreview struct {
	OrderID string           `json:"order_id"`
	Variety string           `json:"variety"`
	Status  string           `json:"status"`
	Changes kite.OrderParams `json:"changes"`
	// After is the order as it would be: quantity, type and prices.
	Quantity     int     `json:"quantity"`
	OrderType    string  `json:"order_type"`
	Price        float64 `json:"price"`
	TriggerPrice float64 `json:"trigger_price"`
	Value        float64 `json:"value"`
	MaxValue     float64 `json:"max_value"`
	DryRun       bool    `json:"dry_run"`
	// current is the order before the change.
	current kite.Order
}

// planModify validates a modification, reads the order it changes (which
// must be open) and values the order as it would be, against the cap:
// everything short of sending. kite orders modify and kite mcp share it.
func planModify(ctx context.Context, opts *ordersModifyOptions) (modifyPreview, *orderflow.Flow, error) {
	var pv modifyPreview
	if err := checkOrderID(opts.OrderID); err != nil {
		return pv, nil, err
	}
	p := kite.OrderParams{
		Quantity:          opts.Qty,
		Price:             opts.Price,
		TriggerPrice:      opts.Trigger,
		OrderType:         strings.ToUpper(opts.Type),
		Validity:          strings.ToUpper(opts.Validity),
		ValidityTTL:       opts.TTL,
		DisclosedQuantity: opts.Disclosed,
	}
	switch {
	case opts.mpSet:
		p.MarketProtection = opts.MarketProtection
	case kite.NeedsMarketProtection(p.OrderType):
		// Kite refuses a change to MARKET or SL-M without market
		// protection; send its automatic protection, as on place.
		p.MarketProtection = kite.MarketProtectionAuto
	}
	if err := p.ValidateModify(); err != nil {
		return pv, nil, exitcode.Usagef("invalid modification:\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	if opts.Variety != "" && !slices.Contains(kite.Varieties(), strings.ToLower(opts.Variety)) {
		return pv, nil, exitcode.Usagef("variety %q is not one of %s", opts.Variety, strings.Join(kite.Varieties(), ", "))
	}
	if err := opts.Safety.checkCanWrite(opts.IO, "modify an order"); err != nil {
		return pv, nil, err
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return pv, nil, err
	}
	flow := opts.flow(c, 0)
	pl, err := flow.PlanModify(ctx, opts.OrderID, strings.ToLower(opts.Variety), p)
	if errors.Is(err, orderflow.ErrNoLastPrice) {
		return pv, nil, fmt.Errorf("%w: give a --price (LIMIT) instead", err)
	}
	if err != nil {
		return pv, nil, closedOrder(err, "modified")
	}
	cur := pl.Current
	if p.OrderType == "" && p.MarketProtection != 0 && !kite.NeedsMarketProtection(cur.OrderType) {
		return pv, nil, exitcode.Usagef("--market-protection is for MARKET and SL-M orders; order %s is %s (add --type MARKET to change it)", opts.OrderID, cur.OrderType)
	}
	pv = modifyPreview{
		OrderID: opts.OrderID, Variety: pl.Variety, Status: cur.Status, Changes: p,
		Quantity: pl.Quantity, OrderType: pl.OrderType, Price: pl.Price, TriggerPrice: pl.TriggerPrice,
		Value: pl.Value, MaxValue: opts.Safety.MaxValue, current: cur,
	}
	if err := opts.Safety.checkValue(pv.Value); err != nil {
		return pv, nil, err
	}
	return pv, flow, nil
}

// summary is what a modification shows before asking.
func (pv modifyPreview) summary() string {
	cur := pv.current
	s := fmt.Sprintf("modify order %s (%s %d %s:%s %s, %s): now %d %s",
		pv.OrderID, cur.TransactionType, cur.Quantity, cur.Exchange, cur.Tradingsymbol, cur.OrderType, cur.Status,
		pv.Quantity, pv.OrderType)
	if pv.Price > 0 {
		s += fmt.Sprintf(" @ %v", pv.Price)
	}
	if pv.TriggerPrice > 0 {
		s += fmt.Sprintf(" trigger %v", pv.TriggerPrice)
	}
	return s + "  value ≈ " + rupees(pv.Value) + rulesSummary(pv.Changes)
}

func runOrdersModify(ctx context.Context, opts *ordersModifyOptions) error {
	pv, flow, err := planModify(ctx, opts)
	if err != nil {
		return err
	}
	if opts.Safety.DryRun {
		pv.DryRun = true
		return opts.Printer().Print(pv)
	}
	if err := opts.Safety.confirm(ctx, opts.IO, pv.summary(), "Modify this order?"); err != nil {
		return err
	}
	res, err := flow.Modify(ctx, pv.Variety, opts.OrderID, pv.current.Tag, pv.Changes)
	if res.OrderID == "" {
		return explainWrite(err, flow.Client.BaseURL, "")
	}
	if perr := opts.Printer().Print(res); perr != nil {
		return perr
	}
	return explainWrite(err, flow.Client.BaseURL, "")
}
