package paper_test

import (
	"errors"
	"net/url"
	"testing"

	"github.com/kitecli/kite/pkg/kitespec"
	"github.com/kitecli/kite/pkg/sandbox/apierr"
	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/sandbox/paper"
)

// FuzzPlaceForm feeds arbitrary order forms (the sandbox's untrusted
// input) through ParsePlaceForm and Place: never a panic, every refusal a
// *apierr.Error, every accepted order in the book in a Kite status.
func FuzzPlaceForm(f *testing.F) {
	f.Add("regular", "NSE", "INFY", "BUY", "10", "CNC", "MARKET", "", "", "DAY", "")
	f.Add("regular", "NFO", "NIFTY26NOVFUT", "SELL", "75", "NRML", "LIMIT", "26000.05", "", "IOC", "")
	f.Add("iceberg", "NSE", "SBIN", "BUY", "100", "MIS", "SL", "900", "899.5", "TTL", "5")
	f.Add("regular", "CDS", "USDINR26NOVFUT", "BUY", "1", "NRML", "SL-M", "", "1e308", "DAY", "")
	f.Add("co", "NSE", "INFY", "BUY", "-1", "BO", "STOP", "NaN", "-1", "GTC", "x")
	f.Add("regular", "MCX", "CRUDEOIL26DECFUT", "BUY", "9223372036854775807", "NRML", "LIMIT", "5300", "", "DAY", "")
	f.Fuzz(func(t *testing.T, variety, exchange, symbol, side, qty, product, orderType, price, trigger, validity, ttl string) {
		now := start
		m := market.New(1, market.Universe(now), now)
		e := paper.New(m, paper.Options{UserID: "FZ0001"})
		form := url.Values{
			"exchange": {exchange}, "tradingsymbol": {symbol}, "transaction_type": {side}, "quantity": {qty},
			"product": {product}, "order_type": {orderType}, "price": {price}, "trigger_price": {trigger},
			"validity": {validity}, "validity_ttl": {ttl}, "iceberg_legs": {"2"}, "iceberg_quantity": {qty},
		}
		p, err := paper.ParsePlaceForm(variety, form)
		var ke *apierr.Error
		if err != nil {
			if !errors.As(err, &ke) || ke.ErrorType != kitespec.InputException {
				t.Fatalf("parse error %v is not an InputException", err)
			}
			return
		}
		id, err := e.Place(p)
		if err != nil {
			if !errors.As(err, &ke) || ke.Status != 400 {
				t.Fatalf("place error %v is not a 400 apierr.Error", err)
			}
			return
		}
		h, err := e.OrderHistory(id)
		if err != nil || len(h) < 3 {
			t.Fatalf("order %s: history %v, %v", id, h, err)
		}
		switch last := h[len(h)-1]; last.Status {
		case "OPEN", "TRIGGER PENDING", "COMPLETE", "CANCELLED", "REJECTED":
		default:
			t.Fatalf("order %s ends in %q", id, last.Status)
		}
		e.Match(now)
		_ = e.Positions()
		_ = e.Margins()
		_ = e.Holdings()
	})
}
