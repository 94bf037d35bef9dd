// Package kitehome finds kite's configuration and cache directories and
// writes files there safely.
//
// Session files hold secrets and are shared by cron jobs that may run at the
// same moment, so every write here is atomic (a temp file renamed into
// place), private (0600 files in 0700 directories) and can be serialised
// across processes with an advisory lock.
package kitehome

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Dirs are the roots kite keeps its files under.
type Dirs struct {
	Config string // sessions and settings, per profile
	Cache  string // re-fetchable data such as the daily instrument dump
}

// Resolve returns $KITE_HOME/{config,cache} when KITE_HOME is set, else
// kite/ under the OS user config and cache directories.
func Resolve(getenv func(string) string) (Dirs, error) {
	if home := getenv("KITE_HOME"); home != "" {
		return Dirs{Config: filepath.Join(home, "config"), Cache: filepath.Join(home, "cache")}, nil
	}
	cfg, err := os.UserConfigDir()
	if err != nil {
		return Dirs{}, fmt.Errorf("finding the config directory (set KITE_HOME): %w", err)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return Dirs{}, fmt.Errorf("finding the cache directory (set KITE_HOME): %w", err)
	}
	return Dirs{Config: filepath.Join(cfg, "kite"), Cache: filepath.Join(cache, "kite")}, nil
}

// ProfileDir is the config directory of one profile.
func (d Dirs) ProfileDir(profile string) string {
	return filepath.Join(d.Config, "profiles", profile)
}

// MkdirPrivate creates dir (and parents) with mode 0700.
func MkdirPrivate(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	return nil
}

// WriteFileAtomic writes data to path with perm through a temp file in the
// same directory, synced and renamed, so readers see the old file or the new
// one, never a torn one. The directory is created 0700 if missing.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	dir := filepath.Dir(path)
	if err := MkdirPrivate(dir); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// CheckPrivate returns an error naming path if the file is readable or
// writable by anyone but its owner: a secret there may already have leaked,
// and kite refuses to use it rather than silently widening the exposure.
func CheckPrivate(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s has permissions %v, want 0600: fix with chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	return nil
}

// ErrLocked is returned by TryLock when another process holds the lock.
var ErrLocked = errors.New("locked by another process")
