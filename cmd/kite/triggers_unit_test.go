package main

import (
	"math"
	"strings"
	"testing"
)

// FuzzPriceList: --trigger and --price values never panic, never leak
// strconv's wording, and what they accept are positive finite prices.
func FuzzPriceList(f *testing.F) {
	for _, s := range []string{"1400,1700", "1400", "abc", "1,2,3", "-1", "NaN", "1e400", " 1400 , 1700 ", ",", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var l priceList
		if err := l.Set(s); err != nil {
			if strings.Contains(err.Error(), "strconv") || strings.Contains(err.Error(), "ParseFloat") {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		for _, v := range l {
			if !(v > 0) || math.IsInf(v, 0) {
				t.Fatalf("%q accepted %v", s, v)
			}
		}
	})
}

// FuzzAlertUUID: only the 8-4-4-4-12 hex form passes, before any request.
func FuzzAlertUUID(f *testing.F) {
	for _, s := range []string{"550e8400-e29b-41d4-a716-446655440000", "nope", "", "550e8400e29b41d4a716446655440000----", "../../orders"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if checkAlertUUID(s) != nil {
			return
		}
		if len(s) != 36 || strings.Count(s, "-") != 4 || strings.ContainsAny(s, "/?#% ") {
			t.Fatalf("%q accepted as a UUID", s)
		}
	})
}
