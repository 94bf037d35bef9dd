//go:build unix

package kite_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/sandbox"
)

// A FIFO or a link at the cache file is never read (a FIFO would block
// for ever): the dump is fetched again and the file replaced. The deadline
// only keeps a regression from hanging the suite.
func TestInstrumentCacheSkipsSpecialFiles(t *testing.T) {
	srv, log := testSandbox(t, sandbox.Options{})
	c := connectClient(srv)
	dir := t.TempDir()
	cache := &kite.InstrumentCache{Dir: dir}
	path := cache.Path(c.BaseURL, "NSE")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if insts, err := cache.Load(ctx, c, "NSE"); err != nil || len(insts) == 0 {
		t.Fatalf("Load with a FIFO in place: %d instruments, %v", len(insts), err)
	}
	if fi, err := os.Lstat(path); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("the FIFO was not replaced by the dump: %v %v", fi, err)
	}
	if n := log.Count("", "/instruments/NSE"); n != 1 {
		t.Fatalf("%d requests for the dump, want 1", n)
	}

	// A link to a file with a valid-looking dump is not read either.
	planted := filepath.Join(t.TempDir(), "planted.csv")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(planted, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(planted, path); err != nil {
		t.Fatal(err)
	}
	if _, err := cache.Load(ctx, c, "NSE"); err != nil {
		t.Fatal(err)
	}
	if n := log.Count("", "/instruments/NSE"); n != 2 {
		t.Fatalf("%d requests for the dump, want 2: the linked file was used", n)
	}
}
