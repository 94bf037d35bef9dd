package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/recording"
	"github.com/kitecli/kite/pkg/ticks"
)

// decodeInput decodes one input, a recording or a raw capture: a
// recording starts with recording.Magic, which no raw capture a person
// would make does (it would be a message of 35,147 packets).
func decodeInput(ctx context.Context, in io.Reader, w *output.RecordWriter, errOut io.Writer) error {
	br := bufio.NewReaderSize(in, 64<<10)
	head, _ := br.Peek(len(recording.Magic))
	// The workers format NDJSON lines themselves, which is what the
	// writer would write only when there is nothing to apply to them.
	parallel := w.Verbatim() && decodeWorkers() > 1
	if !recording.IsRecording(head) {
		if parallel {
			return decodeCaptureParallel(ctx, ticks.NewReader(br), w, errOut)
		}
		return decodeCapture(ctx, ticks.NewReader(br), w, errOut)
	}
	rr, err := recording.NewReader(br)
	if err != nil {
		return recordingError(err)
	}
	if parallel {
		return decodeRecordingParallel(ctx, rr, w, errOut)
	}
	return decodeRecording(ctx, rr, w, errOut)
}

// recordingError words a Reader's error for the user. A torn tail is
// what a killed recorder leaves, so it is reported and is not a failure.
func recordingError(err error) error {
	if errors.Is(err, recording.ErrTruncated) {
		return err
	}
	var de *recording.DamageError
	if errors.As(err, &de) {
		return fmt.Errorf("%w (every tick before it was printed)", err)
	}
	return err
}

// tickSymbols maps the header's tokens to EXCHANGE:TRADINGSYMBOL.
func tickSymbols(h *recording.Header) map[uint32]string {
	m := make(map[uint32]string, len(h.Instruments))
	for _, in := range h.Instruments {
		m[in.Token] = in.Exchange + ":" + in.Tradingsymbol
	}
	return m
}

// decodeRecording prints the ticks of a recording's binary frames, each
// with "symbol" from the header and "recv_time" from its frame.
func decodeRecording(ctx context.Context, rr *recording.Reader, w *output.RecordWriter, errOut io.Writer) error {
	symbols := tickSymbols(rr.Header())
	var (
		line    []byte
		t       ticks.Tick
		enc     ticks.JSONEncoder
		skipped int
	)
	defer reportSkipped(errOut, &skipped)
	for n := 0; ; n++ {
		if n&255 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		f, err := rr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return recordingError(err)
		}
		if f.Kind != recording.KindBinary {
			continue
		}
		it := ticks.NewIter(f.Data)
		for it.Next(&t) {
			line = enc.Append(line[:0], &t, symbols[t.InstrumentToken])
			line = appendField(line, `,"recv_time":`, f.Recv)
			if err := w.WriteJSON(line); err != nil {
				return err
			}
		}
		skipped += it.Skipped()
	}
}

func reportSkipped(errOut io.Writer, n *int) {
	switch {
	case *n == 1:
		fmt.Fprintf(errOut, "kite: skipped 1 packet Kite does not send; every other tick was decoded\n")
	case *n > 1:
		fmt.Fprintf(errOut, "kite: skipped %d packets Kite does not send; every other tick was decoded\n", *n)
	}
}
