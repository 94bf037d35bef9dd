package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/ticks"
)

func TestNextIST(t *testing.T) {
	// 2026-11-21 10:00 IST.
	now := time.Date(2026, 11, 21, 4, 30, 0, 0, time.UTC)
	for _, c := range []struct{ in, want string }{
		{"15:30", "2026-11-21T15:30:00+05:30"},
		{"09:15", "2026-11-22T09:15:00+05:30"}, // already past today: tomorrow
		{"10:00", "2026-11-22T10:00:00+05:30"}, // now is not "next"
	} {
		got, err := nextIST(c.in, now)
		if err != nil || got.Format(time.RFC3339) != c.want {
			t.Errorf("nextIST(%q) = %v, %v; want %s", c.in, got.Format(time.RFC3339), err, c.want)
		}
	}
	for _, bad := range []string{"25:00", "3pm", "", "15:30:00"} {
		if _, err := nextIST(bad, now); err == nil {
			t.Errorf("nextIST(%q) accepted", bad)
		}
	}
}

// Kite's error and message texts go to stderr, and with --events also to
// stdout verbatim; order updates only with --orders.
func TestTickWriterText(t *testing.T) {
	var out, errOut bytes.Buffer
	w := newBenchWriter(&out, 0)
	w.errOut = &errOut
	msgs := []string{
		`{"type":"error","data":"Invalid mode \"deep\""}`,
		`{"type": "message", "data": "market closes soon"}`,
		`{"type":"order","data":{"order_id":"1","status":"COMPLETE"}}`,
	}
	for _, m := range msgs {
		if err := w.Text(1, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	w.out.Flush()
	if out.Len() != 0 {
		t.Fatalf("without --events/--orders nothing goes to stdout, got %q", out.String())
	}
	if want := "kite: ticker error: Invalid mode \"deep\"\nkite: ticker message: market closes soon\n"; errOut.String() != want {
		t.Fatalf("stderr %q, want %q", errOut.String(), want)
	}

	out.Reset()
	w.events, w.orders = true, true
	for _, m := range msgs {
		if err := w.Text(1, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	w.out.Flush()
	want := `{"type":"error","data":"Invalid mode \"deep\""}` + "\n" +
		`{"type":"message","data":"market closes soon"}` + "\n" +
		`{"type":"order","data":{"order_id":"1","status":"COMPLETE"}}` + "\n"
	if out.String() != want {
		t.Fatalf("stdout:\n%s\nwant:\n%s", out.String(), want)
	}
}

// A malformed message's good packets are printed and the fault is logged
// with its offset.
func TestTickWriterMalformedKeepsGoodPackets(t *testing.T) {
	msg := ticks.AppendMessage(nil,
		ticks.Tick{Mode: ticks.ModeLTP, InstrumentToken: 408065, LastPrice: 157370},
		ticks.Tick{Mode: ticks.ModeLTP, InstrumentToken: 738561, LastPrice: 250000})
	binary.BigEndian.PutUint16(msg, 3) // promises a third packet that is not there
	var out, logs bytes.Buffer
	w := newBenchWriter(&out, 0)
	w.symbols[408065] = "NSE:INFY"
	w.logger = slog.New(slog.NewTextHandler(&logs, nil))
	if err := w.Binary(1, msg); err != nil {
		t.Fatal(err)
	}
	want := `{"tradable":true,"mode":"ltp","instrument_token":408065,"last_price":1573.7,"symbol":"NSE:INFY"}` + "\n" +
		`{"tradable":true,"mode":"ltp","instrument_token":738561,"last_price":2500}` + "\n"
	if out.String() != want {
		t.Fatalf("stdout:\n%s\nwant:\n%s", out.String(), want)
	}
	if !strings.Contains(logs.String(), "offset=22") {
		t.Fatalf("log does not give the offset of the fault (22): %s", logs.String())
	}
}

// Whatever arrives, --raw writes only whole, valid messages, so the
// capture always decodes; --count cuts exactly.
func FuzzRawMessage(f *testing.F) {
	f.Add(ticks.AppendMessage(nil, ticks.Tick{Mode: ticks.ModeFull, InstrumentToken: 408065}), 0)
	f.Add(ticks.AppendMessage(nil, ticks.Tick{Mode: ticks.ModeLTP, InstrumentToken: 256265}, ticks.Tick{Mode: ticks.ModeQuote, InstrumentToken: 408065}), 1)
	f.Add([]byte{0, 1, 0, 184, 0, 0, 1, 1}, 0)
	f.Add([]byte{0, 2, 0, 8, 0, 0, 1, 1, 0, 0, 0, 5, 0, 9}, 0)
	f.Add([]byte{0}, 3)
	// A 12-byte packet between two LTPs: skipped, and kept in a cut message.
	f.Add([]byte{0, 3, 0, 8, 0, 6, 0x3A, 1, 0, 0, 0, 5, 0, 12, 0, 6, 0x3A, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 8, 0, 6, 0x3A, 1, 0, 0, 0, 6}, 2)
	f.Fuzz(func(t *testing.T, msg []byte, limit int) {
		if limit < 0 || limit > 1000 {
			return
		}
		var out bytes.Buffer
		w := newBenchWriter(&out, limit)
		w.raw = true
		err := w.Binary(1, msg)
		if err != nil && !errors.Is(err, errStreamDone) {
			t.Fatal(err)
		}
		w.out.Flush()
		want := 0
		it := ticks.NewIter(msg)
		var tk ticks.Tick
		for it.Next(&tk) {
			want++
		}
		if limit > 0 {
			want = min(want, limit)
		}
		got := 0
		rd := ticks.NewReader(bytes.NewReader(out.Bytes()))
		for {
			m, off, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("raw output does not decode at %d: %v", off, err)
			}
			it := ticks.NewIter(m)
			for it.Next(&tk) {
				got++
			}
			if it.Err() != nil {
				t.Fatal(it.Err())
			}
		}
		if got != want {
			t.Fatalf("%d ticks written, want %d", got, want)
		}
	})
}

// Ticks in another mode than asked (Kite's quote-mode start of a new
// subscription) are not printed as NDJSON and do not count.
func TestTickWriterKeepsTheAskedMode(t *testing.T) {
	msg := ticks.AppendMessage(nil,
		ticks.Tick{Mode: ticks.ModeQuote, InstrumentToken: 408065, LastPrice: 100},
		ticks.Tick{Mode: ticks.ModeFull, InstrumentToken: 408065, LastPrice: 200})
	var out bytes.Buffer
	w := newBenchWriter(&out, 1)
	w.mode = ticks.ModeFull
	if err := w.Binary(1, msg); !errors.Is(err, errStreamDone) {
		t.Fatalf("Binary = %v, want done after one full tick", err)
	}
	if got := out.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, `"mode":"full"`) || !strings.Contains(got, `"last_price":2,`) {
		t.Fatalf("output %q, want only the full tick", got)
	}
}

// A packet Kite does not send is skipped and the rest of its message
// printed ([ltp, 12-byte packet, ltp] gives 2 ticks); the first is
// described in a warning and the total told at the end. --raw keeps the
// skipped packet when it cuts a message for --count, so the capture still
// frames.
func TestTickWriterSkipsUnknownPackets(t *testing.T) {
	ltp := func(price int32) []byte {
		return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32([]byte{0, 8}, 408065), uint32(price))
	}
	msg := append([]byte{0, 3}, ltp(157370)...)
	msg = append(msg, 0, 12, 0, 6, 0x3A, 0x01, 0, 0, 0, 1, 0, 0, 0, 2) // 12 bytes for INFY
	msg = append(msg, ltp(157375)...)
	var out, logs, errOut bytes.Buffer
	w := newBenchWriter(&out, 0)
	w.logger = slog.New(slog.NewTextHandler(&logs, nil))
	w.errOut = &errOut
	for range 2 {
		if err := w.Binary(1, msg); err != nil {
			t.Fatal(err)
		}
	}
	w.skipReport()
	want := `{"tradable":true,"mode":"ltp","instrument_token":408065,"last_price":1573.7}` + "\n" +
		`{"tradable":true,"mode":"ltp","instrument_token":408065,"last_price":1573.75}` + "\n"
	if out.String() != want+want {
		t.Fatalf("stdout:\n%s\nwant twice:\n%s", out.String(), want)
	}
	if strings.Count(logs.String(), "skipping a ticker packet") != 1 || !strings.Contains(logs.String(), "skipped packet 2 at byte 12: unknown length 12") {
		t.Fatalf("want one warning describing the first skip; logs:\n%s", logs.String())
	}
	if errOut.String() != "kite: skipped 2 ticker packets Kite does not send (the first is in the warning above)\n" {
		t.Fatalf("summary %q", errOut.String())
	}

	out.Reset()
	w = newBenchWriter(&out, 1)
	w.raw = true
	msg2 := append([]byte{0, 3}, msg[12:26]...) // the 12-byte packet first
	msg2 = append(msg2, ltp(1)...)
	msg2 = append(msg2, ltp(2)...)
	if err := w.Binary(1, msg2); !errors.Is(err, errStreamDone) {
		t.Fatalf("Binary = %v, want done after one tick", err)
	}
	w.out.Flush()
	// Count 2: the skipped packet and the first LTP.
	if want := append([]byte{0, 2}, msg2[2:26]...); !bytes.Equal(out.Bytes(), want) {
		t.Fatalf("raw output %x, want %x", out.Bytes(), want)
	}
}
