package ticks

import (
	"strings"
	"testing"
)

// A line that is JSON but not a tick record is described in the record's
// terms, never in encoding/json's ("cannot unmarshal array into Go value
// of type ticks.jsonRecord").
func TestParseJSONErrorsInWords(t *testing.T) {
	for in, want := range map[string]string{
		`[1]`:                      "invalid tick record: want a JSON object such as kite stream prints, got an array",
		`"x"`:                      "invalid tick record: want a JSON object such as kite stream prints, got a string",
		`{"instrument_token":[1]}`: "invalid tick record: instrument_token: want a number, got an array",
		`{"mode":1}`:               "invalid tick record: mode: want a string, got a number",
		`{"ohlc":3}`:               "invalid tick record: ohlc: want an object, got a number",
		`{"tradable":"yes"}`:       "invalid tick record: tradable: want true or false, got a string",
		`{"depth":{"buy":3}}`:      "invalid tick record: depth.buy: want an array, got a number",
		`{"mode":"ltp","nope":1}`:  `invalid tick record: unknown field "nope"`,
		`{"mode":"ltp"`:            "invalid tick record: the JSON is cut short",
		`{"mode":"ltp",}`:          "invalid tick record: not valid JSON at byte 15",
	} {
		_, _, err := ParseJSON([]byte(in))
		if err == nil || err.Error() != want {
			t.Errorf("%s: got %v, want %q", in, err, want)
		}
		if err != nil && (strings.Contains(err.Error(), "Go ") || strings.Contains(err.Error(), "json:")) {
			t.Errorf("%s: Go internals in %q", in, err)
		}
	}
}
