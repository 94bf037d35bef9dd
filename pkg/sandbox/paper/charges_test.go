package paper

import (
	"math"
	"testing"

	"github.com/kitecli/kite/pkg/sandbox/market"
)

// TestChargesSchedule checks ChargesFor against figures computed by hand
// from the published schedule, one row per segment.
//
// Sources (read 25 Nov 2026 through the search tool; Zerodha's own
// zerodha.com/charges page was not retrievable, so each rate is taken from
// a page that states it, and the exchange and statutory levies are the
// same at every broker):
//   - Brokerage: support.zerodha.com, "What is the brokerage for Futures
//     and Options?" (0.03% or ₹20 an executed order, whichever is lower,
//     for futures; flat ₹20 for options); zerodha.com/brokerage-calculator
//     (₹0 equity delivery; intraday, currency and commodity futures 0.03%
//     or ₹20; options ₹20).
//   - STT, exchange charges, SEBI fee, stamp duty, GST for equity and
//     equity F&O: tradejini.com/charges and basantsecurities.com/list.html
//     ("List of Charges Wef. 1st Oct 2024"): STT 0.1% buy & sell delivery,
//     0.025% sell intraday, 0.02% sell futures, 0.1% sell options premium;
//     NSE 0.00297% / BSE 0.00375% equity, NSE 0.00173% / BSE nil futures,
//     NSE 0.03503% / BSE 0.0325% options premium; SEBI ₹10 a crore; stamp
//     0.015% delivery, 0.003% intraday, 0.002% futures, 0.003% options, buy
//     side; GST 18% on brokerage + SEBI + transaction charges.
//   - Currency: support.hdfcsky.com "What are Statutory Currency
//     pricing?": NSE 0.00035% / BSE 0.00045% futures, NSE 0.0311% / BSE
//     0.001% options premium, stamp 0.0001% buy side, no STT.
//   - Commodity: v2.webnotes.in/mcx-transaction-charges-brokers/ ("as
//     published on Zerodha's charges page on 19 June 2026": MCX 0.0021%
//     futures, 0.0418% options premium) and support.hdfcsky.com statutory
//     commodity (CTT 0.01% sell futures non-agri, 0.05% sell options; stamp
//     0.002% futures, 0.003% options, buy side).
func TestChargesSchedule(t *testing.T) {
	eq := func(ex string) market.Instrument {
		return market.Instrument{Exchange: ex, Segment: ex, InstrumentType: "EQ", Multiplier: 1}
	}
	fut := func(ex string, mult int64) market.Instrument {
		return market.Instrument{Exchange: ex, Segment: ex + "-FUT", InstrumentType: "FUT", Multiplier: mult}
	}
	opt := func(ex string, mult int64) market.Instrument {
		return market.Instrument{Exchange: ex, Segment: ex + "-OPT", InstrumentType: "CE", Multiplier: mult}
	}
	cases := []struct {
		name          string
		in            market.Instrument
		product, side string
		qty, price    float64
		want          Charges
	}{
		// 10 × 1500 = 15,000. STT 0.1% = 15; NSE 0.00297% = 0.4455; SEBI
		// 0.015; stamp 0.015% = 2.25; GST 18% × (0 + 0.4455 + 0.015) =
		// 0.08289; total 17.79339.
		{"equity delivery buy NSE", eq("NSE"), "CNC", "BUY", 10, 1500,
			Charges{15, "stt", 0.4455, 0.015, 0, 2.25, GST{0.08289, 0, 0, 0.08289}, 17.79339}},
		// 100 × 500 = 50,000. Brokerage min(15, 20) = 15; STT 0.025% sell =
		// 12.5; NSE 1.485; SEBI 0.05; no stamp on a sell; GST 18% × 16.535 =
		// 2.9763; total 32.0113.
		{"equity intraday sell NSE", eq("NSE"), "MIS", "SELL", 100, 500,
			Charges{12.5, "stt", 1.485, 0.05, 15, 0, GST{2.9763, 0, 0, 2.9763}, 32.0113}},
		// 10 × 100 = 1,000. Brokerage 0.3; no STT on a buy; BSE 0.0375;
		// SEBI 0.001; stamp 0.003% = 0.03; GST 18% × 0.3385 = 0.06093;
		// total 0.42943.
		{"equity intraday buy BSE", eq("BSE"), "MIS", "BUY", 10, 100,
			Charges{0, "stt", 0.0375, 0.001, 0.3, 0.03, GST{0.06093, 0, 0, 0.06093}, 0.42943}},
		// 75 × 24,000 = 18,00,000. Brokerage min(540, 20) = 20; no STT on a
		// buy; NSE 0.00173% = 31.14; SEBI 1.8; stamp 0.002% = 36; GST 18% ×
		// 52.94 = 9.5292; total 98.4692.
		{"index futures buy", fut("NFO", 1), "NRML", "BUY", 75, 24000,
			Charges{0, "stt", 31.14, 1.8, 20, 36, GST{9.5292, 0, 0, 9.5292}, 98.4692}},
		// 75 × 120 = 9,000 premium. Brokerage 20; STT 0.1% = 9; NSE
		// 0.03503% = 3.1527; SEBI 0.009; GST 18% × 23.1617 = 4.169106;
		// total 36.330806.
		{"index options sell", opt("NFO", 1), "NRML", "SELL", 75, 120,
			Charges{9, "stt", 3.1527, 0.009, 20, 0, GST{4.169106, 0, 0, 4.169106}, 36.330806}},
		// 1 lot × 88.5 × 1000 = 88,500. Brokerage min(26.55, 20) = 20; no
		// STT; NSE 0.00035% = 0.30975; SEBI 0.0885; stamp 0.0001% = 0.0885;
		// GST 18% × 20.39825 = 3.671685; total 24.158435.
		{"currency futures buy", fut("CDS", 1000), "NRML", "BUY", 1, 88.5,
			Charges{0, "stt", 0.30975, 0.0885, 20, 0.0885, GST{3.671685, 0, 0, 3.671685}, 24.158435}},
		// 1 lot × 5800 × 100 = 5,80,000. Brokerage 20; CTT 0.01% = 58; MCX
		// 0.0021% = 12.18; SEBI 0.58; GST 18% × 32.76 = 5.8968; total
		// 96.6568.
		{"commodity futures sell", fut("MCX", 100), "NRML", "SELL", 1, 5800,
			Charges{58, "ctt", 12.18, 0.58, 20, 0, GST{5.8968, 0, 0, 5.8968}, 96.6568}},
		// 1 lot × 150 × 100 = 15,000 premium. Brokerage 20; no CTT on a
		// buy; MCX 0.0418% = 6.27; SEBI 0.015; stamp 0.003% = 0.45; GST 18%
		// × 26.285 = 4.7313; total 31.4663.
		{"commodity options buy", opt("MCX", 100), "NRML", "BUY", 1, 150,
			Charges{0, "ctt", 6.27, 0.015, 20, 0.45, GST{4.7313, 0, 0, 4.7313}, 31.4663}},
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
	for _, c := range cases {
		got := ChargesFor(&c.in, c.product, c.side, c.qty, c.price)
		w := c.want
		if got.TransactionTaxType != w.TransactionTaxType ||
			!near(got.TransactionTax, w.TransactionTax) || !near(got.ExchangeTurnoverCharge, w.ExchangeTurnoverCharge) ||
			!near(got.SEBITurnoverCharge, w.SEBITurnoverCharge) || !near(got.Brokerage, w.Brokerage) ||
			!near(got.StampDuty, w.StampDuty) || !near(got.GST.IGST, w.GST.IGST) || !near(got.GST.Total, w.GST.Total) ||
			got.GST.CGST != 0 || got.GST.SGST != 0 || !near(got.Total, w.Total) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, w)
		}
	}
}
