package bench

// Tick codec versus what gokiteconnect users do: parse a message with
// gokiteconnect's ticker parser into models.Tick values, then write each with
// encoding/json. gokiteconnect v4.4.0 does not export its parser (parseBinary
// and parsePacket are methods/functions private to package ticker, reachable
// only through a live WebSocket), so ticksBaselineParse below is a faithful
// copy of ticker.go's splitPackets + parsePacket + convertPrice (MIT
// licence, Zerodha), changed only to be free functions. Both sides run on the
// same messages in the same `go test -bench` run; scripts/bench.sh prints
// the ratio.

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/ticks"
	"github.com/zerodha/gokiteconnect/v4/models"
	kiteticker "github.com/zerodha/gokiteconnect/v4/ticker"
)

// --- gokiteconnect v4.4.0 ticker.go, parsing part, copied faithfully ---

const (
	modeLTPLength              = 8
	modeQuoteIndexPacketLength = 28
	modeFullIndexLength        = 32
	modeFullLength             = 184
)

func ticksBaselineParse(inp []byte) ([]models.Tick, error) {
	pkts := ticksBaselineSplit(inp)
	var ticks []models.Tick
	for _, pkt := range pkts {
		tick, err := ticksBaselinePacket(pkt)
		if err != nil {
			return nil, err
		}
		ticks = append(ticks, tick)
	}
	return ticks, nil
}

func ticksBaselineSplit(inp []byte) [][]byte {
	var pkts [][]byte
	if len(inp) < 2 {
		return pkts
	}
	pktLen := binary.BigEndian.Uint16(inp[0:2])
	j := 2
	for i := 0; i < int(pktLen); i++ {
		pLen := binary.BigEndian.Uint16(inp[j : j+2])
		pkts = append(pkts, inp[j+2:j+2+int(pLen)])
		j = j + 2 + int(pLen)
	}
	return pkts
}

func ticksBaselinePacket(b []byte) (models.Tick, error) {
	var (
		tk         = binary.BigEndian.Uint32(b[0:4])
		seg        = tk & 0xFF
		isIndex    = seg == kiteticker.Indices
		isTradable = seg != kiteticker.Indices
	)
	if len(b) == modeLTPLength {
		return models.Tick{
			Mode:            string(kiteticker.ModeLTP),
			InstrumentToken: tk,
			IsTradable:      isTradable,
			IsIndex:         isIndex,
			LastPrice:       ticksBaselinePrice(seg, float64(binary.BigEndian.Uint32(b[4:8]))),
		}, nil
	}
	if len(b) == modeQuoteIndexPacketLength || len(b) == modeFullIndexLength {
		var (
			lastPrice  = ticksBaselinePrice(seg, float64(binary.BigEndian.Uint32(b[4:8])))
			closePrice = ticksBaselinePrice(seg, float64(binary.BigEndian.Uint32(b[20:24])))
		)
		tick := models.Tick{
			Mode:            string(kiteticker.ModeQuote),
			InstrumentToken: tk,
			IsTradable:      isTradable,
			IsIndex:         isIndex,
			LastPrice:       lastPrice,
			NetChange:       lastPrice - closePrice,
			OHLC: models.OHLC{
				High:  ticksBaselinePrice(seg, float64(binary.BigEndian.Uint32(b[8:12]))),
				Low:   ticksBaselinePrice(seg, float64(binary.BigEndian.Uint32(b[12:16]))),
				Open:  ticksBaselinePrice(seg, float64(binary.BigEndian.Uint32(b[16:20]))),
				Close: closePrice,
			}}
		if len(b) == modeFullIndexLength {
			tick.Mode = string(kiteticker.ModeFull)
			tick.Timestamp = models.Time{Time: time.Unix(int64(binary.BigEndian.Uint32(b[28:32])), 0)}
		}
		return tick, nil
	}
	var (
		lastPrice  = ticksBaselinePrice(seg, float64(binary.BigEndian.Uint32(b[4:8])))
		closePrice = ticksBaselinePrice(seg, float64(binary.BigEndian.Uint32(b[40:44])))
	)
	tick := models.Tick{
		Mode:               string(kiteticker.ModeQuote),
		InstrumentToken:    tk,
		IsTradable:         isTradable,
		IsIndex:            isIndex,
		LastPrice:          lastPrice,
		LastTradedQuantity: binary.BigEndian.Uint32(b[8:12]),
		AverageTradePrice:  ticksBaselinePrice(seg, float64(binary.BigEndian.Uint32(b[12:16]))),
		VolumeTraded:       binary.BigEndian.Uint32(b[16:20]),
		TotalBuyQuantity:   binary.BigEndian.Uint32(b[20:24]),
		TotalSellQuantity:  binary.BigEndian.Uint32(b[24:28]),
		OHLC: models.OHLC{
			Open:  ticksBaselinePrice(seg, float64(binary.BigEndian.Uint32(b[28:32]))),
			High:  ticksBaselinePrice(seg, float64(binary.BigEndian.Uint32(b[32:36]))),
			Low:   ticksBaselinePrice(seg, float64(binary.BigEndian.Uint32(b[36:40]))),
			Close: closePrice,
		},
	}
	if len(b) == modeFullLength {
		tick.Mode = string(kiteticker.ModeFull)
		tick.LastTradeTime = models.Time{Time: time.Unix(int64(binary.BigEndian.Uint32(b[44:48])), 0)}
		tick.OI = binary.BigEndian.Uint32(b[48:52])
		tick.OIDayHigh = binary.BigEndian.Uint32(b[52:56])
		tick.OIDayLow = binary.BigEndian.Uint32(b[56:60])
		tick.Timestamp = models.Time{Time: time.Unix(int64(binary.BigEndian.Uint32(b[60:64])), 0)}
		tick.NetChange = lastPrice - closePrice
		var (
			buyPos     = 64
			sellPos    = 124
			depthItems = (sellPos - buyPos) / 12
		)
		for i := 0; i < depthItems; i++ {
			tick.Depth.Buy[i] = models.DepthItem{
				Quantity: binary.BigEndian.Uint32(b[buyPos : buyPos+4]),
				Price:    ticksBaselinePrice(seg, float64(binary.BigEndian.Uint32(b[buyPos+4:buyPos+8]))),
				Orders:   uint32(binary.BigEndian.Uint16(b[buyPos+8 : buyPos+10])),
			}
			tick.Depth.Sell[i] = models.DepthItem{
				Quantity: binary.BigEndian.Uint32(b[sellPos : sellPos+4]),
				Price:    ticksBaselinePrice(seg, float64(binary.BigEndian.Uint32(b[sellPos+4:sellPos+8]))),
				Orders:   uint32(binary.BigEndian.Uint16(b[sellPos+8 : sellPos+10])),
			}
			buyPos += 12
			sellPos += 12
		}
	}
	return tick, nil
}

func ticksBaselinePrice(seg uint32, val float64) float64 {
	switch seg {
	case kiteticker.NseCD:
		return val / 10000000.0
	case kiteticker.BseCD:
		return val / 10000.0
	default:
		return val / 100.0
	}
}

// --- end of the copy ---

const ticksBenchPackets = 100

// ticksBenchKinds: one realistic tick per packet kind (NSE INFY, NIFTY 50).
func ticksBenchKinds() []struct {
	name string
	tick ticks.Tick
} {
	full := ticks.Tick{Mode: ticks.ModeFull, InstrumentToken: 408065, LastPrice: 157370, LastTradedQuantity: 25,
		AverageTradedPrice: 156812, VolumeTraded: 4012345, TotalBuyQuantity: 120034, TotalSellQuantity: 98001,
		Open: 155000, High: 158000, Low: 154510, Close: 155500,
		LastTradeTime: 1625462285, ExchangeTimestamp: 1625462287}
	for i := range 5 {
		full.Depth.Buy[i] = ticks.DepthItem{Quantity: uint32(100 * (i + 1)), Price: int32(157365 - 5*i), Orders: uint16(i + 1)}
		full.Depth.Sell[i] = ticks.DepthItem{Quantity: uint32(100 * (i + 1)), Price: int32(157375 + 5*i), Orders: uint16(i + 1)}
	}
	quote := full
	quote.Mode, quote.LastTradeTime, quote.ExchangeTimestamp, quote.Depth = ticks.ModeQuote, 0, 0, ticks.Depth{}
	index := ticks.Tick{Mode: ticks.ModeFull, InstrumentToken: 256265, LastPrice: 2456785, High: 2460000, Low: 2440050,
		Open: 2445000, Close: 2450000, NetChange: 6785, ExchangeTimestamp: 1625462287}
	indexQuote := index
	indexQuote.Mode, indexQuote.ExchangeTimestamp = ticks.ModeQuote, 0
	return []struct {
		name string
		tick ticks.Tick
	}{
		{"ltp", ticks.Tick{Mode: ticks.ModeLTP, InstrumentToken: 408065, LastPrice: 157370}},
		{"index_quote", indexQuote},
		{"index_full", index},
		{"quote", quote},
		{"full", full},
	}
}

func ticksBenchMessage(t ticks.Tick) []byte {
	in := make([]ticks.Tick, ticksBenchPackets)
	for i := range in {
		in[i] = t
	}
	return ticks.Encode(in...)
}

func perPacket(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*ticksBenchPackets), "ns/packet")
}

// BenchmarkTicksBaseline: gokiteconnect's parser + encoding/json, one NDJSON
// line per tick into a reused buffer.
func BenchmarkTicksBaseline(b *testing.B) {
	for _, k := range ticksBenchKinds() {
		b.Run(k.name, func(b *testing.B) {
			msg := ticksBenchMessage(k.tick)
			var out bytes.Buffer
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				out.Reset()
				parsed, err := ticksBaselineParse(msg)
				if err != nil {
					b.Fatal(err)
				}
				for i := range parsed {
					line, err := json.Marshal(parsed[i])
					if err != nil {
						b.Fatal(err)
					}
					out.Write(line)
					out.WriteByte('\n')
				}
			}
			perPacket(b)
		})
	}
}

// BenchmarkTicksBaselinePrintln is the same, printed the way a gokiteconnect
// OnTick callback typically prints it — fmt.Println(string(json)) on an
// unbuffered file, one write per tick — here to /dev/null. Compare it with
// BenchmarkTicksKiteFile, kite's codec behind the 64 KiB bufio.Writer that
// `kite ticks decode` and `kite stream` use.
func BenchmarkTicksBaselinePrintln(b *testing.B) {
	devNull := openDevNull(b)
	for _, k := range ticksBenchKinds() {
		b.Run(k.name, func(b *testing.B) {
			msg := ticksBenchMessage(k.tick)
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				parsed, err := ticksBaselineParse(msg)
				if err != nil {
					b.Fatal(err)
				}
				for i := range parsed {
					line, err := json.Marshal(parsed[i])
					if err != nil {
						b.Fatal(err)
					}
					fmt.Fprintln(devNull, string(line))
				}
			}
			perPacket(b)
		})
	}
}

func BenchmarkTicksKiteFile(b *testing.B) {
	devNull := openDevNull(b)
	for _, k := range ticksBenchKinds() {
		b.Run(k.name, func(b *testing.B) {
			msg := ticksBenchMessage(k.tick)
			w := bufio.NewWriterSize(devNull, 64<<10)
			var line []byte
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				it := ticks.NewIter(msg)
				var t ticks.Tick
				for it.Next(&t) {
					line = ticks.AppendJSON(line[:0], &t, "")
					w.Write(line)
				}
			}
			w.Flush()
			perPacket(b)
		})
	}
}

func openDevNull(b *testing.B) *os.File {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return f
}

// BenchmarkTicksKite: kite's codec, decode + AppendJSON, into a reused buffer.
func BenchmarkTicksKite(b *testing.B) {
	for _, k := range ticksBenchKinds() {
		b.Run(k.name, func(b *testing.B) {
			msg := ticksBenchMessage(k.tick)
			out := make([]byte, 0, 256<<10)
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				out = out[:0]
				it := ticks.NewIter(msg)
				var t ticks.Tick
				for it.Next(&t) {
					out = ticks.AppendJSON(out, &t, "")
				}
				if it.Err() != nil {
					b.Fatal(it.Err())
				}
			}
			perPacket(b)
		})
	}
}

// TestTicksAgreeWithGokiteconnect cross-checks the packet layouts: random
// messages encoded by kite and parsed by gokiteconnect's parser give the
// same values kite's decoder and JSON give. Prices are kept non-negative
// because gokiteconnect reads them as uint32.
func TestTicksAgreeWithGokiteconnect(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	segs := []uint32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	modes := []ticks.Mode{ticks.ModeLTP, ticks.ModeQuote, ticks.ModeFull}
	price := func() int32 { return int32(r.IntN(1 << 30)) }
	for range 500 {
		in := make([]ticks.Tick, 1+r.IntN(5))
		for i := range in {
			tk := ticks.Tick{Mode: modes[r.IntN(3)], InstrumentToken: r.Uint32()&^0xFF | segs[r.IntN(len(segs))], LastPrice: price()}
			tk.Open, tk.High, tk.Low, tk.Close = price(), price(), price(), price()
			tk.LastTradedQuantity, tk.AverageTradedPrice, tk.VolumeTraded = r.Uint32(), price(), r.Uint32()
			tk.TotalBuyQuantity, tk.TotalSellQuantity, tk.OI = r.Uint32(), r.Uint32(), r.Uint32()
			tk.LastTradeTime, tk.ExchangeTimestamp = r.Uint32N(1<<31), r.Uint32N(1<<31)
			for j := range 5 {
				tk.Depth.Buy[j] = ticks.DepthItem{Quantity: r.Uint32(), Price: price(), Orders: uint16(r.Uint32())}
				tk.Depth.Sell[j] = ticks.DepthItem{Quantity: r.Uint32(), Price: price(), Orders: uint16(r.Uint32())}
			}
			in[i] = tk
		}
		msg := ticks.Encode(in...)
		theirs, err := ticksBaselineParse(msg)
		if err != nil {
			t.Fatal(err)
		}
		ours, err := ticks.Decode(msg)
		if err != nil || len(ours) != len(theirs) {
			t.Fatalf("decode: %v (%d vs %d ticks)", err, len(ours), len(theirs))
		}
		for i := range ours {
			compareTick(t, &ours[i], &theirs[i])
		}
	}
}

func compareTick(t *testing.T, ours *ticks.Tick, theirs *models.Tick) {
	t.Helper()
	var rec struct {
		Tradable           bool        `json:"tradable"`
		Mode               string      `json:"mode"`
		InstrumentToken    uint32      `json:"instrument_token"`
		LastPrice          json.Number `json:"last_price"`
		LastTradedQuantity uint32      `json:"last_traded_quantity"`
		AverageTradedPrice json.Number `json:"average_traded_price"`
		VolumeTraded       uint32      `json:"volume_traded"`
		OHLC               struct {
			Open, High, Low, Close json.Number
		} `json:"ohlc"`
		LastTradeTime     *time.Time `json:"last_trade_time"`
		OI                uint32     `json:"oi"`
		ExchangeTimestamp *time.Time `json:"exchange_timestamp"`
		Depth             struct {
			Buy, Sell [5]struct {
				Quantity uint32      `json:"quantity"`
				Price    json.Number `json:"price"`
				Orders   uint32      `json:"orders"`
			}
		} `json:"depth"`
	}
	line := ticks.AppendJSON(nil, ours, "")
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&rec); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	fail := func(field string, a, b any) {
		t.Helper()
		t.Fatalf("%s: kite %v, gokiteconnect %v\n%s", field, a, b, line)
	}
	// Same float the official client computes, from kite's exact decimal text.
	samePrice := func(field string, n json.Number, want float64) {
		t.Helper()
		got, err := strconv.ParseFloat(string(n), 64)
		if err != nil || got != want {
			fail(field, n, want)
		}
	}
	if rec.Mode != theirs.Mode || rec.InstrumentToken != theirs.InstrumentToken || rec.Tradable != theirs.IsTradable {
		fail("mode/token/tradable", rec, theirs)
	}
	samePrice("last_price", rec.LastPrice, theirs.LastPrice)
	if theirs.Mode == "ltp" {
		return
	}
	samePrice("open", rec.OHLC.Open, theirs.OHLC.Open)
	samePrice("high", rec.OHLC.High, theirs.OHLC.High)
	samePrice("low", rec.OHLC.Low, theirs.OHLC.Low)
	samePrice("close", rec.OHLC.Close, theirs.OHLC.Close)
	if theirs.Mode == "full" && (rec.ExchangeTimestamp == nil) != (ours.ExchangeTimestamp == 0) {
		fail("exchange_timestamp", rec.ExchangeTimestamp, theirs.Timestamp)
	}
	if rec.ExchangeTimestamp != nil && !rec.ExchangeTimestamp.Equal(theirs.Timestamp.Time) {
		fail("exchange_timestamp", rec.ExchangeTimestamp, theirs.Timestamp)
	}
	if theirs.IsIndex {
		return
	}
	samePrice("average_traded_price", rec.AverageTradedPrice, theirs.AverageTradePrice)
	if rec.LastTradedQuantity != theirs.LastTradedQuantity || rec.VolumeTraded != theirs.VolumeTraded {
		fail("quantities", rec, theirs)
	}
	if theirs.Mode != "full" {
		return
	}
	if rec.OI != theirs.OI || rec.LastTradeTime != nil && !rec.LastTradeTime.Equal(theirs.LastTradeTime.Time) {
		fail("oi/last_trade_time", rec, theirs)
	}
	for i := range 5 {
		samePrice("depth.buy.price", rec.Depth.Buy[i].Price, theirs.Depth.Buy[i].Price)
		samePrice("depth.sell.price", rec.Depth.Sell[i].Price, theirs.Depth.Sell[i].Price)
		if rec.Depth.Buy[i].Quantity != theirs.Depth.Buy[i].Quantity || rec.Depth.Sell[i].Orders != theirs.Depth.Sell[i].Orders {
			fail("depth", rec.Depth, theirs.Depth)
		}
	}
}
