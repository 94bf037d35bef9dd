package kite

import (
	"strings"
	"testing"
)

func TestParseMFInstrumentsCSV(t *testing.T) {
	in := "tradingsymbol,amc,name,purchase_allowed,redemption_allowed,minimum_purchase_amount,purchase_amount_multiplier,minimum_additional_purchase_amount,minimum_redemption_quantity,redemption_quantity_multiplier,dividend_type,scheme_type,plan,settlement_type,last_price,last_price_date\n" +
		"INF000S01AA1,SandboxMutualFund_MF,\"Sandbox Nifty 50 Index Fund, Direct\",1,0,100,1,100,0.001,0.001,growth,equity,direct,T1,152.4321,2026-11-24\n"
	got, err := ParseMFInstrumentsCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := MFInstrument{Tradingsymbol: "INF000S01AA1", AMC: "SandboxMutualFund_MF", Name: "Sandbox Nifty 50 Index Fund, Direct",
		PurchaseAllowed: true, MinimumPurchaseAmount: 100, PurchaseAmountMultiplier: 1, MinimumAdditionalPurchaseAmount: 100,
		MinimumRedemptionQuantity: 0.001, RedemptionQuantityMultiplier: 0.001, DividendType: "growth", SchemeType: "equity",
		Plan: "direct", SettlementType: "T1", LastPrice: 152.4321, LastPriceDate: "2026-11-24"}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("got %+v", got)
	}
	for _, c := range []struct{ in, want string }{
		{"", "no header"},
		{"name,amc\n", "no tradingsymbol column"},
		{"tradingsymbol,name,last_price\nX,Y,abc\n", "line 2: last_price is not a number"},
		{"tradingsymbol,name,last_price\nX,\"Y,1\n", "line 2: malformed CSV"},
	} {
		if _, err := ParseMFInstrumentsCSV(strings.NewReader(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.in, err, c.want)
		}
	}
}

func FuzzParseMFInstrumentsCSV(f *testing.F) {
	f.Add("tradingsymbol,name,last_price\nINF1,Fund,10.5\n")
	f.Add("tradingsymbol,amc,name,purchase_allowed,last_price\nA,B,C,1,x\n")
	f.Add("\"\n")
	f.Fuzz(func(t *testing.T, s string) {
		out, err := ParseMFInstrumentsCSV(strings.NewReader(s))
		if err != nil {
			if strings.Contains(err.Error(), "strconv") || strings.Contains(err.Error(), "parse error") {
				t.Fatalf("Go-internal message: %v", err)
			}
			return
		}
		_ = out
	})
}
