package mcpserver

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/kitecli/kite/pkg/kite"
)

// kiteTypes are Kite's types that marshal to something other than their Go
// shape: exact numbers kept as json.Number, times as RFC 3339 strings.
var kiteTypes = map[reflect.Type]*jsonschema.Schema{
	reflect.TypeFor[json.Number](): {Type: "number", Description: "exact decimal as Kite sent it"},
	reflect.TypeFor[kite.Time]():   {Types: []string{"null", "string"}, Description: "RFC 3339 in IST (+05:30); null when Kite sent none"},
	// Raw Kite objects (quotes, a GTT's meta) keep Kite's fields and digits.
	reflect.TypeFor[json.RawMessage](): {Types: []string{"null", "object"}},
}

// mustSchema infers the JSON schema of T. The types are this package's, so
// a failure is a programming error caught by any test that builds a server.
func mustSchema[T any]() *jsonschema.Schema {
	s, err := jsonschema.For[T](&jsonschema.ForOptions{TypeSchemas: kiteTypes})
	if err != nil {
		panic(fmt.Sprintf("mcpserver: schema of %T: %v", *new(T), err))
	}
	return s
}
