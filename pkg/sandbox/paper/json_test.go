package paper_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/kitecli/kite/pkg/kitespec"
	"github.com/kitecli/kite/pkg/sandbox/apierr"
	"github.com/kitecli/kite/pkg/sandbox/paper"
)

// The JSON is Kite's: field names, nulls for unset ids and messages, and
// "2006-01-02 15:04:05" timestamps.
func TestOrderJSON(t *testing.T) {
	w := newWorld(t, paper.Options{Cash: 10})
	id := w.place(paper.PlaceParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 1, Product: "CNC", OrderType: "MARKET", MarketProtection: -1})
	b, err := json.Marshal(w.order(id))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"order_id", "exchange_order_id", "parent_order_id", "status", "status_message", "status_message_raw",
		"order_timestamp", "exchange_update_timestamp", "exchange_timestamp", "variety", "modified", "exchange", "tradingsymbol",
		"instrument_token", "order_type", "transaction_type", "validity", "validity_ttl", "product", "quantity", "disclosed_quantity",
		"price", "trigger_price", "average_price", "filled_quantity", "pending_quantity", "cancelled_quantity", "market_protection",
		"meta", "tag", "guid", "placed_by"} {
		if _, ok := got[k]; !ok {
			t.Errorf("order JSON lacks %q", k)
		}
	}
	if got["exchange_order_id"] != nil || got["parent_order_id"] != nil || got["tag"] != nil || got["exchange_timestamp"] != nil {
		t.Errorf("unset fields are not null: %s", b)
	}
	if got["order_timestamp"] != "2026-11-20 11:00:00" || got["instrument_token"] != 408065.0 || got["status"] != "REJECTED" {
		t.Errorf("order JSON = %s", b)
	}
	var back paper.Order
	if err := json.Unmarshal(b, &back); err != nil || !back.OrderTimestamp.Equal(start) {
		t.Errorf("round trip: %v, %v", back.OrderTimestamp, err)
	}

	tb, _ := json.Marshal(paper.Trade{FillTimestamp: paper.Timestamp{Time: start}, OrderTimestamp: "11:00:00"})
	if !strings.Contains(string(tb), `"fill_timestamp":"2026-11-20 11:00:00"`) || !strings.Contains(string(tb), `"order_timestamp":"11:00:00"`) {
		t.Errorf("trade JSON = %s", tb)
	}
	mb, _ := json.Marshal(w.e.Margins())
	for _, k := range []string{`"equity":{"enabled":true,"net":10,`, `"available":{"adhoc_margin":0,"cash":10,"opening_balance":10,"live_balance":10,`, `"utilised":{"debits":0,`, `"commodity":`} {
		if !strings.Contains(string(mb), k) {
			t.Errorf("margins JSON lacks %s: %s", k, mb)
		}
	}
	pb, _ := json.Marshal(w.e.Positions())
	if string(pb) != `{"net":[],"day":[]}` {
		t.Errorf("empty positions = %s", pb)
	}
}

func TestParsePlaceForm(t *testing.T) {
	v := url.Values{
		"exchange": {"NFO"}, "tradingsymbol": {"NIFTY26NOVFUT"}, "transaction_type": {"SELL"}, "quantity": {"150"},
		"product": {"NRML"}, "order_type": {"SL"}, "price": {"26000.5"}, "trigger_price": {"26001"}, "validity": {"TTL"},
		"validity_ttl": {"5"}, "disclosed_quantity": {"75"}, "tag": {"algo"}, "iceberg_legs": {"3"}, "iceberg_quantity": {"50"},
		"auction_number": {"7"}, "market_protection": {"-1"},
	}
	got, err := paper.ParsePlaceForm("iceberg", v)
	want := paper.PlaceParams{Variety: "iceberg", Exchange: "NFO", Tradingsymbol: "NIFTY26NOVFUT", TransactionType: "SELL", Quantity: 150,
		Product: "NRML", OrderType: "SL", Price: 26000.5, TriggerPrice: 26001, Validity: "TTL", ValidityTTL: 5, DisclosedQuantity: 75,
		Tag: "algo", IcebergLegs: 3, IcebergQuantity: 50, AuctionNumber: "7", MarketProtection: -1}
	if err != nil || got != want {
		t.Errorf("ParsePlaceForm = %+v, %v", got, err)
	}
	for field, bad := range map[string]string{"quantity": "ten", "price": "1,500", "trigger_price": "NaN", "validity_ttl": "1.5"} {
		v := url.Values{field: {bad}}
		_, err := paper.ParsePlaceForm("regular", v)
		var ke *apierr.Error
		if !errors.As(err, &ke) || ke.ErrorType != kitespec.InputException || !strings.Contains(ke.Message, "`"+field+"`") {
			t.Errorf("%s=%s: %v", field, bad, err)
		}
	}
}

func TestParseModifyForm(t *testing.T) {
	got, err := paper.ParseModifyForm(url.Values{"price": {"101.5"}, "order_type": {"LIMIT"}, "quantity": {""}})
	if err != nil || got.Price == nil || *got.Price != 101.5 || got.OrderType == nil || *got.OrderType != "LIMIT" ||
		got.Quantity != nil || got.TriggerPrice != nil || got.Validity != nil || got.DisclosedQuantity != nil {
		t.Errorf("ParseModifyForm = %+v, %v", got, err)
	}
	if _, err := paper.ParseModifyForm(url.Values{"quantity": {"x"}}); err == nil {
		t.Error("a bad quantity parsed")
	}
	if got, _ := paper.ParseModifyForm(url.Values{}); !reflect.DeepEqual(got, paper.ModifyParams{}) {
		t.Errorf("empty form = %+v", got)
	}
}
