package ticks

import (
	"bytes"
	"io"
	"testing"
)

// Benchmarks per packet kind: one message of 100 packets per op, reported
// per packet (ns/packet), so the figures compare across kinds.
// Run: go test ./pkg/ticks -run '^$' -bench . -benchmem

const benchPackets = 100

var benchKinds = []struct {
	name string
	pkt  []byte
}{
	{"ltp", ltpPacket},
	{"index_quote", indexQuotePacket},
	{"index_full", indexFullPacket},
	{"quote", quotePacket},
	{"full", fullPacket},
}

func benchMessage(pkt []byte) []byte {
	pkts := make([][]byte, benchPackets)
	for i := range pkts {
		pkts[i] = pkt
	}
	return message(pkts...)
}

func reportPerPacket(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchPackets), "ns/packet")
}

func BenchmarkDecode(b *testing.B) {
	for _, k := range benchKinds {
		b.Run(k.name, func(b *testing.B) {
			msg := benchMessage(k.pkt)
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			var sink uint32
			for b.Loop() {
				it := NewIter(msg)
				var t Tick
				for it.Next(&t) {
					sink += t.InstrumentToken
				}
				if it.Err() != nil {
					b.Fatal(it.Err())
				}
			}
			reportPerPacket(b)
			_ = sink
		})
	}
}

func BenchmarkDecodeJSON(b *testing.B) {
	for _, k := range benchKinds {
		b.Run(k.name, func(b *testing.B) { benchDecodeJSON(b, benchMessage(k.pkt), AppendJSON) })
	}
}

// benchDecodeJSON decodes msg and prints every tick with appendJSON into a
// reused buffer.
func benchDecodeJSON(b *testing.B, msg []byte, appendJSON func([]byte, *Tick, string) []byte) {
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	buf := make([]byte, 0, 256<<10)
	var t Tick // escapes through the func value: one Tick for the run, not one per op
	for b.Loop() {
		it := NewIter(msg)
		buf = buf[:0]
		for it.Next(&t) {
			buf = appendJSON(buf, &t, "NSE:INFY")
		}
	}
	reportPerPacket(b)
}

func BenchmarkEncode(b *testing.B) {
	for _, k := range benchKinds {
		b.Run(k.name, func(b *testing.B) {
			in, err := Decode(benchMessage(k.pkt))
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 0, 32<<10)
			b.ReportAllocs()
			for b.Loop() {
				buf = AppendMessage(buf[:0], in...)
			}
			b.SetBytes(int64(len(buf)))
			reportPerPacket(b)
		})
	}
}

// BenchmarkReader measures splitting a capture into messages (what
// `kite ticks decode` does before decoding), over an in-memory stream.
func BenchmarkReader(b *testing.B) {
	msg := benchMessage(fullPacket)
	stream := bytes.Repeat(msg, 64)
	src := bytes.NewReader(stream)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	r := NewReader(src)
	for b.Loop() {
		src.Reset(stream)
		*r = Reader{r: src, buf: r.buf}
		for {
			if _, _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkFullJSONStream compares AppendJSON with a reused JSONEncoder on
// what a busy full-mode stream looks like: 100 instruments in one message,
// one exchange timestamp, every last trade at a different second of the
// same day (BenchmarkDecodeJSON's identical packets would flatter the
// encoder's cache).
func BenchmarkFullJSONStream(b *testing.B) {
	var src [benchPackets]Tick
	if err := DecodePacket(fullPacket, &src[0]); err != nil {
		b.Fatal(err)
	}
	for i := range src {
		src[i] = src[0]
		src[i].LastTradeTime = src[0].ExchangeTimestamp - uint32(i*7)
	}
	msg := AppendMessage(nil, src[:]...)
	b.Run("AppendJSON", func(b *testing.B) { benchDecodeJSON(b, msg, AppendJSON) })
	var e JSONEncoder
	b.Run("JSONEncoder", func(b *testing.B) { benchDecodeJSON(b, msg, e.Append) })
}
