// Package paper is the sandbox's paper-trading engine: an order book, a
// trade book, positions, holdings and margins for one user, filled against
// the simulated market of package market.
//
// Like the market it is pure (no HTTP, no goroutines, no clock of its own):
// the sandbox server calls Place/Modify/Cancel from its REST handlers and
// Match after every market step, and relays the order updates Subscribe
// delivers to its WebSocket clients. Its structs carry Kite's JSON field
// names and types, so the server encodes them as they are. Errors are
// *apierr.Error values the server maps straight to HTTP statuses; a margin
// shortfall, as on Kite, is not an error but a REJECTED order.
package paper

import (
	"math"
	"slices"
	"sync"
	"time"

	"github.com/kitecli/kite/pkg/sandbox/apierr"
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

func inputErr(format string, args ...any) error { return apierr.Input(format, args...) }

func orderErr(format string, args ...any) error { return apierr.Order(format, args...) }

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
