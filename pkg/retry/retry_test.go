package retry

import (
	"context"
	"errors"
	"testing"
	"time"
)

var fast = Policy{Base: time.Microsecond, Max: 10 * time.Microsecond, Attempts: 4}

func TestBackoffGrowsAndCaps(t *testing.T) {
	p := Policy{Base: 100 * time.Millisecond, Max: time.Second, Attempts: 10}
	for n, want := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		want *= time.Millisecond
		for range 50 {
			got := p.Backoff(n)
			if got < want/2 || got > want {
				t.Fatalf("Backoff(%d) = %v, want within [%v, %v]", n, got, want/2, want)
			}
		}
	}
}

func TestDoRetriesUntilSuccess(t *testing.T) {
	calls := 0
	err := Do(context.Background(), fast, func(context.Context) error {
		calls++
		if calls < 3 {
			return errors.New("flaky")
		}
		return nil
	}, nil)
	if err != nil || calls != 3 {
		t.Fatalf("err=%v calls=%d, want nil after 3", err, calls)
	}
}

func TestDoStopsOnFatal(t *testing.T) {
	cause := errors.New("403")
	calls := 0
	err := Do(context.Background(), fast, func(context.Context) error {
		calls++
		return Fatal(cause)
	}, nil)
	if err != cause || calls != 1 {
		t.Fatalf("err=%v calls=%d, want the cause after 1 call", err, calls)
	}
}

func TestDoExhausts(t *testing.T) {
	cause := errors.New("down")
	var retries []int
	err := Do(context.Background(), fast, func(context.Context) error { return cause },
		func(attempt int, err error, wait time.Duration) { retries = append(retries, attempt) })
	var ex *ExhaustedError
	if !errors.As(err, &ex) || ex.Attempts != 4 || !errors.Is(err, cause) {
		t.Fatalf("err=%v, want ExhaustedError after 4 attempts wrapping the cause", err)
	}
	if len(retries) != 3 {
		t.Fatalf("onRetry called %d times, want 3", len(retries))
	}
}

func TestDoHonoursAfter(t *testing.T) {
	var waits []time.Duration
	calls := 0
	_ = Do(context.Background(), fast, func(context.Context) error {
		calls++
		if calls == 1 {
			return After(errors.New("429"), 5*time.Millisecond)
		}
		return nil
	}, func(_ int, _ error, wait time.Duration) { waits = append(waits, wait) })
	if len(waits) != 1 || waits[0] != 5*time.Millisecond {
		t.Fatalf("waits = %v, want [5ms]", waits)
	}
}

func TestDoStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := Policy{Base: time.Hour, Max: time.Hour, Attempts: 3}
	calls := 0
	err := Do(ctx, p, func(context.Context) error {
		calls++
		cancel()
		return errors.New("x")
	}, nil)
	if calls != 1 || err == nil {
		t.Fatalf("calls=%d err=%v", calls, err)
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{"KITE_RETRY_BASE": "250ms", "KITE_RETRY_ATTEMPTS": "2"}
	p, err := REST().FromEnv("KITE_RETRY", func(k string) string { return env[k] })
	if err != nil || p.Base != 250*time.Millisecond || p.Attempts != 2 || p.Max != REST().Max {
		t.Fatalf("p=%+v err=%v", p, err)
	}
	env["KITE_RETRY_MAX"] = "soon"
	if _, err := REST().FromEnv("KITE_RETRY", func(k string) string { return env[k] }); err == nil {
		t.Fatal("bad duration accepted")
	}
}
