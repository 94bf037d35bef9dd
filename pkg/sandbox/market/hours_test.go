package market_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/ticks"
)

func ist(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, market.IST)
}

// agree checks that an instrument's full tick is its day candle and its
// minute candles so far, as of the market's time: the issue was a quote
// showing 983,250 traded and 57,825 open interest beside a day candle of
// 48,300 and 35,700, and today's timestamp over yesterday's OHLC.
func agree(t *testing.T, m *market.Market, ex, sym string) {
	t.Helper()
	in, ok := m.Lookup(ex, sym)
	if !ok {
		t.Fatalf("%s:%s missing", ex, sym)
	}
	tk, _ := m.Tick(in.Token, ticks.ModeFull)
	now := m.Now()
	stamp := time.Unix(int64(tk.ExchangeTimestamp), 0).In(market.IST)
	days, err := m.Candles(in.Token, "day", now.AddDate(0, 0, -7), now, true)
	if err != nil || len(days) < 2 {
		t.Fatalf("%s: %d day candles: %v", in.Key(), len(days), err)
	}
	today, prev := days[len(days)-1], days[len(days)-2]
	if today.Time.Format("2006-01-02") != stamp.Format("2006-01-02") {
		t.Errorf("%s: the tick is stamped %v but the latest day candle is %v", in.Key(), stamp, today.Time)
	}
	if int64(tk.Open) != today.Open || int64(tk.High) != today.High || int64(tk.Low) != today.Low ||
		int64(tk.LastPrice) != today.Close || int64(tk.Close) != prev.Close {
		t.Errorf("%s: tick OHLC %d/%d/%d last %d close %d, day candle %d/%d/%d/%d, previous close %d",
			in.Key(), tk.Open, tk.High, tk.Low, tk.LastPrice, tk.Close, today.Open, today.High, today.Low, today.Close, prev.Close)
	}
	if int64(tk.VolumeTraded) != today.Volume || int64(tk.OI) != today.OI {
		t.Errorf("%s: tick volume %d OI %d, day candle volume %d OI %d", in.Key(), tk.VolumeTraded, tk.OI, today.Volume, today.OI)
	}
	mins, _ := m.Candles(in.Token, "minute", today.Time, now, true)
	var vol int64
	oiHi, oiLo := mins[0].OI, mins[0].OI
	for _, c := range mins {
		vol += c.Volume
		oiHi, oiLo = max(oiHi, c.OI), min(oiLo, c.OI)
	}
	if vol != today.Volume || mins[len(mins)-1].Close != int64(tk.LastPrice) {
		t.Errorf("%s: minute candles sum to %d (last close %d), tick %d (last %d)", in.Key(), vol, mins[len(mins)-1].Close, tk.VolumeTraded, tk.LastPrice)
	}
	if in.IsDerivative() && (int64(tk.OIDayHigh) != oiHi || int64(tk.OIDayLow) != oiLo) {
		t.Errorf("%s: tick OI range [%d, %d], minute candles [%d, %d]", in.Key(), tk.OIDayLow, tk.OIDayHigh, oiLo, oiHi)
	}
}

var agreeing = [][2]string{
	{"NSE", "INFY"}, {"NSE", "NIFTY 50"}, {"NFO", "NIFTY26NOVFUT"}, {"NFO", "NIFTY26NOV26050CE"},
	{"MCX", "CRUDEOIL26DECFUT"}, {"CDS", "USDINR26NOVFUT"}, {"BSE", "SBIN"},
}

// TestTickQuoteAndCandlesAgree: at the start, in the middle of a minute,
// after steps across minutes, in both kinds of hours, in and out of session.
func TestTickQuoteAndCandlesAgree(t *testing.T) {
	for _, c := range []struct {
		name  string
		hours market.Hours
		start time.Time
	}{
		{"real, in session", market.RealHours, ist(2026, 11, 20, 11, 0, 37)},
		{"real, at night", market.RealHours, ist(2026, 11, 24, 2, 0, 0)},
		{"always, at night", market.AlwaysOpen, ist(2026, 11, 24, 2, 0, 37)},
		{"always, on a Saturday", market.AlwaysOpen, ist(2026, 11, 21, 13, 5, 10)},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := market.NewWithHours(5, market.Universe(c.start), c.start, c.hours)
			for _, s := range agreeing {
				agree(t, m, s[0], s[1])
			}
			now := c.start
			for _, d := range []time.Duration{250 * time.Millisecond, 20 * time.Second, 41 * time.Second, 3*time.Minute + 7*time.Second} {
				now = now.Add(d)
				m.Step(now)
				for _, s := range agreeing {
					agree(t, m, s[0], s[1])
				}
			}
		})
	}
}

// TestRealHours: the sessions and their edges, by segment, on weekdays;
// outside them nothing moves and the stamps are the session's close.
func TestRealHours(t *testing.T) {
	start := ist(2026, 11, 23, 9, 0, 0) // a Monday
	m := market.NewWithHours(2, market.Universe(start), start, market.RealHours)
	infy, _ := m.Lookup("NSE", "INFY")
	usd, _ := m.Lookup("CDS", "USDINR26NOVFUT")
	crude, _ := m.Lookup("MCX", "CRUDEOIL26DECFUT")
	for _, c := range []struct {
		at            time.Time
		nse, cds, mcx bool
		nseStamp, why string
	}{
		{ist(2026, 11, 23, 8, 59, 59), false, false, false, "2026-11-20 15:30:00", "before every open: Friday's close"},
		{ist(2026, 11, 23, 9, 0, 0), false, true, true, "2026-11-20 15:30:00", "CDS and MCX open at 09:00"},
		{ist(2026, 11, 23, 9, 15, 0), true, true, true, "2026-11-23 09:15:00", "NSE opens at 09:15"},
		{ist(2026, 11, 23, 15, 29, 59), true, true, true, "2026-11-23 15:29:59", "NSE's last second"},
		{ist(2026, 11, 23, 15, 30, 0), false, true, true, "2026-11-23 15:30:00", "NSE closed at 15:30"},
		{ist(2026, 11, 23, 17, 0, 0), false, false, true, "2026-11-23 15:30:00", "CDS closed at 17:00"},
		{ist(2026, 11, 23, 23, 30, 0), false, false, false, "2026-11-23 15:30:00", "MCX closed at 23:30"},
		{ist(2026, 11, 24, 2, 0, 0), false, false, false, "2026-11-23 15:30:00", "02:00: everything closed"},
		{ist(2026, 11, 28, 11, 0, 0), false, false, false, "2026-11-27 15:30:00", "Saturday: Friday's close"},
	} {
		m.Step(c.at)
		if m.Open(infy.Token) != c.nse || m.Open(usd.Token) != c.cds || m.Open(crude.Token) != c.mcx {
			t.Errorf("%s: open NSE %v CDS %v MCX %v, want %v %v %v", c.why, m.Open(infy.Token), m.Open(usd.Token), m.Open(crude.Token), c.nse, c.cds, c.mcx)
		}
		tk, _ := m.Tick(infy.Token, ticks.ModeFull)
		if got := time.Unix(int64(tk.ExchangeTimestamp), 0).In(market.IST).Format("2006-01-02 15:04:05"); got != c.nseStamp {
			t.Errorf("%s: INFY stamped %s, want %s", c.why, got, c.nseStamp)
		}
		agree(t, m, "NSE", "INFY")
	}

	// At 02:00 nothing moves, step after step, and no tick is sent.
	night := ist(2026, 11, 24, 2, 0, 0)
	m.Step(night)
	toks := []uint32{infy.Token, usd.Token, crude.Token}
	md := []ticks.Mode{ticks.ModeFull, ticks.ModeFull, ticks.ModeFull}
	before := m.AppendTicks(nil, toks, md)
	for i := 1; i <= 100; i++ {
		m.Step(night.Add(time.Duration(i) * time.Second))
	}
	if after := m.AppendTicks(nil, toks, md); !reflect.DeepEqual(before, after) {
		t.Error("prices moved at 02:00 IST")
	}
	none := func(uint32) bool { return false }
	if got := m.AppendOpenTicks(nil, toks, md, none); len(got) != 0 {
		t.Errorf("%d ticks for closed markets", len(got))
	}
	if got := m.AppendOpenTicks(nil, toks, md, func(tok uint32) bool { return tok == infy.Token }); len(got) != 1 || got[0].InstrumentToken != infy.Token {
		t.Errorf("a fresh subscription's tick: %+v", got)
	}
}

// TestAlwaysOpen: the start day and every day after trade round the clock
// with wall-clock stamps; history before the start keeps the real sessions.
func TestAlwaysOpen(t *testing.T) {
	start := ist(2026, 11, 24, 2, 0, 30) // Tuesday 02:00:30
	m := market.NewWithHours(2, market.Universe(start), start, market.AlwaysOpen)
	infy, _ := m.Lookup("NSE", "INFY")
	if !m.Open(infy.Token) {
		t.Fatal("closed at 02:00 under AlwaysOpen")
	}
	tk, _ := m.Tick(infy.Token, ticks.ModeFull)
	if tk.ExchangeTimestamp != uint32(start.Unix()) {
		t.Errorf("stamped %d, want the clock's %d", tk.ExchangeTimestamp, start.Unix())
	}
	mins, _ := m.Candles(infy.Token, "minute", ist(2026, 11, 23, 0, 0, 0), start, false)
	perDay := map[string]int{}
	for _, c := range mins {
		perDay[c.Time.Format("2006-01-02")]++
	}
	// Monday, before the start: 09:15–15:29, 375 minutes. Tuesday: 00:00
	// to 02:00, 120 minutes and the one in progress.
	if perDay["2026-11-23"] != 375 || perDay["2026-11-24"] != 121 {
		t.Errorf("minute candles per day %v, want 375 on Monday and 121 on Tuesday", perDay)
	}
	if first := mins[375].Time.Format("15:04"); first != "00:00" {
		t.Errorf("Tuesday's first candle at %s, want 00:00", first)
	}
	hours, _ := m.Candles(infy.Token, "60minute", ist(2026, 11, 24, 0, 0, 0), start, false)
	if len(hours) != 3 || hours[0].Time.Format("15:04") != "00:00" {
		t.Errorf("hourly candles today: %d, first %v", len(hours), hours[0].Time)
	}
	// Saturday, after running through the week, trades too.
	sat := ist(2026, 11, 28, 12, 0, 0)
	m.Step(sat)
	if !m.Open(infy.Token) {
		t.Error("closed on a Saturday after the start under AlwaysOpen")
	}
	agree(t, m, "NSE", "INFY")
}

// TestPricesMoveWithinAMinute: a ticker stepping fast sees the price of a
// liquid stock move many times a minute (it follows the minute candle's
// path in quarter-second steps), never outside the minute's candle.
func TestPricesMoveWithinAMinute(t *testing.T) {
	start := ist(2026, 11, 20, 11, 0, 0)
	m := market.NewWithHours(3, market.Universe(start), start, market.RealHours)
	infy, _ := m.Lookup("NSE", "INFY")
	changes, prev := 0, int32(0)
	for i := 0; i < 600; i++ {
		m.Step(start.Add(time.Duration(i) * 100 * time.Millisecond))
		tk, _ := m.Tick(infy.Token, ticks.ModeLTP)
		if i > 0 && tk.LastPrice != prev {
			changes++
		}
		prev = tk.LastPrice
	}
	mins, _ := m.Candles(infy.Token, "minute", start, start, false)
	if changes < 30 {
		t.Errorf("INFY's price changed %d times in a minute of 100 ms steps", changes)
	}
	if len(mins) != 1 {
		t.Fatalf("%d candles for 11:00", len(mins))
	}
	m.Step(start.Add(time.Minute))
	full, _ := m.Candles(infy.Token, "minute", start, start, false)
	if full[0].High < mins[0].High || full[0].Low > mins[0].Low {
		t.Errorf("the finished minute %+v does not contain its part %+v", full[0], mins[0])
	}
}
