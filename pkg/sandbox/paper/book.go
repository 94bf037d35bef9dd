package paper

import (
	"slices"
)

// Orders is the day's order book, oldest first.
func (e *Engine) Orders() []Order {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Order, len(e.orders))
	for i, o := range e.orders {
		out[i] = o.pub
		out[i].Meta = cloneMeta(o.pub.Meta)
	}
	return out
}

// OrderHistory is every state an order has passed through, oldest first.
func (e *Engine) OrderHistory(id string) ([]Order, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.byID[id]
	if !ok {
		return nil, orderErr("Couldn't find that `order_id`.")
	}
	return slices.Clone(o.history), nil
}

// Trades is the day's trade book, oldest first.
func (e *Engine) Trades() []Trade {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.trades)
}

// OrderTrades is the fills of one order.
func (e *Engine) OrderTrades(id string) ([]Trade, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.byID[id]; !ok {
		return nil, orderErr("Couldn't find that `order_id`.")
	}
	out := []Trade{}
	for _, t := range e.trades {
		if t.OrderID == id {
			out = append(out, t)
		}
	}
	return out, nil
}
