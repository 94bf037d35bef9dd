//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package iostreams

import "errors"

// promptMode is not available here: prompts read lines as they come, and
// Ctrl-C reaches kite as a signal.
func promptMode(fd int, echo bool) (restore func(), err error) {
	return nil, errors.ErrUnsupported
}

func dropTypeAhead(fd int) {}
