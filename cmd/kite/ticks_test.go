package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tickRecords are hand-written canonical records, one per packet kind and
// price precision: encode then decode must give back exactly these lines.
var tickRecords = []string{
	`{"tradable":true,"mode":"ltp","instrument_token":408065,"last_price":1573.7}`,
	`{"tradable":true,"mode":"quote","instrument_token":408065,"last_price":1573.7,"last_traded_quantity":25,"average_traded_price":1568.12,"volume_traded":4012345,"total_buy_quantity":120034,"total_sell_quantity":98001,"ohlc":{"open":1550,"high":1580,"low":1545.1,"close":1555},"change":1.2026}`,
	`{"tradable":true,"mode":"full","instrument_token":408065,"last_price":1573.7,"last_traded_quantity":25,"average_traded_price":1568.12,"volume_traded":4012345,"total_buy_quantity":120034,"total_sell_quantity":98001,"ohlc":{"open":1550,"high":1580,"low":1545.1,"close":1555},"change":1.2026,"last_trade_time":"2021-07-05T10:48:05+05:30","oi":0,"oi_day_high":0,"oi_day_low":0,"exchange_timestamp":"2021-07-05T10:48:07+05:30","depth":{"buy":[{"quantity":100,"price":1573.65,"orders":1},{"quantity":200,"price":1573.6,"orders":2},{"quantity":300,"price":1573.55,"orders":3},{"quantity":400,"price":1573.5,"orders":4},{"quantity":500,"price":1573.45,"orders":5}],"sell":[{"quantity":100,"price":1573.75,"orders":1},{"quantity":200,"price":1573.8,"orders":2},{"quantity":300,"price":1573.85,"orders":3},{"quantity":400,"price":1573.9,"orders":4},{"quantity":500,"price":1573.95,"orders":5}]}}`,
	`{"tradable":false,"mode":"quote","instrument_token":256265,"last_price":24567.85,"ohlc":{"open":24450,"high":24600,"low":24400.5,"close":24500},"change":0.2769}`,
	`{"tradable":false,"mode":"full","instrument_token":256265,"last_price":24567.85,"ohlc":{"open":24450,"high":24600,"low":24400.5,"close":24500},"change":0.2769,"exchange_timestamp":"2021-07-05T10:48:07+05:30"}`,
	`{"tradable":true,"mode":"full","instrument_token":1001475,"last_price":74.50125,"last_traded_quantity":1,"average_traded_price":74.5,"volume_traded":0,"total_buy_quantity":0,"total_sell_quantity":0,"ohlc":{"open":74,"high":75.0000001,"low":0.0000001,"close":74.5},"change":0.0017,"last_trade_time":null,"oi":7,"oi_day_high":8,"oi_day_low":6,"exchange_timestamp":null,"depth":{"buy":[{"quantity":0,"price":0,"orders":0},{"quantity":0,"price":0,"orders":0},{"quantity":0,"price":0,"orders":0},{"quantity":0,"price":0,"orders":0},{"quantity":0,"price":0,"orders":0}],"sell":[{"quantity":0,"price":0,"orders":0},{"quantity":0,"price":0,"orders":0},{"quantity":0,"price":0,"orders":0},{"quantity":0,"price":0,"orders":0},{"quantity":0,"price":0,"orders":0}]}}`,
	`{"tradable":true,"mode":"ltp","instrument_token":32006,"last_price":-0.0005}`,
}

// ticksBE writes big-endian values, independently of pkg/ticks.
func ticksBE(vals ...any) []byte {
	var b []byte
	for _, v := range vals {
		var err error
		if b, err = binary.Append(b, binary.BigEndian, v); err != nil {
			panic(err)
		}
	}
	return b
}

func writeTicksFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestE2ETicksRoundTrip(t *testing.T) {
	in := writeTicksFile(t, "ticks.ndjson", []byte(strings.Join(tickRecords, "\n")+"\n\n"))
	enc := runKite(t, kiteRun{}, "ticks", "encode", in)
	if enc.Code != 0 || enc.Stderr != "" {
		t.Fatalf("encode: %+v", enc)
	}
	// The first message is the ltp record, byte for byte as Kite sends it.
	wantLTP := ticksBE(uint16(1), uint16(8), uint32(408065), int32(157370))
	if !bytes.HasPrefix([]byte(enc.Stdout), wantLTP) {
		t.Fatalf("encoded capture starts %x, want %x", enc.Stdout[:min(len(enc.Stdout), 16)], wantLTP)
	}
	capture := writeTicksFile(t, "capture.bin", []byte(enc.Stdout))
	dec := runKite(t, kiteRun{}, "ticks", "decode", capture)
	if dec.Code != 0 || dec.Stderr != "" {
		t.Fatalf("decode: %+v", dec)
	}
	if want := strings.Join(tickRecords, "\n") + "\n"; dec.Stdout != want {
		t.Fatalf("round trip:\ngot\n%s\nwant\n%s", dec.Stdout, want)
	}

	// Same through pipes, with messages of two ticks.
	enc2 := runKite(t, kiteRun{Stdin: strings.NewReader(strings.Join(tickRecords, "\n"))}, "ticks", "encode", "--batch", "2", "-")
	if enc2.Code != 0 {
		t.Fatalf("encode --batch 2: %+v", enc2)
	}
	if got := binary.BigEndian.Uint16([]byte(enc2.Stdout)); got != 2 {
		t.Fatalf("first message has %d packets, want 2", got)
	}
	dec2 := runKite(t, kiteRun{Stdin: strings.NewReader(enc2.Stdout)}, "ticks", "decode")
	if dec2.Code != 0 || dec2.Stdout != dec.Stdout {
		t.Fatalf("decode of batched capture differs: %+v", dec2)
	}
}

func TestE2ETicksDecodeJQ(t *testing.T) {
	in := writeTicksFile(t, "ticks.ndjson", []byte(strings.Join(tickRecords, "\n")))
	capture := writeTicksFile(t, "capture.bin", []byte(runKite(t, kiteRun{}, "ticks", "encode", in).Stdout))
	r := runKite(t, kiteRun{}, "ticks", "decode", capture, "--jq", `select(.tradable | not) | .last_price`)
	if r.Code != 0 || r.Stdout != "24567.85\n24567.85\n" {
		t.Fatalf("--jq: %+v", r)
	}
	r = runKite(t, kiteRun{}, "ticks", "decode", capture, "--jq", `select(.mode == "full" and .tradable) | {p: .depth.sell[0].price, s: .exchange_timestamp}`)
	if r.Code != 0 || r.Stdout != "{\"p\":1573.75,\"s\":\"2021-07-05T10:48:07+05:30\"}\n{\"p\":0,\"s\":null}\n" {
		t.Fatalf("--jq object: %+v", r)
	}
	r = runKite(t, kiteRun{}, "ticks", "decode", capture, "--jq", ".[")
	if r.Code != 2 || r.Stdout != "" {
		t.Fatalf("bad --jq: %+v", r)
	}
}

func TestE2ETicksDecodeMalformed(t *testing.T) {
	good := ticksBE(uint16(2), uint16(8), uint32(408065), int32(157370), uint16(8), uint32(256265), int32(100)) // 22 bytes
	cases := []struct {
		name    string
		capture []byte
		ticks   int
		stderr  string
	}{
		{"packet longer than what is left", append(append(bytes.Clone(good), ticksBE(uint16(2), uint16(8), uint32(408065), int32(1), uint16(50))...), good...), 3,
			"at byte 34: packet 2 of 50 bytes overruns the message"},
		{"cut off at the end", append(bytes.Clone(good), ticksBE(uint16(1), uint16(44), uint32(408065))...), 2,
			"at byte 24: packet 1 of 44 bytes overruns the message"},
		{"lone trailing byte", append(bytes.Clone(good), 0), 2, "at byte 22: truncated header"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeTicksFile(t, "bad.bin", c.capture)
			r := runKite(t, kiteRun{}, "ticks", "decode", path)
			if r.Code != 1 {
				t.Fatalf("exit %d, want 1: %+v", r.Code, r)
			}
			lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
			if len(lines) != c.ticks {
				t.Fatalf("printed %d ticks before the fault, want %d:\n%s", len(lines), c.ticks, r.Stdout)
			}
			for _, l := range lines {
				if !json.Valid([]byte(l)) {
					t.Fatalf("invalid JSON line %q", l)
				}
			}
			if !strings.Contains(r.Stderr, path+": malformed tick message "+c.stderr) {
				t.Fatalf("stderr %q lacks %q", r.Stderr, c.stderr)
			}
		})
	}
}

// A packet of an unknown length, or of a length its token's segment never
// gets, is skipped by its length prefix and reported; the ticks around it
// are printed and the exit status is 0. [ltp, 12-byte packet, ltp] gives 2
// ticks, as in pykiteconnect and kiteconnectjs.
func TestE2ETicksDecodeSkipsUnknownPackets(t *testing.T) {
	ltp := func(price int32) []byte { return ticksBE(uint16(8), uint32(408065), price) }
	capture := append(ticksBE(uint16(3)), ltp(157370)...)                                 // bytes 0-11
	capture = append(capture, ticksBE(uint16(12), uint32(408065), int32(1), int32(2))...) // bytes 12-25
	capture = append(capture, ltp(157375)...)                                             // bytes 26-35
	// A second message: a 44-byte (quote) packet for NIFTY 50, an index
	// (256265 = 0x3E909, segment 9), then an LTP for it.
	capture = append(capture, ticksBE(uint16(2), uint16(44), uint32(256265))...) // byte 36: count; 38: length
	capture = append(capture, make([]byte, 40)...)
	capture = append(capture, ticksBE(uint16(8), uint32(256265), int32(2456785))...)
	path := writeTicksFile(t, "odd.bin", capture)
	r := runKite(t, kiteRun{}, "ticks", "decode", path, "--jq", ".last_price")
	if r.Code != 0 {
		t.Fatalf("exit %d, want 0: %+v", r.Code, r)
	}
	if r.Stdout != "1573.7\n1573.75\n24567.85\n" {
		t.Fatalf("stdout %q, want the three good ticks", r.Stdout)
	}
	for _, want := range []string{
		"kite: skipped packet 2 at byte 12: unknown length 12 (Kite sends 8, 28, 32, 44 or 184)\n",
		"kite: skipped packet 1 at byte 38: 44 bytes for instrument 256265, an index (segment 9 sends 8, 28 or 32)\n",
		"kite: skipped 2 packets Kite does not send; every other tick was decoded\n",
	} {
		if !strings.Contains(r.Stderr, want) {
			t.Fatalf("stderr lacks %q:\n%s", want, r.Stderr)
		}
	}
}

func TestE2ETicksUsageErrors(t *testing.T) {
	records := writeTicksFile(t, "ticks.ndjson", []byte(tickRecords[0]+"\n"+tickRecords[1]+"\n{\"mode\":\"ltp\",\"instrument_token\":1,\"last_price\":1.234}\n"+tickRecords[0]+"\n"))
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"decode missing file", []string{"ticks", "decode", "/no/such/capture.bin"}, 2, "cannot read /no/such/capture.bin: no such file or directory"},
		{"decode a directory", []string{"ticks", "decode", os.TempDir()}, 2, "it is a directory; pass the files in it"},
		{"decode stdin twice", []string{"ticks", "decode", "-", "-"}, 2, "standard input (-) can be read only once"},
		{"decode -o table", []string{"ticks", "decode", records, "-o", "table"}, 2, "always writes NDJSON"},
		{"encode missing file", []string{"ticks", "encode", "/no/such.ndjson"}, 2, "cannot read /no/such.ndjson"},
		{"encode bad record", []string{"ticks", "encode", records}, 2, "line 3: invalid tick record: last_price 1.234: want a decimal with at most 2 decimal places"},
		{"encode --batch 0", []string{"ticks", "encode", "--batch", "0", records}, 2, "--batch 0"},
		{"encode --jq", []string{"ticks", "encode", records, "--jq", "."}, 2, "filter the records before encoding"},
		{"unknown subcommand", []string{"ticks", "bogus"}, 2, `unknown command "bogus" for kite ticks`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runKite(t, kiteRun{}, c.args...)
			if r.Code != c.code || !strings.Contains(r.Stderr, c.stderr) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", r.Code, r.Stderr, c.code, c.stderr)
			}
		})
	}
	// The records before a bad line are still written.
	r := runKite(t, kiteRun{}, "ticks", "encode", records)
	dec := runKite(t, kiteRun{Stdin: strings.NewReader(r.Stdout)}, "ticks", "decode", "-")
	if dec.Code != 0 || dec.Stdout != tickRecords[0]+"\n"+tickRecords[1]+"\n" {
		t.Fatalf("records before the bad line: %+v", dec)
	}
}

func TestE2ETicksEmptyInput(t *testing.T) {
	r := runKite(t, kiteRun{Stdin: strings.NewReader("")}, "ticks", "decode")
	if r.Code != 0 || r.Stdout != "" || r.Stderr != "" {
		t.Fatalf("empty capture: %+v", r)
	}
	r = runKite(t, kiteRun{Stdin: strings.NewReader("\n\n")}, "ticks", "encode")
	if r.Code != 0 || r.Stdout != "" {
		t.Fatalf("empty records: %+v", r)
	}
}

func TestE2ETicksDecodeIntoClosedPipe(t *testing.T) {
	one := runKite(t, kiteRun{Stdin: strings.NewReader(tickRecords[2])}, "ticks", "encode")
	if one.Code != 0 {
		t.Fatalf("encode: %+v", one)
	}
	// 20,000 full ticks: far more output than a pipe buffers.
	capture := writeTicksFile(t, "big.bin", bytes.Repeat([]byte(one.Stdout), 20000))
	cmd := exec.Command(kiteBin, "ticks", "decode", capture)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "KITE_HOME=" + t.TempDir()}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != tickRecords[2]+"\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	out.Close() // like `| head -1`
	if err := cmd.Wait(); err != nil {
		t.Fatalf("kite ticks decode into a closed pipe: %v; stderr %q", err, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Fatalf("stderr %q", stderr.String())
	}
}

// An order update in the NDJSON (stream --orders) is named for what it is,
// with where it came from and how to keep only ticks: pkg/ticks says what,
// the command says the rest.
func TestE2ETicksEncodeOrderRecord(t *testing.T) {
	in := `{"type":"order","data":{"order_id":"1"}}` + "\n"
	r := runKite(t, kiteRun{Stdin: strings.NewReader(in)}, "ticks", "encode", "-")
	const want = `kite: standard input, line 1: not a tick record ("type":"order", from kite stream --orders or --events): keep only ticks, e.g. with jq -c 'select(.mode)'` + "\n"
	if r.Code != 2 || r.Stderr != want || r.Stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 2 and %q", r.Code, r.Stdout, r.Stderr, want)
	}
}
