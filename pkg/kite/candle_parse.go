package kite

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// ParseCandles parses Kite's candle list [[time, open, high, low, close,
// volume(, oi)], …] from JSON that has already been checked to be valid
// (the envelope decode does): a year of minute candles is ~100k arrays, so
// this scans them by hand instead of through reflection, several times
// faster. null or an empty list is no candles.
func ParseCandles(data []byte) ([]Candle, error) {
	p := candleScanner{s: string(data)}
	if p.literal("null") {
		return nil, p.end()
	}
	if !p.consume('[') {
		return nil, p.fail("the candle list is not an array")
	}
	out := make([]Candle, 0, strings.Count(p.s, "]")) // one "]" per candle, plus the list's
	if p.consume(']') {
		return out, p.end()
	}
	for n := 0; ; n++ {
		c, err := p.candle()
		if err != nil {
			return nil, fmt.Errorf("candle %d: %w", n, err)
		}
		out = append(out, c)
		if p.consume(']') {
			return out, p.end()
		}
		if !p.consume(',') {
			return nil, p.fail("want , or ] after candle %d", n)
		}
	}
}

// ParseCandle parses one candle array [time, open, high, low, close,
// volume(, oi)]. The time may be written +0530 (Kite) or +05:30.
func ParseCandle(raw []byte) (Candle, error) {
	p := candleScanner{s: string(raw)}
	c, err := p.candle()
	if err != nil {
		return Candle{}, err
	}
	return c, p.end()
}

// candleScanner reads candles out of valid JSON. Number and time fields
// are substrings of s: one allocation holds a whole chunk.
type candleScanner struct {
	s string
	i int
}

func (p *candleScanner) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *candleScanner) consume(c byte) bool {
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *candleScanner) literal(lit string) bool {
	p.ws()
	if strings.HasPrefix(p.s[p.i:], lit) {
		p.i += len(lit)
		return true
	}
	return false
}

func (p *candleScanner) end() error {
	if p.ws(); p.i != len(p.s) {
		return p.fail("unexpected data after the candles")
	}
	return nil
}

func (p *candleScanner) fail(format string, args ...any) error {
	return fmt.Errorf("offset %d: "+format, append([]any{p.i}, args...)...)
}

func (p *candleScanner) str() (string, bool) {
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return "", false
	}
	j := strings.IndexByte(p.s[p.i+1:], '"')
	if j < 0 {
		return "", false
	}
	v := p.s[p.i+1 : p.i+1+j]
	if strings.IndexByte(v, '\\') >= 0 {
		// Escapes (never in Kite's timestamps): let encoding/json decode.
		dec := json.NewDecoder(strings.NewReader(p.s[p.i:]))
		if err := dec.Decode(&v); err != nil {
			return "", false
		}
		p.i += int(dec.InputOffset())
		return v, true
	}
	p.i += j + 2
	return v, true
}

// number reads one JSON number literal.
func (p *candleScanner) number() (json.Number, bool) {
	p.ws()
	s, start := p.s, p.i
	i := start
	digits := func() bool {
		k := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > k
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if !digits() {
		return "", false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return "", false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return "", false
		}
	}
	p.i = i
	return json.Number(s[start:i]), true
}

func (p *candleScanner) candle() (Candle, error) {
	if !p.consume('[') {
		return Candle{}, p.fail("a candle is not an array")
	}
	ts, ok := p.str()
	if !ok {
		return Candle{}, p.fail("the candle's time is not a string")
	}
	t, date, ok := parseISTStamp(ts)
	if !ok {
		var err error
		if t, err = time.Parse("2006-01-02T15:04:05-0700", ts); err != nil {
			if t, err = time.Parse(time.RFC3339, ts); err != nil {
				return Candle{}, p.fail("time %q is not like 2024-01-02T09:15:00+0530", ts)
			}
		}
		t = t.In(IST)
		date = t.Format(time.RFC3339)
	}
	var nums [6]json.Number
	n := 0
	for ; n < len(nums); n++ {
		if !p.consume(',') {
			break
		}
		if nums[n], ok = p.number(); !ok {
			return Candle{}, p.fail("field %d is not a number", n+1)
		}
	}
	if !p.consume(']') || n < 5 {
		return Candle{}, p.fail("want 6 or 7 fields: [time, open, high, low, close, volume(, oi)]")
	}
	return Candle{Date: date, Time: t,
		Open: nums[0], High: nums[1], Low: nums[2], Close: nums[3], Volume: nums[4], OI: nums[5]}, nil
}

// parseISTStamp is the fast path for what Kite always sends,
// "2024-01-02T09:15:00+0530" (or +05:30): time.Parse would allocate a zone
// per candle. It returns the RFC 3339 form too. ok is false for anything
// else, which the caller parses the slow way.
func parseISTStamp(ts string) (t time.Time, rfc3339 string, ok bool) {
	switch {
	case len(ts) == 24 && ts[19:] == "+0530":
		rfc3339 = ts[:22] + ":" + ts[22:]
	case len(ts) == 25 && ts[19:] == "+05:30":
		rfc3339 = ts
	default:
		return time.Time{}, "", false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(ts[i : i+n]) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	if ts[4] != '-' || ts[7] != '-' || ts[10] != 'T' || ts[13] != ':' || ts[16] != ':' {
		return time.Time{}, "", false
	}
	y, mo, d, h, mi, s := num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 {
		return time.Time{}, "", false
	}
	t = time.Date(y, time.Month(mo), d, h, mi, s, 0, IST)
	if t.Day() != d { // 2024-02-30 rolled over
		return time.Time{}, "", false
	}
	return t, rfc3339, true
}
