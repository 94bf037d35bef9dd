package orderflow

import (
	"context"
	"math"

	"github.com/kitecli/kite/pkg/kite"
)

// Value is an order's value in rupees, quantity × price, to the paisa.
func Value(quantity int, price float64) float64 {
	return math.Round(float64(quantity)*price*100) / 100
}

// OnTick reports whether price is a whole number of ticks, within float
// noise (1573.7 / 0.05 is not exactly 31474). A tick of 0 admits any price.
func OnTick(price, tick float64) bool {
	if tick <= 0 {
		return true
	}
	n := price / tick
	return math.Abs(n-math.Round(n)) < 1e-6
}

// ModifyPlan is a modification checked against the order it changes:
// everything short of sending it.
type ModifyPlan struct {
	// Current is the open order as it stands.
	Current kite.Order
	// Variety is the one given, else the order's.
	Variety string
	Changes kite.OrderParams
	// The order as it would be after the change.
	Quantity     int
	OrderType    string
	Price        float64
	TriggerPrice float64
	// Value is the order's value after the change: at the limit price,
	// the trigger of an SL-M, or the last price of a MARKET order.
	Value float64
}

// PlanModify reads the order a modification changes (it must be open, see
// Open) and values the order as it would be. variety may be empty (the
// order's own); changes should have passed kite.OrderParams.ValidateModify.
func (f *Flow) PlanModify(ctx context.Context, orderID, variety string, changes kite.OrderParams) (ModifyPlan, error) {
	cur, err := f.Open(ctx, orderID)
	if err != nil {
		return ModifyPlan{}, err
	}
	pl := ModifyPlan{
		Current: cur, Variety: variety, Changes: changes,
		Quantity: cur.Quantity, OrderType: cur.OrderType, Price: cur.Price, TriggerPrice: cur.TriggerPrice,
	}
	if pl.Variety == "" {
		pl.Variety = cur.Variety
	}
	if changes.Quantity > 0 {
		pl.Quantity = changes.Quantity
	}
	if changes.OrderType != "" {
		pl.OrderType = changes.OrderType
	}
	// A change to MARKET or SL-M drops the limit price.
	if changes.Price > 0 || changes.OrderType == kite.OrderTypeMarket || changes.OrderType == kite.OrderTypeSLM {
		pl.Price = changes.Price
	}
	if changes.TriggerPrice > 0 {
		pl.TriggerPrice = changes.TriggerPrice
	}
	var at float64
	switch pl.OrderType {
	case kite.OrderTypeLimit, kite.OrderTypeSL:
		at = pl.Price
	case kite.OrderTypeSLM:
		at = pl.TriggerPrice
	default:
		if at, err = f.LastPrice(ctx, cur.Exchange+":"+cur.Tradingsymbol); err != nil {
			return ModifyPlan{}, err
		}
	}
	pl.Value = Value(pl.Quantity, at)
	return pl, nil
}
