package kite

import (
	"errors"
	"fmt"

	"github.com/kitecli/kite/pkg/exitcode"
)

// Kite's error_type values.
const (
	TokenException      = "TokenException"
	PermissionException = "PermissionException"
	UserException       = "UserException"
	TwoFAException      = "TwoFAException"
	InputException      = "InputException"
	OrderException      = "OrderException"
	MarginException     = "MarginException"
	HoldingException    = "HoldingException"
	NetworkException    = "NetworkException"
	DataException       = "DataException"
	GeneralException    = "GeneralException"
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

// ExitCode maps Kite's error types to the documented exit codes.
func (e *Error) ExitCode() int {
	switch e.ErrorType {
	case TokenException:
		return exitcode.Auth
	case PermissionException:
		return exitcode.Permission
	case OrderException, MarginException:
		return exitcode.Order
	case InputException:
		return exitcode.Usage
	case NetworkException:
		if e.Status == 429 {
			return exitcode.RateLimited
		}
		return exitcode.Network
	}
	return exitcode.Error
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
