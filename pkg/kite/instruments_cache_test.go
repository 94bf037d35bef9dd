package kite_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/sandbox"
)

func TestInstrumentCacheDaily(t *testing.T) {
	srv, log := testSandbox(t, sandbox.Options{})
	c := connectClient(srv)
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, kite.IST)
	cache := &kite.InstrumentCache{Dir: t.TempDir(), Now: func() time.Time { return now }}
	ctx := context.Background()

	first, err := cache.Load(ctx, c, "")
	if err != nil || len(first) == 0 {
		t.Fatalf("first load: %d instruments, %v", len(first), err)
	}
	path := cache.Path(c.BaseURL, "")
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("cache file %s: %v %v", path, fi, err)
	}
	// The file was written "now" by the real clock; pin it to 09:00 IST.
	if err := os.Chtimes(path, now, now); err != nil {
		t.Fatal(err)
	}
	if _, err := cache.Load(ctx, c, ""); err != nil || log.Count("", "/instruments") != 1 {
		t.Fatalf("same day: %v, %d requests, want 1 (from cache)", err, log.Count("", "/instruments"))
	}
	nse, err := cache.Load(ctx, c, "nse")
	if err != nil || log.Count("", "/instruments/NSE") != 1 || len(nse) >= len(first) {
		t.Fatalf("NSE: %d instruments, %v; its own request and file expected", len(nse), err)
	}
	for _, in := range nse {
		if in.Exchange != "NSE" {
			t.Fatalf("NSE dump has %+v", in)
		}
	}

	// Next morning before the refresh: still today's dump.
	now = time.Date(2026, 11, 22, 8, 29, 0, 0, kite.IST)
	if _, err := cache.Load(ctx, c, ""); err != nil || log.Count("", "/instruments") != 1 {
		t.Fatalf("before 08:30: %d requests", log.Count("", "/instruments"))
	}
	// After the refresh: fetched again.
	now = time.Date(2026, 11, 22, 8, 31, 0, 0, kite.IST)
	if err := os.Chtimes(path, now.Add(-23*time.Hour), now.Add(-23*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := cache.Load(ctx, c, ""); err != nil || log.Count("", "/instruments") != 2 {
		t.Fatalf("after 08:30: %d requests, want 2", log.Count("", "/instruments"))
	}
	// A corrupt cache file is not trusted.
	if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := cache.Load(ctx, c, ""); err != nil || len(got) != len(first) || log.Count("", "/instruments") != 3 {
		t.Fatalf("corrupt cache: %d instruments, %v, %d requests", len(got), err, log.Count("", "/instruments"))
	}
}
