package ticks

import (
	"encoding/binary"
	"errors"
	"io"
)

// MaxMessageLen is the longest message a Reader accepts: 65535 full
// packets. Its buffer never grows past it, so its memory is bounded
// whatever the input (packets of unknown lengths, which it passes through
// for the Iter to skip, could otherwise make a message of 4 GB).
const MaxMessageLen = 2 + MaxPackets*(2+LenFull)

// Reader splits a raw capture — Kite binary messages back to back, as
// `kite stream --raw` writes them — into messages. Each message delimits
// itself by its packet count and packet lengths, so the format needs no
// framing of its own. It cannot hold heartbeats (a lone byte would be
// indistinguishable from the start of a header), so writers drop them.
//
// The Reader reads through one reused buffer (64 KiB, growing only for a
// message larger than that, up to MaxMessageLen), so memory stays constant
// for inputs of any size. It does no I/O of its own beyond calling the
// io.Reader it is given.
type Reader struct {
	r        io.Reader
	buf      []byte
	start    int   // first unconsumed byte in buf
	end      int   // end of the buffered bytes
	off      int   // stream offset of buf[start]
	err      error // sticky error from r
	finished bool  // a malformed message was met; the stream cannot be resynchronised
}

// NewReader returns a Reader reading messages from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: r, buf: make([]byte, 64<<10)}
}

// Next returns the next message and its byte offset in the stream. The
// message aliases the Reader's buffer and is valid until the next call.
//
// A message is returned whole as long as its framing holds, even if some
// of its packets have lengths Kite does not send: an Iter skips and
// reports those. At the end of the stream it returns io.EOF. On a
// truncated message (or one longer than MaxMessageLen) it returns a
// *DecodeError whose Offset counts from the start of the stream, together
// with the message's bytes up to the fault — a prefix whose complete
// packets can still be decoded with an Iter (which will then report the cut
// itself; prefer the Reader's error, it has the stream offset). After a malformed message every call returns the same error,
// since nothing after it can be trusted to be a message boundary. Errors
// from the underlying reader are returned as they are.
func (r *Reader) Next() (msg []byte, offset int, err error) {
	if r.finished {
		return nil, r.off, r.err
	}
	r.fill(2)
	avail := r.end - r.start
	if avail < 2 {
		if avail == 0 && r.err == io.EOF {
			return nil, r.off, io.EOF
		}
		return r.fail(avail, &DecodeError{Offset: r.off, Reason: ErrTruncatedHeader, Packet: -1})
	}
	count := int(binary.BigEndian.Uint16(r.buf[r.start:]))
	pos := 2
	for i := range count {
		r.fill(pos + 2)
		if r.end-r.start < pos+2 {
			return r.fail(pos, &DecodeError{Offset: r.off + pos, Reason: ErrTruncatedHeader, Packet: i})
		}
		// Any length is framing the Reader can follow: a packet Kite does
		// not send is the Iter's to skip and report.
		n := int(binary.BigEndian.Uint16(r.buf[r.start+pos:]))
		if pos+2+n > MaxMessageLen {
			return r.fail(pos, &DecodeError{Offset: r.off + pos, Reason: ErrMessageTooLong, Packet: i, Length: n})
		}
		r.fill(pos + 2 + n)
		if r.end-r.start < pos+2+n {
			return r.fail(pos, &DecodeError{Offset: r.off + pos, Reason: ErrPacketOverrun, Packet: i, Length: n})
		}
		pos += 2 + n
	}
	msg, offset = r.buf[r.start:r.start+pos], r.off
	r.start += pos
	r.off += pos
	return msg, offset, nil
}

// fail ends the stream at a malformed message whose first n bytes are good.
// A read error other than EOF is what stopped the message, so it wins.
func (r *Reader) fail(n int, derr *DecodeError) ([]byte, int, error) {
	msg, offset := r.buf[r.start:r.start+n], r.off
	r.finished = true
	if r.err == nil || errors.Is(r.err, io.EOF) {
		r.err = derr
	}
	return msg, offset, r.err
}

// fill tries to have n bytes buffered from r.start, compacting or growing
// the buffer as needed; it stops early at a read error (kept in r.err).
func (r *Reader) fill(n int) {
	empty := 0
	for r.end-r.start < n && r.err == nil {
		if r.start+n > len(r.buf) {
			if n > len(r.buf) {
				nb := make([]byte, min(max(2*len(r.buf), n), MaxMessageLen))
				r.end = copy(nb, r.buf[r.start:r.end])
				r.buf = nb
			} else {
				r.end = copy(r.buf, r.buf[r.start:r.end])
			}
			r.start = 0
		}
		m, err := r.r.Read(r.buf[r.end:])
		r.end += m
		if err != nil {
			r.err = err
		} else if m > 0 {
			empty = 0
		} else if empty++; empty == 100 {
			// io.Reader allows (0, nil) but discourages it; give up, as
			// bufio does, rather than spin forever.
			r.err = io.ErrNoProgress
		}
	}
}
