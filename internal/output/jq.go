package output

import (
	"encoding/json"
	"fmt"

	"github.com/itchyny/gojq"
	"github.com/kitecli/kite/pkg/exitcode"
)

// JQ is a compiled --jq expression. Compile it once, before any network
// call, so a typo costs nothing but a usage error.
type JQ struct {
	code *gojq.Code
	expr string
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
	return &JQ{code: code, expr: expr}, nil
}

// RunJSON runs the expression on one JSON document and calls emit for each
// result. Numbers are decoded as json.Number so prices keep their digits.
func (q *JQ) RunJSON(doc []byte, emit func(any) error) error {
	v, err := decodeNumbers(doc)
	if err != nil {
		return err
	}
	return q.Run(v, emit)
}

// Run runs the expression on a decoded value (from encoding/json with
// UseNumber, or plain Go maps, slices, strings, numbers and bools).
func (q *JQ) Run(v any, emit func(any) error) error {
	iter := q.code.Run(v)
	for {
		r, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, ok := r.(error); ok {
			if he, ok := err.(*gojq.HaltError); ok && he.Value() == nil {
				return nil
			}
			return fmt.Errorf("--jq %q: %w", q.expr, err)
		}
		if err := emit(r); err != nil {
			return err
		}
	}
}

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
	// and prints floats the way jq does.
	return gojq.Marshal(v)
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
