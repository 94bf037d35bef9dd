package kite

import (
	"errors"
	"strings"
	"testing"
)

func TestParseOrderFile(t *testing.T) {
	ndjson := "# a bull call spread\n" +
		`{"exchange":"nfo","tradingsymbol":"nifty26dec26000ce","transaction_type":"SELL","quantity":75,"price":120}` + "\n\n" +
		`{"exchange":"NSE","tradingsymbol":"INFY","transaction_type":"BUY","quantity":1}` + "\n"
	got, err := ParseOrderFile([]byte(ndjson))
	if err != nil {
		t.Fatal(err)
	}
	want := []FileOrder{
		{MarginOrder: MarginOrder{Exchange: "NFO", Tradingsymbol: "NIFTY26DEC26000CE", TransactionType: "SELL", Variety: "regular", Product: "NRML", OrderType: "LIMIT", Quantity: 75, Price: 120}},
		{MarginOrder: MarginOrder{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Variety: "regular", Product: "CNC", OrderType: "MARKET", Quantity: 1}},
	}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	arr, err := ParseOrderFile([]byte(`[{"exchange":"NSE","tradingsymbol":"SBIN","transaction_type":"SELL","quantity":2,"price":800,"trigger_price":801}]`))
	if err != nil || len(arr) != 1 || arr[0].OrderType != "SL" {
		t.Fatalf("array: %+v %v", arr, err)
	}
	for _, c := range []struct{ in, want string }{
		{``, "the file has no orders"},
		{`[]`, "the file has no orders"},
		{`{"exchange":"NSE","tradingsymbol":"INFY","transaction_type":"BUY","quantity":"ten"}`, "line 1: quantity must be a number"},
		{"\n" + `{"exchange":"NSE","tradingsymbol":"INFY","transaction_type":"HOLD","quantity":1.5}`, "line 2: transaction_type must be BUY or SELL; quantity must be a whole number above 0"},
		{`{"exchange":"NSE","tradingsymbol":"INFY","side":"BUY"}`, `line 1: unknown field "side"`},
		{`[1,`, "not a JSON array"},
		{`{"exchange":"NSE"} {"x":1}`, "line 1: more than one JSON value"},
	} {
		_, err := ParseOrderFile([]byte(c.in))
		var bad *BadFileError
		if !errors.As(err, &bad) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.in, err, c.want)
		}
	}
}

func FuzzParseOrderFile(f *testing.F) {
	for _, seed := range []string{
		`[{"exchange":"NSE","tradingsymbol":"INFY","transaction_type":"BUY","quantity":1,"price":1500}]`,
		"{\"exchange\":\"NFO\",\"tradingsymbol\":\"X\",\"transaction_type\":\"SELL\",\"quantity\":75}\n# c\n",
		`[`, `{}`, `[null]`, `{"quantity":1e400}`, "\x00",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		orders, err := ParseOrderFile(data)
		if err != nil {
			var bad *BadFileError
			if !errors.As(err, &bad) {
				t.Fatalf("error %T %v is not a BadFileError", err, err)
			}
			if strings.Contains(err.Error(), "json:") {
				t.Fatalf("Go-internal message: %v", err)
			}
			return
		}
		for _, o := range orders {
			if o.Quantity <= 0 || o.Exchange == "" || (o.TransactionType != Buy && o.TransactionType != Sell) {
				t.Fatalf("accepted a bad order %+v", o)
			}
		}
	})
}
