package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/kitecli/kite/pkg/kite"
)

// The lines below tell a user, one per wait, that kite is retrying rather
// than hanging: what failed, the attempt about to be made of how many, and
// when. They are warnings: shown at the default --log-level, silenced by
// --log-level error. The libraries only report (kite.Client.OnRetry,
// kite.TickerEvent); the wording is the CLI's.

// warnEnabled reports whether warnings are shown at the chosen --log-level
// (warn, the default, when there is no logger).
func warnEnabled(l *slog.Logger) bool {
	return l == nil || l.Enabled(context.Background(), slog.LevelWarn)
}

// restRetryNotice is kite.Client.OnRetry for the CLI:
//
//	kite: GET /quote/ltp: 503 Service Unavailable (...); retrying in 2.9s (attempt 2 of 5)
func restRetryNotice(errOut io.Writer, logger *slog.Logger) func(kite.RetryNotice) {
	return func(n kite.RetryNotice) {
		if !warnEnabled(logger) {
			return
		}
		what := n.Method + " " + n.Path
		msg := strings.TrimPrefix(n.Err.Error(), what+": ")
		fmt.Fprintf(errOut, "kite: %s: %s; retrying in %s (attempt %d of %d)\n", what, msg, roundWait(n.Wait), n.Attempt+1, n.Attempts)
	}
}

// roundWait shows a backoff to a tenth of a second (a millisecond below one
// second): what a user can act on, not the jitter.
func roundWait(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

// watchdogHintAfter is how many watchdog kills in a row on one connection
// earn the hint that --watchdog may be too short.
const watchdogHintAfter = 3

// connNotices wraps a ticker handler and tells stderr, at once (before any
// queue), why each connection was dropped and when it is retried:
//
//	kite: ticker connection 1: watchdog: no data or heartbeat for 5s; reconnecting in 1.4s (attempt 2 of 50)
//
// After watchdogHintAfter watchdog kills in a row it says which flag raises
// the watchdog, once. Binary and Text pass straight through.
type connNotices struct {
	kite.TickerHandler
	errOut   io.Writer
	logger   *slog.Logger
	watchdog time.Duration

	silent map[int]int // connection → watchdog kills in a row
	hinted bool
}

func newConnNotices(h kite.TickerHandler, errOut io.Writer, logger *slog.Logger, watchdog time.Duration) *connNotices {
	return &connNotices{TickerHandler: h, errOut: errOut, logger: logger, watchdog: watchdog, silent: map[int]int{}}
}

func (c *connNotices) Event(ev kite.TickerEvent) error {
	switch ev.Kind {
	case kite.EventDisconnected:
		if errors.Is(ev.Err, kite.ErrWatchdog) {
			c.silent[ev.Conn]++
		} else {
			c.silent[ev.Conn] = 0
		}
	case kite.EventReconnecting:
		if warnEnabled(c.logger) {
			why := "dropped"
			if ev.Err != nil {
				why = strings.TrimPrefix(ev.Err.Error(), fmt.Sprintf("ticker connection %d: ", ev.Conn))
			}
			fmt.Fprintf(c.errOut, "kite: ticker connection %d: %s; reconnecting in %s (attempt %d of %d)\n", ev.Conn, why, roundWait(ev.Wait), ev.Attempt, ev.Attempts)
			if !c.hinted && c.silent[ev.Conn] >= watchdogHintAfter {
				c.hinted = true
				fmt.Fprintf(c.errOut, "kite: the ticker sent nothing for --watchdog %v, %d times in a row; if the server is slow rather than gone, raise it: --watchdog %v (or KITE_WATCHDOG=%v)\n",
					c.watchdog, c.silent[ev.Conn], suggestWatchdog(c.watchdog), suggestWatchdog(c.watchdog))
			}
		}
	}
	return c.TickerHandler.Event(ev)
}

// suggestWatchdog is a watchdog worth trying next: four times the current,
// at least 30s.
func suggestWatchdog(d time.Duration) time.Duration { return max(4*d, 30*time.Second) }
