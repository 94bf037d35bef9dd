package paper

import (
	"math"
	"testing"

	"github.com/kitecli/kite/pkg/sandbox/market"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// Position arithmetic with hand-computed figures.
func TestPositionPnL(t *testing.T) {
	eq := market.Instrument{Token: 408065, TickSize: 5, LotSize: 1, Multiplier: 1, Segment: "NSE", Exchange: "NSE"}
	usd := market.Instrument{Token: 512259, TickSize: 25000, LotSize: 1, Multiplier: 1000, Segment: "CDS-FUT", Exchange: "CDS", InstrumentType: "FUT"}
	for _, c := range []struct {
		name                 string
		p                    position
		ltp                  int64
		realised, unrealised float64
	}{
		// Buy 10 @ 100, sell 4 @ 110, last 105: 4 × 10 booked, 6 × 5 open.
		{"partly closed long", position{in: eq, buyQty: 10, buyVal: 1000, sellQty: 4, sellVal: 440}, 10500, 40, 30},
		// Sell 5 @ 200, last 190: short 5, 50 up.
		{"open short", position{in: eq, sellQty: 5, sellVal: 1000}, 19000, 0, 50},
		// Buy 3 @ 50, sell 3 @ 45: flat, 15 lost whatever the price.
		{"closed at a loss", position{in: eq, buyQty: 3, buyVal: 150, sellQty: 3, sellVal: 135}, 99900, -15, 0},
		// 2 lots of USDINR bought at 88.5 (value 2 × 88.5 × 1000), last 88.5025:
		// 2 × 0.0025 × 1000 = 5 rupees up.
		{"currency multiplier", position{in: usd, buyQty: 2, buyVal: 177000}, 885025000, 0, 5},
	} {
		r, u := c.p.pnl(c.ltp)
		if !near(r, c.realised) || !near(u, c.unrealised) {
			t.Errorf("%s: realised %v unrealised %v, want %v and %v", c.name, r, u, c.realised, c.unrealised)
		}
	}
}

func TestMarginFor(t *testing.T) {
	eq := market.Instrument{Token: 408065, TickSize: 5, LotSize: 1, Multiplier: 1, Segment: "NSE", Exchange: "NSE", InstrumentType: "EQ"}
	fut := market.Instrument{Token: 8960258, TickSize: 5, LotSize: 75, Multiplier: 1, Segment: "NFO-FUT", Exchange: "NFO", InstrumentType: "FUT"}
	opt := market.Instrument{Token: 8963074, TickSize: 5, LotSize: 75, Multiplier: 1, Segment: "NFO-OPT", Exchange: "NFO", InstrumentType: "CE", Strike: 2600000}
	crude := market.Instrument{Token: 115200263, TickSize: 100, LotSize: 1, Multiplier: 100, Segment: "MCX-FUT", Exchange: "MCX", InstrumentType: "FUT"}
	usd := market.Instrument{Token: 512259, TickSize: 25000, LotSize: 1, Multiplier: 1000, Segment: "CDS-FUT", Exchange: "CDS", InstrumentType: "FUT"}
	for _, c := range []struct {
		name    string
		in      market.Instrument
		product string
		qty, px int64
		want    float64
		bucket  bucket
	}{
		{"CNC: the full value", eq, "CNC", 10, 150000, 15000, bucketDelivery},
		{"MIS equity: 20%", eq, "MIS", 10, 150000, 3000, bucketExposure},
		{"MIS short equity: 20%", eq, "MIS", -10, 150000, 3000, bucketExposure},
		{"MTF: 50%", eq, "MTF", 10, 150000, 7500, bucketExposure},
		{"NFO future: 12% of 75 × 26000", fut, "NRML", 75, 2600000, 234000, bucketSpan},
		{"option bought: the premium", opt, "NRML", 75, 20000, 15000, bucketPremium},
		{"option written: 12% of the strike value", opt, "NRML", -75, 20000, 234000, bucketSpan},
		{"MCX: 8% of 1 × 5300 × 100", crude, "NRML", 1, 530000, 42400, bucketSpan},
		{"CDS: 3% of 1 × 88.5 × 1000", usd, "NRML", 1, 885000000, 2655, bucketSpan},
	} {
		got, b := marginFor(&c.in, c.product, c.qty, c.px)
		if !near(got, c.want) || b != c.bucket {
			t.Errorf("%s: %v in bucket %d, want %v in %d", c.name, got, b, c.want, c.bucket)
		}
	}
}
