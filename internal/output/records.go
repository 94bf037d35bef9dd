package output

import (
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
// compact JSON value (a trailing newline is allowed). Encoders append
// straight into the writer's buffer (ticks, candles): a record costs no
// reflection, no copy and, once buffers have grown, no allocation.
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
// writes. A record that makes it longer is kept whole (a full-mode
// ticker message is ~110 kB of NDJSON), and then written.
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
	out    io.Writer
	buf    []byte // written, not yet flushed
	format Format
	jq     *JQ
	opts   RecordOptions
	gather bool

	count int   // records written (before --jq)
	err   error // the first write error
	done  bool  // Close has run

	rec []byte // a record encoded for --jq or gathering
	all []byte // gathered records, an array without its ']'
}

// NewRecordWriter returns a writer of records to w in format (Table,
// JSON, NDJSON or CSV), with jq (may be nil) applied as the format
// says.
func NewRecordWriter(w io.Writer, format Format, jq *JQ, opts RecordOptions) *RecordWriter {
	rw := &RecordWriter{
		out:    w,
		buf:    make([]byte, 0, bufferSize),
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

// Verbatim reports whether records reach the output unchanged, one
// NDJSON line each (no --jq): then a caller may format lines itself, in
// parallel, and hand them over with WriteRaw.
func (w *RecordWriter) Verbatim() bool { return w.format == NDJSON && w.jq == nil }

// Write writes one record.
func (w *RecordWriter) Write(r Record) error {
	if w.err != nil {
		return w.err
	}
	if !w.gather {
		switch w.format {
		case NDJSON:
			if w.jq != nil {
				break
			}
			w.buf = r.AppendJSON(w.buf)
			if n := len(w.buf); n == 0 || w.buf[n-1] != '\n' {
				w.buf = append(w.buf, '\n')
			}
			w.count++
			return w.endRecord()
		case JSON:
			w.buf = w.appendSep(w.buf)
			w.buf = trimNewline(r.AppendJSON(w.buf))
			w.count++
			return w.endRecord()
		case CSV:
			cr, ok := r.(CSVRecord)
			if ok {
				if w.count == 0 {
					w.appendHeader()
				}
				w.buf = cr.AppendCSV(w.buf)
				w.count++
				return w.endRecord()
			}
			if w.count > 0 {
				return fmt.Errorf("a %T record has no CSV row, and rows were written", r)
			}
			// A record with no row of its own: gather the records and
			// lay them out at Close, as Printer does.
			w.gather = true
		}
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
		if len(w.all) == 0 {
			w.all = append(w.all, '[')
		} else {
			w.all = append(w.all, ',')
		}
		w.all = append(w.all, trimNewline(rec)...)
		w.count++
		return nil
	case w.format == NDJSON && w.jq != nil:
		n := len(w.buf)
		if err := w.jq.RunJSON(rec, w.appendResult); err != nil {
			w.buf = w.buf[:n] // none of a record that failed
			return err
		}
		w.count++
		return w.endRecord()
	case w.format == NDJSON:
		w.buf = append(w.buf, rec...)
		if n := len(rec); n == 0 || rec[n-1] != '\n' {
			w.buf = append(w.buf, '\n')
		}
		w.count++
		return w.endRecord()
	case w.format == JSON:
		w.buf = append(w.appendSep(w.buf), trimNewline(rec)...)
		w.count++
		return w.endRecord()
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
	if len(b) >= bufferSize {
		// Big enough to go as it is, without a copy.
		if w.Flush() == nil {
			_, err := w.out.Write(b)
			w.fail(err)
		}
		return w.err
	}
	w.buf = append(w.buf, b...)
	return w.endRecord()
}

func (w *RecordWriter) appendResult(r any) (err error) {
	w.buf, err = AppendResult(w.buf, r)
	return err
}

// appendSep starts the JSON array, or separates its elements.
func (w *RecordWriter) appendSep(b []byte) []byte {
	if w.count == 0 {
		return append(b, "[\n  "...)
	}
	return append(b, ",\n  "...)
}

func (w *RecordWriter) appendHeader() {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	if err := cw.Write(w.opts.CSVHeader); err != nil {
		w.fail(err)
		return
	}
	cw.Flush()
	w.buf = append(w.buf, b.Bytes()...)
}

// endRecord flushes after a record when line-buffered, or when the
// buffer is full.
func (w *RecordWriter) endRecord() error {
	if w.opts.LineBuffered || len(w.buf) >= bufferSize {
		return w.Flush()
	}
	return w.err
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
	if w.err == nil && len(w.buf) > 0 {
		_, err := w.out.Write(w.buf)
		w.buf = w.buf[:0]
		w.fail(err)
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
		if len(w.all) == 0 {
			w.all = append(w.all, '[')
		}
		w.all = append(w.all, ']')
		if w.Flush() != nil {
			return w.err
		}
		// The array of records, printed as Printer prints it; the
		// bytes are already JSON, and marshal keeps a RawMessage's.
		w.fail(New(w.out, w.format, w.jq).Print(json.RawMessage(w.all)))
		return w.err
	case w.format == JSON && w.count == 0:
		w.buf = append(w.buf, "[]\n"...)
	case w.format == JSON:
		w.buf = append(w.buf, "\n]\n"...)
	case w.format == CSV && w.count == 0:
		w.appendHeader()
	}
	return w.Flush()
}

func trimNewline(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		return b[:n-1]
	}
	return b
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
	// TerminalWrites, when stdout is a terminal, override Writes: for a
	// command whose default differs there (kite chain --live: a table on
	// a terminal, NDJSON in a pipe).
	TerminalWrites map[string]Format
	// Refusal is the usage error for any other value; %[1]s is the value.
	Refusal string
}

// Resolve returns the format to write for -o flag.
func (d RecordFormats) Resolve(flag string, stdoutTTY bool) (Format, error) {
	if d.Writes == nil {
		return ParseFormat(flag, stdoutTTY)
	}
	if f, ok := d.TerminalWrites[flag]; ok && stdoutTTY {
		return f, nil
	}
	if f, ok := d.Writes[flag]; ok {
		return f, nil
	}
	if _, err := ParseFormat(flag, stdoutTTY); err != nil {
		return "", err // not a format at all: the general message
	}
	return "", exitcode.Usagef(d.Refusal, flag)
}
