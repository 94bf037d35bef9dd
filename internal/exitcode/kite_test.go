package exitcode

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/kitecli/kite/pkg/kite"
)

// pkg/kite's errors know nothing of exit codes; these are the codes the
// README documents for what they mean.
func TestCodeOfKiteErrors(t *testing.T) {
	kerr := func(status int, typ string) error { return &kite.Error{Status: status, ErrorType: typ, Message: "m"} }
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"TokenException", kerr(403, kite.TokenException), 3},
		{"PermissionException", kerr(403, kite.PermissionException), 4},
		{"OrderException", kerr(400, kite.OrderException), 5},
		{"MarginException", kerr(400, kite.MarginException), 5},
		{"NetworkException 429", kerr(429, kite.NetworkException), 7},
		{"NetworkException 502", kerr(502, kite.NetworkException), 6},
		{"InputException: Kite's answer, not ours", kerr(400, kite.InputException), 1},
		{"GeneralException", kerr(500, kite.GeneralException), 1},
		{"retries exhausted", &kite.RetryError{Attempts: 3, Err: kerr(502, kite.DataException)}, 6},
		{"rate limited after retries", fmt.Errorf("quote: %w", &kite.RetryError{Attempts: 3, Err: kerr(429, kite.NetworkException)}), 7},
		{"ticker gave up", fmt.Errorf("stream: %w", &kite.NetworkError{Err: errors.New("refused")}), 6},
		{"no session", &kite.NoSessionError{}, 3},
		{"sentinel", fmt.Errorf("x: %w", kite.ErrNoSession), 3},
		{"bad ticker URL", &kite.TickerURLError{URL: "http://x"}, 2},
		{"cleartext", &kite.CleartextError{URL: "http://x"}, 2},
		{"unknown symbol", fmt.Errorf("resolving: %w", &kite.UnknownSymbolError{Symbol: "NSE:ZZZ"}), 2},
		{"bad basket file", &kite.BadFileError{Reason: "the file has no orders"}, 2},
		// The first error in the chain with a code wins, as with errors.As.
		{"ExitCoder outside", With(Unknown, &kite.RetryError{Attempts: 3, Err: kerr(502, kite.DataException)}), 8},
		{"kite error outside", &kite.RetryError{Attempts: 2, Err: &Signaled{Signal: os.Interrupt}}, 6},
		{"joined", errors.Join(errors.New("a"), kerr(403, kite.TokenException)), 3},
		{"canceled", fmt.Errorf("x: %w", context.Canceled), 130},
	}
	for _, tt := range tests {
		if got := Code(tt.err); got != tt.want {
			t.Errorf("%s: Code() = %d, want %d", tt.name, got, tt.want)
		}
	}
}
