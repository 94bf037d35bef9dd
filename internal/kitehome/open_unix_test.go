//go:build unix

package kitehome

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A link planted at a lock file must not make Lock create or lock the
// link's target (issue 10, item 3).
func TestLockRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "victim")
	lock := filepath.Join(dir, "session.lock")
	if err := os.Symlink(target, lock); err != nil {
		t.Fatal(err)
	}
	unlock, err := Lock(lock)
	if err == nil {
		unlock()
		t.Fatal("Lock followed a symbolic link")
	}
	var nr *NotRegularError
	if !errors.As(err, &nr) || !strings.Contains(err.Error(), "symbolic link") || !strings.Contains(err.Error(), lock) {
		t.Fatalf("error %v: want a *NotRegularError naming the link", err)
	}
	if _, err := os.Lstat(target); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the link's target was created (%v)", err)
	}
}

// A link to an existing file is refused too, and the file is left alone.
func TestReadRegularRefusesSymlinkToFile(t *testing.T) {
	target := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(target, []byte("not kite's"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "session.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	_, _, err := ReadRegular(link, 1<<10)
	var nr *NotRegularError
	if !errors.As(err, &nr) || nr.Kind != "a symbolic link" {
		t.Fatalf("got %v, want a *NotRegularError for a symbolic link", err)
	}
}

// A FIFO would block an ordinary open until a writer comes: OpenRegular
// must refuse it at once. The deadline only keeps a regression from
// hanging the suite; the test makes no claim about speed.
func TestOpenRegularRefusesFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "session.json")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := ReadRegular(path, 1<<10)
		done <- err
	}()
	select {
	case err := <-done:
		var nr *NotRegularError
		if !errors.As(err, &nr) || !strings.Contains(err.Error(), "FIFO") {
			t.Fatalf("got %v, want a *NotRegularError for a FIFO", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("opening a FIFO blocked")
	}
	// Lock refuses it as well.
	if _, err := Lock(path); err == nil || !strings.Contains(err.Error(), "FIFO") {
		t.Fatalf("Lock on a FIFO: %v", err)
	}
}

func TestOpenRegularRefusesDirectoryAndReadsFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenRegular(dir, os.O_RDONLY, 0); err == nil || !strings.Contains(err.Error(), "a directory") {
		t.Fatalf("directory: %v", err)
	}
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("12345"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, fi, err := ReadRegular(path, 3)
	if err != nil || string(b) != "123" || fi.Size() != 5 {
		t.Fatalf("ReadRegular: %q %v %v", b, fi, err)
	}
	if _, _, err := ReadRegular(filepath.Join(dir, "missing"), 3); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}
