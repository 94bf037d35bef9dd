// Package output renders command results in the formats of kite's output
// contract: a table for people, JSON, NDJSON and CSV for programs, with an
// optional --jq filter applied first.
//
// Commands hand over plain JSON-marshalable values. Everything goes through
// JSON bytes once, so every format sees the same fields, in the order the
// value marshals them (struct order, or Kite's own order for raw responses),
// and numbers keep their exact digits in every format.
package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/kitecli/kite/internal/exitcode"
)

// Format is an output format name, as given to -o.
type Format string

// Formats.
const (
	Table  Format = "table"
	JSON   Format = "json"
	NDJSON Format = "ndjson"
	CSV    Format = "csv"
)

// ParseFormat validates s; "" picks the default: a table when stdout is a
// terminal, JSON when it is not.
func ParseFormat(s string, stdoutTTY bool) (Format, error) {
	switch f := Format(s); f {
	case Table, JSON, NDJSON, CSV:
		return f, nil
	case "":
		if stdoutTTY {
			return Table, nil
		}
		return JSON, nil
	}
	return "", exitcode.Usagef("unknown output format %q: use table, json, ndjson or csv", s)
}

// Printer writes values in one format.
type Printer struct {
	w      io.Writer
	format Format
	jq     *JQ
	style  TableStyle
}

// New returns a Printer; jq may be nil.
func New(w io.Writer, format Format, jq *JQ) *Printer {
	return &Printer{w: w, format: format, jq: jq}
}

// Format is the printer's format.
func (p *Printer) Format() Format { return p.format }

// Option adjusts one Print call.
type Option func(*printOptions)

type printOptions struct {
	columns []string
}

// Columns picks and orders the columns of a table. JSON, NDJSON and CSV
// always carry every field; a table on a terminal shows what fits.
func Columns(cols ...string) Option {
	return func(o *printOptions) { o.columns = cols }
}

// Print writes v. A top-level array is a list of records: NDJSON prints one
// per line, a table or CSV one per row, and --jq runs per record for NDJSON.
func (p *Printer) Print(v any, opts ...Option) error {
	var po printOptions
	for _, o := range opts {
		o(&po)
	}
	doc, err := marshal(v)
	if err != nil {
		return fmt.Errorf("encoding output: %w", err)
	}
	var buf []byte
	switch p.format {
	case NDJSON:
		buf, err = p.ndjson(doc)
	case JSON:
		buf, err = p.json(doc)
	case Table, CSV:
		if p.jq != nil {
			if doc, err = p.filteredDoc(doc); err != nil {
				return err
			}
		}
		// Columns shape a table of the command's own records; CSV carries
		// every field like JSON, and after --jq the shape is the user's.
		cols := po.columns
		if p.format == CSV || p.jq != nil {
			cols = nil
		}
		return p.printGrid(doc, cols)
	default:
		return fmt.Errorf("unknown output format %q", p.format)
	}
	if err != nil {
		return err
	}
	_, err = p.w.Write(buf)
	return err
}

func (p *Printer) json(doc []byte) ([]byte, error) {
	if p.jq == nil {
		var out bytes.Buffer
		if err := json.Indent(&out, doc, "", "  "); err != nil {
			return nil, err
		}
		out.WriteByte('\n')
		return out.Bytes(), nil
	}
	var out []byte
	err := p.jq.RunJSON(doc, func(r any) (err error) {
		out, err = AppendResult(out, r)
		return err
	})
	return out, err
}

func (p *Printer) ndjson(doc []byte) ([]byte, error) {
	// Through a buffer: a failing --jq on the fifth record prints none.
	var out bytes.Buffer
	rw := NewRecordWriter(&out, NDJSON, p.jq, RecordOptions{})
	var b bytes.Buffer
	err := eachRecord(doc, func(rec json.RawMessage) error {
		b.Reset()
		if err := json.Compact(&b, rec); err != nil {
			return err
		}
		return rw.WriteJSON(b.Bytes())
	})
	if err != nil {
		return nil, err
	}
	if err := rw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// filteredDoc runs --jq and gathers the results back into one document: a
// single result as itself, several as an array.
func (p *Printer) filteredDoc(doc []byte) ([]byte, error) {
	var results []any
	if err := p.jq.RunJSON(doc, func(r any) error {
		results = append(results, r)
		return nil
	}); err != nil {
		return nil, err
	}
	if len(results) == 1 {
		return gojqMarshal(results[0])
	}
	if results == nil {
		results = []any{}
	}
	return gojqMarshal(results)
}

// eachRecord calls fn for each element of a top-level array, or once for
// any other document.
func eachRecord(doc []byte, fn func(json.RawMessage) error) error {
	doc = bytes.TrimSpace(doc)
	if len(doc) == 0 || doc[0] != '[' {
		return fn(doc)
	}
	var recs []json.RawMessage
	if err := json.Unmarshal(doc, &recs); err != nil {
		return err
	}
	for _, r := range recs {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

type field struct {
	key string
	val json.RawMessage
}

// objectFields returns an object's fields in document order.
func objectFields(doc json.RawMessage) ([]field, bool, error) {
	doc = bytes.TrimSpace(doc)
	if len(doc) == 0 || doc[0] != '{' {
		return nil, false, nil
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	if _, err := dec.Token(); err != nil {
		return nil, false, err
	}
	var fs []field
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, false, err
		}
		key, _ := t.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, false, err
		}
		fs = append(fs, field{key: key, val: val})
	}
	return fs, true, nil
}

func cellText(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" {
		return ""
	}
	if v[0] == '"' {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
	}
	var b bytes.Buffer
	if json.Compact(&b, v) == nil {
		return b.String()
	}
	return string(v)
}

func isNumber(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) > 0 && (v[0] == '-' || (v[0] >= '0' && v[0] <= '9'))
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// marshal is json.Marshal without HTML escaping: output goes to terminals
// and programs, not web pages, and an alert's operator must read ">=",
// not "\u003e=".
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
