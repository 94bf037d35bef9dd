// Package apierr is the sandbox's error: one refusal that the server
// writes as Kite's error envelope,
// {"status":"error","message":…,"data":null,"error_type":…}, with its HTTP
// status.
//
// The paper engine, the GTT and alert books and the market return it; the
// server maps it to the response as it is. It is the sandbox's own and not
// the client's kite.Error: the sandbox writes Kite's side of the wire
// without the client's code, so that it tests the client rather than
// agreeing with it (docs/design.md). The error_type names come from
// pkg/kitespec.
package apierr

import (
	"errors"
	"fmt"

	"github.com/kitecli/kite/pkg/kitespec"
)

// Error is a request Kite refuses: Status is the HTTP status, ErrorType
// one of kitespec's exception names, Message Kite's wording.
type Error struct {
	Status    int
	ErrorType string
	Message   string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s (%d %s)", e.Message, e.Status, e.ErrorType)
}

// Input is a 400 InputException: a parameter Kite does not accept.
func Input(format string, args ...any) *Error {
	return &Error{Status: 400, ErrorType: kitespec.InputException, Message: fmt.Sprintf(format, args...)}
}

// Order is a 400 OrderException: a well-formed order Kite refuses in its
// state (an order that is already complete, say).
func Order(format string, args ...any) *Error {
	return &Error{Status: 400, ErrorType: kitespec.OrderException, Message: fmt.Sprintf(format, args...)}
}

// Message is the text Kite would show for err: an Error's message alone,
// anything else as it prints.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}
