package bench

import (
	"context"
	"errors"
	"math"
	"net/url"
	"testing"
	"time"
	_ "time/tzdata" // gokiteconnect loads Asia/Kolkata

	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/sandboxtest"
	kiteconnect "github.com/zerodha/gokiteconnect/v4"
	"github.com/zerodha/gokiteconnect/v4/models"
	kiteticker "github.com/zerodha/gokiteconnect/v4/ticker"
)

const (
	infyToken  = 408065
	niftyToken = 256265
)

// startSandbox starts a sandbox for a conformance test. The limits are
// raised from Kite's (quotes 1/s, the rest 10/s) because the test fires its
// calls back to back, where a real application would pace them; the limits
// themselves are tested in pkg/sandbox.
func startSandbox(t *testing.T) *sandboxtest.Server {
	t.Helper()
	return sandboxtest.NewServer(t, sandbox.Options{
		Seed:         3,
		TickInterval: 50 * time.Millisecond,
		RateLimits:   sandbox.RateLimits{Quote: 20, Other: 100},
	})
}

// connectLogin walks the Connect login as a browser would: the login page
// redirects to the app with a request_token, which GenerateSession
// exchanges (with the checksum) for an access token.
func connectLogin(t *testing.T, srv *sandboxtest.Server, kc *kiteconnect.Client) kiteconnect.UserSession {
	t.Helper()
	// GetLoginURL is hard-wired to kite.zerodha.com; the page is at the
	// sandbox's root, where RequestToken opens it.
	reqTok := srv.RequestToken(t)
	sess, err := kc.GenerateSession(reqTok, sandbox.APISecret)
	if err != nil {
		t.Fatalf("GenerateSession: %v", err)
	}
	if sess.AccessToken == "" || sess.UserID != sandbox.UserID {
		t.Fatalf("session: %+v", sess)
	}
	return sess
}

func TestConformanceREST(t *testing.T) {
	srv := startSandbox(t)
	kc := kiteconnect.New(sandbox.APIKey)
	kc.SetBaseURI(srv.URL())

	// A wrong secret fails the checksum, as on Kite.
	if _, err := kc.GenerateSession("no-such-token", "wrong-secret"); !isKiteError(err, kiteconnect.TokenError) {
		t.Fatalf("bad checksum: %v", err)
	}
	connectLogin(t, srv, kc)

	prof, err := kc.GetUserProfile()
	if err != nil || prof.UserID != sandbox.UserID || len(prof.Exchanges) == 0 {
		t.Fatalf("GetUserProfile: %+v %v", prof, err)
	}
	margins, err := kc.GetUserMargins()
	if err != nil || !margins.Equity.Enabled || margins.Equity.Net <= 0 {
		t.Fatalf("GetUserMargins: %+v %v", margins, err)
	}
	if eq, err := kc.GetUserSegmentMargins("equity"); err != nil || eq.Net != margins.Equity.Net {
		t.Fatalf("GetUserSegmentMargins: %+v %v", eq, err)
	}
	holdings, err := kc.GetHoldings()
	if err != nil || len(holdings) == 0 || holdings[0].Tradingsymbol == "" || holdings[0].LastPrice <= 0 {
		t.Fatalf("GetHoldings: %+v %v", holdings, err)
	}
	if _, err := kc.GetPositions(); err != nil {
		t.Fatalf("GetPositions: %v", err)
	}

	quote, err := kc.GetQuote("NSE:INFY", "NSE:NIFTY 50", "NSE:NOSUCHSYMBOL")
	if err != nil {
		t.Fatalf("GetQuote: %v", err)
	}
	q, ok := quote["NSE:INFY"]
	if !ok || len(quote) != 2 || q.InstrumentToken != infyToken || q.LastPrice <= 0 || q.Timestamp.IsZero() ||
		q.OHLC.Low > q.OHLC.High || q.Depth.Buy[0].Price <= 0 || q.Depth.Buy[0].Price > q.Depth.Sell[0].Price {
		t.Fatalf("GetQuote: %+v", quote)
	}
	ohlc, err := kc.GetOHLC("NSE:INFY")
	if err != nil || ohlc["NSE:INFY"].InstrumentToken != infyToken || ohlc["NSE:INFY"].OHLC.High < ohlc["NSE:INFY"].OHLC.Low {
		t.Fatalf("GetOHLC: %+v %v", ohlc, err)
	}
	ltp, err := kc.GetLTP("NSE:INFY")
	if err != nil || !near(ltp["NSE:INFY"].LastPrice, q.LastPrice, 0.05) {
		t.Fatalf("GetLTP: %+v %v (quote %v)", ltp, err, q.LastPrice)
	}

	insts, err := kc.GetInstruments()
	if err != nil || len(insts) < 50 {
		t.Fatalf("GetInstruments: %d %v", len(insts), err)
	}
	var sawInfy, sawOption bool
	for _, in := range insts {
		sawInfy = sawInfy || in.InstrumentToken == infyToken && in.Tradingsymbol == "INFY" && in.TickSize == 0.05
		sawOption = sawOption || in.InstrumentType == "CE" && !in.Expiry.IsZero() && in.StrikePrice > 0
	}
	if !sawInfy || !sawOption {
		t.Fatalf("instrument dump lacks INFY (%v) or a dated option (%v)", sawInfy, sawOption)
	}
	nse, err := kc.GetInstrumentsByExchange("NSE")
	if err != nil || len(nse) == 0 || len(nse) >= len(insts) {
		t.Fatalf("GetInstrumentsByExchange: %d %v", len(nse), err)
	}

	// Historical: a past week of days, and minutes with OI for a future.
	from := time.Date(2026, 11, 2, 0, 0, 0, 0, time.FixedZone("IST", 19800))
	days, err := kc.GetHistoricalData(infyToken, "day", from, from.AddDate(0, 0, 5), false, false)
	if err != nil || len(days) != 5 || days[0].Date.IsZero() || days[0].Low > days[0].High {
		t.Fatalf("GetHistoricalData day: %+v %v", days, err)
	}
	mins, err := kc.GetHistoricalData(infyToken, "minute", from.Add(9*time.Hour+15*time.Minute), from.Add(9*time.Hour+29*time.Minute), false, true)
	if err != nil || len(mins) != 15 || mins[0].Date.Hour() != 9 || mins[0].Date.Minute() != 15 {
		t.Fatalf("GetHistoricalData minute: %d %v", len(mins), err)
	}
	if _, err := kc.GetHistoricalData(infyToken, "minute", from.AddDate(0, -3, 0), from, false, false); !isKiteError(err, kiteconnect.InputError) {
		t.Fatalf("over-long range: %v", err)
	}

	// Orders: a market order fills; a limit order at the lower circuit
	// rests, is modified, then cancelled.
	res, err := kc.PlaceOrder(kiteconnect.VarietyRegular, kiteconnect.OrderParams{
		Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: kiteconnect.TransactionTypeBuy,
		Quantity: 1, Product: kiteconnect.ProductCNC, OrderType: kiteconnect.OrderTypeMarket, Validity: kiteconnect.ValidityDay,
		MarketProtection: kiteconnect.MarketProtectionAuto,
	})
	if err != nil || res.OrderID == "" {
		t.Fatalf("PlaceOrder market: %+v %v", res, err)
	}
	marketID := res.OrderID
	waitFor(t, func() bool {
		h, err := kc.GetOrderHistory(marketID)
		return err == nil && len(h) > 0 && h[len(h)-1].Status == kiteconnect.OrderStatusComplete
	})
	res, err = kc.PlaceOrder(kiteconnect.VarietyRegular, kiteconnect.OrderParams{
		Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: kiteconnect.TransactionTypeBuy,
		Quantity: 1, Product: kiteconnect.ProductCNC, OrderType: kiteconnect.OrderTypeLimit, Validity: kiteconnect.ValidityDay,
		Price: q.LowerCircuitLimit, Tag: "conformance",
	})
	if err != nil {
		t.Fatalf("PlaceOrder limit: %v", err)
	}
	limitID := res.OrderID
	if res, err = kc.ModifyOrder(kiteconnect.VarietyRegular, limitID, kiteconnect.OrderParams{Quantity: 2, Price: q.LowerCircuitLimit}); err != nil || res.OrderID != limitID {
		t.Fatalf("ModifyOrder: %+v %v", res, err)
	}
	if res, err = kc.CancelOrder(kiteconnect.VarietyRegular, limitID, nil); err != nil || res.OrderID != limitID {
		t.Fatalf("CancelOrder: %+v %v", res, err)
	}
	orders, err := kc.GetOrders()
	if err != nil || len(orders) != 2 {
		t.Fatalf("GetOrders: %+v %v", orders, err)
	}
	if o := orders[1]; o.OrderID != limitID || o.Status != kiteconnect.OrderStatusCancelled || o.Quantity != 2 || o.Tag != "conformance" || o.OrderTimestamp.IsZero() {
		t.Fatalf("cancelled order: %+v", o)
	}
	if o := orders[0]; o.Status != kiteconnect.OrderStatusComplete || o.FilledQuantity != 1 || o.AveragePrice <= 0 {
		t.Fatalf("filled order: %+v", o)
	}
	trades, err := kc.GetTrades()
	if err != nil || len(trades) != 1 || trades[0].OrderID != marketID || trades[0].AveragePrice <= 0 {
		t.Fatalf("GetTrades: %+v %v", trades, err)
	}
	if ot, err := kc.GetOrderTrades(marketID); err != nil || len(ot) != 1 {
		t.Fatalf("GetOrderTrades: %+v %v", ot, err)
	}
	pos, err := kc.GetPositions()
	if err != nil || len(pos.Net) != 1 || pos.Net[0].Quantity != 1 || pos.Net[0].Tradingsymbol != "INFY" {
		t.Fatalf("GetPositions after a fill: %+v %v", pos, err)
	}
	if _, err := kc.GetOrderHistory("000"); err == nil {
		t.Fatal("unknown order id answered")
	}

	// Logout, after which the token is dead.
	if ok, err := kc.InvalidateAccessToken(); err != nil || !ok {
		t.Fatalf("InvalidateAccessToken: %v %v", ok, err)
	}
	if _, err := kc.GetUserProfile(); !isKiteError(err, kiteconnect.TokenError) {
		t.Fatalf("after logout: %v", err)
	}
}

func TestConformanceTicker(t *testing.T) {
	srv := startSandbox(t)
	kc := kiteconnect.New(sandbox.APIKey)
	kc.SetBaseURI(srv.URL())
	sess := connectLogin(t, srv, kc)

	ticksC, orderC, errC := serveOfficialTicker(t, srv, sess.AccessToken, infyToken, niftyToken)

	// Full ticks for both instruments that parse and agree with /quote.
	got := map[uint32]models.Tick{}
	deadline := time.After(15 * time.Second)
	for len(got) < 2 {
		select {
		case tick := <-ticksC:
			if tick.Mode == string(kiteticker.ModeFull) {
				got[tick.InstrumentToken] = tick
			}
		case err := <-errC:
			t.Fatalf("ticker error: %v", err)
		case <-deadline:
			t.Fatalf("no full ticks for both instruments: %+v", got)
		}
	}
	quote, err := kc.GetQuote("NSE:INFY", "NSE:NIFTY 50")
	if err != nil {
		t.Fatal(err)
	}
	for key, tok := range map[string]uint32{"NSE:INFY": infyToken, "NSE:NIFTY 50": niftyToken} {
		q, tick := quote[key], got[tok]
		if uint32(q.InstrumentToken) != tok || !near(tick.LastPrice, q.LastPrice, 0.05) || tick.OHLC.Close != q.OHLC.Close ||
			tick.LastPrice < q.LowerCircuitLimit && q.LowerCircuitLimit > 0 || tick.Timestamp.IsZero() {
			t.Fatalf("%s: tick %+v disagrees with quote %+v", key, tick, q)
		}
	}
	infy := got[infyToken]
	if !infy.IsTradable || infy.Depth.Buy[0].Price <= 0 || infy.Depth.Sell[0].Price < infy.Depth.Buy[0].Price || infy.VolumeTraded == 0 {
		t.Fatalf("implausible full tick: %+v", infy)
	}
	if nifty := got[niftyToken]; nifty.IsTradable || !nifty.IsIndex || nifty.LastPrice <= 0 {
		t.Fatalf("index tick: %+v", nifty)
	}

	// An order placed over REST comes back as order updates.
	res, err := kc.PlaceOrder(kiteconnect.VarietyRegular, kiteconnect.OrderParams{
		Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: kiteconnect.TransactionTypeBuy,
		Quantity: 1, Product: kiteconnect.ProductMIS, OrderType: kiteconnect.OrderTypeMarket, Validity: kiteconnect.ValidityDay,
		MarketProtection: kiteconnect.MarketProtectionAuto,
	})
	if err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case o := <-orderC:
			if o.OrderID != res.OrderID {
				t.Fatalf("update for another order: %+v", o)
			}
			if o.Status == kiteconnect.OrderStatusComplete {
				if o.FilledQuantity != 1 || o.AveragePrice <= 0 || o.TransactionType != "BUY" {
					t.Fatalf("complete update: %+v", o)
				}
				return
			}
		case err := <-errC:
			t.Fatalf("ticker error: %v", err)
		case <-time.After(15 * time.Second):
			t.Fatal("no order update")
		}
	}
}

func isKiteError(err error, typ string) bool {
	var ke kiteconnect.Error
	return errors.As(err, &ke) && ke.ErrorType == typ
}

// near reports whether a and b differ by at most frac of b: prices sampled
// a few ticks apart.
func near(a, b, frac float64) bool { return b > 0 && math.Abs(a-b) <= frac*b }

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 300 {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("condition not met in 15s")
}

// serveOfficialTicker connects gokiteconnect's ticker to srv, subscribes
// tokens in full mode, and serves it until the test ends. Ticks and errors
// that find their channel full are dropped, so a slow test never blocks
// the client's read loop.
func serveOfficialTicker(t *testing.T, srv *sandboxtest.Server, accessToken string, tokens ...uint32) (<-chan models.Tick, <-chan kiteconnect.Order, <-chan error) {
	t.Helper()
	u, err := url.Parse(srv.WSURL())
	if err != nil {
		t.Fatal(err)
	}
	tk := kiteticker.New(sandbox.APIKey, accessToken)
	tk.SetRootURL(*u)
	tk.SetAutoReconnect(false)
	ticksC := make(chan models.Tick, 1024)
	orderC := make(chan kiteconnect.Order, 64)
	errC := make(chan error, 16)
	tk.OnConnect(func() {
		if err := tk.Subscribe(tokens); err != nil {
			errC <- err
		}
		if err := tk.SetMode(kiteticker.ModeFull, tokens); err != nil {
			errC <- err
		}
	})
	tk.OnTick(func(t models.Tick) {
		select {
		case ticksC <- t:
		default:
		}
	})
	tk.OnOrderUpdate(func(o kiteconnect.Order) { orderC <- o })
	tk.OnError(func(err error) {
		select {
		case errC <- err:
		default:
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tk.ServeWithContext(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		srv.Close() // ends the ticker's blocked read
		<-done
	})
	return ticksC, orderC, errC
}
