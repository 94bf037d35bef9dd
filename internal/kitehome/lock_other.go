//go:build !unix

package kitehome

import (
	"errors"
	"fmt"
	"os"
)

// Lock on systems without flock only creates the lock file; writes remain
// atomic through WriteFileAtomic, but concurrent logins are not serialised.
// A non-regular file at path is refused, as on unix.
func Lock(path string) (unlock func(), err error) {
	f, err := OpenRegular(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		var nr *NotRegularError
		if errors.As(err, &nr) {
			return nil, err // it names the path and the fix
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}

// TryLock is Lock: without flock nothing is ever held.
func TryLock(path string) (unlock func(), err error) { return Lock(path) }
