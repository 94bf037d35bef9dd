//go:build unix

package kitehome

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// Lock takes an exclusive advisory lock on path (created 0600 if missing),
// waiting for other holders. Call the returned function to release it. A
// symbolic link or any other non-regular file at path is refused
// (*NotRegularError): following a planted link would create or lock a file
// of someone else's choosing.
func Lock(path string) (unlock func(), err error) {
	f, err := OpenRegular(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		var nr *NotRegularError
		if errors.As(err, &nr) {
			return nil, err // it names the path and the fix
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// TryLock is Lock without the wait: when another process holds the lock
// it returns ErrLocked at once, so the caller can say what it waits for
// before calling Lock.
func TryLock(path string) (unlock func(), err error) {
	f, err := OpenRegular(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		var nr *NotRegularError
		if errors.As(err, &nr) {
			return nil, err
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
