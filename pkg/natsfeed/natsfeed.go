// Package natsfeed publishes Kite ticker data to NATS JetStream and reads
// it back. It knows nothing of the command line: the caller connects (see
// Connect), ensures the stream (EnsureStream) and hands packets to a
// Publisher.
//
// Subjects, under a prefix (default "kite"):
//
//	PREFIX.ticks.EXCHANGE.TOKEN  one tick (EXCHANGE from the token's segment)
//	PREFIX.orders.USER_ID        one order update (Kite's JSON text)
//	PREFIX.events                connection events and drop reports (JSON)
//
// The instrument token, not the trading symbol, names a tick's subject:
// symbols hold spaces and dots, which subjects cannot.
//
// Each tick message carries the headers Kite-Mode (ltp, quote, full),
// Kite-Symbol (when known), Kite-Recv-Time (Unix nanoseconds) and
// Nats-Msg-Id: the first 16 bytes, in hex, of SHA-256(token as 4 bytes
// big-endian ‖ packet bytes). Two publishers on the same feed thus give
// the same id to the same tick, and JetStream stores it once within its
// duplicate window. (A quote-mode packet carries no timestamp, so the
// same unchanged quote sent twice within the window is also stored once:
// the last-value view is unchanged by it.)
package natsfeed

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"

	"github.com/kitecli/kite/pkg/ticks"
)

// Header names.
const (
	HeaderMode     = "Kite-Mode"
	HeaderSymbol   = "Kite-Symbol"
	HeaderRecvTime = "Kite-Recv-Time"
	HeaderFormat   = "Kite-Format" // "json" for NDJSON payloads; absent for packet bytes
)

// DefaultPrefix is the subject prefix when none is given.
const DefaultPrefix = "kite"

// Exchange is the subject token for an instrument's segment (the low byte
// of its token).
func Exchange(token uint32) string {
	switch token & 0xFF {
	case ticks.SegmentNSE:
		return "NSE"
	case ticks.SegmentNFO:
		return "NFO"
	case ticks.SegmentCDS:
		return "CDS"
	case ticks.SegmentBSE:
		return "BSE"
	case ticks.SegmentBFO:
		return "BFO"
	case ticks.SegmentBCD:
		return "BCD"
	case ticks.SegmentMCX:
		return "MCX"
	case ticks.SegmentMCXSX:
		return "MCXSX"
	case ticks.SegmentIndices:
		return "INDICES"
	}
	return "SEG" + strconv.Itoa(int(token&0xFF))
}

// TickSubject is PREFIX.ticks.EXCHANGE.TOKEN.
func TickSubject(prefix string, token uint32) string {
	return prefix + ".ticks." + Exchange(token) + "." + strconv.FormatUint(uint64(token), 10)
}

// MsgID is the Nats-Msg-Id of a tick: hex of the first 16 bytes of
// SHA-256(token big-endian ‖ packet).
func MsgID(token uint32, packet []byte) string {
	id := msgID(token, packet)
	return hex.EncodeToString(id[:])
}

// msgID is MsgID's 16 bytes, without allocating for a Kite-sized packet.
func msgID(token uint32, packet []byte) [16]byte {
	var buf [4 + 256]byte
	var sum [sha256.Size]byte
	if len(packet) <= len(buf)-4 {
		binary.BigEndian.PutUint32(buf[:4], token)
		n := copy(buf[4:], packet)
		sum = sha256.Sum256(buf[:4+n])
	} else {
		h := sha256.New()
		binary.BigEndian.PutUint32(buf[:4], token)
		h.Write(buf[:4])
		h.Write(packet)
		h.Sum(sum[:0])
	}
	return [16]byte(sum[:16])
}
