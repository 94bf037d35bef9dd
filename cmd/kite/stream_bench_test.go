package main

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/retry"
	"github.com/kitecli/kite/pkg/ticks"
)

// benchMessage is one ticker message of n full-mode ticks for NSE
// instruments, with every field set.
func benchMessage(n int) []byte {
	ts := make([]ticks.Tick, n)
	for i := range ts {
		t := &ts[i]
		t.Mode = ticks.ModeFull
		t.InstrumentToken = uint32(1000+i)<<8 | ticks.SegmentNSE
		t.LastPrice = int32(150000 + 5*i)
		t.LastTradedQuantity, t.AverageTradedPrice, t.VolumeTraded = 10, 149950, 1234567
		t.TotalBuyQuantity, t.TotalSellQuantity = 500000, 400000
		t.Open, t.High, t.Low, t.Close = 149000, 151000, 148500, 149500
		t.LastTradeTime, t.ExchangeTimestamp = 1795240000-uint32(i), 1795240001 // one exchange time, a last trade time each
		for j := range 5 {
			t.Depth.Buy[j] = ticks.DepthItem{Quantity: uint32(10 + j), Price: t.LastPrice - int32(5*(j+1)), Orders: uint16(j + 1)}
			t.Depth.Sell[j] = ticks.DepthItem{Quantity: uint32(20 + j), Price: t.LastPrice + int32(5*(j+1)), Orders: uint16(j + 2)}
		}
	}
	return ticks.AppendMessage(nil, ts...)
}

func newBenchWriter(w io.Writer, limit int) *tickWriter {
	return &tickWriter{
		out:     output.NewRecordWriter(w, output.NDJSON, nil, output.RecordOptions{}),
		symbols: map[uint32]string{(1000 << 8) | ticks.SegmentNSE: "NSE:INFY"},
		limit:   limit,
		errOut:  io.Discard,
		logger:  slog.New(slog.DiscardHandler),
	}
}

// The decode → JSON → write path allocates nothing per message once its
// buffers have grown.
func TestTickWriterDoesNotAllocate(t *testing.T) {
	msg := benchMessage(50)
	w := newBenchWriter(io.Discard, 0)
	if err := w.Binary(1, msg); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = w.Binary(1, msg) }); n != 0 {
		t.Fatalf("%v allocations per message, want 0", n)
	}
	w.recvTime = true
	if n := testing.AllocsPerRun(100, func() { _ = w.Binary(1, msg) }); n != 0 {
		t.Fatalf("--recv-time: %v allocations per message, want 0", n)
	}
}

// BenchmarkTickWriter is decode → AppendJSON → bufio for one message of
// 100 full ticks.
func BenchmarkTickWriter(b *testing.B) {
	msg := benchMessage(100)
	w := newBenchWriter(io.Discard, 0)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if err := w.Binary(1, msg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100), "ns/tick")
}

// BenchmarkStreamPipeline is the whole client path over a real loopback
// WebSocket: coder/websocket reads each message into the ticker's buffer,
// the tickWriter decodes and prints it. The server writes pre-built frames
// and nothing else, so the figures are the client's.
func BenchmarkStreamPipeline(b *testing.B) {
	const perMsg = 100
	msg := benchMessage(perMsg)
	url := startFrameServer(b, msg, b.N)
	w := newBenchWriter(io.Discard, 0)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	w.limit = b.N * perMsg
	tk, err := kite.NewTicker(kite.TickerOptions{
		URL:         url,
		Credentials: kite.Credentials{Kind: kite.Connect, APIKey: "k", AccessToken: "t"},
		Reconnect:   retry.Policy{Base: time.Millisecond, Max: time.Millisecond, Attempts: 1},
		Handler:     stopTimer{w, b},
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := tk.Subscribe(context.Background(), ticks.ModeFull, 1); err != nil {
		b.Fatal(err)
	}
	if err := tk.Run(context.Background()); !errors.Is(err, errStreamDone) {
		b.Fatalf("Run = %v", err)
	}
	b.ReportMetric(float64(b.N*perMsg)/b.Elapsed().Seconds(), "ticks/s")
}

// stopTimer stops the benchmark clock when the writer is done, so the
// close handshake is not counted.
type stopTimer struct {
	*tickWriter
	b *testing.B
}

func (s stopTimer) Binary(conn int, msg []byte) error {
	err := s.tickWriter.Binary(conn, msg)
	if err != nil {
		s.b.StopTimer()
	}
	return err
}

// startFrameServer is a minimal WebSocket server: it completes the
// handshake, writes msg as count binary frames as fast as the client reads
// (the client's own work is all that is measured), and answers the
// client's close frame.
func startFrameServer(tb testing.TB, msg []byte, count int) string {
	var frame []byte
	frame = append(frame, 0x82)
	switch n := len(msg); {
	case n < 126:
		frame = append(frame, byte(n))
	case n < 1<<16:
		frame = append(frame, 126, byte(n>>8), byte(n))
	default:
		frame = append(frame, 127)
		frame = binary.BigEndian.AppendUint64(frame, uint64(n))
	}
	frame = append(frame, msg...)
	batch := []byte(strings.Repeat(string(frame), 32))

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		conn, rw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(rw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", base64.StdEncoding.EncodeToString(sum[:]))
		if rw.Flush() != nil {
			return
		}
		closed := make(chan struct{})
		go func() {
			defer close(closed)
			readClientFrames(rw.Reader)
			conn.Write([]byte{0x88, 2, 0x03, 0xe8}) // close 1000
		}()
		for left := count; left > 0; {
			n := min(left, 32)
			if _, err := conn.Write(batch[:n*len(frame)]); err != nil {
				return
			}
			left -= n
		}
		<-closed
	}))
	tb.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
}

// readClientFrames skips the client's (masked) frames until a close frame
// or an error.
func readClientFrames(r *bufio.Reader) {
	var hdr [8]byte
	for {
		if _, err := io.ReadFull(r, hdr[:2]); err != nil {
			return
		}
		opcode := hdr[0] & 0x0f
		n := uint64(hdr[1] & 0x7f)
		switch n {
		case 126:
			if _, err := io.ReadFull(r, hdr[:2]); err != nil {
				return
			}
			n = uint64(binary.BigEndian.Uint16(hdr[:2]))
		case 127:
			if _, err := io.ReadFull(r, hdr[:8]); err != nil {
				return
			}
			n = binary.BigEndian.Uint64(hdr[:8])
		}
		if _, err := r.Discard(int(n) + 4); err != nil { // payload and mask key
			return
		}
		if opcode == 0x8 {
			return
		}
	}
}

// BenchmarkDropQueue is what --on-slow drop costs the ticker's reader per
// message of 100 full ticks. full: no writer, so every push drops the
// oldest tick message; order_queued: the same with an order update queued
// first, which must never be the one dropped; draining: the writer prints
// to io.Discard meanwhile.
func BenchmarkDropQueue(b *testing.B) {
	msg := benchMessage(100)
	order := []byte(`{"type":"order","data":{"order_id":"1","status":"COMPLETE"}}`)
	push := func(b *testing.B, q *dropQueue) {
		b.ReportAllocs()
		b.SetBytes(int64(len(msg)))
		for b.Loop() {
			if err := q.Binary(1, msg); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("full", func(b *testing.B) {
		push(b, newDropQueue(newBenchWriter(io.Discard, 0), dropQueueLen))
	})
	b.Run("order_queued", func(b *testing.B) {
		q := newDropQueue(newBenchWriter(io.Discard, 0), dropQueueLen)
		if err := q.Text(1, order); err != nil {
			b.Fatal(err)
		}
		push(b, q)
	})
	b.Run("draining", func(b *testing.B) {
		q := newDropQueue(newBenchWriter(io.Discard, 0), dropQueueLen)
		drained := make(chan struct{})
		go func() {
			defer close(drained)
			q.drain(func(err error) { b.Error(err) })
		}()
		push(b, q)
		q.close(true)
		<-drained
	})
}
