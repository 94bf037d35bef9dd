package recording

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math"

	"github.com/klauspost/compress/zstd"
)

// DefaultBlockSize is how much frame data a Writer gathers before it
// compresses a block on its own. Callers flush on time as well (a
// recorder every second), so at ticker rates blocks are usually smaller.
const DefaultBlockSize = 4 << 20

// Writer writes a recording. It is not safe for concurrent use: a
// recorder has one goroutine that writes frames and flushes on a timer.
type Writer struct {
	w         io.Writer
	enc       *zstd.Encoder
	pending   []byte // the frames of the next block, uncompressed
	block     []byte // block header + compressed bytes
	blockSize int
	n         int64 // bytes written to w
	err       error // sticky: a writer that failed once writes nothing more
}

// NewWriter writes the file header and h to w and returns a Writer for the
// frames. Nothing is buffered between blocks, so after each Flush the file
// on disk is a complete recording.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		return nil, err
	}
	rw := &Writer{w: w, enc: enc, blockSize: DefaultBlockSize}
	var fh [fileHeaderLen]byte
	copy(fh[:], Magic)
	binary.LittleEndian.PutUint16(fh[len(Magic):], Version)
	if err := rw.write(fh[:]); err != nil {
		return nil, err
	}
	payload, err := appendHeader(nil, &h)
	if err != nil {
		return nil, err
	}
	if err := rw.writeBlock(blockHeader, payload); err != nil {
		return nil, err
	}
	return rw, nil
}

// SetBlockSize changes when a block is written without a Flush.
func (w *Writer) SetBlockSize(n int) {
	w.blockSize = min(max(n, 1), MaxBlock)
}

// Write adds f to the current block, writing the block first if f would
// take it past the block size. f.Data is copied.
func (w *Writer) Write(f Frame) error {
	if w.err != nil {
		return w.err
	}
	if len(f.Data) > MaxFrame {
		return errors.New("recording: frame larger than MaxFrame")
	}
	if len(w.pending) > 0 && len(w.pending)+frameHeaderLen+len(f.Data) > w.blockSize {
		if err := w.Flush(); err != nil {
			return err
		}
	}
	var fh [frameHeaderLen]byte
	binary.LittleEndian.PutUint64(fh[0:], uint64(f.Recv))
	fh[8] = f.Conn
	fh[9] = byte(f.Kind)
	binary.LittleEndian.PutUint32(fh[10:], uint32(len(f.Data)))
	w.pending = append(w.pending, fh[:]...)
	w.pending = append(w.pending, f.Data...)
	return nil
}

// Pending is how many uncompressed bytes wait for the next Flush.
func (w *Writer) Pending() int { return len(w.pending) }

// Written is how many bytes have been written to the underlying writer.
func (w *Writer) Written() int64 { return w.n }

// Flush compresses the frames written since the last Flush into one block
// and writes it. With no frames pending it writes nothing.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.pending) == 0 {
		return nil
	}
	err := w.writeBlock(blockFrames, w.pending)
	w.pending = w.pending[:0]
	return err
}

// Close flushes. It does not close the underlying writer.
func (w *Writer) Close() error {
	err := w.Flush()
	w.enc.Close()
	return err
}

func (w *Writer) writeBlock(typ byte, payload []byte) error {
	b := append(w.block[:0], make([]byte, blockHeaderLen)...)
	b = w.enc.EncodeAll(payload, b)
	comp := b[blockHeaderLen:]
	b[0] = typ
	binary.LittleEndian.PutUint32(b[1:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(b[5:], uint32(len(comp)))
	binary.LittleEndian.PutUint32(b[9:], crc32.Checksum(comp, castagnoli))
	w.block = b
	// One Write per block: on a file, the block reaches the kernel whole
	// or (disk full, killed) as a prefix the Reader reports as torn.
	return w.write(b)
}

func (w *Writer) write(b []byte) error {
	n, err := w.w.Write(b)
	w.n += int64(n)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	if err != nil {
		w.err = err
	}
	return err
}

func appendHeader(b []byte, h *Header) ([]byte, error) {
	b = binary.LittleEndian.AppendUint64(b, uint64(h.Created.UnixNano()))
	if len(h.Meta) > math.MaxUint16 {
		return nil, errors.New("recording: too many header entries")
	}
	b = binary.LittleEndian.AppendUint16(b, uint16(len(h.Meta)))
	var err error
	for _, kv := range h.Meta {
		if b, err = appendString(b, kv.Key); err != nil {
			return nil, err
		}
		if b, err = appendString(b, kv.Value); err != nil {
			return nil, err
		}
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(h.Instruments)))
	for i := range h.Instruments {
		in := &h.Instruments[i]
		b = binary.LittleEndian.AppendUint32(b, in.Token)
		for _, s := range []string{in.Exchange, in.Tradingsymbol, in.Name, in.Expiry} {
			if b, err = appendString(b, s); err != nil {
				return nil, err
			}
		}
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(in.Strike))
		for _, s := range []string{in.InstrumentType, in.Segment} {
			if b, err = appendString(b, s); err != nil {
				return nil, err
			}
		}
		b = binary.LittleEndian.AppendUint32(b, in.LotSize)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(in.TickSize))
	}
	if len(b) > MaxBlock {
		return nil, errors.New("recording: header larger than MaxBlock")
	}
	return b, nil
}

func appendString(b []byte, s string) ([]byte, error) {
	if len(s) > math.MaxUint16 {
		return nil, errors.New("recording: header string longer than 65535 bytes")
	}
	b = binary.LittleEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...), nil
}
