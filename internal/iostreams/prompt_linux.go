package iostreams

import "golang.org/x/sys/unix"

const (
	ioctlGetTermios = unix.TCGETS
	ioctlSetTermios = unix.TCSETS
)

// dropTypeAhead discards what was typed after Ctrl-C and not yet read, as
// the terminal itself does on a SIGINT, so the shell does not run it.
func dropTypeAhead(fd int) {
	_ = unix.IoctlSetInt(fd, unix.TCFLSH, unix.TCIFLUSH)
}
