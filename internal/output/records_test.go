package output

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/kitecli/kite/internal/exitcode"
)

// quoteRec is a record with its own encoders, as candles and ticks have.
type quoteRec struct{ symbol, price string }

func (r *quoteRec) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"symbol":"`...)
	dst = append(dst, r.symbol...)
	dst = append(dst, `","price":`...)
	dst = append(dst, r.price...)
	return append(dst, '}')
}

func (r *quoteRec) AppendCSV(dst []byte) []byte {
	return append(append(append(append(dst, r.symbol...), ','), r.price...), '\n')
}

// jsonOnly has no CSV row of its own.
type jsonOnly struct{ quoteRec }

func (r *jsonOnly) AppendJSON(dst []byte) []byte { return r.quoteRec.AppendJSON(dst) }

var quotes = []quoteRec{{"NSE:INFY", "1573.7"}, {"NSE:TCS", "3500"}}

func mustJQ(t testing.TB, expr string) *JQ {
	t.Helper()
	if expr == "" {
		return nil
	}
	q, err := CompileJQ(expr)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// writeRecords writes recs through a RecordWriter and returns the output.
func writeRecords(t *testing.T, f Format, jq string, recs []Record) string {
	t.Helper()
	var out bytes.Buffer
	w := NewRecordWriter(&out, f, mustJQ(t, jq), RecordOptions{CSVHeader: []string{"symbol", "price"}})
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if w.Count() != len(recs) {
		t.Errorf("Count = %d, want %d", w.Count(), len(recs))
	}
	return out.String()
}

func TestRecordWriterBytes(t *testing.T) {
	both := []Record{&quotes[0], &quotes[1]}
	noCSV := []Record{&jsonOnly{quotes[0]}, &jsonOnly{quotes[1]}}
	tests := []struct {
		name   string
		format Format
		jq     string
		recs   []Record
		want   string
	}{
		{"ndjson", NDJSON, "", both,
			`{"symbol":"NSE:INFY","price":1573.7}` + "\n" + `{"symbol":"NSE:TCS","price":3500}` + "\n"},
		{"ndjson empty", NDJSON, "", nil, ""},
		{"json array", JSON, "", both,
			"[\n  " + `{"symbol":"NSE:INFY","price":1573.7}` + ",\n  " + `{"symbol":"NSE:TCS","price":3500}` + "\n]\n"},
		{"json empty", JSON, "", nil, "[]\n"},
		{"csv", CSV, "", both, "symbol,price\nNSE:INFY,1573.7\nNSE:TCS,3500\n"},
		{"csv empty", CSV, "", nil, "symbol,price\n"},
		// A record without a row of its own is laid out as Printer lays
		// out CSV: the union of the keys as the header.
		{"csv without rows", CSV, "", noCSV, "symbol,price\nNSE:INFY,1573.7\nNSE:TCS,3500\n"},
		// --jq runs per record in NDJSON; strings print raw, as jq -r.
		{"ndjson jq number", NDJSON, ".price", both, "1573.7\n3500\n"},
		{"ndjson jq string", NDJSON, ".symbol", both, "NSE:INFY\nNSE:TCS\n"},
		{"ndjson jq two results", NDJSON, ".symbol, .price", both, "NSE:INFY\n1573.7\nNSE:TCS\n3500\n"},
		{"ndjson jq select none", NDJSON, "select(.price > 5000)", both, ""},
		// JSON and CSV are one document: --jq sees the whole array.
		{"json jq", JSON, "map(.price)", both, "[1573.7,3500]\n"},
		{"json jq empty", JSON, "length", nil, "0\n"},
		{"csv jq", CSV, "map({s: .symbol})", both, "s\nNSE:INFY\nNSE:TCS\n"},
		{"table empty", Table, "", nil, "(no rows)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := writeRecords(t, tt.format, tt.jq, tt.recs); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestRecordWriterWriteJSONAndValue(t *testing.T) {
	var out bytes.Buffer
	w := NewRecordWriter(&out, NDJSON, nil, RecordOptions{})
	// With and without the newline an NDJSON encoder leaves.
	for _, rec := range []string{`{"a":1}` + "\n", `{"b":2}`} {
		if err := w.WriteJSON([]byte(rec)); err != nil {
			t.Fatal(err)
		}
	}
	// No HTML escaping: an alert's operator reads >=.
	if err := w.WriteValue(struct {
		Op string `json:"op"`
	}{">="}); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteRaw([]byte("raw\n")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := `{"a":1}` + "\n" + `{"b":2}` + "\n" + `{"op":">="}` + "\nraw\n"
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
	if w.Count() != 3 {
		t.Errorf("Count = %d, want 3 (WriteRaw counts no records)", w.Count())
	}
}

// writes records each Write call the writer makes.
type writes struct{ calls []string }

func (w *writes) Write(p []byte) (int, error) {
	w.calls = append(w.calls, string(p))
	return len(p), nil
}

func TestRecordWriterFlushPoints(t *testing.T) {
	var under writes
	w := NewRecordWriter(&under, JSON, nil, RecordOptions{})
	if err := w.Write(&quotes[0]); err != nil {
		t.Fatal(err)
	}
	if len(under.calls) != 0 {
		t.Fatalf("a record reached the output before a flush point: %q", under.calls)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := "[\n  " + `{"symbol":"NSE:INFY","price":1573.7}`; len(under.calls) != 1 || under.calls[0] != want {
		t.Fatalf("after Flush: %q, want one write %q", under.calls, want)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if len(under.calls) != 2 || under.calls[1] != "\n]\n" {
		t.Fatalf("Close did not flush the end of the array: %q", under.calls)
	}
	if err := w.Close(); err != nil || len(under.calls) != 2 {
		t.Fatalf("a second Close wrote again (%v): %q", err, under.calls)
	}

	// Line-buffered: each record on its own, as it comes.
	under.calls = nil
	w = NewRecordWriter(&under, NDJSON, nil, RecordOptions{LineBuffered: true})
	for i := range quotes {
		if err := w.Write(&quotes[i]); err != nil {
			t.Fatal(err)
		}
		if len(under.calls) != i+1 {
			t.Fatalf("record %d not flushed at once: %q", i, under.calls)
		}
	}
	if under.calls[1] != `{"symbol":"NSE:TCS","price":3500}`+"\n" {
		t.Errorf("second write %q", under.calls[1])
	}
}

// A reader that went away (kite ... | head) makes every write fail with
// an error ClosedPipe knows, which commands turn into exit 0; nothing
// is written after it, and the error does not change.
func TestRecordWriterClosedPipe(t *testing.T) {
	r, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	r.Close()
	w := NewRecordWriter(pw, NDJSON, nil, RecordOptions{})
	if err := w.Write(&quotes[0]); err != nil {
		t.Fatalf("Write before a flush point: %v (it should be buffered)", err)
	}
	ferr := w.Flush()
	if !ClosedPipe(ferr) || !errors.Is(ferr, syscall.EPIPE) {
		t.Fatalf("Flush = %v, want EPIPE", ferr)
	}
	if err := w.Write(&quotes[1]); err != ferr {
		t.Errorf("Write after the pipe closed = %v, want the same error %v", err, ferr)
	}
	if err := w.WriteRaw([]byte("x")); err != ferr {
		t.Errorf("WriteRaw after the pipe closed = %v", err)
	}
	if err := w.Close(); err != ferr {
		t.Errorf("Close = %v, want %v", err, ferr)
	}
	if ClosedPipe(errors.New("broken pipe")) || ClosedPipe(nil) {
		t.Error("ClosedPipe is true for an error that is not EPIPE")
	}
}

func TestRecordWriterJQError(t *testing.T) {
	var out bytes.Buffer
	w := NewRecordWriter(&out, NDJSON, mustJQ(t, `error("bad record")`), RecordOptions{})
	err := w.Write(&quotes[0])
	if err == nil || err.Error() != "jq: bad record" {
		t.Fatalf("Write = %v, want jq: bad record", err)
	}
	if exitcode.Code(err) != exitcode.Error {
		t.Errorf("exit code %d, want %d", exitcode.Code(err), exitcode.Error)
	}
}

func TestRecordWriterVerbatim(t *testing.T) {
	for _, tt := range []struct {
		f    Format
		jq   string
		want bool
	}{{NDJSON, "", true}, {NDJSON, ".", false}, {JSON, "", false}, {CSV, "", false}} {
		if got := NewRecordWriter(&bytes.Buffer{}, tt.f, mustJQ(t, tt.jq), RecordOptions{}).Verbatim(); got != tt.want {
			t.Errorf("%s jq %q: Verbatim = %v, want %v", tt.f, tt.jq, got, tt.want)
		}
	}
}

func TestRecordFormatsResolve(t *testing.T) {
	stream := RecordFormats{
		Writes:  map[string]Format{"": NDJSON, "ndjson": NDJSON},
		Refusal: "kite stream always prints NDJSON: drop -o %s",
	}
	for _, flag := range []string{"", "ndjson"} {
		if f, err := stream.Resolve(flag, true); err != nil || f != NDJSON {
			t.Errorf("stream -o %q = %q, %v; want ndjson", flag, f, err)
		}
	}
	_, err := stream.Resolve("csv", false)
	if err == nil || err.Error() != "kite stream always prints NDJSON: drop -o csv" || exitcode.Code(err) != exitcode.Usage {
		t.Errorf("stream -o csv = %v (exit %d), want the refusal, exit 2", err, exitcode.Code(err))
	}
	if _, err := stream.Resolve("yaml", false); err == nil || !strings.Contains(err.Error(), "unknown output format") {
		t.Errorf("stream -o yaml = %v, want the general unknown-format error", err)
	}
	// A default that depends on the terminal (kite chain --live).
	live := RecordFormats{
		Writes:         map[string]Format{"": NDJSON, "ndjson": NDJSON, "table": Table},
		TerminalWrites: map[string]Format{"": Table},
		Refusal:        "not -o %s",
	}
	for _, tt := range []struct {
		flag string
		tty  bool
		want Format
	}{{"", true, Table}, {"", false, NDJSON}, {"ndjson", true, NDJSON}, {"table", false, Table}, {"table", true, Table}} {
		if f, err := live.Resolve(tt.flag, tt.tty); err != nil || f != tt.want {
			t.Errorf("live -o %q tty %v = %q, %v; want %q", tt.flag, tt.tty, f, err, tt.want)
		}
	}
	if _, err := live.Resolve("json", true); err == nil || err.Error() != "not -o json" {
		t.Errorf("live -o json on a terminal = %v, want the refusal", err)
	}
	var all RecordFormats
	for _, tt := range []struct {
		flag string
		tty  bool
		want Format
	}{{"", true, Table}, {"", false, JSON}, {"csv", true, CSV}, {"ndjson", false, NDJSON}} {
		if f, err := all.Resolve(tt.flag, tt.tty); err != nil || f != tt.want {
			t.Errorf("-o %q tty %v = %q, %v; want %q", tt.flag, tt.tty, f, err, tt.want)
		}
	}
}

// FuzzRecordWriter feeds records from outside (kite stream --from prints
// event records read from NATS) through every format and --jq: errors
// are fine, panics are not, and NDJSON without --jq passes a record on
// unchanged.
func FuzzRecordWriter(f *testing.F) {
	for _, s := range []string{`{"type":"event","event":"connected"}`, `{"a":[1,2,{"b":null}]}` + "\n", `"x"`, `[`, ``, "\n", `{"a":1e400}`, `{"a":"\u00e9\ud800"}`} {
		f.Add([]byte(s))
	}
	jq := mustJQ(f, ".")
	f.Fuzz(func(t *testing.T, rec []byte) {
		for _, format := range []Format{NDJSON, JSON, CSV, Table} {
			for _, q := range []*JQ{nil, jq} {
				var out bytes.Buffer
				w := NewRecordWriter(&out, format, q, RecordOptions{})
				err := w.WriteJSON(rec)
				if err == nil {
					err = w.Close()
				}
				if format == NDJSON && q == nil {
					if err != nil {
						t.Fatalf("NDJSON: %v", err)
					}
					want := string(bytes.TrimSuffix(rec, []byte("\n"))) + "\n"
					if out.String() != want {
						t.Fatalf("NDJSON changed the record: %q, want %q", out.String(), want)
					}
				}
			}
		}
	})
}

// BenchmarkRecordWriter is the writer's own cost per record, on
// candle-sized records (encoders excluded: they are the caller's).
func BenchmarkRecordWriter(b *testing.B) {
	rec := []byte(`{"date":"2024-01-02T09:15:00+05:30","open":1573.7,"high":1580,"low":1570.05,"close":1575.25,"volume":123456}`)
	for _, f := range []Format{NDJSON, JSON, CSV} {
		b.Run(string(f), func(b *testing.B) {
			w := NewRecordWriter(discard{}, f, nil, RecordOptions{CSVHeader: []string{"symbol", "price"}})
			r := &quoteRec{"NSE:INFY", "1573.7"}
			b.ReportAllocs()
			b.SetBytes(int64(len(rec)))
			for b.Loop() {
				var err error
				if f == CSV {
					err = w.Write(r)
				} else {
					err = w.WriteJSON(rec)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
