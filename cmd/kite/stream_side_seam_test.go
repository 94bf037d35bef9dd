package main

import (
	"bytes"
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/internal/output"
	"github.com/kitecli/kite/pkg/ticks"
	"github.com/parquet-go/parquet-go"
)

// Unit tests of the seam of chain, watch, record, replay, sandbox,
// sandbox reset, mcp, ticks convert and ticks encode: newXCmd(f, runF)
// maps flags to the options struct and calls runF instead of running,
// and refuses bad flags before runF. Replay, ticks convert and ticks
// encode also run on real files here, their run function called
// directly. The end-to-end tests stay the contract.

// refusedBeforeRunF runs cmd with args and checks that it fails with a
// usage error saying want, without calling runF (ran).
func refusedBeforeRunF(t *testing.T, ran *bool, want string, run func() error) {
	t.Helper()
	err := run()
	if *ran || err == nil || err.Error() != want || exitcode.Code(err) != exitcode.Usage {
		t.Errorf("ran %v, err %v (exit %d); want the usage error %q before runF", *ran, err, exitcode.Code(err), want)
	}
}

func TestChainFlagsMapToOptions(t *testing.T) {
	var got *ChainOptions
	capture := func(o *ChainOptions) error { got = o; return nil }
	err := recordsRunSeam(newChainCmd(recordsSeamFactory(""), capture), "NIFTY", "--expiry", "monthly",
		"--strikes", "3", "--price", "mid", "--rate", "0.07", "--watchdog", "9s")
	if err != nil || got == nil {
		t.Fatalf("err %v, options %v", err, got)
	}
	if got.Underlying != "NIFTY" || got.Expiry != "monthly" || got.Strikes != 3 || got.Price != "mid" ||
		got.Rate != 0.07 || !got.RateSet || got.Live || got.Conn.Watchdog != 9*time.Second {
		t.Errorf("options %+v", got)
	}

	// Defaults: the next expiry, every strike, the last price, the
	// default rate (KITE_RISK_FREE_RATE unset).
	got = nil
	if err := recordsRunSeam(newChainCmd(recordsSeamFactory(""), capture), "MCX:CRUDEOIL"); err != nil || got == nil {
		t.Fatalf("err %v, options %v", err, got)
	}
	if got.Expiry != "next" || got.Strikes != 0 || got.Price != "last" || got.RateSet || got.Rate != defaultRiskFreeRate {
		t.Errorf("default options %+v", got)
	}

	// --live: NDJSON in a pipe, a table on a terminal, as -o says.
	for _, tc := range []struct {
		output string
		tty    bool
		want   output.Format
	}{{"", false, output.NDJSON}, {"", true, output.Table}, {"ndjson", true, output.NDJSON}, {"table", true, output.Table}} {
		f := recordsSeamFactory(tc.output)
		f.IO.StdoutTTY = tc.tty
		got = nil
		if err := recordsRunSeam(newChainCmd(f, capture), "NIFTY", "--live"); err != nil || got == nil {
			t.Fatalf("--live -o %q tty %v: err %v", tc.output, tc.tty, err)
		}
		if !got.Live || got.LiveFormat != tc.want {
			t.Errorf("--live -o %q tty %v: live %v format %q, want %q", tc.output, tc.tty, got.Live, got.LiveFormat, tc.want)
		}
	}

	ran := false
	refuse := func(o string, tty bool, args ...string) func() error {
		return func() error {
			f := recordsSeamFactory(o)
			f.IO.StdoutTTY = tty
			return recordsRunSeam(newChainCmd(f, func(*ChainOptions) error { ran = true; return nil }), args...)
		}
	}
	refusedBeforeRunF(t, &ran, "--live prints a table on a terminal or NDJSON records (-o ndjson), not -o csv", refuse("csv", true, "NIFTY", "--live"))
	refusedBeforeRunF(t, &ran, "the --live table needs a terminal and stdout is not one: use -o ndjson for a record per changed strike", refuse("table", false, "NIFTY", "--live"))
	refusedBeforeRunF(t, &ran, `invalid --price "bid": use last or mid`, refuse("", false, "NIFTY", "--price", "bid"))
	refusedBeforeRunF(t, &ran, "invalid --strikes -1: use a number of strikes either side of the ATM strike, or 0 for all", refuse("", false, "NIFTY", "--strikes", "-1"))
	// Without --live, -o is the printer's, any format.
	if err := refuse("csv", false, "NIFTY")(); err != nil || !ran {
		t.Errorf("chain -o csv without --live: ran %v, err %v", ran, err)
	}
}

func TestWatchFlagsMapToOptions(t *testing.T) {
	var got *watchOptions
	f := recordsSeamFactory("")
	f.IO.StdoutTTY = true
	err := recordsRunSeam(newWatchCmd(f, func(o *watchOptions) error { got = o; return nil }),
		"NSE:INFY", "NSE:TCS", "--sort", "change", "-r", "--rate", "2", "-f", "list.txt", "--watchdog", "7s")
	if err != nil || got == nil {
		t.Fatalf("err %v, options %v", err, got)
	}
	if !slices.Equal(got.Instruments, []string{"NSE:INFY", "NSE:TCS"}) || got.Sort != "change" || !got.Reverse ||
		got.Rate != 2 || got.File != "list.txt" || got.Conn.Watchdog != 7*time.Second {
		t.Errorf("options %+v", got)
	}

	ran := false
	refuse := func(tty bool, args ...string) func() error {
		return func() error {
			f := recordsSeamFactory("")
			f.IO.StdoutTTY = tty
			return recordsRunSeam(newWatchCmd(f, func(*watchOptions) error { ran = true; return nil }), args...)
		}
	}
	refusedBeforeRunF(t, &ran, "kite watch draws a live table and stdout is not a terminal: to record or pipe ticks, use kite stream 'NSE:NIFTY 50'", refuse(false, "NSE:NIFTY 50"))
	refusedBeforeRunF(t, &ran, `unknown --sort "name": use symbol, price, change, volume, oi`, refuse(true, "NSE:INFY", "--sort", "name"))
	refusedBeforeRunF(t, &ran, "--rate must be above 0 and at most 60 redraws a second", refuse(true, "NSE:INFY", "--rate", "61"))
	refusedBeforeRunF(t, &ran, "kite watch reads keys from the terminal, so --file - is not possible: name a file", refuse(true, "--file", "-"))
}

func TestRecordFlagsMapToOptions(t *testing.T) {
	dir := t.TempDir()
	var got *recordOptions
	err := recordsRunSeam(newRecordCmd(recordsSeamFactory("json"), func(o *recordOptions) error { got = o; return nil }),
		"NSE:INFY", "256265", "--dir", dir, "--mode", "quote", "--orders=false", "--events", "--max-size", "500MB",
		"--duration", "6h30m", "--until", "15:30", "-f", "list.txt")
	if err != nil || got == nil {
		t.Fatalf("err %v, options %v", err, got)
	}
	if !slices.Equal(got.Instruments, []string{"NSE:INFY", "256265"}) || got.Dir != dir || got.TickMode != ticks.ModeQuote ||
		got.Orders || !got.Events || got.MaxBytes != 500*1024*1024 || got.Duration != 6*time.Hour+30*time.Minute ||
		got.Until != "15:30" || got.File != "list.txt" {
		t.Errorf("options %+v", got)
	}
	got = nil
	if err := recordsRunSeam(newRecordCmd(recordsSeamFactory(""), func(o *recordOptions) error { got = o; return nil }), "NSE:INFY", "--dir", dir); err != nil || got == nil {
		t.Fatalf("defaults: err %v", err)
	}
	if got.TickMode != ticks.ModeFull || !got.Orders || got.Events || got.MaxBytes != 0 || got.Duration != 0 {
		t.Errorf("default options %+v", got)
	}

	ran := false
	refuse := func(o string, args ...string) func() error {
		return func() error {
			return recordsRunSeam(newRecordCmd(recordsSeamFactory(o), func(*recordOptions) error { ran = true; return nil }), args...)
		}
	}
	missing := filepath.Join(dir, "missing")
	refusedBeforeRunF(t, &ran, "kite record writes files, and --events prints NDJSON: drop -o csv", refuse("csv", "NSE:INFY", "--dir", dir))
	refusedBeforeRunF(t, &ran, "name a directory to record into: kite record ... --dir DIR", refuse("", "NSE:INFY"))
	refusedBeforeRunF(t, &ran, "--dir "+missing+" is not a directory: create it first (mkdir -p "+missing+")", refuse("", "NSE:INFY", "--dir", missing))
	refusedBeforeRunF(t, &ran, `unknown --mode "depth": use ltp, quote or full`, refuse("", "NSE:INFY", "--dir", dir, "--mode", "depth"))
	refusedBeforeRunF(t, &ran, `--max-size "1KB" is too small: at least 64KB`, refuse("", "NSE:INFY", "--dir", dir, "--max-size", "1KB"))
}

func TestReplayFlagsMapToOptions(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.krec"), filepath.Join(dir, "b.krec")
	var got *replayOptions
	err := recordsRunSeam(newReplayCmd(recordsSeamFactory("json"), func(o *replayOptions) error { got = o; return nil }),
		a, b, "NSE:INFY", "256265", "--speed", "10", "--from", "09:15", "--to", "09:20", "--orders", "--events", "--recv-time")
	if err != nil || got == nil {
		t.Fatalf("err %v, options %v", err, got)
	}
	if !slices.Equal(got.Files, []string{a, b}) || !slices.Equal(got.Symbols, []string{"NSE:INFY", "256265"}) ||
		got.Pace != 10 || got.From != "09:15" || got.To != "09:20" || !got.Orders || !got.Events || !got.RecvTime ||
		got.Format != output.NDJSON {
		t.Errorf("options %+v", got)
	}
	got = nil
	if err := recordsRunSeam(newReplayCmd(recordsSeamFactory(""), func(o *replayOptions) error { got = o; return nil }), a, "--speed", "max"); err != nil || got == nil {
		t.Fatalf("--speed max: err %v", err)
	}
	if got.Pace != 0 || got.Format != output.NDJSON {
		t.Errorf("--speed max: options %+v, want pace 0 (max)", got)
	}

	ran := false
	refuse := func(o string, args ...string) func() error {
		return func() error {
			return recordsRunSeam(newReplayCmd(recordsSeamFactory(o), func(*replayOptions) error { ran = true; return nil }), args...)
		}
	}
	refusedBeforeRunF(t, &ran, "kite replay always writes NDJSON records: drop -o table (use --jq to reshape them)", refuse("table", a))
	refusedBeforeRunF(t, &ran, "name at least one recording: kite replay FILE... [SYMBOL...]", refuse("", "NSE:INFY"))
}

// runReplay on a real recording (handRecording: an LTP tick of INFY, a
// text message, a reconnect and an index quote tick), at full speed.
func TestRunReplayOnARecording(t *testing.T) {
	rec := writeTicksFile(t, "a.krec", handRecording(t))
	f := recordsSeamFactory("")
	opts := &replayOptions{Files: []string{rec}, Orders: true, Events: true, RecvTime: true, Format: output.NDJSON}
	if err := runReplay(context.Background(), f, opts); err != nil {
		t.Fatal(err)
	}
	// By hand: 157370 paise is 1573.7; 2456785 is 24567.85 and the
	// change on the close of 24500 is 67.85/24500 = 0.2769%; the event
	// was recorded at 1795146300.6 s, 2026-11-20 09:15:00 IST.
	want := `{"tradable":true,"mode":"ltp","instrument_token":408065,"last_price":1573.7,"symbol":"NSE:INFY","recv_time":1795146300000000000}
{"type":"message","data":"hello"}
{"type":"event","event":"reconnecting","connection":1,"time":"2026-11-20T09:15:00+05:30"}
{"tradable":false,"mode":"quote","instrument_token":256265,"last_price":24567.85,"ohlc":{"open":24450,"high":24600,"low":24400.5,"close":24500},"change":0.2769,"recv_time":1795146301000000000}
`
	if got := f.IO.Out.(*bytes.Buffer).String(); got != want {
		t.Errorf("stdout\n%s\nwant\n%s", got, want)
	}
	if got := f.IO.ErrOut.(*bytes.Buffer).String(); got != "kite: ticker message: hello\n" {
		t.Errorf("stderr %q", got)
	}

	// One instrument, without the extras.
	f = recordsSeamFactory("")
	opts = &replayOptions{Files: []string{rec}, Symbols: []string{"256265"}, Format: output.NDJSON}
	if err := runReplay(context.Background(), f, opts); err != nil {
		t.Fatal(err)
	}
	want = `{"tradable":false,"mode":"quote","instrument_token":256265,"last_price":24567.85,"ohlc":{"open":24450,"high":24600,"low":24400.5,"close":24500},"change":0.2769}
`
	if got := f.IO.Out.(*bytes.Buffer).String(); got != want {
		t.Errorf("256265 only: stdout\n%s\nwant\n%s", got, want)
	}
}

func TestSandboxFlagsMapToOptions(t *testing.T) {
	var got *sandboxOptions
	err := recordsRunSeam(newSandboxCmd(recordsSeamFactory(""), func(o *sandboxOptions) error { got = o; return nil }),
		"--addr", "127.0.0.1:9999", "--seed", "7", "--tick-interval", "50ms", "--error-rate", "0.1",
		"--allowed-ips", "10.0.0.1,127.0.0.1", "--book-lag", "2s", "--drop-order-responses", "--load-instruments", "100")
	if err != nil || got == nil {
		t.Fatalf("err %v, options %v", err, got)
	}
	if got.Addr != "127.0.0.1:9999" || got.Seed != 7 || got.TickInterval != 50*time.Millisecond || got.ErrorRate != 0.1 ||
		!slices.Equal(got.allowedIPs, []netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("127.0.0.1")}) ||
		got.BookLag != 2*time.Second || !got.DropPlace || got.Load != 100 || got.logLevelSet {
		t.Errorf("options %+v", got)
	}

	ran := false
	refuse := func(args ...string) func() error {
		return func() error {
			return recordsRunSeam(newSandboxCmd(recordsSeamFactory(""), func(*sandboxOptions) error { ran = true; return nil }), args...)
		}
	}
	refusedBeforeRunF(t, &ran, "--error-rate 2 is not a fraction: use a number from 0 to 1", refuse("--error-rate", "2"))
	refusedBeforeRunF(t, &ran, "--tick-interval 1µs is too short: use at least 1ms", refuse("--tick-interval", "1us"))
}

func TestSandboxResetFlagsMapToOptions(t *testing.T) {
	var got *sandboxResetOptions
	if err := recordsRunSeam(newSandboxResetCmd(recordsSeamFactory(""), func(o *sandboxResetOptions) error { got = o; return nil }), "--seed", "42"); err != nil || got == nil {
		t.Fatalf("err %v, options %v", err, got)
	}
	if got.Seed != 42 || got.All || got.IO == nil || got.Getenv == nil {
		t.Errorf("options %+v", got)
	}
	got = nil
	if err := recordsRunSeam(newSandboxResetCmd(recordsSeamFactory(""), func(o *sandboxResetOptions) error { got = o; return nil }), "--all"); err != nil || got == nil || !got.All {
		t.Fatalf("--all: err %v, options %+v", err, got)
	}
	ran := false
	refusedBeforeRunF(t, &ran, "--seed and --all cannot be used together: --all resets every seed's account", func() error {
		return recordsRunSeam(newSandboxResetCmd(recordsSeamFactory(""), func(*sandboxResetOptions) error { ran = true; return nil }), "--all", "--seed", "1")
	})
}

func TestMCPFlagsMapToOptions(t *testing.T) {
	var got *MCPOptions
	err := recordsRunSeam(newMCPCmd(recordsSeamFactory(""), func(o *MCPOptions) error { got = o; return nil }),
		"--allow-orders", "--max-value", "50000", "--max-orders", "3", "--call-timeout", "10s")
	if err != nil || got == nil {
		t.Fatalf("err %v, options %v", err, got)
	}
	if !got.AllowOrders || got.Safety.MaxValue != 50000 || got.MaxOrders != 3 || got.CallTimeout != 10*time.Second {
		t.Errorf("options %+v", got)
	}
	got = nil
	if err := recordsRunSeam(newMCPCmd(recordsSeamFactory(""), func(o *MCPOptions) error { got = o; return nil })); err != nil || got == nil {
		t.Fatalf("defaults: err %v", err)
	}
	if got.AllowOrders || got.MaxOrders != 10 || got.CallTimeout != 30*time.Second || got.Safety.MaxValue != defaultMaxOrderValue {
		t.Errorf("default options %+v", got)
	}
	ran := false
	refuse := func(args ...string) func() error {
		return func() error {
			return recordsRunSeam(newMCPCmd(recordsSeamFactory(""), func(*MCPOptions) error { ran = true; return nil }), args...)
		}
	}
	refusedBeforeRunF(t, &ran, "--max-orders must be 0 (no cap) or positive, got -1", refuse("--max-orders", "-1"))
	refusedBeforeRunF(t, &ran, "--call-timeout must be positive, such as 30s", refuse("--call-timeout", "0s"))
}

func TestTicksConvertFlagsMapToOptions(t *testing.T) {
	var got *ticksConvertOptions
	err := recordsRunSeam(newTicksConvertCmd(recordsSeamFactory(""), func(o *ticksConvertOptions) error { got = o; return nil }),
		"--to", "parquet", "a.krec", "b.bin", "-o", "out.parquet")
	if err != nil || got == nil {
		t.Fatalf("err %v, options %v", err, got)
	}
	if !slices.Equal(got.Inputs, []string{"a.krec", "b.bin"}) || got.To != "parquet" || got.Output != "out.parquet" {
		t.Errorf("options %+v", got)
	}
	ran := false
	refuse := func(args ...string) func() error {
		return func() error {
			return recordsRunSeam(newTicksConvertCmd(recordsSeamFactory(""), func(*ticksConvertOptions) error { ran = true; return nil }), args...)
		}
	}
	refusedBeforeRunF(t, &ran, `--to "csv": kite ticks convert writes --to parquet`, refuse("--to", "csv", "a.krec", "-o", "x.parquet"))
	refusedBeforeRunF(t, &ran, "name the Parquet file to write: -o OUT.parquet", refuse("--to", "parquet", "a.krec"))
	refusedBeforeRunF(t, &ran, "kite ticks convert reads FILEs, not standard input", refuse("--to", "parquet", "-", "-o", "x.parquet"))
}

// runTicksConvert on a real recording and a raw capture.
func TestRunTicksConvertOnFiles(t *testing.T) {
	rec := writeTicksFile(t, "a.krec", handRecording(t))
	raw := writeTicksFile(t, "b.bin", ticksBE(uint16(1), uint16(8), uint32(408065), int32(157380)))
	out := filepath.Join(t.TempDir(), "ticks.parquet")
	f := recordsSeamFactory("")
	opts := &ticksConvertOptions{cmdDeps: f.deps(), Inputs: []string{rec, raw}, To: "parquet", Output: out}
	if err := runTicksConvert(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if got, want := f.IO.ErrOut.(*bytes.Buffer).String(), "kite: wrote 3 ticks to "+out+"\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
	rows, err := parquet.ReadFile[parquetTick](out)
	if err != nil {
		t.Fatal(err)
	}
	// By hand, as in TestRunReplayOnARecording; the raw capture has no
	// receive time and no mapping, and its 157380 paise are 1573.8.
	ptr := func(v float64) *float64 { return &v }
	want := []parquetTick{
		{RecvTime: new(int64), InstrumentToken: 408065, Symbol: new(string), Mode: "ltp", Tradable: true, LastPrice: 1573.7},
		{RecvTime: new(int64), InstrumentToken: 256265, Mode: "quote", LastPrice: 24567.85, Close: ptr(24500), Change: ptr(0.2769)},
		{InstrumentToken: 408065, Mode: "ltp", Tradable: true, LastPrice: 1573.8},
	}
	*want[0].RecvTime, *want[0].Symbol = 1795146300000000000, "NSE:INFY"
	*want[1].RecvTime = 1795146301000000000
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(rows), len(want), rows)
	}
	for i := range want {
		g, w := rows[i], want[i]
		if !eqPtr(g.RecvTime, w.RecvTime) || g.InstrumentToken != w.InstrumentToken || !eqPtr(g.Symbol, w.Symbol) ||
			g.Mode != w.Mode || g.Tradable != w.Tradable || g.LastPrice != w.LastPrice || !eqPtr(g.Close, w.Close) ||
			!eqPtr(g.Change, w.Change) || g.VolumeTraded != nil || g.BidPrice1 != nil {
			t.Errorf("row %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestTicksEncodeFlagsMapToOptions(t *testing.T) {
	var got *ticksEncodeOptions
	if err := recordsRunSeam(newTicksEncodeCmd(recordsSeamFactory(""), func(o *ticksEncodeOptions) error { got = o; return nil }), "--batch", "50", "in.ndjson"); err != nil || got == nil {
		t.Fatalf("err %v, options %v", err, got)
	}
	if got.Input != "in.ndjson" || got.Batch != 50 {
		t.Errorf("options %+v", got)
	}
	got = nil
	if err := recordsRunSeam(newTicksEncodeCmd(recordsSeamFactory(""), func(o *ticksEncodeOptions) error { got = o; return nil })); err != nil || got == nil || got.Input != "-" || got.Batch != 1 {
		t.Fatalf("defaults: err %v, options %+v", err, got)
	}
	ran := false
	refuse := func(tty bool, args ...string) func() error {
		return func() error {
			f := recordsSeamFactory("")
			f.IO.StdoutTTY = tty
			return recordsRunSeam(newTicksEncodeCmd(f, func(*ticksEncodeOptions) error { ran = true; return nil }), args...)
		}
	}
	refusedBeforeRunF(t, &ran, "--batch 0: want 1 to 65535 ticks per message", refuse(false, "--batch", "0"))
	refusedBeforeRunF(t, &ran, "kite ticks encode writes binary data and stdout is a terminal: redirect it to a file or pipe it into kite ticks decode", refuse(true, "in.ndjson"))
}

// runTicksEncode on a real file: two LTP records in one message of two
// packets (--batch 2), the bytes written out by hand.
func TestRunTicksEncodeOnAFile(t *testing.T) {
	in := filepath.Join(t.TempDir(), "in.ndjson")
	records := `{"tradable":true,"mode":"ltp","instrument_token":408065,"last_price":1573.7}

{"tradable":false,"mode":"ltp","instrument_token":256265,"last_price":"24567.85"}
`
	if err := os.WriteFile(in, []byte(records), 0o600); err != nil {
		t.Fatal(err)
	}
	f := recordsSeamFactory("")
	if err := runTicksEncode(context.Background(), f, &ticksEncodeOptions{Input: in, Batch: 2}); err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0x00, 0x02, // two packets
		0x00, 0x08, 0x00, 0x06, 0x3a, 0x01, 0x00, 0x02, 0x66, 0xba, // 8 bytes: 408065, 157370 paise
		0x00, 0x08, 0x00, 0x03, 0xe9, 0x09, 0x00, 0x25, 0x7c, 0xd1, // 8 bytes: 256265, 2456785
	}
	if got := f.IO.Out.(*bytes.Buffer).Bytes(); !bytes.Equal(got, want) {
		t.Errorf("stdout % x\nwant   % x", got, want)
	}
}
