package ticks

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// AppendJSON appends t as one NDJSON line (ending in '\n') to dst, in the
// tick record shape of docs/design.md: the field names and order of the
// official clients, with `"symbol"` last when symbol is not empty. It does
// not allocate when dst has room.
//
// Number formats, chosen so that output is exact and byte-for-byte
// deterministic:
//
//   - Prices are the integer with the decimal point inserted (Divisor of
//     the token's segment: 2, 7 or 4 places), never float division. Trailing
//     zeros of the fraction are trimmed, and the point too when the fraction
//     is zero: 157370 → 1573.7, 157300 → 1573, 5 → 0.05, -5 → -0.05.
//   - change is the percentage (last_price − close) × 100 / close, computed
//     in integers and rounded half away from zero to 4 decimal places, then
//     trimmed the same way; 0 when close is 0. No "-0".
//   - Times are RFC 3339 in IST with a fixed +05:30 offset (India has no
//     daylight saving, so no time zone database is needed); a zero
//     timestamp, which Kite sends when it has none, prints as null.
//
// Index ticks (segment 9) carry only last_price, ohlc and change (and, in
// full mode, exchange_timestamp), with tradable false. A Mode other than
// ModeLTP or ModeQuote prints as full, matching Tick.WireLen.
//
// Like append, it may use dst's spare capacity; unlike append, it may also
// leave a few scratch bytes beyond the returned length.
//
// A JSONEncoder prints the same bytes faster when ticks come in a stream.
func AppendJSON(dst []byte, t *Tick, symbol string) []byte {
	var e JSONEncoder
	return e.Append(dst, t, symbol)
}

// JSONEncoder is AppendJSON for a stream of ticks: it remembers the last
// time it printed in each time field, and that time's date, so that the
// exchange timestamp every tick of a burst shares, and last trade times
// within the same day, cost a copy rather than a calendar computation
// (about a fifth of a full tick's formatting otherwise). The output is
// byte for byte AppendJSON's. The zero value is ready to use; a
// JSONEncoder must not be used by two goroutines at once.
type JSONEncoder struct {
	lastTrade, exchange timeCache
}

// Append appends t as AppendJSON does.
func (e *JSONEncoder) Append(dst []byte, t *Tick, symbol string) []byte {
	seg := t.Segment()
	dec := DivisorDecimals(seg)
	if t.IsIndex() {
		dst = append(dst, `{"tradable":false,"mode":"`...)
	} else {
		dst = append(dst, `{"tradable":true,"mode":"`...)
	}
	switch t.Mode {
	case ModeLTP:
		dst = append(dst, `ltp","instrument_token":`...)
	case ModeQuote:
		dst = append(dst, `quote","instrument_token":`...)
	default:
		dst = append(dst, `full","instrument_token":`...)
	}
	dst = appendUint(dst, t.InstrumentToken)
	dst = append(dst, `,"last_price":`...)
	dst = appendPrice(dst, t.LastPrice, dec)
	switch {
	case t.Mode == ModeLTP:
	case t.IsIndex():
		dst = appendOHLC(dst, t, dec)
		if t.Mode != ModeQuote {
			dst = append(dst, `,"exchange_timestamp":`...)
			dst = e.exchange.append(dst, t.ExchangeTimestamp)
		}
	default:
		dst = append(dst, `,"last_traded_quantity":`...)
		dst = appendUint(dst, t.LastTradedQuantity)
		dst = append(dst, `,"average_traded_price":`...)
		dst = appendPrice(dst, t.AverageTradedPrice, dec)
		dst = append(dst, `,"volume_traded":`...)
		dst = appendUint(dst, t.VolumeTraded)
		dst = append(dst, `,"total_buy_quantity":`...)
		dst = appendUint(dst, t.TotalBuyQuantity)
		dst = append(dst, `,"total_sell_quantity":`...)
		dst = appendUint(dst, t.TotalSellQuantity)
		dst = appendOHLC(dst, t, dec)
		if t.Mode != ModeQuote {
			dst = append(dst, `,"last_trade_time":`...)
			dst = e.lastTrade.append(dst, t.LastTradeTime)
			dst = append(dst, `,"oi":`...)
			dst = appendUint(dst, t.OI)
			dst = append(dst, `,"oi_day_high":`...)
			dst = appendUint(dst, t.OIDayHigh)
			dst = append(dst, `,"oi_day_low":`...)
			dst = appendUint(dst, t.OIDayLow)
			dst = append(dst, `,"exchange_timestamp":`...)
			dst = e.exchange.append(dst, t.ExchangeTimestamp)
			dst = append(dst, `,"depth":{"buy":[`...)
			dst = appendDepth(dst, &t.Depth.Buy, dec)
			dst = append(dst, `],"sell":[`...)
			dst = appendDepth(dst, &t.Depth.Sell, dec)
			dst = append(dst, `]}`...)
		}
	}
	if symbol != "" {
		dst = append(dst, `,"symbol":`...)
		dst = AppendJSONString(dst, symbol)
	}
	return append(dst, '}', '\n')
}

func appendOHLC(dst []byte, t *Tick, dec int) []byte {
	dst = append(dst, `,"ohlc":{"open":`...)
	dst = appendPrice(dst, t.Open, dec)
	dst = append(dst, `,"high":`...)
	dst = appendPrice(dst, t.High, dec)
	dst = append(dst, `,"low":`...)
	dst = appendPrice(dst, t.Low, dec)
	dst = append(dst, `,"close":`...)
	dst = appendPrice(dst, t.Close, dec)
	dst = append(dst, `},"change":`...)
	return appendChange(dst, t.LastPrice, t.Close)
}

func appendDepth(dst []byte, d *[5]DepthItem, dec int) []byte {
	for i := range d {
		if i > 0 {
			dst = append(dst, `},{"quantity":`...)
		} else {
			dst = append(dst, `{"quantity":`...)
		}
		dst = appendUint(dst, d[i].Quantity)
		dst = append(dst, `,"price":`...)
		dst = appendPrice(dst, d[i].Price, dec)
		dst = append(dst, `,"orders":`...)
		dst = appendUint(dst, uint32(d[i].Orders))
	}
	return append(dst, '}')
}

const digits2 = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// digits4[v] is v < 10000 as four ASCII digits, zero-padded, packed
// big-endian into a uint32 so that one 4-byte store writes them. It is
// computed once and only read.
var digits4 = func() (t [10000]uint32) {
	for v := range t {
		t[v] = uint32('0'+v/1000)<<24 | uint32('0'+v/100%10)<<16 | uint32('0'+v/10%10)<<8 | uint32('0'+v%10)
	}
	return t
}()

// appendUint is strconv.AppendUint for uint32, four digits at a time from a
// table. The JSON path prints ~45 integers per full tick, so it writes
// straight into dst with 4-byte stores (bytes past the number land in spare
// capacity and are cut off by the returned length).
func appendUint(dst []byte, v uint32) []byte {
	l := len(dst)
	if cap(dst)-l < 12 {
		dst = grow(dst, 12)
	}
	b := dst[l : l+12]
	var n int
	if v < 10000 {
		n = putLead(b, v)
	} else if v < 1e8 {
		hi := v / 10000
		n = putLead(b, hi)
		binary.BigEndian.PutUint32(b[n:], digits4[v-hi*10000])
		n += 4
	} else {
		hi := v / 1e8 // at most 42
		mid := v - hi*1e8
		mhi := mid / 10000
		n = putLead(b, hi)
		binary.BigEndian.PutUint32(b[n:], digits4[mhi])
		binary.BigEndian.PutUint32(b[n+4:], digits4[mid-mhi*10000])
		n += 8
	}
	return dst[:l+n]
}

// lead4[v] is v < 10000 in ASCII without leading zeros, left-aligned in a
// big-endian uint32 and padded with zero bytes, which no digit is: the
// number of trailing zero bytes says how long it is. Computed once and
// only read.
var lead4 = func() (t [10000]uint32) {
	for v := range t {
		n := 4
		for limit := 1000; n > 1 && v < limit; limit /= 10 {
			n--
		}
		t[v] = digits4[v] << (8 * (4 - n))
	}
	return t
}()

// putLead writes v < 10000 without leading zeros at b[0:4] (always storing
// four bytes) and returns how many digits it has. It has no branches: the
// digit counts of prices and quantities change from number to number.
func putLead(b []byte, v uint32) int {
	x := lead4[v%10000]
	binary.BigEndian.PutUint32(b, x)
	return 4 - bits.TrailingZeros32(x)>>3
}

var pow10 = [...]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}

// appendPrice prints v / 10^dec exactly (see AppendJSON for the format).
// Two decimals (every segment but currencies) get a fast path with constant
// divisors.
func appendPrice(dst []byte, v int32, dec int) []byte {
	if dec != 2 {
		return appendDecimal(dst, int64(v), dec)
	}
	u := uint32(v)
	if v < 0 {
		dst = append(dst, '-')
		u = -u
	}
	ip := u / 100
	frac := u - ip*100
	dst = appendUint(dst, ip)
	switch {
	case frac == 0:
		return dst
	case frac%10 == 0:
		return append(dst, '.', byte('0'+frac/10))
	}
	return append(dst, '.', digits2[2*frac], digits2[2*frac+1])
}

// appendDecimal prints v / 10^dec exactly, the fraction's trailing zeros
// trimmed. dec is at most 9 and |v| below 2^63/10.
func appendDecimal(dst []byte, v int64, dec int) []byte { return appendFixed(dst, v, dec, 0) }

// FormatPrice prints a price of dec decimals (DivisorDecimals) exactly and
// with all of them, the way a price board aligns prices: 157370 with 2 is
// "1573.70". Tick records (AppendJSON) trim the zeros instead: "1573.7".
func FormatPrice(v int32, dec int) string { return string(appendFixed(nil, int64(v), dec, dec)) }

// appendFixed prints v / 10^dec exactly with at least keep fraction
// digits, trailing zeros beyond those trimmed. dec is at most 9, keep at
// most dec, and |v| below 2^63/10.
func appendFixed(dst []byte, v int64, dec, keep int) []byte {
	u := uint64(v)
	if v < 0 {
		dst = append(dst, '-')
		u = uint64(-v)
	}
	div := pow10[dec]
	ip, frac := u/div, u%div
	if ip <= 0xFFFFFFFF {
		dst = appendUint(dst, uint32(ip))
	} else {
		dst = appendUint64(dst, ip)
	}
	if frac == 0 && keep == 0 {
		return dst
	}
	// Drop trailing zeros down to keep digits, then print the rest
	// left-padded to its width.
	for dec > keep && frac%10 == 0 {
		frac /= 10
		dec--
	}
	var buf [9]byte
	for i := dec - 1; i >= 0; i-- {
		buf[i] = byte('0' + frac%10)
		frac /= 10
	}
	dst = append(dst, '.')
	return append(dst, buf[:dec]...)
}

func appendUint64(dst []byte, v uint64) []byte {
	var buf [20]byte
	i := len(buf)
	for v >= 10 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	i--
	buf[i] = byte('0' + v)
	return append(dst, buf[i:]...)
}

// appendChange prints (last − close) × 100 / close, rounded half away from
// zero to 4 decimal places, in integer arithmetic: |last − close| < 2^33,
// times 10^6 stays far below 2^63.
func appendChange(dst []byte, last, close int32) []byte {
	c := ChangeE4(last, close)
	if c == 0 {
		return append(dst, '0')
	}
	if c < 0 {
		dst = append(dst, '-')
		c = -c
	}
	q := uint64(c)
	ip, frac := q/1e4, uint32(q%1e4)
	if ip <= 0xFFFFFFFF {
		dst = appendUint(dst, uint32(ip))
	} else {
		dst = appendUint64(dst, ip)
	}
	if frac == 0 {
		return dst
	}
	n := 4 // trim trailing zeros of the 4-digit fraction
	for f := frac; f%10 == 0; f /= 10 {
		n--
	}
	dst = append(dst, '.', 0, 0, 0, 0)
	binary.BigEndian.PutUint32(dst[len(dst)-4:], digits4[frac])
	return dst[:len(dst)-4+n]
}

// timeCache holds one time field's last printed value: the Unix seconds,
// the IST day they fall on, and the quoted RFC 3339 text,
// "YYYY-MM-DDThh:mm:ss+05:30" with its quotes (27 bytes).
type timeCache struct {
	sec  uint32 // 0: nothing cached (0 prints as null and is never cached)
	day  uint32
	text [27]byte
}

// append prints Unix seconds as a quoted RFC 3339 IST time, or null for 0,
// recomputing only what changed since the last call: nothing for the same
// second, the clock for the same day.
// All arithmetic is unsigned, so the divisions by constants compile to
// multiplications.
func (c *timeCache) append(dst []byte, sec uint32) []byte {
	if sec == 0 {
		return append(dst, "null"...)
	}
	if sec != c.sec {
		s := uint64(sec) + istOffset
		days := uint32(s / 86400)
		b := &c.text
		if c.sec == 0 || days != c.day {
			y, m, d := civil(days)
			cc, yy := y/100, y%100
			*b = [27]byte{'"',
				digits2[2*cc], digits2[2*cc+1], digits2[2*yy], digits2[2*yy+1], '-',
				digits2[2*m], digits2[2*m+1], '-', digits2[2*d], digits2[2*d+1], 'T',
				0, 0, ':', 0, 0, ':', 0, 0,
				'+', '0', '5', ':', '3', '0', '"'}
			c.day = days
		}
		rem := uint32(s - uint64(days)*86400)
		hh, mm, ss := rem/3600, rem/60%60, rem%60
		b[12], b[13] = digits2[2*hh], digits2[2*hh+1]
		b[15], b[16] = digits2[2*mm], digits2[2*mm+1]
		b[18], b[19] = digits2[2*ss], digits2[2*ss+1]
		c.sec = sec
	}
	return append(dst, c.text[:]...)
}

// istOffset is India Standard Time's fixed offset from UTC, in seconds.
const istOffset = 5*3600 + 30*60

// civil converts days since 1970-01-01 to a proleptic Gregorian date, after
// Howard Hinnant's civil_from_days, for the non-negative days a uint32 Unix
// time can reach (up to 2106).
func civil(days uint32) (y, m, d uint32) {
	z := days + 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// AppendJSONString appends s as a JSON string literal. Invalid UTF-8 becomes
// U+FFFD, so the output always parses.
func AppendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
