package kite

import (
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
