package main

import (
	"errors"
	"fmt"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/spf13/pflag"
)

// flagError is a flag that could not be parsed, said without Go's
// internals: pflag reports `invalid argument "abc" for "-q, --qty" flag:
// strconv.ParseInt: parsing "abc": invalid syntax`, which tells the user
// nothing they can act on. It is a usage error, with the --help pointer.
func flagError(err error) error {
	var ive *pflag.InvalidValueError
	if !errors.As(err, &ive) {
		return &exitcode.UsageError{Err: err}
	}
	fl := ive.GetFlag()
	var want string
	switch fl.Value.Type() {
	case "int", "int8", "int16", "int32", "int64":
		want = "a whole number, e.g. --" + fl.Name + " 10"
	case "uint", "uint8", "uint16", "uint32", "uint64":
		want = "a whole number, 0 or more"
	case "float32", "float64":
		want = "a number, e.g. --" + fl.Name + " 1540.5"
	case "duration":
		want = "a duration, e.g. --" + fl.Name + " 30s (units ms, s, m, h)"
	case "bool":
		want = "true or false"
	case "count":
		want = "a count, e.g. -" + fl.Shorthand + fl.Shorthand
	default:
		// Values kite defines say what they want in their own errors.
		return &exitcode.UsageError{Err: fmt.Errorf("invalid --%s %q: %w", fl.Name, ive.GetValue(), errors.Unwrap(err))}
	}
	return &exitcode.UsageError{Err: fmt.Errorf("invalid --%s %q: want %s", fl.Name, ive.GetValue(), want)}
}
