package ticks

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// readAll drains r, returning the messages (copied), their offsets and the
// final error.
func readAll(r *Reader) (msgs [][]byte, offs []int, err error) {
	for {
		msg, off, err := r.Next()
		if err != nil {
			if len(msg) > 0 {
				msgs, offs = append(msgs, bytes.Clone(msg)), append(offs, off)
			}
			return msgs, offs, err
		}
		msgs, offs = append(msgs, bytes.Clone(msg)), append(offs, off)
	}
}

func TestReaderSplitsMessages(t *testing.T) {
	m1 := message(ltpPacket)
	m2 := message(fullPacket, indexQuotePacket)
	m3 := []byte{0, 0} // zero packets
	stream := bytes.Join([][]byte{m1, m2, m3, m1}, nil)
	for name, src := range map[string]io.Reader{
		"whole":      bytes.NewReader(stream),
		"one byte":   iotest.OneByteReader(bytes.NewReader(stream)),
		"half reads": iotest.HalfReader(bytes.NewReader(stream)),
		"data+EOF":   iotest.DataErrReader(bytes.NewReader(stream)),
	} {
		t.Run(name, func(t *testing.T) {
			msgs, offs, err := readAll(NewReader(src))
			if err != io.EOF {
				t.Fatalf("err = %v, want io.EOF", err)
			}
			want := [][]byte{m1, m2, m3, m1}
			wantOffs := []int{0, len(m1), len(m1) + len(m2), len(m1) + len(m2) + 2}
			if len(msgs) != len(want) {
				t.Fatalf("%d messages, want %d", len(msgs), len(want))
			}
			for i := range want {
				if !bytes.Equal(msgs[i], want[i]) || offs[i] != wantOffs[i] {
					t.Fatalf("message %d at %d = %x, want %x at %d", i, offs[i], msgs[i], want[i], wantOffs[i])
				}
			}
		})
	}
}

func TestReaderEmptyInput(t *testing.T) {
	if _, _, err := NewReader(bytes.NewReader(nil)).Next(); err != io.EOF {
		t.Fatalf("err = %v", err)
	}
}

func TestReaderLargeMessage(t *testing.T) {
	// 1000 full packets: 186,002 bytes, past the initial 64 KiB buffer.
	pkts := make([][]byte, 1000)
	for i := range pkts {
		pkts[i] = fullPacket
	}
	big := message(pkts...)
	stream := append(append(message(ltpPacket), big...), message(ltpPacket)...)
	msgs, offs, err := readAll(NewReader(iotest.HalfReader(bytes.NewReader(stream))))
	if err != io.EOF || len(msgs) != 3 || !bytes.Equal(msgs[1], big) || offs[2] != 12+len(big) {
		t.Fatalf("err=%v n=%d offs=%v", err, len(msgs), offs)
	}
}

func TestReaderMalformed(t *testing.T) {
	good := message(ltpPacket, quotePacket) // 58 bytes
	cases := []struct {
		name    string
		bad     []byte // appended after good
		reason  error
		offset  int // in the stream
		prefix  int // bytes of the bad message returned with the error
		packets int // complete packets in that prefix
	}{
		{"lone byte at the end", []byte{0}, ErrTruncatedHeader, 58, 1, 0},
		{"cut off in a packet", append(be(uint16(2)), append(message(ltpPacket)[2:], be(uint16(184), infy)...)...), ErrPacketOverrun, 58 + 12, 12, 1},
		{"cut off in a length", append(be(uint16(2)), append(message(ltpPacket)[2:], 0)...), ErrTruncatedHeader, 58 + 12, 12, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stream := append(bytes.Clone(good), c.bad...)
			r := NewReader(iotest.OneByteReader(bytes.NewReader(stream)))
			if msg, off, err := r.Next(); err != nil || off != 0 || !bytes.Equal(msg, good) {
				t.Fatalf("first message: %x at %d, %v", msg, off, err)
			}
			msg, off, err := r.Next()
			var de *DecodeError
			if !errors.As(err, &de) || !errors.Is(err, c.reason) || de.Offset != c.offset {
				t.Fatalf("err = %v (%+v), want %v at %d", err, de, c.reason, c.offset)
			}
			if off != 58 || len(msg) != c.prefix {
				t.Fatalf("bad message returned at %d with %d bytes, want at 58 with %d", off, len(msg), c.prefix)
			}
			got, _ := Decode(msg)
			if len(got) != c.packets || (c.packets > 0 && got[0] != ltpTick) {
				t.Fatalf("prefix decodes to %+v", got)
			}
			if _, _, again := r.Next(); again != err {
				t.Fatalf("after a fault Next returned %v, want the same error", again)
			}
		})
	}
}

// A packet of a length Kite does not send is framing the Reader can still
// follow: the message is returned whole (the Iter skips the packet) and the
// messages after it are read.
func TestReaderPassesUnknownLengths(t *testing.T) {
	odd := message(ltpPacket, make([]byte, 50), ltpPacket) // 2+10+52+10 = 74 bytes
	stream := append(append(message(quotePacket), odd...), message(ltpPacket)...)
	msgs, offs, err := readAll(NewReader(iotest.OneByteReader(bytes.NewReader(stream))))
	if err != io.EOF || len(msgs) != 3 || !bytes.Equal(msgs[1], odd) || offs[1] != 48 || offs[2] != 48+74 {
		t.Fatalf("err=%v n=%d offs=%v", err, len(msgs), offs)
	}
	got, derr := Decode(msgs[1])
	if len(got) != 2 || !errors.Is(derr, ErrUnknownLength) {
		t.Fatalf("middle message: %+v, %v", got, derr)
	}
}

// A message longer than MaxMessageLen is refused before the buffer grows
// past it: 65535 packets of 65535 bytes would be 4 GB.
func TestReaderRefusesHugeMessage(t *testing.T) {
	pkt := make([]byte, 65535)
	var stream []byte
	stream = append(stream, be(uint16(65535))...)
	for len(stream) < MaxMessageLen+2*65537 {
		stream = append(stream, be(uint16(65535))...)
		stream = append(stream, pkt...)
	}
	r := NewReader(bytes.NewReader(stream))
	_, _, err := r.Next()
	var de *DecodeError
	// MaxMessageLen = 2 + 65535·186 = 12,189,512. Packet k (0-based) starts
	// at 2 + k·65537 and ends at 2 + (k+1)·65537, past the limit first for
	// k + 1 = 186 (186·65537 = 12,189,882 > 12,189,510): packet 186.
	if !errors.As(err, &de) || de.Reason != ErrMessageTooLong || de.Packet != 185 || de.Offset != 2+185*65537 {
		t.Fatalf("err = %v (%+v)", err, de)
	}
	if len(r.buf) > MaxMessageLen {
		t.Fatalf("buffer grew to %d bytes", len(r.buf))
	}
}

func TestReaderPassesReadErrorsThrough(t *testing.T) {
	boom := errors.New("disk on fire")
	src := io.MultiReader(bytes.NewReader(message(ltpPacket)[:5]), iotest.ErrReader(boom))
	r := NewReader(src)
	if _, _, err := r.Next(); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
}

type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestReaderGivesUpOnAReaderThatNeverProgresses(t *testing.T) {
	if _, _, err := NewReader(zeroReader{}).Next(); !errors.Is(err, io.ErrNoProgress) {
		t.Fatalf("err = %v", err)
	}
}

func TestReaderDoesNotAllocatePerMessage(t *testing.T) {
	one := message(fullPacket, ltpPacket)
	stream := bytes.Repeat(one, 2000)
	src := bytes.NewReader(stream)
	r := NewReader(src)
	n := testing.AllocsPerRun(1000, func() {
		if _, _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	})
	if n != 0 {
		t.Fatalf("Next allocated %v times per message", n)
	}
}
