//go:build unix

package auth

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
)

// Issue 10, item 3: a link planted at session.lock made login create the
// link's target.
func TestSaveRefusesSymlinkedLock(t *testing.T) {
	login := ist("2026-11-21T09:00:00+05:30")
	s := newStore(t, login)
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "created-by-kite")
	if err := os.Symlink(target, s.lockPath()); err != nil {
		t.Fatal(err)
	}
	err := s.Save(connectSession("tok", login))
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("Save through a linked lock: %v", err)
	}
	if _, err := os.Lstat(target); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the link's target exists (%v)", err)
	}
	if _, err := os.Lstat(s.Path()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a session was written despite the refused lock (%v)", err)
	}
}

// A session.json that links to a well-formed session elsewhere is not
// read: whoever planted it chose what kite would use and where.
func TestLoadRefusesSymlinkedSession(t *testing.T) {
	login := ist("2026-11-21T09:00:00+05:30")
	elsewhere := newStore(t, login)
	if err := elsewhere.Save(connectSession("planted", login)); err != nil {
		t.Fatal(err)
	}
	s := newStore(t, login)
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere.Path(), s.Path()); err != nil {
		t.Fatal(err)
	}
	sess, err := s.Load()
	if err == nil {
		t.Fatalf("loaded %v through a link", sess)
	}
	if exitcode.Code(err) != exitcode.Auth || !strings.Contains(err.Error(), "symbolic link") || !strings.Contains(err.Error(), s.Path()) {
		t.Fatalf("got %v (exit %d), want exit 3 naming the link", err, exitcode.Code(err))
	}
	// logout's way out removes the link, not what it points to.
	if existed, err := s.Remove(); err != nil || !existed {
		t.Fatalf("Remove: %v %v", existed, err)
	}
	if _, err := os.Stat(elsewhere.Path()); err != nil {
		t.Fatalf("the link's target went too: %v", err)
	}
}

// A FIFO at session.json hung kite forever. The deadline only keeps a
// regression from hanging the suite.
func TestLoadRefusesFIFO(t *testing.T) {
	s := newStore(t, time.Now())
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(s.Path(), 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.Load()
		done <- err
	}()
	select {
	case err := <-done:
		if exitcode.Code(err) != exitcode.Auth || !strings.Contains(err.Error(), "FIFO") {
			t.Fatalf("got %v (exit %d), want exit 3 naming a FIFO", err, exitcode.Code(err))
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Load blocked on a FIFO")
	}
}
