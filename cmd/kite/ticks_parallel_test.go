package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kitecli/kite/pkg/recording"
	"github.com/kitecli/kite/pkg/ticks"
)

// bigTicks is n full-mode ticks of 50 instruments with changing prices.
func bigTicks(n int) []ticks.Tick {
	out := make([]ticks.Tick, n)
	for i := range out {
		p := int32(100000 + i%977*5)
		out[i] = ticks.Tick{
			Mode: ticks.ModeFull, InstrumentToken: uint32(100000+i%50)<<8 | ticks.SegmentNSE,
			LastPrice: p, LastTradedQuantity: uint32(i % 31), AverageTradedPrice: p - 20, VolumeTraded: uint32(i * 7),
			Open: 99000, High: p + 100, Low: 98000, Close: 99500, LastTradeTime: 1795146300 + uint32(i/100), ExchangeTimestamp: 1795146300 + uint32(i/100),
		}
		for k := range 5 {
			out[i].Depth.Buy[k] = ticks.DepthItem{Quantity: uint32(k + i%9), Price: p - int32(5*(k+1)), Orders: uint16(k + 1)}
			out[i].Depth.Sell[k] = ticks.DepthItem{Quantity: uint32(k + i%7), Price: p + int32(5*(k+1)), Orders: uint16(k + 2)}
		}
	}
	return out
}

// Decoding on several workers prints exactly what one core prints, in
// order, skip reports and the final error included: a raw capture of many
// chunks with a packet Kite does not send and a cut-off end, and a
// recording of many blocks.
func TestTicksDecodeParallelKeepsOrder(t *testing.T) {
	all := bigTicks(40000) // about 7.5 MB of capture: several chunks
	var capture []byte
	for i := 0; i < len(all); i += 100 {
		capture = ticks.AppendMessage(capture, all[i:i+100]...)
		if i == 20000 {
			// One message with a 3-byte packet between two good ones.
			capture = append(capture, ticksBE(uint16(3), uint16(8), uint32(408065), int32(157370), uint16(3), []byte{1, 2, 3}, uint16(8), uint32(408065), int32(157375))...)
		}
	}
	capture = append(capture, 0, 2, 0, 8, 0, 6) // a message cut short
	raw := writeTicksFile(t, "big.bin", capture)

	var rec bytes.Buffer
	w, err := recording.NewWriter(&rec, recording.Header{Instruments: []recording.Instrument{{Token: 100007<<8 | ticks.SegmentNSE, Exchange: "NSE", Tradingsymbol: "X7"}}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(all); i += 100 {
		if err := w.Write(recording.Frame{Recv: int64(i), Conn: 1, Kind: recording.KindBinary, Data: ticks.AppendMessage(nil, all[i:i+100]...)}); err != nil {
			t.Fatal(err)
		}
		if i%1000 == 0 {
			_ = w.Flush()
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	recPath := writeTicksFile(t, "big.krec", rec.Bytes())

	for _, args := range [][]string{{raw}, {recPath, recPath}} {
		one := runKite(t, kiteRun{Env: map[string]string{"GOMAXPROCS": "1"}}, append([]string{"ticks", "decode"}, args...)...)
		many := runKite(t, kiteRun{Env: map[string]string{"GOMAXPROCS": "4"}}, append([]string{"ticks", "decode"}, args...)...)
		if strings.Count(one.Stdout, "\n") < 40000 || (args[0] == raw && (one.Code != 1 || !strings.Contains(one.Stderr, "skipped 1 packet"))) {
			t.Fatalf("%v: %d records on one core, exit %d, stderr %s", args, strings.Count(one.Stdout, "\n"), one.Code, one.Stderr)
		}
		if one.Stdout != many.Stdout || one.Stderr != many.Stderr || one.Code != many.Code {
			t.Fatalf("%v: 4 workers differ from 1: exit %d/%d, %d/%d bytes, stderr\n%s\n---\n%s", args, one.Code, many.Code, len(one.Stdout), len(many.Stdout), one.Stderr, many.Stderr)
		}
	}
}
