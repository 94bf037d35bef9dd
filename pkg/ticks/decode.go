package ticks

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Sentinel causes of a DecodeError, for errors.Is. The first three (and
// ErrMessageTooLong) are framing faults: nothing after them in the message
// (or, from a Reader, in the stream) can be trusted. The last two are
// packets that were skipped by their length prefix, so the rest of the
// message still decodes, as it does in Kite's official clients.
var (
	// ErrTruncatedHeader: the message is empty, or a packet's 2-byte length
	// field is cut off (the count promised more packets than there are).
	ErrTruncatedHeader = errors.New("truncated header")
	// ErrPacketOverrun: a packet's length runs past the end of the message.
	ErrPacketOverrun = errors.New("packet overruns the message")
	// ErrTrailingBytes: bytes left over after the packets the count promised.
	ErrTrailingBytes = errors.New("trailing bytes after the last packet")
	// ErrMessageTooLong: a Reader met a message longer than MaxMessageLen.
	ErrMessageTooLong = errors.New("message too long")

	// ErrUnknownLength: a packet length other than 8, 28, 32, 44 or 184.
	// The packet is skipped.
	ErrUnknownLength = errors.New("unknown packet length")
	// ErrSegmentMismatch: a packet length Kite never sends for the token's
	// segment (an index sends 8, 28 or 32 bytes; a tradable instrument 8, 44
	// or 184). Decoding it would print fields the packet does not hold, so
	// it is skipped.
	ErrSegmentMismatch = errors.New("packet length does not suit the instrument's segment")
)

// DecodeError says what is wrong with a message and where. Offset is the
// byte offset of the fault from the start of the message, or, for errors
// from a Reader, from the start of the stream.
type DecodeError struct {
	Offset int
	Reason error  // one of the Err* sentinels above
	Packet int    // 0-based index of the packet at fault; -1 for the message's own header
	Length int    // the offending packet length (or leftover byte count), when relevant
	Token  uint32 // ErrSegmentMismatch: the packet's instrument token
}

func (e *DecodeError) Error() string {
	switch e.Reason {
	case ErrTruncatedHeader:
		if e.Packet < 0 {
			return fmt.Sprintf("malformed tick message at byte %d: truncated header: a message needs at least its 2-byte packet count", e.Offset)
		}
		return fmt.Sprintf("malformed tick message at byte %d: truncated header: the length of packet %d is cut off", e.Offset, e.Packet+1)
	case ErrPacketOverrun:
		return fmt.Sprintf("malformed tick message at byte %d: packet %d of %d bytes overruns the message", e.Offset, e.Packet+1, e.Length)
	case ErrTrailingBytes:
		return fmt.Sprintf("malformed tick message at byte %d: %d trailing bytes after the last packet", e.Offset, e.Length)
	case ErrMessageTooLong:
		return fmt.Sprintf("malformed tick message at byte %d: longer than %d bytes (packet %d has length %d)", e.Offset, MaxMessageLen, e.Packet+1, e.Length)
	case ErrUnknownLength:
		return fmt.Sprintf("skipped packet %d at byte %d: unknown length %d (Kite sends 8, 28, 32, 44 or 184)", e.Packet+1, e.Offset, e.Length)
	case ErrSegmentMismatch:
		seg := uint8(e.Token)
		if seg == SegmentIndices {
			return fmt.Sprintf("skipped packet %d at byte %d: %d bytes for instrument %d, an index (segment 9 sends 8, 28 or 32)", e.Packet+1, e.Offset, e.Length, e.Token)
		}
		return fmt.Sprintf("skipped packet %d at byte %d: %d bytes for instrument %d, tradable (segment %d sends 8, 44 or 184)", e.Packet+1, e.Offset, e.Length, e.Token, seg)
	}
	return fmt.Sprintf("malformed tick message at byte %d: %v", e.Offset, e.Reason)
}

// Unwrap lets errors.Is(err, ticks.ErrUnknownLength) and friends work.
func (e *DecodeError) Unwrap() error { return e.Reason }

// Skipped reports whether err is a packet that was skipped (the rest of
// its message was decoded) rather than a framing fault.
func Skipped(err error) bool {
	return errors.Is(err, ErrUnknownLength) || errors.Is(err, ErrSegmentMismatch)
}

// ValidLength reports whether n is a packet length Kite sends.
func ValidLength(n int) bool {
	switch n {
	case LenLTP, LenIndexQuote, LenIndexFull, LenQuote, LenFull:
		return true
	}
	return false
}

// SuitsSegment reports whether Kite sends packets of length n for an
// instrument of segment seg: 8, 28 or 32 bytes for an index (segment 9),
// 8, 44 or 184 for anything else.
func SuitsSegment(n int, seg uint8) bool {
	switch n {
	case LenLTP:
		return true
	case LenIndexQuote, LenIndexFull:
		return seg == SegmentIndices
	case LenQuote, LenFull:
		return seg != SegmentIndices
	}
	return false
}

// IsHeartbeat reports whether msg is the 1-byte message the ticker sends to
// keep an idle connection alive.
func IsHeartbeat(msg []byte) bool { return len(msg) == 1 }

// Iter walks the packets of one message, decoding each into a Tick the
// caller owns, so that decoding allocates nothing. Use it like
// bufio.Scanner:
//
//	it := ticks.NewIter(msg)
//	var t ticks.Tick
//	for it.Next(&t) {
//		...
//	}
//	if err := it.Err(); err != nil { ... }
//	if it.Skipped() > 0 { ... it.SkipErr() ... }
//
// A packet of a length Kite does not send, or one that does not suit its
// token's segment, is passed over by its length prefix and counted
// (Skipped, SkipErr); the packets after it are still decoded. A framing
// fault (a cut-off length or packet, trailing bytes) ends the walk: the
// packets before it are yielded and Err returns a *DecodeError.
type Iter struct {
	msg     []byte
	off     int // offset of the next packet's length field
	left    int // packets still to read; -1 once the end has been reported
	index   int // index of the next packet
	err     error
	started bool // the header has been read
	skipped int
	skip    DecodeError // the first skipped packet, valid while skipped > 0
}

// NewIter returns an iterator over the packets of msg. A heartbeat (a
// 1-byte message) has no packets and no error.
func NewIter(msg []byte) Iter { return Iter{msg: msg} }

// Next decodes the next packet into t and reports whether there was one.
// t is overwritten entirely (fields the packet does not carry are zeroed).
func (it *Iter) Next(t *Tick) bool {
	if !it.started {
		it.started = true
		switch {
		case len(it.msg) == 1: // heartbeat
			return false
		case len(it.msg) < 2:
			it.err = &DecodeError{Offset: 0, Reason: ErrTruncatedHeader, Packet: -1}
			return false
		}
		it.left = int(binary.BigEndian.Uint16(it.msg))
		it.off = 2
	}
	for it.err == nil && it.left > 0 {
		rest := it.msg[it.off:]
		if len(rest) < 2 {
			it.err = &DecodeError{Offset: it.off, Reason: ErrTruncatedHeader, Packet: it.index}
			return false
		}
		n := int(binary.BigEndian.Uint16(rest))
		if len(rest)-2 < n {
			it.err = &DecodeError{Offset: it.off, Reason: ErrPacketOverrun, Packet: it.index, Length: n}
			return false
		}
		pkt := rest[2 : 2+n]
		// pkt[3] is the low byte of the big-endian token: the segment.
		if n < 4 || !SuitsSegment(n, pkt[3]) {
			it.skipPacket(pkt)
			continue
		}
		decodePacket(pkt, t)
		it.off += 2 + n
		it.left--
		it.index++
		return true
	}
	if it.err == nil && it.left == 0 {
		if it.off != len(it.msg) && len(it.msg) > 1 {
			it.err = &DecodeError{Offset: it.off, Reason: ErrTrailingBytes, Packet: it.index, Length: len(it.msg) - it.off}
		}
		it.left = -1 // report once; later calls just return false
	}
	return false
}

// skipPacket passes over the packet at it.off, remembering the first.
func (it *Iter) skipPacket(pkt []byte) {
	if it.skipped == 0 {
		it.skip = DecodeError{Offset: it.off, Reason: ErrUnknownLength, Packet: it.index, Length: len(pkt)}
		if ValidLength(len(pkt)) {
			it.skip.Reason = ErrSegmentMismatch
			it.skip.Token = binary.BigEndian.Uint32(pkt)
		}
	}
	it.skipped++
	it.off += 2 + len(pkt)
	it.left--
	it.index++
}

// Err returns the framing fault that ended the walk, or nil.
func (it *Iter) Err() error { return it.err }

// Skipped is how many packets have been passed over so far.
func (it *Iter) Skipped() int { return it.skipped }

// SkipErr describes the first skipped packet (a *DecodeError whose Reason
// is ErrUnknownLength or ErrSegmentMismatch), or is nil when none was.
func (it *Iter) SkipErr() error {
	if it.skipped == 0 {
		return nil
	}
	e := it.skip
	return &e
}

// Offset is the offset in the message of the next packet's length field
// (after a fault: of the faulty packet).
func (it *Iter) Offset() int { return it.off }

// Packets is how many packets (decoded or skipped) have been read.
func (it *Iter) Packets() int { return it.index }

// Decode returns the ticks in one message. On a framing fault it returns
// the ticks before it together with a *DecodeError; when packets were only
// skipped it returns every other tick together with the first skip's
// *DecodeError (see Skipped). A heartbeat decodes to no ticks. For a hot
// loop, use AppendDecode with a reused slice or an Iter.
func Decode(msg []byte) ([]Tick, error) { return AppendDecode(nil, msg) }

// AppendDecode appends the ticks in msg to dst; with a reused dst it does not
// allocate. Its error is Decode's.
func AppendDecode(dst []Tick, msg []byte) ([]Tick, error) {
	it := NewIter(msg)
	var t Tick
	for it.Next(&t) {
		dst = append(dst, t)
	}
	if err := it.Err(); err != nil {
		return dst, err
	}
	return dst, it.SkipErr()
}

// DecodePacket decodes one packet (without its length prefix) into t. A
// length Kite does not send, or one that does not suit the token's
// segment, is an error and leaves t alone.
func DecodePacket(pkt []byte, t *Tick) error {
	if !ValidLength(len(pkt)) {
		return &DecodeError{Offset: 0, Reason: ErrUnknownLength, Length: len(pkt)}
	}
	if !SuitsSegment(len(pkt), pkt[3]) {
		return &DecodeError{Offset: 0, Reason: ErrSegmentMismatch, Length: len(pkt), Token: binary.BigEndian.Uint32(pkt)}
	}
	decodePacket(pkt, t)
	return nil
}

func u32(b []byte, i int) uint32 { return binary.BigEndian.Uint32(b[i:]) }
func i32(b []byte, i int) int32  { return int32(binary.BigEndian.Uint32(b[i:])) }

// decodePacket trusts that len(b) is a valid packet length that suits the
// token's segment (Next and DecodePacket check both).
func decodePacket(b []byte, t *Tick) {
	switch len(b) {
	case LenLTP:
		*t = Tick{Mode: ModeLTP, InstrumentToken: u32(b, 0), LastPrice: i32(b, 4)}
	case LenIndexQuote, LenIndexFull:
		*t = Tick{
			Mode:            ModeQuote,
			InstrumentToken: u32(b, 0),
			LastPrice:       i32(b, 4),
			High:            i32(b, 8),
			Low:             i32(b, 12),
			Open:            i32(b, 16),
			Close:           i32(b, 20),
			NetChange:       i32(b, 24),
		}
		if len(b) == LenIndexFull {
			t.Mode = ModeFull
			t.ExchangeTimestamp = u32(b, 28)
		}
	case LenQuote:
		*t = Tick{}
		decodeQuote(b, t)
		t.Mode = ModeQuote
	case LenFull:
		_ = b[LenFull-1]
		decodeQuote(b, t)
		t.Mode = ModeFull
		t.NetChange = 0
		t.LastTradeTime = u32(b, 44)
		t.OI = u32(b, 48)
		t.OIDayHigh = u32(b, 52)
		t.OIDayLow = u32(b, 56)
		t.ExchangeTimestamp = u32(b, 60)
		for i := range 5 {
			decodeDepth(b[64+12*i:], &t.Depth.Buy[i])
			decodeDepth(b[124+12*i:], &t.Depth.Sell[i])
		}
	}
}

func decodeQuote(b []byte, t *Tick) {
	_ = b[LenQuote-1]
	t.InstrumentToken = u32(b, 0)
	t.LastPrice = i32(b, 4)
	t.LastTradedQuantity = u32(b, 8)
	t.AverageTradedPrice = i32(b, 12)
	t.VolumeTraded = u32(b, 16)
	t.TotalBuyQuantity = u32(b, 20)
	t.TotalSellQuantity = u32(b, 24)
	t.Open = i32(b, 28)
	t.High = i32(b, 32)
	t.Low = i32(b, 36)
	t.Close = i32(b, 40)
}

func decodeDepth(b []byte, d *DepthItem) {
	_ = b[9]
	d.Quantity = u32(b, 0)
	d.Price = i32(b, 4)
	d.Orders = binary.BigEndian.Uint16(b[8:])
}
