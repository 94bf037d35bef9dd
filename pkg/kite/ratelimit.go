package kite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kitecli/kite/internal/kitehome"
	"github.com/kitecli/kite/pkg/kitespec"
	"github.com/kitecli/kite/pkg/retry"
	"golang.org/x/time/rate"
)

// EndpointClass groups the endpoints Kite rate-limits together.
type EndpointClass string

// Endpoint classes, as Kite documents its limits.
const (
	ClassQuote      EndpointClass = "quote"      // /quote, /quote/ohlc, /quote/ltp
	ClassHistorical EndpointClass = "historical" // /instruments/historical/…
	ClassOrder      EndpointClass = "order"      // order writes: place, modify, cancel
	ClassDefault    EndpointClass = "default"    // everything else
)

// Window is "at most N requests per Per".
type Window struct {
	N   int
	Per time.Duration
}

func (w Window) String() string {
	unit := map[time.Duration]string{time.Second: "s", time.Minute: "min", time.Hour: "h", 24 * time.Hour: "day"}[w.Per]
	if unit == "" {
		unit = w.Per.String()
	}
	return fmt.Sprintf("%d/%s", w.N, unit)
}

// RateTable is the client-side limit of each endpoint class. A class with
// no windows is not limited.
type RateTable map[EndpointClass][]Window

// DefaultRateTable is Kite's published limits, as pkg/kitespec records
// them with their sources: the client paces itself by them and the
// sandbox enforces the same figures. Kite revises them, so every class
// can be overridden with KITE_RATE_<CLASS> (see FromEnv).
func DefaultRateTable() RateTable {
	return RateTable{
		ClassQuote:      {{kitespec.QuotePerSecond, time.Second}},
		ClassHistorical: {{kitespec.HistoricalPerSecond, time.Second}},
		ClassOrder: {
			{kitespec.OrdersPerSecond, time.Second},
			{kitespec.OrdersPerMinute, time.Minute},
			{kitespec.OrdersPerDay, 24 * time.Hour},
		},
		ClassDefault: {{kitespec.OtherPerSecond, time.Second}},
	}
}

// FromEnv is t with its classes overridden from KITE_RATE_QUOTE,
// KITE_RATE_HISTORICAL, KITE_RATE_ORDER and KITE_RATE_DEFAULT: a
// comma-separated list of N/UNIT windows (UNIT s, min, h or day, e.g.
// "10/s,200/min"), or "off" for no client-side limit.
func (t RateTable) FromEnv(getenv func(string) string) (RateTable, error) {
	out := RateTable{}
	for c, ws := range t {
		out[c] = ws
	}
	for _, c := range []EndpointClass{ClassQuote, ClassHistorical, ClassOrder, ClassDefault} {
		name := "KITE_RATE_" + strings.ToUpper(string(c))
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			continue
		}
		ws, err := ParseWindows(v)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %w", name, v, err)
		}
		out[c] = ws
	}
	return out, nil
}

// ParseWindows parses "10/s,200/min" (or "off": no windows).
func ParseWindows(s string) ([]Window, error) {
	if strings.EqualFold(s, "off") {
		return nil, nil
	}
	var ws []Window
	for part := range strings.SplitSeq(s, ",") {
		n, unit, ok := strings.Cut(strings.TrimSpace(part), "/")
		count, err := strconv.Atoi(n)
		if !ok || err != nil || count < 1 {
			return nil, fmt.Errorf("want windows such as 3/s or 10/s,200/min, or off")
		}
		per, ok := map[string]time.Duration{"s": time.Second, "sec": time.Second, "min": time.Minute, "h": time.Hour, "day": 24 * time.Hour}[unit]
		if !ok {
			return nil, fmt.Errorf("unknown unit %q: use s, min, h or day", unit)
		}
		ws = append(ws, Window{count, per})
	}
	return ws, nil
}

// ClassOf says which limit a request counts against. path is relative to
// the REST base (the same for both session kinds).
func ClassOf(method, path string) EndpointClass {
	path, _, _ = strings.Cut(path, "?")
	switch {
	case path == "/quote" || strings.HasPrefix(path, "/quote/"):
		return ClassQuote
	case strings.HasPrefix(path, "/instruments/historical/"):
		return ClassHistorical
	case method != http.MethodGet && strings.HasPrefix(path, "/orders/"):
		// Kite's order limits are about placement; modify and cancel are
		// counted with it, which can only keep the client further under
		// them (and the sandbox, like Kite, shares one bucket for writes).
		return ClassOrder
	}
	return ClassDefault
}

// RateLimiter paces requests per endpoint class. It is safe for concurrent
// use and lives as long as the Client (one process), so it keeps one
// process under Kite's limits; separate processes are not coordinated.
type RateLimiter struct {
	buckets map[EndpointClass][]*rate.Limiter
	pacers  map[EndpointClass]*pacer
}

// NewRateLimiter builds the limits of t.
//
// A window of one request (quote: 1/s) is a pacer: one request of the class
// at a time, the next sent a full window after the previous one's response
// arrived. Kite counts a request when it handles it, and a token bucket,
// which schedules by when requests were allowed, lets two arrive less than
// a window apart whenever the first was delayed (a busy machine, a slow
// network) and so earns a 429. Pacing from the response cannot: the server
// handled the previous request before answering it.
//
// Other windows are token buckets. A bucket of rate N/Per cannot promise
// "at most N in any window of Per" once its burst is above one, so windows
// of a second are paced evenly (burst 1) 10% under the published rate, and
// longer windows, which exist to allow short bursts, get rate N/(2·Per)
// with burst N/2: at most N/2 at once plus N/2 refilled, N in any window.
func NewRateLimiter(t RateTable) *RateLimiter {
	l := &RateLimiter{buckets: map[EndpointClass][]*rate.Limiter{}, pacers: map[EndpointClass]*pacer{}}
	for c, ws := range t {
		for _, w := range ws {
			switch {
			case w.N == 1 && w.Per <= time.Second:
				l.pacers[c] = newPacer(w.Per, "")
			case w.Per <= time.Second:
				l.buckets[c] = append(l.buckets[c], rate.NewLimiter(rate.Every(w.Per*11/10/time.Duration(w.N)), 1))
			default:
				l.buckets[c] = append(l.buckets[c], rate.NewLimiter(rate.Every(2*w.Per/time.Duration(w.N)), max(w.N/2, 1)))
			}
		}
	}
	return l
}

// NewSharedRateLimiter is NewRateLimiter whose one-per-window classes
// (quote) are also paced across processes, through files in dir named by
// key (e.g. a hash of the base URL and API key: Kite's limits are per API
// key). The files are an optimisation: when they cannot be read or written
// (a read-only or full disk, a damaged or planted file) pacing goes on per
// process and logger (nil discards) hears a warning.
func NewSharedRateLimiter(t RateTable, dir, key string, logger *slog.Logger) *RateLimiter {
	l := NewRateLimiter(t)
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	for c, p := range l.pacers {
		p.file = filepath.Join(dir, key+"-"+string(c))
		p.logger = logger
	}
	return l
}

// Acquire blocks until a request of this method and path may be sent, or
// ctx ends. The caller must call release once the response has arrived (or
// the request failed).
func (l *RateLimiter) Acquire(ctx context.Context, method, path string) (release func(), err error) {
	if l == nil {
		return func() {}, nil
	}
	c := ClassOf(method, path)
	release = func() {}
	if p := l.pacers[c]; p != nil {
		if release, err = p.acquire(ctx); err != nil {
			return nil, err
		}
	}
	for _, b := range l.buckets[c] {
		if err := b.Wait(ctx); err != nil {
			release()
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("client-side rate limit: %w", err)
		}
	}
	return release, nil
}

// Wait is Acquire for callers that do not report when the response came:
// a paced class then counts its window from the send.
func (l *RateLimiter) Wait(ctx context.Context, method, path string) error {
	release, err := l.Acquire(ctx, method, path)
	if err == nil {
		release()
	}
	return err
}

// pacer lets one request at a time through, each a gap after the previous
// one's release. With a file, the previous request may be another
// process's: the file holds the time of the last response and its lock
// serialises the processes, so a shell loop or parallel cron jobs calling
// kite quote stay under Kite's per-API-key limit too.
type pacer struct {
	gap  time.Duration
	turn chan time.Time // holds the earliest next send while no request is out
	file string         // "" = this process only

	logger *slog.Logger // with file: hears why the file was not used
	warned sync.Once    // one warning per process for a file that cannot be locked or written: every request would repeat it
}

func newPacer(gap time.Duration, file string) *pacer {
	p := &pacer{gap: gap, turn: make(chan time.Time, 1), file: file}
	p.turn <- time.Time{}
	return p
}

func (p *pacer) acquire(ctx context.Context) (func(), error) {
	var next time.Time
	select {
	case next = <-p.turn:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	unlock := func() {}
	locked := false
	if p.file != "" {
		// Best effort: without the shared file (read-only cache, odd
		// filesystem), pacing is per process, and a 429 is retried.
		if u, err := lockContext(ctx, p.file+".lock"); err == nil {
			unlock, locked = u, true
			if shared, ok := p.sharedNext(time.Now()); ok && shared.After(next) {
				next = shared
			}
		} else if ctx.Err() != nil {
			p.turn <- next
			return nil, ctx.Err()
		} else {
			p.warned.Do(func() {
				p.logger.Warn("rate-limit state cannot be shared with other kite processes; pacing this one only", "err", err.Error())
			})
		}
	}
	if err := retry.Sleep(ctx, time.Until(next)); err != nil {
		unlock()
		p.turn <- next
		return nil, err
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			done := time.Now()
			if locked {
				if err := kitehome.WriteFileAtomic(p.file, strconv.AppendInt(nil, done.UnixNano(), 10), 0o600); err != nil {
					p.warned.Do(func() {
						p.logger.Warn("could not save the rate-limit state for other kite processes; going on", "err", err.Error())
					})
				}
			}
			unlock()
			p.turn <- done.Add(p.gap)
		})
	}, nil
}

// sharedNext is the earliest next send the shared file allows: its stamp
// (the last response, in Unix nanoseconds) plus the gap. A stamp is only
// believed up to one gap in the future, so no clock change or damage makes
// a request wait longer than one period: a stamp further ahead, or one
// that is not a number, is ignored with a warning (the next release
// replaces it).
func (p *pacer) sharedNext(now time.Time) (time.Time, bool) {
	b, _, err := kitehome.ReadRegular(p.file, 64)
	if errors.Is(err, fs.ErrNotExist) {
		return time.Time{}, false
	}
	if err != nil {
		p.logger.Warn("ignoring the shared rate-limit state", "file", p.file, "err", err.Error())
		return time.Time{}, false
	}
	ns, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		p.logger.Warn("ignoring the shared rate-limit state: not a time stamp", "file", p.file)
		return time.Time{}, false
	}
	stamp := time.Unix(0, ns)
	if ahead := stamp.Sub(now); ahead > p.gap {
		p.logger.Warn("ignoring the shared rate-limit state: its time stamp is in the future (was the clock changed?)",
			"file", p.file, "ahead", ahead.Round(time.Millisecond).String())
		return time.Time{}, false
	}
	next := stamp.Add(p.gap)
	if limit := now.Add(p.gap); next.After(limit) {
		next = limit
	}
	return next, true
}

// lockContext is kitehome.Lock that gives up when ctx ends (flock itself
// cannot be interrupted; the abandoned attempt releases its lock as soon as
// it gets it).
func lockContext(ctx context.Context, path string) (func(), error) {
	if err := kitehome.MkdirPrivate(filepath.Dir(path)); err != nil {
		return nil, err
	}
	type res struct {
		unlock func()
		err    error
	}
	ch := make(chan res, 1)
	go func() {
		u, err := kitehome.Lock(path)
		ch <- res{u, err}
	}()
	select {
	case r := <-ch:
		return r.unlock, r.err
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.err == nil {
				r.unlock()
			}
		}()
		return nil, ctx.Err()
	}
}
