package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/kite/orderflow"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

type ordersPlaceOptions struct {
	cmdDeps

	Symbol           string // EXCHANGE:TRADINGSYMBOL, or TRADINGSYMBOL with Exchange
	Exchange         string
	Buy, Sell        bool
	Side             string
	Qty              int
	Product          string
	Type             string
	Price            float64
	Trigger          float64
	Validity         string
	TTL              int
	Disclosed        int
	Tag              string
	Variety          string
	IcebergLegs      int
	IcebergQty       int
	Auction          string
	MarketProtection float64
	AlgoID           string
	Autoslice        bool
	Safety           writeSafety
	// mpSet is whether --market-protection was given; without it MARKET
	// and SL-M orders get Kite's automatic protection (-1).
	mpSet bool
}

// newOrdersPlaceCmd builds kite orders place; runF, when not nil, runs
// instead of runOrdersPlace with the options as parsed (tests use it).
func newOrdersPlaceCmd(f *Factory, runF func(*ordersPlaceOptions) error) *cobra.Command {
	opts := &ordersPlaceOptions{cmdDeps: f.deps()}
	cmd := &cobra.Command{
		Use:   "place [EXCHANGE:TRADINGSYMBOL]",
		Short: "Place an order (validated, confirmed, tagged, never sent twice)",
		Long: `Place an order with any of Kite's parameters.

The instrument is EXCHANGE:TRADINGSYMBOL, as an argument or --symbol (or the
trading symbol with --exchange). The order type is --type, or follows from the
prices: --price alone is LIMIT, --price and --trigger SL, --trigger alone SL-M;
a MARKET order must say --type MARKET. The product defaults to CNC on NSE/BSE
and NRML on derivative exchanges; validity to DAY (TTL with --ttl); variety to
regular.

Before anything is sent the order is validated (quantity, prices for the type,
enums, lot size and tick size of the instrument) and valued (quantity × price,
the trigger for SL-M, the last price for MARKET); an order worth more than
--max-value (KITE_MAX_ORDER_VALUE, default ₹5,00,000) is refused. --dry-run
prints the resolved order, with the margin it would block and its charges
(from Kite's calculators; kite charges itemises them), and sends nothing. On a terminal the order is shown
and confirmed; without one it is refused unless --yes is given.

Kite's 2026 rules. A MARKET or SL-M order is sent with market_protection -1
(Kite's automatic protection): since April 2026 Kite refuses one without it
("Market orders without market protection are not allowed via API").
--market-protection P sends a percentage from 1 to 100 instead. --algo-id
(default KITE_ALGO_ID) tags the order with the algo it comes from.
--autoslice lets Kite split an order above the exchange's freeze quantity
into child orders (at most 10); every child is printed, one row each, with
its parent order ID. Kite admits orders only from the static IPs registered
on the app: when it refuses one, kite says which IP Kite saw (if it says) and
to register it in the Kite developer console (developers.kite.trade:
Profile, IP Whitelist), and exits 4.

Every order carries a tag (generated unless --tag is given; up to 20 letters
and digits) and the request is sent exactly once. If it fails after being
sent (a timeout, a 5xx, a connection cut), kite does not resend: it looks
the tag up in the order book for KITE_RECONCILE_WINDOW (default 15s, as
Kite's book can lag a placement) and prints the order if it is there.
Otherwise the outcome is unknown: kite gives the tag and the command that
settles it, kite orders reconcile TAG, and exits 8. It says "not placed"
only when that is known: the connection was refused before anything was
sent (exit 6), or Kite refused the order. Orders that already carried a
reused --tag before this one do not count.

Prints the order as it stands right after placing: ID, tag, status, filled
quantity and average price. An order Kite rejects (insufficient margin, RMS)
exits 5.`,
		Example: `  kite orders place NSE:INFY --buy --qty 1 --price 1500
  kite orders place NSE:INFY --sell --qty 5 --type MARKET --product MIS --yes
  kite orders place NSE:SBIN --buy --qty 10 --price 801 --trigger 800 --dry-run
  FUT=$(kite instruments search NIFTY --exchange NFO --type FUT --limit 1 --jq '.[0].tradingsymbol')
  kite orders place --exchange NFO --symbol "$FUT" --side BUY --qty 75 --type MARKET --product NRML
  kite orders place NSE:RELIANCE --buy --qty 1000 --price 1400 --variety iceberg --iceberg-legs 5 --iceberg-qty 200 --max-value 1500000
  kite orders place NSE:INFY --buy --qty 1 --price 1500 --ttl 5 --tag rebal01 --yes
  kite orders place NSE:INFY --sell --qty 1 --type MARKET --market-protection 2 --algo-id rebal --yes
  CE=$(kite instruments search NIFTY --exchange NFO --type CE --limit 20 --jq '.[-1].tradingsymbol')  # out of the money
  kite orders place "NFO:$CE" --buy --qty 1875 --type MARKET --autoslice --max-value 0 --yes`,
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
			opts.mpSet = cmd.Flags().Changed("market-protection")
			if !cmd.Flags().Changed("algo-id") {
				opts.AlgoID = strings.TrimSpace(f.Getenv("KITE_ALGO_ID"))
			}
			if runF != nil {
				return runF(opts)
			}
			return runOrdersPlace(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	addOrderFlags(fl, opts)
	opts.Safety.addFlags(fl, true)
	return cmd
}

// addOrderFlags registers the instrument and order flags of orders place,
// which the margin and charge calculators share.
func addOrderFlags(fl *pflag.FlagSet, opts *ordersPlaceOptions) {
	fl.StringVar(&opts.Symbol, "symbol", "", "instrument: EXCHANGE:TRADINGSYMBOL, or TRADINGSYMBOL with --exchange")
	fl.StringVar(&opts.Exchange, "exchange", "", "exchange: "+strings.Join(kite.OrderExchanges(), ", "))
	fl.BoolVar(&opts.Buy, "buy", false, "buy (same as --side BUY)")
	fl.BoolVar(&opts.Sell, "sell", false, "sell (same as --side SELL)")
	fl.StringVar(&opts.Side, "side", "", "transaction type: BUY or SELL")
	fl.IntVarP(&opts.Qty, "qty", "q", 0, "quantity (units; a multiple of the lot size for derivatives)")
	fl.StringVar(&opts.Product, "product", "", "product: "+strings.Join(kite.Products(), ", ")+" (default CNC on NSE/BSE, NRML elsewhere)")
	fl.StringVarP(&opts.Type, "type", "t", "", "order type: "+strings.Join(kite.OrderTypes(), ", ")+" (default from the prices given)")
	fl.Float64Var(&opts.Price, "price", 0, "limit price (LIMIT, SL)")
	fl.Float64Var(&opts.Trigger, "trigger", 0, "trigger price (SL, SL-M; the stop-loss of a cover order)")
	fl.StringVar(&opts.Validity, "validity", "", "validity: "+strings.Join(kite.Validities(), ", ")+" (default DAY)")
	fl.IntVar(&opts.TTL, "ttl", 0, "minutes a TTL order stays open (implies --validity TTL)")
	fl.IntVar(&opts.Disclosed, "disclosed", 0, "disclosed quantity")
	fl.StringVar(&opts.Tag, "tag", "", "order tag, up to 20 letters and digits (default: generated)")
	fl.StringVar(&opts.Variety, "variety", kite.VarietyRegular, "variety: "+strings.Join(kite.Varieties(), ", "))
	fl.IntVar(&opts.IcebergLegs, "iceberg-legs", 0, "number of legs of an iceberg order (2-10)")
	fl.IntVar(&opts.IcebergQty, "iceberg-qty", 0, "quantity of each leg of an iceberg order")
	fl.StringVar(&opts.Auction, "auction", "", "auction number (auction variety; kite auctions lists them)")
	fl.Float64Var(&opts.MarketProtection, "market-protection", kite.MarketProtectionAuto, "market protection of a MARKET or SL-M order: a percentage from 1 to 100, or -1 for Kite's automatic protection")
	fl.StringVar(&opts.AlgoID, "algo-id", "", "algo ID the order is placed under (SEBI's retail-algo framework; env KITE_ALGO_ID)")
	fl.BoolVar(&opts.Autoslice, "autoslice", false, "let Kite split an order above the exchange's freeze quantity into child orders (regular variety)")
}

// params turns the flags into Kite's order parameters and validates them:
// everything that can be checked without the network is checked here.
func (o *ordersPlaceOptions) params(now time.Time) (kite.OrderParams, string, error) {
	p := kite.OrderParams{
		Quantity:          o.Qty,
		Price:             o.Price,
		TriggerPrice:      o.Trigger,
		Validity:          strings.ToUpper(o.Validity),
		ValidityTTL:       o.TTL,
		DisclosedQuantity: o.Disclosed,
		Tag:               o.Tag,
		IcebergLegs:       o.IcebergLegs,
		IcebergQuantity:   o.IcebergQty,
		AuctionNumber:     o.Auction,
		AlgoID:            o.AlgoID,
		Autoslice:         o.Autoslice,
	}
	if o.mpSet {
		if !kite.ValidMarketProtection(o.MarketProtection) {
			return p, "", exitcode.Usagef("--market-protection %v is not a percentage from 1 to 100, or -1 for Kite's automatic protection", o.MarketProtection)
		}
		p.MarketProtection = o.MarketProtection
	}
	variety := strings.ToLower(o.Variety)

	exchange, symbol, ok := strings.Cut(o.Symbol, ":")
	if !ok {
		exchange, symbol = o.Exchange, o.Symbol
	} else if o.Exchange != "" && !strings.EqualFold(o.Exchange, exchange) {
		return p, "", exitcode.Usagef("--exchange %s contradicts the instrument %s", o.Exchange, o.Symbol)
	}
	if symbol == "" {
		return p, "", exitcode.Usagef("which instrument? give EXCHANGE:TRADINGSYMBOL, e.g. kite orders place NSE:INFY --buy --qty 1 --price 1500")
	}
	if exchange == "" {
		return p, "", exitcode.Usagef("which exchange is %s on? write it as NSE:%s or add --exchange", symbol, symbol)
	}
	p.Exchange, p.Tradingsymbol = strings.ToUpper(exchange), strings.ToUpper(symbol)

	switch {
	case o.Buy && o.Sell:
		return p, "", exitcode.Usagef("--buy and --sell are exclusive")
	case (o.Buy || o.Sell) && o.Side != "":
		return p, "", exitcode.Usagef("give the side once: --buy, --sell or --side")
	case o.Buy:
		p.TransactionType = kite.Buy
	case o.Sell:
		p.TransactionType = kite.Sell
	case o.Side != "":
		p.TransactionType = strings.ToUpper(o.Side)
	default:
		return p, "", exitcode.Usagef("buy or sell? add --buy or --sell")
	}

	// The type is inferred from which prices are given, so a price that
	// is not one must be reported as such, not as a missing price.
	for _, f := range []struct {
		flag string
		v    float64
	}{{"--price", o.Price}, {"--trigger", o.Trigger}} {
		if !kite.ValidPrice(f.v) {
			return p, "", exitcode.Usagef("%s %v is not a price: give a positive number such as 1500.05", f.flag, f.v)
		}
	}
	p.OrderType = strings.ToUpper(o.Type)
	if p.OrderType == "" {
		switch {
		case o.Price > 0 && o.Trigger > 0:
			p.OrderType = kite.OrderTypeSL
		case o.Price > 0:
			p.OrderType = kite.OrderTypeLimit
		case o.Trigger > 0:
			p.OrderType = kite.OrderTypeSLM
		default:
			return p, "", exitcode.Usagef("no price given: add --price for a LIMIT order, or --type MARKET to buy or sell at market")
		}
	}
	if !o.mpSet && kite.NeedsMarketProtection(p.OrderType) {
		// Kite refuses MARKET and SL-M orders without market protection
		// since April 2026; -1 is its automatic protection, which the
		// official clients send by default too.
		p.MarketProtection = kite.MarketProtectionAuto
	}
	p.Product = strings.ToUpper(o.Product)
	if p.Product == "" {
		p.Product = defaultProduct(p.Exchange, variety)
	}
	switch {
	case p.Validity == "" && p.ValidityTTL > 0:
		p.Validity = kite.ValidityTTL // --ttl alone means a TTL order
	case p.Validity == "":
		p.Validity = kite.ValidityDay
	}
	if p.Tag == "" {
		p.Tag = kite.NewTag(now)
	}
	if err := p.Validate(variety); err != nil {
		return p, "", exitcode.Usagef("invalid order:\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	return p, variety, nil
}

// defaultProduct is the product that holds no leverage and is not squared
// off at the close: delivery for equities, carry-forward for derivatives.
func defaultProduct(exchange, variety string) string {
	switch {
	case variety == kite.VarietyCO:
		return "MIS"
	case exchange == "NSE" || exchange == "BSE":
		return "CNC"
	}
	return "NRML"
}

// resolvedOrder is what --dry-run prints: the parameters as they would be
// sent, the instrument they resolve to, and the order's value.
type resolvedOrder struct {
	Variety string `json:"variety"`
	kite.OrderParams
	InstrumentToken uint32  `json:"instrument_token"`
	LotSize         int     `json:"lot_size"`
	TickSize        float64 `json:"tick_size"`
	// ValuePrice is the price the value is computed at: the limit price,
	// the trigger of an SL-M order, or the last price of a MARKET order.
	ValuePrice float64 `json:"value_price"`
	Value      float64 `json:"value"`
	MaxValue   float64 `json:"max_value"`
	DryRun     bool    `json:"dry_run"`
	// Margin and Charges are what Kite's calculators say the order would
	// block and cost in all, in rupees (a dry run asks them; absent if they
	// could not answer). kite charges itemises the charges.
	Margin  *float64 `json:"margin,omitempty"`
	Charges *float64 `json:"charges,omitempty"`
}

func (r resolvedOrder) summary() string {
	s := fmt.Sprintf("%s %d %s:%s  %s", r.TransactionType, r.Quantity, r.Exchange, r.Tradingsymbol, r.OrderType)
	if r.Price > 0 {
		s += fmt.Sprintf(" @ %v", r.Price)
	}
	if r.TriggerPrice > 0 {
		s += fmt.Sprintf(" trigger %v", r.TriggerPrice)
	}
	s += fmt.Sprintf("  %s %s %s  value ≈ %s  tag %s", r.Product, r.Validity, r.Variety, rupees(r.Value), r.Tag)
	return s + rulesSummary(r.OrderParams)
}

func runOrdersPlace(ctx context.Context, opts *ordersPlaceOptions) error {
	p, variety, err := opts.params(opts.Now())
	if err != nil {
		return err
	}
	window, err := reconcileWindow(opts.Getenv)
	if err != nil {
		return err
	}
	if err := opts.Safety.checkCanWrite(opts.IO, "place an order"); err != nil {
		return err
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	r, err := resolveOrder(ctx, opts.Resolver, c, variety, p)
	if err != nil {
		return err
	}
	r.MaxValue = opts.Safety.MaxValue
	if err := opts.Safety.checkValue(r.Value); err != nil {
		return err
	}
	if opts.Safety.DryRun {
		r.DryRun = true
		r.Margin, r.Charges = dryRunCosts(ctx, opts.IO.ErrOut, c, variety, p)
		return opts.Printer().Print(r)
	}
	if err := opts.Safety.confirm(ctx, opts.IO, r.summary(), "Place this order?"); err != nil {
		return err
	}
	flow := opts.flow(c, window)
	placed, err := flow.Place(ctx, variety, p, opts.Tag != "")
	if err != nil {
		return explainWrite(err, c.BaseURL, "")
	}
	return printPlaced(ctx, opts.Printer(), flow, variety, p.Tag, placed)
}

// resolveOrder finds the instrument (an unknown symbol is a usage error),
// checks the quantity against its lot size and the prices against its tick
// size, and values the order.
func resolveOrder(ctx context.Context, resolver func(context.Context, []string) (*kite.Resolver, error), c *kite.Client, variety string, p kite.OrderParams) (resolvedOrder, error) {
	r := resolvedOrder{Variety: variety, OrderParams: p}
	symbol := p.Exchange + ":" + p.Tradingsymbol
	res, err := resolver(ctx, []string{symbol}) // only this exchange's dump
	if err != nil {
		return r, err
	}
	inst, err := res.Resolve(symbol)
	if err != nil {
		return r, err
	}
	r.InstrumentToken, r.LotSize, r.TickSize = inst.InstrumentToken, inst.LotSize, inst.TickSize
	if inst.LotSize > 1 && p.Quantity%inst.LotSize != 0 {
		return r, exitcode.Usagef("quantity %d is not a multiple of %s's lot size %d: try %d",
			p.Quantity, inst.Symbol(), inst.LotSize, max(inst.LotSize, p.Quantity/inst.LotSize*inst.LotSize))
	}
	for _, px := range []struct {
		name string
		v    float64
	}{{"price", p.Price}, {"trigger price", p.TriggerPrice}} {
		if px.v > 0 && !orderflow.OnTick(px.v, inst.TickSize) {
			return r, exitcode.Usagef("%s %v is not a multiple of %s's tick size %v", px.name, px.v, inst.Symbol(), inst.TickSize)
		}
	}
	switch p.OrderType {
	case kite.OrderTypeLimit, kite.OrderTypeSL:
		r.ValuePrice = p.Price
	case kite.OrderTypeSLM:
		r.ValuePrice = p.TriggerPrice
	default:
		if r.ValuePrice, err = lastPrice(ctx, c, inst.Symbol()); err != nil {
			return r, err
		}
	}
	r.Value = orderflow.Value(p.Quantity, r.ValuePrice)
	return r, nil
}
