package paper_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/kitespec"
	"github.com/kitecli/kite/pkg/sandbox/apierr"
	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/sandbox/paper"
	"github.com/kitecli/kite/pkg/ticks"
)

var start = time.Date(2026, 11, 20, 11, 0, 0, 0, market.IST)

type world struct {
	t   *testing.T
	m   *market.Market
	e   *paper.Engine
	now time.Time
}

func newWorld(t *testing.T, opts paper.Options) *world {
	t.Helper()
	m := market.New(1, market.Universe(start), start)
	if opts.UserID == "" {
		opts.UserID = "SB0001"
	}
	return &world{t: t, m: m, e: paper.New(m, opts), now: start}
}

// step moves the market one second and lets the engine match.
func (w *world) step() {
	w.now = w.now.Add(time.Second)
	w.m.Step(w.now)
	w.e.Match(w.now)
}

func (w *world) inst(exchange, symbol string) market.Instrument {
	w.t.Helper()
	in, ok := w.m.Lookup(exchange, symbol)
	if !ok {
		w.t.Fatalf("%s:%s not in the universe", exchange, symbol)
	}
	return in
}

// ltp is the last price in segment units.
func (w *world) ltp(in market.Instrument) int64 {
	tk, _ := w.m.Tick(in.Token, ticks.ModeLTP)
	return int64(tk.LastPrice)
}

func rupees(in market.Instrument, v int64) float64 { return float64(v) / float64(in.Divisor()) }

func (w *world) place(p paper.PlaceParams) string {
	w.t.Helper()
	id, err := w.e.Place(p)
	if err != nil {
		w.t.Fatalf("Place(%+v): %v", p, err)
	}
	return id
}

func (w *world) order(id string) paper.Order {
	w.t.Helper()
	for _, o := range w.e.Orders() {
		if o.OrderID == id {
			return o
		}
	}
	w.t.Fatalf("order %s not in the order book", id)
	return paper.Order{}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6*math.Max(1, math.Abs(b)) }

func statuses(h []paper.Order) string {
	var s []string
	for _, o := range h {
		s = append(s, o.Status)
	}
	return strings.Join(s, " > ")
}

func TestMarketOrderFillsAtOnce(t *testing.T) {
	w := newWorld(t, paper.Options{})
	infy := w.inst("NSE", "INFY")
	ltp := w.ltp(infy)
	id := w.place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 10, Product: "CNC", OrderType: "MARKET", Tag: "t1", MarketProtection: -1})
	o := w.order(id)
	if o.Status != "COMPLETE" || o.FilledQuantity != 10 || o.PendingQuantity != 0 || o.AveragePrice != rupees(infy, ltp) {
		t.Fatalf("order = %+v, want COMPLETE 10 @ %v", o, rupees(infy, ltp))
	}
	if o.InstrumentToken != 408065 || o.Variety != "regular" || o.Validity != "DAY" || *o.Tag != "t1" || o.Tags[0] != "t1" || o.PlacedBy != "SB0001" {
		t.Errorf("order fields = %+v", o)
	}
	h, err := w.e.OrderHistory(id)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(h); got != "PUT ORDER REQ RECEIVED > VALIDATION PENDING > OPEN PENDING > OPEN > COMPLETE" {
		t.Errorf("history = %s", got)
	}
	trades, _ := w.e.OrderTrades(id)
	if len(trades) != 1 || trades[0].Quantity != 10 || trades[0].AveragePrice != rupees(infy, ltp) || trades[0].TransactionType != "BUY" ||
		trades[0].OrderTimestamp != "11:00:00" || trades[0].ExchangeOrderID != *o.ExchangeOrderID {
		t.Errorf("trades = %+v", trades)
	}
	if all := w.e.Trades(); len(all) != 1 {
		t.Errorf("trade book has %d trades", len(all))
	}

	// CNC: a delivery debit of the full value, and a T1 holding.
	value := 10 * rupees(infy, ltp)
	mg := w.e.Margins()
	if !near(mg.Equity.Utilised.Delivery, value) || !near(mg.Equity.Net, paper.DefaultCash-value) || mg.Commodity.Net != paper.DefaultCash {
		t.Errorf("margins after a %v CNC buy: %+v", value, mg)
	}
	hs := w.e.Holdings()
	if len(hs) != 1 || hs[0].T1Quantity != 10 || hs[0].Quantity != 0 || hs[0].AveragePrice != rupees(infy, ltp) || hs[0].Product != "CNC" {
		t.Errorf("holdings = %+v", hs)
	}
	pos := w.e.Positions()
	if len(pos.Net) != 1 || len(pos.Day) != 1 || pos.Net[0].Quantity != 10 || pos.Net[0].BuyQuantity != 10 || !near(pos.Net[0].BuyValue, value) ||
		!near(pos.Net[0].Value, -value) || pos.Net[0].AveragePrice != rupees(infy, ltp) || pos.Net[0].PnL != 0 {
		t.Errorf("positions = %+v", pos)
	}
}

// A resting LIMIT order stays OPEN until the walk crosses its price, then
// fills at that price.
func TestLimitFillsWhenTheWalkCrosses(t *testing.T) {
	for _, side := range []string{"BUY", "SELL"} {
		t.Run(side, func(t *testing.T) {
			w := newWorld(t, paper.Options{})
			infy := w.inst("NSE", "INFY")
			ltp := w.ltp(infy)
			limit := ltp - 4*infy.TickSize
			if side == "SELL" {
				limit = ltp + 4*infy.TickSize
			}
			id := w.place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: side, Quantity: 5, Product: "MIS", OrderType: "LIMIT", Price: rupees(infy, limit)})
			if o := w.order(id); o.Status != "OPEN" {
				t.Fatalf("status %s, want OPEN", o.Status)
			}
			// The open order blocks 20% of its value.
			blocked := 0.2 * 5 * rupees(infy, limit)
			if mg := w.e.Margins(); !near(mg.Equity.Utilised.Exposure, blocked) || !near(mg.Equity.Net, paper.DefaultCash-blocked) {
				t.Errorf("margins with the order open: %+v, want exposure %v", mg.Equity, blocked)
			}
			for i := 0; ; i++ {
				if i == 100000 {
					t.Fatal("the walk never crossed the limit")
				}
				w.step()
				p := w.ltp(infy)
				crossed := (side == "BUY" && p <= limit) || (side == "SELL" && p >= limit)
				o := w.order(id)
				if !crossed {
					if o.Status != "OPEN" {
						t.Fatalf("step %d: price %d has not crossed %d but the order is %s", i, p, limit, o.Status)
					}
					continue
				}
				if o.Status != "COMPLETE" || o.AveragePrice != rupees(infy, limit) || o.FilledQuantity != 5 {
					t.Fatalf("crossed at %d: order %+v, want COMPLETE at the limit %v", p, o, rupees(infy, limit))
				}
				break
			}
			pos := w.e.Positions().Net[0]
			want := 5
			if side == "SELL" {
				want = -5
			}
			if pos.Quantity != want || pos.AveragePrice != rupees(infy, limit) || pos.Product != "MIS" {
				t.Errorf("position = %+v", pos)
			}
		})
	}
}

// A marketable LIMIT fills at once at the last price, not its limit.
func TestMarketableLimitGetsTheLastPrice(t *testing.T) {
	w := newWorld(t, paper.Options{})
	infy := w.inst("NSE", "INFY")
	ltp := w.ltp(infy)
	id := w.place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 1, Product: "CNC", OrderType: "LIMIT", Price: rupees(infy, ltp+10*infy.TickSize)})
	if o := w.order(id); o.Status != "COMPLETE" || o.AveragePrice != rupees(infy, ltp) {
		t.Errorf("order = %s @ %v, want COMPLETE @ %v", o.Status, o.AveragePrice, rupees(infy, ltp))
	}
}

func TestStopLossTriggers(t *testing.T) {
	t.Run("SL buy", func(t *testing.T) {
		w := newWorld(t, paper.Options{})
		in := w.inst("NSE", "RELIANCE")
		ltp := w.ltp(in)
		trigger, limit := ltp+3*in.TickSize, ltp+200*in.TickSize
		id := w.place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "RELIANCE", TransactionType: "BUY", Quantity: 2, Product: "MIS",
			OrderType: "SL", Price: rupees(in, limit), TriggerPrice: rupees(in, trigger)})
		if o := w.order(id); o.Status != "TRIGGER PENDING" || o.TriggerPrice != rupees(in, trigger) {
			t.Fatalf("order = %+v", o)
		}
		for i := 0; ; i++ {
			if i == 100000 {
				t.Fatal("never triggered")
			}
			w.step()
			p := w.ltp(in)
			o := w.order(id)
			if p < trigger {
				if o.Status != "TRIGGER PENDING" {
					t.Fatalf("price %d below trigger %d, status %s", p, trigger, o.Status)
				}
				continue
			}
			// Triggered into a LIMIT the price is inside: filled at the price.
			if o.Status != "COMPLETE" || o.AveragePrice != rupees(in, p) {
				t.Fatalf("price %d reached trigger %d: order %+v", p, trigger, o)
			}
			break
		}
		h, _ := w.e.OrderHistory(id)
		if got := statuses(h); !strings.HasSuffix(got, "TRIGGER PENDING > OPEN > COMPLETE") {
			t.Errorf("history = %s", got)
		}
	})
	t.Run("SL-M sell", func(t *testing.T) {
		w := newWorld(t, paper.Options{})
		in := w.inst("NSE", "TCS")
		ltp := w.ltp(in)
		trigger := ltp - 3*in.TickSize
		var updates []string
		w.e.Subscribe(func(o paper.Order) { updates = append(updates, o.Status) })
		id := w.place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "TCS", TransactionType: "SELL", Quantity: 1, Product: "MIS",
			OrderType: "SL-M", TriggerPrice: rupees(in, trigger), MarketProtection: -1})
		for i := 0; ; i++ {
			if i == 100000 {
				t.Fatal("never triggered")
			}
			w.step()
			p := w.ltp(in)
			o := w.order(id)
			if p > trigger {
				if o.Status != "TRIGGER PENDING" {
					t.Fatalf("price %d above trigger %d, status %s", p, trigger, o.Status)
				}
				continue
			}
			if o.Status != "COMPLETE" || o.AveragePrice != rupees(in, p) {
				t.Fatalf("price %d reached trigger %d: order %+v, want filled at the market", p, trigger, o)
			}
			break
		}
		if got := strings.Join(updates, ","); got != "TRIGGER PENDING,COMPLETE" {
			t.Errorf("order updates %s", got)
		}
	})
}

func TestValidationErrors(t *testing.T) {
	w := newWorld(t, paper.Options{})
	infy := w.inst("NSE", "INFY")
	ltp := rupees(infy, w.ltp(infy))
	base := paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 1, Product: "CNC", OrderType: "MARKET", MarketProtection: -1}
	with := func(f func(p *paper.PlaceParams)) paper.PlaceParams {
		p := base
		f(&p)
		return p
	}
	for _, c := range []struct {
		name string
		p    paper.PlaceParams
		want string
	}{
		{"zero quantity", with(func(p *paper.PlaceParams) { p.Quantity = 0 }), "Invalid `quantity`"},
		{"negative quantity", with(func(p *paper.PlaceParams) { p.Quantity = -3 }), "Invalid `quantity`"},
		{"LIMIT without price", with(func(p *paper.PlaceParams) { p.OrderType = "LIMIT" }), "needs a price"},
		{"SL without trigger", with(func(p *paper.PlaceParams) { p.OrderType = "SL"; p.Price = ltp }), "needs a trigger price"},
		{"SL-M without trigger", with(func(p *paper.PlaceParams) { p.OrderType = "SL-M" }), "needs a trigger price"},
		{"price off tick", with(func(p *paper.PlaceParams) { p.OrderType = "LIMIT"; p.Price = 1500.03 }), "Tick size for this script is 0.05"},
		{"price below a paisa", with(func(p *paper.PlaceParams) { p.OrderType = "LIMIT"; p.Price = 1500.001 }), "multiples of the tick size"},
		{"unknown instrument", with(func(p *paper.PlaceParams) { p.Tradingsymbol = "NOSUCH" }), "NSE:NOSUCH is not an instrument"},
		{"index", with(func(p *paper.PlaceParams) { p.Tradingsymbol = "NIFTY 50" }), "is an index"},
		{"MARKET without market protection", with(func(p *paper.PlaceParams) { p.MarketProtection = 0 }),
			"Market orders without market protection are not allowed via API. Please set market protection or use a Limit order."},
		{"market protection over 100", with(func(p *paper.PlaceParams) { p.MarketProtection = 101 }), "Invalid `market_protection`"},
		{"bad side", with(func(p *paper.PlaceParams) { p.TransactionType = "HOLD" }), "Invalid `transaction_type`"},
		{"bad order type", with(func(p *paper.PlaceParams) { p.OrderType = "STOP" }), "Invalid `order_type`"},
		{"bad product", with(func(p *paper.PlaceParams) { p.Product = "BO" }), "Invalid `product`"},
		{"NRML for equity", with(func(p *paper.PlaceParams) { p.Product = "NRML" }), "NRML is only for F&O"},
		{"CNC for futures", with(func(p *paper.PlaceParams) { p.Exchange = "NFO"; p.Tradingsymbol = "NIFTY26NOVFUT"; p.Quantity = 75 }), "CNC is only for equity"},
		{"lot size", with(func(p *paper.PlaceParams) {
			p.Exchange = "NFO"
			p.Tradingsymbol = "NIFTY26NOVFUT"
			p.Product = "NRML"
			p.Quantity = 50
		}), "multiple of the lot size (75)"},
		{"bad validity", with(func(p *paper.PlaceParams) { p.Validity = "GTC" }), "Invalid `validity`"},
		{"TTL without minutes", with(func(p *paper.PlaceParams) { p.OrderType = "LIMIT"; p.Price = ltp; p.Validity = "TTL" }), "validity_ttl"},
		{"disclosed above quantity", with(func(p *paper.PlaceParams) { p.DisclosedQuantity = 5 }), "disclosed_quantity"},
		{"bad variety", with(func(p *paper.PlaceParams) { p.Variety = "bracket" }), "Invalid `variety`"},
		{"iceberg legs", with(func(p *paper.PlaceParams) {
			p.Variety = "iceberg"
			p.OrderType = "LIMIT"
			p.Price = ltp
			p.IcebergLegs = 1
		}), "iceberg_legs"},
		{"SL buy trigger below the market", with(func(p *paper.PlaceParams) {
			p.OrderType = "SL"
			p.Price = ltp
			p.TriggerPrice = ltp - 1
		}), "should be higher than the last traded price"},
		{"long tag", with(func(p *paper.PlaceParams) { p.Tag = strings.Repeat("x", 21) }), "Invalid `tag`"},
		{"market protection", with(func(p *paper.PlaceParams) { p.MarketProtection = 101 }), "Invalid `market_protection`"},
	} {
		_, err := w.e.Place(c.p)
		var ke *apierr.Error
		if !errors.As(err, &ke) || ke.ErrorType != kitespec.InputException || ke.Status != 400 || !strings.Contains(ke.Message, c.want) {
			t.Errorf("%s: error %v, want an InputException containing %q", c.name, err, c.want)
		}
	}
	if n := len(w.e.Orders()); n != 0 {
		t.Errorf("invalid orders reached the order book: %d", n)
	}
}

func TestInsufficientFundsRejects(t *testing.T) {
	w := newWorld(t, paper.Options{Cash: 1000})
	infy := w.inst("NSE", "INFY")
	ltp := w.ltp(infy)
	var updates []paper.Order
	w.e.Subscribe(func(o paper.Order) { updates = append(updates, o) })
	id, err := w.e.Place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 10, Product: "CNC", OrderType: "MARKET", MarketProtection: -1})
	if err != nil {
		t.Fatalf("a margin shortfall is an order status, not an error: %v", err)
	}
	o := w.order(id)
	need := fmt.Sprintf("%.2f", 10*rupees(infy, ltp))
	want := "Insufficient funds. Required margin is " + need + " but available margin is 1000.00. Check the orderbook for open orders."
	if o.Status != "REJECTED" || o.StatusMessage == nil || *o.StatusMessage != want || o.ExchangeOrderID != nil {
		t.Fatalf("order = %s %v, want REJECTED %q", o.Status, o.StatusMessage, want)
	}
	if !strings.HasPrefix(*o.StatusMessageRaw, "RMS:Margin Exceeds,Required:"+need+", Available:1000.00") {
		t.Errorf("raw message %q", *o.StatusMessageRaw)
	}
	h, _ := w.e.OrderHistory(id)
	if got := statuses(h); got != "PUT ORDER REQ RECEIVED > VALIDATION PENDING > REJECTED" {
		t.Errorf("history %s", got)
	}
	if len(updates) != 1 || updates[0].Status != "REJECTED" {
		t.Errorf("updates %+v", updates)
	}
	if len(w.e.Trades()) != 0 || len(w.e.Positions().Net) != 0 || w.e.Margins().Equity.Net != 1000 {
		t.Error("a rejected order left trades, positions or used margin")
	}
	// MIS needs a fifth of it: 2 × price × 0.2 fits in 1000 for INFY.
	id2 := w.place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 2, Product: "MIS", OrderType: "MARKET", MarketProtection: -1})
	if o := w.order(id2); o.Status != "COMPLETE" {
		t.Errorf("MIS order %s %v", o.Status, o.StatusMessage)
	}
}

func TestCNCSellNeedsHoldings(t *testing.T) {
	w := newWorld(t, paper.Options{Holdings: []paper.SeedHolding{{Exchange: "NSE", Tradingsymbol: "SBIN", Quantity: 20, AveragePrice: 800}}})
	sbin := w.inst("NSE", "SBIN")
	id := w.place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "SELL", Quantity: 1, Product: "CNC", OrderType: "MARKET", MarketProtection: -1})
	if o := w.order(id); o.Status != "REJECTED" || !strings.HasPrefix(*o.StatusMessage, "Insufficient holdings") {
		t.Errorf("CNC sell without holdings: %s %v", o.Status, o.StatusMessage)
	}
	hs := w.e.Holdings()
	ltp := rupees(sbin, w.ltp(sbin))
	if len(hs) != 1 || hs[0].Quantity != 20 || hs[0].T1Quantity != 0 || !near(hs[0].PnL, math.Round((ltp-800)*20*100)/100) {
		t.Fatalf("seeded holdings = %+v (ltp %v)", hs, ltp)
	}
	id = w.place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "SBIN", TransactionType: "SELL", Quantity: 15, Product: "CNC", OrderType: "MARKET", MarketProtection: -1})
	if o := w.order(id); o.Status != "COMPLETE" {
		t.Fatalf("CNC sell of holdings: %s %v", o.Status, o.StatusMessage)
	}
	if hs := w.e.Holdings(); hs[0].UsedQuantity != 15 {
		t.Errorf("used quantity %d, want 15", hs[0].UsedQuantity)
	}
	if mg := w.e.Margins().Equity; !near(mg.Utilised.HoldingSales, 15*ltp) || !near(mg.Net, paper.DefaultCash+15*ltp) {
		t.Errorf("margins after selling 15 at %v: %+v", ltp, mg)
	}
	// Only 5 are left to sell.
	id = w.place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "SBIN", TransactionType: "SELL", Quantity: 6, Product: "CNC", OrderType: "MARKET", MarketProtection: -1})
	if o := w.order(id); o.Status != "REJECTED" || !strings.Contains(*o.StatusMessage, "You can sell 5 of SBIN but the order is for 6") {
		t.Errorf("over-selling: %s %v", o.Status, o.StatusMessage)
	}
}

func TestCancelReleasesMargin(t *testing.T) {
	w := newWorld(t, paper.Options{})
	fut := w.inst("NFO", "NIFTY26NOVFUT")
	limit := w.ltp(fut) - 400*fut.TickSize
	var updates []string
	stop := w.e.Subscribe(func(o paper.Order) { updates = append(updates, o.OrderID+" "+o.Status) })
	id := w.place(paper.PlaceParams{Exchange: "NFO", Tradingsymbol: "NIFTY26NOVFUT", TransactionType: "BUY", Quantity: 150, Product: "NRML", OrderType: "LIMIT", Price: rupees(fut, limit)})
	span := 0.12 * 150 * rupees(fut, limit)
	if mg := w.e.Margins().Equity; !near(mg.Utilised.Span, span) || !near(mg.Net, paper.DefaultCash-span) {
		t.Fatalf("open NRML order blocks %+v, want span %v", mg.Utilised, span)
	}
	if _, err := w.e.Cancel("regular", id); err != nil {
		t.Fatal(err)
	}
	o := w.order(id)
	if o.Status != "CANCELLED" || o.CancelledQuantity != 150 || o.PendingQuantity != 0 || o.FilledQuantity != 0 {
		t.Errorf("cancelled order = %+v", o)
	}
	if mg := w.e.Margins().Equity; mg.Net != paper.DefaultCash || mg.Utilised.Span != 0 {
		t.Errorf("margin not released: %+v", mg)
	}
	stop()
	w.place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 1, Product: "CNC", OrderType: "MARKET", MarketProtection: -1})
	if got := strings.Join(updates, ","); got != id+" OPEN,"+id+" CANCELLED" {
		t.Errorf("updates %s", got)
	}
	// A finished order can be neither cancelled nor modified.
	for _, err := range []error{
		func() error { _, err := w.e.Cancel("regular", id); return err }(),
		func() error {
			q := 75
			_, err := w.e.Modify("regular", id, paper.ModifyParams{Quantity: &q})
			return err
		}(),
		func() error { _, err := w.e.Cancel("regular", "999"); return err }(),
	} {
		var ke *apierr.Error
		if !errors.As(err, &ke) || ke.ErrorType != kitespec.OrderException {
			t.Errorf("error %v, want an OrderException", err)
		}
	}
	if _, err := w.e.OrderHistory("999"); err == nil {
		t.Error("history of an unknown order")
	}
	if _, err := w.e.OrderTrades("999"); err == nil {
		t.Error("trades of an unknown order")
	}
}

func TestModify(t *testing.T) {
	w := newWorld(t, paper.Options{})
	infy := w.inst("NSE", "INFY")
	ltp := w.ltp(infy)
	id := w.place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 3, Product: "MIS", OrderType: "LIMIT", Price: rupees(infy, ltp-500*infy.TickSize)})
	var updates []string
	w.e.Subscribe(func(o paper.Order) { updates = append(updates, fmt.Sprintf("%s %d", o.Status, o.Quantity)) })
	q, bad := 4, 1500.01
	if _, err := w.e.Modify("regular", id, paper.ModifyParams{Price: &bad}); err == nil || !strings.Contains(err.Error(), "tick size") {
		t.Errorf("modify to an off-tick price: %v", err)
	}
	if _, err := w.e.Modify("amo", id, paper.ModifyParams{Quantity: &q}); err == nil {
		t.Error("modify with the wrong variety succeeded")
	}
	if _, err := w.e.Modify("regular", id, paper.ModifyParams{Quantity: &q}); err != nil {
		t.Fatal(err)
	}
	o := w.order(id)
	if o.Quantity != 4 || o.PendingQuantity != 4 || !o.Modified || o.Status != "OPEN" {
		t.Errorf("after modifying the quantity: %+v", o)
	}
	if mg := w.e.Margins().Equity; !near(mg.Utilised.Exposure, 0.2*4*o.Price) {
		t.Errorf("blocked %v, want %v", mg.Utilised.Exposure, 0.2*4*o.Price)
	}
	// Modified to a marketable price, it fills at once at the last price.
	p := rupees(infy, ltp+infy.TickSize)
	if _, err := w.e.Modify("regular", id, paper.ModifyParams{Price: &p}); err != nil {
		t.Fatal(err)
	}
	o = w.order(id)
	if o.Status != "COMPLETE" || o.AveragePrice != rupees(infy, ltp) || o.FilledQuantity != 4 {
		t.Errorf("after modifying to a marketable price: %+v", o)
	}
	h, _ := w.e.OrderHistory(id)
	if got := statuses(h); !strings.Contains(got, "OPEN > MODIFY VALIDATION PENDING > MODIFY PENDING > OPEN") {
		t.Errorf("history %s", got)
	}
	if got := strings.Join(updates, ","); got != "UPDATE 4,UPDATE 4,COMPLETE 4" {
		t.Errorf("order updates %s, want two modifications then the fill", got)
	}
}

func TestIOCAndTTL(t *testing.T) {
	w := newWorld(t, paper.Options{})
	infy := w.inst("NSE", "INFY")
	ltp := w.ltp(infy)
	far := rupees(infy, ltp-1000*infy.TickSize)
	ioc := w.place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 1, Product: "MIS", OrderType: "LIMIT", Price: far, Validity: "IOC"})
	if o := w.order(ioc); o.Status != "CANCELLED" || o.CancelledQuantity != 1 {
		t.Errorf("unfilled IOC = %s, cancelled %d", o.Status, o.CancelledQuantity)
	}
	ttl := w.place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 1, Product: "MIS", OrderType: "LIMIT", Price: far, Validity: "TTL", ValidityTTL: 2})
	for range 119 {
		w.step()
	}
	if o := w.order(ttl); o.Status != "OPEN" {
		t.Fatalf("TTL order %s after 119 s", o.Status)
	}
	w.step()
	if o := w.order(ttl); o.Status != "CANCELLED" {
		t.Errorf("TTL order %s after 2 minutes", o.Status)
	}
}

// A round trip with hand-checkable figures: two resting limits fill at
// their own prices, so the P&L is known exactly.
func TestRoundTripPositionArithmetic(t *testing.T) {
	w := newWorld(t, paper.Options{})
	in := w.inst("CDS", "USDINR26NOVFUT")
	ltp := w.ltp(in)
	buyAt, sellAt := ltp-2*in.TickSize, ltp+2*in.TickSize
	buy := w.place(paper.PlaceParams{Exchange: "CDS", Tradingsymbol: in.Tradingsymbol, TransactionType: "BUY", Quantity: 3, Product: "NRML", OrderType: "LIMIT", Price: rupees(in, buyAt)})
	sell := w.place(paper.PlaceParams{Exchange: "CDS", Tradingsymbol: in.Tradingsymbol, TransactionType: "SELL", Quantity: 2, Product: "NRML", OrderType: "LIMIT", Price: rupees(in, sellAt)})
	for i := 0; w.order(buy).Status != "COMPLETE" || w.order(sell).Status != "COMPLETE"; i++ {
		if i == 200000 {
			t.Fatal("limits never filled")
		}
		w.step()
	}
	// Realised: 2 lots × 4 ticks × 0.0025 × 1000 = 20 rupees.
	pos := w.e.Positions().Net[0]
	last := rupees(in, w.ltp(in))
	wantUnrealised := (last - rupees(in, buyAt)) * 1000
	if pos.Quantity != 1 || pos.Multiplier != 1000 || !near(pos.Realised, 20) || !near(pos.Unrealised, math.Round(wantUnrealised*100)/100) {
		t.Errorf("position = %+v, want realised 20, unrealised %v", pos, wantUnrealised)
	}
	if !near(pos.BuyValue, 3*rupees(in, buyAt)*1000) || !near(pos.SellValue, 2*rupees(in, sellAt)*1000) || !near(pos.Value, pos.SellValue-pos.BuyValue) {
		t.Errorf("values = %v, %v, %v", pos.BuyValue, pos.SellValue, pos.Value)
	}
	if pos.AveragePrice != rupees(in, buyAt) || pos.BuyPrice != rupees(in, buyAt) || pos.SellPrice != rupees(in, sellAt) {
		t.Errorf("prices = avg %v buy %v sell %v", pos.AveragePrice, pos.BuyPrice, pos.SellPrice)
	}
	// The open lot holds 3% of its value as span; the realised profit frees as much.
	mg := w.e.Margins().Equity
	span := 0.03 * last * 1000
	loss := math.Max(0, -wantUnrealised)
	// Span is rounded to paise: within half a paisa of the exact figure
	// (which may itself sit on a half paisa).
	if math.Abs(mg.Utilised.Span-span) > 0.0051 || !near(mg.Utilised.M2MRealised, -20) ||
		math.Abs(mg.Net-(paper.DefaultCash-span+20-loss)) > 0.011 {
		t.Errorf("margins = %+v, want span %v, realised 20, loss %v", mg, span, loss)
	}
}

func TestOptionsAndCommodityMargins(t *testing.T) {
	w := newWorld(t, paper.Options{})
	ce := w.inst("NFO", "NIFTY26NOV26050CE")
	ltp := w.ltp(ce)
	w.place(paper.PlaceParams{Exchange: "NFO", Tradingsymbol: ce.Tradingsymbol, TransactionType: "BUY", Quantity: 75, Product: "NRML", OrderType: "MARKET", MarketProtection: -1})
	if mg := w.e.Margins().Equity; !near(mg.Utilised.OptionPremium, 75*rupees(ce, ltp)) {
		t.Errorf("premium %v, want %v", mg.Utilised.OptionPremium, 75*rupees(ce, ltp))
	}
	crude := w.inst("MCX", "CRUDEOIL26DECFUT")
	cl := w.ltp(crude)
	w.place(paper.PlaceParams{Exchange: "MCX", Tradingsymbol: crude.Tradingsymbol, TransactionType: "SELL", Quantity: 2, Product: "NRML", OrderType: "MARKET", MarketProtection: -1})
	mg := w.e.Margins()
	if want := 0.08 * 2 * rupees(crude, cl) * 100; !near(mg.Commodity.Utilised.Span, want) || mg.Equity.Utilised.Span != 0 {
		t.Errorf("commodity span %v (equity %v), want %v", mg.Commodity.Utilised.Span, mg.Equity.Utilised.Span, want)
	}
}

func TestUnsupportedVarieties(t *testing.T) {
	w := newWorld(t, paper.Options{})
	for _, v := range []string{"co", "auction"} {
		_, err := w.e.Place(paper.PlaceParams{Variety: v, Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 1, Product: "MIS", OrderType: "MARKET", MarketProtection: -1})
		var ke *apierr.Error
		if !errors.As(err, &ke) || ke.ErrorType != kitespec.InputException {
			t.Errorf("%s: %v", v, err)
		}
	}
	infy := w.inst("NSE", "INFY")
	id := w.place(paper.PlaceParams{Variety: "iceberg", Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 10, Product: "CNC",
		OrderType: "LIMIT", Price: rupees(infy, w.ltp(infy)-100*infy.TickSize), IcebergLegs: 2, IcebergQuantity: 5})
	o := w.order(id)
	ice, ok := o.Meta["iceberg"].(map[string]any)
	if o.Variety != "iceberg" || !ok || ice["legs"] != 2 || ice["leg_quantity"] != 5 || ice["total_quantity"] != 10 {
		t.Errorf("iceberg order = %+v", o)
	}
}

// Orders, cancels and matching from several goroutines at once (run with -race).
func TestConcurrentUse(t *testing.T) {
	w := newWorld(t, paper.Options{Cash: 1e9})
	infy := w.inst("NSE", "INFY")
	var seen sync.Map
	var last sync.Map // order id → index of its latest update
	var n atomic.Int64
	w.e.Subscribe(func(o paper.Order) {
		seen.Store(o.OrderID+o.Status, true)
		// Subscribers may read the engine while others trade.
		if len(w.e.Orders()) == 0 {
			t.Error("an update for an empty order book")
		}
		i := n.Add(1)
		if prev, ok := last.Load(o.OrderID); ok && prev.(int64) >= i {
			t.Errorf("updates of %s out of order", o.OrderID)
		}
		last.Store(o.OrderID, i)
	})
	var wg sync.WaitGroup
	done, matcherDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(matcherDone)
		now := start
		for {
			select {
			case <-done:
				return
			default:
			}
			now = now.Add(time.Second)
			w.m.Step(now)
			w.e.Match(now)
		}
	}()
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				tk, _ := w.m.Tick(infy.Token, ticks.ModeLTP)
				id, err := w.e.Place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 1, Product: "MIS",
					OrderType: "LIMIT", Price: rupees(infy, int64(tk.LastPrice)-int64(g+i%5)*infy.TickSize)})
				if err != nil {
					t.Error(err)
					return
				}
				if i%2 == 0 {
					w.e.Cancel("regular", id) // it may have filled already: either answer is fine
				}
				w.e.Positions()
				w.e.Margins()
			}
		}()
	}
	wg.Wait()
	close(done)
	<-matcherDone // every update of a finished call has been delivered
	if n := len(w.e.Orders()); n != 200 {
		t.Errorf("%d orders, want 200", n)
	}
	for _, o := range w.e.Orders() {
		if _, ok := seen.Load(o.OrderID + o.Status); !ok {
			t.Errorf("no update for %s in its final state %s", o.OrderID, o.Status)
		}
	}
}

// Order updates of one order arrive in the order they happened, even with
// several goroutines trading at once.
func TestUpdatesInOrder(t *testing.T) {
	w := newWorld(t, paper.Options{Cash: 1e9})
	infy := w.inst("NSE", "INFY")
	var mu sync.Mutex
	got := map[string][]string{}
	w.e.Subscribe(func(o paper.Order) {
		mu.Lock()
		got[o.OrderID] = append(got[o.OrderID], o.Status)
		mu.Unlock()
	})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 25 {
				id, err := w.e.Place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 1, Product: "MIS",
					OrderType: "LIMIT", Price: rupees(infy, w.ltp(infy)-50*infy.TickSize)})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := w.e.Cancel("regular", id); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if len(got) != 100 {
		t.Fatalf("updates for %d orders, want 100", len(got))
	}
	for id, st := range got {
		if strings.Join(st, ",") != "OPEN,CANCELLED" {
			t.Errorf("%s: updates %v", id, st)
		}
	}
}

func TestPriceOutsideCircuitRejected(t *testing.T) {
	w := newWorld(t, paper.Options{})
	infy := w.inst("NSE", "INFY")
	lower, upper, _ := w.m.Circuit(infy.Token)
	for _, c := range []struct {
		side  string
		price int64
		want  string
	}{
		{"BUY", lower - infy.TickSize, "Your order price is lower than the current lower circuit limit of " + market.FormatPrice(lower, 100)},
		{"SELL", upper + infy.TickSize, "Your order price is higher than the current upper circuit limit of " + market.FormatPrice(upper, 100)},
	} {
		id := w.place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: c.side, Quantity: 1, Product: "MIS", OrderType: "LIMIT", Price: rupees(infy, c.price)})
		if o := w.order(id); o.Status != "REJECTED" || !strings.HasPrefix(*o.StatusMessage, c.want) {
			t.Errorf("%s at %d: %s %v, want REJECTED %q", c.side, c.price, o.Status, *o.StatusMessage, c.want)
		}
	}
	// At the limits themselves the order is accepted.
	id := w.place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 1, Product: "MIS", OrderType: "LIMIT", Price: rupees(infy, lower)})
	if o := w.order(id); o.Status != "OPEN" {
		t.Errorf("at the lower circuit: %s", o.Status)
	}
}

func TestModifyEdges(t *testing.T) {
	w := newWorld(t, paper.Options{Cash: 20000})
	infy := w.inst("NSE", "INFY")
	ltp := w.ltp(infy)
	far := rupees(infy, ltp-300*infy.TickSize)
	id := w.place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 10, Product: "MIS", OrderType: "LIMIT", Price: far})
	ip := func(v int) *int { return &v }
	fp := func(v float64) *float64 { return &v }
	sp := func(v string) *string { return &v }
	for _, c := range []struct {
		name string
		p    paper.ModifyParams
		want string
	}{
		{"order type", paper.ModifyParams{OrderType: sp("STOP")}, "Invalid `order_type`"},
		{"zero quantity", paper.ModifyParams{Quantity: ip(0)}, "Invalid `quantity`"},
		{"validity", paper.ModifyParams{Validity: sp("GTC")}, "Invalid `validity`"},
		{"disclosed", paper.ModifyParams{DisclosedQuantity: ip(11)}, "disclosed_quantity"},
		{"SL without trigger", paper.ModifyParams{OrderType: sp("SL")}, "needs a trigger price"},
		{"SL buy trigger under the market", paper.ModifyParams{OrderType: sp("SL"), TriggerPrice: fp(far)}, "should be higher than the last traded price"},
	} {
		_, err := w.e.Modify("regular", id, c.p)
		var ke *apierr.Error
		if !errors.As(err, &ke) || ke.ErrorType != kitespec.InputException || !strings.Contains(ke.Message, c.want) {
			t.Errorf("%s: %v, want an InputException containing %q", c.name, err, c.want)
		}
	}
	if o := w.order(id); o.Status != "OPEN" || o.Modified || o.Quantity != 10 {
		t.Fatalf("refused modifications changed the order: %+v", o)
	}
	// Into a stop-loss: it waits for its trigger again.
	trig, lim := rupees(infy, ltp+500*infy.TickSize), rupees(infy, ltp+600*infy.TickSize)
	if _, err := w.e.Modify("regular", id, paper.ModifyParams{OrderType: sp("SL"), TriggerPrice: fp(trig), Price: fp(lim)}); err != nil {
		t.Fatal(err)
	}
	if o := w.order(id); o.Status != "TRIGGER PENDING" || o.TriggerPrice != trig || o.Price != lim || o.OrderType != "SL" {
		t.Errorf("after modifying into SL: %+v", o)
	}
	// Beyond the available margin the modification is rejected by the RMS,
	// as Kite does: the order ends REJECTED.
	if _, err := w.e.Modify("regular", id, paper.ModifyParams{Quantity: ip(1000)}); err != nil {
		t.Fatalf("a margin shortfall is an order status, not an error: %v", err)
	}
	if o := w.order(id); o.Status != "REJECTED" || !strings.HasPrefix(*o.StatusMessage, "Insufficient funds.") {
		t.Errorf("after modifying beyond the margin: %s %v", o.Status, o.StatusMessage)
	}
	if mg := w.e.Margins().Equity; mg.Net != 20000 {
		t.Errorf("a rejected order still blocks margin: %+v", mg)
	}
	// F&O quantities stay in lots.
	w = newWorld(t, paper.Options{})
	fut := w.inst("NFO", "NIFTY26NOVFUT")
	fid := w.place(paper.PlaceParams{Exchange: "NFO", Tradingsymbol: fut.Tradingsymbol, TransactionType: "SELL", Quantity: 75, Product: "NRML", OrderType: "LIMIT",
		Price: rupees(fut, w.ltp(fut)+100*fut.TickSize)})
	if _, err := w.e.Modify("regular", fid, paper.ModifyParams{Quantity: ip(80)}); err == nil || !strings.Contains(err.Error(), "lot size (75)") {
		t.Errorf("modify to 80 of a 75 lot: %v", err)
	}
}
