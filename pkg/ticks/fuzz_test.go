package ticks

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"
)

// seeds: one message per packet kind, a mixed one, a heartbeat, and the
// malformed shapes of TestDecodeErrors.
func seeds() [][]byte {
	return [][]byte{
		message(ltpPacket),
		message(indexQuotePacket),
		message(indexFullPacket),
		message(quotePacket),
		message(fullPacket),
		message(ltpPacket, indexQuotePacket, indexFullPacket, quotePacket, fullPacket),
		message(be(usdinr, int32(745012500))),
		{0},
		{},
		{0, 0},
		append(be(uint16(2)), message(ltpPacket)[2:]...),
		append(be(uint16(1)), be(uint16(9))...),
		append(message(ltpPacket), 1, 2, 3),
		// Skipped packets: an unknown length between two good ones, a
		// zero length, a length that does not suit the token's segment.
		message(ltpPacket, be(infy, int32(1), int32(2)), ltpPacket),
		message(nil, ltpPacket),
		message(append(be(nifty), quotePacket[4:]...), append(be(infy), indexQuotePacket[4:]...), indexFullPacket),
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range seeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		got, err := Decode(msg)
		var de *DecodeError
		if err != nil && (!errors.As(err, &de) || de.Offset < 0 || de.Offset > len(msg) || de.Error() == "") {
			t.Fatalf("bad error %#v", err)
		}
		var line, encLine []byte
		var enc JSONEncoder
		it := NewIter(msg)
		var tk Tick
		n := 0
		for it.Next(&tk) {
			n++
			line = AppendJSON(line[:0], &tk, "NSE:\x00\"fuzz\xff")
			if !json.Valid(line) || line[len(line)-1] != '\n' {
				t.Fatalf("invalid JSON for %+v: %s", tk, line)
			}
			// The stream's encoder, fed every tick of the message, prints
			// the same bytes.
			if encLine = enc.Append(encLine[:0], &tk, "NSE:\x00\"fuzz\xff"); !bytes.Equal(encLine, line) {
				t.Fatalf("JSONEncoder printed %s, AppendJSON %s", encLine, line)
			}
			// Only packets that suit their token's segment are decoded, so
			// every tick re-encodes to a packet that decodes to itself.
			again, err := Decode(Encode(tk))
			if err != nil || len(again) != 1 || !reflect.DeepEqual(again[0], tk) {
				t.Fatalf("re-encoding changed the tick:\n%+v\n%+v (%v)", tk, again, err)
			}
			// And its JSON parses back to the same tick.
			back, _, err := ParseJSON(line)
			want := tk
			if want.IsIndex() && want.Mode != ModeLTP {
				want.NetChange = int32(int64(want.LastPrice) - int64(want.Close))
			}
			if err != nil || !reflect.DeepEqual(back, want) {
				t.Fatalf("JSON round trip of %s: %+v, %v", line, back, err)
			}
		}
		// Every packet read was either decoded or skipped.
		if n+it.Skipped() != it.Packets() || n != len(got) {
			t.Fatalf("%d ticks + %d skipped != %d packets (Decode: %d)", n, it.Skipped(), it.Packets(), len(got))
		}
		// Decode reports the framing fault, else the first skip.
		wantErr := it.Err()
		if wantErr == nil {
			wantErr = it.SkipErr()
		}
		if !errors.Is(wantErr, unwrapReason(err)) || (err == nil) != (wantErr == nil) {
			t.Fatalf("Iter and Decode disagree: %v, %v", wantErr, err)
		}
		if it.Skipped() > 0 && (it.SkipErr() == nil || !Skipped(it.SkipErr())) {
			t.Fatalf("%d skipped but SkipErr = %v", it.Skipped(), it.SkipErr())
		}
		if err == nil {
			// A well-formed message re-encodes to the same bytes' length.
			if n := len(Encode(got...)); n != len(msg) && !(len(msg) == 1 && len(got) == 0) {
				t.Fatalf("re-encoded %d bytes from %d", n, len(msg))
			}
		}
	})
}

func unwrapReason(err error) error {
	if de, ok := err.(*DecodeError); ok {
		return de.Reason
	}
	return err
}

func FuzzReader(f *testing.F) {
	for _, s := range seeds() {
		f.Add(s)
	}
	f.Add(bytes.Join(seeds()[:6], nil))
	f.Fuzz(func(t *testing.T, stream []byte) {
		r := NewReader(bytes.NewReader(stream))
		next := 0
		for {
			msg, off, err := r.Next()
			if off != next {
				t.Fatalf("message at %d, want %d", off, next)
			}
			if !bytes.Equal(msg, stream[off:off+len(msg)]) {
				t.Fatalf("message at %d is not the stream's bytes", off)
			}
			if err == io.EOF {
				if off != len(stream) {
					t.Fatalf("EOF at %d of %d", off, len(stream))
				}
				return
			}
			// Every message (or good prefix) decodes without panicking, and
			// a whole message decodes without error.
			it := NewIter(msg)
			var tk Tick
			for it.Next(&tk) {
			}
			if err != nil {
				var de *DecodeError
				if !errors.As(err, &de) || de.Offset < off || de.Offset > len(stream) {
					t.Fatalf("bad error %v", err)
				}
				return
			}
			if it.Err() != nil && !(len(msg) == 1) {
				t.Fatalf("Reader returned a message that does not decode: %v", it.Err())
			}
			next = off + len(msg)
		}
	})
}

// FuzzParseJSON feeds kite ticks encode's parser arbitrary lines: it must
// never panic, and whatever it accepts must print (AppendJSON) and parse
// back to the same tick and symbol, so an edited capture re-encodes to
// exactly what was read.
func FuzzParseJSON(f *testing.F) {
	var line []byte
	for _, msg := range seeds() {
		ts, _ := Decode(msg)
		for i := range ts {
			line = AppendJSON(line[:0], &ts[i], "NSE:INFY")
			f.Add(append([]byte(nil), line...))
		}
	}
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `{"mode":"ltp"}`,
		`{"mode":"ltp","instrument_token":408065,"last_price":"1573.70"}`,
		`{"mode":"ltp","instrument_token":408065,"last_price":1e3}`,
		`{"mode":"ltp","instrument_token":408065,"last_price":-0.001}`,
		`{"mode":"full","instrument_token":256265,"last_price":1,"exchange_timestamp":"1969-12-31T23:59:59Z"}`,
		`{"type":"order","data":{}}`,
		`{"mode":"ltp","instrument_token":408065,"last_price":1} {}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		tk, sym, err := ParseJSON(in)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		out := AppendJSON(nil, &tk, sym)
		if !json.Valid(out) {
			t.Fatalf("accepted %q but prints invalid JSON %s", in, out)
		}
		again, sym2, err := ParseJSON(out)
		if err != nil || sym2 != sym || !reflect.DeepEqual(again, tk) {
			t.Fatalf("accepted %q as %+v (%q), but its JSON %s parses as %+v (%q), %v", in, tk, sym, out, again, sym2, err)
		}
	})
}
