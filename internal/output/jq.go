package output

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"strings"

	"github.com/itchyny/gojq"
	"github.com/kitecli/kite/internal/exitcode"
)

// JQ is a compiled --jq expression. Compile it once, before any network
// call, so a typo costs nothing but a usage error.
type JQ struct {
	code *gojq.Code
	expr string
	// keys ranks the keys of the objects expr builds (see jq_order.go).
	keys map[string]int
	// ctx bounds every run (see Bind): a program like last(range(1e10))
	// runs for hours, and Ctrl-C must stop it.
	ctx context.Context
}

// CompileJQ parses and compiles expr. An invalid expression is a usage error.
func CompileJQ(expr string) (*JQ, error) {
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, exitcode.Usagef("invalid --jq expression %q: %v", expr, err)
	}
	code, err := gojq.Compile(q, gojq.WithEnvironLoader(func() []string { return nil }))
	if err != nil {
		return nil, exitcode.Usagef("invalid --jq expression %q: %v", expr, err)
	}
	return &JQ{code: code, expr: expr, keys: expressionKeys(expr), ctx: context.Background()}, nil
}

// Bind returns the expression with every run bounded by ctx, the run's
// context. Results are printed from places that have no context of their
// own (the printer, the ticker's handlers), so the compiled expression
// carries it for them: a signal stops any --jq program wherever it runs.
func (q *JQ) Bind(ctx context.Context) *JQ {
	b := *q
	b.ctx = ctx
	return &b
}

// RunJSON runs the expression on one JSON document and calls emit for each
// result. Numbers are decoded as json.Number so prices keep their digits.
// Objects and arrays come wrapped with their key order, which
// AppendResult prints them in (jq's order, not gojq's sorted keys): hand
// them to AppendResult while doc is unchanged.
func (q *JQ) RunJSON(doc []byte, emit func(any) error) error {
	v, err := decodeNumbers(doc)
	if err != nil {
		return err
	}
	order := &keyOrder{doc: doc, expr: q.keys}
	return q.Run(v, func(r any) error {
		switch r.(type) {
		case map[string]any, []any:
			r = ordered{v: r, order: order}
		}
		return emit(r)
	})
}

// Run runs the expression on a decoded value (from encoding/json with
// UseNumber, or plain Go maps, slices, strings, numbers and bools). When
// the bound context ends, Run stops the program and returns its cause.
func (q *JQ) Run(v any, emit func(any) error) error {
	iter := q.code.RunWithContext(q.ctx, v)
	for {
		r, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, ok := r.(error); ok {
			if q.ctx.Err() != nil {
				return context.Cause(q.ctx)
			}
			if he, ok := err.(*gojq.HaltError); ok && he.Value() == nil {
				return nil // halt: stop, successfully
			}
			return &Error{Expr: q.expr, Err: err}
		}
		if err := emit(r); err != nil {
			return err
		}
	}
}

// Error is a --jq program failing at run time: a runtime error, error(v)
// or halt_error. gojq's errors carry jq's own exit codes (5 for error(v),
// any number for halt_error(n)), which would read as kite's ("order
// rejected"); an Error exits 1, a general error, whatever jq would do.
type Error struct {
	Expr string
	Err  error
}

func (e *Error) Error() string {
	var ve gojq.ValueError
	if errors.As(e.Err, &ve) {
		// error("x") and "x" | halt_error say x: that is the whole message.
		if s, ok := ve.Value().(string); ok {
			return "jq: " + strings.TrimRight(s, "\n")
		}
		if b, err := gojq.Marshal(ve.Value()); err == nil {
			return "jq: " + string(b)
		}
	}
	return "jq: " + e.Err.Error()
}

// Unwrap is deliberately absent: the chain would reach gojq's ExitCode.

// ExitCode is always a general error.
func (e *Error) ExitCode() int { return exitcode.Error }

// AppendResult appends one jq result as a line: strings raw (as jq -r and
// gh --jq print them, so `--jq .user_id` gives a bare word), anything else
// as compact JSON.
func AppendResult(dst []byte, r any) ([]byte, error) {
	if s, ok := r.(string); ok {
		dst = append(dst, s...)
		return append(dst, '\n'), nil
	}
	b, err := gojqMarshal(r)
	if err != nil {
		return dst, err
	}
	dst = append(dst, b...)
	return append(dst, '\n'), nil
}

func gojqMarshal(v any) ([]byte, error) {
	// gojq's own encoder handles its number types (json.Number, *big.Int)
	// and prints floats the way jq does; appendJSON adds key order.
	return appendJSON(nil, v, nil)
}

func decodeNumbers(doc []byte) (any, error) {
	dec := json.NewDecoder(bytesReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decoding JSON for --jq: %w", err)
	}
	return v, nil
}
