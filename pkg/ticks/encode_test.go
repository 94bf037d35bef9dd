package ticks

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"
)

var allSegments = []uint8{SegmentNSE, SegmentNFO, SegmentCDS, SegmentBSE, SegmentBFO, SegmentBCD, SegmentMCX, SegmentMCXSX, SegmentIndices}

// randomTick is a tick of the given mode and segment with random values in
// every field that kind of packet carries and zeros elsewhere, so it is
// exactly what decoding its packet yields.
func randomTick(r *rand.Rand, mode Mode, seg uint8) Tick {
	price := func() int32 {
		switch r.IntN(8) {
		case 0:
			return 0
		case 1:
			return -int32(r.Uint32() >> 1)
		case 2:
			return int32(r.Uint32()) // any bit pattern, extremes included
		}
		return int32(r.IntN(10_000_000))
	}
	t := Tick{Mode: mode, InstrumentToken: r.Uint32()&^0xFF | uint32(seg), LastPrice: price()}
	if mode == ModeLTP {
		return t
	}
	t.Open, t.High, t.Low, t.Close = price(), price(), price(), price()
	if seg == SegmentIndices {
		t.NetChange = price()
		if mode == ModeFull {
			t.ExchangeTimestamp = r.Uint32()
		}
		return t
	}
	t.LastTradedQuantity, t.AverageTradedPrice, t.VolumeTraded = r.Uint32(), price(), r.Uint32()
	t.TotalBuyQuantity, t.TotalSellQuantity = r.Uint32(), r.Uint32()
	if mode == ModeQuote {
		return t
	}
	t.LastTradeTime, t.OI, t.OIDayHigh, t.OIDayLow, t.ExchangeTimestamp = r.Uint32(), r.Uint32(), r.Uint32(), r.Uint32(), r.Uint32()
	for i := range 5 {
		t.Depth.Buy[i] = DepthItem{Quantity: r.Uint32(), Price: price(), Orders: uint16(r.Uint32())}
		t.Depth.Sell[i] = DepthItem{Quantity: r.Uint32(), Price: price(), Orders: uint16(r.Uint32())}
	}
	return t
}

func TestEncodeMatchesHandBuiltBytes(t *testing.T) {
	// Depth padding is written as zeros, so clear the fixture's 0xBEEF.
	full := bytes.Clone(fullPacket)
	for i := 64 + 10; i < len(full); i += 12 {
		full[i], full[i+1] = 0, 0
	}
	want := message(ltpPacket, indexQuotePacket, indexFullPacket, quotePacket, full)
	got := Encode(ltpTick, indexQuoteTick, indexFullTick, quoteTick, fullTick)
	if !bytes.Equal(got, want) {
		t.Fatalf("Encode:\ngot  %x\nwant %x", got, want)
	}
	// Reusing a dirty buffer must give the same bytes (padding included).
	dirty := bytes.Repeat([]byte{0xAA}, len(want)+10)
	got = AppendMessage(dirty[:0], ltpTick, indexQuoteTick, indexFullTick, quoteTick, fullTick)
	if !bytes.Equal(got, want) {
		t.Fatalf("AppendMessage over a dirty buffer:\ngot  %x\nwant %x", got, want)
	}
	if got := Encode(); !bytes.Equal(got, []byte{0, 0}) {
		t.Fatalf("empty message = %x", got)
	}
	pkt := AppendPacket([]byte{9}, &ltpTick)
	if !bytes.Equal(pkt, append([]byte{9}, be(uint16(8), infy, int32(157370))...)) {
		t.Fatalf("AppendPacket = %x", pkt)
	}
}

// TestRoundTrip is the property Decode(Encode(x)) == x for random ticks of
// every mode and segment, in messages of random sizes.
func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	modes := []Mode{ModeLTP, ModeQuote, ModeFull}
	var buf []byte
	for range 3000 {
		in := make([]Tick, r.IntN(12))
		for i := range in {
			in[i] = randomTick(r, modes[r.IntN(3)], allSegments[r.IntN(len(allSegments))])
		}
		buf = AppendMessage(buf[:0], in...)
		out, err := Decode(buf)
		if err != nil {
			t.Fatal(err)
		}
		if len(in) == 0 && len(out) == 0 {
			continue
		}
		if !reflect.DeepEqual(out, in) {
			t.Fatalf("round trip:\nin  %+v\nout %+v", in, out)
		}
	}
}

func TestAppendMessageDoesNotAllocate(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	in := []Tick{randomTick(r, ModeFull, SegmentNSE), randomTick(r, ModeQuote, SegmentIndices), randomTick(r, ModeLTP, SegmentCDS)}
	buf := make([]byte, 0, 512)
	if n := testing.AllocsPerRun(100, func() { buf = AppendMessage(buf[:0], in...) }); n != 0 {
		t.Fatalf("AppendMessage allocated %v times per run", n)
	}
}

func TestAppendMessageRefusesTooManyTicks(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for 65536 ticks")
		}
	}()
	AppendMessage(nil, make([]Tick, MaxPackets+1)...)
}
