package recording_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"testing"

	"github.com/kitecli/kite/pkg/recording"
	"github.com/klauspost/compress/zstd"
)

// FuzzReader feeds the Reader untrusted bytes: it must return frames and
// then io.EOF, ErrNotRecording, a *DamageError or a version error; never
// panic, loop, or hand out a frame past the limits.
func FuzzReader(f *testing.F) {
	good, ends := writeRecording(f, testHeader(), sampleFrames)
	f.Add(good)
	f.Add(good[:ends[1]+5])                                    // torn inside a block
	f.Add(good[:ends[0]])                                      // header only
	f.Add(append(good[:ends[2]:ends[2]], make([]byte, 64)...)) // zeros after
	f.Add([]byte(recording.Magic))
	f.Add([]byte{0, 1, 0, 8, 0, 6, 58, 1, 0, 2, 102, 250})
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)-3] ^= 1
	f.Add(flipped)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := recording.NewReader(bytes.NewReader(b))
		if err != nil {
			checkErr(t, err)
			return
		}
		for n := 0; ; n++ {
			fr, err := r.Next()
			if err != nil {
				if err != io.EOF {
					checkErr(t, err)
				}
				return
			}
			if len(fr.Data) > recording.MaxFrame || n > len(b) {
				t.Fatalf("frame %d of %d bytes from %d bytes of input", n, len(fr.Data), len(b))
			}
		}
	})
}

func checkErr(t *testing.T, err error) {
	var de *recording.DamageError
	if errors.Is(err, recording.ErrNotRecording) || errors.As(err, &de) || bytes.Contains([]byte(err.Error()), []byte("format version")) {
		return
	}
	t.Fatalf("unexpected error kind: %v", err)
}

// FuzzBlockPayloads wraps fuzzed header and frame payloads in well-formed
// blocks (right lengths, checksums and compression), so the fuzzer reaches
// the header and frame parsers behind the checksum.
func FuzzBlockPayloads(f *testing.F) {
	good, _ := writeRecording(f, testHeader(), sampleFrames[:1])
	r, _ := recording.NewReader(bytes.NewReader(good))
	block, _ := r.NextBlock(nil)
	f.Add([]byte{}, block)
	f.Add(make([]byte, 14), block[:20])
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff}, []byte{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0xff, 0xff, 0xff, 0xff})
	enc, _ := zstd.NewWriter(nil)
	f.Fuzz(func(t *testing.T, header, frames []byte) {
		if len(header) == 0 || len(frames) == 0 {
			return
		}
		file := []byte(recording.Magic + "\x01\x00")
		for _, b := range []struct {
			typ     byte
			payload []byte
		}{{'H', header}, {'F', frames}} {
			comp := enc.EncodeAll(b.payload, nil)
			file = append(file, b.typ)
			file = binary.LittleEndian.AppendUint32(file, uint32(len(b.payload)))
			file = binary.LittleEndian.AppendUint32(file, uint32(len(comp)))
			file = binary.LittleEndian.AppendUint32(file, crc32.Checksum(comp, crc32.MakeTable(crc32.Castagnoli)))
			file = append(file, comp...)
		}
		r, err := recording.NewReader(bytes.NewReader(file))
		if err != nil {
			checkErr(t, err)
			return
		}
		total := 0
		for {
			fr, err := r.Next()
			if err != nil {
				if err != io.EOF {
					checkErr(t, err)
				}
				break
			}
			total += 14 + len(fr.Data)
		}
		if total > len(frames) {
			t.Fatalf("%d bytes of frames from a %d-byte block", total, len(frames))
		}
	})
}
