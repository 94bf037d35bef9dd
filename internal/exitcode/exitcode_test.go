package exitcode

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"
)

func TestCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"plain", errors.New("boom"), 1},
		{"usage", Usagef("bad flag %q", "x"), 2},
		{"wrapped usage", fmt.Errorf("parsing: %w", Usagef("bad")), 2},
		{"with", With(Network, errors.New("dial")), 6},
		{"wrapped with", fmt.Errorf("ctx: %w", With(Auth, errors.New("expired"))), 3},
		{"canceled", fmt.Errorf("stream: %w", context.Canceled), 130},
		{"order outcome unknown", With(Unknown, errors.New("no answer")), 8},
		{"SIGINT", &Signaled{Signal: os.Interrupt}, 130},
		{"SIGTERM", fmt.Errorf("reading stdin: %w", &Signaled{Signal: syscall.SIGTERM}), 143},
		{"invalid input", Invalidf("unknown instrument %q", "NSE:ZZZ"), 2},
	}
	for _, tt := range tests {
		if got := Code(tt.err); got != tt.want {
			t.Errorf("%s: Code() = %d, want %d", tt.name, got, tt.want)
		}
	}
	if With(Auth, nil) != nil {
		t.Error("With(code, nil) must be nil")
	}
}

// A signal is a cancellation to code that checks for one.
func TestSignaledIsCanceled(t *testing.T) {
	if !errors.Is(&Signaled{Signal: syscall.SIGTERM}, context.Canceled) {
		t.Fatal("Signaled is not context.Canceled")
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(&Signaled{Signal: syscall.SIGTERM})
	if Code(context.Cause(ctx)) != 143 || context.Cause(ctx).Error() != "terminated" {
		t.Fatalf("cause %v, code %d", context.Cause(ctx), Code(context.Cause(ctx)))
	}
}

// Codes that say what became of an order outlive a signal; the others
// give way to it.
func TestTellsOutcome(t *testing.T) {
	for code, want := range map[int]bool{OK: false, Error: false, Usage: false, Auth: false, Network: false, RateLimited: false, Order: true, Unknown: true, Interrupted: false, Terminated: false} {
		if TellsOutcome(code) != want {
			t.Errorf("TellsOutcome(%d) = %v, want %v", code, !want, want)
		}
	}
}
