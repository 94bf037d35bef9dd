package output

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"syscall"

	"github.com/kitecli/kite/internal/exitcode"
)

// A Record is one record of a stream, able to append itself as one
// compact JSON value. Encoders that write straight into the caller's
// buffer (ticks, candles) are why this is an interface and not any: a
// record costs no reflection and, once buffers have grown, no allocation.
type Record interface {
	AppendJSON(dst []byte) []byte
}

// A CSVRecord can also append itself as one CSV row, ending in "\n", its
// cells in the order of RecordOptions.CSVHeader. Records that are not
// CSVRecords are laid out at Close the way Printer lays out CSV.
type CSVRecord interface {
	Record
	AppendCSV(dst []byte) []byte
}

// RecordOptions tune a RecordWriter.
type RecordOptions struct {
	// CSVHeader is the first line of -o csv; with no records it is the
	// whole output.
	CSVHeader []string
	// LineBuffered flushes after every record: for a terminal, where a
	// person waits for each line. Otherwise output is flushed when the
	// buffer fills, at Close, and wherever the command calls Flush.
	LineBuffered bool
}

// bufferSize is the write buffer: big enough that a pipe sees few, large
// writes (a full-mode ticker message is ~110 kB of NDJSON).
const bufferSize = 64 << 10

// RecordWriter writes a stream of records in one of kite's formats, as
// they come, in constant memory:
//
//   - NDJSON: one compact JSON value per line; --jq runs per record and
//     prints each result as a line (strings raw, as jq -r).
//   - JSON: one array, "[\n  rec,\n  rec\n]\n", or "[]\n" when empty.
//   - CSV: CSVHeader, then one row per CSVRecord.
//
// What cannot be written record by record (a table, which sizes its
// columns to every row, and JSON or CSV after --jq, where the program
// sees the whole array) is gathered and printed at Close exactly as
// Printer prints the array of records.
//
// A write error is sticky: every later call returns it. A reader that
// closed the pipe (| head) makes that error one for which ClosedPipe is
// true; commands end successfully on it (see ClosedPipe).
//
// A RecordWriter is not safe for concurrent use. docs/design.md ("Records")
// is the contract it keeps.
type RecordWriter struct {
	out    *bufio.Writer
	format Format
	jq     *JQ
	opts   RecordOptions
	gather bool

	count int   // records written (before --jq)
	err   error // the first write error
	done  bool  // Close has run

	rec []byte // the record being encoded
	res []byte // --jq results of one record
	all []byte // gathered records, an array without its ']'
}

// NewRecordWriter returns a writer of records to w in format (Table,
// JSON, NDJSON or CSV), with jq (may be nil) applied as the format
// says.
func NewRecordWriter(w io.Writer, format Format, jq *JQ, opts RecordOptions) *RecordWriter {
	rw := &RecordWriter{
		out:    bufio.NewWriterSize(w, bufferSize),
		format: format,
		jq:     jq,
		opts:   opts,
	}
	switch format {
	case NDJSON:
	case JSON:
		rw.gather = jq != nil
	case CSV:
		rw.gather = jq != nil || opts.CSVHeader == nil
	default:
		rw.gather = true
	}
	return rw
}

// Format is the writer's format.
func (w *RecordWriter) Format() Format { return w.format }

// Count is how many records were written (before --jq).
func (w *RecordWriter) Count() int { return w.count }

// Write writes one record.
func (w *RecordWriter) Write(r Record) error {
	if w.err != nil {
		return w.err
	}
	if w.format == CSV && !w.gather {
		if cr, ok := r.(CSVRecord); ok {
			w.rec = cr.AppendCSV(w.rec[:0])
			return w.emit(w.csvLine(w.rec))
		}
		if w.count > 0 {
			return fmt.Errorf("a %T record has no CSV row, and rows were written", r)
		}
		// A record with no row of its own: gather the records and lay
		// them out at Close, as Printer does.
		w.gather = true
	}
	w.rec = r.AppendJSON(w.rec[:0])
	return w.WriteJSON(w.rec)
}

// WriteJSON writes one record given as a compact JSON value; a trailing
// newline is allowed (encoders that write NDJSON lines end with one).
// It is Write for records that are already bytes.
func (w *RecordWriter) WriteJSON(rec []byte) error {
	if w.err != nil {
		return w.err
	}
	switch {
	case w.gather:
		w.all = appendSep(w.all, w.count)
		w.all = append(w.all, trimNewline(rec)...)
		w.count++
		return nil
	case w.format == NDJSON && w.jq != nil:
		w.res = w.res[:0]
		if err := w.jq.RunJSON(rec, w.appendResult); err != nil {
			return err
		}
		w.count++
		return w.emit(w.res)
	case w.format == NDJSON:
		w.count++
		if len(rec) > 0 && rec[len(rec)-1] == '\n' {
			return w.emit(rec)
		}
		w.write(rec)
		w.writeString("\n")
		return w.endRecord()
	case w.format == JSON:
		if w.count == 0 {
			w.writeString("[\n  ")
		} else {
			w.writeString(",\n  ")
		}
		w.count++
		return w.emit(trimNewline(rec))
	}
	return fmt.Errorf("unknown output format %q", w.format)
}

// WriteValue writes v, marshalled as Printer marshals values (no HTML
// escaping), as one record: for rare records such as events.
func (w *RecordWriter) WriteValue(v any) error {
	b, err := marshal(v)
	if err != nil {
		return fmt.Errorf("encoding output: %w", err)
	}
	return w.WriteJSON(b)
}

// WriteRaw writes b unchanged: bytes the caller has already put in the
// writer's format (lines formatted in parallel), or bytes that are not
// records at all (kite stream --raw). It counts no records.
func (w *RecordWriter) WriteRaw(b []byte) error {
	if w.err != nil {
		return w.err
	}
	return w.emit(b)
}

func (w *RecordWriter) appendResult(r any) (err error) {
	w.res, err = AppendResult(w.res, r)
	return err
}

// csvLine puts the header before the first row.
func (w *RecordWriter) csvLine(row []byte) []byte {
	if w.count == 0 {
		w.writeHeader()
	}
	w.count++
	return row
}

func (w *RecordWriter) writeHeader() {
	cw := csv.NewWriter(w.out)
	if err := cw.Write(w.opts.CSVHeader); err != nil {
		w.fail(err)
		return
	}
	cw.Flush()
	w.fail(cw.Error())
}

// emit writes the end of one record, and flushes when line-buffered.
func (w *RecordWriter) emit(b []byte) error {
	w.write(b)
	return w.endRecord()
}

func (w *RecordWriter) endRecord() error {
	if w.opts.LineBuffered && w.err == nil {
		w.fail(w.out.Flush())
	}
	return w.err
}

func (w *RecordWriter) write(b []byte) {
	if w.err == nil {
		_, err := w.out.Write(b)
		w.fail(err)
	}
}

func (w *RecordWriter) writeString(s string) {
	if w.err == nil {
		_, err := w.out.WriteString(s)
		w.fail(err)
	}
}

func (w *RecordWriter) fail(err error) {
	if err != nil && w.err == nil {
		w.err = err
	}
}

// Flush writes out what is buffered: a flush point the command chooses
// (a ticker message, a chunk of candles), so what has arrived is on
// stdout even if a later step fails or the process is killed.
func (w *RecordWriter) Flush() error {
	if w.err == nil {
		w.fail(w.out.Flush())
	}
	return w.err
}

// Close ends the document (a JSON array's "]", a CSV header with no
// rows, the gathered records printed) and flushes. It writes nothing more
// after a write error, and runs once.
func (w *RecordWriter) Close() error {
	if w.done {
		return w.err
	}
	w.done = true
	if w.err != nil {
		return w.err
	}
	switch {
	case w.gather:
		w.all = append(appendSep(w.all, -1), ']')
		// The array of records, printed as Printer prints it; the
		// bytes are already JSON, and marshal keeps a RawMessage's.
		if err := New(w.out, w.format, w.jq).Print(json.RawMessage(w.all)); err != nil {
			w.fail(err)
		}
	case w.format == JSON && w.count == 0:
		w.writeString("[]\n")
	case w.format == JSON:
		w.writeString("\n]\n")
	case w.format == CSV && w.count == 0:
		w.writeHeader()
	}
	return w.Flush()
}

// appendSep starts a gathered array, or separates its elements; n < 0
// closes an empty one.
func appendSep(b []byte, n int) []byte {
	switch {
	case len(b) == 0:
		return append(b, '[')
	case n > 0:
		return append(b, ',')
	}
	return b
}

func trimNewline(b []byte) []byte {
	return bytes.TrimSuffix(b, []byte{'\n'})
}

// ClosedPipe reports whether err is stdout's reader going away (EPIPE:
// kite ... | head). It is kite's one rule for a closed pipe: the reader
// has all it wanted, so the command ends with exit 0 and says nothing.
// SIGPIPE is ignored process-wide (cmd/kite's main), so the write fails
// with EPIPE instead of killing the process before buffers are handled.
func ClosedPipe(err error) bool {
	return errors.Is(err, syscall.EPIPE)
}

// RecordFormats declares what a record-streaming command does with -o:
// the values it accepts and the format each writes. It is the one place
// a command says so; the command then reads the resolved Format, never
// the flag.
type RecordFormats struct {
	// Writes maps each accepted -o value ("" is -o not given) to the
	// format written. Nil accepts every format, with ParseFormat's
	// default.
	Writes map[string]Format
	// Refusal is the usage error for any other value; %[1]s is the value.
	Refusal string
}

// Resolve returns the format to write for -o flag.
func (d RecordFormats) Resolve(flag string, stdoutTTY bool) (Format, error) {
	if d.Writes == nil {
		return ParseFormat(flag, stdoutTTY)
	}
	if f, ok := d.Writes[flag]; ok {
		return f, nil
	}
	if _, err := ParseFormat(flag, stdoutTTY); err != nil {
		return "", err // not a format at all: the general message
	}
	return "", exitcode.Usagef(d.Refusal, flag)
}

// Verbatim reports whether records reach the output unchanged, one
// NDJSON line each (no --jq): then a caller may format lines itself, in
// parallel, and hand them over with WriteRaw.
func (w *RecordWriter) Verbatim() bool { return w.format == NDJSON && w.jq == nil }
