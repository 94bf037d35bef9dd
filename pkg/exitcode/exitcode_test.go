package exitcode

import (
	"context"
	"errors"
	"fmt"
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
