//go:build !unix

package kitehome

import (
	"errors"
	"io/fs"
	"os"
)

// openNoFollow checks with Lstat before opening where the system has no
// O_NOFOLLOW. A link planted between the check and the open is not caught:
// these systems have no way to open without following.
func openNoFollow(path string, flag int, perm os.FileMode) (*os.File, error) {
	fi, err := os.Lstat(path)
	switch {
	case err == nil && !fi.Mode().IsRegular():
		return nil, &NotRegularError{Path: path, Kind: describe(fi.Mode())}
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	return os.OpenFile(path, flag, perm)
}
