package market

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/kitecli/kite/pkg/ticks"
)

// Instrument is one tradable (or, for indices, quotable) instrument of the
// sandbox. Prices (Strike, TickSize, BasePrice) are integers in the units of
// the instrument's segment, as ticks carry them: paise for most segments,
// 1e-7 rupee for CDS and 1e-4 rupee for BCD (see ticks.Divisor).
type Instrument struct {
	Token, ExchangeToken uint32
	Tradingsymbol, Name  string
	Expiry               time.Time // zero if none; midnight IST of the expiry day
	Strike               int64
	TickSize             int64 // 0 for indices, as Kite's dump lists them
	LotSize              int64
	InstrumentType       string // EQ, FUT, CE, PE (indices are EQ in Kite's dump)
	Segment              string // NSE, BSE, NFO-FUT, …, INDICES
	Exchange             string // NSE, BSE, NFO, BFO, CDS, BCD, MCX
	BasePrice            int64
	// ISIN identifies an equity across exchanges (holdings report it; the
	// instrument dump does not carry it). Empty where not known.
	ISIN string
	// Underlying is the token of the instrument a derivative is priced
	// from (an index, a stock, or the near-month future for currency and
	// commodity options); 0 for a walk of its own.
	Underlying uint32
	// Multiplier turns a quantity into the units a price is quoted for:
	// 1 for equities and F&O (quantities are in shares), 1000 for a
	// USDINR lot, 100 for a CRUDEOIL lot (priced per barrel), and so on.
	// Positions report it, and every order value is price × quantity × it.
	Multiplier int64
}

// IST is India Standard Time, the zone every Kite timestamp is in. A fixed
// zone, so that the binary needs no tzdata.
var IST = time.FixedZone("IST", 5*3600+30*60)

// Divisor is what the instrument's integer prices are divided by for rupees.
func (in *Instrument) Divisor() int64 { return ticks.Divisor(uint8(in.Token)) }

// IsIndex reports whether the instrument is an index (quotable, not tradable).
func (in *Instrument) IsIndex() bool { return uint8(in.Token) == ticks.SegmentIndices }

// IsDerivative reports whether the instrument is a future or an option
// (it has open interest and an expiry).
func (in *Instrument) IsDerivative() bool {
	return in.InstrumentType == "FUT" || in.InstrumentType == "CE" || in.InstrumentType == "PE"
}

// Key is "EXCHANGE:TRADINGSYMBOL", as /quote keys its answer.
func (in *Instrument) Key() string { return in.Exchange + ":" + in.Tradingsymbol }

// FormatPrice prints an integer price of the given divisor exactly, with at
// least one decimal digit ("1573.7", "23500.0", "0.0025"), the way Kite's
// CSV dump prints its floats.
func FormatPrice(v, divisor int64) string {
	return string(AppendPrice(nil, v, divisor))
}

// AppendPrice is FormatPrice appending to dst.
func AppendPrice(dst []byte, v, divisor int64) []byte {
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	dst = strconv.AppendInt(dst, v/divisor, 10)
	dst = append(dst, '.')
	frac := v % divisor
	if frac == 0 {
		return append(dst, '0')
	}
	digits := 0
	for d := divisor; d > 1; d /= 10 {
		digits++
	}
	var buf [20]byte
	for i := digits - 1; i >= 0; i-- {
		buf[i] = byte('0' + frac%10)
		frac /= 10
	}
	n := digits
	for n > 1 && buf[n-1] == '0' {
		n--
	}
	return append(dst, buf[:n]...)
}

// Rupees converts an integer price to a float of rupees, for JSON answers
// (Kite's REST prices are plain floats).
func (in *Instrument) Rupees(v int64) float64 {
	return float64(v) / float64(in.Divisor())
}

// csvHeader is the header line of Kite's /instruments dump.
var csvHeader = []string{"instrument_token", "exchange_token", "tradingsymbol", "name", "last_price",
	"expiry", "strike", "tick_size", "lot_size", "instrument_type", "segment", "exchange"}

// WriteCSV writes insts in the format of Kite's /instruments dump. The
// last_price column carries each instrument's base price.
func WriteCSV(w io.Writer, insts []Instrument) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	rec := make([]string, len(csvHeader))
	for i := range insts {
		in := &insts[i]
		div := in.Divisor()
		expiry := ""
		if !in.Expiry.IsZero() {
			expiry = in.Expiry.In(IST).Format("2006-01-02")
		}
		rec[0] = strconv.FormatUint(uint64(in.Token), 10)
		rec[1] = strconv.FormatUint(uint64(in.ExchangeToken), 10)
		rec[2] = in.Tradingsymbol
		rec[3] = in.Name
		rec[4] = FormatPrice(in.BasePrice, div)
		rec[5] = expiry
		rec[6] = FormatPrice(in.Strike, div)
		rec[7] = FormatPrice(in.TickSize, div)
		rec[8] = strconv.FormatInt(in.LotSize, 10)
		rec[9] = in.InstrumentType
		rec[10] = in.Segment
		rec[11] = in.Exchange
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// units converts rupees to integer units of a segment.
func units(rupees float64, seg uint8) int64 {
	return int64(math.Round(rupees * float64(ticks.Divisor(seg))))
}

func token(exchangeToken uint32, seg uint8) uint32 { return exchangeToken<<8 | uint32(seg) }

type equity struct {
	exToken uint32
	symbol  string
	name    string
	price   float64
	tick    float64
	isin    string
}

// Real NSE instrument tokens (exchange token << 8 | 1), ISINs, and rough
// late-2026 prices. Tick sizes are NSE's 0.05, or 0.01 below ₹250 for non-F&O stocks.
var nseEquities = []equity{
	{1594, "INFY", "INFOSYS", 1540, 0.05, "INE009A01021"},
	{2885, "RELIANCE", "RELIANCE INDUSTRIES", 1510, 0.05, "INE002A01018"},
	{11536, "TCS", "TATA CONSULTANCY SERV LT", 3120, 0.05, "INE467B01029"},
	{1333, "HDFCBANK", "HDFC BANK", 985, 0.05, "INE040A01034"},
	{3045, "SBIN", "STATE BANK OF INDIA", 935, 0.05, "INE062A01020"},
	{4963, "ICICIBANK", "ICICI BANK", 1385, 0.05, "INE090A01021"},
	{1660, "ITC", "ITC", 405, 0.05, "INE154A01025"},
	{1394, "HINDUNILVR", "HINDUSTAN UNILEVER", 2450, 0.05, "INE030A01027"},
	{10604, "BHARTIARTL", "BHARTI AIRTEL", 2050, 0.05, "INE397D01024"},
	{11483, "LT", "LARSEN & TOUBRO", 3950, 0.05, "INE018A01030"},
	{1922, "KOTAKBANK", "KOTAK MAHINDRA BANK", 2120, 0.05, ""},
	{5900, "AXISBANK", "AXIS BANK", 1215, 0.05, "INE238A01034"},
	{3499, "TATASTEEL", "TATA STEEL", 172, 0.01, ""},
	{3787, "WIPRO", "WIPRO", 245, 0.01, "INE075A01022"},
	{10999, "MARUTI", "MARUTI SUZUKI INDIA", 15900, 0.05, "INE585B01010"},
	{3351, "SUNPHARMA", "SUN PHARMACEUTICAL IND L", 1710, 0.05, "INE044A01036"},
	{317, "BAJFINANCE", "BAJAJ FINANCE", 1020, 0.05, ""},
	{236, "ASIANPAINT", "ASIAN PAINTS", 2890, 0.05, "INE021A01026"},
	{7229, "HCLTECH", "HCL TECHNOLOGIES", 1560, 0.05, "INE860A01027"},
	{1624, "IOC", "INDIAN OIL CORP", 165, 0.01, "INE242A01010"},
	{2475, "ONGC", "OIL AND NATURAL GAS CORP.", 248, 0.01, "INE213A01029"},
	{11630, "NTPC", "NTPC", 335, 0.05, "INE733E01010"},
	{3506, "TITAN", "TITAN COMPANY", 3780, 0.05, "INE280A01028"},
	{25, "ADANIENT", "ADANI ENTERPRISES", 2410, 0.05, "INE423A01024"},
}

// Real BSE scrip codes; BSE tokens are scrip code << 8 | 4.
var bseEquities = []equity{
	{500209, "INFY", "INFOSYS LTD.", 1540.2, 0.05, "INE009A01021"},
	{500325, "RELIANCE", "RELIANCE INDUSTRIES LTD.", 1510.3, 0.05, "INE002A01018"},
	{532540, "TCS", "TATA CONSULTANCY SERVICES LTD.", 3119.8, 0.05, "INE467B01029"},
	{500180, "HDFCBANK", "HDFC BANK LTD.", 985.1, 0.05, "INE040A01034"},
	{500112, "SBIN", "STATE BANK OF INDIA", 935.05, 0.05, "INE062A01020"},
	{500875, "ITC", "ITC LTD.", 405.1, 0.05, "INE154A01025"},
}

type index struct {
	exToken  uint32
	symbol   string
	exchange string
	price    float64
}

// Real index tokens (segment 9).
var indices = []index{
	{1001, "NIFTY 50", "NSE", 26050},
	{1016, "NIFTY BANK", "NSE", 59100},
	{1017, "NIFTY IT", "NSE", 36200},
	{1035, "INDIA VIX", "NSE", 12.4},
	{1, "SENSEX", "BSE", 85200},
}

var monthAbbr = [...]string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}

// weeklyMonth is the month letter of a weekly option symbol (1–9, O, N, D).
var weeklyMonth = [...]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "O", "N", "D"}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, IST) }

// lastWeekday is the last given weekday of the month.
func lastWeekday(y int, m time.Month, wd time.Weekday) time.Time {
	d := date(y, m+1, 1).AddDate(0, 0, -1)
	for d.Weekday() != wd {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

// monthlyExpiries is the next n monthly expiries on the last wd of a month,
// counting this month's if it is today or later.
func monthlyExpiries(today time.Time, wd time.Weekday, n int) []time.Time {
	var out []time.Time
	y, m := today.Year(), today.Month()
	for len(out) < n {
		e := lastWeekday(y, m, wd)
		if !e.Before(today) {
			out = append(out, e)
		}
		m++
		if m > 12 {
			m, y = 1, y+1
		}
	}
	return out
}

// weeklyExpiry is the first wd on or after today.
func weeklyExpiry(today time.Time, wd time.Weekday) time.Time {
	d := today
	for d.Weekday() != wd {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// prevBusinessDay steps back over weekends (holidays are not modelled).
func prevBusinessDay(d time.Time) time.Time {
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

// cdsExpiries is the next n currency-futures expiries: two business days
// before the last business day of the month, as NSE and BSE set them.
func cdsExpiries(today time.Time, n int) []time.Time {
	var out []time.Time
	y, m := today.Year(), today.Month()
	for len(out) < n {
		e := prevBusinessDay(date(y, m+1, 1).AddDate(0, 0, -1))
		for i := 0; i < 2; i++ {
			e = prevBusinessDay(e.AddDate(0, 0, -1))
		}
		if !e.Before(today) {
			out = append(out, e)
		}
		m++
		if m > 12 {
			m, y = 1, y+1
		}
	}
	return out
}

// dayOfMonthExpiries is the next n expiries on a fixed day of the month (or
// the business day before it), as MCX sets them for crude oil (19th) and
// gold (5th).
func dayOfMonthExpiries(today time.Time, day int, n int) []time.Time {
	var out []time.Time
	y, m := today.Year(), today.Month()
	for len(out) < n {
		e := prevBusinessDay(date(y, m, day))
		if !e.Before(today) {
			out = append(out, e)
		}
		m++
		if m > 12 {
			m, y = 1, y+1
		}
	}
	return out
}

func monthlySymbol(name string, exp time.Time) string {
	return fmt.Sprintf("%s%02d%s", name, exp.Year()%100, monthAbbr[exp.Month()-1])
}

func weeklySymbol(name string, exp time.Time) string {
	return fmt.Sprintf("%s%02d%s%02d", name, exp.Year()%100, weeklyMonth[exp.Month()-1], exp.Day())
}

// builder collects instruments and hands out derivative exchange tokens.
type builder struct {
	out   []Instrument
	seen  map[string]bool
	used  map[uint32]bool // tokens taken
	today time.Time       // midnight IST of the universe's day
	now   time.Time       // the time Universe was asked for
}

// tokenRange is where a segment's derivative exchange tokens are drawn
// from (first, count): above any real token the fixed lists use there.
func tokenRange(seg uint8) (first, count uint32) {
	switch seg {
	case ticks.SegmentBFO:
		return 1_100_001, 900_000
	case ticks.SegmentCDS:
		return 2_001, 100_000
	case ticks.SegmentBCD:
		return 3_001, 100_000
	case ticks.SegmentMCX:
		return 450_001, 500_000
	}
	return 35_001, 900_000 // NFO
}

// contractToken gives a derivative an exchange token that depends only on
// its trading symbol (FNV-1a into the segment's range, probing past
// collisions), so a contract keeps its token from one day's universe to
// the next, as Kite's do.
func (b *builder) contractToken(seg uint8, symbol string) uint32 {
	first, count := tokenRange(seg)
	h := uint32(2166136261)
	for i := 0; i < len(symbol); i++ {
		h = (h ^ uint32(symbol[i])) * 16777619
	}
	et := first + h%count
	for b.used[token(et, seg)] {
		et = first + (et-first+1)%count
	}
	return et
}

func (b *builder) add(in Instrument) {
	key := in.Exchange + ":" + in.Tradingsymbol
	if b.seen[key] {
		return
	}
	b.seen[key] = true
	seg := uint8(segmentByte(in.Segment))
	if in.ExchangeToken == 0 {
		in.ExchangeToken = b.contractToken(seg, in.Tradingsymbol)
	}
	in.Token = token(in.ExchangeToken, seg)
	b.used[in.Token] = true
	if in.Multiplier == 0 {
		in.Multiplier = 1
	}
	b.out = append(b.out, in)
}

func segmentByte(segment string) int {
	switch segment {
	case "NSE":
		return ticks.SegmentNSE
	case "NFO-FUT", "NFO-OPT":
		return ticks.SegmentNFO
	case "CDS-FUT", "CDS-OPT":
		return ticks.SegmentCDS
	case "BSE":
		return ticks.SegmentBSE
	case "BFO-FUT", "BFO-OPT":
		return ticks.SegmentBFO
	case "BCD-FUT", "BCD-OPT":
		return ticks.SegmentBCD
	case "MCX-FUT", "MCX-OPT":
		return ticks.SegmentMCX
	case "INDICES":
		return ticks.SegmentIndices
	}
	return 0
}

// derivative describes one underlying's contracts.
type derivative struct {
	name     string  // NIFTY, BANKNIFTY, …
	exchange string  // NFO, BFO, CDS, BCD, MCX
	spot     float64 // rupees
	tick     float64 // rupees
	lot      int64
	mult     int64
	step     float64 // strike step, rupees
	strikes  int     // strikes either side of the money
	under    string  // the underlying's "EXCHANGE:SYMBOL", if in the universe
}

// find is an instrument already built, by "EXCHANGE:SYMBOL".
func (b *builder) find(key string) (Instrument, bool) {
	for _, in := range b.out {
		if in.Key() == key {
			return in, true
		}
	}
	return Instrument{}, false
}

// spot is the underlying's token and base price in rupees, when d has an
// underlying in the universe; else 0 and d's own spot.
func (b *builder) spot(d derivative) (uint32, float64, *Instrument) {
	if in, ok := b.find(d.under); ok {
		return in.Token, float64(in.BasePrice) / float64(in.Divisor()), &in
	}
	return 0, d.spot, nil
}

func (b *builder) futures(d derivative, expiries []time.Time) {
	seg := uint8(segmentByte(d.exchange + "-FUT"))
	under, spot, _ := b.spot(d)
	for i, e := range expiries {
		// A little carry per month further out.
		price := roundTo(spot*(1+0.004*float64(i+1)), d.tick)
		b.add(Instrument{
			Tradingsymbol: monthlySymbol(d.name, e) + "FUT", Name: d.name, Expiry: e,
			TickSize: units(d.tick, seg), LotSize: d.lot, InstrumentType: "FUT",
			Segment: d.exchange + "-FUT", Exchange: d.exchange,
			BasePrice: units(price, seg), Multiplier: d.mult, Underlying: under,
		})
	}
}

func (b *builder) options(d derivative, e time.Time, weekly bool) {
	seg := uint8(segmentByte(d.exchange + "-OPT"))
	under, spot, uin := b.spot(d)
	vol := 0.16
	if uin != nil {
		vol *= volatility(uin)
	}
	atm := math.Round(spot/d.step) * d.step
	prefix := monthlySymbol(d.name, e)
	if weekly {
		prefix = weeklySymbol(d.name, e)
	}
	// Days to expiry as the model counts them on the day whose close the
	// base price is (see New).
	real := params{sess: sessions[sessionOf(seg)], alwaysFrom: never}
	day, _, _, _ := real.position(b.now)
	prev := prevTradingDay(day)
	years := optionYears(dayNumber(e), prev)
	// The forward as Market.optionCarry sets it, at the underlying's base
	// price (where the surface's spot factor is 1).
	carry := 0.0
	if uin != nil && uin.InstrumentType == "FUT" {
		carry = 1
	} else if fut, ok := b.find(d.exchange + ":" + monthlySymbol(d.name, e) + "FUT"); ok && fut.Expiry.Equal(e) && uin != nil && uin.IsIndex() && fut.Underlying == uin.Token {
		carry = float64(fut.BasePrice) / float64(uin.BasePrice)
	}
	spotUnits := spot
	if uin != nil {
		spotUnits = float64(uin.BasePrice)
	}
	level := vol * marketLevel(under, prev)
	for k := -d.strikes; k <= d.strikes; k++ {
		strike := atm + float64(k)*d.step
		for _, typ := range []string{"CE", "PE"} {
			// The premium the model prices it at on the day its base
			// price closes (see params.model), in the segment's units.
			k := float64(units(strike, seg))
			f := carryForward(spotUnits, carry, years)
			prem := BlackPremium(typ == "CE", f, k, years, RiskFreeRate, SurfaceVol(level, f, k, years))
			price := math.Max(roundTo(prem/float64(ticks.Divisor(seg)), d.tick), d.tick)
			b.add(Instrument{
				Tradingsymbol: prefix + trimFloat(strike) + typ, Name: d.name, Expiry: e,
				Strike: units(strike, seg), TickSize: units(d.tick, seg), LotSize: d.lot,
				InstrumentType: typ, Segment: d.exchange + "-OPT", Exchange: d.exchange,
				BasePrice: units(price, seg), Multiplier: d.mult, Underlying: under,
			})
		}
	}
}

func roundTo(v, step float64) float64 { return math.Round(v/step) * step }

func trimFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Universe is the sandbox's instrument universe for the trading day today:
// NSE and BSE equities with their real tokens, indices, NFO and BFO index
// and stock futures and options, CDS and BCD currency futures and options,
// and MCX commodity futures and options. Derivative expiries are computed
// from today (NSE: weekly and monthly on Tuesdays, the monthly on the
// month's last Tuesday; BSE: Thursdays; currency: two business days before
// the month's last business day; MCX crude oil on the 19th, gold on the
// 5th), so the universe never lists an expired contract. Exchange holidays
// are not modelled. The result is deterministic for a given date (option
// base prices, the model's price at the previous close, also depend on
// whether the session has opened, as the market's anchor does).
func Universe(today time.Time) []Instrument {
	t := today.In(IST)
	today = date(t.Year(), t.Month(), t.Day())
	b := &builder{
		today: today,
		now:   t,
		seen:  map[string]bool{},
		used:  map[uint32]bool{},
	}
	for _, ix := range indices {
		b.add(Instrument{
			ExchangeToken: ix.exToken, Tradingsymbol: ix.symbol, Name: ix.symbol,
			InstrumentType: "EQ", Segment: "INDICES", Exchange: ix.exchange,
			BasePrice: units(ix.price, ticks.SegmentIndices),
		})
	}
	for _, eq := range nseEquities {
		b.add(Instrument{
			ExchangeToken: eq.exToken, Tradingsymbol: eq.symbol, Name: eq.name,
			TickSize: units(eq.tick, ticks.SegmentNSE), LotSize: 1, InstrumentType: "EQ",
			Segment: "NSE", Exchange: "NSE", BasePrice: units(eq.price, ticks.SegmentNSE), ISIN: eq.isin,
		})
	}
	for _, eq := range bseEquities {
		b.add(Instrument{
			ExchangeToken: eq.exToken, Tradingsymbol: eq.symbol, Name: eq.name,
			TickSize: units(eq.tick, ticks.SegmentBSE), LotSize: 1, InstrumentType: "EQ",
			Segment: "BSE", Exchange: "BSE", BasePrice: units(eq.price, ticks.SegmentBSE), ISIN: eq.isin,
		})
	}

	nseMonthly := monthlyExpiries(today, time.Tuesday, 2)
	nifty := derivative{name: "NIFTY", exchange: "NFO", tick: 0.05, lot: 75, step: 50, strikes: 10, under: "NSE:NIFTY 50"}
	bank := derivative{name: "BANKNIFTY", exchange: "NFO", tick: 0.05, lot: 35, step: 100, strikes: 6, under: "NSE:NIFTY BANK"}
	reliance := derivative{name: "RELIANCE", exchange: "NFO", tick: 0.10, lot: 500, step: 20, under: "NSE:RELIANCE"}
	b.futures(nifty, nseMonthly)
	b.futures(bank, nseMonthly)
	b.futures(reliance, nseMonthly)
	b.futures(derivative{name: "INFY", exchange: "NFO", tick: 0.10, lot: 400, under: "NSE:INFY"}, nseMonthly[:1])
	// This week's and next week's NIFTY options (a weekly expiry that is
	// also the monthly one takes the monthly symbol).
	for _, wk := range []time.Time{weeklyExpiry(today, time.Tuesday), weeklyExpiry(today.AddDate(0, 0, 7), time.Tuesday)} {
		b.options(nifty, wk, wk != nseMonthly[0])
	}
	b.options(nifty, nseMonthly[0], false)
	b.options(bank, nseMonthly[0], false)
	reliance.tick = 0.05
	b.options(reliance, nseMonthly[0], false)

	bseMonthly := monthlyExpiries(today, time.Thursday, 1)
	sensex := derivative{name: "SENSEX", exchange: "BFO", tick: 0.05, lot: 20, step: 100, strikes: 6, under: "BSE:SENSEX"}
	b.futures(sensex, bseMonthly)
	b.options(sensex, weeklyExpiry(today, time.Thursday), weeklyExpiry(today, time.Thursday) != bseMonthly[0])

	// Currency and commodity futures walk on their own; their options
	// follow the near-month future.
	cds := cdsExpiries(today, 2)
	usdinr := derivative{name: "USDINR", exchange: "CDS", spot: 88.6, tick: 0.0025, lot: 1, mult: 1000, step: 0.25, strikes: 1}
	b.futures(usdinr, cds)
	b.futures(derivative{name: "EURINR", exchange: "CDS", spot: 102.4, tick: 0.0025, lot: 1, mult: 1000}, cds[:1])
	b.futures(derivative{name: "GBPINR", exchange: "CDS", spot: 117.3, tick: 0.0025, lot: 1, mult: 1000}, cds[:1])
	usdinr.under = "CDS:" + monthlySymbol("USDINR", cds[0]) + "FUT"
	b.options(usdinr, cds[0], false)
	bcdUSD := usdinr
	bcdUSD.exchange, bcdUSD.under = "BCD", "BCD:"+monthlySymbol("USDINR", cds[0])+"FUT"
	b.futures(bcdUSD, cds)
	b.options(bcdUSD, cds[0], false)

	crude := derivative{name: "CRUDEOIL", exchange: "MCX", spot: 5300, tick: 1, lot: 1, mult: 100, step: 50, strikes: 4}
	crudeExp := dayOfMonthExpiries(today, 19, 2)
	b.futures(crude, crudeExp)
	crude.under = "MCX:" + monthlySymbol("CRUDEOIL", crudeExp[0]) + "FUT"
	b.options(crude, crudeExp[0], false)
	b.futures(derivative{name: "GOLD", exchange: "MCX", spot: 127500, tick: 1, lot: 1, mult: 100}, dayOfMonthExpiries(today, 5, 1))
	b.futures(derivative{name: "GOLDM", exchange: "MCX", spot: 127400, tick: 1, lot: 1, mult: 10}, dayOfMonthExpiries(today, 5, 1))
	b.futures(derivative{name: "SILVER", exchange: "MCX", spot: 158000, tick: 1, lot: 1, mult: 30}, dayOfMonthExpiries(today, 5, 1))
	b.futures(derivative{name: "NATURALGAS", exchange: "MCX", spot: 385, tick: 0.10, lot: 1, mult: 1250}, dayOfMonthExpiries(today, 25, 1))
	return b.out
}
