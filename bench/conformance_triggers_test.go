package bench

import (
	"io"
	"math"
	"net/http"
	"net/url"
	"testing"

	"github.com/kitecli/kite/pkg/sandbox"
	kiteconnect "github.com/zerodha/gokiteconnect/v4"
)

// GTTs and alerts, driven by Zerodha's official Go client (v4.4.0) against
// the sandbox: every endpoint, and a GTT and an alert that fire.

func tickRound(v float64) float64 { return math.Round(v*20) / 20 }

func ltpOf(t *testing.T, kc *kiteconnect.Client, key string) float64 {
	t.Helper()
	q, err := kc.GetLTP(key)
	if err != nil || q[key].LastPrice <= 0 {
		t.Fatalf("LTP %s: %+v %v", key, q, err)
	}
	return q[key].LastPrice
}

func TestConformanceGTT(t *testing.T) {
	srv := startSandbox(t)
	kc := kiteconnect.New(sandbox.APIKey)
	kc.SetBaseURI(srv.URL())
	kc.SetAccessToken(srv.AccessToken())
	ltp := ltpOf(t, kc, "NSE:INFY")

	// A trigger 0.1% from the price is refused (Kite wants 0.25%).
	near := tickRound(ltp * 0.999)
	_, err := kc.PlaceGTT(kiteconnect.GTTParams{Tradingsymbol: "INFY", Exchange: "NSE", LastPrice: ltp, TransactionType: kiteconnect.TransactionTypeBuy,
		Trigger: &kiteconnect.GTTSingleLegTrigger{TriggerParams: kiteconnect.TriggerParams{TriggerValue: near, LimitPrice: near, Quantity: 1}}})
	if !isKiteError(err, kiteconnect.InputError) {
		t.Fatalf("trigger too close: want an InputException, got %v", err)
	}

	lo, hi := tickRound(ltp*0.97), tickRound(ltp*1.03)
	oco, err := kc.PlaceGTT(kiteconnect.GTTParams{Tradingsymbol: "INFY", Exchange: "NSE", LastPrice: ltp, TransactionType: kiteconnect.TransactionTypeSell,
		Trigger: &kiteconnect.GTTOneCancelsOtherTrigger{
			Lower: kiteconnect.TriggerParams{TriggerValue: lo, LimitPrice: lo, Quantity: 1},
			Upper: kiteconnect.TriggerParams{TriggerValue: hi, LimitPrice: hi, Quantity: 1},
		}})
	if err != nil || oco.TriggerID == 0 {
		t.Fatalf("PlaceGTT two-leg: %+v %v", oco, err)
	}
	g, err := kc.GetGTT(oco.TriggerID)
	if err != nil || g.Type != kiteconnect.GTTTypeOCO || g.Status != "active" || len(g.Orders) != 2 ||
		g.Condition.TriggerValues[0] != lo || g.Orders[1].Price != hi || g.ExpiresAt.Time.Sub(g.CreatedAt.Time).Hours() < 365*24 {
		t.Fatalf("GetGTT: %+v %v", g, err)
	}
	mod, err := kc.ModifyGTT(oco.TriggerID, kiteconnect.GTTParams{Tradingsymbol: "INFY", Exchange: "NSE", LastPrice: ltp, TransactionType: kiteconnect.TransactionTypeSell,
		Trigger: &kiteconnect.GTTSingleLegTrigger{TriggerParams: kiteconnect.TriggerParams{TriggerValue: lo, LimitPrice: lo, Quantity: 2}}})
	if err != nil || mod.TriggerID != oco.TriggerID {
		t.Fatalf("ModifyGTT: %+v %v", mod, err)
	}
	if g, err = kc.GetGTT(oco.TriggerID); err != nil || g.Type != kiteconnect.GTTTypeSingle || g.Orders[0].Quantity != 2 {
		t.Fatalf("after ModifyGTT: %+v %v", g, err)
	}

	// Sent with a stale last price above its trigger while the price is
	// already below it, a single GTT fires on the next market step.
	up := tickRound(ltp * 1.01)
	fired, err := kc.PlaceGTT(kiteconnect.GTTParams{Tradingsymbol: "INFY", Exchange: "NSE", LastPrice: tickRound(ltp * 1.02), TransactionType: kiteconnect.TransactionTypeBuy,
		Trigger: &kiteconnect.GTTSingleLegTrigger{TriggerParams: kiteconnect.TriggerParams{TriggerValue: up, LimitPrice: up, Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		g, err := kc.GetGTT(fired.TriggerID)
		return err == nil && g.Status == "triggered"
	})
	list, err := kc.GetGTTs()
	if err != nil || len(list) != 2 {
		t.Fatalf("GetGTTs: %+v %v", list, err)
	}
	orders, err := kc.GetOrders()
	if err != nil || len(orders) != 1 || orders[0].TransactionType != kiteconnect.TransactionTypeBuy || orders[0].Price != up {
		t.Fatalf("the triggered GTT's order: %+v %v", orders, err)
	}
	del, err := kc.DeleteGTT(oco.TriggerID)
	if err != nil || del.TriggerID != oco.TriggerID {
		t.Fatalf("DeleteGTT: %+v %v", del, err)
	}
	if list, err = kc.GetGTTs(); err != nil || len(list) != 1 || list[0].ID != fired.TriggerID {
		t.Fatalf("GetGTTs after delete: %+v %v", list, err)
	}
	if _, err := kc.GetGTT(999); !isKiteError(err, kiteconnect.InputError) {
		t.Fatalf("GetGTT of an unknown ID: %v", err)
	}
}

func TestConformanceAlerts(t *testing.T) {
	srv := startSandbox(t)
	kc := kiteconnect.New(sandbox.APIKey)
	kc.SetBaseURI(srv.URL())
	accessToken := srv.AccessToken()
	kc.SetAccessToken(accessToken)
	ltp := ltpOf(t, kc, "NSE:INFY")

	simple, err := kc.CreateAlert(kiteconnect.AlertParams{Name: "nifty high", Type: kiteconnect.AlertTypeSimple,
		LHSExchange: "INDICES", LHSTradingSymbol: "NIFTY 50", LHSAttribute: "LastTradedPrice",
		Operator: kiteconnect.AlertOperatorGE, RHSType: "constant", RHSConstant: 1e7})
	if err != nil || simple.UUID == "" || simple.Status != kiteconnect.AlertStatusEnabled || simple.RHSConstant != 1e7 {
		t.Fatalf("CreateAlert simple: %+v %v", simple, err)
	}
	if _, err := kc.CreateAlert(kiteconnect.AlertParams{Name: "x", Type: kiteconnect.AlertTypeSimple, LHSExchange: "NSE", LHSTradingSymbol: "INFY",
		LHSAttribute: "LastTradedPrice", Operator: "!=", RHSType: "constant", RHSConstant: 1}); !isKiteError(err, kiteconnect.InputError) {
		t.Fatalf("an unknown operator: want an InputException, got %v", err)
	}
	// An ATO alert that holds at once: it fires on the next step and buys.
	ato, err := kc.CreateAlert(kiteconnect.AlertParams{Name: "buy infy", Type: kiteconnect.AlertTypeATO,
		LHSExchange: "NSE", LHSTradingSymbol: "INFY", LHSAttribute: "LastTradedPrice",
		Operator: kiteconnect.AlertOperatorGE, RHSType: "constant", RHSConstant: tickRound(ltp / 2),
		Basket: &kiteconnect.Basket{Name: "alerts-basket", Type: "alert", Tags: []string{}, Items: []kiteconnect.BasketItem{{
			Type: "insert", TradingSymbol: "INFY", Exchange: "NSE", Weight: 10000,
			Params: kiteconnect.AlertOrderParams{TransactionType: kiteconnect.TransactionTypeBuy, Product: kiteconnect.ProductCNC,
				OrderType: kiteconnect.OrderTypeMarket, Validity: kiteconnect.ValidityDay, Quantity: 1, Variety: kiteconnect.VarietyRegular,
				Tags: []string{}, MarketProtection: kiteconnect.MarketProtectionAuto},
		}}}})
	if err != nil || ato.Type != kiteconnect.AlertTypeATO || ato.Basket == nil || len(ato.Basket.Items) != 1 {
		t.Fatalf("CreateAlert ATO: %+v %v", ato, err)
	}
	var hist []kiteconnect.AlertHistory
	waitFor(t, func() bool {
		hist, err = kc.GetAlertHistory(ato.UUID)
		return err == nil && len(hist) == 1
	})
	if hist[0].UUID != ato.UUID || len(hist[0].Meta) != 1 || hist[0].Meta[0].TradingSymbol != "INFY" || hist[0].Meta[0].LastPrice < ltp/2 {
		t.Fatalf("GetAlertHistory: %+v", hist)
	}
	got, err := kc.GetAlert(ato.UUID)
	if err != nil || got.Status != kiteconnect.AlertStatusDisabled || got.AlertCount != 1 {
		t.Fatalf("a fired alert is disabled with a count of 1: %+v %v", got, err)
	}
	orders, err := kc.GetOrders()
	if err != nil || len(orders) != 1 || orders[0].TradingSymbol != "INFY" || orders[0].MarketProtection != -1 {
		t.Fatalf("the ATO order: %+v %v", orders, err)
	}

	mod, err := kc.ModifyAlert(simple.UUID, kiteconnect.AlertParams{Name: "nifty higher", Type: kiteconnect.AlertTypeSimple,
		LHSExchange: "INDICES", LHSTradingSymbol: "NIFTY 50", LHSAttribute: "LastTradedPrice",
		Operator: kiteconnect.AlertOperatorGT, RHSType: "instrument", RHSExchange: "INDICES", RHSTradingSymbol: "NIFTY BANK", RHSAttribute: "LastTradedPrice"})
	if err != nil || mod.Name != "nifty higher" || mod.RHSType != "instrument" || mod.RHSTradingSymbol != "NIFTY BANK" {
		t.Fatalf("ModifyAlert: %+v %v", mod, err)
	}
	all, err := kc.GetAlerts(nil)
	if err != nil || len(all) != 2 {
		t.Fatalf("GetAlerts: %+v %v", all, err)
	}
	disabled, err := kc.GetAlerts(map[string]string{"status": "disabled"})
	if err != nil || len(disabled) != 1 || disabled[0].UUID != ato.UUID {
		t.Fatalf("GetAlerts status=disabled: %+v %v", disabled, err)
	}
	// gokiteconnect v4.4.0's DeleteAlerts puts the uuids in the URL's query,
	// which its HTTP layer then replaces with the (empty) parameters of a
	// DELETE: the request carries no uuid. The sandbox refuses it as Kite's
	// API documents the uuid parameter as required, and deletes nothing.
	if err := kc.DeleteAlerts(simple.UUID, ato.UUID); !isKiteError(err, kiteconnect.InputError) {
		t.Fatalf("DeleteAlerts (no uuid reaches the server in v4.4.0): want an InputException, got %v", err)
	}
	if all, err = kc.GetAlerts(nil); err != nil || len(all) != 2 {
		t.Fatalf("GetAlerts after a DeleteAlerts without uuids: %+v %v", all, err)
	}
	// The request Kite documents, DELETE /alerts?uuid=…&uuid=…, with the
	// client's own credentials, deletes both.
	req, err := http.NewRequest(http.MethodDelete, srv.URL()+"/alerts?"+url.Values{"uuid": {simple.UUID, ato.UUID}}.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Kite-Version", "3")
	req.Header.Set("Authorization", "token "+sandbox.APIKey+":"+accessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != `{"status":"success","data":null}` {
		t.Fatalf("DELETE /alerts?uuid=…: %d %s", resp.StatusCode, body)
	}
	if all, err = kc.GetAlerts(nil); err != nil || len(all) != 0 {
		t.Fatalf("GetAlerts after delete: %+v %v", all, err)
	}
}
