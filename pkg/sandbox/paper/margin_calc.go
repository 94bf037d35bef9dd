package paper

import (
	"cmp"
	"slices"

	"github.com/kitecli/kite/pkg/sandbox/market"
)

// The margin calculators (Kite's POST /margins/orders and
// /margins/basket) answer from the same model the engine blocks on
// placement (margin.go): an order's total here is what riskCheck would
// block for it, given the same positions and prices. A basket's final
// margin nets hedges the way an exchange's SPAN does for the simplest
// case, a covered option: a short option whose loss is capped by a long
// option of the same underlying, expiry and type further out of the money
// (a call spread, a put spread) needs at most the spread's width, not the
// short leg's span. The engine nets the same way against the options the
// account holds: a short placed while its cover is held blocks the
// width, and a filled spread's span is the width (margin.go).

// PnL is the realised and unrealised profit a margin figure carries.
type PnL struct {
	Realised   float64 `json:"realised"`
	Unrealised float64 `json:"unrealised"`
}

// OrderMargin is one order's margin (or a basket's sum), with Kite's field
// names.
type OrderMargin struct {
	Type          string  `json:"type"`
	Tradingsymbol string  `json:"tradingsymbol"`
	Exchange      string  `json:"exchange"`
	Span          float64 `json:"span"`
	Exposure      float64 `json:"exposure"`
	OptionPremium float64 `json:"option_premium"`
	Additional    float64 `json:"additional"`
	BO            float64 `json:"bo"`
	Cash          float64 `json:"cash"`
	VaR           float64 `json:"var"`
	PnL           PnL     `json:"pnl"`
	Leverage      float64 `json:"leverage"`
	Charges       Charges `json:"charges"`
	Total         float64 `json:"total"`
}

// BasketMargins is Kite's /margins/basket answer: the sum of the orders
// taken alone (initial), the margin of the basket as a whole (final), each
// order, and the basket's charges.
type BasketMargins struct {
	Initial OrderMargin   `json:"initial"`
	Final   OrderMargin   `json:"final"`
	Orders  []OrderMargin `json:"orders"`
	Charges Charges       `json:"charges"`
}

// MarginParams are one order of a margin request (prices in rupees).
type MarginParams struct {
	Exchange        string  `json:"exchange"`
	Tradingsymbol   string  `json:"tradingsymbol"`
	TransactionType string  `json:"transaction_type"`
	Variety         string  `json:"variety"`
	Product         string  `json:"product"`
	OrderType       string  `json:"order_type"`
	Quantity        float64 `json:"quantity"`
	Price           float64 `json:"price"`
	TriggerPrice    float64 `json:"trigger_price"`
}

// calcLeg is a validated order of a margin request.
type calcLeg struct {
	in      market.Instrument
	product string
	sign    int64
	qty     int64
	px      int64 // the price margin is computed at, segment units
	side    string
}

func (e *Engine) calcLeg(mp MarginParams) (calcLeg, error) {
	if mp.Quantity != float64(int(mp.Quantity)) {
		return calcLeg{}, inputErr("Invalid `quantity`: %v is not a whole number.", mp.Quantity)
	}
	p := PlaceParams{
		Variety: mp.Variety, Exchange: mp.Exchange, Tradingsymbol: mp.Tradingsymbol,
		TransactionType: mp.TransactionType, Quantity: int(mp.Quantity), Product: mp.Product,
		OrderType: mp.OrderType, Price: mp.Price, TriggerPrice: mp.TriggerPrice,
	}
	if p.OrderType == "MARKET" || p.OrderType == "SL-M" {
		p.MarketProtection = -1 // the calculator does not ask for it
	}
	if p.Variety == "amo" {
		p.Variety = "regular" // margin is the same; skip the AMO hours rules
	}
	v, err := e.validate(&p)
	if err != nil {
		return calcLeg{}, err
	}
	l := calcLeg{in: v.in, product: p.Product, sign: 1, qty: int64(p.Quantity), side: p.TransactionType}
	if p.TransactionType == "SELL" {
		l.sign = -1
	}
	switch p.OrderType {
	case "MARKET":
		l.px = e.ltp(v.in.Token)
	case "SL-M":
		l.px = v.trigger
	default:
		l.px = v.price
	}
	return l, nil
}

// OrderMargins is each order's margin, against the account's positions
// (as the engine would block it if placed now), with its charges.
func (e *Engine) OrderMargins(orders []MarginParams) ([]OrderMargin, error) {
	legs, err := e.calcLegs(orders)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]OrderMargin, len(legs))
	for i, l := range legs {
		out[i] = e.legMargin(l, e.netQty(l.in.Token, l.product), true)
	}
	return out, nil
}

func (e *Engine) calcLegs(orders []MarginParams) ([]calcLeg, error) {
	if len(orders) == 0 {
		return nil, inputErr("No orders: send a JSON array of orders.")
	}
	legs := make([]calcLeg, len(orders))
	for i, mp := range orders {
		l, err := e.calcLeg(mp)
		if err != nil {
			return nil, err
		}
		legs[i] = l
	}
	return legs, nil
}

// legMargin is an order's margin given the net quantity it adds to: only
// the part that increases the position needs margin (riskCheck's rule),
// and with hedged a short option is netted against the account's long
// options (riskCheck's too). A CNC sell needs holdings, not margin.
func (e *Engine) legMargin(l calcLeg, base int64, hedged bool) OrderMargin {
	in := &l.in
	m := OrderMargin{Type: segmentType(in), Tradingsymbol: in.Tradingsymbol, Exchange: in.Exchange, Leverage: 1,
		Charges: ChargesFor(in, l.product, l.side, float64(l.qty), in.Rupees(l.px))}
	if l.product == "CNC" && l.sign < 0 {
		return m
	}
	after := base + l.sign*l.qty
	inc := abs64(after) - abs64(base)
	if inc <= 0 {
		return m
	}
	if after < 0 {
		inc = -inc
	}
	need, b := e.orderNeed(in, l.product, inc, l.px, hedged)
	m.put(b, need)
	if isEquity(in) && need > 0 {
		m.Leverage = in.Rupees(l.px) * float64(abs64(inc)) / need
	}
	m.Total = need
	return m
}

// put books v under the field Kite reports bucket b in: equity margins are
// VaR-style (Kite's "var"), derivatives span, bought options premium.
func (m *OrderMargin) put(b bucket, v float64) {
	switch b {
	case bucketDelivery, bucketExposure:
		m.VaR += v
	case bucketSpan:
		m.Span += v
	case bucketPremium:
		m.OptionPremium += v
	}
}

func segmentType(in *market.Instrument) string {
	if in.Exchange == "MCX" {
		return "commodity"
	}
	return "equity"
}

// BasketMargins is the basket's margins. With considerPositions the
// orders add to the account's positions (and the final margin is what the
// basket adds to theirs); without, they start from nothing.
func (e *Engine) BasketMargins(orders []MarginParams, considerPositions bool) (BasketMargins, error) {
	legs, err := e.calcLegs(orders)
	if err != nil {
		return BasketMargins{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var out BasketMargins
	type key = posKey
	before := map[key]holdingLeg{}
	after := map[key]holdingLeg{}
	for _, l := range legs {
		k := key{l.in.Token, l.product}
		var base int64
		if considerPositions {
			base = e.netQty(l.in.Token, l.product)
			if _, ok := before[k]; !ok && base != 0 {
				before[k] = holdingLeg{in: l.in, product: l.product, qty: base, px: e.ltp(l.in.Token)}
			}
		}
		cur, ok := after[k]
		if !ok {
			cur = holdingLeg{in: l.in, product: l.product, qty: base}
		}
		m := e.legMargin(l, base, considerPositions) // initial: each order alone, against the base only
		out.Orders = append(out.Orders, m)
		out.Initial.add(m)
		out.Charges.add(m.Charges)
		cur.qty += l.sign * l.qty
		cur.px = l.px
		after[k] = cur
	}
	final := basketState(after)
	final.sub(basketState(before))
	final.Total = max(final.Span+final.Exposure+final.OptionPremium+final.VaR, 0)
	out.Final = final
	out.Initial.Charges, out.Final.Charges = Charges{}, Charges{}
	return out, nil
}

// holdingLeg is a net position of a basket's state.
type holdingLeg struct {
	in      market.Instrument
	product string
	qty     int64
	px      int64
}

func (m *OrderMargin) add(o OrderMargin) {
	m.Span += o.Span
	m.Exposure += o.Exposure
	m.OptionPremium += o.OptionPremium
	m.VaR += o.VaR
	m.Total += o.Total
}

func (m *OrderMargin) sub(o OrderMargin) {
	m.Span -= o.Span
	m.Exposure -= o.Exposure
	m.OptionPremium -= o.OptionPremium
	m.VaR -= o.VaR
}

func (c *Charges) add(o Charges) {
	c.TransactionTax += o.TransactionTax
	c.ExchangeTurnoverCharge += o.ExchangeTurnoverCharge
	c.SEBITurnoverCharge += o.SEBITurnoverCharge
	c.Brokerage += o.Brokerage
	c.StampDuty += o.StampDuty
	c.GST.IGST += o.GST.IGST
	c.GST.Total += o.GST.Total
	c.Total += o.Total
	if c.TransactionTaxType == "" {
		c.TransactionTaxType = o.TransactionTaxType
	}
}

// basketState is the margin of a set of net positions, with covered
// short options netted against their long hedges.
func basketState(state map[posKey]holdingLeg) OrderMargin {
	var m OrderMargin
	legs := make([]holdingLeg, 0, len(state))
	for _, l := range state {
		if l.qty != 0 {
			legs = append(legs, l)
		}
	}
	// A stable order, so that pairing does not depend on map iteration.
	slices.SortFunc(legs, func(a, b holdingLeg) int {
		return cmp.Or(cmp.Compare(a.in.Token, b.in.Token), cmp.Compare(a.product, b.product))
	})
	longAvail := make([]int64, len(legs))
	for i, l := range legs {
		if isOption(&l.in) && l.qty > 0 {
			longAvail[i] = l.qty
		}
	}
	for _, l := range legs {
		if l.product == "CNC" && l.qty < 0 {
			continue // a delivery sell needs holdings, not margin
		}
		need, b := marginFor(&l.in, l.product, l.qty, l.px)
		if isOption(&l.in) && l.qty < 0 {
			need = coveredSpan(l, legs, longAvail)
		}
		m.put(b, need)
	}
	return m
}

// coveredSpan is a short option's span once the long options that cap its
// loss are set against it: the covered quantity needs the spread's width
// (or its span, if less), the rest its span. Closest strikes pair first.
func coveredSpan(short holdingLeg, legs []holdingLeg, longAvail []int64) float64 {
	in := &short.in
	mult := float64(in.Multiplier)
	left := -short.qty
	type cand struct {
		i     int
		width int64
	}
	var cands []cand
	for i, l := range legs {
		o := &l.in
		if longAvail[i] == 0 || o.InstrumentType != in.InstrumentType || o.Exchange != in.Exchange ||
			o.Name != in.Name || !o.Expiry.Equal(in.Expiry) {
			continue
		}
		width := o.Strike - in.Strike // a call is covered by a higher strike
		if in.InstrumentType == "PE" {
			width = in.Strike - o.Strike // a put by a lower one
		}
		if width > 0 {
			cands = append(cands, cand{i, width})
		}
	}
	slices.SortFunc(cands, func(a, b cand) int { return cmp.Compare(a.width, b.width) })
	spanPer := in.Rupees(in.Strike) * mult * derivativeRate(in)
	total := 0.0
	for _, c := range cands {
		if left == 0 {
			break
		}
		q := min(left, longAvail[c.i])
		longAvail[c.i] -= q
		left -= q
		total += float64(q) * min(spanPer, in.Rupees(c.width)*mult)
	}
	return total + float64(left)*spanPer
}
