package gtt

import (
	"encoding/json"
	"net/url"
	"strings"
)

// Params are a GTT's form fields, decoded: Kite takes `type`, and
// `condition` and `orders` as JSON.
type Params struct {
	Type      string
	Condition Condition
	Orders    []Order
}

// ParseForm decodes Kite's GTT form. Fields the sandbox does not use
// (the official clients send whole order objects) are ignored.
func ParseForm(v url.Values) (Params, error) {
	p := Params{Type: v.Get("type")}
	if p.Type == "" {
		return p, inputErr("Missing `type`: single or two-leg.")
	}
	cond := v.Get("condition")
	if cond == "" {
		return p, inputErr("Missing `condition`.")
	}
	if err := json.Unmarshal([]byte(cond), &p.Condition); err != nil {
		return p, inputErr("Invalid `condition`: it must be a JSON object with exchange, tradingsymbol, trigger_values and last_price.")
	}
	ords := v.Get("orders")
	if ords == "" {
		return p, inputErr("Missing `orders`.")
	}
	if err := json.Unmarshal([]byte(ords), &p.Orders); err != nil {
		return p, inputErr("Invalid `orders`: it must be a JSON array of orders with exchange, tradingsymbol, transaction_type, quantity, order_type, product and price.")
	}
	p.Condition.Exchange = strings.ToUpper(p.Condition.Exchange)
	p.Condition.Tradingsymbol = strings.ToUpper(p.Condition.Tradingsymbol)
	for i := range p.Orders {
		o := &p.Orders[i]
		o.Exchange, o.Tradingsymbol = strings.ToUpper(o.Exchange), strings.ToUpper(o.Tradingsymbol)
		o.TransactionType, o.OrderType, o.Product = strings.ToUpper(o.TransactionType), strings.ToUpper(o.OrderType), strings.ToUpper(o.Product)
	}
	return p, nil
}
