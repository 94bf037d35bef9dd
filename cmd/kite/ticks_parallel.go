package main

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/recording"
	"github.com/kitecli/kite/pkg/ticks"
)

// Decoding uses every core and keeps the output in order: the reading
// goroutine splits the input on message (or frame) boundaries into chunks
// of about chunkSize, workers format chunks into their own buffers, and
// the writer writes them in sequence. Formatting is ~95% of the work, so
// reading and writing stay on one goroutine each. --jq runs sequentially
// (the decodeCapture / decodeRecording loops), as does GOMAXPROCS=1.

// chunkSize is the input a worker formats at a time: big enough that the
// hand-offs cost nothing, small enough that memory stays a few MB.
const chunkSize = 1 << 20

// decodeWorkers is how many chunks are formatted at once.
func decodeWorkers() int { return runtime.GOMAXPROCS(0) }

// decodeChunk is one unit of work, and its result.
type decodeChunk struct {
	data []byte
	msgs []chunkMsg // raw captures: the messages in data
	rec  bool       // data is recording frames (recording.Frames)

	out     []byte
	skipped int
	skips   []skipReport // the first few, for stderr
	done    chan struct{}
}

type chunkMsg struct{ start, end, off int }

type skipReport struct {
	err    error
	off, n int
}

// parallelDecoder runs the pipeline for one input.
type parallelDecoder struct {
	symbols map[uint32]string // recordings' mapping; nil for raw captures
	jobs    chan *decodeChunk // to the workers
	order   chan *decodeChunk // to the writer, in input order
	free    chan *decodeChunk // recycled chunks: memory stays bounded
}

func newParallelDecoder(symbols map[uint32]string) *parallelDecoder {
	n := decodeWorkers()
	p := &parallelDecoder{
		symbols: symbols,
		jobs:    make(chan *decodeChunk, n),
		order:   make(chan *decodeChunk, 2*n),
		free:    make(chan *decodeChunk, 3*n+1),
	}
	for range 3*n + 1 {
		p.free <- &decodeChunk{}
	}
	return p
}

func (p *parallelDecoder) chunk() *decodeChunk {
	c := <-p.free
	c.data, c.msgs, c.out, c.skips, c.skipped = c.data[:0], c.msgs[:0], c.out[:0], c.skips[:0], 0
	c.done = make(chan struct{})
	return c
}

// run starts the workers and the writer, calls read to feed chunks with
// send, and returns read's error after everything sent was written, or
// the write error.
func (p *parallelDecoder) run(ctx context.Context, out *output.RecordWriter, errOut io.Writer, read func(send func(*decodeChunk) bool) error) error {
	n := decodeWorkers()
	for range n {
		go p.work()
	}
	werr := make(chan error, 1)
	stop := make(chan struct{})
	go func() { werr <- p.write(out, errOut, stop) }()
	send := func(c *decodeChunk) bool {
		if ctx.Err() != nil {
			return false
		}
		select {
		case p.order <- c:
		case <-stop:
			return false
		}
		p.jobs <- c
		return true
	}
	rerr := read(send)
	close(p.order)
	close(p.jobs)
	err := <-werr
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return rerr
}

func (p *parallelDecoder) work() {
	var (
		enc ticks.JSONEncoder
		t   ticks.Tick
	)
	for c := range p.jobs {
		if c.rec {
			recording.Frames(c.data, func(f recording.Frame) bool {
				if f.Kind != recording.KindBinary {
					return true
				}
				it := ticks.NewIter(f.Data)
				for it.Next(&t) {
					c.out = enc.Append(c.out, &t, p.symbols[t.InstrumentToken])
					c.out = appendField(c.out, `,"recv_time":`, f.Recv)
				}
				c.skipped += it.Skipped()
				return true
			})
		} else {
			for _, m := range c.msgs {
				it := ticks.NewIter(c.data[m.start:m.end])
				for it.Next(&t) {
					c.out = enc.Append(c.out, &t, "")
				}
				if k := it.Skipped(); k > 0 {
					if len(c.skips) < maxSkipReports {
						c.skips = append(c.skips, skipReport{it.SkipErr(), m.off, k})
					}
					c.skipped += k
				}
			}
		}
		close(c.done)
	}
}

// write writes the chunks in order; after a write error it drains the
// rest without writing, so the workers and the reader finish.
func (p *parallelDecoder) write(out *output.RecordWriter, errOut io.Writer, stop chan struct{}) error {
	var err error
	skipped, reported := 0, 0
	for c := range p.order {
		<-c.done
		if err == nil {
			for _, s := range c.skips {
				if reported < maxSkipReports {
					reportSkip(errOut, s.err, s.off, s.n)
					reported++
				}
			}
			skipped += c.skipped
			if err = out.WriteRaw(c.out); err != nil {
				close(stop)
			}
		}
		p.free <- c
	}
	reportSkipped(errOut, &skipped)
	return err
}

// decodeCaptureParallel is decodeCapture on every core.
func decodeCaptureParallel(ctx context.Context, r *ticks.Reader, out *output.RecordWriter, errOut io.Writer) error {
	p := newParallelDecoder(nil)
	return p.run(ctx, out, errOut, func(send func(*decodeChunk) bool) error {
		c := p.chunk()
		for {
			msg, off, rerr := r.Next()
			if len(msg) > 0 {
				start := len(c.data)
				c.data = append(c.data, msg...)
				c.msgs = append(c.msgs, chunkMsg{start, len(c.data), off})
			}
			if rerr != nil || len(c.data) >= chunkSize {
				if !send(c) {
					return nil
				}
				if rerr == io.EOF {
					return nil
				}
				if rerr != nil {
					return fmt.Errorf("%w (every tick before it was printed)", rerr)
				}
				c = p.chunk()
			}
		}
	})
}

// decodeRecordingParallel is decodeRecording on every core: whole blocks
// go to the workers.
func decodeRecordingParallel(ctx context.Context, rr *recording.Reader, out *output.RecordWriter, errOut io.Writer) error {
	p := newParallelDecoder(tickSymbols(rr.Header()))
	return p.run(ctx, out, errOut, func(send func(*decodeChunk) bool) error {
		c := p.chunk()
		c.rec = true
		for {
			var err error
			c.data, err = rr.NextBlock(c.data)
			if err != nil || len(c.data) >= chunkSize {
				if len(c.data) > 0 && !send(c) {
					return nil
				}
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return recordingError(err)
				}
				c = p.chunk()
				c.rec = true
			}
		}
	})
}
