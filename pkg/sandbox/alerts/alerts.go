// Package alerts is the sandbox's book of price alerts, Kite Connect's
// /alerts API: a condition on an instrument's attribute (the last price,
// the day's open, high, low or close, the day's change) against a constant
// or another instrument's attribute. A simple alert only records that it
// fired; an ATO (alert-triggers-order) alert also places its basket of
// orders through the paper engine. An alert is disabled once it fires and
// every firing is kept in its history.
//
// Like the paper engine it is pure: the server calls Create, Modify,
// Delete and the readers from its handlers, and Step after every market
// step.
package alerts

import (
	"crypto/rand"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/kitecli/kite/pkg/sandbox/apierr"
	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/sandbox/paper"
	"github.com/kitecli/kite/pkg/ticks"
)

// Types, statuses and limits, as Kite documents them
// (kite.trade/docs/connect/v3/alerts).
const (
	TypeSimple = "simple"
	TypeATO    = "ato"

	StatusEnabled  = "enabled"
	StatusDisabled = "disabled"
	StatusDeleted  = "deleted"

	// MaxActive: "The maximum number of active alerts allowed per user is
	// 500."
	MaxActive = 500
	// MaxBasketItems bounds an ATO basket: a sandbox limit (Kite does not
	// document one for alerts; its baskets hold 50 orders).
	MaxBasketItems = 50
)

// Alert is one alert with Kite's JSON field names.
type Alert struct {
	Type             string          `json:"type"`
	UserID           string          `json:"user_id"`
	UUID             string          `json:"uuid"`
	Name             string          `json:"name"`
	Status           string          `json:"status"`
	DisabledReason   string          `json:"disabled_reason"`
	Basket           *Basket         `json:"basket,omitempty"`
	LHSAttribute     string          `json:"lhs_attribute"`
	LHSExchange      string          `json:"lhs_exchange"`
	LHSTradingsymbol string          `json:"lhs_tradingsymbol"`
	Operator         string          `json:"operator"`
	RHSType          string          `json:"rhs_type"`
	RHSAttribute     string          `json:"rhs_attribute"`
	RHSExchange      string          `json:"rhs_exchange"`
	RHSTradingsymbol string          `json:"rhs_tradingsymbol"`
	RHSConstant      float64         `json:"rhs_constant"`
	AlertCount       int             `json:"alert_count"`
	CreatedAt        paper.Timestamp `json:"created_at"`
	UpdatedAt        paper.Timestamp `json:"updated_at"`
}

// Basket is an ATO alert's orders.
type Basket struct {
	Items []Item `json:"items"`
}

// Item is one order of a basket.
type Item struct {
	ID              int         `json:"id"`
	Tradingsymbol   string      `json:"tradingsymbol"`
	Exchange        string      `json:"exchange"`
	InstrumentToken uint32      `json:"instrument_token"`
	Weight          int         `json:"weight"`
	Params          OrderParams `json:"params"`
}

// OrderParams are an item's order fields.
type OrderParams struct {
	Validity          string   `json:"validity"`
	ValidityTTL       int      `json:"validity_ttl"`
	Variety           string   `json:"variety"`
	Product           string   `json:"product"`
	OrderType         string   `json:"order_type"`
	TransactionType   string   `json:"transaction_type"`
	Quantity          int      `json:"quantity"`
	DisclosedQuantity int      `json:"disclosed_quantity"`
	Price             float64  `json:"price"`
	TriggerPrice      float64  `json:"trigger_price"`
	Squareoff         float64  `json:"squareoff"`
	Stoploss          float64  `json:"stoploss"`
	TrailingStoploss  float64  `json:"trailing_stoploss"`
	GTT               GTT      `json:"gtt"`
	Tags              []string `json:"tags"`
	MarketProtection  float64  `json:"market_protection"`
}

// GTT is the target and stop-loss Kite can attach to a basket order (the
// sandbox keeps them and places none).
type GTT struct {
	Target   float64 `json:"target"`
	Stoploss float64 `json:"stoploss"`
}

// History is one firing of an alert.
type History struct {
	UUID      string          `json:"uuid"`
	Type      string          `json:"type"`
	Meta      []Quote         `json:"meta"`
	Condition string          `json:"condition"`
	CreatedAt paper.Timestamp `json:"created_at"`
	OrderMeta []OrderResult   `json:"order_meta"`
}

// OrderResult is what placing one basket item did.
type OrderResult struct {
	ItemID        int    `json:"item_id"`
	Exchange      string `json:"exchange"`
	Tradingsymbol string `json:"tradingsymbol"`
	Status        string `json:"status"` // success or failed
	OrderID       string `json:"order_id"`
	Error         string `json:"error"`
}

// Quote is an instrument's market data when the alert fired.
type Quote struct {
	InstrumentToken   uint32          `json:"instrument_token"`
	Tradingsymbol     string          `json:"tradingsymbol"`
	Timestamp         paper.Timestamp `json:"timestamp"`
	LastPrice         float64         `json:"last_price"`
	OHLC              OHLC            `json:"ohlc"`
	NetChange         float64         `json:"net_change"`
	Exchange          string          `json:"exchange"`
	LastTradeTime     paper.Timestamp `json:"last_trade_time"`
	LastQuantity      uint32          `json:"last_quantity"`
	BuyQuantity       uint32          `json:"buy_quantity"`
	SellQuantity      uint32          `json:"sell_quantity"`
	Volume            uint32          `json:"volume"`
	VolumeTick        uint32          `json:"volume_tick"`
	AveragePrice      float64         `json:"average_price"`
	OI                uint32          `json:"oi"`
	OIDayHigh         uint32          `json:"oi_day_high"`
	OIDayLow          uint32          `json:"oi_day_low"`
	LowerCircuitLimit float64         `json:"lower_circuit_limit"`
	UpperCircuitLimit float64         `json:"upper_circuit_limit"`
}

// OHLC is the day's open, high, low and previous close.
type OHLC struct {
	Open  float64 `json:"open"`
	High  float64 `json:"high"`
	Low   float64 `json:"low"`
	Close float64 `json:"close"`
}

// alert is the book's record.
type alert struct {
	pub     Alert
	lhs     market.Instrument
	rhs     market.Instrument // set when rhs_type is instrument
	history []History
}

// Book is one user's alerts. It is safe for concurrent use.
type Book struct {
	m      *market.Market
	eng    *paper.Engine
	userID string

	mu      sync.Mutex
	list    []*alert
	byUUID  map[string]*alert
	itemSeq int
}

// New opens an empty book whose ATO orders go to eng.
func New(m *market.Market, eng *paper.Engine, userID string) *Book {
	return &Book{m: m, eng: eng, userID: userID, byUUID: map[string]*alert{}, itemSeq: 275000000}
}

func inputErr(format string, args ...any) error { return paper.InputError(format, args...) }

// MsgNotFound is the answer for a UUID the book does not have.
const MsgNotFound = "Invalid alert UUID: no such alert."

// newUUID is a random (version 4) UUID, as Kite's alert IDs are.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Create validates and adds an alert.
func (b *Book) Create(p Params) (Alert, error) {
	now := b.m.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	enabled := 0
	for _, a := range b.list {
		if a.pub.Status == StatusEnabled {
			enabled++
		}
	}
	if enabled >= MaxActive {
		return Alert{}, inputErr("You can have at most %d active alerts. Delete one before creating another.", MaxActive)
	}
	a, err := b.check(p)
	if err != nil {
		return Alert{}, err
	}
	a.pub.UUID = newUUID()
	a.pub.UserID = b.userID
	a.pub.Status = StatusEnabled
	a.pub.CreatedAt, a.pub.UpdatedAt = paper.Timestamp{Time: now}, paper.Timestamp{Time: now}
	b.list = append(b.list, a)
	b.byUUID[a.pub.UUID] = a
	return a.pub.clone(), nil
}

// Modify replaces an alert's definition and enables it again (a fired
// alert is re-armed by editing it, as on Kite).
func (b *Book) Modify(uuid string, p Params) (Alert, error) {
	now := b.m.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	old, ok := b.byUUID[uuid]
	if !ok || old.pub.Status == StatusDeleted {
		return Alert{}, inputErr(MsgNotFound)
	}
	a, err := b.check(p)
	if err != nil {
		return Alert{}, err
	}
	a.pub.UUID, a.pub.UserID, a.pub.AlertCount, a.pub.CreatedAt = old.pub.UUID, old.pub.UserID, old.pub.AlertCount, old.pub.CreatedAt
	a.pub.Status = StatusEnabled
	a.pub.UpdatedAt = paper.Timestamp{Time: now}
	a.history = old.history
	*old = *a
	return old.pub.clone(), nil
}

// Delete soft-deletes alerts: all of them or, if one UUID is unknown,
// none.
func (b *Book) Delete(uuids []string) error {
	now := b.m.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(uuids) == 0 {
		return inputErr("Missing `uuid`: give the UUID of each alert to delete.")
	}
	for _, u := range uuids {
		if a, ok := b.byUUID[u]; !ok || a.pub.Status == StatusDeleted {
			return inputErr("%s (%s)", MsgNotFound, u)
		}
	}
	for _, u := range uuids {
		a := b.byUUID[u]
		a.pub.Status = StatusDeleted
		a.pub.UpdatedAt = paper.Timestamp{Time: now}
	}
	return nil
}

// Get is one alert, deleted ones included.
func (b *Book) Get(uuid string) (Alert, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	a, ok := b.byUUID[uuid]
	if !ok {
		return Alert{}, inputErr(MsgNotFound)
	}
	return a.pub.clone(), nil
}

// List is the alerts with the given status, or every one not deleted when
// status is "", oldest first.
func (b *Book) List(status string) ([]Alert, error) {
	switch status {
	case "", StatusEnabled, StatusDisabled, StatusDeleted:
	default:
		return nil, inputErr("Invalid `status`: use enabled, disabled or deleted.")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	out := []Alert{}
	for _, a := range b.list {
		if (status == "" && a.pub.Status != StatusDeleted) || a.pub.Status == status {
			out = append(out, a.pub.clone())
		}
	}
	return out, nil
}

// History is every firing of an alert, oldest first.
func (b *Book) History(uuid string) ([]History, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	a, ok := b.byUUID[uuid]
	if !ok {
		return nil, inputErr(MsgNotFound)
	}
	out := make([]History, len(a.history))
	copy(out, a.history)
	return out, nil
}

func (a Alert) clone() Alert {
	if a.Basket != nil {
		items := make([]Item, len(a.Basket.Items))
		copy(items, a.Basket.Items)
		for i := range items {
			items[i].Params.Tags = append([]string{}, items[i].Params.Tags...)
		}
		a.Basket = &Basket{Items: items}
	}
	return a
}

// Step evaluates every enabled alert at the market's current prices: one
// whose condition holds fires (its count goes up, its history gets the
// quotes and, for ATO, the orders placed) and is disabled.
func (b *Book) Step(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, a := range b.list {
		if a.pub.Status != StatusEnabled || !b.m.Open(a.lhs.Token) {
			continue
		}
		lhs, ok := b.value(a.lhs, a.pub.LHSAttribute)
		if !ok {
			continue
		}
		rhs := a.pub.RHSConstant
		if a.pub.RHSType == "instrument" {
			if rhs, ok = b.value(a.rhs, a.pub.RHSAttribute); !ok {
				continue
			}
		}
		if !compare(lhs, a.pub.Operator, rhs) {
			continue
		}
		b.fire(a, lhs, rhs, now)
	}
}

func (b *Book) fire(a *alert, lhs, rhs float64, now time.Time) {
	h := History{UUID: a.pub.UUID, Type: a.pub.Type, CreatedAt: paper.Timestamp{Time: now}, Meta: []Quote{b.quote(a.lhs, now)}}
	h.Condition = fmt.Sprintf("%s(%q) %s %s", a.pub.LHSAttribute, a.pub.LHSExchange+":"+a.pub.LHSTradingsymbol, a.pub.Operator, strconv.FormatFloat(rhs, 'f', -1, 64))
	if a.pub.RHSType == "instrument" {
		h.Condition = fmt.Sprintf("%s(%q) %s %s(%q)", a.pub.LHSAttribute, a.pub.LHSExchange+":"+a.pub.LHSTradingsymbol, a.pub.Operator,
			a.pub.RHSAttribute, a.pub.RHSExchange+":"+a.pub.RHSTradingsymbol)
		h.Meta = append(h.Meta, b.quote(a.rhs, now))
	}
	if a.pub.Type == TypeATO && a.pub.Basket != nil {
		for _, it := range a.pub.Basket.Items {
			p := it.Params
			tag := ""
			if len(p.Tags) > 0 {
				tag = p.Tags[0] // the order's tag, as a basket order's first tag becomes on Kite
			}
			id, err := b.eng.Place(paper.PlaceParams{Tag: tag,
				Variety: p.Variety, Exchange: it.Exchange, Tradingsymbol: it.Tradingsymbol,
				TransactionType: p.TransactionType, Quantity: p.Quantity, Product: p.Product,
				OrderType: p.OrderType, Price: p.Price, TriggerPrice: p.TriggerPrice, Validity: p.Validity,
				ValidityTTL: p.ValidityTTL, DisclosedQuantity: p.DisclosedQuantity, MarketProtection: p.MarketProtection,
			})
			r := OrderResult{ItemID: it.ID, Exchange: it.Exchange, Tradingsymbol: it.Tradingsymbol, Status: "success", OrderID: id}
			if err != nil {
				r.Status, r.Error = "failed", apierr.Message(err)
			} else if reason, rejected := b.eng.Rejected(id); rejected {
				// Placed but rejected by the risk checks: it failed, for
				// the RMS's reason; the order stays in the book.
				r.Status, r.Error = "failed", reason
			}
			h.OrderMeta = append(h.OrderMeta, r)
		}
	}
	a.history = append(a.history, h)
	a.pub.AlertCount++
	a.pub.Status = StatusDisabled
	a.pub.UpdatedAt = paper.Timestamp{Time: now}
}

func compare(l float64, op string, r float64) bool {
	switch op {
	case "<=":
		return l <= r
	case ">=":
		return l >= r
	case "<":
		return l < r
	case ">":
		return l > r
	case "==":
		return math.Abs(l-r) < 1e-9
	}
	return false
}

// Attributes are the instrument attributes an alert can watch.
func Attributes() []string {
	return []string{"LastTradedPrice", "OpenPrice", "HighPrice", "LowPrice", "ClosePrice", "DayChange", "DayChangePercent"}
}

// value is an attribute of an instrument at the market's current state.
func (b *Book) value(in market.Instrument, attr string) (float64, bool) {
	t, ok := b.m.Tick(in.Token, ticks.ModeFull)
	if !ok {
		return 0, false
	}
	r := func(v int32) float64 { return in.Rupees(int64(v)) }
	switch attr {
	case "LastTradedPrice":
		return r(t.LastPrice), true
	case "OpenPrice":
		return r(t.Open), true
	case "HighPrice":
		return r(t.High), true
	case "LowPrice":
		return r(t.Low), true
	case "ClosePrice":
		return r(t.Close), true
	case "DayChange":
		return math.Round((r(t.LastPrice)-r(t.Close))*100) / 100, true
	case "DayChangePercent":
		if t.Close == 0 {
			return 0, false
		}
		return math.Round((r(t.LastPrice)-r(t.Close))/r(t.Close)*10000) / 100, true
	}
	return 0, false
}

func (b *Book) quote(in market.Instrument, now time.Time) Quote {
	t, _ := b.m.Tick(in.Token, ticks.ModeFull)
	r := func(v int32) float64 { return in.Rupees(int64(v)) }
	q := Quote{
		InstrumentToken: in.Token, Tradingsymbol: in.Tradingsymbol, Timestamp: paper.Timestamp{Time: now},
		LastPrice: r(t.LastPrice), OHLC: OHLC{r(t.Open), r(t.High), r(t.Low), r(t.Close)},
		NetChange: math.Round((r(t.LastPrice)-r(t.Close))*100) / 100, Exchange: in.Exchange,
		LastQuantity: t.LastTradedQuantity, BuyQuantity: t.TotalBuyQuantity, SellQuantity: t.TotalSellQuantity,
		Volume: t.VolumeTraded, AveragePrice: r(t.AverageTradedPrice), OI: t.OI, OIDayHigh: t.OIDayHigh, OIDayLow: t.OIDayLow,
	}
	if in.IsIndex() {
		q.Exchange = "INDICES"
	}
	if t.LastTradeTime > 0 {
		q.LastTradeTime = paper.Timestamp{Time: time.Unix(int64(t.LastTradeTime), 0)}
	}
	if lo, hi, ok := b.m.Circuit(in.Token); ok {
		q.LowerCircuitLimit, q.UpperCircuitLimit = in.Rupees(lo), in.Rupees(hi)
	}
	return q
}
