package kite

import (
	"bytes"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox/market"
)

// TestParseInstrumentsCSVSandboxDump: the client reads the sandbox's
// instrument dump back to the instruments the sandbox wrote. (The sandbox's
// own tests read its dump without the client's parser.)
func TestParseInstrumentsCSVSandboxDump(t *testing.T) {
	u := market.Universe(time.Date(2026, 11, 20, 11, 0, 0, 0, market.IST))
	var buf bytes.Buffer
	if err := market.WriteCSV(&buf, u); err != nil {
		t.Fatal(err)
	}
	parsed, err := ParseInstrumentsCSV(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(parsed) != len(u) {
		t.Fatalf("parsed %d instruments, wrote %d", len(parsed), len(u))
	}
	for i, p := range parsed {
		in := u[i]
		div := float64(in.Divisor())
		if p.InstrumentToken != in.Token || p.Tradingsymbol != in.Tradingsymbol || p.Segment != in.Segment ||
			p.TickSize != float64(in.TickSize)/div || p.Strike != float64(in.Strike)/div || p.LotSize != int(in.LotSize) {
			t.Errorf("row %d: parsed %+v from %+v", i, p, in)
		}
	}
}
