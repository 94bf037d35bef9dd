package kite

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sharedPacer is the quote pacer of a shared limiter in dir. Its warnings
// are written by Acquire and release, in the caller's goroutine, so a plain
// buffer can collect them.
func sharedPacer(t *testing.T, dir string) (*pacer, *bytes.Buffer) {
	t.Helper()
	log := &bytes.Buffer{}
	l := NewSharedRateLimiter(RateTable{ClassQuote: {{1, time.Second}}}, dir, "k", slog.New(slog.NewTextHandler(log, nil)))
	p := l.pacers[ClassQuote]
	if p == nil || p.file != filepath.Join(dir, "k-quote") {
		t.Fatalf("pacer %+v", p)
	}
	return p, log
}

func writeStamp(t *testing.T, path string, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Issue 10, item 5: a stamp in the shared file is believed only up to one
// period ahead, so no clock change or damage stalls kite quote for longer
// than one period; anything else is ignored, with a warning.
func TestSharedStampIsCappedAtOnePeriod(t *testing.T) {
	dir := t.TempDir()
	p, log := sharedPacer(t, dir)
	now := time.Unix(1_800_000_000, 0)
	for _, c := range []struct {
		name     string
		stamp    string
		wantNext time.Time // zero: ignored
		warn     string
	}{
		{"past", strconv.FormatInt(now.Add(-300*time.Millisecond).UnixNano(), 10), now.Add(700 * time.Millisecond), ""},
		{"long past", strconv.FormatInt(now.Add(-time.Hour).UnixNano(), 10), now.Add(-time.Hour + time.Second), ""},
		// 0.5 s ahead: stamp + 1 s would be 1.5 s away; capped at 1 s.
		{"slightly ahead", strconv.FormatInt(now.Add(500*time.Millisecond).UnixNano(), 10), now.Add(time.Second), ""},
		{"30 s ahead", strconv.FormatInt(now.Add(30*time.Second).UnixNano(), 10), time.Time{}, "in the future"},
		{"far future", "9223372036854775807", time.Time{}, "in the future"},
		{"garbage", "not a stamp\n", time.Time{}, "not a time stamp"},
		{"empty", "", time.Time{}, "not a time stamp"},
	} {
		writeStamp(t, p.file, c.stamp)
		before := len(log.String())
		next, ok := p.sharedNext(now)
		if c.wantNext.IsZero() {
			if ok {
				t.Errorf("%s: next %v, want the stamp ignored", c.name, next)
			}
		} else if !ok || !next.Equal(c.wantNext) {
			t.Errorf("%s: next %v (%v), want %v", c.name, next, ok, c.wantNext)
		}
		warned := log.String()[before:]
		if c.warn == "" && warned != "" || !strings.Contains(warned, c.warn) || c.warn != "" && !strings.Contains(warned, p.file) {
			t.Errorf("%s: logged %q, want a warning with %q and the file", c.name, warned, c.warn)
		}
	}
}

// The same through Acquire with a real file, as kite quote meets it: a
// stamp an hour ahead (a clock set back) or a damaged file would stall the
// request, which must instead go out. The context's deadline is far
// beyond the one second a request may wait; it only stops a regression
// from hanging the suite.
func TestSharedFutureStampDoesNotStall(t *testing.T) {
	for _, stamp := range []string{
		strconv.FormatInt(time.Now().Add(time.Hour).UnixNano(), 10),
		"9999999999999999999", // out of range: not a number kite wrote
	} {
		p, log := sharedPacer(t, t.TempDir())
		writeStamp(t, p.file, stamp)
		l := &RateLimiter{pacers: map[EndpointClass]*pacer{ClassQuote: p}}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		release, err := l.Acquire(ctx, http.MethodGet, "/quote")
		cancel()
		if err != nil {
			t.Fatalf("stamp %s: %v", stamp, err)
		}
		release()
		if !strings.Contains(log.String(), "level=WARN") {
			t.Fatalf("stamp %s: no warning: %q", stamp, log.String())
		}
		// The release replaced the stamp with a sane one.
		b, err := os.ReadFile(p.file)
		if err != nil {
			t.Fatal(err)
		}
		ns, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil || time.Unix(0, ns).After(time.Now()) {
			t.Fatalf("stamp after release %q (%v)", b, err)
		}
	}
}

// Issue 10, item 10: shared state that cannot be kept (its directory
// cannot be made: a path under a regular file fails for root too) is a
// warning, once, and requests go on.
func TestSharedStateUnwritableIsNotFatal(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	writeStamp(t, file, "")
	p, log := sharedPacer(t, filepath.Join(file, "ratelimit"))
	l := &RateLimiter{pacers: map[EndpointClass]*pacer{ClassQuote: p}}
	for range 2 {
		release, err := l.Acquire(context.Background(), http.MethodGet, "/quote")
		if err != nil {
			t.Fatal(err)
		}
		release()
		// No second-long wait for the next turn: this test is about the file.
		<-p.turn
		p.turn <- time.Time{}
	}
	if n := strings.Count(log.String(), "level=WARN"); n != 1 {
		t.Fatalf("%d warnings, want 1 per process:\n%s", n, log.String())
	}
}

// FuzzSharedStamp: whatever bytes another process (or damage) left in the
// shared file, the next send is never more than one period away.
func FuzzSharedStamp(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	for _, seed := range []string{
		strconv.FormatInt(now.UnixNano(), 10),
		strconv.FormatInt(now.Add(500*time.Millisecond).UnixNano(), 10),
		strconv.FormatInt(now.Add(time.Hour).UnixNano(), 10),
		"-9223372036854775808", "9223372036854775807", " 12\n", "", "garbage",
	} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p, _ := sharedPacer(t, dir)
		if err := os.WriteFile(p.file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if next, ok := p.sharedNext(now); ok && next.After(now.Add(p.gap)) {
			t.Fatalf("stamp %q: next send %v after now, more than one period", data, next.Sub(now))
		}
	})
}
