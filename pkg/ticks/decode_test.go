package ticks

import (
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// be builds big-endian bytes from fixed-size values, independently of the
// codec, so fixtures are written the way Kite's documentation lays them out.
func be(vals ...any) []byte {
	var b []byte
	for _, v := range vals {
		var err error
		b, err = binary.Append(b, binary.BigEndian, v)
		if err != nil {
			panic(err)
		}
	}
	return b
}

// message frames packets as Kite does: uint16 count, then (uint16 len, packet)...
func message(pkts ...[]byte) []byte {
	b := be(uint16(len(pkts)))
	for _, p := range pkts {
		b = append(b, be(uint16(len(p)))...)
		b = append(b, p...)
	}
	return b
}

const (
	infy   = uint32(408065)  // 0x63A01: NSE (segment 1)
	nifty  = uint32(256265)  // 0x3E909: indices (segment 9)
	usdinr = uint32(1001475) // 0xF4803: CDS (segment 3)
	bcdTok = uint32(32006)   // 0x7D06: BCD (segment 6)
)

// Fixtures: each packet kind with its hand-written expected Tick.
var (
	ltpPacket = be(infy, int32(157370))
	ltpTick   = Tick{Mode: ModeLTP, InstrumentToken: infy, LastPrice: 157370}

	// Index: token, ltp, high, low, open, close, net change (+ timestamp).
	indexQuotePacket = be(nifty, int32(2456785), int32(2460000), int32(2440050), int32(2445000), int32(2450000), int32(6785))
	indexQuoteTick   = Tick{Mode: ModeQuote, InstrumentToken: nifty, LastPrice: 2456785,
		High: 2460000, Low: 2440050, Open: 2445000, Close: 2450000, NetChange: 6785}
	indexFullPacket = be(nifty, int32(2456785), int32(2460000), int32(2440050), int32(2445000), int32(2450000), int32(6785), uint32(1625462287))
	indexFullTick   = Tick{Mode: ModeFull, InstrumentToken: nifty, LastPrice: 2456785,
		High: 2460000, Low: 2440050, Open: 2445000, Close: 2450000, NetChange: 6785, ExchangeTimestamp: 1625462287}

	// Quote: token, ltp, last qty, avg price, volume, buy qty, sell qty, open, high, low, close.
	quotePacket = be(infy, int32(157370), uint32(25), int32(156812), uint32(4012345), uint32(120034), uint32(98001),
		int32(155000), int32(158000), int32(154510), int32(155500))
	quoteTick = Tick{Mode: ModeQuote, InstrumentToken: infy, LastPrice: 157370, LastTradedQuantity: 25,
		AverageTradedPrice: 156812, VolumeTraded: 4012345, TotalBuyQuantity: 120034, TotalSellQuantity: 98001,
		Open: 155000, High: 158000, Low: 154510, Close: 155500}

	fullPacket = append(append(be(infy, int32(157370), uint32(25), int32(156812), uint32(4012345), uint32(120034), uint32(98001),
		int32(155000), int32(158000), int32(154510), int32(155500),
		uint32(1625462285), uint32(0), uint32(0), uint32(0), uint32(1625462287)),
		depthBytes(157365, 157360)...), depthBytes(157375, 157380)...)
	fullTick = func() Tick {
		t := quoteTick
		t.Mode = ModeFull
		t.LastTradeTime = 1625462285
		t.ExchangeTimestamp = 1625462287
		for i := range 5 {
			t.Depth.Buy[i] = DepthItem{Quantity: uint32(100 * (i + 1)), Price: int32(157365 - 5*i), Orders: uint16(i + 1)}
			t.Depth.Sell[i] = DepthItem{Quantity: uint32(100 * (i + 1)), Price: int32(157375 + 5*i), Orders: uint16(i + 1)}
		}
		return t
	}()
)

// depthBytes is five depth entries, prices first, first+step, ... with
// quantity 100·(i+1), orders i+1, and non-zero padding that must be ignored.
func depthBytes(first, second int32) []byte {
	var b []byte
	for i := range int32(5) {
		b = append(b, be(uint32(100*(i+1)), first+i*(second-first), uint16(i+1), uint16(0xBEEF))...)
	}
	return b
}

func TestDecodeEveryPacketKind(t *testing.T) {
	cases := []struct {
		name string
		pkt  []byte
		want Tick
	}{
		{"ltp", ltpPacket, ltpTick},
		{"index quote", indexQuotePacket, indexQuoteTick},
		{"index full", indexFullPacket, indexFullTick},
		{"quote", quotePacket, quoteTick},
		{"full", fullPacket, fullTick},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Decode(message(c.pkt))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || !reflect.DeepEqual(got[0], c.want) {
				t.Fatalf("got %+v\nwant %+v", got, c.want)
			}
		})
	}
	// All kinds in one message, in order.
	got, err := Decode(message(ltpPacket, indexQuotePacket, indexFullPacket, quotePacket, fullPacket))
	if err != nil {
		t.Fatal(err)
	}
	want := []Tick{ltpTick, indexQuoteTick, indexFullTick, quoteTick, fullTick}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("mixed message:\ngot  %+v\nwant %+v", got, want)
	}
}

func TestDecodeNegativePrices(t *testing.T) {
	// Spreads and some derivatives can trade below zero; prices are int32.
	got, err := Decode(message(be(infy, int32(-5))))
	if err != nil || len(got) != 1 || got[0].LastPrice != -5 {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestHeartbeatAndEmptyMessage(t *testing.T) {
	for _, hb := range [][]byte{{0}, {0xFF}} {
		got, err := Decode(hb)
		if err != nil || len(got) != 0 || !IsHeartbeat(hb) {
			t.Fatalf("heartbeat %x: %v, %v", hb, got, err)
		}
	}
	got, err := Decode([]byte{0, 0})
	if err != nil || len(got) != 0 {
		t.Fatalf("zero-count message: %v, %v", got, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	good := message(ltpPacket)
	cases := []struct {
		name      string
		msg       []byte
		reason    error
		offset    int
		delivered int
		text      string
	}{
		{"empty", nil, ErrTruncatedHeader, 0, 0, "at byte 0: truncated header"},
		{"count promises more packets", append(be(uint16(2)), good[2:]...), ErrTruncatedHeader, 12, 1, "the length of packet 2 is cut off"},
		{"half a length field", append(append(be(uint16(2)), good[2:]...), 0), ErrTruncatedHeader, 12, 1, "truncated header"},
		{"packet overruns", append(be(uint16(2)), append(good[2:], be(uint16(44), infy)...)...), ErrPacketOverrun, 12, 1, "packet 2 of 44 bytes overruns the message"},
		{"odd length cut off", append(be(uint16(2)), append(good[2:], be(uint16(9))...)...), ErrPacketOverrun, 12, 1, "packet 2 of 9 bytes overruns the message"},
		{"trailing bytes", append(message(ltpPacket, quotePacket), 1, 2, 3), ErrTrailingBytes, 58, 2, "at byte 58: 3 trailing bytes after the last packet"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Decode(c.msg)
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a *DecodeError", err)
			}
			if !errors.Is(err, c.reason) || de.Offset != c.offset {
				t.Fatalf("err = %+v (%v), want reason %v at offset %d", de, err, c.reason, c.offset)
			}
			if len(got) != c.delivered {
				t.Fatalf("delivered %d ticks before the fault, want %d", len(got), c.delivered)
			}
			if c.delivered > 0 && got[0] != ltpTick {
				t.Fatalf("first tick = %+v", got[0])
			}
			if msg := err.Error(); !strings.Contains(msg, c.text) || !strings.Contains(msg, "malformed tick message") {
				t.Fatalf("message %q lacks %q", msg, c.text)
			}
		})
	}
}

// A packet of a length Kite does not send is skipped by its length prefix
// and the rest of the message decodes, as in pykiteconnect and
// kiteconnectjs: [ltp, a 12-byte packet, ltp] gives 2 ticks.
func TestDecodeSkipsUnknownLength(t *testing.T) {
	ltp2 := be(infy, int32(157375))
	twelve := be(infy, int32(1), int32(2))
	msg := message(ltpPacket, twelve, ltp2)
	got, err := Decode(msg)
	want := []Tick{ltpTick, {Mode: ModeLTP, InstrumentToken: infy, LastPrice: 157375}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	var de *DecodeError
	// The 12-byte packet's length field follows the count (2) and the
	// first packet (2+8): byte 12.
	if !errors.As(err, &de) || de.Reason != ErrUnknownLength || de.Offset != 12 || de.Packet != 1 || de.Length != 12 || !Skipped(err) {
		t.Fatalf("err = %v (%+v), want the 12-byte packet 2 skipped at byte 12", err, de)
	}
	if s := err.Error(); s != "skipped packet 2 at byte 12: unknown length 12 (Kite sends 8, 28, 32, 44 or 184)" {
		t.Fatalf("message %q", s)
	}
	it := NewIter(msg)
	var tk Tick
	n := 0
	for it.Next(&tk) {
		n++
	}
	if n != 2 || it.Err() != nil || it.Skipped() != 1 || it.Packets() != 3 || it.Offset() != len(msg) {
		t.Fatalf("ticks %d, err %v, skipped %d, packets %d, offset %d", n, it.Err(), it.Skipped(), it.Packets(), it.Offset())
	}

	// A zero-length packet is skipped too; so are several, counted.
	it = NewIter(message(nil, ltpPacket, []byte{1, 2, 3}))
	n = 0
	for it.Next(&tk) {
		n++
	}
	if n != 1 || tk != ltpTick || it.Err() != nil || it.Skipped() != 2 {
		t.Fatalf("ticks %d (%+v), err %v, skipped %d; want 1 tick, 2 skipped", n, tk, it.Err(), it.Skipped())
	}
	if !errors.Is(it.SkipErr(), ErrUnknownLength) || !strings.Contains(it.SkipErr().Error(), "packet 1 at byte 2: unknown length 0") {
		t.Fatalf("first skip = %v", it.SkipErr())
	}
}

// A packet whose length does not suit its token's segment is skipped
// rather than decoded into fields it does not hold: a 44-byte (quote)
// packet for NIFTY 50 (256265 = 0x3E909, segment 9) and a 28-byte (index
// quote) packet for INFY (408065 = 0x63A01, segment 1).
func TestDecodeSkipsSegmentMismatch(t *testing.T) {
	quoteForIndex := append(be(nifty), quotePacket[4:]...)
	indexForStock := append(be(infy), indexQuotePacket[4:]...)
	cases := []struct {
		name string
		pkt  []byte
		text string
	}{
		{"quote for an index", quoteForIndex, "skipped packet 2 at byte 12: 44 bytes for instrument 256265, an index (segment 9 sends 8, 28 or 32)"},
		{"index quote for a stock", indexForStock, "skipped packet 2 at byte 12: 28 bytes for instrument 408065, tradable (segment 1 sends 8, 44 or 184)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Decode(message(ltpPacket, c.pkt, indexFullPacket))
			if want := []Tick{ltpTick, indexFullTick}; !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v, want %+v", got, want)
			}
			if !errors.Is(err, ErrSegmentMismatch) || err.Error() != c.text {
				t.Fatalf("err = %v, want %q", err, c.text)
			}
			var tk Tick
			if err := DecodePacket(c.pkt, &tk); !errors.Is(err, ErrSegmentMismatch) || tk != (Tick{}) {
				t.Fatalf("DecodePacket = %v, %+v", err, tk)
			}
		})
	}
	// An LTP packet suits every segment.
	if got, err := Decode(message(be(nifty, int32(5)))); err != nil || len(got) != 1 || got[0].LastPrice != 5 {
		t.Fatalf("index LTP: %+v, %v", got, err)
	}
}

// A framing fault after a skipped packet still ends the message; both are
// reported.
func TestDecodeSkipThenFramingFault(t *testing.T) {
	// count 3; a 3-byte packet; an LTP packet; a 44-byte packet cut off.
	msg := append(be(uint16(3), uint16(3)), 1, 2, 3)
	msg = append(msg, be(uint16(8))...)
	msg = append(msg, ltpPacket...)
	msg = append(msg, be(uint16(44), infy)...)
	it := NewIter(msg)
	var tk Tick
	n := 0
	for it.Next(&tk) {
		n++
	}
	if n != 1 || !errors.Is(it.Err(), ErrPacketOverrun) || it.Skipped() != 1 {
		t.Fatalf("ticks %d, err %v, skipped %d", n, it.Err(), it.Skipped())
	}
	if _, err := Decode(msg); !errors.Is(err, ErrPacketOverrun) {
		t.Fatalf("Decode err = %v, want the framing fault first", err)
	}
}

func TestIterReportsOnce(t *testing.T) {
	it := NewIter(append(message(ltpPacket), 7))
	var tk Tick
	n := 0
	for it.Next(&tk) {
		n++
	}
	if n != 1 || !errors.Is(it.Err(), ErrTrailingBytes) {
		t.Fatalf("n=%d err=%v", n, it.Err())
	}
	if it.Next(&tk) {
		t.Fatal("Next after the end returned true")
	}
}

func TestDecodePacket(t *testing.T) {
	var tk Tick
	if err := DecodePacket(fullPacket, &tk); err != nil || !reflect.DeepEqual(tk, fullTick) {
		t.Fatalf("got %+v, %v", tk, err)
	}
	// The previous contents are overwritten entirely.
	if err := DecodePacket(ltpPacket, &tk); err != nil || tk != ltpTick {
		t.Fatalf("got %+v, %v", tk, err)
	}
	if err := DecodePacket(make([]byte, 10), &tk); !errors.Is(err, ErrUnknownLength) || tk != ltpTick {
		t.Fatalf("err = %v", err)
	}
}

func TestAppendDecodeReusesSlice(t *testing.T) {
	msg := message(ltpPacket, fullPacket, indexFullPacket)
	buf := make([]Tick, 0, 8)
	allocs := testing.AllocsPerRun(100, func() {
		var err error
		buf, err = AppendDecode(buf[:0], msg)
		if err != nil || len(buf) != 3 {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("AppendDecode allocated %v times per run", allocs)
	}
}
