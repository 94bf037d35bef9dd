package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/recording"
)

// handRecording is a recording of two hand-written messages: INFY's ltp
// tick (tickRecords[0]) received at 2026-11-20 09:15 IST, then the index
// quote tick (tickRecords[3]) a second later, with a text and an event
// between them that decode leaves out. Only INFY is in the mapping.
func handRecording(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := recording.NewWriter(&buf, recording.Header{
		Created:     time.Unix(1795146300, 0),
		Instruments: []recording.Instrument{{Token: 408065, Exchange: "NSE", Tradingsymbol: "INFY", InstrumentType: "EQ", Segment: "NSE", LotSize: 1, TickSize: 0.05}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ltp := ticksBE(uint16(1), uint16(8), uint32(408065), int32(157370))
	idx := ticksBE(uint16(1), uint16(28), uint32(256265), int32(2456785), int32(2460000), int32(2440050), int32(2445000), int32(2450000), int32(6785))
	for _, f := range []recording.Frame{
		{Recv: 1795146300000000000, Conn: 1, Kind: recording.KindBinary, Data: ltp},
		{Recv: 1795146300500000000, Conn: 1, Kind: recording.KindText, Data: []byte(`{"type":"message","data":"hello"}`)},
		{Recv: 1795146300600000000, Conn: 1, Kind: recording.KindEvent, Data: []byte(`{"event":"reconnecting","connection":1}`)},
		{Recv: 1795146301000000000, Conn: 2, Kind: recording.KindBinary, Data: idx},
	} {
		if err := w.Write(f); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil { // a block each, to cut between them
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

var handDecoded = []string{
	`{"tradable":true,"mode":"ltp","instrument_token":408065,"last_price":1573.7,"symbol":"NSE:INFY","recv_time":1795146300000000000}`,
	`{"tradable":false,"mode":"quote","instrument_token":256265,"last_price":24567.85,"ohlc":{"open":24450,"high":24600,"low":24400.5,"close":24500},"change":0.2769,"recv_time":1795146301000000000}`,
}

// kite ticks decode reads recordings and raw captures, several in order,
// adding symbol and recv_time from a recording.
func TestTicksDecodeRecordings(t *testing.T) {
	rec := writeTicksFile(t, "a.krec", handRecording(t))
	raw := writeTicksFile(t, "b.bin", ticksBE(uint16(1), uint16(8), uint32(408065), int32(157370)))
	r := runKite(t, kiteRun{}, "ticks", "decode", rec, raw, rec)
	if r.Code != 0 || r.Stderr != "" {
		t.Fatalf("exit %d; stderr:\n%s", r.Code, r.Stderr)
	}
	want := strings.Join(append(append(handDecoded, tickRecords[0]), handDecoded...), "\n") + "\n"
	if r.Stdout != want {
		t.Fatalf("got\n%s\nwant\n%s", r.Stdout, want)
	}
	// From standard input too.
	r = runKite(t, kiteRun{Stdin: bytes.NewReader(handRecording(t))}, "ticks", "decode", "--jq", ".recv_time")
	if r.Code != 0 || r.Stdout != "1795146300000000000\n1795146301000000000\n" {
		t.Fatalf("stdin with --jq: %+v", r)
	}
}

// A recording cut inside its last block (a killed recorder) decodes up to
// the cut, says so, and exits 0; a damaged block exits 1.
func TestTicksDecodeTornAndDamaged(t *testing.T) {
	full := handRecording(t)
	torn := writeTicksFile(t, "torn.krec", full[:len(full)-3])
	r := runKite(t, kiteRun{}, "ticks", "decode", torn, torn)
	if r.Code != 0 || r.Stdout != handDecoded[0]+"\n"+handDecoded[0]+"\n" {
		t.Fatalf("torn: exit %d, stdout:\n%s", r.Code, r.Stdout)
	}
	if strings.Count(r.Stderr, "ends inside a block") != 2 || !strings.Contains(r.Stderr, "torn.krec: byte ") {
		t.Errorf("torn: stderr %q", r.Stderr)
	}
	bad := append([]byte(nil), full...)
	bad[len(bad)-3] ^= 0x55
	path := writeTicksFile(t, "bad.krec", bad)
	r = runKite(t, kiteRun{}, "ticks", "decode", path)
	if r.Code != 1 || r.Stdout != handDecoded[0]+"\n" || !strings.Contains(r.Stderr, "damaged block") || !strings.Contains(r.Stderr, "checksum") {
		t.Fatalf("damaged: %+v", r)
	}
	r = runKite(t, kiteRun{}, "ticks", "decode", path, "/no/such/file")
	if r.Code != 2 || r.Stdout != "" || !strings.Contains(r.Stderr, "/no/such/file") {
		t.Fatalf("missing file: %+v", r)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}
