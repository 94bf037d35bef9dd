package bench

import (
	"strings"
	"testing"

	"github.com/kitecli/kite/pkg/sandbox"
	kiteconnect "github.com/zerodha/gokiteconnect/v4"
)

// Kite's 2026 order rules, seen by Zerodha's official Go client (v4.4.0,
// whose OrderParams has MarketProtection and Autoslice but no algo_id).

// TestConformanceMarketProtection: a MARKET order without market
// protection (gokiteconnect leaves it out when 0, its default) is refused
// with Kite's InputException and message; with MarketProtectionAuto it is
// placed.
func TestConformanceMarketProtection(t *testing.T) {
	srv := startSandbox(t)
	kc := kiteconnect.New(sandbox.APIKey)
	kc.SetBaseURI(srv.URL())
	kc.SetAccessToken(srv.AccessToken())
	params := kiteconnect.OrderParams{
		Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: kiteconnect.TransactionTypeBuy,
		Quantity: 1, Product: kiteconnect.ProductCNC, OrderType: kiteconnect.OrderTypeMarket, Validity: kiteconnect.ValidityDay,
	}
	_, err := kc.PlaceOrder(kiteconnect.VarietyRegular, params)
	if !isKiteError(err, kiteconnect.InputError) || !strings.Contains(err.Error(),
		"Market orders without market protection are not allowed via API. Please set market protection or use a Limit order.") {
		t.Fatalf("MARKET without market protection: want Kite's InputException, got %v", err)
	}
	params.OrderType, params.TriggerPrice = kiteconnect.OrderTypeSLM, 1
	params.TransactionType = kiteconnect.TransactionTypeSell
	if _, err := kc.PlaceOrder(kiteconnect.VarietyRegular, params); !isKiteError(err, kiteconnect.InputError) {
		t.Fatalf("SL-M without market protection: %v", err)
	}
	params = kiteconnect.OrderParams{
		Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: kiteconnect.TransactionTypeBuy,
		Quantity: 1, Product: kiteconnect.ProductCNC, OrderType: kiteconnect.OrderTypeMarket, Validity: kiteconnect.ValidityDay,
		MarketProtection: kiteconnect.MarketProtectionAuto,
	}
	res, err := kc.PlaceOrder(kiteconnect.VarietyRegular, params)
	if err != nil || res.OrderID == "" {
		t.Fatalf("MARKET with MarketProtectionAuto: %+v %v", res, err)
	}
	hist, err := kc.GetOrderHistory(res.OrderID)
	if err != nil || len(hist) == 0 || hist[len(hist)-1].MarketProtection != -1 {
		t.Fatalf("the order keeps its market protection: %+v %v", hist, err)
	}
}

// TestConformanceAutoslice: the official client's Autoslice places an F&O
// order above the freeze quantity and decodes the children.
func TestConformanceAutoslice(t *testing.T) {
	srv := startSandbox(t)
	kc := kiteconnect.New(sandbox.APIKey)
	kc.SetBaseURI(srv.URL())
	kc.SetAccessToken(srv.AccessToken())
	insts, err := kc.GetInstrumentsByExchange("NFO")
	if err != nil {
		t.Fatal(err)
	}
	var symbol string
	var low float64
	for _, in := range insts {
		if in.Name == "NIFTY" && in.InstrumentType == "CE" {
			symbol = in.Tradingsymbol
			break
		}
	}
	q, err := kc.GetQuote("NFO:" + symbol)
	if err != nil {
		t.Fatal(err)
	}
	low = q["NFO:"+symbol].LowerCircuitLimit
	// NIFTY's freeze quantity in the sandbox is 1800: 1875 is one slice of
	// 1800 and one of 75.
	res, err := kc.PlaceOrder(kiteconnect.VarietyRegular, kiteconnect.OrderParams{
		Exchange: "NFO", Tradingsymbol: symbol, TransactionType: kiteconnect.TransactionTypeBuy,
		Quantity: 1875, Product: kiteconnect.ProductNRML, OrderType: kiteconnect.OrderTypeLimit, Price: low,
		Validity: kiteconnect.ValidityDay, Autoslice: true,
	})
	if err != nil || res.OrderID == "" || len(res.Children) != 2 || res.Children[0].OrderID == "" || res.Children[1].OrderID == "" {
		t.Fatalf("autoslice: %+v %v", res, err)
	}
	for i, want := range []float64{1800, 75} {
		h, err := kc.GetOrderHistory(res.Children[i].OrderID)
		if err != nil || len(h) == 0 || h[len(h)-1].Quantity != want {
			t.Fatalf("child %d: %+v %v", i, h, err)
		}
	}
}
