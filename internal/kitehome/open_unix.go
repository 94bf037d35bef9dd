//go:build unix

package kitehome

import (
	"os"
	"syscall"
)

// openNoFollow opens with O_NOFOLLOW, so the kernel refuses a symbolic link
// as the last element (no window between a check and the open), and
// O_NONBLOCK, so opening a FIFO returns at once instead of waiting for a
// writer; OpenRegular then refuses the FIFO. O_NONBLOCK does nothing to
// reads of regular files.
func openNoFollow(path string, flag int, perm os.FileMode) (*os.File, error) {
	return os.OpenFile(path, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, perm)
}
