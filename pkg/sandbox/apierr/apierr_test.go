package apierr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/kitecli/kite/pkg/sandbox/apierr"
)

func TestConstructors(t *testing.T) {
	for _, c := range []struct {
		err       *apierr.Error
		status    int
		errorType string
		message   string
		text      string
	}{
		{apierr.Input("Invalid `%s`.", "quantity"), 400, "InputException", "Invalid `quantity`.", "Invalid `quantity`. (400 InputException)"},
		{apierr.Order("Order %s is already complete.", "X1"), 400, "OrderException", "Order X1 is already complete.", "Order X1 is already complete. (400 OrderException)"},
	} {
		if c.err.Status != c.status || c.err.ErrorType != c.errorType || c.err.Message != c.message || c.err.Error() != c.text {
			t.Errorf("%+v: want %d %s %q, printed %q", c.err, c.status, c.errorType, c.message, c.text)
		}
	}
}

// Message is what a GTT's or an alert's history shows for an order that
// failed: Kite's message alone for the sandbox's refusals, found through
// wrapping, and any other error as it prints.
func TestMessage(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{apierr.Input("Invalid `price`."), "Invalid `price`."},
		{fmt.Errorf("placing: %w", apierr.Order("No margin.")), "No margin."},
		{errors.New("disk full"), "disk full"},
	} {
		if got := apierr.Message(c.err); got != c.want {
			t.Errorf("Message(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
