package output

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
)

// A --jq program that would run for hours stops when the run's context
// ends, with the context's cause (the signal), not a jq error.
func TestJQStopsWhenTheContextEnds(t *testing.T) {
	q, err := CompileJQ("last(range(1e10))")
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("the signal")
	ctx, cancel := context.WithCancelCause(context.Background())
	q = q.Bind(ctx)
	done := make(chan error, 1)
	go func() { done <- q.RunJSON([]byte(`{}`), func(any) error { return nil }) }()
	cancel(stop)
	select {
	case err := <-done:
		if !errors.Is(err, stop) {
			t.Fatalf("Run returned %v, want the context's cause", err)
		}
	case <-time.After(60 * time.Second): // a liveness bound, not a speed check
		t.Fatal("the jq program kept running after its context ended")
	}
}

// jq's exit codes (5 for error(v), n for halt_error(n)) are not kite's:
// every runtime failure of --jq is a general error (1) with jq's message.
func TestJQRuntimeErrorsExitOne(t *testing.T) {
	tests := []struct{ expr, msg string }{
		{`error("x")`, "jq: x"},
		{`error({a: 1})`, `jq: {"a":1}`},
		{`"bye\n" | halt_error`, "jq: bye"},
		{`"no session" | halt_error(3)`, "jq: no session"},
		{`.a.b`, "jq: expected an object but got: number (1)"},
	}
	for _, tt := range tests {
		q, err := CompileJQ(tt.expr)
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		err = q.RunJSON([]byte(`{"a":1}`), func(any) error { return nil })
		if err == nil || err.Error() != tt.msg || exitcode.Code(err) != exitcode.Error {
			t.Errorf("%s: got %v (exit %d), want %q (exit 1)", tt.expr, err, exitcode.Code(err), tt.msg)
		}
	}
	// halt stops without an error, as in jq.
	q, _ := CompileJQ(`1, halt, 2`)
	var got []any
	if err := q.RunJSON([]byte(`null`), func(v any) error { got = append(got, v); return nil }); err != nil || len(got) != 1 {
		t.Fatalf("halt: %v, %v", got, err)
	}
}

// --jq prints objects in jq's key order, not gojq's sorted one. The wants
// are what jq 1.7.1 prints for the same programs and input.
func TestJQKeyOrder(t *testing.T) {
	const in = `{"b":1,"a":{"d":1,"c":2},"list":[{"y":1,"x":2}]}`
	tests := []struct{ expr, want string }{
		{`.`, `{"b":1,"a":{"d":1,"c":2},"list":[{"y":1,"x":2}]}`},
		{`{s: .b, p: .a}`, `{"s":1,"p":{"d":1,"c":2}}`},
		{`{a, b}`, `{"a":{"d":1,"c":2},"b":1}`},
		{`del(.b)`, `{"a":{"d":1,"c":2},"list":[{"y":1,"x":2}]}`},
		{`.a + {z: 0}`, `{"d":1,"c":2,"z":0}`},
		{`.list`, `[{"y":1,"x":2}]`},
		{`to_entries | from_entries`, in},
		{`.a | with_entries(.value += 1)`, `{"d":2,"c":3}`},
		{`.b`, `1`},
	}
	for _, tt := range tests {
		q, err := CompileJQ(tt.expr)
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		var out []byte
		if err := q.RunJSON([]byte(in), func(r any) (err error) {
			out, err = AppendResult(out, r)
			return err
		}); err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		if got := string(out); got != tt.want+"\n" {
			t.Errorf("--jq %s: got %s, want %s", tt.expr, got, tt.want)
		}
	}
}
