//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package iostreams

import "golang.org/x/sys/unix"

// promptMode puts the terminal fd in the mode of a prompt: lines edited by
// the terminal as usual (canonical mode), echo as asked, and Ctrl-C read
// as a key that ends the line instead of raising SIGINT. A SIGINT races
// with the keys typed after it (the answer could be read before the
// signal is handled); a key cannot, as it comes before them in the same
// stream. It returns the function that puts the terminal back.
func promptMode(fd int, echo bool) (restore func(), err error) {
	saved, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return nil, err
	}
	t := *saved
	t.Lflag |= unix.ICANON
	t.Lflag &^= unix.ISIG
	if echo {
		t.Lflag |= unix.ECHO
	} else {
		t.Lflag &^= unix.ECHO
	}
	t.Cc[unix.VEOL] = ctrlC
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, &t); err != nil {
		return nil, err
	}
	return func() { _ = unix.IoctlSetTermios(fd, ioctlSetTermios, saved) }, nil
}
