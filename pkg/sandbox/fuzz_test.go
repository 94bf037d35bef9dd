package sandbox

import (
	"testing"

	"github.com/kitecli/kite/pkg/sandbox/paper"
	"github.com/kitecli/kite/pkg/ticks"
)

// FuzzTickerCommand feeds arbitrary client messages to the ticker's command
// parser: it must never panic, never exceed the subscription limit, and
// keep its token index consistent with its subscriptions.
func FuzzTickerCommand(f *testing.F) {
	for _, seed := range []string{
		`{"a":"subscribe","v":[408065,256265]}`,
		`{"a":"unsubscribe","v":[408065]}`,
		`{"a":"mode","v":["full",[408065]]}`,
		`{"a":"mode","v":["ltp",[1,2,3]]}`,
		`{"a":"mode","v":[1]}`,
		`{"a":"subscribe","v":[1e20,-1,0.5]}`,
		`{"a":"subscribe","v":"x"}`,
		`not json`,
		`{}`,
	} {
		f.Add([]byte(seed), []byte(`{"a":"unsubscribe","v":[1,2]}`))
	}
	f.Fuzz(func(t *testing.T, first, second []byte) {
		c := &tickConn{idx: map[uint32]int{}}
		for _, msg := range [][]byte{first, second, first} {
			_ = c.command(msg)
			if len(c.tokens) > maxTokensPerConn || len(c.tokens) != len(c.modes) || len(c.idx) != len(c.tokens) {
				t.Fatalf("inconsistent subscriptions: %d tokens, %d modes, %d indexed", len(c.tokens), len(c.modes), len(c.idx))
			}
			for i, tok := range c.tokens {
				if c.idx[tok] != i {
					t.Fatalf("token %d indexed at %d, stored at %d", tok, c.idx[tok], i)
				}
				if _, ok := ticks.ParseMode(c.modes[i].String()); !ok {
					t.Fatalf("token %d has mode %v", tok, c.modes[i])
				}
			}
		}
	})
}

// FuzzCalculatorBody feeds arbitrary bodies to the calculators' JSON
// parser: it answers a message or decodes, never panics.
func FuzzCalculatorBody(f *testing.F) {
	for _, seed := range []string{
		`[{"exchange":"NSE","tradingsymbol":"INFY","transaction_type":"BUY","quantity":1,"price":1500}]`,
		`[]`, `{}`, `[{"quantity":"x"}]`, `[1,2]`, ` [null]`, `not json`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var orders []paper.MarginParams
		msg := decodeJSONArray(body, &orders)
		if msg == "" && len(body) == 0 {
			t.Fatal("an empty body decoded")
		}
	})
}
