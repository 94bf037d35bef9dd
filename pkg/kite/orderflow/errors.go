package orderflow

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/kitecli/kite/pkg/kite"
)

// UnknownOutcomeError is a write that failed after its request was sent,
// so it may or may not have been applied, and the order book did not
// settle it. It is never retried: the caller decides, knowing the tag or
// the order ID, how the outcome is to be checked.
type UnknownOutcomeError struct {
	// Action is what was being done: "placing the order", "modifying
	// order 151220000000000", "creating the GTT".
	Action string
	// Tag is the placed order's tag; empty for other writes.
	Tag string
	// OrderID is the order a modify or cancel was for.
	OrderID string
	// Why says, for a place, why reconciling did not find the order.
	Why string
	// Err is the failure after the request was sent.
	Err error
}

func (e *UnknownOutcomeError) Error() string {
	if e.Why != "" {
		return fmt.Sprintf("the outcome of the order is unknown: %s failed after the request was sent (%v) and %s", e.Action, e.Err, e.Why)
	}
	return fmt.Sprintf("the outcome is unknown: %s failed after the request was sent (%v), so it may have been applied", e.Action, e.Err)
}

func (e *UnknownOutcomeError) Unwrap() error { return e.Err }

// NotPlacedError is a place known not to have happened: the request never
// left (kite.IsNotSent(Err)), or Kite refused the order.
type NotPlacedError struct {
	Order kite.OrderParams
	Err   error
}

func (e *NotPlacedError) Error() string {
	p := e.Order
	return fmt.Sprintf("the order was not placed: %s %d %s:%s: %v", p.TransactionType, p.Quantity, p.Exchange, p.Tradingsymbol, e.Err)
}

func (e *NotPlacedError) Unwrap() error { return e.Err }

// WriteError is a modify, cancel or other write that failed without
// ambiguity: the request never left (kite.IsNotSent(Err)) or Kite refused
// it. Nothing was changed.
type WriteError struct {
	Action string
	Err    error
}

func (e *WriteError) Error() string { return e.Action + ": " + e.Err.Error() }
func (e *WriteError) Unwrap() error { return e.Err }

// RejectedError is an order Kite accepted the request for and then
// rejected (insufficient margin, RMS): its status is REJECTED.
type RejectedError struct {
	OrderID string
	Message string // Kite's status message
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("order %s was rejected: %s", e.OrderID, e.Message)
}

// NoSuchOrderError is an order ID Kite does not know today. Err is Kite's
// answer; nil when Kite answered with an empty history.
type NoSuchOrderError struct {
	OrderID string
	Err     error
}

func (e *NoSuchOrderError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("order %s has no history", e.OrderID)
	}
	return fmt.Sprintf("no order %s today (Kite said: %v)", e.OrderID, e.Err)
}

func (e *NoSuchOrderError) Unwrap() error { return e.Err }

// ClosedOrderError is an order that can no longer change: complete,
// cancelled or rejected.
type ClosedOrderError struct {
	OrderID string
	Status  string
}

func (e *ClosedOrderError) Error() string {
	return fmt.Sprintf("order %s is already %s", e.OrderID, e.Status)
}

// UnknownOrder reports whether err is Kite's answer to a read of an order
// it does not know: an OrderException or InputException on a GET (which
// rejects nothing), or a 404.
func UnknownOrder(err error) bool {
	var ke *kite.Error
	if !errors.As(err, &ke) {
		return false
	}
	return ke.ErrorType == kite.OrderException || ke.ErrorType == kite.InputException || ke.Status == http.StatusNotFound
}

// Failure classifies the error of a write sent once (action says which,
// e.g. "creating the GTT"): an *UnknownOutcomeError when the request may
// have been applied, else a *WriteError. Nil stays nil.
func Failure(action string, err error) error {
	if err == nil {
		return nil
	}
	if kite.IsAmbiguous(err) {
		return &UnknownOutcomeError{Action: action, Err: err}
	}
	return &WriteError{Action: action, Err: err}
}
