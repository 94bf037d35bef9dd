package kite

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// historicalMaxDays is Kite's longest range per historical request, per
// interval (Kite Connect v3 docs). Read-only.
var historicalMaxDays = map[string]int{
	"minute":   60,
	"3minute":  100,
	"5minute":  100,
	"10minute": 100,
	"15minute": 200,
	"30minute": 200,
	"60minute": 400,
	"day":      2000,
}

// Intervals lists the candle intervals Kite serves, shortest first.
func Intervals() []string {
	return []string{"minute", "3minute", "5minute", "10minute", "15minute", "30minute", "60minute", "day"}
}

// intervalAliases are the short names people type (as in most charting
// tools) for Kite's interval names.
var intervalAliases = map[string]string{
	"1m": "minute", "3m": "3minute", "5m": "5minute", "10m": "10minute",
	"15m": "15minute", "30m": "30minute", "60m": "60minute", "1h": "60minute",
	"1d": "day",
}

// IntervalAliases lists the short aliases, in the order of Intervals.
func IntervalAliases() []string {
	return []string{"1m", "3m", "5m", "10m", "15m", "30m", "1h", "60m", "1d"}
}

// CanonicalInterval maps an alias (5m, 1h, 1d) to Kite's name (5minute,
// 60minute, day) and returns a Kite name unchanged; ok is false for
// anything else.
func CanonicalInterval(s string) (string, bool) {
	if name, ok := intervalAliases[s]; ok {
		return name, true
	}
	_, ok := historicalMaxDays[s]
	return s, ok
}

// MaxRange is the longest range one historical request of interval may
// cover; ok is false for an interval Kite does not serve.
func MaxRange(interval string) (d time.Duration, ok bool) {
	days, ok := historicalMaxDays[interval]
	return time.Duration(days) * 24 * time.Hour, ok
}

// Chunk is one historical request's range, both ends inclusive as Kite
// treats them.
type Chunk struct{ From, To time.Time }

// SplitRange cuts [from, to] into requests within interval's limit. Seams
// sit on IST midnights (so on a boundary of every interval) and each seam
// instant belongs to both neighbours: whichever way a server treats a
// candle that starts on the seam, it is fetched at least once, and the
// joiner (HistoryJoiner) drops the repeat. Times are truncated to seconds,
// the resolution Kite takes.
func SplitRange(from, to time.Time, interval string) ([]Chunk, error) {
	limit, ok := MaxRange(interval)
	if !ok {
		return nil, fmt.Errorf("unknown interval %q", interval)
	}
	from, to = from.Truncate(time.Second), to.Truncate(time.Second)
	if !from.Before(to) {
		return nil, fmt.Errorf("from %s is not before to %s", from.In(IST).Format(time.RFC3339), to.In(IST).Format(time.RFC3339))
	}
	f := from.In(IST)
	base := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, IST)
	var chunks []Chunk
	for start := base; start.Before(to); start = start.Add(limit) {
		c := Chunk{From: start, To: start.Add(limit)}
		if c.From.Before(from) {
			c.From = from
		}
		if c.To.After(to) {
			c.To = to
		}
		chunks = append(chunks, c)
	}
	return chunks, nil
}

// Candle is one historical candle. Prices and volumes keep Kite's digits
// exactly (json.Number); Date is RFC 3339 in IST per kite's output
// contract; OI is empty unless asked for.
type Candle struct {
	Date   string      `json:"date"`
	Open   json.Number `json:"open"`
	High   json.Number `json:"high"`
	Low    json.Number `json:"low"`
	Close  json.Number `json:"close"`
	Volume json.Number `json:"volume"`
	OI     json.Number `json:"oi,omitempty"`
	Time   time.Time   `json:"-"`
}

// HistoryRequest is one GET /instruments/historical/:token/:interval.
type HistoryRequest struct {
	Token      uint32
	Interval   string
	From, To   time.Time
	Continuous bool // continuous data for expired futures (day candles)
	OI         bool
	// UserID is sent as user_id, which Kite web's /oms endpoint expects;
	// Kite Connect ignores it.
	UserID string
}

// Historical fetches one range (within the interval's limit).
func (c *Client) Historical(ctx context.Context, r HistoryRequest) ([]Candle, error) {
	q := url.Values{
		"from": {r.From.In(IST).Format(time.DateTime)},
		"to":   {r.To.In(IST).Format(time.DateTime)},
	}
	if r.Continuous {
		q.Set("continuous", "1")
	}
	if r.OI {
		q.Set("oi", "1")
	}
	if r.UserID != "" {
		q.Set("user_id", r.UserID)
	}
	var data struct {
		Candles json.RawMessage `json:"candles"`
	}
	path := "/instruments/historical/" + strconv.FormatUint(uint64(r.Token), 10) + "/" + url.PathEscape(r.Interval)
	if err := c.Do(ctx, http.MethodGet, path, q, &data); err != nil {
		return nil, err
	}
	out, err := ParseCandles(data.Candles)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	return out, nil
}

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

// HistoryJoiner joins consecutive chunks into one strictly increasing
// series: a candle at or before the last one kept (the shared seam) is
// dropped.
type HistoryJoiner struct {
	last    time.Time
	started bool
}

// Join returns the candles of the next chunk that extend the series. It
// reuses cs's backing array.
func (j *HistoryJoiner) Join(cs []Candle) []Candle {
	out := cs[:0]
	for _, c := range cs {
		if j.started && !c.Time.After(j.last) {
			continue
		}
		j.last, j.started = c.Time, true
		out = append(out, c)
	}
	return out
}

// FetchHistory fetches every chunk of r's range (see SplitRange), up to
// parallel requests in flight (the client's rate limiter paces them), and
// hands each chunk's new candles to emit in order as soon as it and all
// before it have arrived. On a failure, the chunks before it have already
// been emitted: a long download cut short by an expired session keeps what
// it got. emit is also told the chunk number (from 1) and total.
func (c *Client) FetchHistory(ctx context.Context, r HistoryRequest, chunks []Chunk, parallel int, emit func(candles []Candle, done, total int) error) error {
	parallel = max(parallel, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		candles []Candle
		err     error
	}
	results := make([]chan result, len(chunks))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	slots := make(chan struct{}, parallel)
	go func() {
		for i, ch := range chunks {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func() {
				req := r
				req.From, req.To = ch.From, ch.To
				cs, err := c.Historical(ctx, req)
				results[i] <- result{cs, err}
			}()
		}
	}()
	var joiner HistoryJoiner
	for i := range chunks {
		var res result
		select {
		case res = <-results[i]:
		case <-ctx.Done():
			return ctx.Err()
		}
		<-slots
		if res.err != nil {
			return res.err
		}
		if err := emit(joiner.Join(res.candles), i+1, len(chunks)); err != nil {
			return err
		}
	}
	return nil
}

// AppendJSON appends c as a JSON object ({"date":…,"open":…,…}), the same
// bytes encoding/json would write, without reflection: a year of minute
// candles is ~100k records.
func (c *Candle) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"date":"`...)
	dst = append(dst, c.Date...)
	dst = append(dst, `","open":`...)
	dst = append(dst, c.Open...)
	dst = append(dst, `,"high":`...)
	dst = append(dst, c.High...)
	dst = append(dst, `,"low":`...)
	dst = append(dst, c.Low...)
	dst = append(dst, `,"close":`...)
	dst = append(dst, c.Close...)
	dst = append(dst, `,"volume":`...)
	dst = append(dst, c.Volume...)
	if c.OI != "" {
		dst = append(dst, `,"oi":`...)
		dst = append(dst, c.OI...)
	}
	return append(dst, '}')
}

// AppendCSV appends c as a CSV row date,open,high,low,close,volume[,oi]
// (with oi, an empty cell when Kite sent none). No field can contain a
// comma or quote: the date is RFC 3339 and the rest are JSON numbers.
func (c *Candle) AppendCSV(dst []byte, oi bool) []byte {
	for i, s := range [...]string{c.Date, string(c.Open), string(c.High), string(c.Low), string(c.Close), string(c.Volume)} {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, s...)
	}
	if oi {
		dst = append(dst, ',')
		dst = append(dst, c.OI...)
	}
	return append(dst, '\n')
}
