package output

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"

	"github.com/itchyny/gojq"
)

// gojq keeps objects as Go maps, so it forgets key order and prints keys
// sorted; jq keeps them in insertion order. kite puts the order back when
// it prints a result: an object built by the expression ({s: .symbol,
// p: .last_price}) keeps the order its keys are written in, and any other
// object (.net[0], del(.x), with_entries) the order its keys first appear
// in the input, as kite printed it. Keys in neither come last, sorted.

// ordered is one --jq result with what its objects' key order is.
type ordered struct {
	v     any
	order *keyOrder
}

// keyOrder ranks keys; the input's ranks are found on first need, since
// most results (numbers, strings) never need them.
type keyOrder struct {
	doc   []byte
	expr  map[string]int
	input map[string]int
}

// exprKey finds object-construction keys in a jq expression: {a: …},
// {"a": …} and the shorthand {a, b}. A false hit only ranks a key.
var exprKey = regexp.MustCompile(`[{,]\s*"?\$?([A-Za-z_][A-Za-z0-9_]*)"?\s*[:,}]`)

func expressionKeys(expr string) map[string]int {
	rank := map[string]int{}
	// Overlapping matches ("{a, b}" shares the comma) need a rescan.
	for i := 0; i < len(expr); {
		loc := exprKey.FindStringSubmatchIndex(expr[i:])
		if loc == nil {
			break
		}
		k := expr[i+loc[2] : i+loc[3]]
		if _, ok := rank[k]; !ok {
			rank[k] = len(rank)
		}
		i += loc[3]
	}
	return rank
}

func (o *keyOrder) inputRank() map[string]int {
	if o.input != nil {
		return o.input
	}
	o.input = map[string]int{}
	dec := json.NewDecoder(bytes.NewReader(o.doc))
	dec.UseNumber()
	type frame struct{ obj, wantKey bool }
	var stack []frame
	for {
		t, err := dec.Token()
		if err != nil {
			return o.input
		}
		if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].wantKey {
			if k, ok := t.(string); ok {
				if _, seen := o.input[k]; !seen {
					o.input[k] = len(o.input)
				}
				stack[n-1].wantKey = false
				continue
			}
		}
		if n := len(stack); n > 0 && stack[n-1].obj {
			stack[n-1].wantKey = true // this value is read (or opens)
		}
		switch t {
		case json.Delim('{'):
			stack = append(stack, frame{obj: true, wantKey: true})
		case json.Delim('['):
			stack = append(stack, frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
	}
}

// keys are m's keys in print order.
func (o *keyOrder) keys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	allExpr := true
	for k := range m {
		ks = append(ks, k)
		if _, ok := o.expr[k]; !ok {
			allExpr = false
		}
	}
	slices.Sort(ks)
	if len(ks) < 2 {
		return ks
	}
	if allExpr {
		slices.SortStableFunc(ks, func(a, b string) int { return o.expr[a] - o.expr[b] })
		return ks
	}
	in := o.inputRank()
	rank := func(k string) int {
		if r, ok := in[k]; ok {
			return r
		}
		if r, ok := o.expr[k]; ok {
			return len(in) + r
		}
		return len(in) + len(o.expr)
	}
	slices.SortStableFunc(ks, func(a, b string) int { return rank(a) - rank(b) })
	return ks
}

// appendJSON appends v as compact JSON, objects in o's order; scalars
// are gojq's (its number types, jq's float format).
func appendJSON(dst []byte, v any, o *keyOrder) ([]byte, error) {
	switch v := v.(type) {
	case ordered:
		return appendJSON(dst, v.v, v.order)
	case map[string]any:
		if o == nil {
			break
		}
		dst = append(dst, '{')
		for i, k := range o.keys(v) {
			if i > 0 {
				dst = append(dst, ',')
			}
			kb, err := gojq.Marshal(k) // jq's string escaping
			if err != nil {
				return dst, err
			}
			dst = append(append(dst, kb...), ':')
			if dst, err = appendJSON(dst, v[k], o); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	case []any:
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendJSON(dst, e, o); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	}
	b, err := gojq.Marshal(v)
	return append(dst, b...), err
}
