package paper

import (
	"fmt"
	"time"
)

// StatusAMOReq is Kite's status of an after-market order waiting for its
// market to open.
const StatusAMOReq = "AMO REQ RECEIVED"

// holdAMO parks an AMO order placed while its market is closed: it stays in
// the order book, not at the exchange, until Match sees the market open
// (releaseAMO). An AMO order placed while the market is open (the sandbox
// allows that only when the market never closes) goes on as a regular one.
func (e *Engine) holdAMO(o *order) bool {
	if o.pub.Variety != "amo" || e.m.Open(o.in.Token) {
		return false
	}
	o.held = true
	o.pub.Status = StatusAMOReq
	e.record(o, true)
	e.open = append(e.open, o)
	return true
}

// releaseAMO sends a held AMO order to the exchange once its market is
// open, as Kite does at the session's start: from then on it is an
// ordinary open order.
func (e *Engine) releaseAMO(o *order, now time.Time) {
	if o.pub.Status != StatusAMOReq || !e.m.Open(o.in.Token) {
		return
	}
	o.held = false
	o.pub.Status = StatusOpenPending
	e.record(o, false)
	o.pub.ExchangeOrderID = strp(fmt.Sprintf("1%015s", o.pub.OrderID[min(6, len(o.pub.OrderID)):]))
	o.pub.ExchangeTimestamp = Timestamp{now}
	o.pub.ExchangeUpdateTimestamp = Timestamp{now}
	o.pub.Status = StatusOpen
	if o.pub.OrderType == "SL" || o.pub.OrderType == "SL-M" {
		o.pub.Status = StatusTriggerPending
	}
	e.record(o, true)
}

// requeueAMO puts a held AMO order back to waiting after a modification.
func (e *Engine) requeueAMO(o *order) bool {
	if !o.held {
		return false
	}
	o.pub.Status = StatusAMOReq
	e.record(o, true)
	return true
}
