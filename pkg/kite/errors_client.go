package kite

import (
	"errors"
	"fmt"
)

// The errors in this file say what went wrong on the client's side, before
// or around a request. What a program does about them (exit codes, the next
// command to type) is its own business: callers check them with errors.Is
// and errors.As.

// ErrNoSession is in the chain of every error that means the credentials
// cannot authenticate anything: none at all, or some missing.
var ErrNoSession = errors.New("no session")

// NoSessionError is credentials too incomplete to open the ticker: Kind is
// the session kind they claim ("" for none), Need what is missing. It
// matches ErrNoSession.
type NoSessionError struct {
	Kind SessionKind
	Need string // e.g. "an API key and access token"; "" when there is no session at all
}

func (e *NoSessionError) Error() string {
	switch {
	case e.Need == "":
		return ErrNoSession.Error()
	case e.Kind == Web:
		return "the web ticker needs " + e.Need
	}
	return "the ticker needs " + e.Need
}

// Is makes errors.Is(err, ErrNoSession) true.
func (e *NoSessionError) Is(target error) bool { return target == ErrNoSession }

// TickerURLError is a ticker URL that is not ws:// or wss:// with a host.
// Nothing was dialled.
type TickerURLError struct {
	URL string // redacted: RedactURL of the refused URL
}

func (e *TickerURLError) Error() string {
	return fmt.Sprintf("ticker URL %q is not a ws:// or wss:// URL", e.URL)
}

// NetworkError is Kite out of reach after every attempt a policy allowed,
// such as a ticker connection that kept dropping. It unwraps to the last
// failure.
type NetworkError struct {
	Err error
}

func (e *NetworkError) Error() string { return e.Err.Error() }
func (e *NetworkError) Unwrap() error { return e.Err }
