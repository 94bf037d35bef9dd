package kite

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// readCause says why reading the ticker's socket failed, in words: the
// WebSocket library's own text ("failed to get reader: failed to read
// frame header: EOF") names its internals, not what happened.
func readCause(err error) string {
	var errno syscall.Errno
	var ne net.Error
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the server closed the connection without a WebSocket close frame"
	case errors.As(err, &errno):
		return errno.Error() // "connection reset by peer"
	case errors.As(err, &ne) && ne.Timeout():
		return "the connection timed out"
	}
	msg := err.Error()
	for _, p := range []string{"failed to get reader: ", "failed to read frame header: ", "failed to read: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return msg
}
