package paper

import (
	"fmt"
	"math"

	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/ticks"
)

// The margin model is deliberately simple, so a test can compute every
// figure by hand:
//
//	CNC          the full value (a delivery debit)
//	MTF          50% of the value (exposure)
//	MIS equity   20% of the value (exposure)
//	NFO/BFO      12% of the contract value (span) for futures and option
//	             writing (valued at the strike); option buying pays the premium
//	CDS/BCD      3% (span), MCX 8% (span); MIS derivatives as NRML
//	covered      a short option covered by a long one of the same
//	             underlying, expiry and type further out of the money
//	             needs at most the spread's width × quantity (margin_calc.go)
//
// Only the part of an order that increases the position needs margin; a
// CNC sell needs holdings instead. Pending orders block their margin until
// they fill (then the position holds it) or are cancelled. Realised profit
// frees margin, realised and unrealised losses use it, and the proceeds of
// holdings sold today are credited (holding_sales).

type bucket uint8

const (
	bucketNone bucket = iota
	bucketDelivery
	bucketExposure
	bucketSpan
	bucketPremium
)

func isEquity(in *market.Instrument) bool { return in.Segment == "NSE" || in.Segment == "BSE" }

func isOption(in *market.Instrument) bool {
	return in.InstrumentType == "CE" || in.InstrumentType == "PE"
}

func derivativeRate(in *market.Instrument) float64 {
	switch in.Exchange {
	case "CDS", "BCD":
		return 0.03
	case "MCX":
		return 0.08
	}
	return 0.12
}

// marginFor is the margin a position of qty (signed) at price px (segment
// units) needs, and where it is accounted.
func marginFor(in *market.Instrument, product string, qty, px int64) (float64, bucket) {
	if qty == 0 {
		return 0, bucketNone
	}
	abs := float64(qty)
	if abs < 0 {
		abs = -abs
	}
	value := in.Rupees(px) * abs * float64(in.Multiplier)
	switch {
	case isEquity(in) && product == "CNC":
		return value, bucketDelivery
	case isEquity(in) && product == "MTF":
		return value * 0.5, bucketExposure
	case isEquity(in):
		return value * 0.2, bucketExposure
	case isOption(in) && qty > 0:
		return value, bucketPremium
	case isOption(in):
		return in.Rupees(in.Strike) * abs * float64(in.Multiplier) * derivativeRate(in), bucketSpan
	}
	return value * derivativeRate(in), bucketSpan
}

func segmentOf(in *market.Instrument) int {
	if in.Exchange == "MCX" {
		return 1
	}
	return 0
}

func (e *Engine) netQty(token uint32, product string) int64 {
	if p := e.positions[posKey{token, product}]; p != nil {
		return p.buyQty - p.sellQty
	}
	return 0
}

// riskCheck blocks the order's margin, or says why it is rejected (the
// status message and Kite's raw RMS message).
func (e *Engine) riskCheck(o *order, ltp int64) (reason, raw string) {
	in := &o.in
	if lower, upper, ok := e.m.Circuit(in.Token); ok && o.price != 0 {
		div := in.Divisor()
		switch {
		case o.price < lower:
			return fmt.Sprintf("Your order price is lower than the current lower circuit limit of %s. Place an order within the daily range.", market.FormatPrice(lower, div)),
				fmt.Sprintf("RMS:Rule: Check circuit limit including square off order exceeds  for entity %s%s , Price: %s, LowerCircuit: %s", defaultAccountPrefix, e.opts.UserID, market.FormatPrice(o.price, div), market.FormatPrice(lower, div))
		case o.price > upper:
			return fmt.Sprintf("Your order price is higher than the current upper circuit limit of %s. Place an order within the daily range.", market.FormatPrice(upper, div)),
				fmt.Sprintf("RMS:Rule: Check circuit limit including square off order exceeds  for entity %s%s , Price: %s, UpperCircuit: %s", defaultAccountPrefix, e.opts.UserID, market.FormatPrice(o.price, div), market.FormatPrice(upper, div))
		}
	}
	if o.pub.Product == "CNC" && o.sign < 0 {
		avail := int64(0)
		for _, h := range e.holdings {
			if h.in.Token == in.Token {
				avail = h.qty + h.t1 - h.used
			}
		}
		for _, p := range e.open {
			if p != o && p.in.Token == in.Token && p.pub.Product == "CNC" && p.sign < 0 && p.live() {
				avail -= p.qty
			}
		}
		if o.qty > avail {
			return fmt.Sprintf("Insufficient holdings. You can sell %d of %s but the order is for %d. Check your holdings and open orders.", max(avail, 0), in.Tradingsymbol, o.qty),
				fmt.Sprintf("RMS:Holding Exceeds,Required:%d, Available:%d for entity %s%s", o.qty, max(avail, 0), defaultAccountPrefix, e.opts.UserID)
		}
		return "", ""
	}
	px := o.price
	switch o.pub.OrderType {
	case "MARKET":
		px = ltp
	case "SL-M":
		px = o.trigger
	}
	q := e.netQty(in.Token, o.pub.Product)
	after := q + o.sign*o.qty
	inc := abs64(after) - abs64(q)
	if inc <= 0 {
		return "", ""
	}
	// The increase is all on the side of the resulting position.
	if after < 0 {
		inc = -inc
	}
	need, b := e.orderNeed(in, o.pub.Product, inc, px, true)
	avail := e.margins()[segmentOf(in)].Net
	if need > avail+1e-9 {
		return fmt.Sprintf("Insufficient funds. Required margin is %.2f but available margin is %.2f. Check the orderbook for open orders.", need, avail),
			fmt.Sprintf("RMS:Margin Exceeds,Required:%.2f, Available:%.2f for entity %s%s across exchange across segment across product ", need, avail, defaultAccountPrefix, e.opts.UserID)
	}
	o.blocked, o.bucket = need, b
	return "", ""
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// round2 rounds money to paise for display.
func round2(v float64) float64 { return math.Round(v*100) / 100 }

// Margins is the account's margins, equity and commodity.
func (e *Engine) Margins() Margins {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.margins()
	return Margins{Equity: s[0], Commodity: s[1]}
}

func (e *Engine) margins() [2]SegmentMargins {
	var u [2]Utilised
	add := func(seg int, b bucket, v float64) {
		switch b {
		case bucketDelivery:
			u[seg].Delivery += v
		case bucketExposure:
			u[seg].Exposure += v
		case bucketSpan:
			u[seg].Span += v
		case bucketPremium:
			u[seg].OptionPremium += v
		}
	}
	// Short options are netted against the long options that cover them,
	// as a basket's final margin is (margin_calc.go).
	hedges, longAvail := e.optionLegs()
	for _, k := range e.posOrder {
		p := e.positions[k]
		in := &p.in
		seg := segmentOf(in)
		q := p.buyQty - p.sellQty
		ltp := e.ltp(in.Token)
		realised, unrealised := p.pnl(ltp)
		u[seg].M2MRealised -= realised
		switch {
		case p.product == "CNC" && q > 0:
			u[seg].Delivery += float64(q) * p.buyVal / float64(p.buyQty)
		case p.product == "CNC" && q < 0:
			u[seg].HoldingSales += float64(-q) * p.sellVal / float64(p.sellQty)
		case p.product == "MTF" && q > 0:
			u[seg].Exposure += float64(q) * p.buyVal / float64(p.buyQty) * 0.5
		case isOption(in) && q > 0:
			u[seg].OptionPremium += float64(q) * p.buyVal / float64(p.buyQty)
		case isOption(in) && q < 0:
			u[seg].Span += coveredSpan(holdingLeg{in: *in, product: p.product, qty: q, px: ltp}, hedges, longAvail)
		default:
			v, b := marginFor(in, p.product, q, ltp)
			add(seg, b, v)
		}
		if p.product != "CNC" && unrealised < 0 {
			u[seg].M2MUnrealised -= unrealised
		}
	}
	for _, o := range e.open {
		if o.blocked > 0 && o.live() {
			add(segmentOf(&o.in), o.bucket, o.blocked)
		}
	}
	var out [2]SegmentMargins
	for seg, opening := range [2]float64{e.opts.Cash, e.opts.CommodityCash} {
		x := u[seg]
		x.Debits = x.Span + x.Exposure + x.OptionPremium + x.Delivery + x.M2MRealised + x.M2MUnrealised - x.HoldingSales
		net := opening - x.Debits
		for _, f := range []*float64{&x.Debits, &x.Exposure, &x.M2MRealised, &x.M2MUnrealised, &x.OptionPremium, &x.Span, &x.HoldingSales, &x.Delivery} {
			*f = round2(*f)
		}
		out[seg] = SegmentMargins{
			Enabled: true,
			Net:     round2(net),
			Available: Available{
				Cash: opening, OpeningBalance: opening, LiveBalance: round2(net),
			},
			Utilised: x,
		}
	}
	return out
}

// orderNeed is the margin an increase inc (signed) of a position needs at
// price px. A short option is netted against the account's long options
// (hedged) after they cover its short positions, as the positions'
// margin is; everything else is marginFor.
func (e *Engine) orderNeed(in *market.Instrument, product string, inc, px int64, hedged bool) (float64, bucket) {
	if !hedged || !isOption(in) || inc >= 0 {
		return marginFor(in, product, inc, px)
	}
	legs, avail := e.optionLegs()
	for _, k := range e.posOrder {
		p := e.positions[k]
		if q := p.buyQty - p.sellQty; isOption(&p.in) && q < 0 {
			coveredSpan(holdingLeg{in: p.in, product: p.product, qty: q}, legs, avail) // uses up their cover
		}
	}
	return coveredSpan(holdingLeg{in: *in, product: product, qty: inc, px: px}, legs, avail), bucketSpan
}

// optionLegs are the account's long option positions, which may cover
// short ones, and how much of each is still free to.
func (e *Engine) optionLegs() ([]holdingLeg, []int64) {
	var legs []holdingLeg
	var avail []int64
	for _, k := range e.posOrder {
		p := e.positions[k]
		if q := p.buyQty - p.sellQty; isOption(&p.in) && q > 0 {
			legs = append(legs, holdingLeg{in: p.in, product: p.product, qty: q})
			avail = append(avail, q)
		}
	}
	return legs, avail
}

// pnl is a position's realised and unrealised profit at last price ltp:
// realised on the matched quantity (average sell − average buy), the rest
// marked to ltp. Their sum is Kite's pnl: sell value − buy value + net
// quantity × last price × multiplier.
func (p *position) pnl(ltp int64) (realised, unrealised float64) {
	matched := min(p.buyQty, p.sellQty)
	if matched > 0 {
		realised = float64(matched) * (p.sellVal/float64(p.sellQty) - p.buyVal/float64(p.buyQty))
	}
	q := p.buyQty - p.sellQty
	total := p.sellVal - p.buyVal + float64(q)*p.in.Rupees(ltp)*float64(p.in.Multiplier)
	return realised, total - realised
}

// Positions is the day's and the account's positions. The sandbox has no
// overnight positions, so both lists hold the same figures.
func (e *Engine) Positions() Positions {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := Positions{Net: []Position{}, Day: []Position{}}
	for _, k := range e.posOrder {
		p := e.positions[k]
		in := &p.in
		t, _ := e.m.Tick(in.Token, ticks.ModeQuote)
		ltp := int64(t.LastPrice)
		realised, unrealised := p.pnl(ltp)
		q := p.buyQty - p.sellQty
		mult := float64(in.Multiplier)
		avg := func(val float64, qty int64) float64 {
			if qty == 0 {
				return 0
			}
			return val / float64(qty) / mult
		}
		x := Position{
			Tradingsymbol: in.Tradingsymbol, Exchange: in.Exchange, InstrumentToken: in.Token,
			Product: p.product, Quantity: int(q), Multiplier: mult,
			ClosePrice: in.Rupees(int64(t.Close)), LastPrice: in.Rupees(ltp),
			Value:       round2(p.sellVal - p.buyVal),
			PnL:         round2(realised + unrealised),
			M2M:         round2(realised + unrealised),
			Unrealised:  round2(unrealised),
			Realised:    round2(realised),
			BuyQuantity: int(p.buyQty), BuyPrice: avg(p.buyVal, p.buyQty), BuyValue: round2(p.buyVal), BuyM2M: round2(p.buyVal),
			SellQuantity: int(p.sellQty), SellPrice: avg(p.sellVal, p.sellQty), SellValue: round2(p.sellVal), SellM2M: round2(p.sellVal),
		}
		switch {
		case q > 0:
			x.AveragePrice = x.BuyPrice
		case q < 0:
			x.AveragePrice = x.SellPrice
		}
		x.DayBuyQuantity, x.DayBuyPrice, x.DayBuyValue = x.BuyQuantity, x.BuyPrice, x.BuyValue
		x.DaySellQuantity, x.DaySellPrice, x.DaySellValue = x.SellQuantity, x.SellPrice, x.SellValue
		out.Net = append(out.Net, x)
		out.Day = append(out.Day, x)
	}
	return out
}

// Holdings is the account's equity holdings: those it started with and
// today's CNC buys (as t1_quantity, unsettled).
func (e *Engine) Holdings() []Holding {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := []Holding{}
	for _, h := range e.holdings {
		in := &h.in
		t, _ := e.m.Tick(in.Token, ticks.ModeQuote)
		last, closeP := in.Rupees(int64(t.LastPrice)), in.Rupees(int64(t.Close))
		x := Holding{
			Tradingsymbol: in.Tradingsymbol, Exchange: in.Exchange, InstrumentToken: in.Token, ISIN: in.ISIN,
			Product: "CNC", Quantity: int(h.qty), UsedQuantity: int(h.used), T1Quantity: int(h.t1),
			RealisedQuantity: int(h.qty), OpeningQuantity: int(h.qty), Authorisation: map[string]any{},
			AveragePrice: h.avg, LastPrice: last, ClosePrice: closeP,
			PnL:       round2((last - h.avg) * float64(h.qty+h.t1)),
			DayChange: round2(last - closeP),
		}
		if closeP != 0 {
			x.DayChangePercentage = (last - closeP) / closeP * 100
		}
		out = append(out, x)
	}
	return out
}
