// Package gtt is the sandbox's book of GTT (good-till-triggered) orders,
// Kite Connect's /gtt/triggers API: a trigger on one instrument's last
// price, with one order (single) or two (two-leg, one-cancels-other) that
// are placed through the paper engine when the price reaches a trigger
// value.
//
// Like the paper engine it is pure: no HTTP, no goroutines, no clock of its
// own. The server parses forms with ParseForm, calls Create, Modify and
// Delete from its handlers, and Step after every market step.
package gtt

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/kitecli/kite/pkg/kitespec"
	"github.com/kitecli/kite/pkg/sandbox/apierr"
	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/sandbox/paper"
	"github.com/kitecli/kite/pkg/ticks"
)

// Trigger types, statuses and limits, as Kite has them.
const (
	TypeSingle = "single"
	TypeOCO    = "two-leg"

	StatusActive    = "active"
	StatusTriggered = "triggered"
	StatusExpired   = "expired"
	StatusDeleted   = "deleted"

	// MaxActive is how many active GTTs an account may have (Kite's rule,
	// kitespec.GTTMaxActive).
	MaxActive = kitespec.GTTMaxActive
)

// Validity is how long a GTT stays active: "The validity of a GTT … is
// one year from the placement date" (Zerodha support, same article).
func expiry(created time.Time) time.Time { return created.AddDate(1, 0, 0) }

// Condition is what a trigger watches.
type Condition struct {
	Exchange        string    `json:"exchange"`
	LastPrice       float64   `json:"last_price"`
	Tradingsymbol   string    `json:"tradingsymbol"`
	TriggerValues   []float64 `json:"trigger_values"`
	InstrumentToken uint32    `json:"instrument_token"`
}

// Order is one leg: the order placed when its trigger value is reached.
type Order struct {
	Exchange        string  `json:"exchange"`
	Tradingsymbol   string  `json:"tradingsymbol"`
	Product         string  `json:"product"`
	OrderType       string  `json:"order_type"`
	TransactionType string  `json:"transaction_type"`
	Quantity        int     `json:"quantity"`
	Price           float64 `json:"price"`
	Result          *Result `json:"result"`
}

// Result is what happened when a leg's order was placed.
type Result struct {
	AccountID       string          `json:"account_id"`
	Exchange        string          `json:"exchange"`
	Tradingsymbol   string          `json:"tradingsymbol"`
	Validity        string          `json:"validity"`
	Product         string          `json:"product"`
	OrderType       string          `json:"order_type"`
	TransactionType string          `json:"transaction_type"`
	Quantity        int             `json:"quantity"`
	Price           float64         `json:"price"`
	Meta            string          `json:"meta"`
	Timestamp       paper.Timestamp `json:"timestamp"`
	TriggeredAt     float64         `json:"triggered_at"`
	OrderResult     OrderResult     `json:"order_result"`
}

// OrderResult says whether the placement succeeded: "success" with the
// order's ID, or "failed" with Kite's reason.
type OrderResult struct {
	Status          string `json:"status"`
	OrderID         string `json:"order_id"`
	RejectionReason string `json:"rejection_reason"`
}

// Trigger is one GTT, with Kite's JSON field names.
type Trigger struct {
	ID            int             `json:"id"`
	UserID        string          `json:"user_id"`
	ParentTrigger *int            `json:"parent_trigger"`
	Type          string          `json:"type"`
	CreatedAt     paper.Timestamp `json:"created_at"`
	UpdatedAt     paper.Timestamp `json:"updated_at"`
	ExpiresAt     paper.Timestamp `json:"expires_at"`
	Status        string          `json:"status"`
	Condition     Condition       `json:"condition"`
	Orders        []Order         `json:"orders"`
	Meta          map[string]any  `json:"meta"`
}

func (t Trigger) clone() Trigger {
	c := t
	c.Condition.TriggerValues = slices.Clone(t.Condition.TriggerValues)
	c.Orders = slices.Clone(t.Orders)
	for i, o := range c.Orders {
		if o.Result != nil {
			r := *o.Result
			c.Orders[i].Result = &r
		}
	}
	c.Meta = map[string]any{}
	return c
}

// trigger is the book's record: the public trigger, its instrument, and
// which way a single trigger fires.
type trigger struct {
	pub   Trigger
	in    market.Instrument
	below bool // single: fires when the price falls to the trigger value
}

// Book is one user's GTTs. It is safe for concurrent use.
type Book struct {
	m      *market.Market
	eng    *paper.Engine
	userID string

	mu   sync.Mutex
	list []*trigger
	byID map[int]*trigger
	seq  int
}

// New opens an empty book whose orders go to eng.
func New(m *market.Market, eng *paper.Engine, userID string) *Book {
	// IDs start high, as Kite's trigger IDs are six-digit and up.
	return &Book{m: m, eng: eng, userID: userID, byID: map[int]*trigger{}, seq: 100000}
}

func inputErr(format string, args ...any) error { return paper.InputError(format, args...) }

// MsgNotFound is the answer for a trigger ID the book does not have.
const MsgNotFound = "Invalid trigger ID: no such GTT."

// Create validates and adds a trigger, returning its ID.
func (b *Book) Create(p Params) (int, error) {
	now := b.m.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	active := 0
	for _, t := range b.list {
		if t.pub.Status == StatusActive {
			active++
		}
	}
	if active >= MaxActive {
		return 0, inputErr("You can have at most %d active GTTs. Delete one before creating another.", MaxActive)
	}
	t, err := b.check(p)
	if err != nil {
		return 0, err
	}
	b.seq++
	t.pub.ID = b.seq
	t.pub.UserID = b.userID
	t.pub.CreatedAt, t.pub.UpdatedAt = paper.Timestamp{Time: now}, paper.Timestamp{Time: now}
	t.pub.ExpiresAt = paper.Timestamp{Time: expiry(now)}
	t.pub.Status = StatusActive
	b.list = append(b.list, t)
	b.byID[t.pub.ID] = t
	return t.pub.ID, nil
}

// Modify replaces an active trigger's condition and orders.
func (b *Book) Modify(id int, p Params) (int, error) {
	now := b.m.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	old, ok := b.byID[id]
	if !ok || old.pub.Status == StatusDeleted {
		return 0, inputErr(MsgNotFound)
	}
	if old.pub.Status != StatusActive {
		return 0, inputErr("This GTT is %s and can no longer be modified.", old.pub.Status)
	}
	t, err := b.check(p)
	if err != nil {
		return 0, err
	}
	old.in, old.below = t.in, t.below
	old.pub.Type, old.pub.Condition, old.pub.Orders = t.pub.Type, t.pub.Condition, t.pub.Orders
	old.pub.UpdatedAt = paper.Timestamp{Time: now}
	return id, nil
}

// Delete deletes a trigger: it no longer fires and is no longer listed.
func (b *Book) Delete(id int) (int, error) {
	now := b.m.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.byID[id]
	if !ok || t.pub.Status == StatusDeleted {
		return 0, inputErr(MsgNotFound)
	}
	t.pub.Status = StatusDeleted
	t.pub.UpdatedAt = paper.Timestamp{Time: now}
	return id, nil
}

// Get is one trigger, deleted ones included.
func (b *Book) Get(id int) (Trigger, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.byID[id]
	if !ok {
		return Trigger{}, inputErr(MsgNotFound)
	}
	return t.pub.clone(), nil
}

// List is every trigger not deleted, newest first, as Kite lists them.
func (b *Book) List() []Trigger {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := []Trigger{}
	for i := len(b.list) - 1; i >= 0; i-- {
		if t := b.list[i]; t.pub.Status != StatusDeleted {
			out = append(out, t.pub.clone())
		}
	}
	return out
}

// Step expires old triggers and fires the active ones the market's current
// prices reach: the leg's order is placed through the paper engine (which
// pushes its order updates to subscribers) and the trigger is marked
// triggered with the result. A two-leg trigger fires one leg only, which
// cancels the other.
func (b *Book) Step(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, t := range b.list {
		if t.pub.Status != StatusActive {
			continue
		}
		if !now.Before(t.pub.ExpiresAt.Time) {
			t.pub.Status = StatusExpired
			t.pub.UpdatedAt = paper.Timestamp{Time: now}
			continue
		}
		if !b.m.Open(t.in.Token) {
			continue // GTTs fire on trades, and a closed market has none
		}
		tick, ok := b.m.Tick(t.in.Token, ticks.ModeLTP)
		if !ok {
			continue
		}
		ltp := t.in.Rupees(int64(tick.LastPrice))
		leg := t.leg(ltp)
		if leg < 0 {
			continue
		}
		b.fire(t, leg, ltp, now)
	}
}

// leg is the leg whose trigger value the price has reached, or -1.
func (t *trigger) leg(ltp float64) int {
	tv := t.pub.Condition.TriggerValues
	if t.pub.Type == TypeSingle {
		if (t.below && ltp <= tv[0]) || (!t.below && ltp >= tv[0]) {
			return 0
		}
		return -1
	}
	switch {
	case ltp <= tv[0]:
		return 0
	case ltp >= tv[1]:
		return 1
	}
	return -1
}

func (b *Book) fire(t *trigger, leg int, ltp float64, now time.Time) {
	o := &t.pub.Orders[leg]
	res := &Result{
		AccountID: b.userID, Exchange: o.Exchange, Tradingsymbol: o.Tradingsymbol, Validity: "DAY",
		Product: o.Product, OrderType: o.OrderType, TransactionType: o.TransactionType,
		Quantity: o.Quantity, Price: o.Price, Timestamp: paper.Timestamp{Time: now}, TriggeredAt: ltp,
		Meta: fmt.Sprintf(`{"app_id":1,"gtt":%d}`, t.pub.ID),
	}
	id, err := b.eng.Place(paper.PlaceParams{
		Variety: "regular", Exchange: o.Exchange, Tradingsymbol: o.Tradingsymbol,
		TransactionType: o.TransactionType, Quantity: o.Quantity, Product: o.Product,
		OrderType: o.OrderType, Price: o.Price, Validity: "DAY",
	})
	switch {
	case err != nil:
		res.OrderResult = OrderResult{Status: "failed", RejectionReason: apierr.Message(err)}
	default:
		res.OrderResult = OrderResult{Status: "success", OrderID: id}
		// An order the risk checks rejected (a price outside the day's
		// circuit, no margin) failed, with the RMS's reason, as Kite
		// reports it; it stays in the order book as REJECTED.
		if reason, rejected := b.eng.Rejected(id); rejected {
			res.OrderResult.Status, res.OrderResult.RejectionReason = "failed", reason
		}
	}
	o.Result = res
	t.pub.Status = StatusTriggered
	t.pub.UpdatedAt = paper.Timestamp{Time: now}
}

// MinDistance is how far a trigger value must be from the last price:
// 0.25% of it above ₹50, 9 paise at or below (Kite's rule; kitespec has
// the figures and their source). The client checks the same rule with its
// own code, so that the two can disagree in a test.
func MinDistance(ltp float64) float64 {
	if ltp > kitespec.GTTMinDistanceAbove {
		return ltp * kitespec.GTTMinDistanceFraction
	}
	return kitespec.GTTMinDistanceFloor
}

// MaxLimitDistance is how far (a fraction of the trigger value) a leg's
// limit price may be from its trigger (kitespec.GTTMaxLimitDistance).
const MaxLimitDistance = kitespec.GTTMaxLimitDistance

// check validates p against the market as Kite does and builds the
// trigger (without ID, times or status).
func (b *Book) check(p Params) (*trigger, error) {
	c := p.Condition
	in, ok := b.m.Lookup(c.Exchange, c.Tradingsymbol)
	if !ok {
		return nil, inputErr("Invalid `condition`: %s:%s is not an instrument.", c.Exchange, c.Tradingsymbol)
	}
	if in.IsIndex() {
		return nil, inputErr("Invalid `condition`: %s is an index and cannot be traded.", in.Key())
	}
	if !(c.LastPrice > 0) || math.IsInf(c.LastPrice, 0) {
		return nil, inputErr("Invalid `last_price`: send the instrument's last traded price.")
	}
	tick, _ := b.m.Tick(in.Token, ticks.ModeLTP)
	ltp := in.Rupees(int64(tick.LastPrice))
	minD := MinDistance(ltp)
	t := &trigger{in: in}
	switch p.Type {
	case TypeSingle:
		if len(c.TriggerValues) != 1 || len(p.Orders) != 1 {
			return nil, inputErr("A single GTT has one trigger value and one order.")
		}
		t.below = c.TriggerValues[0] < c.LastPrice
	case TypeOCO:
		if len(c.TriggerValues) != 2 || len(p.Orders) != 2 {
			return nil, inputErr("A two-leg GTT has two trigger values and two orders: the stop-loss, then the target.")
		}
		lo, hi := c.TriggerValues[0], c.TriggerValues[1]
		if !(lo < ltp && ltp < hi) {
			return nil, inputErr("Invalid trigger values: a two-leg GTT's first trigger (%v) must be below the last price (%v) and its second (%v) above it.", lo, ltp, hi)
		}
		if p.Orders[0].TransactionType != p.Orders[1].TransactionType {
			return nil, inputErr("Both legs of a two-leg GTT must be the same transaction type.")
		}
	default:
		return nil, inputErr("Invalid `type`: use single or two-leg.")
	}
	div := float64(in.Divisor())
	for i, tv := range c.TriggerValues {
		if !(tv > 0) || math.IsInf(tv, 0) {
			return nil, inputErr("Invalid trigger value %v: it must be a positive price.", tv)
		}
		if !onTick(tv, in) {
			return nil, inputErr("Invalid trigger value %v: it must be a multiple of the tick size %v.", tv, float64(in.TickSize)/div)
		}
		if math.Abs(tv-ltp) < minD-1e-9 {
			return nil, inputErr("Trigger value %v is too close to the last price %v: it must be at least %.2f away.", tv, ltp, minD)
		}
		o := p.Orders[i]
		if o.Exchange != in.Exchange || o.Tradingsymbol != in.Tradingsymbol {
			return nil, inputErr("Order %d is for %s:%s, the condition for %s: a GTT's orders are for its instrument.", i+1, o.Exchange, o.Tradingsymbol, in.Key())
		}
		if o.TransactionType != "BUY" && o.TransactionType != "SELL" {
			return nil, inputErr("Invalid `transaction_type` in order %d: use BUY or SELL.", i+1)
		}
		if o.OrderType != "LIMIT" {
			return nil, inputErr("Invalid `order_type` in order %d: GTT orders are LIMIT orders.", i+1)
		}
		switch o.Product {
		case "CNC", "MIS", "NRML", "MTF":
		default:
			return nil, inputErr("Invalid `product` in order %d: use CNC, MIS, NRML or MTF.", i+1)
		}
		if o.Quantity <= 0 || int64(o.Quantity)%max(in.LotSize, 1) != 0 {
			return nil, inputErr("Invalid `quantity` in order %d: a positive multiple of the lot size %d.", i+1, in.LotSize)
		}
		if !(o.Price > 0) || !onTick(o.Price, in) {
			return nil, inputErr("Invalid `price` in order %d: a positive multiple of the tick size %v.", i+1, float64(in.TickSize)/div)
		}
		if math.Abs(o.Price-tv) > tv*MaxLimitDistance+1e-9 {
			return nil, inputErr("The limit price %v of order %d is too far from its trigger value %v: keep it within %.0f%%.", o.Price, i+1, tv, MaxLimitDistance*100)
		}
		o.Result = nil
		t.pub.Orders = append(t.pub.Orders, o)
	}
	t.pub.Type = p.Type
	t.pub.Condition = Condition{
		Exchange: in.Exchange, Tradingsymbol: in.Tradingsymbol, LastPrice: c.LastPrice,
		TriggerValues: slices.Clone(c.TriggerValues), InstrumentToken: in.Token,
	}
	return t, nil
}

func onTick(v float64, in market.Instrument) bool {
	u := v * float64(in.Divisor())
	r := math.Round(u)
	if math.Abs(u-r) > 1e-4 {
		return false
	}
	return in.TickSize <= 0 || int64(r)%in.TickSize == 0
}
