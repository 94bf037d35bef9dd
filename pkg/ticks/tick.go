// Package ticks is the codec for Kite's binary market-data messages.
//
// A Kite ticker message is a uint16 packet count followed by that many
// (uint16 length, packet) pairs, big-endian. The packet length says what the
// packet is: 8 bytes LTP, 28 index quote, 32 index full, 44 quote, 184 full.
//
// The package is pure — no I/O of its own (Reader only calls the io.Reader it
// is handed), no goroutines — and allocates nothing on the decode, encode and
// JSON paths, because `kite stream` runs it for every tick, all day. Prices
// stay in the exchange's integer units (paise for most segments) and are only
// turned into decimals when printed, by inserting the decimal point, so a
// price is never rounded by float arithmetic.
//
// The pieces: Iter (and Decode/AppendDecode on top of it) turns a message
// into Ticks; AppendMessage is its exact inverse; AppendJSON prints a Tick
// as one NDJSON record (a JSONEncoder prints a stream of them, faster) and
// ParseJSON reads it back; Reader splits a raw
// capture (messages back to back) into messages. Malformed input gives a
// *DecodeError saying what and at which byte, never a panic, and the
// packets before the fault are still delivered.
//
// Decoding is an iterator (Iter.Next(&tick)) rather than a callback
// (func(*Tick) error) because a callback's argument escapes: the compiler
// must put the Tick on the heap, one allocation per message, whereas with an
// iterator the caller owns the Tick, usually on its stack, and the hot loop
// of decode → AppendJSON → write allocates nothing at all.
package ticks

// Mode is the detail level of a tick, as requested from the ticker.
type Mode uint8

// Modes, in increasing order of detail.
const (
	ModeLTP Mode = iota + 1
	ModeQuote
	ModeFull
)

// String returns the mode's name as Kite spells it ("ltp", "quote", "full").
func (m Mode) String() string {
	switch m {
	case ModeLTP:
		return "ltp"
	case ModeQuote:
		return "quote"
	case ModeFull:
		return "full"
	}
	return "unknown"
}

// ParseMode is the inverse of Mode.String.
func ParseMode(s string) (Mode, bool) {
	switch s {
	case "ltp":
		return ModeLTP, true
	case "quote":
		return ModeQuote, true
	case "full":
		return ModeFull, true
	}
	return 0, false
}

// Exchange segments: the low byte of an instrument token.
const (
	SegmentNSE     = 1
	SegmentNFO     = 2
	SegmentCDS     = 3
	SegmentBSE     = 4
	SegmentBFO     = 5
	SegmentBCD     = 6
	SegmentMCX     = 7
	SegmentMCXSX   = 8
	SegmentIndices = 9
)

// Packet lengths on the wire.
const (
	LenLTP        = 8
	LenIndexQuote = 28
	LenIndexFull  = 32
	LenQuote      = 44
	LenFull       = 184
)

// DepthItem is one level of market depth.
type DepthItem struct {
	Quantity uint32
	Price    int32 // in the segment's integer units, like every price here
	Orders   uint16
}

// Depth is five levels of bids and five of offers, best first.
type Depth struct {
	Buy  [5]DepthItem
	Sell [5]DepthItem
}

// Tick is one decoded packet. Prices are integers in the units of the
// instrument's segment (see Divisor). Fields a packet kind does not carry are
// zero. A Tick is a plain value with fixed-size arrays so that decoding one
// never allocates.
type Tick struct {
	Mode            Mode
	InstrumentToken uint32
	LastPrice       int32

	// Quote mode (44-byte packets) and index quote (28-byte packets: only
	// the OHLC fields and NetChange).
	LastTradedQuantity uint32
	AverageTradedPrice int32
	VolumeTraded       uint32
	TotalBuyQuantity   uint32
	TotalSellQuantity  uint32
	Open, High, Low    int32
	Close              int32
	// NetChange is the absolute price change an index packet carries in
	// bytes 24–28; other packets have none, and the printed "change" is
	// always the percentage computed from LastPrice and Close.
	NetChange int32

	// Full mode.
	LastTradeTime     uint32 // Unix seconds
	OI                uint32
	OIDayHigh         uint32
	OIDayLow          uint32
	ExchangeTimestamp uint32 // Unix seconds; index full packets carry it too
	Depth             Depth
}

// Segment is the exchange segment encoded in the token's low byte.
func (t *Tick) Segment() uint8 { return uint8(t.InstrumentToken & 0xFF) }

// Tradable reports whether the instrument can be traded (indices cannot).
func (t *Tick) Tradable() bool { return t.Segment() != SegmentIndices }

// IsIndex reports whether the tick is for an index (segment 9), which the
// ticker sends as 28- or 32-byte packets.
func (t *Tick) IsIndex() bool { return t.Segment() == SegmentIndices }

// Divisor is what the segment's integer prices are divided by to get rupees:
// 10,000,000 for NSE currency (CDS), 10,000 for BSE currency (BCD), else 100.
func Divisor(segment uint8) int64 {
	switch segment {
	case SegmentCDS:
		return 10_000_000
	case SegmentBCD:
		return 10_000
	}
	return 100
}

// DivisorDecimals is log10(Divisor(segment)): how many digits follow the
// decimal point when a price of that segment is printed exactly.
func DivisorDecimals(segment uint8) int {
	switch segment {
	case SegmentCDS:
		return 7
	case SegmentBCD:
		return 4
	}
	return 2
}

// WireLen is the packet length a tick of this mode and segment is sent as.
func (t *Tick) WireLen() int {
	index := t.IsIndex()
	switch t.Mode {
	case ModeLTP:
		return LenLTP
	case ModeQuote:
		if index {
			return LenIndexQuote
		}
		return LenQuote
	default:
		if index {
			return LenIndexFull
		}
		return LenFull
	}
}
