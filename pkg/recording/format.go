// Package recording reads and writes kite's tick recordings: Kite ticker
// messages as received, each with its receive time and connection, plus
// connection events, after a header that maps the recorded instrument
// tokens to what they were that day (tokens are reused after expiry).
//
// A recording is a sequence of blocks, each a CRC-checked, complete zstd
// frame holding whole frames, so every block decodes on its own: a writer
// killed mid-block leaves a file that reads up to its last complete block,
// and the Reader reports the torn tail instead of failing on it. The byte
// layout is in docs/recording-format.md; this package knows nothing of the
// command line.
package recording

import (
	"errors"
	"fmt"
	"hash/crc32"
	"time"
)

// Magic opens every recording. Its first byte is not ASCII and the CR LF
// and SUB bytes catch text-mode mangling, as PNG's signature does.
const Magic = "\x89KREC\r\n\x1a"

// Version is the format version this package writes and reads.
const Version = 1

const (
	fileHeaderLen  = 8 + 2 // magic, uint16 version
	blockHeaderLen = 13    // type, uncompressed length, compressed length, CRC-32C

	// blockHeader and blockFrames are the block types.
	blockHeader = 'H'
	blockFrames = 'F'

	frameHeaderLen = 14 // receive time, connection, kind, length

	// MaxBlock bounds a block's uncompressed size, so a damaged or hostile
	// length cannot make a reader allocate without limit.
	MaxBlock = 64 << 20
	// MaxFrame bounds one frame's data. Kite's largest message (3000
	// full-mode ticks) is about 560 kB.
	MaxFrame = 16 << 20
	// maxCompressed bounds a block's compressed size: zstd never grows
	// data by more than a few bytes per 128 kB block.
	maxCompressed = MaxBlock + MaxBlock/64 + 1024
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Kind is what a frame holds.
type Kind uint8

// Frame kinds.
const (
	// KindBinary is a binary ticker message exactly as received: a uint16
	// packet count and that many (uint16 length, packet) pairs.
	KindBinary Kind = 1
	// KindText is a text ticker message exactly as received: an order
	// update, an error or a message, as JSON.
	KindText Kind = 2
	// KindEvent is the recorder's own JSON event record (see Event).
	KindEvent Kind = 3
)

func (k Kind) String() string {
	switch k {
	case KindBinary:
		return "binary"
	case KindText:
		return "text"
	case KindEvent:
		return "event"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Frame is one recorded message.
type Frame struct {
	Recv int64 // receive time, Unix nanoseconds (UTC)
	Conn uint8 // ticker connection, 1 to 3; 0 for the recorder's own events
	Kind Kind
	Data []byte
}

// Time is Recv as a time.Time.
func (f *Frame) Time() time.Time { return time.Unix(0, f.Recv) }

// Instrument is a recorded token's meaning on the recording's day.
type Instrument struct {
	Token          uint32
	Exchange       string  // NSE, NFO, ...
	Tradingsymbol  string  // INFY, NIFTY26NOV24000CE, ...
	Name           string  // the underlying's or company's name; may be ""
	Expiry         string  // YYYY-MM-DD, or "" for none
	Strike         float64 // 0 for none
	InstrumentType string  // EQ, FUT, CE, PE, ...
	Segment        string  // NFO-OPT, INDICES, ...
	LotSize        uint32
	TickSize       float64
}

// Header opens a recording.
type Header struct {
	Created time.Time
	// Meta is free-form key/value text, in order: the writer, the mode,
	// the host. Readers must not depend on any key.
	Meta        []KV
	Instruments []Instrument
}

// KV is one Meta entry.
type KV struct{ Key, Value string }

// Get is the value of the first Meta entry named key.
func (h *Header) Get(key string) string {
	for _, kv := range h.Meta {
		if kv.Key == key {
			return kv.Value
		}
	}
	return ""
}

// Event is the JSON body of a KindEvent frame. Event is one of connected,
// disconnected, reconnecting (from the ticker), dropped (messages a slow
// disk made the recorder's queue drop), started and stopped (the
// recorder's run), and rotated (the file that follows).
type Event struct {
	Event       string `json:"event"`
	Connection  int    `json:"connection,omitempty"`
	Instruments int    `json:"instruments,omitempty"`
	Attempt     int    `json:"attempt,omitempty"`
	WaitMS      int64  `json:"wait_ms,omitempty"`
	Error       string `json:"error,omitempty"`
	Messages    uint64 `json:"messages,omitempty"`
	Ticks       uint64 `json:"ticks,omitempty"`
	Texts       uint64 `json:"texts,omitempty"`
	Next        string `json:"next,omitempty"`
}

// Damage errors: a Reader that stops early returns a *DamageError wrapping
// one of these.
var (
	// ErrTruncated is a file that ends inside a block: a writer killed,
	// a power cut, a full disk. Every complete block before it was read.
	ErrTruncated = errors.New("the recording ends inside a block (the recorder was killed, or the disk filled); everything before it was read")
	// ErrCorrupt is a block whose checksum, compression or framing is
	// wrong.
	ErrCorrupt = errors.New("the recording has a damaged block; everything before it was read")
	// ErrNotRecording is input that does not start with Magic.
	ErrNotRecording = errors.New("not a kite recording")
)

// DamageError says where a Reader stopped.
type DamageError struct {
	Offset int64  // file offset of the block that could not be read
	Detail string // what was wrong with it
	Err    error  // ErrTruncated or ErrCorrupt
}

func (e *DamageError) Error() string {
	return fmt.Sprintf("byte %d: %s: %v", e.Offset, e.Detail, e.Err)
}

func (e *DamageError) Unwrap() error { return e.Err }

// IsRecording reports whether b, the start of a file, is a recording's.
func IsRecording(b []byte) bool {
	return len(b) >= len(Magic) && string(b[:len(Magic)]) == Magic
}
