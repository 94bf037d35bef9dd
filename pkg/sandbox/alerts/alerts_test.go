package alerts_test

import (
	"errors"
	"math"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/kitespec"
	"github.com/kitecli/kite/pkg/sandbox/alerts"
	"github.com/kitecli/kite/pkg/sandbox/apierr"
	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/sandbox/paper"
)

var start = time.Date(2026, 11, 20, 11, 0, 0, 0, market.IST)

func newBook(t testing.TB) *alerts.Book {
	t.Helper()
	m := market.New(1, market.Universe(start), start)
	return alerts.New(m, paper.New(m, paper.Options{UserID: "SB0001"}), "SB0001")
}

func simple(sym, attr, op string, c float64) alerts.Params {
	return alerts.Params{Name: "t", Type: alerts.TypeSimple, LHSExchange: "NSE", LHSTradingsymbol: sym,
		LHSAttribute: attr, Operator: op, RHSType: "constant", RHSConstant: c}
}

// TestOperators: each operator against a constant on both sides of the
// price; an alert fires (count 1, disabled) exactly when its comparison
// holds, "==" only at equality. The market is not stepped, so the price is
// the one read here.
func TestOperators(t *testing.T) {
	b := newBook(t)
	id, err := b.Create(simple("INFY", "LastTradedPrice", ">=", 0.05))
	if err != nil {
		t.Fatal(err)
	}
	b.Step(start)
	h, _ := b.History(id.UUID)
	if len(h) != 1 {
		t.Fatalf("history %+v", h)
	}
	ltp := h[0].Meta[0].LastPrice
	for _, c := range []struct {
		op    string
		rhs   float64
		fires bool
	}{
		{"<=", ltp, true}, {"<=", ltp - 0.05, false}, {">=", ltp, true}, {">=", ltp + 0.05, false},
		{"<", ltp, false}, {"<", ltp + 0.05, true}, {">", ltp, false}, {">", ltp - 0.05, true},
		{"==", ltp, true}, {"==", ltp + 0.05, false},
	} {
		a, err := b.Create(simple("INFY", "LastTradedPrice", c.op, c.rhs))
		if err != nil {
			t.Fatal(err)
		}
		b.Step(start)
		got, _ := b.Get(a.UUID)
		if fired := got.AlertCount == 1 && got.Status == alerts.StatusDisabled; fired != c.fires {
			t.Errorf("LTP %v %s %v: fired %v (%+v), want %v", ltp, c.op, c.rhs, fired, got, c.fires)
		}
	}
}

// TestNetChange: the quote an alert records when it fires carries the
// day's change, last − previous close, to the paisa.
func TestNetChange(t *testing.T) {
	b := newBook(t)
	a, err := b.Create(simple("INFY", "DayChangePercent", ">=", -1000))
	if err != nil {
		t.Fatal(err)
	}
	b.Step(start)
	h, _ := b.History(a.UUID)
	if len(h) != 1 {
		t.Fatal("did not fire")
	}
	q := h[0].Meta[0]
	if q.OHLC.Close <= 0 || math.Abs(q.NetChange-(q.LastPrice-q.OHLC.Close)) > 0.005 {
		t.Errorf("quote %+v: net change %v, last %v, close %v", q, q.NetChange, q.LastPrice, q.OHLC.Close)
	}
}

func FuzzParseForm(f *testing.F) {
	f.Add("simple", "NSE", "INFY", "LastTradedPrice", ">=", "constant", "1500", "")
	f.Add("ato", "INDICES", "NIFTY 50", "LastTradedPrice", "<=", "constant", "2e4",
		`{"items":[{"tradingsymbol":"INFY","exchange":"NSE","params":{"transaction_type":"BUY","product":"CNC","order_type":"LIMIT","quantity":1,"price":1}}]}`)
	f.Add("simple", "NSE", "INFY", "HighPrice", "<", "instrument", "", "")
	f.Add("ato", "NSE", "INFY", "LastTradedPrice", "==", "constant", "NaN", "{")
	b := newBook(f)
	f.Fuzz(func(t *testing.T, typ, ex, sym, attr, op, rhsType, rhs, basket string) {
		v := url.Values{"name": {"f"}, "type": {typ}, "lhs_exchange": {ex}, "lhs_tradingsymbol": {sym}, "lhs_attribute": {attr},
			"operator": {op}, "rhs_type": {rhsType}, "rhs_constant": {rhs}, "rhs_exchange": {ex}, "rhs_tradingsymbol": {sym},
			"rhs_attribute": {attr}, "basket": {basket}}
		p, err := alerts.ParseForm(v)
		var ke *apierr.Error
		if err != nil {
			if !errors.As(err, &ke) || ke.ErrorType != kitespec.InputException {
				t.Fatalf("ParseForm: %v is not an InputException", err)
			}
			return
		}
		if _, err := b.Create(p); err != nil && !errors.As(err, &ke) {
			t.Fatalf("Create: %v is not a *apierr.Error", err)
		}
		b.Step(start)
	})
}

// TestATORejectedOrderFails: an ATO alert whose order the risk checks
// reject (a limit above the day's upper circuit) fires, and its history
// records the order as failed with the RMS's reason.
func TestATORejectedOrderFails(t *testing.T) {
	m := market.New(1, market.Universe(start), start)
	e := paper.New(m, paper.Options{UserID: "SB0001"})
	b := alerts.New(m, e, "SB0001")
	in, _ := m.Lookup("NSE", "INFY")
	_, upper, _ := m.Circuit(in.Token)
	above := strconv.FormatFloat(in.Rupees(upper)+0.05, 'f', 2, 64)
	p, err := alerts.ParseForm(url.Values{"name": {"t"}, "type": {"ato"}, "lhs_exchange": {"NSE"}, "lhs_tradingsymbol": {"INFY"},
		"lhs_attribute": {"LastTradedPrice"}, "operator": {">="}, "rhs_type": {"constant"}, "rhs_constant": {"0.05"},
		"basket": {`{"items":[{"exchange":"NSE","tradingsymbol":"INFY","params":{"transaction_type":"BUY","product":"CNC","order_type":"LIMIT","quantity":1,"price":` + above + `}}]}`}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := b.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	b.Step(start)
	h, _ := b.History(a.UUID)
	if len(h) != 1 || len(h[0].OrderMeta) != 1 {
		t.Fatalf("history %+v", h)
	}
	if r := h[0].OrderMeta[0]; r.Status != "failed" || !strings.Contains(r.Error, "upper circuit limit") || r.OrderID == "" {
		t.Fatalf("order meta %+v: want failed for the circuit, with the rejected order's ID", r)
	}
}
