package recording_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/recording"
	"github.com/klauspost/compress/zstd"
)

var created = time.Date(2026, 11, 20, 3, 45, 0, 0, time.UTC) // 09:15 IST

func testHeader() recording.Header {
	return recording.Header{
		Created: created,
		Meta:    []recording.KV{{"writer", "kite test"}, {"mode", "full"}},
		Instruments: []recording.Instrument{
			{Token: 408065, Exchange: "NSE", Tradingsymbol: "INFY", Name: "INFOSYS", InstrumentType: "EQ", Segment: "NSE", LotSize: 1, TickSize: 0.05},
			{Token: 12345858, Exchange: "NFO", Tradingsymbol: "NIFTY26NOV24000CE", Name: "NIFTY", Expiry: "2026-11-26", Strike: 24000, InstrumentType: "CE", Segment: "NFO-OPT", LotSize: 75, TickSize: 0.05},
		},
	}
}

func writeRecording(t testing.TB, h recording.Header, blocks [][]recording.Frame) ([]byte, []int64) {
	t.Helper()
	var buf bytes.Buffer
	w, err := recording.NewWriter(&buf, h)
	if err != nil {
		t.Fatal(err)
	}
	ends := []int64{int64(buf.Len())}
	for _, fs := range blocks {
		for _, f := range fs {
			if err := w.Write(f); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		ends = append(ends, int64(buf.Len()))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), ends
}

func readAll(t testing.TB, b []byte) ([]recording.Frame, *recording.Header, error) {
	t.Helper()
	r, err := recording.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, nil, err
	}
	var out []recording.Frame
	for {
		f, err := r.Next()
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return out, r.Header(), err
		}
		f.Data = append([]byte(nil), f.Data...)
		out = append(out, f)
	}
}

var sampleFrames = [][]recording.Frame{
	{
		{Recv: 1763610300000000001, Conn: 1, Kind: recording.KindEvent, Data: []byte(`{"event":"connected","connection":1,"instruments":2}`)},
		{Recv: 1763610300500000000, Conn: 1, Kind: recording.KindBinary, Data: []byte{0, 1, 0, 8, 0, 6, 58, 1, 0, 2, 102, 250}},
	},
	{
		{Recv: 1763610301000000000, Conn: 2, Kind: recording.KindText, Data: []byte(`{"type":"order","data":{"order_id":"1"}}`)},
	},
}

func TestRoundTrip(t *testing.T) {
	b, _ := writeRecording(t, testHeader(), sampleFrames)
	got, h, err := readAll(t, b)
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]recording.Frame(nil), sampleFrames[0]...), sampleFrames[1]...)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("frames:\n got %+v\nwant %+v", got, want)
	}
	wh := testHeader()
	if !h.Created.Equal(wh.Created) || !reflect.DeepEqual(h.Meta, wh.Meta) || !reflect.DeepEqual(h.Instruments, wh.Instruments) {
		t.Errorf("header:\n got %+v\nwant %+v", h, wh)
	}
	if h.Get("mode") != "full" || h.Get("nope") != "" {
		t.Errorf("Get: mode %q", h.Get("mode"))
	}
}

// TestLayoutAsDocumented reads a recording the way docs/recording-format.md
// tells a reader in another language to: by hand, with zstd and CRC-32C
// from elsewhere, checking each field against values written out here.
func TestLayoutAsDocumented(t *testing.T) {
	b, _ := writeRecording(t, testHeader(), sampleFrames[1:])
	want := []byte{0x89, 'K', 'R', 'E', 'C', '\r', '\n', 0x1a, 1, 0}
	if !bytes.Equal(b[:10], want) {
		t.Fatalf("file header % x, want % x", b[:10], want)
	}
	dec, _ := zstd.NewReader(nil)
	off := 10
	block := func(wantType byte) []byte {
		t.Helper()
		if b[off] != wantType {
			t.Fatalf("block at %d has type %q, want %q", off, b[off], wantType)
		}
		ulen := binary.LittleEndian.Uint32(b[off+1:])
		clen := binary.LittleEndian.Uint32(b[off+5:])
		sum := binary.LittleEndian.Uint32(b[off+9:])
		comp := b[off+13 : off+13+int(clen)]
		if got := crc32.Checksum(comp, crc32.MakeTable(crc32.Castagnoli)); got != sum {
			t.Fatalf("CRC-32C %08x, header says %08x", got, sum)
		}
		plain, err := dec.DecodeAll(comp, nil)
		if err != nil || len(plain) != int(ulen) {
			t.Fatalf("zstd: %v, %d bytes, header says %d", err, len(plain), ulen)
		}
		off += 13 + int(clen)
		return plain
	}
	h := block('H')
	// date -u -d "2026-11-20 03:45" +%s is 1795146300.
	if ns := int64(binary.LittleEndian.Uint64(h)); ns != 1795146300000000000 {
		t.Errorf("created %d", ns)
	}
	// 2 meta entries: u16 2, then "writer" (u16 6) ...
	if !bytes.Equal(h[8:18], []byte{2, 0, 6, 0, 'w', 'r', 'i', 't', 'e', 'r'}) {
		t.Errorf("meta start % x", h[8:18])
	}
	// Skip the meta: writer/kite test, mode/full.
	p := h[8+2+2+6+2+9+2+4+2+4:]
	if n := binary.LittleEndian.Uint32(p); n != 2 {
		t.Fatalf("instrument count %d", n)
	}
	p = p[4:]
	if tok := binary.LittleEndian.Uint32(p); tok != 408065 {
		t.Errorf("first token %d", tok)
	}
	// INFY: exchange NSE, symbol INFY, name INFOSYS, expiry "", strike 0.
	p = p[4+2+3+2+4+2+7+2:]
	if s := math.Float64frombits(binary.LittleEndian.Uint64(p)); s != 0 {
		t.Errorf("strike %v", s)
	}
	p = p[8+2+2+2+3:] // strike, "EQ", "NSE"
	if lot, tick := binary.LittleEndian.Uint32(p), math.Float64frombits(binary.LittleEndian.Uint64(p[4:])); lot != 1 || tick != 0.05 {
		t.Errorf("lot %d tick %v", lot, tick)
	}
	f := block('F')
	// One frame: recv 1763610301000000000, conn 2, kind 2, then the text.
	text := `{"type":"order","data":{"order_id":"1"}}`
	if len(f) != 14+len(text) {
		t.Fatalf("frames block is %d bytes, want %d", len(f), 14+len(text))
	}
	if ns := binary.LittleEndian.Uint64(f); ns != 1763610301000000000 || f[8] != 2 || f[9] != 2 || binary.LittleEndian.Uint32(f[10:]) != uint32(len(text)) || string(f[14:]) != text {
		t.Errorf("frame % x", f[:14])
	}
	if off != len(b) {
		t.Errorf("%d bytes after the last block", len(b)-off)
	}
}

// TestTornTail cuts a recording at every length: a reader gets exactly the
// frames of the blocks that are whole, then io.EOF at a block boundary or
// ErrTruncated inside one; never a panic or a frame of the torn block.
func TestTornTail(t *testing.T) {
	b, ends := writeRecording(t, testHeader(), sampleFrames)
	counts := []int{0, 2, 3} // frames readable once ends[i] bytes are there
	for cut := 0; cut <= len(b); cut++ {
		got, _, err := readAll(t, b[:cut])
		want := -1
		for i, e := range ends {
			if int64(cut) >= e {
				want = counts[i]
			}
		}
		switch {
		case cut == 0:
			if !errors.Is(err, recording.ErrNotRecording) {
				t.Errorf("empty file: %v", err)
			}
			continue
		case want < 0:
			if !errors.Is(err, recording.ErrTruncated) {
				t.Errorf("cut at %d, inside the header: error %v, want ErrTruncated", cut, err)
			}
			continue
		}
		atBoundary := false
		for _, e := range ends {
			atBoundary = atBoundary || int64(cut) == e
		}
		if atBoundary && err != nil {
			t.Errorf("cut at %d, a block boundary: %v", cut, err)
		}
		var de *recording.DamageError
		if !atBoundary && (!errors.Is(err, recording.ErrTruncated) || !errors.As(err, &de)) {
			t.Errorf("cut at %d: error %v, want a DamageError with ErrTruncated", cut, err)
		}
		if len(got) != want {
			t.Errorf("cut at %d: %d frames, want %d", cut, len(got), want)
		}
	}
}

func TestDamagedBlock(t *testing.T) {
	b, ends := writeRecording(t, testHeader(), sampleFrames)
	b[ends[1]+20] ^= 0xff // inside the second frames block's compressed bytes
	got, _, err := readAll(t, b)
	var de *recording.DamageError
	if !errors.Is(err, recording.ErrCorrupt) || !errors.As(err, &de) || de.Offset != ends[1] {
		t.Fatalf("error %v, want ErrCorrupt at byte %d", err, ends[1])
	}
	if len(got) != 2 {
		t.Errorf("%d frames before the damage, want 2", len(got))
	}
	// A power cut can leave zeros where a block should be.
	b, ends = writeRecording(t, testHeader(), sampleFrames)
	b = append(b[:ends[2]], make([]byte, 4096)...)
	if got, _, err = readAll(t, b); !errors.Is(err, recording.ErrCorrupt) || len(got) != 3 {
		t.Errorf("zero tail: %d frames, error %v", len(got), err)
	}
}

func TestNotARecording(t *testing.T) {
	raw := []byte{0, 1, 0, 8, 0, 6, 58, 1, 0, 2, 102, 250} // a raw ltp capture
	if _, err := recording.NewReader(bytes.NewReader(raw)); !errors.Is(err, recording.ErrNotRecording) {
		t.Errorf("raw capture: %v", err)
	}
	if recording.IsRecording(raw) || !recording.IsRecording([]byte("\x89KREC\r\n\x1a\x01\x00")) {
		t.Error("IsRecording")
	}
	future := []byte("\x89KREC\r\n\x1a\x02\x00")
	if _, err := recording.NewReader(bytes.NewReader(future)); err == nil || errors.Is(err, recording.ErrNotRecording) {
		t.Errorf("version 2: %v", err)
	}
}

func TestBlockSize(t *testing.T) {
	var buf bytes.Buffer
	w, err := recording.NewWriter(&buf, testHeader())
	if err != nil {
		t.Fatal(err)
	}
	w.SetBlockSize(100)
	data := bytes.Repeat([]byte{7}, 60)
	for i := range 5 {
		if err := w.Write(recording.Frame{Recv: int64(i), Conn: 1, Kind: recording.KindBinary, Data: data}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := recording.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		f, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil || f.Recv != int64(n) {
			t.Fatalf("frame %d: %+v %v", n, f, err)
		}
		n++
	}
	// 74-byte frames in 100-byte blocks: one frame a block.
	if n != 5 || r.Blocks() != 5 {
		t.Errorf("%d frames in %d blocks, want 5 in 5", n, r.Blocks())
	}
}

type failWriter struct{ n, limit int }

func (f *failWriter) Write(b []byte) (int, error) {
	if f.n+len(b) > f.limit {
		k := f.limit - f.n
		f.n = f.limit
		return k, errors.New("no space left on device")
	}
	f.n += len(b)
	return len(b), nil
}

func TestWriteErrorIsSticky(t *testing.T) {
	fw := &failWriter{limit: 200}
	w, err := recording.NewWriter(fw, testHeader())
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Write(recording.Frame{Kind: recording.KindBinary, Data: bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7}, 1000)})
	if err := w.Flush(); err == nil {
		t.Fatal("flush past the limit succeeded")
	}
	if err := w.Write(recording.Frame{Kind: recording.KindBinary, Data: []byte{1}}); err == nil {
		t.Error("a write after a failed flush succeeded")
	}
}
