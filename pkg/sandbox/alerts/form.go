package alerts

import (
	"encoding/json"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/kitecli/kite/pkg/kitespec"
	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/sandbox/paper"
)

// Params are an alert's form fields, decoded.
type Params struct {
	Name, Type                                  string
	LHSExchange, LHSTradingsymbol, LHSAttribute string
	Operator, RHSType                           string
	RHSConstant                                 float64
	RHSExchange, RHSTradingsymbol, RHSAttribute string
	Basket                                      *basketIn
}

// basketIn is the basket form field as Kite's clients send it.
type basketIn struct {
	Items []struct {
		Tradingsymbol string      `json:"tradingsymbol"`
		Exchange      string      `json:"exchange"`
		Weight        int         `json:"weight"`
		Params        OrderParams `json:"params"`
	} `json:"items"`
}

// ParseForm decodes Kite's alert form (create and modify take the same).
func ParseForm(v url.Values) (Params, error) {
	up := func(k string) string { return strings.ToUpper(strings.TrimSpace(v.Get(k))) }
	p := Params{
		Name: strings.TrimSpace(v.Get("name")), Type: strings.ToLower(strings.TrimSpace(v.Get("type"))),
		LHSExchange: up("lhs_exchange"), LHSTradingsymbol: up("lhs_tradingsymbol"), LHSAttribute: strings.TrimSpace(v.Get("lhs_attribute")),
		Operator: strings.TrimSpace(v.Get("operator")), RHSType: strings.ToLower(strings.TrimSpace(v.Get("rhs_type"))),
		RHSExchange: up("rhs_exchange"), RHSTradingsymbol: up("rhs_tradingsymbol"), RHSAttribute: strings.TrimSpace(v.Get("rhs_attribute")),
	}
	if p.RHSType == "constant" {
		c, err := strconv.ParseFloat(strings.TrimSpace(v.Get("rhs_constant")), 64)
		if err != nil || math.IsNaN(c) || math.IsInf(c, 0) {
			return p, inputErr("Invalid `rhs_constant`: it must be a number.")
		}
		p.RHSConstant = c
	}
	if raw := v.Get("basket"); raw != "" {
		var b basketIn
		if err := json.Unmarshal([]byte(raw), &b); err != nil {
			return p, inputErr("Invalid `basket`: it must be a JSON object with items, each with exchange, tradingsymbol and params.")
		}
		p.Basket = &b
	}
	return p, nil
}

// lookup finds an instrument; the exchange INDICES names an index on
// whichever exchange computes it.
func (b *Book) lookup(exchange, symbol string) (market.Instrument, bool) {
	if exchange == "INDICES" {
		for _, ex := range []string{"NSE", "BSE"} {
			if in, ok := b.m.Lookup(ex, symbol); ok && in.IsIndex() {
				return in, true
			}
		}
		return market.Instrument{}, false
	}
	return b.m.Lookup(exchange, symbol)
}

// check validates p as Kite does and builds the alert (without UUID,
// times or status).
func (b *Book) check(p Params) (*alert, error) {
	if p.Name == "" {
		return nil, inputErr("Missing `name`.")
	}
	if len(p.Name) > 100 {
		return nil, inputErr("Invalid `name`: at most 100 characters.")
	}
	if p.Type != TypeSimple && p.Type != TypeATO {
		return nil, inputErr("Invalid `type`: use simple or ato.")
	}
	if !slices.Contains(Attributes(), p.LHSAttribute) {
		return nil, inputErr("Invalid `lhs_attribute`: use one of %s.", strings.Join(Attributes(), ", "))
	}
	switch p.Operator {
	case "<=", ">=", "<", ">", "==":
	default:
		return nil, inputErr("Invalid `operator`: use <=, >=, <, > or ==.")
	}
	lhs, ok := b.lookup(p.LHSExchange, p.LHSTradingsymbol)
	if !ok {
		return nil, inputErr("Invalid `lhs_tradingsymbol`: %s:%s is not an instrument.", p.LHSExchange, p.LHSTradingsymbol)
	}
	a := &alert{lhs: lhs, pub: Alert{
		Type: p.Type, Name: p.Name, LHSAttribute: p.LHSAttribute, LHSExchange: p.LHSExchange,
		LHSTradingsymbol: p.LHSTradingsymbol, Operator: p.Operator, RHSType: p.RHSType,
	}}
	switch p.RHSType {
	case "constant":
		a.pub.RHSConstant = p.RHSConstant
	case "instrument":
		if !slices.Contains(Attributes(), p.RHSAttribute) {
			return nil, inputErr("Invalid `rhs_attribute`: use one of %s.", strings.Join(Attributes(), ", "))
		}
		rhs, ok := b.lookup(p.RHSExchange, p.RHSTradingsymbol)
		if !ok {
			return nil, inputErr("Invalid `rhs_tradingsymbol`: %s:%s is not an instrument.", p.RHSExchange, p.RHSTradingsymbol)
		}
		a.rhs = rhs
		a.pub.RHSAttribute, a.pub.RHSExchange, a.pub.RHSTradingsymbol = p.RHSAttribute, p.RHSExchange, p.RHSTradingsymbol
	default:
		return nil, inputErr("Invalid `rhs_type`: use constant or instrument.")
	}
	if p.Type == TypeSimple {
		return a, nil
	}
	if p.Basket == nil || len(p.Basket.Items) == 0 {
		return nil, inputErr("Missing `basket`: an ATO alert needs the orders to place when it fires.")
	}
	if len(p.Basket.Items) > MaxBasketItems {
		return nil, inputErr("Invalid `basket`: at most %d orders.", MaxBasketItems)
	}
	a.pub.Basket = &Basket{}
	for i, it := range p.Basket.Items {
		if err := b.checkItem(i+1, it.Exchange, it.Tradingsymbol, &it.Params); err != nil {
			return nil, err
		}
		in, _ := b.m.Lookup(strings.ToUpper(it.Exchange), strings.ToUpper(it.Tradingsymbol))
		b.itemSeq++
		it.Params.Tags = append([]string{}, it.Params.Tags...)
		a.pub.Basket.Items = append(a.pub.Basket.Items, Item{
			ID: b.itemSeq, Tradingsymbol: in.Tradingsymbol, Exchange: in.Exchange, InstrumentToken: in.Token,
			Weight: it.Weight, Params: it.Params,
		})
	}
	return a, nil
}

// checkItem checks one basket order as the order API would, so an ATO
// alert cannot be created with orders that would all be refused when it
// fires. Defaults are filled in.
func (b *Book) checkItem(n int, exchange, symbol string, p *OrderParams) error {
	in, ok := b.m.Lookup(strings.ToUpper(exchange), strings.ToUpper(symbol))
	if !ok || in.IsIndex() {
		return inputErr("Invalid basket order %d: %s:%s is not a tradable instrument.", n, exchange, symbol)
	}
	p.TransactionType, p.OrderType = strings.ToUpper(p.TransactionType), strings.ToUpper(p.OrderType)
	p.Product, p.Validity, p.Variety = strings.ToUpper(p.Product), strings.ToUpper(p.Validity), strings.ToLower(p.Variety)
	if p.Variety == "" {
		p.Variety = "regular"
	}
	if p.Validity == "" {
		p.Validity = "DAY"
	}
	if p.TransactionType != "BUY" && p.TransactionType != "SELL" {
		return inputErr("Invalid basket order %d: `transaction_type` must be BUY or SELL.", n)
	}
	if p.Quantity <= 0 {
		return inputErr("Invalid basket order %d: `quantity` must be greater than 0.", n)
	}
	switch p.OrderType {
	case "MARKET", "LIMIT", "SL", "SL-M":
	default:
		return inputErr("Invalid basket order %d: `order_type` must be MARKET, LIMIT, SL or SL-M.", n)
	}
	if paper.NeedsMarketProtection(p.OrderType) && p.MarketProtection == 0 {
		// The order is placed through the order API when the alert fires,
		// and that refuses it since April 2026 (docs/orders-2026.md).
		return inputErr("Invalid basket order %d: %s", n, kitespec.MsgNoMarketProtection)
	}
	if (p.OrderType == "LIMIT" || p.OrderType == "SL") && !(p.Price > 0) {
		return inputErr("Invalid basket order %d: a %s order needs a `price`.", n, p.OrderType)
	}
	return nil
}
