package market_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/kitespec"
	"github.com/kitecli/kite/pkg/sandbox/apierr"
	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/ticks"
)

func tokensOf(m *market.Market) []uint32 {
	var out []uint32
	for _, in := range m.Instruments() {
		out = append(out, in.Token)
	}
	return out
}

func modes(n int, mode ticks.Mode) []ticks.Mode {
	out := make([]ticks.Mode, n)
	for i := range out {
		out[i] = mode
	}
	return out
}

// run steps a fresh market n times, one second apart, and returns it.
func run(seed int64, n int) *market.Market {
	m := market.New(seed, market.Universe(friday), friday)
	for i := 1; i <= n; i++ {
		m.Step(friday.Add(time.Duration(i) * time.Second))
	}
	return m
}

func TestWalkIsDeterministic(t *testing.T) {
	a, b, c := run(7, 500), run(7, 500), run(8, 500)
	toks := tokensOf(a)
	ta := a.AppendTicks(nil, toks, modes(len(toks), ticks.ModeFull))
	tb := b.AppendTicks(nil, toks, modes(len(toks), ticks.ModeFull))
	tc := c.AppendTicks(nil, toks, modes(len(toks), ticks.ModeFull))
	if len(ta) != len(toks) {
		t.Fatalf("got %d ticks for %d tokens", len(ta), len(toks))
	}
	if !reflect.DeepEqual(ta, tb) {
		t.Error("same seed, same steps, different ticks")
	}
	same := 0
	for i := range ta {
		if ta[i].LastPrice == tc[i].LastPrice {
			same++
		}
	}
	if same > len(ta)/2 {
		t.Errorf("seeds 7 and 8 agree on %d of %d prices", same, len(ta))
	}
}

func TestWalkMovesOnTicksWithinCircuits(t *testing.T) {
	m := market.New(3, market.Universe(friday), friday)
	first := map[uint32]int32{}
	moved := map[uint32]bool{}
	for step := 1; step <= 3000; step++ {
		now := friday.Add(time.Duration(step) * time.Second)
		m.Step(now)
		if step%100 != 0 {
			continue
		}
		for _, in := range m.Instruments() {
			tk, ok := m.Tick(in.Token, ticks.ModeFull)
			if !ok {
				t.Fatalf("no tick for %s", in.Key())
			}
			if p, seen := first[in.Token]; !seen {
				first[in.Token] = tk.LastPrice
			} else if p != tk.LastPrice {
				moved[in.Token] = true
			}
			checkTick(t, m, &in, &tk, now)
		}
	}
	for _, in := range m.Instruments() {
		if !moved[in.Token] {
			t.Errorf("%s never moved in 3000 steps", in.Key())
		}
	}
}

// checkTick verifies one full tick's internal consistency.
func checkTick(t *testing.T, m *market.Market, in *market.Instrument, tk *ticks.Tick, now time.Time) {
	t.Helper()
	tick := int32(in.TickSize)
	if in.IsIndex() {
		tick = 5
	}
	lower, upper, _ := m.Circuit(in.Token)
	for name, p := range map[string]int32{"last": tk.LastPrice, "open": tk.Open, "high": tk.High, "low": tk.Low, "close": tk.Close} {
		if p <= 0 || p%tick != 0 {
			t.Fatalf("%s: %s price %d is not a positive multiple of tick %d", in.Key(), name, p, tick)
		}
	}
	if int64(tk.LastPrice) < lower || int64(tk.LastPrice) > upper || int64(tk.High) > upper || int64(tk.Low) < lower {
		t.Fatalf("%s: last %d high %d low %d outside circuit [%d, %d]", in.Key(), tk.LastPrice, tk.High, tk.Low, lower, upper)
	}
	if tk.Low > tk.LastPrice || tk.LastPrice > tk.High || tk.Low > tk.Open || tk.Open > tk.High {
		t.Fatalf("%s: OHLC %d/%d/%d/%d inconsistent with last %d", in.Key(), tk.Open, tk.High, tk.Low, tk.Close, tk.LastPrice)
	}
	if in.IsIndex() {
		if tk.Tradable() || tk.VolumeTraded != 0 || tk.Depth.Buy[0].Quantity != 0 || tk.NetChange != tk.LastPrice-tk.Close {
			t.Fatalf("%s: index tick carries non-index fields: %+v", in.Key(), tk)
		}
		if tk.WireLen() != ticks.LenIndexFull {
			t.Fatalf("%s: index full tick is %d bytes", in.Key(), tk.WireLen())
		}
		return
	}
	// A thinly traded contract (a lot or two a minute) trades at least
	// once a minute, when its minute's volume is complete.
	if tk.ExchangeTimestamp != uint32(now.Unix()) || tk.LastTradeTime > uint32(now.Unix()) || tk.LastTradeTime+60 < uint32(now.Unix()) {
		t.Fatalf("%s: timestamps %d/%d, want %d and a trade in the last minute", in.Key(), tk.ExchangeTimestamp, tk.LastTradeTime, now.Unix())
	}
	if tk.LastTradedQuantity == 0 || int64(tk.LastTradedQuantity)%in.LotSize != 0 || tk.VolumeTraded < tk.LastTradedQuantity {
		t.Fatalf("%s: last qty %d volume %d (lot %d)", in.Key(), tk.LastTradedQuantity, tk.VolumeTraded, in.LotSize)
	}
	if tk.AverageTradedPrice < tk.Low || tk.AverageTradedPrice > tk.High {
		t.Fatalf("%s: average %d outside the day's range [%d, %d]", in.Key(), tk.AverageTradedPrice, tk.Low, tk.High)
	}
	if in.IsDerivative() {
		if tk.OI == 0 || tk.OI < tk.OIDayLow || tk.OI > tk.OIDayHigh {
			t.Fatalf("%s: OI %d outside [%d, %d]", in.Key(), tk.OI, tk.OIDayLow, tk.OIDayHigh)
		}
	} else if tk.OI != 0 {
		t.Fatalf("%s: equity with OI %d", in.Key(), tk.OI)
	}
	d := tk.Depth
	if d.Buy[0].Price >= d.Sell[0].Price || d.Sell[0].Price-d.Buy[0].Price != tick {
		t.Fatalf("%s: touch %d / %d is not one tick wide", in.Key(), d.Buy[0].Price, d.Sell[0].Price)
	}
	if d.Buy[0].Price != tk.LastPrice && d.Sell[0].Price != tk.LastPrice {
		t.Fatalf("%s: last %d at neither touch %d / %d", in.Key(), tk.LastPrice, d.Buy[0].Price, d.Sell[0].Price)
	}
	for k := 1; k < 5; k++ {
		if b := d.Buy[k]; b.Quantity != 0 && b.Price != d.Buy[k-1].Price-tick {
			t.Fatalf("%s: bid %d at %d after %d", in.Key(), k, b.Price, d.Buy[k-1].Price)
		}
		if s := d.Sell[k]; s.Quantity != 0 && s.Price != d.Sell[k-1].Price+tick {
			t.Fatalf("%s: offer %d at %d after %d", in.Key(), k, s.Price, d.Sell[k-1].Price)
		}
	}
	for k := range 5 {
		for _, lv := range []ticks.DepthItem{d.Buy[k], d.Sell[k]} {
			if lv.Quantity != 0 && (int64(lv.Quantity)%in.LotSize != 0 || lv.Orders == 0) {
				t.Fatalf("%s: depth level %+v", in.Key(), lv)
			}
		}
	}
}

func TestTickModes(t *testing.T) {
	m := run(1, 10)
	infy, _ := m.Lookup("NSE", "INFY")
	full, _ := m.Tick(infy.Token, ticks.ModeFull)
	quote, _ := m.Tick(infy.Token, ticks.ModeQuote)
	ltp, _ := m.Tick(infy.Token, ticks.ModeLTP)
	if ltp != (ticks.Tick{Mode: ticks.ModeLTP, InstrumentToken: infy.Token, LastPrice: full.LastPrice}) {
		t.Errorf("ltp tick = %+v", ltp)
	}
	want := full
	want.Mode = ticks.ModeQuote
	want.LastTradeTime, want.ExchangeTimestamp, want.Depth = 0, 0, ticks.Depth{}
	if quote != want {
		t.Errorf("quote tick = %+v\nwant %+v", quote, want)
	}
	if _, ok := m.Tick(42, ticks.ModeFull); ok {
		t.Error("Tick found token 42")
	}
	// AppendTicks skips unknown tokens and keeps each token's mode.
	got := m.AppendTicks(nil, []uint32{infy.Token, 42, 256265}, []ticks.Mode{ticks.ModeLTP, ticks.ModeFull, ticks.ModeQuote})
	if len(got) != 2 || got[0] != ltp || got[1].InstrumentToken != 256265 || got[1].Mode != ticks.ModeQuote || got[1].WireLen() != ticks.LenIndexQuote {
		t.Errorf("AppendTicks = %+v", got)
	}
}

// The ticks survive the wire: encoded by pkg/ticks and decoded back, a
// market tick is the same tick.
func TestTicksRoundTripTheCodec(t *testing.T) {
	m := run(5, 50)
	toks := tokensOf(m)
	for _, mode := range []ticks.Mode{ticks.ModeLTP, ticks.ModeQuote, ticks.ModeFull} {
		in := m.AppendTicks(nil, toks, modes(len(toks), mode))
		out, err := ticks.Decode(ticks.Encode(in...))
		if err != nil {
			t.Fatalf("%v: %v", mode, err)
		}
		if len(out) != len(in) {
			t.Fatalf("%v: %d ticks back from %d", mode, len(out), len(in))
		}
		for i := range in {
			if in[i] != out[i] {
				t.Errorf("%v: tick %d changed on the wire:\n sent %+v\n got  %+v", mode, i, in[i], out[i])
			}
		}
	}
}

func TestAppendTicksDoesNotAllocate(t *testing.T) {
	m := run(1, 1)
	toks := tokensOf(m)
	md := modes(len(toks), ticks.ModeFull)
	dst := make([]ticks.Tick, 0, len(toks))
	if n := testing.AllocsPerRun(100, func() { dst = m.AppendTicks(dst[:0], toks, md) }); n != 0 {
		t.Errorf("AppendTicks allocates %.0f times per call", n)
	}
}

func TestStateAtNewMatchesCandles(t *testing.T) {
	m := market.New(11, market.Universe(friday), friday)
	for _, sym := range []string{"INFY", "NIFTY 50"} {
		in, _ := m.Lookup("NSE", sym)
		tk, _ := m.Tick(in.Token, ticks.ModeFull)
		mins, err := m.Candles(in.Token, "minute", friday.Add(-5*24*time.Hour), friday, false)
		if err != nil {
			t.Fatal(err)
		}
		var today []market.Candle
		var prevClose int64
		for _, c := range mins {
			if c.Time.Day() == friday.Day() {
				today = append(today, c)
			} else {
				prevClose = c.Close
			}
		}
		// 09:15 … 11:00 inclusive: 106 minutes.
		if len(today) != 106 {
			t.Fatalf("%s: %d minute candles today, want 106", sym, len(today))
		}
		var vol int64
		hi, lo := today[0].High, today[0].Low
		for _, c := range today {
			vol += c.Volume
			hi, lo = max(hi, c.High), min(lo, c.Low)
		}
		last := today[len(today)-1]
		if int64(tk.Open) != today[0].Open || int64(tk.High) != hi || int64(tk.Low) != lo ||
			int64(tk.LastPrice) != last.Close || int64(tk.Close) != prevClose || int64(tk.VolumeTraded) != vol {
			t.Errorf("%s: tick %+v disagrees with candles (open %d high %d low %d last %d prev close %d volume %d)",
				sym, tk, today[0].Open, hi, lo, last.Close, prevClose, vol)
		}
	}
}

func TestDayRollover(t *testing.T) {
	m := run(2, 10)
	infy, _ := m.Lookup("NSE", "INFY")
	before, _ := m.Tick(infy.Token, ticks.ModeFull)
	m.Step(friday.Add(14 * time.Hour)) // Saturday 01:00: still Friday's session
	if sat, _ := m.Tick(infy.Token, ticks.ModeFull); sat.Close != before.Close {
		t.Errorf("the day rolled over before the next session: close %d, was %d", sat.Close, before.Close)
	}
	before, _ = m.Tick(infy.Token, ticks.ModeFull)
	m.Step(time.Date(2026, 11, 23, 9, 15, 0, 0, market.IST)) // Monday's open
	after, _ := m.Tick(infy.Token, ticks.ModeFull)
	if after.Close != before.LastPrice {
		t.Errorf("new day's close %d, want the last price %d", after.Close, before.LastPrice)
	}
	if after.VolumeTraded != after.LastTradedQuantity {
		t.Errorf("new day's volume %d, want just the one trade %d", after.VolumeTraded, after.LastTradedQuantity)
	}
	lower, upper, _ := m.Circuit(infy.Token)
	if lower >= int64(after.Close) || upper <= int64(after.Close) {
		t.Errorf("circuit [%d, %d] not around the new close %d", lower, upper, after.Close)
	}
}

func TestCandlesAggregateMinutes(t *testing.T) {
	now := time.Date(2026, 11, 20, 16, 0, 0, 0, market.IST)
	m := market.New(9, market.Universe(now), now)
	from := time.Date(2026, 11, 10, 0, 0, 0, 0, market.IST)
	for _, sym := range []struct{ ex, sym string }{{"NSE", "INFY"}, {"NFO", "NIFTY26NOVFUT"}, {"MCX", "CRUDEOIL26DECFUT"}, {"CDS", "USDINR26NOVFUT"}} {
		in, ok := m.Lookup(sym.ex, sym.sym)
		if !ok {
			t.Fatalf("%s:%s missing", sym.ex, sym.sym)
		}
		mins, err := m.Candles(in.Token, "minute", from, now, true)
		if err != nil {
			t.Fatal(err)
		}
		byDay := map[int][]market.Candle{}
		for _, c := range mins {
			byDay[c.Time.YearDay()] = append(byDay[c.Time.YearDay()], c)
		}
		if len(byDay) != 9 { // 10–14 and 17–20 November
			t.Errorf("%s: minute candles on %d days, want 9", in.Key(), len(byDay))
		}
		for _, iv := range []struct {
			name string
			n    int
		}{{"3minute", 3}, {"5minute", 5}, {"10minute", 10}, {"15minute", 15}, {"30minute", 30}, {"60minute", 60}} {
			got, err := m.Candles(in.Token, iv.name, from, now, true)
			if err != nil {
				t.Fatal(err)
			}
			var want []market.Candle
			for d := 0; d < 400; d++ {
				day := byDay[d]
				for k := 0; k < len(day); k += iv.n {
					want = append(want, fold(day[k:min(k+iv.n, len(day))]))
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s %s: %d candles disagree with the %d folded from minutes", in.Key(), iv.name, len(got), len(want))
			}
		}
		days, err := m.Candles(in.Token, "day", from, now, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(days) != 9 {
			t.Fatalf("%s: %d day candles", in.Key(), len(days))
		}
		for _, dc := range days {
			want := fold(byDay[dc.Time.YearDay()])
			want.Time = time.Date(dc.Time.Year(), dc.Time.Month(), dc.Time.Day(), 0, 0, 0, 0, market.IST)
			if dc != want {
				t.Errorf("%s: day candle %+v, folded minutes %+v", in.Key(), dc, want)
			}
		}
		// Consecutive days: each opens near the previous close and stays
		// within the circuit band around it.
		for i := 1; i < len(days); i++ {
			prev := float64(days[i-1].Close)
			if float64(days[i].High) > prev*1.101 || float64(days[i].Low) < prev*0.899 {
				t.Errorf("%s: day %v range [%d, %d] leaves ±10%% of the previous close %v", in.Key(), days[i].Time, days[i].Low, days[i].High, prev)
			}
		}
	}
}

// fold is the test's own aggregation: open of the first, close and OI of
// the last, highest high, lowest low, summed volume.
func fold(cs []market.Candle) market.Candle {
	out := market.Candle{Time: cs[0].Time, Open: cs[0].Open, High: cs[0].High, Low: cs[0].Low}
	for _, c := range cs {
		out.High = max(out.High, c.High)
		out.Low = min(out.Low, c.Low)
		out.Volume += c.Volume
	}
	out.Close, out.OI = cs[len(cs)-1].Close, cs[len(cs)-1].OI
	return out
}

func TestCandlesSessionsAndWeekends(t *testing.T) {
	now := time.Date(2026, 11, 23, 23, 59, 0, 0, market.IST) // a Monday night
	m := market.New(4, market.Universe(now), now)
	from := time.Date(2026, 11, 20, 0, 0, 0, 0, market.IST)
	for _, c := range []struct {
		ex, sym       string
		first, last   string
		perDay, token uint32
	}{
		{ex: "NSE", sym: "INFY", first: "09:15", last: "15:29", perDay: 375},
		{ex: "NSE", sym: "NIFTY 50", first: "09:15", last: "15:29", perDay: 375},
		{ex: "CDS", sym: "USDINR26NOVFUT", first: "09:00", last: "16:59", perDay: 480},
		{ex: "MCX", sym: "CRUDEOIL26DECFUT", first: "09:00", last: "23:29", perDay: 870},
	} {
		in, _ := m.Lookup(c.ex, c.sym)
		mins, err := m.Candles(in.Token, "minute", from, now, false)
		if err != nil {
			t.Fatal(err)
		}
		perDay := map[string]uint32{}
		for _, k := range mins {
			if wd := k.Time.Weekday(); wd == time.Saturday || wd == time.Sunday {
				t.Fatalf("%s: weekend candle at %v", in.Key(), k.Time)
			}
			hm := k.Time.Format("15:04")
			if hm < c.first || hm > c.last {
				t.Fatalf("%s: candle at %s outside %s–%s", in.Key(), hm, c.first, c.last)
			}
			if k.OI != 0 {
				t.Fatalf("%s: OI %d without oi=1", in.Key(), k.OI)
			}
			if in.IsIndex() != (k.Volume == 0) {
				t.Fatalf("%s: volume %d", in.Key(), k.Volume)
			}
			tick := in.TickSize
			if tick == 0 {
				tick = 5
			}
			if k.Open%tick != 0 || k.High%tick != 0 || k.Low%tick != 0 || k.Close%tick != 0 ||
				k.Low > min(k.Open, k.Close) || k.High < max(k.Open, k.Close) {
				t.Fatalf("%s: candle %+v off tick %d or inconsistent", in.Key(), k, tick)
			}
			perDay[k.Time.Format("2006-01-02")]++
		}
		if len(perDay) != 2 || perDay["2026-11-20"] != c.perDay || perDay["2026-11-23"] != c.perDay {
			t.Errorf("%s: candles per day %v, want %d on the 20th and 23rd", in.Key(), perDay, c.perDay)
		}
		// 60minute candles start at the session's open.
		hours, _ := m.Candles(in.Token, "60minute", from, now, false)
		if got := hours[0].Time.Format("15:04"); got != c.first {
			t.Errorf("%s: first hourly candle at %s, want %s", in.Key(), got, c.first)
		}
	}
}

func TestCandlesAreAPureFunctionOfTheRange(t *testing.T) {
	now := time.Date(2026, 11, 20, 16, 0, 0, 0, market.IST)
	a := market.New(21, market.Universe(now), now)
	b := market.New(21, market.Universe(now), now.Add(-2*time.Hour))
	for i := 0; i < 100; i++ {
		a.Step(now.Add(time.Duration(i) * time.Second)) // the live walk does not touch history
	}
	in, _ := a.Lookup("NSE", "TCS")
	from, to := time.Date(2026, 10, 1, 0, 0, 0, 0, market.IST), time.Date(2026, 11, 19, 23, 0, 0, 0, market.IST)
	all, _ := a.Candles(in.Token, "15minute", from, to, false)
	again, _ := b.Candles(in.Token, "15minute", from, to, false)
	if !reflect.DeepEqual(all, again) {
		t.Error("same seed, same range, different candles")
	}
	mid := time.Date(2026, 10, 20, 11, 0, 0, 0, market.IST)
	part, _ := a.Candles(in.Token, "15minute", mid, to, false)
	var tail []market.Candle
	for _, c := range all {
		if !c.Time.Before(mid) {
			tail = append(tail, c)
		}
	}
	if !reflect.DeepEqual(part, tail) {
		t.Errorf("a sub-range gave %d candles, the same slice of the full range %d", len(part), len(tail))
	}
	other := market.New(22, market.Universe(now), now)
	diff, _ := other.Candles(in.Token, "15minute", from, to, false)
	if reflect.DeepEqual(all, diff) {
		t.Error("seeds 21 and 22 give the same history")
	}
}

func TestCandlesStopAtNow(t *testing.T) {
	now := time.Date(2026, 11, 20, 10, 2, 30, 0, market.IST)
	m := market.New(1, market.Universe(now), now)
	in, _ := m.Lookup("NSE", "INFY")
	got, _ := m.Candles(in.Token, "minute", now.Add(-time.Hour), now.Add(48*time.Hour), false)
	if last := got[len(got)-1].Time.Format("15:04"); last != "10:02" {
		t.Errorf("last candle at %s, want 10:02 (the minute now is in)", last)
	}
	day, _ := m.Candles(in.Token, "day", now, now, false)
	tk, _ := m.Tick(in.Token, ticks.ModeFull)
	if len(day) != 1 || day[0].Close != int64(tk.LastPrice) || day[0].High != int64(tk.High) {
		t.Errorf("today's day candle %+v vs tick %+v", day, tk)
	}
}

func TestCandlesOI(t *testing.T) {
	m := market.New(1, market.Universe(friday), friday)
	fut, _ := m.Lookup("NFO", "NIFTY26NOVFUT")
	got, _ := m.Candles(fut.Token, "5minute", friday.Add(-time.Hour), friday, true)
	tk, _ := m.Tick(fut.Token, ticks.ModeFull)
	for _, c := range got {
		if c.OI <= 0 || c.OI%fut.LotSize != 0 {
			t.Fatalf("OI %d is not a positive number of lots of %d", c.OI, fut.LotSize)
		}
	}
	if last := got[len(got)-1]; last.OI != int64(tk.OI) {
		t.Errorf("latest candle OI %d, tick OI %d", last.OI, tk.OI)
	}
}

func TestCandlesErrors(t *testing.T) {
	m := market.New(1, market.Universe(friday), friday)
	for _, c := range []struct {
		token    uint32
		interval string
		from, to time.Time
		want     string
	}{
		{408065, "2minute", friday.Add(-time.Hour), friday, "invalid interval: 2minute"},
		{42, "minute", friday.Add(-time.Hour), friday, "invalid token"},
		{408065, "minute", friday, friday.Add(-time.Hour), "invalid from date: it is after the to date"},
		{408065, "minute", friday.AddDate(0, 0, -61), friday, "interval exceeds max limit: 60 days"},
		{408065, "60minute", friday.AddDate(0, 0, -401), friday, "interval exceeds max limit: 400 days"},
		{408065, "day", friday.AddDate(0, 0, -2001), friday, "interval exceeds max limit: 2000 days"},
	} {
		_, err := m.Candles(c.token, c.interval, c.from, c.to, false)
		var ke *apierr.Error
		if !errors.As(err, &ke) || ke.ErrorType != kitespec.InputException || ke.Status != 400 || ke.Message != c.want {
			t.Errorf("Candles(%d, %s) error = %v, want InputException %q", c.token, c.interval, err, c.want)
		}
	}
	if got, err := m.Candles(408065, "day", friday.AddDate(0, 0, -2000), friday, false); err != nil || len(got) < 1400 {
		t.Errorf("2000 days of day candles: %d, %v", len(got), err)
	}
}

func TestNowAndRupees(t *testing.T) {
	m := market.New(1, market.Universe(friday), friday)
	if !m.Now().Equal(friday) {
		t.Errorf("Now() = %v before any step, want %v", m.Now(), friday)
	}
	later := friday.Add(90 * time.Second)
	m.Step(later)
	if !m.Now().Equal(later) {
		t.Errorf("Now() = %v after a step at %v", m.Now(), later)
	}
	usd, _ := m.Lookup("CDS", "USDINR26NOVFUT")
	if got := usd.Rupees(889550000); got != 88.955 {
		t.Errorf("CDS Rupees = %v", got)
	}
	bcd, _ := m.Lookup("BCD", "USDINR26NOVFUT")
	if got := bcd.Rupees(889550); got != 88.955 {
		t.Errorf("BCD Rupees = %v", got)
	}
	if _, _, ok := m.Circuit(42); ok {
		t.Error("Circuit of an unknown token")
	}
}
