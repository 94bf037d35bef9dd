package paper

import (
	"time"

	"github.com/kitecli/kite/pkg/sandbox/market"
)

// Snapshot is an account's whole state (orders with their histories,
// trades, positions, holdings and the ID counters), in a form that survives
// JSON. Margins are not in it: they follow from the rest. The sandbox saves
// one between runs so that a paper account outlives its process.
type Snapshot struct {
	Orders    []OrderState    `json:"orders"`
	Trades    []Trade         `json:"trades"`
	Positions []PositionState `json:"positions"`
	Holdings  []HoldingState  `json:"holdings"`
	Seq       int64           `json:"seq"`
	TradeSeq  int64           `json:"trade_seq"`
}

// OrderState is one order as the engine keeps it: what Kite shows and the
// engine's own bookkeeping. Prices are in the instrument's integer units.
type OrderState struct {
	Order      Order             `json:"order"`
	History    []Order           `json:"history"`
	Instrument market.Instrument `json:"instrument"`
	Sign       int64             `json:"sign"`
	Qty        int64             `json:"qty"`
	Price      int64             `json:"price"`
	Trigger    int64             `json:"trigger"`
	Placed     time.Time         `json:"placed"`
	Blocked    float64           `json:"blocked"`
	Bucket     uint8             `json:"bucket"`
	Triggered  bool              `json:"triggered"`
	Held       bool              `json:"held"`
	Resting    bool              `json:"resting"`
}

// PositionState is the day's fills of one instrument and product (values
// in rupees including the multiplier).
type PositionState struct {
	Instrument market.Instrument `json:"instrument"`
	Product    string            `json:"product"`
	BuyQty     int64             `json:"buy_qty"`
	SellQty    int64             `json:"sell_qty"`
	BuyVal     float64           `json:"buy_val"`
	SellVal    float64           `json:"sell_val"`
}

// HoldingState is one holding: settled, T1 and used quantities and the
// average price in rupees.
type HoldingState struct {
	Instrument market.Instrument `json:"instrument"`
	Qty        int64             `json:"qty"`
	T1         int64             `json:"t1"`
	Used       int64             `json:"used"`
	Avg        float64           `json:"avg"`
	Seeded     bool              `json:"seeded"`
}

// Snapshot returns a copy of the account's state.
func (e *Engine) Snapshot() Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := Snapshot{Trades: append([]Trade{}, e.trades...), Seq: e.seq, TradeSeq: e.tradeSeq}
	for _, o := range e.orders {
		s.Orders = append(s.Orders, OrderState{
			Order: o.pub, History: append([]Order{}, o.history...), Instrument: o.in,
			Sign: o.sign, Qty: o.qty, Price: o.price, Trigger: o.trigger, Placed: o.placed,
			Blocked: o.blocked, Bucket: uint8(o.bucket), Triggered: o.triggered, Held: o.held, Resting: o.resting,
		})
	}
	for _, k := range e.posOrder {
		p := e.positions[k]
		s.Positions = append(s.Positions, PositionState{
			Instrument: p.in, Product: p.product,
			BuyQty: p.buyQty, SellQty: p.sellQty, BuyVal: p.buyVal, SellVal: p.sellVal,
		})
	}
	for _, h := range e.holdings {
		s.Holdings = append(s.Holdings, HoldingState{Instrument: h.in, Qty: h.qty, T1: h.t1, Used: h.used, Avg: h.avg, Seeded: h.seeded})
	}
	return s
}

// Restore replaces the account's state with s (from Snapshot). Subscribers
// are not told: nothing changed as far as the account's history goes.
// Instruments are looked up again by token, so a restored order follows
// the market's current instrument; one no longer listed keeps its saved
// description.
func (e *Engine) Restore(s Snapshot) {
	inst := func(in market.Instrument) market.Instrument {
		if cur, ok := e.m.ByToken(in.Token); ok {
			return cur
		}
		return in
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.orders, e.open, e.byID = nil, nil, map[string]*order{}
	for _, st := range s.Orders {
		o := &order{
			pub: st.Order, history: append([]Order(nil), st.History...), in: inst(st.Instrument),
			sign: st.Sign, qty: st.Qty, price: st.Price, trigger: st.Trigger, placed: st.Placed,
			blocked: st.Blocked, bucket: bucket(st.Bucket), triggered: st.Triggered, held: st.Held, resting: st.Resting,
		}
		e.orders = append(e.orders, o)
		e.byID[o.pub.OrderID] = o
		if o.live() {
			e.open = append(e.open, o)
		}
	}
	e.trades = append([]Trade(nil), s.Trades...)
	e.positions, e.posOrder = map[posKey]*position{}, nil
	for _, p := range s.Positions {
		in := inst(p.Instrument)
		k := posKey{in.Token, p.Product}
		e.positions[k] = &position{in: in, product: p.Product, buyQty: p.BuyQty, sellQty: p.SellQty, buyVal: p.BuyVal, sellVal: p.SellVal}
		e.posOrder = append(e.posOrder, k)
	}
	e.holdings = nil
	for _, h := range s.Holdings {
		e.holdings = append(e.holdings, &holding{in: inst(h.Instrument), qty: h.Qty, t1: h.T1, used: h.Used, avg: h.Avg, seeded: h.Seeded})
	}
	e.seq, e.tradeSeq = s.Seq, s.TradeSeq
}
