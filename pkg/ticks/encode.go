package ticks

import (
	"encoding/binary"
	"fmt"
)

// MaxPackets is the most packets one message can hold (its count is a uint16).
const MaxPackets = 1<<16 - 1

// AppendMessage appends one Kite binary message carrying ticks to dst and
// returns the extended slice: the exact inverse of Decode. Each tick is sent
// as the packet its Mode and segment call for (Tick.WireLen); fields that
// packet does not carry are dropped. With a reused dst of enough capacity it
// does not allocate. With no ticks it appends an empty (count 0) message;
// for a heartbeat append one byte yourself.
//
// It panics if len(ticks) > MaxPackets, like an index out of range: the
// caller chose the batch size.
func AppendMessage(dst []byte, ticks ...Tick) []byte {
	if len(ticks) > MaxPackets {
		panic(fmt.Sprintf("ticks.AppendMessage: %d ticks, a message holds at most %d", len(ticks), MaxPackets))
	}
	n := 2
	for i := range ticks {
		n += 2 + ticks[i].WireLen()
	}
	dst = grow(dst, n)
	b := dst[len(dst) : len(dst)+n]
	binary.BigEndian.PutUint16(b, uint16(len(ticks)))
	off := 2
	for i := range ticks {
		off += putPacket(b[off:], &ticks[i])
	}
	return dst[:len(dst)+n]
}

// Encode returns one message carrying ticks (see AppendMessage).
func Encode(ticks ...Tick) []byte { return AppendMessage(nil, ticks...) }

// AppendPacket appends one length-prefixed packet for t to dst, for callers
// that build a message's header themselves.
func AppendPacket(dst []byte, t *Tick) []byte {
	n := 2 + t.WireLen()
	dst = grow(dst, n)
	putPacket(dst[len(dst):len(dst)+n], t)
	return dst[:len(dst)+n]
}

func grow(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	nb := make([]byte, len(b), 2*cap(b)+n)
	copy(nb, b)
	return nb
}

func put32(b []byte, i int, v uint32) { binary.BigEndian.PutUint32(b[i:], v) }
func puti(b []byte, i int, v int32)   { binary.BigEndian.PutUint32(b[i:], uint32(v)) }

// putPacket writes t's length prefix and packet to b and returns the bytes
// written. Padding bytes are written as zeros, because dst may be reused.
func putPacket(b []byte, t *Tick) int {
	n := t.WireLen()
	binary.BigEndian.PutUint16(b, uint16(n))
	p := b[2 : 2+n]
	put32(p, 0, t.InstrumentToken)
	puti(p, 4, t.LastPrice)
	switch n {
	case LenIndexQuote, LenIndexFull:
		puti(p, 8, t.High)
		puti(p, 12, t.Low)
		puti(p, 16, t.Open)
		puti(p, 20, t.Close)
		puti(p, 24, t.NetChange)
		if n == LenIndexFull {
			put32(p, 28, t.ExchangeTimestamp)
		}
	case LenQuote, LenFull:
		_ = p[LenQuote-1]
		put32(p, 8, t.LastTradedQuantity)
		puti(p, 12, t.AverageTradedPrice)
		put32(p, 16, t.VolumeTraded)
		put32(p, 20, t.TotalBuyQuantity)
		put32(p, 24, t.TotalSellQuantity)
		puti(p, 28, t.Open)
		puti(p, 32, t.High)
		puti(p, 36, t.Low)
		puti(p, 40, t.Close)
		if n == LenFull {
			_ = p[LenFull-1]
			put32(p, 44, t.LastTradeTime)
			put32(p, 48, t.OI)
			put32(p, 52, t.OIDayHigh)
			put32(p, 56, t.OIDayLow)
			put32(p, 60, t.ExchangeTimestamp)
			for i := range 5 {
				putDepth(p[64+12*i:], &t.Depth.Buy[i])
				putDepth(p[124+12*i:], &t.Depth.Sell[i])
			}
		}
	}
	return 2 + n
}

func putDepth(b []byte, d *DepthItem) {
	_ = b[11]
	put32(b, 0, d.Quantity)
	puti(b, 4, d.Price)
	binary.BigEndian.PutUint16(b[8:], d.Orders)
	b[10], b[11] = 0, 0
}
