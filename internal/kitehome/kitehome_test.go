package kitehome

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestResolveKiteHome(t *testing.T) {
	d, err := Resolve(func(k string) string {
		if k == "KITE_HOME" {
			return "/x"
		}
		return ""
	})
	if err != nil || d.Config != "/x/config" || d.Cache != "/x/cache" || d.ProfileDir("p") != "/x/config/profiles/p" {
		t.Fatalf("%+v %v", d, err)
	}
}

func TestWriteFileAtomicIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "session.json")
	if err := WriteFileAtomic(path, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v err %v", fi.Mode(), err)
	}
	di, _ := os.Stat(filepath.Dir(path))
	if di.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v", di.Mode())
	}
	if err := CheckPrivate(path); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o644)
	if err := CheckPrivate(path); err == nil {
		t.Fatal("0644 accepted")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temp files left behind: %v", entries)
	}
}

func TestLockSerialises(t *testing.T) {
	lockPath := filepath.Join(t.TempDir(), "lock")
	var mu sync.Mutex
	inside := 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock, err := Lock(lockPath)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			inside++
			if inside != 1 {
				t.Error("two holders at once")
			}
			mu.Unlock()
			mu.Lock()
			inside--
			mu.Unlock()
			unlock()
		}()
	}
	wg.Wait()
}
