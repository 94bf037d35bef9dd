package gtt_test

import (
	"errors"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/kitespec"
	"github.com/kitecli/kite/pkg/sandbox/apierr"
	"github.com/kitecli/kite/pkg/sandbox/gtt"
	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/sandbox/paper"
	"github.com/kitecli/kite/pkg/ticks"
)

var start = time.Date(2026, 11, 20, 11, 0, 0, 0, market.IST)

func newBook(t testing.TB) (*market.Market, *paper.Engine, *gtt.Book) {
	t.Helper()
	m := market.New(1, market.Universe(start), start)
	e := paper.New(m, paper.Options{UserID: "SB0001"})
	return m, e, gtt.New(m, e, "SB0001")
}

func ltp(t testing.TB, m *market.Market, sym string) float64 {
	in, ok := m.Lookup("NSE", sym)
	if !ok {
		t.Fatalf("no NSE:%s", sym)
	}
	tk, _ := m.Tick(in.Token, ticks.ModeLTP)
	return in.Rupees(int64(tk.LastPrice))
}

func round(v float64) float64 { return math.Round(v*20) / 20 }

func single(last, trigger, price float64) gtt.Params {
	return gtt.Params{
		Type:      gtt.TypeSingle,
		Condition: gtt.Condition{Exchange: "NSE", Tradingsymbol: "INFY", LastPrice: last, TriggerValues: []float64{trigger}},
		Orders: []gtt.Order{{Exchange: "NSE", Tradingsymbol: "INFY", Product: "CNC", OrderType: "LIMIT",
			TransactionType: "BUY", Quantity: 1, Price: price}},
	}
}

// TestExpiresAfterAYear: a GTT that never triggers expires a year after it
// was created (Zerodha: "valid for one year from the placement date"), and
// not a second before.
func TestExpiresAfterAYear(t *testing.T) {
	m, _, b := newBook(t)
	p := ltp(t, m, "INFY")
	id, err := b.Create(single(p, round(p*0.98), round(p*0.98)))
	if err != nil {
		t.Fatal(err)
	}
	// The market is not stepped, so its price stays where the GTT cannot
	// fire; only the book's clock moves.
	b.Step(start.AddDate(1, 0, 0).Add(-time.Second))
	if g, _ := b.Get(id); g.Status != gtt.StatusActive {
		t.Fatalf("status %q a second before a year, want active", g.Status)
	}
	b.Step(start.AddDate(1, 0, 0))
	if g, _ := b.Get(id); g.Status != gtt.StatusExpired {
		t.Fatalf("status %q after a year, want expired", g.Status)
	}
	if _, err := b.Modify(id, single(p, round(p*0.97), round(p*0.97))); err == nil {
		t.Error("an expired GTT was modified")
	}
}

// TestMinDistance: Zerodha's rule, worked by hand: above ₹50, 0.25% of the
// price (₹1,500 → ₹3.75); at or below ₹50, 9 paise.
func TestMinDistance(t *testing.T) {
	for _, c := range []struct{ ltp, want float64 }{{1500, 3.75}, {400, 1}, {50, 0.09}, {12.5, 0.09}} {
		if got := gtt.MinDistance(c.ltp); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("MinDistance(%v) = %v, want %v", c.ltp, got, c.want)
		}
	}
}

// TestMaxActive: the 251st active GTT is refused.
func TestMaxActive(t *testing.T) {
	m, _, b := newBook(t)
	p := ltp(t, m, "INFY")
	tr := round(p * 0.97)
	for i := range gtt.MaxActive {
		if _, err := b.Create(single(p, tr, tr)); err != nil {
			t.Fatalf("GTT %d: %v", i+1, err)
		}
	}
	_, err := b.Create(single(p, tr, tr))
	var ke *apierr.Error
	if !errors.As(err, &ke) || ke.ErrorType != kitespec.InputException {
		t.Fatalf("GTT %d: %v, want an InputException", gtt.MaxActive+1, err)
	}
}

func FuzzParseForm(f *testing.F) {
	f.Add("single", `{"exchange":"NSE","tradingsymbol":"INFY","trigger_values":[1400],"last_price":1500}`,
		`[{"exchange":"NSE","tradingsymbol":"INFY","transaction_type":"BUY","quantity":1,"order_type":"LIMIT","product":"CNC","price":1400}]`)
	f.Add("two-leg", `{"trigger_values":[1,2]}`, `[{},{}]`)
	f.Add("", "{", "[")
	f.Add("single", `{"trigger_values":"x"}`, `{"quantity":1.5}`)
	_, _, b := newBook(f)
	f.Fuzz(func(t *testing.T, typ, cond, orders string) {
		p, err := gtt.ParseForm(url.Values{"type": {typ}, "condition": {cond}, "orders": {orders}})
		if err != nil {
			var ke *apierr.Error
			if !errors.As(err, &ke) || ke.ErrorType != kitespec.InputException {
				t.Fatalf("ParseForm error %v is not an InputException", err)
			}
			return
		}
		// Whatever parses must be validated without a panic.
		if _, err := b.Create(p); err != nil {
			var ke *apierr.Error
			if !errors.As(err, &ke) {
				t.Fatalf("Create error %v is not a *apierr.Error", err)
			}
		}
	})
}

// TestFiredOutsideCircuit: a GTT lives a year, so its limit price is not
// held to today's circuit at creation; when it fires with a price outside
// the circuit, the order is refused and the GTT records the failure and
// Kite's reason, as in Zerodha's gtt_get_order.json.
func TestFiredOutsideCircuit(t *testing.T) {
	m, e, b := newBook(t)
	p := ltp(t, m, "INFY")
	in, _ := m.Lookup("NSE", "INFY")
	_, upper, _ := m.Circuit(in.Token)
	up := in.Rupees(upper)
	trig := round(up / 1.05)
	if trig < p*1.0025 {
		t.Fatalf("seed: INFY at %v, upper circuit %v: the trigger %v is not above the price", p, up, trig)
	}
	limit := up + 0.05 // outside the circuit, within 10% of the trigger
	// Sent with a stale last price above the trigger, it fires at once.
	id, err := b.Create(single(round(trig*1.01), trig, limit))
	if err != nil {
		t.Fatal(err)
	}
	b.Step(start)
	g, _ := b.Get(id)
	if g.Status != gtt.StatusTriggered || g.Orders[0].Result == nil {
		t.Fatalf("GTT %+v did not fire", g)
	}
	r := g.Orders[0].Result.OrderResult
	if r.Status != "failed" || !strings.Contains(r.RejectionReason, "higher than the current upper circuit limit") {
		t.Fatalf("result %+v: want failed with Kite's circuit reason", r)
	}
	// The rejected order is in the book, as REJECTED.
	if o := e.Orders(); len(o) != 1 || o[0].OrderID != r.OrderID || o[0].Status != paper.StatusRejected {
		t.Errorf("order book %+v, want the one rejected order", o)
	}
}
