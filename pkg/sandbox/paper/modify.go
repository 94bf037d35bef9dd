package paper

import (
	"time"

	"github.com/kitecli/kite/pkg/sandbox/market"
)

// live reports whether the order is still in the book.
func (o *order) live() bool {
	return o.pub.Status == StatusOpen || o.pub.Status == StatusTriggerPending || o.pub.Status == StatusAMOReq
}

// find looks an order up for modification or cancellation.
func (e *Engine) find(variety, id, verb string) (*order, error) {
	o, ok := e.byID[id]
	if !ok {
		return nil, orderErr("Couldn't find that `order_id`.")
	}
	if variety != o.pub.Variety {
		return nil, inputErr("Invalid `variety`: order %s is a %s order.", id, o.pub.Variety)
	}
	if !o.live() {
		return nil, orderErr("Order cannot be %s as it is %s.", verb, o.pub.Status)
	}
	return o, nil
}

// Modify changes an open or trigger-pending order.
func (e *Engine) Modify(variety, orderID string, p ModifyParams) (string, error) {
	now := e.clock()
	e.mu.Lock()
	defer e.unlock()
	o, err := e.find(variety, orderID, "modified")
	if err != nil {
		return "", err
	}
	in := &o.in
	orderType := o.pub.OrderType
	if p.OrderType != nil {
		if !validOrderType(*p.OrderType) {
			return "", inputErr("Invalid `order_type`: use MARKET, LIMIT, SL or SL-M.")
		}
		orderType = *p.OrderType
	}
	qty := o.pub.Quantity
	if p.Quantity != nil {
		qty = *p.Quantity
		if qty <= 0 {
			return "", inputErr("Invalid `quantity`: it must be greater than 0.")
		}
		if qty%int(in.LotSize) != 0 {
			return "", inputErr("Quantity should be a multiple of the lot size (%d) for %s.", in.LotSize, in.Key())
		}
	}
	priceR, triggerR := o.pub.Price, o.pub.TriggerPrice
	if p.Price != nil {
		priceR = *p.Price
	}
	if p.TriggerPrice != nil {
		triggerR = *p.TriggerPrice
	}
	if orderType == "MARKET" || orderType == "SL-M" {
		priceR = 0
	}
	if orderType == "MARKET" || orderType == "LIMIT" {
		triggerR = 0
	}
	price, trigger, err := checkPrices(in, orderType, priceR, triggerR)
	if err != nil {
		return "", err
	}
	// An order modified into MARKET or SL-M needs market protection, given
	// now or already on the order (Kite does not ask for it again).
	protection := o.pub.MarketProtection
	if p.MarketProtection != nil {
		protection = *p.MarketProtection
	}
	if err := checkMarketProtection(orderType, protection); err != nil {
		return "", err
	}
	validity := o.pub.Validity
	if p.Validity != nil {
		switch *p.Validity {
		case "DAY", "IOC", "TTL":
			validity = *p.Validity
		default:
			return "", inputErr("Invalid `validity`: use DAY, IOC or TTL.")
		}
	}
	disclosed := o.pub.DisclosedQuantity
	if p.DisclosedQuantity != nil {
		disclosed = *p.DisclosedQuantity
	}
	if disclosed < 0 || disclosed > qty {
		return "", inputErr("Invalid `disclosed_quantity`: it must be between 0 and the quantity.")
	}
	stop := orderType == "SL" || orderType == "SL-M"
	ltp := e.ltp(in.Token)
	if stop && !o.triggered {
		if o.sign > 0 && trigger <= ltp {
			return "", inputErr("Trigger price for stoploss buy orders should be higher than the last traded price (%s).", market.FormatPrice(ltp, in.Divisor()))
		}
		if o.sign < 0 && trigger >= ltp {
			return "", inputErr("Trigger price for stoploss sell orders should be lower than the last traded price (%s).", market.FormatPrice(ltp, in.Divisor()))
		}
	}
	o.pub.Status = StatusModifyValidate
	e.record(o, false)
	o.pub.OrderType, o.pub.Quantity, o.pub.PendingQuantity = orderType, qty, qty
	o.pub.Price, o.pub.TriggerPrice = in.Rupees(price), in.Rupees(trigger)
	o.pub.Validity, o.pub.DisclosedQuantity = validity, disclosed
	o.pub.MarketProtection = protection
	o.pub.Modified = true
	o.pub.ExchangeUpdateTimestamp = Timestamp{now}
	o.qty, o.price, o.trigger = int64(qty), price, trigger
	o.blocked = 0
	if reason, raw := e.riskCheck(o, ltp); reason != "" {
		o.pub.Status = StatusRejected
		o.pub.StatusMessage, o.pub.StatusMessageRaw = strp(reason), strp(raw)
		o.pub.PendingQuantity = 0
		e.record(o, true)
		return orderID, nil
	}
	o.pub.Status = StatusModifyPending
	e.record(o, false)
	if e.requeueAMO(o) {
		return orderID, nil
	}
	o.pub.Status = StatusOpen
	if stop && !o.triggered {
		o.pub.Status = StatusTriggerPending
	}
	e.record(o, false)
	// Kite announces a modification with the status UPDATE; the order
	// book keeps the order's real status.
	u := o.history[len(o.history)-1]
	u.Status = StatusUpdate
	e.pending = append(e.pending, u)
	o.resting = false // a modified order re-enters the book
	e.tryFill(o, ltp, now)
	return orderID, nil
}

// Cancel cancels an open or trigger-pending order.
func (e *Engine) Cancel(variety, orderID string) (string, error) {
	now := e.clock()
	e.mu.Lock()
	defer e.unlock()
	o, err := e.find(variety, orderID, "cancelled")
	if err != nil {
		return "", err
	}
	o.pub.Status = StatusCancelPending
	e.record(o, false)
	e.cancel(o, now, nil)
	return orderID, nil
}

func (e *Engine) cancel(o *order, now time.Time, msg *string) {
	o.pub.Status = StatusCancelled
	o.pub.StatusMessage = msg
	o.pub.CancelledQuantity = o.pub.PendingQuantity
	o.pub.PendingQuantity = 0
	o.pub.ExchangeUpdateTimestamp = Timestamp{now}
	o.blocked = 0
	e.record(o, true)
}
