package kitehome

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// NotRegularError is a path kite keeps its own files at that holds something
// else: a symbolic link (which could point kite's writes, or a secret, at a
// file chosen by whoever planted it), a FIFO (which would block a read
// forever), a directory or a device. kite refuses it rather than follow or
// read it.
type NotRegularError struct {
	Path string
	Kind string // "a symbolic link", "a FIFO", …
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file: kite does not follow links or read special files where it keeps sessions, locks and caches; remove it (rm %s) and try again", e.Path, e.Kind, e.Path)
}

// describe names the kind of a non-regular file for NotRegularError.
func describe(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file (" + m.Type().String() + ")"
}

// OpenRegular opens path (flag as for os.OpenFile) only if it is, or is
// created as, a regular file: the last path element is never followed when
// it is a symbolic link, and opening a FIFO never blocks. Anything else
// fails with a *NotRegularError; a missing file without os.O_CREATE fails
// with an error satisfying errors.Is(err, fs.ErrNotExist).
func OpenRegular(path string, flag int, perm os.FileMode) (*os.File, error) {
	f, err := openNoFollow(path, flag, perm)
	if err != nil {
		var nr *NotRegularError
		if errors.As(err, &nr) {
			return nil, err
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		// O_NOFOLLOW fails with ELOOP (or EMLINK/EFTYPE on some BSDs) on a
		// link: name what is there instead of the errno.
		if fi, lerr := os.Lstat(path); lerr == nil && !fi.Mode().IsRegular() {
			return nil, &NotRegularError{Path: path, Kind: describe(fi.Mode())}
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &NotRegularError{Path: path, Kind: describe(fi.Mode())}
	}
	return f, nil
}

// ReadRegular reads at most limit bytes of path through OpenRegular. It
// returns the file's info too (for its modification time), both from the
// one open file, so a concurrent rename cannot mix two files.
func ReadRegular(path string, limit int64) ([]byte, fs.FileInfo, error) {
	f, err := OpenRegular(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, limit))
	if err != nil {
		return nil, nil, err
	}
	return data, fi, nil
}
