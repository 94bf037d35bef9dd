// Package paper is the sandbox's paper-trading engine: an order book, a
// trade book, positions, holdings and margins for one user, filled against
// the simulated market of package market.
//
// Like the market it is pure (no HTTP, no goroutines, no clock of its own):
// the sandbox server calls Place/Modify/Cancel from its REST handlers and
// Match after every market step, and relays the order updates Subscribe
// delivers to its WebSocket clients. Its structs carry Kite's JSON field
// names and types, so the server encodes them as they are. Errors are
// *kite.Error values the server maps straight to HTTP statuses; a margin
// shortfall, as on Kite, is not an error but a REJECTED order.
package paper

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/ticks"
)

// Order statuses, as Kite reports them.
const (
	StatusPutOrderReq    = "PUT ORDER REQ RECEIVED"
	StatusValidation     = "VALIDATION PENDING"
	StatusOpenPending    = "OPEN PENDING"
	StatusOpen           = "OPEN"
	StatusTriggerPending = "TRIGGER PENDING"
	StatusComplete       = "COMPLETE"
	StatusCancelled      = "CANCELLED"
	StatusRejected       = "REJECTED"
	StatusModifyValidate = "MODIFY VALIDATION PENDING"
	StatusModifyPending  = "MODIFY PENDING"
	StatusCancelPending  = "CANCEL PENDING"
	// StatusUpdate is only ever in order updates (Subscribe): an open
	// order was modified.
	StatusUpdate = "UPDATE"
)

// DefaultCash is the opening balance of each segment (₹10 lakh) unless
// Options say otherwise.
const DefaultCash = 10_00_000.0

const defaultAccountPrefix = "account-"

// SeedHolding is a holding the account starts with (bought on an earlier
// day, so it is settled: quantity, not t1_quantity).
type SeedHolding struct {
	Exchange, Tradingsymbol string
	Quantity                int
	AveragePrice            float64 // rupees
}

// Options configure an Engine.
type Options struct {
	Cash          float64 // opening equity balance in rupees; 0 = DefaultCash
	CommodityCash float64 // opening commodity balance in rupees; 0 = DefaultCash
	UserID        string
	// Clock stamps orders placed, modified and cancelled; nil = the
	// market's clock (the time of its latest Step).
	Clock    func() time.Time
	Holdings []SeedHolding
}

// PlaceParams are Kite's order form fields (prices in rupees).
type PlaceParams struct {
	Variety           string
	Exchange          string
	Tradingsymbol     string
	TransactionType   string
	Quantity          int
	Product           string
	OrderType         string
	Price             float64
	TriggerPrice      float64
	Validity          string
	ValidityTTL       int
	DisclosedQuantity int
	Tag               string
	IcebergLegs       int
	IcebergQuantity   int
	AuctionNumber     string
	MarketProtection  float64
	AlgoID            string
	Autoslice         bool
}

// ModifyParams are the fields of a modification; nil leaves a field as it is.
type ModifyParams struct {
	Quantity          *int
	Price             *float64
	TriggerPrice      *float64
	OrderType         *string
	Validity          *string
	DisclosedQuantity *int
	MarketProtection  *float64
}

// order is the engine's own record of an order.
type order struct {
	pub       Order
	in        market.Instrument
	sign      int64 // +1 buy, -1 sell
	qty       int64
	price     int64 // segment units; 0 for MARKET and SL-M
	trigger   int64
	placed    time.Time
	blocked   float64 // margin held while the order is pending, rupees
	bucket    bucket
	history   []Order
	triggered bool
	held      bool // an AMO order waiting for its market to open (amo.go)
	// resting is set once the order has sat in the book without filling:
	// from then on it fills at its own limit as the price crosses it, while
	// an order marketable on entry gets the last price.
	resting bool
}

type posKey struct {
	token   uint32
	product string
}

// position accumulates a day's fills for one instrument and product. Values
// are rupees including the multiplier.
type position struct {
	in              market.Instrument
	product         string
	buyQty, sellQty int64
	buyVal, sellVal float64
}

type holding struct {
	in            market.Instrument
	qty, t1, used int64
	avg           float64 // rupees
	seeded        bool
}

// Engine is one user's paper-trading account. It is safe for concurrent use.
type Engine struct {
	m     *market.Market
	opts  Options
	clock func() time.Time

	mu        sync.Mutex
	orders    []*order
	open      []*order // orders that may still be live (compacted lazily), so Match skips the finished
	byID      map[string]*order
	trades    []Trade
	positions map[posKey]*position
	posOrder  []posKey
	holdings  []*holding
	seq       int64
	tradeSeq  int64
	pending   []Order

	// dispatch is held while subscribers run (see unlock); it guards subs.
	dispatch sync.Mutex
	subs     map[int]func(Order)
	subSeq   int
}

// New opens a paper account trading on m.
func New(m *market.Market, opts Options) *Engine {
	if opts.Cash == 0 {
		opts.Cash = DefaultCash
	}
	if opts.CommodityCash == 0 {
		opts.CommodityCash = DefaultCash
	}
	e := &Engine{
		m:         m,
		opts:      opts,
		clock:     opts.Clock,
		byID:      map[string]*order{},
		positions: map[posKey]*position{},
		subs:      map[int]func(Order){},
	}
	if e.clock == nil {
		e.clock = m.Now
	}
	for _, s := range opts.Holdings {
		in, ok := m.Lookup(s.Exchange, s.Tradingsymbol)
		if !ok || s.Quantity <= 0 {
			continue
		}
		e.holdings = append(e.holdings, &holding{in: in, qty: int64(s.Quantity), avg: s.AveragePrice, seeded: true})
	}
	return e
}

func inputErr(format string, args ...any) error {
	return &kite.Error{Status: 400, ErrorType: kite.InputException, Message: fmt.Sprintf(format, args...)}
}

func orderErr(format string, args ...any) error {
	return &kite.Error{Status: 400, ErrorType: kite.OrderException, Message: fmt.Sprintf(format, args...)}
}

func strp(s string) *string { return &s }

// toUnits converts a rupee price to segment units, reporting whether it is
// a whole number of units and of ticks.
func toUnits(in *market.Instrument, rupees float64) (int64, bool) {
	f := rupees * float64(in.Divisor())
	u := math.Round(f)
	if math.Abs(f-u) > 1e-4 { // float noise is far smaller; a fraction of a unit is not
		return 0, false
	}
	v := int64(u)
	if in.TickSize > 0 && v%in.TickSize != 0 {
		return v, false
	}
	return v, true
}

func (e *Engine) ltp(token uint32) int64 {
	t, _ := e.m.Tick(token, ticks.ModeLTP)
	return int64(t.LastPrice)
}

// Subscribe calls fn with every order change, in order, after the change:
// placed (OPEN or TRIGGER PENDING), triggered (OPEN), filled (COMPLETE),
// modified (status UPDATE, as Kite's order updates say it), cancelled,
// rejected. fn must not
// place, modify or cancel orders itself (it may read). The returned
// function stops the subscription.
func (e *Engine) Subscribe(fn func(Order)) (cancel func()) {
	e.dispatch.Lock()
	defer e.dispatch.Unlock()
	id := e.subSeq
	e.subSeq++
	e.subs[id] = fn
	return func() {
		e.dispatch.Lock()
		defer e.dispatch.Unlock()
		delete(e.subs, id)
	}
}

// unlock releases mu and delivers the updates queued under it. Updates
// are queued in order under mu; whoever holds dispatch takes the whole
// queue, so they are delivered in order, and subscribers run without mu,
// free to read the engine.
func (e *Engine) unlock() {
	queued := len(e.pending) > 0
	e.mu.Unlock()
	if !queued {
		return
	}
	e.dispatch.Lock()
	defer e.dispatch.Unlock()
	e.mu.Lock()
	evs := e.pending
	e.pending = nil
	e.mu.Unlock()
	ids := make([]int, 0, len(e.subs))
	for id := range e.subs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, ev := range evs {
		for _, id := range ids {
			e.subs[id](ev)
		}
	}
}

// record appends the order's current state to its history and, when
// notify, queues it for subscribers.
func (e *Engine) record(o *order, notify bool) {
	s := o.pub
	s.Meta = cloneMeta(o.pub.Meta)
	o.history = append(o.history, s)
	if notify {
		e.pending = append(e.pending, s)
	}
}

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
