package output

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kitecli/kite/internal/exitcode"
)

var update = flag.Bool("update", false, "rewrite golden files")

type holding struct {
	Symbol   string   `json:"tradingsymbol"`
	Exchange string   `json:"exchange"`
	Quantity int      `json:"quantity"`
	Price    float64  `json:"last_price"`
	Tags     []string `json:"tags"`
}

var holdings = []holding{
	{"INFY", "NSE", 10, 1573.7, nil},
	{"RELIANCE", "NSE", 2, 2450.05, []string{"core"}},
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/output -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s mismatch\n--- got\n%s--- want\n%s", name, got, want)
	}
}

func render(t *testing.T, f Format, jq string, v any, opts ...Option) []byte {
	t.Helper()
	var q *JQ
	if jq != "" {
		var err error
		if q, err = CompileJQ(jq); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := New(&out, f, q).Print(v, opts...); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestGolden(t *testing.T) {
	profile := map[string]any{"user_id": "AB1234", "user_name": "Asha", "exchanges": []string{"NSE", "BSE"}}
	cases := []struct {
		name   string
		format Format
		jq     string
		v      any
		opts   []Option
	}{
		{"holdings.table", Table, "", holdings, nil},
		{"holdings.cols.table", Table, "", holdings, []Option{Columns("exchange", "tradingsymbol", "last_price")}},
		{"holdings.json", JSON, "", holdings, nil},
		{"holdings.ndjson", NDJSON, "", holdings, nil},
		{"holdings.csv", CSV, "", holdings, nil},
		{"holdings.jq.ndjson", NDJSON, ".tradingsymbol", holdings, nil},
		{"holdings.jq.json", JSON, "map(.last_price)", holdings, nil},
		{"holdings.jq.csv", CSV, "map({s: .tradingsymbol, q: .quantity})", holdings, nil},
		{"profile.table", Table, "", profile, nil},
		{"profile.csv", CSV, "", profile, nil},
		{"empty.table", Table, "", []holding{}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			golden(t, c.name, render(t, c.format, c.jq, c.v, c.opts...))
		})
	}
}

func TestExactNumbersSurviveJQ(t *testing.T) {
	// A price that float64 formatting would mangle must keep its digits.
	got := render(t, NDJSON, ".p", []map[string]any{{"p": jsonNumber("1573.70000000000001")}})
	if string(got) != "1573.70000000000001\n" {
		t.Errorf("got %q", got)
	}
}

type jsonNumber string

func (n jsonNumber) MarshalJSON() ([]byte, error) { return []byte(n), nil }

func TestBadJQIsUsageError(t *testing.T) {
	_, err := CompileJQ(".[")
	if exitcode.Code(err) != exitcode.Usage {
		t.Fatalf("CompileJQ(.[) = %v, want a usage error", err)
	}
	var ue *exitcode.UsageError
	if !errors.As(err, &ue) {
		t.Fatal("not a UsageError")
	}
}

func TestParseFormat(t *testing.T) {
	if f, _ := ParseFormat("", true); f != Table {
		t.Errorf("tty default = %s", f)
	}
	if f, _ := ParseFormat("", false); f != JSON {
		t.Errorf("pipe default = %s", f)
	}
	if _, err := ParseFormat("yaml", false); exitcode.Code(err) != exitcode.Usage {
		t.Errorf("yaml: %v", err)
	}
}

// TestNoHTMLEscaping: comparison operators print as themselves (an alert's
// ">=" is not "\u003e="), in JSON and in a table.
func TestNoHTMLEscaping(t *testing.T) {
	for _, f := range []Format{JSON, Table} {
		var b bytes.Buffer
		if err := New(&b, f, nil).Print(map[string]string{"operator": ">=", "name": "a & b <c>"}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), ">=") || !strings.Contains(b.String(), "a & b <c>") {
			t.Errorf("%s: %s", f, b.String())
		}
	}
}
