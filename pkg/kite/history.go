package kite

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
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
		Candles []json.RawMessage `json:"candles"`
	}
	path := "/instruments/historical/" + strconv.FormatUint(uint64(r.Token), 10) + "/" + url.PathEscape(r.Interval)
	if err := c.Do(ctx, http.MethodGet, path, q, &data); err != nil {
		return nil, err
	}
	out := make([]Candle, 0, len(data.Candles))
	for i, raw := range data.Candles {
		cd, err := ParseCandle(raw)
		if err != nil {
			return nil, fmt.Errorf("GET %s: candle %d: %w", path, i, err)
		}
		out = append(out, cd)
	}
	return out, nil
}

// ParseCandle parses Kite's candle array [time, open, high, low, close,
// volume(, oi)]. The time may be written +0530 (Kite) or +05:30.
func ParseCandle(raw json.RawMessage) (Candle, error) {
	var cells []json.RawMessage
	if err := json.Unmarshal(raw, &cells); err != nil {
		return Candle{}, fmt.Errorf("not an array: %w", err)
	}
	if len(cells) < 6 || len(cells) > 7 {
		return Candle{}, fmt.Errorf("%d fields, want 6 or 7", len(cells))
	}
	var ts string
	if err := json.Unmarshal(cells[0], &ts); err != nil {
		return Candle{}, fmt.Errorf("time %s is not a string", cells[0])
	}
	t, err := time.Parse("2006-01-02T15:04:05-0700", ts)
	if err != nil {
		if t, err = time.Parse(time.RFC3339, ts); err != nil {
			return Candle{}, fmt.Errorf("time %q is not like 2024-01-02T09:15:00+0530", ts)
		}
	}
	var nums [6]json.Number
	for i, cell := range cells[1:] {
		cell = bytes.TrimSpace(cell)
		if len(cell) == 0 || cell[0] != '-' && (cell[0] < '0' || cell[0] > '9') {
			return Candle{}, fmt.Errorf("field %d %s is not a number", i+1, cell)
		}
		if err := json.Unmarshal(cell, &nums[i]); err != nil {
			return Candle{}, fmt.Errorf("field %d %s is not a number", i+1, cell)
		}
	}
	t = t.In(IST)
	return Candle{Date: t.Format(time.RFC3339), Time: t,
		Open: nums[0], High: nums[1], Low: nums[2], Close: nums[3], Volume: nums[4], OI: nums[5]}, nil
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
