package main

import "github.com/kitecli/kite/internal/output"

// recordFormat resolves -o through a record command's declaration: the
// one place such a command's flag is read.
func (f *Factory) recordFormat(d output.RecordFormats) (output.Format, error) {
	return d.Resolve(f.Global.Output, f.IO.StdoutTTY)
}

// newRecordWriter writes records to stdout with --jq; line by line when
// stdout is a terminal, where a person waits for each record.
func (f *Factory) newRecordWriter(format output.Format, opts output.RecordOptions) *output.RecordWriter {
	opts.LineBuffered = opts.LineBuffered || f.IO.StdoutTTY
	return output.NewRecordWriter(f.IO.Out, format, f.JQ(), opts)
}

// newStreamRecordWriter writes records to stdout with --jq for commands
// fed by the ticker (stream, replay, chain --live), flushed where they
// flush: after each message from Kite, on a terminal too (kite stream
// --help promises never per tick).
func (f *Factory) newStreamRecordWriter(format output.Format) *output.RecordWriter {
	return output.NewRecordWriter(f.IO.Out, format, f.JQ(), output.RecordOptions{})
}
