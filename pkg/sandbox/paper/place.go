package paper

import (
	"fmt"
	"strconv"
	"time"

	"github.com/kitecli/kite/pkg/sandbox/market"
)

func cloneMeta(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func validProduct(p string) bool {
	switch p {
	case "CNC", "MIS", "NRML", "MTF":
		return true
	}
	return false
}

func validOrderType(t string) bool {
	switch t {
	case "MARKET", "LIMIT", "SL", "SL-M":
		return true
	}
	return false
}

// Place places an order. Invalid input is an InputException; an order
// that passes validation gets an order id even when the risk checks then
// reject it (its status says why), as on Kite.
func (e *Engine) Place(p PlaceParams) (string, error) {
	if p.Autoslice {
		return "", inputErr("Use PlaceAutoslice for an autoslice order.")
	}
	v, err := e.validate(&p)
	if err != nil {
		return "", err
	}
	now := e.clock()
	e.mu.Lock()
	defer e.unlock()
	return e.placeLocked(p, v.in, v.price, v.trigger, v.meta, now, nil)
}

// placeLocked places a validated order under mu; extraTags are added to
// its tags (an autoslice child's).
func (e *Engine) placeLocked(p PlaceParams, in market.Instrument, price, trigger int64, meta map[string]any, now time.Time, extraTags []string) (string, error) {
	ltp := e.ltp(in.Token)
	if p.OrderType == "SL" || p.OrderType == "SL-M" {
		if p.TransactionType == "BUY" && trigger <= ltp {
			return "", inputErr("Trigger price for stoploss buy orders should be higher than the last traded price (%s).", market.FormatPrice(ltp, in.Divisor()))
		}
		if p.TransactionType == "SELL" && trigger >= ltp {
			return "", inputErr("Trigger price for stoploss sell orders should be lower than the last traded price (%s).", market.FormatPrice(ltp, in.Divisor()))
		}
	}
	e.seq++
	id := fmt.Sprintf("%s%09d", now.In(market.IST).Format("060102"), e.seq)
	var tag *string
	var tags []string
	if p.Tag != "" {
		tag = strp(p.Tag)
		tags = []string{p.Tag}
	}
	tags = append(tags, extraTags...)
	o := &order{
		in: in, sign: 1, qty: int64(p.Quantity), price: price, trigger: trigger, placed: now,
		pub: Order{
			AccountID: e.opts.UserID, PlacedBy: e.opts.UserID, OrderID: id,
			Status: StatusPutOrderReq, OrderTimestamp: Timestamp{now}, Variety: p.Variety,
			Exchange: in.Exchange, Tradingsymbol: in.Tradingsymbol, InstrumentToken: in.Token,
			OrderType: p.OrderType, TransactionType: p.TransactionType, Validity: p.Validity,
			ValidityTTL: p.ValidityTTL, Product: p.Product, Quantity: p.Quantity,
			DisclosedQuantity: p.DisclosedQuantity, Price: in.Rupees(price), TriggerPrice: in.Rupees(trigger),
			PendingQuantity: p.Quantity, MarketProtection: p.MarketProtection, AlgoID: p.AlgoID, Meta: meta,
			Tag: tag, Tags: tags, GUID: fmt.Sprintf("%s-%s", e.opts.UserID, id),
		},
	}
	if p.TransactionType == "SELL" {
		o.sign = -1
	}
	e.orders = append(e.orders, o)
	e.byID[id] = o
	e.record(o, false)
	o.pub.Status = StatusValidation
	e.record(o, false)

	if reason, raw := e.riskCheck(o, ltp); reason != "" {
		o.pub.Status = StatusRejected
		o.pub.StatusMessage, o.pub.StatusMessageRaw = strp(reason), strp(raw)
		o.pub.PendingQuantity = 0
		o.pub.ExchangeUpdateTimestamp = Timestamp{now}
		e.record(o, true)
		return id, nil
	}
	if e.holdAMO(o) {
		return id, nil
	}
	o.pub.Status = StatusOpenPending
	e.record(o, false)
	o.pub.ExchangeOrderID = strp(fmt.Sprintf("1%015d", e.seq))
	o.pub.ExchangeTimestamp = Timestamp{now}
	o.pub.ExchangeUpdateTimestamp = Timestamp{now}
	o.pub.Status = StatusOpen
	if p.OrderType == "SL" || p.OrderType == "SL-M" {
		o.pub.Status = StatusTriggerPending
	}
	e.record(o, true)
	e.tryFill(o, ltp, now)
	if o.pub.Status == StatusOpen && p.Validity == "IOC" {
		e.cancel(o, now, nil)
	}
	if o.live() {
		e.open = append(e.open, o)
	}
	return id, nil
}

// tryFill fills an open order, or triggers a pending stop-loss, if the
// last price allows.
func (e *Engine) tryFill(o *order, ltp int64, now time.Time) {
	switch o.pub.Status {
	case StatusTriggerPending:
		hit := (o.sign > 0 && ltp >= o.trigger) || (o.sign < 0 && ltp <= o.trigger)
		if !hit {
			return
		}
		o.triggered = true
		o.resting = false
		o.pub.Status = StatusOpen
		o.pub.ExchangeUpdateTimestamp = Timestamp{now}
		if o.pub.OrderType == "SL-M" {
			e.fill(o, ltp, now)
			return
		}
		e.record(o, true)
		fallthrough
	case StatusOpen:
		switch {
		case o.pub.OrderType == "MARKET" || o.pub.OrderType == "SL-M":
			e.fill(o, ltp, now)
		case o.sign > 0 && ltp <= o.price, o.sign < 0 && ltp >= o.price:
			px := ltp
			if o.resting {
				px = o.price
			}
			e.fill(o, px, now)
		default:
			o.resting = true
		}
	}
}

// fill completes an order at px: a trade, the position, holdings, and the
// margin moving from the order to the position.
func (e *Engine) fill(o *order, px int64, now time.Time) {
	in := &o.in
	e.tradeSeq++
	qty := o.qty
	o.blocked = 0
	o.pub.Status = StatusComplete
	o.pub.FilledQuantity = int(qty)
	o.pub.PendingQuantity = 0
	o.pub.AveragePrice = in.Rupees(px)
	o.pub.ExchangeUpdateTimestamp = Timestamp{now}
	if m, ok := o.pub.Meta["iceberg"].(map[string]any); ok {
		m = cloneMeta(m)
		m["leg"] = m["legs"]
		m["remaining_quantity"] = 0
		o.pub.Meta["iceberg"] = m
	}
	e.trades = append(e.trades, Trade{
		TradeID: strconv.FormatInt(e.tradeSeq*10_000_000, 10), OrderID: o.pub.OrderID,
		Exchange: in.Exchange, Tradingsymbol: in.Tradingsymbol, InstrumentToken: in.Token,
		Product: o.pub.Product, AveragePrice: in.Rupees(px), Quantity: int(qty),
		ExchangeOrderID: deref(o.pub.ExchangeOrderID), TransactionType: o.pub.TransactionType,
		FillTimestamp: Timestamp{now}, OrderTimestamp: now.In(market.IST).Format("15:04:05"),
		ExchangeTimestamp: Timestamp{now},
	})
	k := posKey{in.Token, o.pub.Product}
	pos := e.positions[k]
	if pos == nil {
		pos = &position{in: *in, product: o.pub.Product}
		e.positions[k] = pos
		e.posOrder = append(e.posOrder, k)
	}
	val := in.Rupees(px) * float64(qty) * float64(in.Multiplier)
	if o.sign > 0 {
		pos.buyQty += qty
		pos.buyVal += val
	} else {
		pos.sellQty += qty
		pos.sellVal += val
	}
	if o.pub.Product == "CNC" || o.pub.Product == "MTF" {
		h := e.holding(in)
		if o.sign > 0 {
			total := float64(h.qty+h.t1-h.used) * h.avg
			h.t1 += qty
			h.avg = (total + val) / float64(h.qty+h.t1-h.used)
		} else {
			h.used += qty
		}
	}
	e.record(o, true)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (e *Engine) holding(in *market.Instrument) *holding {
	for _, h := range e.holdings {
		if h.in.Token == in.Token {
			return h
		}
	}
	h := &holding{in: *in}
	e.holdings = append(e.holdings, h)
	return h
}

// Match fills and triggers the pending orders the market's current prices
// allow, and expires TTL orders. The server calls it after each Step.
func (e *Engine) Match(now time.Time) {
	e.mu.Lock()
	defer e.unlock()
	live := e.open[:0]
	for _, o := range e.open {
		e.releaseAMO(o, now)
		if o.live() && o.pub.Validity == "TTL" && !now.Before(o.placed.Add(time.Duration(o.pub.ValidityTTL)*time.Minute)) {
			e.cancel(o, now, nil)
		}
		if o.live() {
			e.tryFill(o, e.ltp(o.in.Token), now)
		}
		if o.live() {
			live = append(live, o)
		}
	}
	clear(e.open[len(live):])
	e.open = live
}
