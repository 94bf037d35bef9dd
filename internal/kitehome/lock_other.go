//go:build !unix

package kitehome

import (
	"fmt"
	"os"
)

// Lock on systems without flock only creates the lock file; writes remain
// atomic through WriteFileAtomic, but concurrent logins are not serialised.
func Lock(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
