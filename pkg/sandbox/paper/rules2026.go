package paper

import (
	"errors"
	"fmt"

	"github.com/kitecli/kite/pkg/kitespec"
	"github.com/kitecli/kite/pkg/sandbox/apierr"
	"github.com/kitecli/kite/pkg/sandbox/market"
)

// Kite's order rules of 2026, as the engine enforces them (sources in
// docs/orders-2026.md): MARKET and SL-M orders need market protection,
// an order may carry an algo ID, and an F&O order above the freeze
// quantity may be autosliced into at most ten children.

// maxAlgoIDLen bounds the algo ID the sandbox keeps. Kite documents no
// length; this only stops a client from storing a novel in the book.
const maxAlgoIDLen = 64

// maxSlices is the most children an autosliced order is split into:
// Zerodha caps slicing at ten to stay within 10 orders a second.
const maxSlices = 10

// NeedsMarketProtection reports whether Kite refuses an order of this type
// without market protection: MARKET and SL-M, since April 2026
// (docs/orders-2026.md). The client has its own copy of the rule, on
// purpose: the sandbox refusing what the client forgot is the test that
// the client sends market protection (pkg/kitespec explains).
func NeedsMarketProtection(orderType string) bool {
	return orderType == "MARKET" || orderType == "SL-M"
}

// checkMarketProtection refuses a MARKET or SL-M order without market
// protection with Kite's own message, and a value Kite does not accept.
// On other order types the value is ignored, as Kite does.
func checkMarketProtection(orderType string, mp float64) error {
	if mp != 0 && mp != kitespec.MarketProtectionAuto && (mp < 0 || mp > 100) {
		return inputErr("Invalid `market_protection`: use a percentage from 0 to 100, or -1 for automatic protection.")
	}
	if NeedsMarketProtection(orderType) && mp == 0 {
		return inputErr("%s", kitespec.MsgNoMarketProtection)
	}
	return nil
}

// freezeQuantities are the exchanges' freeze quantities (the largest
// quantity one order may carry) for the sandbox's index contracts, by
// underlying. NSE and BSE publish them per contract (there is no Kite
// endpoint for them); these are the 2025–26 figures for the indices. Stock
// contracts use stockFreezeLots lots.
var freezeQuantities = map[string]int64{"NIFTY": 1800, "BANKNIFTY": 900, "SENSEX": 1000}

// stockFreezeLots is the freeze quantity of a stock contract in lots: a
// sandbox convention, as the exchange's figure varies by stock.
const stockFreezeLots = 25

// FreezeQuantity is the freeze quantity of an F&O contract, and false for
// instruments the sandbox does not slice (equities, indices).
func FreezeQuantity(in market.Instrument) (int64, bool) {
	if !in.IsDerivative() {
		return 0, false
	}
	if q, ok := freezeQuantities[in.Name]; ok {
		return q, true
	}
	return stockFreezeLots * in.LotSize, true
}

// Child is one slice of an autosliced order in Kite's answer: placed
// (OrderID) or refused (Error).
type Child struct {
	OrderID string      `json:"order_id,omitempty"`
	Error   *ChildError `json:"error,omitempty"`
}

// ChildError is Kite's error payload for a slice that was not placed.
type ChildError struct {
	Code      int    `json:"code"`
	ErrorType string `json:"error_type"`
	Message   string `json:"message"`
	Data      any    `json:"data"`
}

// SliceResult is Kite's answer to an autoslice place: the parent order ID
// and one entry per slice.
type SliceResult struct {
	OrderID  string  `json:"order_id"`
	Children []Child `json:"children"`
}

// PlaceAutoslice places an order above its contract's freeze quantity as
// child orders of at most the freeze quantity each (whole lots), as Kite
// does for autoslice=true. The parent ID is not an order of its own: the
// children carry the tags "autoslice" and "autoslice:<parent>" besides the
// order's tag.
func (e *Engine) PlaceAutoslice(p PlaceParams) (SliceResult, error) {
	if p.Variety != "" && p.Variety != "regular" {
		return SliceResult{}, inputErr("Autoslice is only for regular orders.")
	}
	v, err := e.validate(&p)
	if err != nil {
		return SliceResult{}, err
	}
	freeze, ok := FreezeQuantity(v.in)
	if !ok {
		return SliceResult{}, inputErr("Order slicing is not available for %s: it is for F&O contracts.", v.in.Key())
	}
	lot := max(v.in.LotSize, 1)
	slice := max(freeze/lot*lot, lot)
	qty := int64(p.Quantity)
	if qty <= freeze {
		return SliceResult{}, inputErr("Quantity should be greater than or equal to %d for order slicing.", (freeze/lot+1)*lot)
	}
	n := (qty + slice - 1) / slice
	if n > maxSlices {
		return SliceResult{}, inputErr("Order slicing is limited to %d slices: the quantity can be at most %d for %s.", maxSlices, maxSlices*slice, v.in.Key())
	}

	now := e.clock()
	e.mu.Lock()
	defer e.unlock()
	e.seq++
	res := SliceResult{OrderID: fmt.Sprintf("%s%09d", now.In(market.IST).Format("060102"), e.seq)}
	tags := []string{"autoslice", "autoslice:" + res.OrderID}
	for left := qty; left > 0; left -= slice {
		child := p
		child.Quantity = int(min(left, slice))
		id, err := e.placeLocked(child, v.in, v.price, v.trigger, cloneMeta(v.meta), now, tags)
		if err != nil {
			res.Children = append(res.Children, Child{Error: childError(err)})
			continue
		}
		res.Children = append(res.Children, Child{OrderID: id})
	}
	return res, nil
}

func childError(err error) *ChildError {
	ce := &ChildError{Code: 400, ErrorType: kitespec.GeneralException, Message: err.Error()}
	var ke *apierr.Error
	if errors.As(err, &ke) {
		ce.Code, ce.ErrorType, ce.Message = ke.Status, ke.ErrorType, ke.Message
	}
	return ce
}
