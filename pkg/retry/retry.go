// Package retry decides when and how long to wait before trying again.
//
// Its loop does not know HTTP or WebSockets: the caller classifies each
// failure, marking the ones that must never be repeated (a 403, an order
// write) with Fatal and the ones with a server-chosen delay (Retry-After)
// with After. Everything else is retried with exponential backoff and jitter
// until the attempts run out.
package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// Policy is an exponential backoff: the wait before retry n (0-based) is
// min(Base·2^n, Max), jittered to between half and all of that.
type Policy struct {
	Base     time.Duration
	Max      time.Duration
	Attempts int // total tries, including the first; < 1 means 1
}

// REST is the default policy for idempotent REST requests (docs/design.md).
func REST() Policy { return Policy{Base: 3 * time.Second, Max: 30 * time.Second, Attempts: 5} }

// Reconnect is the default policy for the ticker's WebSocket (docs/design.md).
func Reconnect() Policy { return Policy{Base: 2 * time.Second, Max: 60 * time.Second, Attempts: 50} }

// Backoff is the jittered wait before retry n (n = 0 after the first failure).
func (p Policy) Backoff(n int) time.Duration {
	d := p.Base
	for i := 0; i < n && d < p.Max; i++ {
		d *= 2
	}
	if p.Max > 0 && d > p.Max {
		d = p.Max
	}
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(d-half)+1))
}

// FromEnv overrides p with PREFIX_BASE, PREFIX_MAX (Go durations such as
// "500ms") and PREFIX_ATTEMPTS, e.g. prefix "KITE_RETRY". Bad values are
// errors naming the variable.
func (p Policy) FromEnv(prefix string, getenv func(string) string) (Policy, error) {
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{prefix + "_BASE", &p.Base}, {prefix + "_MAX", &p.Max}} {
		if v := getenv(d.name); v != "" {
			parsed, err := time.ParseDuration(v)
			if err != nil || parsed < 0 {
				return p, fmt.Errorf("%s=%q is not a duration such as 500ms or 3s", d.name, v)
			}
			*d.dst = parsed
		}
	}
	if v := getenv(prefix + "_ATTEMPTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, fmt.Errorf("%s=%q is not a whole number of at least 1", prefix+"_ATTEMPTS", v)
		}
		p.Attempts = n
	}
	return p, nil
}

type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

// Fatal marks err as not worth retrying. Do returns it unwrapped.
func Fatal(err error) error {
	if err == nil {
		return nil
	}
	return &fatalError{err}
}

type afterError struct {
	err   error
	delay time.Duration
}

func (e *afterError) Error() string { return e.err.Error() }
func (e *afterError) Unwrap() error { return e.err }

// After marks err as retryable after at least delay (a Retry-After header).
func After(err error, delay time.Duration) error {
	if err == nil {
		return nil
	}
	return &afterError{err, delay}
}

// ExhaustedError is returned when every attempt failed. It unwraps to the
// last failure, so errors.As still finds the cause's type and exit code.
type ExhaustedError struct {
	Attempts int
	Err      error
}

func (e *ExhaustedError) Error() string {
	return fmt.Sprintf("gave up after %d attempts: %v", e.Attempts, e.Err)
}
func (e *ExhaustedError) Unwrap() error { return e.Err }

// Do calls fn until it succeeds, fails fatally, the attempts run out or ctx
// ends. onRetry, if not nil, is told about each failure before the wait (for
// logging); attempt counts from 1.
func Do(ctx context.Context, p Policy, fn func(ctx context.Context) error, onRetry func(attempt int, err error, wait time.Duration)) error {
	attempts := max(p.Attempts, 1)
	var err error
	for attempt := 1; ; attempt++ {
		if err = fn(ctx); err == nil {
			return nil
		}
		var fe *fatalError
		if errors.As(err, &fe) {
			return fe.err
		}
		if ctx.Err() != nil {
			return err
		}
		if attempt >= attempts {
			return &ExhaustedError{Attempts: attempt, Err: unwrapAfter(err)}
		}
		wait := p.Backoff(attempt - 1)
		var ae *afterError
		if errors.As(err, &ae) && ae.delay > wait {
			wait = ae.delay
		}
		if onRetry != nil {
			onRetry(attempt, unwrapAfter(err), wait)
		}
		if err := Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

func unwrapAfter(err error) error {
	var ae *afterError
	if errors.As(err, &ae) && err == error(ae) {
		return ae.err
	}
	return err
}

// Sleep waits for d or until ctx ends, whichever is first.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
