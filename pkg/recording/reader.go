package recording

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"time"

	"github.com/klauspost/compress/zstd"
)

// Reader reads a recording. The bytes are untrusted: every length is
// bounded before anything is allocated, every block's checksum is checked
// before it is decompressed, and a frame that does not fit its block is
// damage, never a panic.
type Reader struct {
	r      io.Reader
	dec    *zstd.Decoder
	hdr    Header
	off    int64 // offset of the next block
	comp   []byte
	plain  []byte // the current block's frames
	pos    int    // the next frame in plain
	blocks int
	err    error // sticky
}

// NewReader reads the file header and the header block. A file that is
// not a recording returns ErrNotRecording; one cut inside its header, a
// *DamageError.
func NewReader(r io.Reader) (*Reader, error) {
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecodeAllCapLimit(true),
		zstd.WithDecoderMaxMemory(MaxBlock+1), zstd.WithDecoderLowmem(true))
	if err != nil {
		return nil, err
	}
	rr := &Reader{r: r, dec: dec}
	var fh [fileHeaderLen]byte
	n, err := io.ReadFull(r, fh[:])
	if !IsRecording(fh[:n]) {
		if n < len(Magic) && n > 0 && string(fh[:n]) == Magic[:n] && err != nil {
			return nil, &DamageError{Offset: 0, Detail: "cut inside the file header", Err: ErrTruncated}
		}
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, err
		}
		return nil, ErrNotRecording
	}
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, &DamageError{Offset: 0, Detail: "cut inside the file header", Err: ErrTruncated}
		}
		return nil, err
	}
	if v := binary.LittleEndian.Uint16(fh[len(Magic):]); v != Version {
		return nil, fmt.Errorf("recording format version %d: this kite reads version %d; upgrade kite", v, Version)
	}
	rr.off = fileHeaderLen
	typ, payload, err := rr.readBlock()
	switch {
	case err == io.EOF:
		return nil, &DamageError{Offset: rr.off, Detail: "no header block", Err: ErrTruncated}
	case err != nil:
		return nil, err
	case typ != blockHeader:
		return nil, &DamageError{Offset: fileHeaderLen, Detail: fmt.Sprintf("first block has type %q, want the header block", typ), Err: ErrCorrupt}
	}
	if err := parseHeader(payload, &rr.hdr); err != nil {
		return nil, &DamageError{Offset: fileHeaderLen, Detail: err.Error(), Err: ErrCorrupt}
	}
	rr.plain = rr.plain[:0]
	return rr, nil
}

// Header is the recording's header.
func (r *Reader) Header() *Header { return &r.hdr }

// Offset is the file offset just past the last block read.
func (r *Reader) Offset() int64 { return r.off }

// Blocks is how many frame blocks have been read.
func (r *Reader) Blocks() int { return r.blocks }

// Next returns the next frame. Its Data is valid until the next call. At
// the end of a complete recording it returns io.EOF; at a torn or damaged
// block, a *DamageError (errors.Is ErrTruncated or ErrCorrupt), after
// every frame of the blocks before it.
func (r *Reader) Next() (Frame, error) {
	for r.pos >= len(r.plain) {
		if r.err != nil {
			return Frame{}, r.err
		}
		block, err := r.NextBlock(r.plain[:0])
		r.plain, r.pos = block, 0
		if err != nil {
			r.err = err
			return Frame{}, err
		}
	}
	f, n := splitFrame(r.plain[r.pos:])
	r.pos += n
	return f, nil
}

// NextBlock appends the next block's frames, uncompressed and checked, to
// dst; Frames walks them. Blocks are independent, so a caller may read
// blocks in sequence and decode their frames in parallel. It returns
// io.EOF at the end, or a *DamageError.
func (r *Reader) NextBlock(dst []byte) ([]byte, error) {
	if r.err != nil {
		return dst, r.err
	}
	start := r.off
	typ, payload, err := r.readBlockInto(dst)
	if err != nil {
		r.err = err
		return dst, err
	}
	if typ != blockFrames {
		r.err = &DamageError{Offset: start, Detail: fmt.Sprintf("block type %q, want frames", typ), Err: ErrCorrupt}
		return dst, r.err
	}
	if err := checkFrames(payload[len(dst):]); err != nil {
		r.err = &DamageError{Offset: start, Detail: err.Error(), Err: ErrCorrupt}
		return dst, r.err
	}
	r.blocks++
	return payload, nil
}

func (r *Reader) readBlock() (byte, []byte, error) {
	return r.readBlockInto(r.plain[:0])
}

// readBlockInto reads one block and appends its uncompressed payload to
// dst. A clean end of input before the block is io.EOF.
func (r *Reader) readBlockInto(dst []byte) (byte, []byte, error) {
	var bh [blockHeaderLen]byte
	start := r.off
	n, err := io.ReadFull(r.r, bh[:])
	switch {
	case err == io.EOF:
		return 0, dst, io.EOF
	case errors.Is(err, io.ErrUnexpectedEOF):
		return 0, dst, &DamageError{Offset: start, Detail: fmt.Sprintf("cut after %d of a block header's %d bytes", n, blockHeaderLen), Err: ErrTruncated}
	case err != nil:
		return 0, dst, err
	}
	typ := bh[0]
	ulen := binary.LittleEndian.Uint32(bh[1:])
	clen := binary.LittleEndian.Uint32(bh[5:])
	sum := binary.LittleEndian.Uint32(bh[9:])
	if typ != blockHeader && typ != blockFrames {
		return 0, dst, &DamageError{Offset: start, Detail: fmt.Sprintf("unknown block type 0x%02x", typ), Err: ErrCorrupt}
	}
	if ulen == 0 || ulen > MaxBlock || clen > maxCompressed || clen == 0 {
		return 0, dst, &DamageError{Offset: start, Detail: fmt.Sprintf("block lengths %d/%d out of range", clen, ulen), Err: ErrCorrupt}
	}
	// Read in steps, so a hostile length costs memory only as the bytes
	// actually arrive.
	r.comp = r.comp[:0]
	for need := int(clen); need > 0; {
		step := min(need, 1<<20)
		l := len(r.comp)
		r.comp = append(r.comp, make([]byte, step)...)
		got, err := io.ReadFull(r.r, r.comp[l:])
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
				have := int(clen) - need + got
				return 0, dst, &DamageError{Offset: start, Detail: fmt.Sprintf("cut after %d of a block's %d bytes", blockHeaderLen+have, blockHeaderLen+int(clen)), Err: ErrTruncated}
			}
			return 0, dst, err
		}
		need -= step
	}
	if crc32.Checksum(r.comp, castagnoli) != sum {
		return 0, dst, &DamageError{Offset: start, Detail: "block checksum mismatch", Err: ErrCorrupt}
	}
	base := len(dst)
	if cap(dst)-base < int(ulen) {
		dst = append(dst[:cap(dst)], make([]byte, base+int(ulen)-cap(dst))...)[:base]
	}
	out, err := r.dec.DecodeAll(r.comp, dst[base:base:base+int(ulen)])
	if err != nil || len(out) != int(ulen) {
		detail := "block does not decompress to its stated length"
		if err != nil {
			detail = "block does not decompress: " + err.Error()
		}
		return 0, dst, &DamageError{Offset: start, Detail: detail, Err: ErrCorrupt}
	}
	r.off += int64(blockHeaderLen) + int64(clen)
	return typ, dst[:base+int(ulen)], nil
}

// checkFrames verifies that b is whole frames.
func checkFrames(b []byte) error {
	for off := 0; off < len(b); {
		if len(b)-off < frameHeaderLen {
			return fmt.Errorf("frame at block offset %d: header cut", off)
		}
		n := binary.LittleEndian.Uint32(b[off+10:])
		if n > MaxFrame || int(n) > len(b)-off-frameHeaderLen {
			return fmt.Errorf("frame at block offset %d: length %d overruns the block", off, n)
		}
		off += frameHeaderLen + int(n)
	}
	return nil
}

// Frames calls fn for each frame of a block NextBlock returned, in order,
// until fn returns false. Each Frame's Data aliases block.
func Frames(block []byte, fn func(Frame) bool) {
	for len(block) >= frameHeaderLen {
		f, n := splitFrame(block)
		if !fn(f) {
			return
		}
		block = block[n:]
	}
}

// splitFrame returns the frame at the start of b (checked by checkFrames)
// and its size.
func splitFrame(b []byte) (Frame, int) {
	n := int(binary.LittleEndian.Uint32(b[10:]))
	return Frame{
		Recv: int64(binary.LittleEndian.Uint64(b)),
		Conn: b[8],
		Kind: Kind(b[9]),
		Data: b[frameHeaderLen : frameHeaderLen+n : frameHeaderLen+n],
	}, frameHeaderLen + n
}

// headerParser reads the header block's fields, failing once.
type headerParser struct {
	b   []byte
	err error
}

func (p *headerParser) take(n int) []byte {
	if p.err != nil {
		return nil
	}
	if len(p.b) < n {
		p.err = errors.New("header block cut short")
		return nil
	}
	v := p.b[:n]
	p.b = p.b[n:]
	return v
}

func (p *headerParser) u16() uint16 {
	if v := p.take(2); v != nil {
		return binary.LittleEndian.Uint16(v)
	}
	return 0
}

func (p *headerParser) u32() uint32 {
	if v := p.take(4); v != nil {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}

func (p *headerParser) u64() uint64 {
	if v := p.take(8); v != nil {
		return binary.LittleEndian.Uint64(v)
	}
	return 0
}

func (p *headerParser) str() string { return string(p.take(int(p.u16()))) }

// minInstrumentLen is the smallest encoded instrument (all strings empty),
// which bounds how many a header of a given size can claim.
const minInstrumentLen = 4 + 4*2 + 8 + 2*2 + 4 + 8

func parseHeader(b []byte, h *Header) error {
	p := &headerParser{b: b}
	h.Created = time.Unix(0, int64(p.u64())).UTC()
	nm := int(p.u16())
	if p.err == nil && nm*4 > len(p.b) {
		return errors.New("header claims more entries than it holds")
	}
	h.Meta = make([]KV, 0, nm)
	for range nm {
		h.Meta = append(h.Meta, KV{p.str(), p.str()})
	}
	ni := p.u32()
	if p.err == nil && uint64(ni)*minInstrumentLen > uint64(len(p.b)) {
		return errors.New("header claims more instruments than it holds")
	}
	h.Instruments = make([]Instrument, 0, ni)
	for i := uint32(0); i < ni && p.err == nil; i++ {
		var in Instrument
		in.Token = p.u32()
		in.Exchange, in.Tradingsymbol, in.Name, in.Expiry = p.str(), p.str(), p.str(), p.str()
		in.Strike = math.Float64frombits(p.u64())
		in.InstrumentType, in.Segment = p.str(), p.str()
		in.LotSize = p.u32()
		in.TickSize = math.Float64frombits(p.u64())
		h.Instruments = append(h.Instruments, in)
	}
	// Bytes after the instrument table are for later versions' fields:
	// a version 1 reader ignores them.
	return p.err
}
