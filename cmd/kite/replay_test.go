package main

import (
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/sandbox"
)

// kite replay prints a recording as kite stream printed it: ticks with
// their symbol, order updates and Kite's texts with --orders/--events, the
// recorded events with their recorded time.
func TestReplayPrintsAsStream(t *testing.T) {
	rec := writeTicksFile(t, "a.krec", handRecording(t))
	r := runKite(t, kiteRun{}, "replay", rec, "--speed", "max", "--events", "--orders", "--recv-time")
	want := strings.Join([]string{
		handDecoded[0],
		`{"type":"message","data":"hello"}`,
		`{"type":"event","event":"reconnecting","connection":1,"time":"2026-11-20T09:15:00+05:30"}`,
		handDecoded[1],
	}, "\n") + "\n"
	if r.Code != 0 || r.Stdout != want {
		t.Fatalf("exit %d; got\n%s\nwant\n%s\nstderr:\n%s", r.Code, r.Stdout, want, r.Stderr)
	}
	if !strings.Contains(r.Stderr, "kite: ticker message: hello") {
		t.Errorf("Kite's message text not on stderr, as stream tells it: %q", r.Stderr)
	}

	// Instruments, looked up in the recording's mapping, and a time range.
	noRecv := func(s string) string {
		return strings.Replace(s, `,"recv_time":`+s[strings.LastIndex(s, ":")+1:len(s)-1], "", 1)
	}
	r = runKite(t, kiteRun{}, "replay", rec, "NSE:INFY", "--speed", "max")
	if r.Code != 0 || r.Stdout != noRecv(handDecoded[0])+"\n" {
		t.Fatalf("NSE:INFY only: %+v", r)
	}
	r = runKite(t, kiteRun{}, "replay", rec, "--from", "09:15:01", "--to", "2026-11-20T09:16:00+05:30", "--speed", "max")
	if r.Code != 0 || r.Stdout != noRecv(handDecoded[1])+"\n" {
		t.Fatalf("--from 09:15:01: %+v", r)
	}

	// The recorded pace: the ticks are a second apart, so at --speed 2
	// the run lasts at least half a second.
	start := time.Now()
	r = runKite(t, kiteRun{}, "replay", rec, "--speed", "2")
	if took := time.Since(start); r.Code != 0 || took < 500*time.Millisecond || strings.Count(r.Stdout, "\n") != 2 {
		t.Fatalf("--speed 2 took %v: %+v", took, r)
	}
}

func TestReplayUsageErrors(t *testing.T) {
	rec := writeTicksFile(t, "a.krec", handRecording(t))
	raw := writeTicksFile(t, "b.bin", ticksBE(uint16(1), uint16(8), uint32(408065), int32(157370)))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"replay", rec, "--speed", "0"}, "--speed"},
		{[]string{"replay", rec, "--speed", "fast"}, "--speed"},
		{[]string{"replay", rec, "--from", "9am"}, "is not a time"},
		{[]string{"replay", rec, "NSE:TCS"}, "not in the recording's instruments"},
		{[]string{"replay", raw}, "not a recording made by kite record"},
		{[]string{"replay", "NSE:INFY"}, "name at least one recording"},
		{[]string{"replay", "/no/such.krec"}, "cannot read /no/such.krec"},
	} {
		r := runKite(t, kiteRun{}, tc.args...)
		if r.Code != 2 || !strings.Contains(r.Stderr, tc.want) || r.Stdout != "" {
			t.Errorf("kite %s: exit %d, stderr %q; want 2 and %q", strings.Join(tc.args, " "), r.Code, r.Stderr, tc.want)
		}
	}
}

// A real recording from the sandbox: replay and decode agree tick for
// tick (replay keeps only the recorded mode, as stream did).
func TestReplayAgreesWithDecode(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{TickInterval: 10 * time.Millisecond})
	dir := t.TempDir()
	r := runKite(t, kiteRun{Env: env}, "record", symINFY, symRELIANCE, "--mode", "full", "--dir", dir, "--duration", "1500ms")
	if r.Code != 0 {
		t.Fatalf("record: %+v", r)
	}
	files := recordings(t, dir)
	d := runKite(t, kiteRun{}, append([]string{"ticks", "decode", "--jq", `select(.mode == "full")`}, files...)...)
	p := runKite(t, kiteRun{}, append([]string{"replay", "--speed", "max", "--recv-time", "--jq", `select(.mode == "full")`}, files...)...) // the same --jq, for the same key order
	if d.Code != 0 || p.Code != 0 || strings.Count(d.Stdout, "\n") < 20 {
		t.Fatalf("decode %d, replay %d; %d lines decoded", d.Code, p.Code, strings.Count(d.Stdout, "\n"))
	}
	if d.Stdout != p.Stdout {
		t.Fatalf("replay and decode differ:\ndecode:\n%.600s\nreplay:\n%.600s", d.Stdout, p.Stdout)
	}
}
