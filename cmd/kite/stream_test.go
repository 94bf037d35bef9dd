package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/auth"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/sandboxtest"
	"github.com/kitecli/kite/pkg/ticks"
)

// Instruments of the sandbox's universe used below. Their tokens are read
// from the sandbox's own /instruments dump, never assumed.
const (
	symINFY     = "NSE:INFY"
	symRELIANCE = "NSE:RELIANCE"
)

func sandboxToken(t *testing.T, srv *sandboxtest.Server, symbol string) uint32 {
	t.Helper()
	in, err := kite.NewResolver(sandboxInstruments(t, srv)).Resolve(symbol)
	if err != nil {
		t.Fatal(err)
	}
	return in.InstrumentToken
}

func sandboxInstruments(t *testing.T, srv *sandboxtest.Server) []kite.Instrument {
	t.Helper()
	c := &kite.Client{BaseURL: srv.URL(), Credentials: kite.Credentials{Kind: kite.Connect, APIKey: sandbox.APIKey, AccessToken: srv.AccessToken()}, HTTPClient: http.DefaultClient}
	raw, err := c.DoRaw(context.Background(), http.MethodGet, "/instruments", nil)
	if err != nil {
		t.Fatal(err)
	}
	insts, err := kite.ParseInstrumentsCSV(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return insts
}

// fastEnv is the environment for a sandbox run with quick reconnects.
func fastEnv(env map[string]string) map[string]string {
	out := map[string]string{"KITE_RECONNECT_BASE": "50ms", "KITE_RECONNECT_MAX": "200ms"}
	for k, v := range env {
		out[k] = v
	}
	return out
}

// record is the union of the NDJSON records stream prints.
type record struct {
	Type            string          `json:"type"`
	Event           string          `json:"event"`
	Connection      int             `json:"connection"`
	Error           string          `json:"error"`
	Mode            string          `json:"mode"`
	InstrumentToken uint32          `json:"instrument_token"`
	LastPrice       json.Number     `json:"last_price"`
	Symbol          string          `json:"symbol"`
	Snapshot        bool            `json:"snapshot"`
	RecvTime        int64           `json:"recv_time"`
	Depth           json.RawMessage `json:"depth"`
	Data            json.RawMessage `json:"data"`
	Messages        uint64          `json:"messages"` // "dropped" events
	Ticks           uint64          `json:"ticks"`
}

// orderID is the order_id of an order update record, or "".
func (r record) orderID() string {
	var d struct {
		OrderID string `json:"order_id"`
	}
	if r.Type != "order" || json.Unmarshal(r.Data, &d) != nil {
		return ""
	}
	return d.OrderID
}

// parseLines parses every line of out strictly: a partial or doubled line
// fails the test.
func parseLines(t *testing.T, out string) []record {
	t.Helper()
	if out != "" && !strings.HasSuffix(out, "\n") {
		t.Fatalf("output does not end with a newline: ...%q", out[max(0, len(out)-80):])
	}
	var recs []record
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		var r record
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("line %d is not one JSON object: %v\n%s", i+1, err, line)
		}
		if dec.More() {
			t.Fatalf("line %d holds more than one JSON value: %s", i+1, line)
		}
		recs = append(recs, r)
	}
	return recs
}

func TestStreamTicksWithSymbolsAndModes(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{TickInterval: 5 * time.Millisecond})
	infy, rel := sandboxToken(t, srv, symINFY), sandboxToken(t, srv, symRELIANCE)

	r := runKite(t, kiteRun{Env: env}, "stream", symINFY, fmt.Sprint(rel), "--mode", "full", "--count", "20")
	if r.Code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.Code, r.Stderr)
	}
	recs := parseLines(t, r.Stdout)
	if len(recs) != 20 {
		t.Fatalf("%d records, want 20 (--count)", len(recs))
	}
	want := map[uint32]string{infy: symINFY, rel: symRELIANCE}
	seen := map[uint32]bool{}
	for _, rec := range recs {
		if rec.Mode != "full" || len(rec.Depth) == 0 {
			t.Fatalf("not a full tick: %+v", rec)
		}
		if want[rec.InstrumentToken] != rec.Symbol {
			t.Fatalf("token %d has symbol %q, want %q", rec.InstrumentToken, rec.Symbol, want[rec.InstrumentToken])
		}
		seen[rec.InstrumentToken] = true
	}
	if len(seen) != 2 {
		t.Errorf("ticks for %d instruments, want 2", len(seen))
	}

	// Tokens alone need no instrument dump and carry no symbol; ltp mode
	// stops at last_price.
	r = runKite(t, kiteRun{Env: env}, "stream", fmt.Sprint(infy), "--mode", "ltp", "--duration", "1s", "--recv-time")
	if r.Code != 0 {
		t.Fatalf("--duration: exit %d; stderr:\n%s", r.Code, r.Stderr)
	}
	recs = parseLines(t, r.Stdout)
	if len(recs) == 0 {
		t.Fatal("no ticks in 1s at a 5ms tick interval")
	}
	before := time.Now().UnixNano()
	for _, rec := range recs {
		if rec.Mode != "ltp" || rec.Symbol != "" || rec.Depth != nil || rec.InstrumentToken != infy {
			t.Fatalf("unexpected ltp record: %+v", rec)
		}
		if rec.RecvTime <= 0 || rec.RecvTime > before {
			t.Fatalf("recv_time %d is not a past Unix time in ns", rec.RecvTime)
		}
	}
}

func TestStreamJQSnapshotAndFile(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{TickInterval: 5 * time.Millisecond})
	list := t.TempDir() + "/list.txt"
	if err := os.WriteFile(list, []byte("# my list\nNSE:INFY\n\nNSE:RELIANCE, NSE:INFY\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runKite(t, kiteRun{Env: env}, "stream", "--file", list, "--snapshot", "--count", "4", "--jq", "[.symbol, .snapshot]")
	if r.Code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.Code, r.Stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines, want 2 snapshot records and 4 ticks:\n%s", len(lines), r.Stdout)
	}
	if lines[0] != `["NSE:INFY",true]` || lines[1] != `["NSE:RELIANCE",true]` {
		t.Fatalf("snapshot records first, in order: %q", lines[:2])
	}
	for _, l := range lines[2:] {
		if !strings.HasSuffix(l, `,null]`) {
			t.Fatalf("live tick marked as snapshot: %s", l)
		}
	}

	r = runKite(t, kiteRun{Env: env}, "stream", "NSE:NOSUCHSTOCK", "--count", "1")
	if r.Code != 2 || !strings.Contains(r.Stderr, "NSE:NOSUCHSTOCK") {
		t.Fatalf("unknown symbol: exit %d; stderr:\n%s", r.Code, r.Stderr)
	}

	r = runKite(t, kiteRun{Env: env, Stdin: strings.NewReader("NSE:INFY\n")}, "stream", "--file", "-", "--count", "2", "--jq", ".last_price")
	if r.Code != 0 {
		t.Fatalf("--file -: exit %d; stderr:\n%s", r.Code, r.Stderr)
	}
	for _, l := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
		if _, err := json.Number(l).Float64(); err != nil {
			t.Fatalf("--jq .last_price gave %q", l)
		}
	}
}

func TestStreamUsageErrors(t *testing.T) {
	many := t.TempDir() + "/many.txt"
	var b strings.Builder
	for i := range kite.MaxTickerTokens + 1 {
		fmt.Fprintln(&b, 1000+i)
	}
	if err := os.WriteFile(many, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	// No session and no server: each must fail as a usage error first.
	for _, args := range [][]string{
		{"stream"},
		{"stream", "408065", "--mode", "deep"},
		{"stream", "408065", "--on-slow", "panic"},
		{"stream", "408065", "--until", "25:99"},
		{"stream", "--file", many},
		{"stream", "408065", "--raw", "--events"},
		{"stream", "408065", "--raw", "--jq", ".last_price"},
		{"stream", "408065", "--watchdog", "0s"},
		{"stream", "408065", "-o", "table"},
		{"stream", "NSE:"}, // a bare INFY means NSE:INFY (issue 16)
		{"stream", "0"},
		{"watch", "408065"}, // stdout is not a terminal
	} {
		r := runKite(t, kiteRun{Env: map[string]string{"KITE_WS_URL": "ws://127.0.0.1:1/ws"}}, args...)
		if r.Code != 2 || r.Stdout != "" {
			t.Errorf("kite %s: exit %d, stdout %q; want exit 2\n%s", strings.Join(args, " "), r.Code, r.Stdout, r.Stderr)
		}
	}
	for _, env := range []map[string]string{{"KITE_RECONNECT_BASE": "soon"}, {"KITE_RECONNECT_ATTEMPTS": "0"}} {
		r := runKite(t, kiteRun{Env: env}, "stream", "408065")
		if r.Code != 2 || !strings.Contains(r.Stderr, "KITE_RECONNECT_") {
			t.Errorf("env %v: exit %d; stderr:\n%s", env, r.Code, r.Stderr)
		}
	}
	for _, args := range [][]string{{"stream", "408065", "--reconnect-attempts", "-1"}} {
		r := runKite(t, kiteRun{}, args...)
		if r.Code != 2 || r.Stdout != "" {
			t.Errorf("kite %s: exit %d, stdout %q; want exit 2\n%s", strings.Join(args, " "), r.Code, r.Stdout, r.Stderr)
		}
	}
	r := runKite(t, kiteRun{}, "watch", "NSE:INFY")
	if !strings.Contains(r.Stderr, "kite stream") {
		t.Errorf("watch without a terminal does not suggest kite stream: %s", r.Stderr)
	}
	r = runKite(t, kiteRun{}, "stream", "--file", many)
	if !strings.Contains(r.Stderr, "9000") {
		t.Errorf("too many instruments: %s", r.Stderr)
	}
}

// --raw writes Kite's messages back to back; they decode to the same
// number of ticks.
func TestStreamRaw(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{TickInterval: 5 * time.Millisecond})
	infy, rel := sandboxToken(t, srv, symINFY), sandboxToken(t, srv, symRELIANCE)
	r := runKite(t, kiteRun{Env: env}, "stream", fmt.Sprint(infy), fmt.Sprint(rel), "--raw", "--mode", "full", "--count", "7")
	if r.Code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.Code, r.Stderr)
	}
	rd := ticks.NewReader(strings.NewReader(r.Stdout))
	n := 0
	for {
		msg, off, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("raw output is not back-to-back messages at byte %d: %v", off, err)
		}
		it := ticks.NewIter(msg)
		var tk ticks.Tick
		for it.Next(&tk) {
			if tk.Mode != ticks.ModeFull || (tk.InstrumentToken != infy && tk.InstrumentToken != rel) {
				t.Fatalf("unexpected tick %+v", tk)
			}
			n++
		}
		if it.Err() != nil {
			t.Fatal(it.Err())
		}
	}
	if n != 7 {
		t.Fatalf("%d ticks in the raw output, want 7 (--count cuts a message)", n)
	}
	d := runKite(t, kiteRun{Stdin: strings.NewReader(r.Stdout)}, "ticks", "decode", "-")
	if d.Code != 0 {
		t.Fatalf("kite ticks decode: exit %d; stderr:\n%s", d.Code, d.Stderr)
	}
	if recs := parseLines(t, d.Stdout); len(recs) != 7 || recs[0].Mode != "full" {
		t.Fatalf("kite ticks decode printed %d records, want 7 full ticks", len(recs))
	}
}

// startStream execs kite stream with stdout on a real pipe, for tests that
// need the process while it runs.
func startStream(t *testing.T, env map[string]string, args ...string) (*exec.Cmd, *bufio.Reader, *os.File, *bytes.Buffer) {
	t.Helper()
	return startKite(t, env, append([]string{"stream"}, args...)...)
}

// startKite execs kite with stdout on a real pipe, for tests that need
// the process while it runs.
func startKite(t *testing.T, env map[string]string, args ...string) (*exec.Cmd, *bufio.Reader, *os.File, *bytes.Buffer) {
	t.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := kiteCommand(t, env, args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = pw, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		pr.Close()
	})
	return cmd, bufio.NewReader(pr), pr, &stderr
}

// kiteCommand is the built kite with args in a minimal environment: PATH,
// a fresh HOME and KITE_HOME, and env.
func kiteCommand(t *testing.T, env map[string]string, args ...string) *exec.Cmd {
	cmd := exec.Command(kiteBin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "KITE_HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

func waitExit(t *testing.T, cmd *exec.Cmd, within time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(within):
		cmd.Process.Kill()
		t.Fatalf("kite stream did not exit within %v", within)
		return -1
	}
}

// kite stream … | head -1: the reader goes away and the stream ends at
// once with exit 0.
func TestStreamClosedStdoutExitsZero(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{TickInterval: 5 * time.Millisecond})
	cmd, out, pr, stderr := startStream(t, env, fmt.Sprint(sandboxToken(t, srv, symINFY)))
	line, err := out.ReadString('\n')
	if err != nil || !strings.Contains(line, `"instrument_token"`) {
		t.Fatalf("first line %q, %v", line, err)
	}
	pr.Close()
	if code := waitExit(t, cmd, 10*time.Second); code != 0 {
		t.Fatalf("exit %d after stdout closed, want 0; stderr:\n%s", code, stderr)
	}
}

// Ctrl-C closes the connection, flushes whole lines and exits 130.
func TestStreamInterruptExits130(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{TickInterval: 5 * time.Millisecond})
	cmd, out, _, stderr := startStream(t, env, fmt.Sprint(sandboxToken(t, srv, symINFY)))
	if _, err := out.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(out)
	if code := waitExit(t, cmd, 10*time.Second); code != 130 {
		t.Fatalf("exit %d after SIGINT, want 130; stderr:\n%s", code, stderr)
	}
	parseLines(t, string(rest))
}

// The connection is dropped every second: the stream goes on, every
// instrument ticks again on each new connection, in the mode asked, and
// no line is lost in half or printed twice.
func TestStreamSurvivesDrops(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{TickInterval: 10 * time.Millisecond, Faults: sandbox.Faults{DropEvery: time.Second}})
	infy, rel := sandboxToken(t, srv, symINFY), sandboxToken(t, srv, symRELIANCE)
	r := runKite(t, kiteRun{Env: fastEnv(env)}, "stream", fmt.Sprint(infy), fmt.Sprint(rel), "--mode", "full", "--events", "--duration", "4500ms")
	if r.Code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.Code, r.Stderr)
	}
	recs := parseLines(t, r.Stdout)
	var sessions [][]record
	for _, rec := range recs {
		switch {
		case rec.Type == "event" && rec.Event == "connected":
			sessions = append(sessions, nil)
		case rec.Type == "event":
		case len(sessions) == 0:
			t.Fatalf("tick before the connected event: %+v", rec)
		default:
			if rec.Mode != "full" {
				t.Fatalf("mode %q after a reconnect, want full", rec.Mode)
			}
			sessions[len(sessions)-1] = append(sessions[len(sessions)-1], rec)
		}
	}
	if len(sessions) < 3 {
		t.Fatalf("%d connections in 4.5s with a drop every second, want at least 3; stderr:\n%s", len(sessions), r.Stderr)
	}
	for i, s := range sessions[:len(sessions)-1] {
		got := map[uint32]bool{}
		for _, rec := range s {
			got[rec.InstrumentToken] = true
		}
		if !got[infy] || !got[rel] {
			t.Errorf("connection %d ticked %v, want both instruments", i+1, got)
		}
	}
}

// A connection that goes silent is replaced within watchdog + backoff.
func TestStreamStallReconnects(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{TickInterval: 10 * time.Millisecond, Faults: sandbox.Faults{Stall: time.Hour}})
	tok := sandboxToken(t, srv, symINFY)
	stop := time.AfterFunc(1200*time.Millisecond, func() { srv.SetFaults(sandbox.Faults{}) })
	defer stop.Stop()
	r := runKite(t, kiteRun{Env: fastEnv(env), Timeout: 20 * time.Second}, "stream", fmt.Sprint(tok), "--watchdog", "300ms", "--events", "--count", "3")
	if r.Code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.Code, r.Stderr)
	}
	recs := parseLines(t, r.Stdout)
	watchdog, ticksSeen := false, 0
	for _, rec := range recs {
		if rec.Event == "disconnected" && strings.Contains(rec.Error, "watchdog") {
			watchdog = true
		}
		if rec.Type == "" {
			ticksSeen++
		}
	}
	if !watchdog || ticksSeen != 3 {
		t.Fatalf("watchdog disconnect %v, %d ticks; output:\n%s", watchdog, ticksSeen, r.Stdout)
	}
}

// A malformed message is reported with its offset and skipped; the
// stream goes on.
func TestStreamMalformedMessage(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{TickInterval: 10 * time.Millisecond})
	tok := sandboxToken(t, srv, symINFY)
	cmd, out, _, stderr := startStream(t, env, fmt.Sprint(tok), "--duration", "10s")
	if _, err := out.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	srv.SendMalformed()
	// Ticks keep coming after the bad message.
	deadline := time.Now().Add(5 * time.Second)
	n := 0
	for n < 50 && time.Now().Before(deadline) {
		line, err := out.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended after the malformed message: %v; stderr:\n%s", err, stderr)
		}
		var rec record
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.InstrumentToken != tok {
			t.Fatalf("bad line %q: %v", line, err)
		}
		n++
	}
	cmd.Process.Signal(os.Interrupt)
	io.Copy(io.Discard, out)
	waitExit(t, cmd, 10*time.Second)
	if !strings.Contains(stderr.String(), "malformed") || !strings.Contains(stderr.String(), "offset=") {
		t.Fatalf("malformed message not logged with its offset; stderr:\n%s", stderr)
	}
}

// An expired session ends the stream with exit 3 and says what to do.
func TestStreamExpiredSessionExits3(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{TickInterval: 10 * time.Millisecond})
	tok := sandboxToken(t, srv, symINFY)
	expire := time.AfterFunc(500*time.Millisecond, srv.ExpireSessions)
	defer expire.Stop()
	r := runKite(t, kiteRun{Env: fastEnv(env), Timeout: 20 * time.Second}, "stream", fmt.Sprint(tok))
	if r.Code != 3 {
		t.Fatalf("exit %d, want 3; stderr:\n%s", r.Code, r.Stderr)
	}
	if !strings.Contains(r.Stderr, "kite login") || strings.Contains(r.Stderr, env["KITE_ACCESS_TOKEN"]) {
		t.Fatalf("stderr should say run kite login and never show the token:\n%s", r.Stderr)
	}
	parseLines(t, r.Stdout)
}

// A sandbox that is gone: retries up to the budget, then exit 6, and the
// token never shows in the errors.
func TestStreamServerGoneExits6(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{})
	srv.Close()
	env = fastEnv(env)
	env["KITE_RECONNECT_ATTEMPTS"] = "3"
	r := runKite(t, kiteRun{Env: env, Timeout: 20 * time.Second}, "stream", "408065", "--events")
	if r.Code != 6 {
		t.Fatalf("exit %d, want 6; stderr:\n%s", r.Code, r.Stderr)
	}
	if strings.Contains(r.Stderr+r.Stdout, env["KITE_ACCESS_TOKEN"]) {
		t.Fatalf("the access token leaked:\n%s\n%s", r.Stderr, r.Stdout)
	}
	n := 0
	for _, rec := range parseLines(t, r.Stdout) {
		if rec.Event == "reconnecting" {
			n++
		}
	}
	if n != 2 || !strings.Contains(r.Stderr, "3 attempts") {
		t.Fatalf("%d reconnecting events (want 2); stderr:\n%s", n, r.Stderr)
	}
	// The flag beats the environment.
	r = runKite(t, kiteRun{Env: env, Timeout: 20 * time.Second}, "stream", "408065", "--reconnect-attempts", "2")
	if r.Code != 6 || !strings.Contains(r.Stderr, "gave up after 2 attempts") {
		t.Fatalf("--reconnect-attempts 2: exit %d; stderr:\n%s", r.Code, r.Stderr)
	}
}

// Orders placed during a stream arrive as Kite's order updates.
func TestStreamOrderUpdates(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{TickInterval: 10 * time.Millisecond})
	tok := sandboxToken(t, srv, symINFY)
	cmd, out, _, stderr := startStream(t, env, fmt.Sprint(tok), "--orders", "--mode", "ltp")
	if _, err := out.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	c := &kite.Client{BaseURL: srv.URL(), Credentials: kite.Credentials{Kind: kite.Connect, APIKey: sandbox.APIKey, AccessToken: env["KITE_ACCESS_TOKEN"]}, HTTPClient: http.DefaultClient}
	id, err := c.PlaceOrder(context.Background(), "regular", kite.OrderParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 1, Product: "CNC", OrderType: "MARKET", MarketProtection: kite.MarketProtectionAuto})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		line, err := out.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended: %v; stderr:\n%s", err, stderr)
		}
		var rec struct {
			Type string `json:"type"`
			Data struct {
				OrderID string `json:"order_id"`
			} `json:"data"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Type == "order" && rec.Data.OrderID == id {
			cmd.Process.Signal(syscall.SIGINT)
			io.Copy(io.Discard, out)
			waitExit(t, cmd, 10*time.Second)
			return
		}
	}
	t.Fatalf("no order update for order %s", id)
}

// More than 3000 instruments are spread over two connections (Kite's
// per-connection limit) and their ticks merged into one stream.
func TestStreamShardsOverConnections(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{TickInterval: 20 * time.Millisecond})
	var list strings.Builder
	// Tokens the sandbox does not list fill the first connection, so the
	// real instruments land on both.
	for i := range 2990 {
		fmt.Fprintln(&list, uint32(900000+i)<<8|ticks.SegmentNSE)
	}
	want := map[uint32]bool{}
	for _, in := range sandboxInstruments(t, srv) {
		fmt.Fprintln(&list, in.InstrumentToken)
		want[in.InstrumentToken] = true
	}
	if len(want) < 20 {
		t.Fatalf("only %d sandbox instruments", len(want))
	}
	r := runKite(t, kiteRun{Env: env, Stdin: strings.NewReader(list.String())}, "stream", "--file", "-", "--mode", "ltp", "--events", "--duration", "2500ms")
	if r.Code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.Code, r.Stderr)
	}
	conns := map[int]bool{}
	got := map[uint32]bool{}
	for _, rec := range parseLines(t, r.Stdout) {
		if rec.Event == "connected" {
			conns[rec.Connection] = true
		}
		if rec.Type == "" {
			got[rec.InstrumentToken] = true
		}
	}
	if len(conns) != 2 {
		t.Fatalf("connections %v, want 1 and 2", conns)
	}
	for tok := range want {
		if !got[tok] {
			t.Errorf("no tick for %d", tok)
		}
	}
}

// allInstrumentsFile is a --file of every instrument the sandbox lists.
func allInstrumentsFile(t *testing.T, srv *sandboxtest.Server) string {
	t.Helper()
	var list strings.Builder
	for _, in := range sandboxInstruments(t, srv) {
		fmt.Fprintln(&list, in.InstrumentToken)
	}
	file := filepath.Join(t.TempDir(), "all.txt")
	if err := os.WriteFile(file, []byte(list.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// --on-slow drop: a reader slower than the market loses whole messages,
// oldest first, never half a line, and is told how many on stderr.
func TestStreamOnSlowDrop(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{TickInterval: time.Millisecond})
	file := allInstrumentsFile(t, srv)
	cmd, out, _, stderr := startStream(t, env, "--file", file, "--mode", "full", "--on-slow", "drop", "--duration", "2s")
	var lines []string
	for {
		line, err := out.ReadString('\n')
		if err != nil {
			break
		}
		lines = append(lines, line)
		if len(lines)%20 == 0 {
			time.Sleep(5 * time.Millisecond) // a slow consumer
		}
	}
	if code := waitExit(t, cmd, 20*time.Second); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	parseLines(t, strings.Join(lines, ""))
	if !regexp.MustCompile(`dropped [1-9]\d* tick messages \([1-9]\d* ticks\)`).MatchString(stderr.String()) {
		t.Fatalf("no drop count on stderr after %d lines:\n%s", len(lines), stderr)
	}
}

// --on-slow drop never drops an order update or a connection event, and a
// stream that ends as asked (--duration) writes out what is still queued:
// here stdout is not read at all from the first line until after the
// stream's end, while an order fills and a flood of full-mode ticks
// overflows the queue many times. The gaps are marked by "dropped" records
// whose sum is the count on stderr.
func TestStreamOnSlowDropKeepsOrderUpdates(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{TickInterval: time.Millisecond})
	file := allInstrumentsFile(t, srv)
	cmd, out, _, stderr := startStream(t, env, "--file", file, "--mode", "full", "--on-slow", "drop", "--orders", "--events", "--duration", "3s")
	if _, err := out.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	// Stalled from here: the pipe fills, then the queue.
	time.Sleep(time.Second)
	c := &kite.Client{BaseURL: srv.URL(), Credentials: kite.Credentials{Kind: kite.Connect, APIKey: sandbox.APIKey, AccessToken: env["KITE_ACCESS_TOKEN"]}, HTTPClient: http.DefaultClient}
	id, err := c.PlaceOrder(context.Background(), "regular", kite.OrderParams{Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 1, Product: "CNC", OrderType: "MARKET", MarketProtection: kite.MarketProtectionAuto})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // past --duration: the stream waits to write what it queued
	rest, err := io.ReadAll(out)
	if err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd, 30*time.Second); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	var orders, gaps int
	var droppedMsgs uint64
	for _, rec := range parseLines(t, string(rest)) {
		switch {
		case rec.orderID() == id:
			orders++
		case rec.Event == "dropped":
			gaps++
			droppedMsgs += rec.Messages
		}
	}
	if orders == 0 {
		t.Fatalf("no order update for %s after the stall; stderr:\n%s", id, stderr)
	}
	m := regexp.MustCompile(`kite: stdout was too slow: dropped ([1-9]\d*) tick messages \([1-9]\d* ticks\)\n`).FindStringSubmatch(stderr.String())
	if m == nil || gaps == 0 {
		t.Fatalf("no drops reported (%d gap records); stderr:\n%s", gaps, stderr)
	}
	if m[1] != fmt.Sprint(droppedMsgs) {
		t.Fatalf("stderr says %s tick messages dropped, the records %d", m[1], droppedMsgs)
	}
	if strings.Contains(stderr.String(), "text message") || strings.Contains(stderr.String(), "connection event") {
		t.Fatalf("an order update or event was dropped; stderr:\n%s", stderr)
	}
}

// A stream that ended (--duration) but waits for a reader that never reads
// to take what is queued still ends at once on Ctrl-C, exit 130, and says
// what it left unwritten.
func TestStreamOnSlowDropCtrlCWhileDraining(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{TickInterval: time.Millisecond})
	file := allInstrumentsFile(t, srv)
	cmd, _, _, stderr := startStream(t, env, "--file", file, "--mode", "full", "--on-slow", "drop", "--duration", "1s")
	time.Sleep(2 * time.Second) // past --duration, stdout never read: the stream waits
	cmd.Process.Signal(syscall.SIGINT)
	if code := waitExit(t, cmd, 10*time.Second); code != 130 {
		t.Fatalf("exit %d, want 130; stderr:\n%s", code, stderr)
	}
	if !regexp.MustCompile(`kite: interrupted with [1-9]\d* tick messages? \(\d+ ticks?\).* still queued for stdout, not written`).MatchString(stderr.String()) {
		t.Fatalf("stderr does not count what was left:\n%s", stderr)
	}
}

// A Kite web session (KITE_ENCTOKEN) streams from the web ticker URL form.
func TestStreamWebSession(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{TickInterval: 10 * time.Millisecond})
	tok := sandboxToken(t, srv, symINFY)
	sess, err := (&auth.Client{Root: srv.URL()}).WebLogin(context.Background(), sandbox.UserID, sandbox.Password, auth.TOTPFromSecret(sandbox.TOTPSecret, time.Now))
	if err != nil {
		t.Fatal(err)
	}
	web := map[string]string{"KITE_BASE_URL": env["KITE_BASE_URL"], "KITE_WS_URL": env["KITE_WS_URL"], "KITE_ENCTOKEN": sess.Token, "KITE_USER_ID": sandbox.UserID}
	r := runKite(t, kiteRun{Env: web}, "stream", fmt.Sprint(tok), "--count", "3", "--mode", "quote")
	if r.Code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", r.Code, r.Stderr)
	}
	recs := parseLines(t, r.Stdout)
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3", len(recs))
	}
	for _, rec := range recs {
		if rec.InstrumentToken != tok || rec.Mode != "quote" {
			t.Fatalf("unexpected record %+v", rec)
		}
	}
}

// The sandbox dies mid-stream: the stream retries up to its budget, then
// exits 6, with every line it printed whole.
func TestStreamServerDiesMidStream(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{TickInterval: 10 * time.Millisecond})
	env = fastEnv(env)
	env["KITE_RECONNECT_ATTEMPTS"] = "3"
	cmd, out, _, stderr := startStream(t, env, fmt.Sprint(sandboxToken(t, srv, symINFY)))
	if _, err := out.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	rest, _ := io.ReadAll(out)
	if code := waitExit(t, cmd, 20*time.Second); code != 6 {
		t.Fatalf("exit %d, want 6; stderr:\n%s", code, stderr)
	}
	parseLines(t, string(rest))
	if !strings.Contains(stderr.String(), "gave up after 3 attempts") {
		t.Fatalf("stderr does not say it gave up:\n%s", stderr)
	}
}
