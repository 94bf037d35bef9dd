package bench

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/kitecli/kite/pkg/sandbox"
	kiteconnect "github.com/zerodha/gokiteconnect/v4"
)

// TestConformanceCalculatorsPortfolioMF drives the margin and charge
// calculators, the rest of the portfolio API, the full profile and the
// mutual fund reads with Zerodha's own Go client against the sandbox.
func TestConformanceCalculatorsPortfolioMF(t *testing.T) {
	srv := startSandbox(t)
	kc := kiteconnect.New(sandbox.APIKey)
	kc.SetBaseURI(srv.URL())
	connectLogin(t, srv, kc)

	// Delivery needs the full value; 10 INFY at 1500 cost 17.79339 in
	// charges (worked out in pkg/sandbox/paper's charge table test).
	om, err := kc.GetOrderMargins(kiteconnect.GetMarginParams{OrderParams: []kiteconnect.OrderMarginParam{{
		Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Variety: "regular", Product: "CNC",
		OrderType: "LIMIT", Quantity: 10, Price: 1500}}, Compact: true})
	if err != nil || len(om) != 1 || om[0].Total != 15000 || om[0].TradingSymbol != "INFY" || math.Abs(om[0].Charges.Total-17.79339) > 1e-9 {
		t.Fatalf("GetOrderMargins: %+v %v", om, err)
	}
	legs := niftyCallSpread(t, kc)
	bm, err := kc.GetBasketMargins(kiteconnect.GetBasketParams{OrderParams: legs, ConsiderPositions: true})
	if err != nil || len(bm.Orders) != 2 || bm.Final.Total <= 0 || bm.Final.Total >= bm.Initial.Total {
		t.Fatalf("GetBasketMargins: %+v %v", bm, err)
	}
	charges, err := kc.GetOrderCharges(kiteconnect.GetChargesParams{OrderParams: []kiteconnect.OrderChargesParam{{
		OrderID: "1", Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Variety: "regular",
		Product: "CNC", OrderType: "LIMIT", Quantity: 10, AveragePrice: 1500}}})
	if err != nil || len(charges) != 1 || charges[0].Price != 1500 || math.Abs(charges[0].Charges.Total-17.79339) > 1e-9 {
		t.Fatalf("GetOrderCharges: %+v %v", charges, err)
	}

	// Convert a filled MIS buy to CNC.
	if _, err := kc.PlaceOrder(kiteconnect.VarietyRegular, kiteconnect.OrderParams{
		Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: kiteconnect.TransactionTypeBuy, Quantity: 2,
		Product: kiteconnect.ProductMIS, OrderType: kiteconnect.OrderTypeMarket, Validity: kiteconnect.ValidityDay,
		MarketProtection: kiteconnect.MarketProtectionAuto}); err != nil {
		t.Fatal(err)
	}
	ok, err := kc.ConvertPosition(kiteconnect.ConvertPositionParams{Exchange: "NSE", TradingSymbol: "INFY",
		OldProduct: "MIS", NewProduct: "CNC", PositionType: "day", TransactionType: "BUY", Quantity: 2})
	if err != nil || !ok {
		t.Fatalf("ConvertPosition: %v %v", ok, err)
	}
	pos, err := kc.GetPositions()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pos.Net {
		if p.Tradingsymbol == "INFY" && p.Product == "CNC" && p.Quantity != 2 {
			t.Fatalf("after converting: %+v", pos.Net)
		}
	}
	if _, err := kc.ConvertPosition(kiteconnect.ConvertPositionParams{Exchange: "NSE", TradingSymbol: "INFY",
		OldProduct: "MIS", NewProduct: "CNC", PositionType: "day", TransactionType: "BUY", Quantity: 2}); !isKiteError(err, kiteconnect.InputError) {
		t.Fatalf("converting an empty position: %v", err)
	}

	// Seeded holdings: 10 INFY at 1402.35, 100 ITC at 388.1, 16 SBIN at
	// 801.75, and today's 2 INFY at the fill price.
	sum, err := kc.GetHoldingsSummary()
	if err != nil || sum.InvestedAmount < 65661.5 || sum.CurrentValue <= 0 {
		t.Fatalf("GetHoldingsSummary: %+v %v", sum, err)
	}
	compact, err := kc.GetHoldingsCompact()
	if err != nil || len(compact) != 3 || compact[0].Tradingsymbol != "INFY" || compact[0].Quantity != 10 || compact[0].T1Quantity != 2 {
		t.Fatalf("GetHoldingsCompact: %+v %v", compact, err)
	}
	auth, err := kc.InitiateHoldingsAuth(kiteconnect.HoldingAuthParams{Type: "equity", TransferType: "pre",
		Instruments: []kiteconnect.HoldingsAuthInstruments{{ISIN: "INE009A01021", Quantity: 5}}})
	if err != nil || len(auth.RequestID) < 16 || !strings.HasSuffix(auth.RedirectURL, "/"+auth.RequestID) {
		t.Fatalf("InitiateHoldingsAuth: %+v %v", auth, err)
	}
	auctions, err := kc.GetAuctionInstruments()
	if err != nil || len(auctions) != 3 || auctions[0].AuctionNumber == "" {
		t.Fatalf("GetAuctionInstruments: %+v %v", auctions, err)
	}
	full, err := kc.GetFullUserProfile()
	if err != nil || full.UserID != sandbox.UserID || full.TwoFAType != "totp" || len(full.Banks) != 1 || full.PasswordTimestamp.IsZero() {
		t.Fatalf("GetFullUserProfile: %+v %v", full, err)
	}

	// Mutual funds: reads from the sandbox's fund universe.
	mh, err := kc.GetMFHoldings()
	if err != nil || len(mh) != 3 || mh[0].Tradingsymbol != "INF000S01AA1" || mh[0].Pnl != 12849.29 {
		t.Fatalf("GetMFHoldings: %+v %v", mh, err)
	}
	trades, err := kc.GetMFHoldingInfo(mh[0].Tradingsymbol)
	if err != nil || len(trades) != 1 || trades[0].Quantity != mh[0].Quantity || trades[0].ExchangeTimestamp.IsZero() {
		t.Fatalf("GetMFHoldingInfo: %+v %v", trades, err)
	}
	isins, err := kc.GetMFAllottedISINs()
	if err != nil || len(isins) != 3 {
		t.Fatalf("GetMFAllottedISINs: %v %v", isins, err)
	}
	mo, err := kc.GetMFOrders()
	if err != nil || len(mo) != 4 || mo[0].OrderTimestamp.IsZero() {
		t.Fatalf("GetMFOrders: %+v %v", mo, err)
	}
	one, err := kc.GetMFOrderInfo(mo[2].OrderID)
	if err != nil || one.Status != "COMPLETE" || one.ExchangeTimestamp.IsZero() {
		t.Fatalf("GetMFOrderInfo: %+v %v", one, err)
	}
	day := mo[0].OrderTimestamp.Format("2006-01-02")
	if byDate, err := kc.GetMFOrdersByDate(day, day); err != nil || len(byDate) != 1 || byDate[0].OrderID != mo[0].OrderID {
		t.Fatalf("GetMFOrdersByDate: %+v %v", byDate, err)
	}
	sips, err := kc.GetMFSIPs()
	if err != nil || len(sips) != 2 || sips[0].Created.IsZero() {
		t.Fatalf("GetMFSIPs: %+v %v", sips, err)
	}
	if sip, err := kc.GetMFSIPInfo(sips[1].ID); err != nil || sip.Status != "PAUSED" {
		t.Fatalf("GetMFSIPInfo: %+v %v", sip, err)
	}
	funds, err := kc.GetMFInstruments()
	if err != nil || len(funds) != 6 || funds[0].Tradingsymbol != "INF000S01AA1" || funds[0].LastPrice != 152.4321 {
		t.Fatalf("GetMFInstruments: %+v %v", funds, err)
	}
	// Writes are refused, as Kite refuses them to apps. (gokiteconnect
	// v4.4.0 knows the type as "PermissionError", not Kite's
	// "PermissionException", so it reports a GeneralException; the status
	// and message are Kite's.)
	_, err = kc.PlaceMFOrder(kiteconnect.MFOrderParams{Tradingsymbol: "INF000S01AA1", TransactionType: "BUY", Amount: 5000})
	var ke kiteconnect.Error
	if !errors.As(err, &ke) || !strings.Contains(ke.Message, "Coin") {
		t.Fatalf("PlaceMFOrder: %v", err)
	}
}

// niftyCallSpread is a bull call spread on the sandbox's nearest NIFTY
// calls: sell one strike, buy the next one up.
func niftyCallSpread(t *testing.T, kc *kiteconnect.Client) []kiteconnect.OrderMarginParam {
	t.Helper()
	insts, err := kc.GetInstrumentsByExchange("NFO")
	if err != nil {
		t.Fatal(err)
	}
	var low, high *kiteconnect.Instrument
	for i := range insts {
		in := &insts[i]
		if in.Name != "NIFTY" || in.InstrumentType != "CE" {
			continue
		}
		if low == nil {
			low = in
		} else if in.Expiry.Equal(low.Expiry.Time) && in.StrikePrice > low.StrikePrice {
			high = in
			break
		}
	}
	if low == nil || high == nil {
		t.Fatal("no NIFTY call spread")
	}
	leg := func(in *kiteconnect.Instrument, side string, price float64) kiteconnect.OrderMarginParam {
		return kiteconnect.OrderMarginParam{Exchange: "NFO", Tradingsymbol: in.Tradingsymbol, TransactionType: side,
			Variety: "regular", Product: "NRML", OrderType: "LIMIT", Quantity: in.LotSize, Price: price}
	}
	return []kiteconnect.OrderMarginParam{leg(low, "SELL", 100), leg(high, "BUY", 40)}
}
