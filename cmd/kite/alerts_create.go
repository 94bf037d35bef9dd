package main

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// alertFlags are the flags create and modify share: the condition and,
// for an ATO alert, its order.
type alertFlags struct {
	Symbol           string
	Name             string
	Attribute        string
	Operator         string
	Value            string
	CompareTo        string
	CompareAttribute string
	// The ATO order.
	OrderSymbol      string
	Buy, Sell        bool
	Qty              int
	Price            float64
	Trigger          float64
	Type             string
	Product          string
	MarketProtection float64
	Safety           writeSafety

	set func(name string) bool // whether a flag was given
}

func (o *alertFlags) addFlags(fl *pflag.FlagSet) {
	fl.StringVar(&o.Name, "name", "", "the alert's name (default: the condition)")
	fl.StringVar(&o.Attribute, "attribute", "LastTradedPrice", "what to watch: "+strings.Join(kite.AlertAttributes(), ", "))
	fl.StringVar(&o.Operator, "operator", "", "comparison: "+strings.Join(kite.AlertOperators(), " "))
	fl.StringVar(&o.Value, "value", "", "compare with this number")
	fl.StringVar(&o.CompareTo, "compare-to", "", "compare with another instrument, EXCHANGE:TRADINGSYMBOL")
	fl.StringVar(&o.CompareAttribute, "compare-attribute", "", "the other instrument's attribute (default: --attribute)")
	fl.StringVar(&o.OrderSymbol, "order-symbol", "", "ATO: the instrument to trade, EXCHANGE:TRADINGSYMBOL (default: the alert's)")
	fl.BoolVar(&o.Buy, "buy", false, "ATO: buy when the alert fires")
	fl.BoolVar(&o.Sell, "sell", false, "ATO: sell when the alert fires")
	fl.IntVarP(&o.Qty, "qty", "q", 0, "ATO: quantity to buy or sell")
	fl.Float64Var(&o.Price, "price", 0, "ATO: limit price (LIMIT, SL)")
	fl.Float64Var(&o.Trigger, "trigger", 0, "ATO: trigger price (SL, SL-M)")
	fl.StringVarP(&o.Type, "type", "t", "", "ATO: order type: "+strings.Join(kite.OrderTypes(), ", ")+" (default LIMIT with --price, else MARKET)")
	fl.StringVar(&o.Product, "product", "", "ATO: product (default CNC on NSE/BSE, NRML elsewhere)")
	fl.Float64Var(&o.MarketProtection, "market-protection", kite.MarketProtectionAuto, "ATO: market protection of a MARKET or SL-M order: 1 to 100, or -1 for Kite's automatic protection")
	o.Safety.addFlags(fl, true)
}

// splitSymbol splits EXCHANGE:TRADINGSYMBOL.
func splitSymbol(flag, s string) (string, string, error) {
	ex, sym, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || ex == "" || sym == "" {
		return "", "", exitcode.Usagef("%s %q: write the instrument as EXCHANGE:TRADINGSYMBOL, e.g. NSE:INFY or 'INDICES:NIFTY 50'", flag, s)
	}
	return strings.ToUpper(ex), strings.ToUpper(sym), nil
}

// hasOrder reports whether any ATO order flag was given.
func (o *alertFlags) hasOrder() bool {
	for _, n := range []string{"buy", "sell", "qty", "price", "trigger", "type", "product", "order-symbol", "market-protection"} {
		if o.set(n) {
			return true
		}
	}
	return false
}

// apply overlays the given flags on p (a new alert's defaults, or the
// alert being modified) and checks what needs no network.
func (o *alertFlags) apply(p *kite.AlertParams) error {
	if o.Symbol != "" {
		ex, sym, err := splitSymbol("the instrument", o.Symbol)
		if err != nil {
			return err
		}
		p.LHSExchange, p.LHSTradingsymbol = ex, sym
	}
	if o.set("attribute") || p.LHSAttribute == "" {
		p.LHSAttribute = o.Attribute
	}
	if o.set("operator") {
		p.Operator = o.Operator
	}
	if o.set("value") && o.set("compare-to") {
		return exitcode.Usagef("compare with a number (--value) or an instrument (--compare-to), not both")
	}
	if o.set("value") {
		v, err := strconv.ParseFloat(strings.TrimSpace(o.Value), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return exitcode.Usagef("--value %q is not a number: give one such as 1600 or -2.5", o.Value)
		}
		p.RHSType, p.RHSConstant = "constant", v
		p.RHSExchange, p.RHSTradingsymbol, p.RHSAttribute = "", "", ""
	}
	if o.set("compare-to") {
		ex, sym, err := splitSymbol("--compare-to", o.CompareTo)
		if err != nil {
			return err
		}
		p.RHSType, p.RHSExchange, p.RHSTradingsymbol, p.RHSConstant = "instrument", ex, sym, 0
		if p.RHSAttribute == "" {
			p.RHSAttribute = p.LHSAttribute
		}
	}
	if o.set("compare-attribute") {
		p.RHSAttribute = o.CompareAttribute
	}
	if p.RHSType == "" {
		return exitcode.Usagef("compare with what? add --value N or --compare-to EXCHANGE:TRADINGSYMBOL")
	}
	if p.Operator == "" {
		return exitcode.Usagef("which comparison? add --operator, one of %s (quote it: --operator '>=')", strings.Join(kite.AlertOperators(), " "))
	}
	if o.hasOrder() {
		if err := o.applyOrder(p); err != nil {
			return err
		}
	}
	if o.set("name") {
		p.Name = strings.TrimSpace(o.Name)
	}
	if p.Name == "" {
		p.Name = alertCondition(kite.Alert{LHSAttribute: p.LHSAttribute, LHSExchange: p.LHSExchange, LHSTradingsymbol: p.LHSTradingsymbol,
			Operator: p.Operator, RHSType: p.RHSType, RHSConstant: p.RHSConstant, RHSExchange: p.RHSExchange,
			RHSTradingsymbol: p.RHSTradingsymbol, RHSAttribute: p.RHSAttribute})
	}
	if err := p.Validate(); err != nil {
		return exitcode.Usagef("Kite would refuse this alert:\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	return nil
}

// applyOrder makes p an ATO alert whose basket is the order in the flags
// (a modify replaces the basket's one order, keeping what is not given).
func (o *alertFlags) applyOrder(p *kite.AlertParams) error {
	var it kite.BasketItem
	if p.Basket != nil && len(p.Basket.Items) > 0 {
		it = p.Basket.Items[0]
		it.ID, it.InstrumentToken = 0, 0
	}
	if o.OrderSymbol != "" {
		ex, sym, err := splitSymbol("--order-symbol", o.OrderSymbol)
		if err != nil {
			return err
		}
		it.Exchange, it.Tradingsymbol = ex, sym
	}
	if it.Tradingsymbol == "" {
		if p.LHSExchange == "INDICES" {
			return exitcode.Usagef("an index cannot be traded: say what the alert buys or sells with --order-symbol EXCHANGE:TRADINGSYMBOL")
		}
		it.Exchange, it.Tradingsymbol = p.LHSExchange, p.LHSTradingsymbol
	}
	op := &it.Params
	switch {
	case o.Buy && o.Sell:
		return exitcode.Usagef("--buy and --sell are exclusive")
	case o.Buy:
		op.TransactionType = kite.Buy
	case o.Sell:
		op.TransactionType = kite.Sell
	case op.TransactionType == "":
		return exitcode.Usagef("what should the alert do? add --buy or --sell with --qty (an ATO alert)")
	}
	if o.set("qty") {
		op.Quantity = o.Qty
	}
	if op.Quantity <= 0 {
		return exitcode.Usagef("how many? add --qty N")
	}
	for _, f := range []struct {
		flag string
		v    float64
	}{{"--price", o.Price}, {"--trigger", o.Trigger}} {
		if !kite.ValidPrice(f.v) {
			return exitcode.Usagef("%s %v is not a price", f.flag, f.v)
		}
	}
	if o.set("price") {
		op.Price = o.Price
	}
	if o.set("trigger") {
		op.TriggerPrice = o.Trigger
	}
	if o.set("type") {
		op.OrderType = strings.ToUpper(o.Type)
	}
	if op.OrderType == "" {
		op.OrderType = kite.OrderTypeMarket
		if op.Price > 0 {
			op.OrderType = kite.OrderTypeLimit
		}
	}
	if o.set("product") {
		op.Product = strings.ToUpper(o.Product)
	}
	if op.Product == "" {
		op.Product = defaultProduct(it.Exchange, kite.VarietyRegular)
	}
	op.Variety, op.Validity = kite.VarietyRegular, kite.ValidityDay
	if len(op.Tags) == 0 {
		// Tagged like every order kite places, so the order the alert
		// places can be found with kite orders reconcile TAG.
		op.Tags = []string{kite.NewTag(time.Now())}
	}
	if o.set("market-protection") {
		if !kite.ValidMarketProtection(o.MarketProtection) {
			return exitcode.Usagef("--market-protection %v is not a percentage from 1 to 100, or -1 for Kite's automatic protection", o.MarketProtection)
		}
		op.MarketProtection = o.MarketProtection
	}
	if kite.NeedsMarketProtection(op.OrderType) && op.MarketProtection == 0 {
		// The order goes through Kite's order API when the alert fires,
		// which refuses MARKET and SL-M orders without market protection
		// since April 2026 (docs/orders-2026.md).
		op.MarketProtection = kite.MarketProtectionAuto
	}
	if !kite.NeedsMarketProtection(op.OrderType) {
		op.MarketProtection = 0
	}
	if err := (kite.OrderParams{Exchange: it.Exchange, Tradingsymbol: it.Tradingsymbol, TransactionType: op.TransactionType,
		Quantity: op.Quantity, Product: op.Product, OrderType: op.OrderType, Price: op.Price, TriggerPrice: op.TriggerPrice,
		Validity: op.Validity, MarketProtection: op.MarketProtection}).Validate(op.Variety); err != nil {
		return exitcode.Usagef("invalid order for the alert:\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	it.Type, it.Weight = "insert", 10000
	p.Type = kite.AlertATO
	p.Basket = &kite.Basket{Name: "alerts-basket", Type: "alert", Tags: []string{}, Items: []kite.BasketItem{it}}
	return nil
}

// alertPreview is what --dry-run prints.
type alertPreview struct {
	UUID string `json:"uuid,omitempty"`
	kite.AlertParams
	Value    float64 `json:"value"`
	MaxValue float64 `json:"max_value"`
	DryRun   bool    `json:"dry_run"`
}

func (a alertPreview) summary(verb string) string {
	cond := alertCondition(kite.Alert{LHSAttribute: a.LHSAttribute, LHSExchange: a.LHSExchange, LHSTradingsymbol: a.LHSTradingsymbol,
		Operator: a.Operator, RHSType: a.RHSType, RHSConstant: a.RHSConstant, RHSExchange: a.RHSExchange,
		RHSTradingsymbol: a.RHSTradingsymbol, RHSAttribute: a.RHSAttribute})
	s := fmt.Sprintf("%s %s alert %q: %s", verb, a.Type, a.Name, cond)
	if a.Basket != nil {
		for _, it := range a.Basket.Items {
			o := it.Params
			s += fmt.Sprintf("\n  then %s %d %s:%s %s", o.TransactionType, o.Quantity, it.Exchange, it.Tradingsymbol, o.OrderType)
			if o.Price > 0 {
				s += fmt.Sprintf(" @ %v", o.Price)
			}
			s += fmt.Sprintf(" %s  value ≈ %s", o.Product, rupees(a.Value))
		}
	}
	return s
}

// checkAlert resolves every instrument (an unknown one is a usage error),
// values an ATO alert's orders and applies the cap.
func checkAlert(ctx context.Context, d cmdDeps, c *kite.Client, o *alertFlags, p kite.AlertParams) (alertPreview, error) {
	pv := alertPreview{AlertParams: p, MaxValue: o.Safety.MaxValue}
	var keys []string
	for _, k := range []struct{ ex, sym string }{{p.LHSExchange, p.LHSTradingsymbol}, {p.RHSExchange, p.RHSTradingsymbol}} {
		if k.sym != "" && k.ex != "INDICES" {
			keys = append(keys, k.ex+":"+k.sym)
		}
	}
	if p.Basket != nil {
		for _, it := range p.Basket.Items {
			keys = append(keys, it.Exchange+":"+it.Tradingsymbol)
		}
	}
	if len(keys) > 0 {
		res, err := d.Resolver(ctx, keys)
		if err != nil {
			return pv, err
		}
		for _, k := range keys {
			if _, err := res.Resolve(k); err != nil {
				return pv, err
			}
		}
	}
	if p.Basket == nil {
		return pv, nil
	}
	for _, it := range p.Basket.Items {
		r, err := resolveOrder(ctx, d.Resolver, c, kite.VarietyRegular, kite.OrderParams{Exchange: it.Exchange, Tradingsymbol: it.Tradingsymbol,
			Quantity: it.Params.Quantity, OrderType: it.Params.OrderType, Price: it.Params.Price, TriggerPrice: it.Params.TriggerPrice})
		if err != nil {
			return pv, err
		}
		pv.Value += r.Value
	}
	pv.Value = math.Round(pv.Value*100) / 100
	return pv, o.Safety.checkValue(pv.Value)
}

type alertsCreateOptions struct {
	cmdDeps
	alertFlags
}

// newAlertsCreateCmd builds kite alerts create; runF, when not nil, runs
// instead of runAlertsCreate with the options as parsed and checked
// (tests use it).
func newAlertsCreateCmd(f *Factory, runF func(*alertsCreateOptions) error) *cobra.Command {
	opts := &alertsCreateOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "create EXCHANGE:TRADINGSYMBOL",
		Short: "Create an alert: simple, or ATO (it places an order when it fires)",
		Long: `Create an alert on an instrument (INDICES:NIFTY 50 for an index): when its
--attribute (LastTradedPrice unless said) compared by --operator with --value,
or with another instrument's attribute (--compare-to), holds, the alert
fires. Kite then disables it; kite alerts modify re-arms it.

With --buy or --sell and --qty it is an ATO (alert-triggers-order) alert:
the order is placed when it fires, on the alert's instrument or on
--order-symbol (an index alert must name one), tagged (a generated tag, in
the basket order's tags) so it can be found with kite orders reconcile TAG.
The order type follows from
--price (LIMIT) or is MARKET; a MARKET or SL-M order carries market protection
-1 (Kite's automatic protection) unless --market-protection says otherwise,
because Kite refuses such orders without it since April 2026. The order is
checked as kite orders place checks one and valued (quantity × the price, or
the last price for MARKET); one worth more than --max-value
(KITE_MAX_ORDER_VALUE, default ₹5,00,000) is refused.

Confirmed on a terminal, refused without one unless --yes, previewed with
--dry-run, sent once and never retried (an unknown outcome exits 8). Prints
the alert created.`,
		Example: `  kite alerts create NSE:INFY --operator '>=' --value 1600 --yes
  kite alerts create 'INDICES:NIFTY 50' --operator '<=' --value 24000 --name 'nifty dip' --yes
  kite alerts create NSE:INFY --operator '>' --compare-to NSE:TCS --dry-run
  kite alerts create NSE:INFY --operator '<=' --value 1450 --buy --qty 1 --price 1450 --yes
  kite alerts create 'INDICES:NIFTY 50' --operator '<=' --value 24000 --order-symbol NSE:RELIANCE --buy --qty 1 --type MARKET --dry-run`,
		Args: exactArgs(1, "the instrument to watch, EXCHANGE:TRADINGSYMBOL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Symbol = args[0]
			opts.set = cmd.Flags().Changed
			if err := opts.Safety.resolveMaxValue(cmd.Flags(), f.Getenv); err != nil {
				return err
			}
			if _, err := opts.params(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runAlertsCreate(cmd.Context(), opts)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

// params is the new alert the flags describe, checked as far as can be
// without the network. The command runs it before runF; the run again.
func (o *alertsCreateOptions) params() (kite.AlertParams, error) {
	p := kite.AlertParams{Type: kite.AlertSimple}
	return p, o.apply(&p)
}

func runAlertsCreate(ctx context.Context, opts *alertsCreateOptions) error {
	p, err := opts.params()
	if err != nil {
		return err
	}
	if err := opts.Safety.checkCanWrite(opts.IO, "create an alert"); err != nil {
		return err
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	pv, err := checkAlert(ctx, opts.cmdDeps, c, &opts.alertFlags, p)
	if err != nil {
		return err
	}
	if opts.Safety.DryRun {
		pv.DryRun = true
		return opts.Printer().Print(pv)
	}
	if err := opts.Safety.confirm(ctx, opts.IO, pv.summary("create"), "Create this alert?"); err != nil {
		return err
	}
	a, err := c.CreateAlert(ctx, p)
	if err != nil {
		return writeFailureCheck("creating the alert", "kite alerts", err)
	}
	return printAlert(opts.cmdDeps, a)
}

// printAlert prints one alert: Kite's object, or a row on a terminal.
func printAlert(d cmdDeps, a kite.Alert) error {
	if d.Printer().Format() == "table" {
		return printAlerts(d, []kite.Alert{a})
	}
	return d.Printer().Print(a)
}
