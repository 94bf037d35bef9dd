package kite

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/kitecli/kite/pkg/kitespec"
)

// Kite's error_type values (kitespec has their source).
const (
	TokenException      = kitespec.TokenException
	PermissionException = kitespec.PermissionException
	UserException       = kitespec.UserException
	TwoFAException      = kitespec.TwoFAException
	InputException      = kitespec.InputException
	OrderException      = kitespec.OrderException
	MarginException     = kitespec.MarginException
	HoldingException    = kitespec.HoldingException
	NetworkException    = kitespec.NetworkException
	DataException       = kitespec.DataException
	GeneralException    = kitespec.GeneralException
)

// Error is an error answered by Kite in its envelope:
// {"status":"error","message":…,"error_type":…}.
type Error struct {
	Status    int    // HTTP status code
	ErrorType string // e.g. TokenException; GeneralException when Kite sent none
	Message   string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s (%d %s)", e.Message, e.Status, e.ErrorType)
}

// IsTokenError reports whether err is Kite saying the session is dead.
func IsTokenError(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.ErrorType == TokenException
}

// ErrorTypeOf returns the Kite error_type in err's chain, or "".
func ErrorTypeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.ErrorType
	}
	return ""
}

// RetryError is an idempotent request that failed on every attempt of the
// retry policy. It unwraps to the last failure.
type RetryError struct {
	BaseURL  string
	Method   string
	Path     string
	Attempts int
	Err      error
}

func (e *RetryError) Error() string {
	base := RedactURL(e.BaseURL)
	var ke *Error
	if errors.As(e.Err, &ke) {
		if ke.Status == http.StatusTooManyRequests {
			return fmt.Sprintf("rate limited by %s: %s (after %d attempts); wait a minute and retry, or lower KITE_RATE_%s",
				base, ke.Message, e.Attempts, strings.ToUpper(string(ClassOf(e.Method, e.Path))))
		}
		return fmt.Sprintf("%s %s kept failing at %s: %s (after %d attempts); retry later",
			e.Method, e.Path, base, ke.Error(), e.Attempts)
	}
	return fmt.Sprintf("cannot reach %s: %s (after %d attempts)", base, networkCause(e.Err), e.Attempts)
}

func (e *RetryError) Unwrap() error { return e.Err }

// RateLimited reports whether the request failed because Kite kept
// answering 429 Too Many Requests, rather than not answering.
func (e *RetryError) RateLimited() bool {
	var ke *Error
	return errors.As(e.Err, &ke) && ke.Status == http.StatusTooManyRequests
}

// networkCause is the shortest true description of a transport failure:
// "connection refused" rather than "dial tcp 127.0.0.1:1: connect:
// connection refused".
func networkCause(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.Error()
	}
	var te *transportError
	if errors.As(err, &te) {
		return te.err.Error()
	}
	return err.Error()
}
