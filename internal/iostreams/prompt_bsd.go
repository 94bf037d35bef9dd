//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package iostreams

import "golang.org/x/sys/unix"

const (
	ioctlGetTermios = unix.TIOCGETA
	ioctlSetTermios = unix.TIOCSETA
)

// dropTypeAhead discards what was typed after Ctrl-C and not yet read, as
// the terminal itself does on a SIGINT, so the shell does not run it.
func dropTypeAhead(fd int) {
	const fread = 1 // FREAD of <sys/fcntl.h>: the input queue
	_ = unix.IoctlSetPointerInt(fd, unix.TIOCFLUSH, fread)
}
