package main

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/kite/orderflow"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// gttLegFlags are the flags create and modify share: the instrument, the
// side, and per leg a trigger and a limit price.
type gttLegFlags struct {
	Symbol    string
	Exchange  string
	Buy, Sell bool
	Side      string
	Qty       int
	Product   string
	Type      string
	Triggers  []float64
	Prices    []float64
	Safety    writeSafety
}

func (o *gttLegFlags) addFlags(fl *pflag.FlagSet) {
	fl.StringVar(&o.Symbol, "symbol", "", "instrument: EXCHANGE:TRADINGSYMBOL, or TRADINGSYMBOL with --exchange")
	fl.StringVar(&o.Exchange, "exchange", "", "exchange: "+strings.Join(kite.OrderExchanges(), ", "))
	fl.BoolVar(&o.Buy, "buy", false, "buy when triggered (same as --side BUY)")
	fl.BoolVar(&o.Sell, "sell", false, "sell when triggered (same as --side SELL)")
	fl.StringVar(&o.Side, "side", "", "transaction type of the order(s): BUY or SELL")
	fl.IntVarP(&o.Qty, "qty", "q", 0, "quantity of each leg (a multiple of the lot size for derivatives)")
	fl.StringVar(&o.Product, "product", "", "product: "+strings.Join(kite.Products(), ", ")+" (default CNC on NSE/BSE, NRML elsewhere)")
	fl.StringVarP(&o.Type, "type", "t", kite.OrderTypeLimit, "order type of the legs: Kite's GTT API takes LIMIT only")
	fl.Var((*priceList)(&o.Triggers), "trigger", "trigger price: one for a single GTT, two (stop-loss,target) for a two-leg OCO, e.g. --trigger 1400,1700")
	fl.Var((*priceList)(&o.Prices), "price", "limit price of each leg, in --trigger's order, e.g. --price 1395,1700")
	o.Safety.addFlags(fl, true)
}

// priceList is a flag of comma-separated prices, repeatable. Its parse
// error names the bad value, not strconv's internals.
type priceList []float64

func (l *priceList) String() string {
	parts := make([]string, len(*l))
	for i, v := range *l {
		parts[i] = strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strings.Join(parts, ",")
}

func (l *priceList) Set(s string) error {
	for _, part := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || !kite.ValidPrice(v) || v <= 0 {
			return fmt.Errorf("%q is not a price: give positive numbers separated by commas, such as 1400,1700", part)
		}
		*l = append(*l, v)
	}
	return nil
}

func (l *priceList) Type() string { return "prices" }

// instrument splits the argument or --symbol/--exchange into exchange and
// trading symbol.
func (o *gttLegFlags) instrument(example string) (string, string, error) {
	exchange, symbol, ok := strings.Cut(o.Symbol, ":")
	if !ok {
		exchange, symbol = o.Exchange, o.Symbol
	} else if o.Exchange != "" && !strings.EqualFold(o.Exchange, exchange) {
		return "", "", exitcode.Usagef("--exchange %s contradicts the instrument %s", o.Exchange, o.Symbol)
	}
	if symbol == "" {
		return "", "", exitcode.Usagef("which instrument? give EXCHANGE:TRADINGSYMBOL, e.g. %s", example)
	}
	if exchange == "" {
		return "", "", exitcode.Usagef("which exchange is %s on? write it as NSE:%s or add --exchange", symbol, symbol)
	}
	return strings.ToUpper(exchange), strings.ToUpper(symbol), nil
}

// side is the transaction type from --buy, --sell or --side ("" if none).
func (o *gttLegFlags) side() (string, error) {
	switch {
	case o.Buy && o.Sell:
		return "", exitcode.Usagef("--buy and --sell are exclusive")
	case (o.Buy || o.Sell) && o.Side != "":
		return "", exitcode.Usagef("give the side once: --buy, --sell or --side")
	case o.Buy:
		return kite.Buy, nil
	case o.Sell:
		return kite.Sell, nil
	}
	s := strings.ToUpper(o.Side)
	if s != "" && s != kite.Buy && s != kite.Sell {
		return "", exitcode.Usagef("--side %q is not BUY or SELL", o.Side)
	}
	return s, nil
}

// checkLegs checks what needs no network: the type, and one limit price
// per trigger.
func (o *gttLegFlags) checkLegs() error {
	if t := strings.ToUpper(o.Type); t != kite.OrderTypeLimit {
		return exitcode.Usagef("--type %s: Kite's GTT API places LIMIT orders only (a MARKET leg needs no market protection because there is none); give each leg a --price", o.Type)
	}
	switch len(o.Triggers) {
	case 1, 2:
	default:
		return exitcode.Usagef("--trigger takes one price (a single GTT) or two (stop-loss,target: a two-leg OCO), got %d", len(o.Triggers))
	}
	if len(o.Prices) != len(o.Triggers) {
		return exitcode.Usagef("give one --price per trigger: %d trigger(s), %d price(s); e.g. --trigger 1400,1700 --price 1395,1700", len(o.Triggers), len(o.Prices))
	}
	for _, v := range append(append([]float64{}, o.Triggers...), o.Prices...) {
		if !kite.ValidPrice(v) || v <= 0 {
			return exitcode.Usagef("%v is not a price: give positive numbers such as 1500.05", v)
		}
	}
	if o.Qty < 0 {
		return exitcode.Usagef("--qty %d must be positive", o.Qty)
	}
	return nil
}

// build makes the GTT from the flags, the last price and the instrument.
func (o *gttLegFlags) build(exchange, symbol, side, product string, qty int, ltp float64) kite.GTTParams {
	p := kite.GTTParams{
		Type:      kite.GTTSingle,
		Condition: kite.GTTCondition{Exchange: exchange, Tradingsymbol: symbol, LastPrice: ltp, TriggerValues: o.Triggers},
	}
	if len(o.Triggers) == 2 {
		p.Type = kite.GTTOCO
	}
	for _, px := range o.Prices {
		p.Orders = append(p.Orders, kite.GTTOrder{Exchange: exchange, Tradingsymbol: symbol, Product: product,
			OrderType: kite.OrderTypeLimit, TransactionType: side, Quantity: qty, Price: px})
	}
	return p
}

// gttPreview is what --dry-run prints.
type gttPreview struct {
	ID        int               `json:"id,omitempty"`
	Type      string            `json:"type"`
	Condition kite.GTTCondition `json:"condition"`
	Orders    []kite.GTTOrder   `json:"orders"`
	Value     float64           `json:"value"`
	MaxValue  float64           `json:"max_value"`
	DryRun    bool              `json:"dry_run"`
}

func (g gttPreview) summary(verb string) string {
	var legs []string
	for i, o := range g.Orders {
		legs = append(legs, fmt.Sprintf("at %v: %s %d @ %v", g.Condition.TriggerValues[i], o.TransactionType, o.Quantity, o.Price))
	}
	return fmt.Sprintf("%s %s GTT on %s:%s (last price %v): %s  %s  value ≈ %s", verb, g.Type,
		g.Condition.Exchange, g.Condition.Tradingsymbol, g.Condition.LastPrice, strings.Join(legs, "; "), g.Orders[0].Product, rupees(g.Value))
}

// checkGTT resolves the instrument (lot and tick size), fetches the last
// price for Kite's last_price field, checks Kite's GTT rules and the value
// cap, and returns the preview.
func checkGTT(ctx context.Context, d cmdDeps, c *kite.Client, o *gttLegFlags, exchange, symbol, side, product string, qty int) (kite.GTTParams, gttPreview, error) {
	key := exchange + ":" + symbol
	res, err := d.Resolver(ctx, []string{key})
	if err != nil {
		return kite.GTTParams{}, gttPreview{}, err
	}
	inst, err := res.Resolve(key)
	if err != nil {
		return kite.GTTParams{}, gttPreview{}, err
	}
	if inst.LotSize > 1 && qty%inst.LotSize != 0 {
		return kite.GTTParams{}, gttPreview{}, exitcode.Usagef("quantity %d is not a multiple of %s's lot size %d", qty, key, inst.LotSize)
	}
	for _, v := range append(append([]float64{}, o.Triggers...), o.Prices...) {
		if !orderflow.OnTick(v, inst.TickSize) {
			return kite.GTTParams{}, gttPreview{}, exitcode.Usagef("%v is not a multiple of %s's tick size %v", v, key, inst.TickSize)
		}
	}
	ltp, err := lastPrice(ctx, c, key)
	if err != nil {
		return kite.GTTParams{}, gttPreview{}, err
	}
	p := o.build(exchange, symbol, side, product, qty, ltp)
	if err := p.Validate(ltp); err != nil {
		return p, gttPreview{}, exitcode.Usagef("Kite would refuse this GTT:\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	pv := gttPreview{Type: p.Type, Condition: p.Condition, Orders: p.Orders, MaxValue: o.Safety.MaxValue}
	for _, ord := range p.Orders {
		pv.Value = math.Max(pv.Value, math.Round(float64(ord.Quantity)*ord.Price*100)/100)
	}
	if err := o.Safety.checkValue(pv.Value); err != nil {
		return p, pv, err
	}
	return p, pv, nil
}

type gttCreateOptions struct {
	cmdDeps
	gttLegFlags
}

// newGTTCreateCmd builds kite gtt create; runF, when not nil, runs instead
// of runGTTCreate with the options as parsed and checked (tests use it).
func newGTTCreateCmd(f *Factory, runF func(*gttCreateOptions) error) *cobra.Command {
	opts := &gttCreateOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "create [EXCHANGE:TRADINGSYMBOL]",
		Short: "Create a GTT: a single trigger, or a two-leg OCO (stop-loss and target)",
		Long: `Create a GTT (good-till-triggered order), valid for a year.

One --trigger makes a single GTT: when the last price reaches it (from
above if it is below the price now, from below if above), a LIMIT order at
--price is placed. Two, --trigger STOPLOSS,TARGET with --price SL_PRICE,
TARGET_PRICE, make a two-leg OCO GTT: the first trigger below the price,
the second above; whichever is reached first places its order and cancels
the other. Both legs have the same side, quantity and product.

The last price is fetched for Kite's last_price field, and Kite's rules are
checked before anything is sent: each trigger at least 0.25% from the last
price (9 paise at ₹50 and below); a two-leg GTT's triggers below and above
the price, in that order; each leg's limit price within 10% of its trigger
(kite's bound; Kite documents none). A GTT lives a year, so its prices are
not held to today's circuit limits: an order outside them when it fires is
rejected, and kite gtt show ID says why. Kite's GTT
API places LIMIT orders only, so market protection never applies, and takes
no tag (a triggered GTT's order is found from kite gtt show ID). The value
(quantity × the larger limit price) is capped by --max-value
(KITE_MAX_ORDER_VALUE, default ₹5,00,000).

Confirmed on a terminal, refused without one unless --yes, previewed with
--dry-run, sent once and never retried: a create that fails after it was sent
may have created the GTT, so kite says the outcome is unknown and exits 8.
Prints the GTT created.`,
		Example: `  kite gtt create NSE:INFY --buy --qty 1 --trigger 1400 --price 1401 --yes
  kite gtt create NSE:INFY --sell --qty 5 --trigger 1400,1700 --price 1395,1700 --yes
  kite gtt create NSE:INFY --sell --qty 1 --trigger 1400,1700 --price 1395,1700 --dry-run -o json`,
		Args: maxArgs(1, "one instrument, EXCHANGE:TRADINGSYMBOL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if opts.Symbol != "" {
					return exitcode.Usagef("give the instrument once: as an argument or with --symbol")
				}
				opts.Symbol = args[0]
			}
			if err := opts.Safety.resolveMaxValue(cmd.Flags(), f.Getenv); err != nil {
				return err
			}
			if _, err := opts.legs(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runGTTCreate(cmd.Context(), opts)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

// gttCreateLegs is a new GTT's instrument, side and product as the flags
// give them.
type gttCreateLegs struct {
	exchange, symbol, side, product string
}

// legs checks what needs no network (instrument, side, quantity, triggers
// and prices) and settles the product. The command runs it before runF,
// so a bad flag never reaches the run; planGTTCreate runs it again for
// kite mcp, which has no flags.
func (o *gttCreateOptions) legs() (gttCreateLegs, error) {
	exchange, symbol, err := o.instrument("kite gtt create NSE:INFY --sell --qty 1 --trigger 1400,1700 --price 1395,1700")
	if err != nil {
		return gttCreateLegs{}, err
	}
	side, err := o.side()
	if err != nil {
		return gttCreateLegs{}, err
	}
	if side == "" {
		return gttCreateLegs{}, exitcode.Usagef("buy or sell when triggered? add --buy or --sell")
	}
	if o.Qty <= 0 {
		return gttCreateLegs{}, exitcode.Usagef("how many? add --qty N")
	}
	if len(o.Triggers) == 0 {
		return gttCreateLegs{}, exitcode.Usagef("no trigger: add --trigger PRICE (single) or --trigger STOPLOSS,TARGET (two-leg OCO)")
	}
	if err := o.checkLegs(); err != nil {
		return gttCreateLegs{}, err
	}
	product := strings.ToUpper(o.Product)
	if product == "" {
		product = defaultProduct(exchange, kite.VarietyRegular)
	}
	return gttCreateLegs{exchange, symbol, side, product}, nil
}

// planGTTCreate validates a new GTT, resolves its instrument and values
// it against the cap: everything short of sending. kite gtt create and kite
// mcp share it.
func planGTTCreate(ctx context.Context, opts *gttCreateOptions) (p kite.GTTParams, pv gttPreview, c *kite.Client, err error) {
	l, err := opts.legs()
	if err != nil {
		return kite.GTTParams{}, gttPreview{}, nil, err
	}
	if err := opts.Safety.checkCanWrite(opts.IO, "create a GTT"); err != nil {
		return kite.GTTParams{}, gttPreview{}, nil, err
	}
	c, err = opts.Client(ctx)
	if err != nil {
		return kite.GTTParams{}, gttPreview{}, nil, err
	}
	p, pv, err = checkGTT(ctx, opts.cmdDeps, c, &opts.gttLegFlags, l.exchange, l.symbol, l.side, l.product, opts.Qty)
	if err != nil {
		return kite.GTTParams{}, gttPreview{}, nil, err
	}
	return p, pv, c, nil
}

func runGTTCreate(ctx context.Context, opts *gttCreateOptions) error {
	p, pv, c, err := planGTTCreate(ctx, opts)
	if err != nil {
		return err
	}
	if opts.Safety.DryRun {
		pv.DryRun = true
		return opts.Printer().Print(pv)
	}
	if err := opts.Safety.confirm(ctx, opts.IO, pv.summary("create"), "Create this GTT?"); err != nil {
		return err
	}
	id, err := c.PlaceGTT(ctx, p)
	if err != nil {
		return gttWriteFailure("creating the GTT", err)
	}
	return printGTTAfterWrite(ctx, opts.cmdDeps, c, id)
}

// printGTTAfterWrite prints the GTT as it stands after a write; if it
// cannot be read back, the ID alone (the write itself succeeded).
func printGTTAfterWrite(ctx context.Context, d cmdDeps, c *kite.Client, id int) error {
	g, err := c.GTT(ctx, id)
	if err != nil {
		fmt.Fprintf(d.IO.ErrOut, "GTT %d written; reading it back failed: %v (see kite gtt show %d)\n", id, err, id)
		return d.Printer().Print(struct {
			TriggerID int `json:"trigger_id"`
		}{id})
	}
	if d.Printer().Format() == output.Table {
		return printGTTs(d, []kite.GTT{g})
	}
	return d.Printer().Print(g)
}
