package mcpserver

import (
	"encoding/json"
	"math/big"
	"strings"
)

// Kite's numbers are compared and summed as decimals, not floats, so a
// summary's figures have exactly the digits of the candles they come from.

// rat reads a plain decimal. Exponents are refused: Kite sends none, and
// "1e999999999" would cost big.Rat a gigabyte.
func rat(n json.Number) (*big.Rat, bool) {
	if len(n) == 0 || len(n) > 40 || strings.ContainsAny(string(n), "eE/") {
		return nil, false
	}
	return new(big.Rat).SetString(string(n))
}

// decLess reports a < b; a number that is not one sorts as neither.
func decLess(a, b json.Number) bool {
	x, ok1 := rat(a)
	y, ok2 := rat(b)
	return ok1 && ok2 && x.Cmp(y) < 0
}

type decimalSum struct {
	sum    *big.Rat
	places int // most decimal places seen
}

func newDecimalSum() *decimalSum { return &decimalSum{sum: new(big.Rat)} }

func (d *decimalSum) add(n json.Number) {
	r, ok := rat(n)
	if !ok {
		return
	}
	d.sum.Add(d.sum, r)
	if _, frac, ok := strings.Cut(string(n), "."); ok {
		d.places = max(d.places, len(frac))
	}
}

func (d *decimalSum) number() json.Number {
	return json.Number(d.sum.FloatString(d.places))
}
