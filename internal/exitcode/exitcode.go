// Package exitcode is the one place where errors become process exit codes.
//
// Scripts branch on kite's exit status ("did the login expire, or is the network
// down?"), so the codes are a public contract, documented in the README and in
// docs/design.md. Errors choose their code by implementing ExitCoder; pkg/kite's
// errors, which are a library's and know nothing of exit codes, get theirs
// here; everything else is a general error.
package exitcode

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
)

// The documented exit codes.
const (
	OK          = 0   // success, also a stream ended by --count or --duration, and a closed stdout (| head) in any command
	Error       = 1   // API or general error
	Usage       = 2   // usage or invalid input (an unknown symbol too), caught before any request
	Auth        = 3   // no session or session expired: run kite login
	Permission  = 4   // PermissionException, e.g. the historical add-on is missing
	Order       = 5   // order rejected: OrderException, MarginException
	Network     = 6   // network failure after retries
	RateLimited = 7   // rate limited after retries
	Unknown     = 8   // an order write's outcome is unknown: it may or may not have happened (see kite orders reconcile)
	Interrupted = 130 // SIGINT (Ctrl-C): 128+2, the shell's convention
	Terminated  = 143 // SIGTERM: 128+15
)

// TellsOutcome reports whether code says what became of an order (5
// rejected, 8 unknown): such a code, and its message, outlive a signal
// that arrived meanwhile, while any other failure after Ctrl-C or SIGTERM
// exits 130 or 143.
func TellsOutcome(code int) bool {
	return code == Order || code == Unknown
}

// ExitCoder is implemented by errors that know which exit code they deserve.
type ExitCoder interface {
	ExitCode() int
}

// Code maps err to the documented exit code. The first error in the chain
// that has one wins (an ExitCoder, or one of pkg/kite's errors, which know
// nothing of exit codes: see kiteCode), so wrapping an error with
// fmt.Errorf("...: %w") keeps its code.
func Code(err error) int {
	if err == nil {
		return OK
	}
	if code, ok := find(err); ok {
		return code
	}
	if errors.Is(err, context.Canceled) {
		return Interrupted
	}
	return Error
}

// Signaled is the cause of a context cancelled by a signal: the command
// stopped because the user (Ctrl-C) or the system (SIGTERM) asked, and
// exits 128+signal like a shell reports a process killed by it.
type Signaled struct {
	Signal os.Signal
}

func (e *Signaled) Error() string {
	if e.Signal == syscall.SIGTERM {
		return "terminated"
	}
	return "interrupted"
}

// Is makes a signal read as a cancellation, so code that checks
// errors.Is(err, context.Canceled) treats both alike.
func (e *Signaled) Is(target error) bool { return target == context.Canceled }

func (e *Signaled) ExitCode() int {
	if e.Signal == syscall.SIGTERM {
		return Terminated
	}
	return Interrupted
}

// UsageError is invalid input detected before any request was made.
type UsageError struct {
	Err error
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }
func (e *UsageError) ExitCode() int { return Usage }

// Usagef formats a UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// InputError is input that kite cannot use (an unknown symbol, an
// unreadable file, a malformed record), found before any request was made.
// It exits 2 like a UsageError, but the command was used correctly, so
// no "Run 'kite X --help'" follows its message.
type InputError struct {
	Err error
}

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }
func (e *InputError) ExitCode() int { return Usage }

// Invalidf formats an InputError.
func Invalidf(format string, args ...any) error {
	return &InputError{Err: fmt.Errorf(format, args...)}
}

// withCode attaches an exit code to an arbitrary error.
type withCode struct {
	err  error
	code int
}

func (e *withCode) Error() string { return e.err.Error() }
func (e *withCode) Unwrap() error { return e.err }
func (e *withCode) ExitCode() int { return e.code }

// With returns err carrying code. A nil err stays nil.
func With(code int, err error) error {
	if err == nil {
		return nil
	}
	return &withCode{err: err, code: code}
}
