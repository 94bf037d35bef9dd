package kite_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/sandbox"
)

// Issue 10, item 10: a cache that cannot be written is not fatal. The
// cache directory sits under a regular file, so it cannot be created by
// anyone, root included (chmod does not stop root).
func TestInstrumentCacheUnwritableWarns(t *testing.T) {
	srv, _ := testSandbox(t, sandbox.Options{})
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	cache := &kite.InstrumentCache{Dir: filepath.Join(file, "instruments"), Logger: slog.New(slog.NewTextHandler(&log, nil))}
	insts, err := cache.Load(context.Background(), connectClient(srv), "NSE")
	if err != nil || len(insts) == 0 {
		t.Fatalf("Load: %d instruments, %v", len(insts), err)
	}
	if !strings.Contains(log.String(), "level=WARN") || !strings.Contains(log.String(), "could not cache the instrument list") {
		t.Fatalf("no warning: %q", log.String())
	}
}
