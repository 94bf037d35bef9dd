package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestE2ESandboxRealMarketHours runs `kite sandbox --market-hours real`
// with its clock at Tuesday 02:00 IST and uses it with kite: a regular
// order is refused with Kite's message, an AMO order waits, the quote is
// Monday's close, and the stream gets one tick (the subscription's) and
// then nothing.
func TestE2ESandboxRealMarketHours(t *testing.T) {
	env, _ := startSandboxProcess(t, "--market-hours", "real", "--market-time", "2026-11-24 02:00", "--tick-interval", "50ms")
	r := runKite(t, kiteRun{Env: env}, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--type", "MARKET", "--yes")
	if r.Code == 0 || !strings.Contains(r.Stderr, "Markets are closed right now") {
		t.Fatalf("a regular order at 02:00: %+v", r)
	}
	r = runKite(t, kiteRun{Env: env}, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--type", "MARKET", "--variety", "amo", "--yes", "-o", "json")
	var placed struct {
		Status string `json:"status"`
	}
	if r.Code != 0 || json.Unmarshal([]byte(r.Stdout), &placed) != nil || placed.Status != "AMO REQ RECEIVED" {
		t.Fatalf("an AMO order at 02:00: %+v", r)
	}
	r = runKite(t, kiteRun{Env: env}, "quote", "NSE:INFY", "-o", "json")
	var quotes []struct {
		Timestamp string `json:"timestamp"`
	}
	if r.Code != 0 || json.Unmarshal([]byte(r.Stdout), &quotes) != nil || len(quotes) != 1 {
		t.Fatalf("quote: %+v", r)
	}
	// Monday 23 November's session closed at 15:30 IST.
	if !strings.HasPrefix(quotes[0].Timestamp, "2026-11-23T15:30:00") {
		t.Errorf("quote at 02:00 Tuesday stamped %s, want Monday's close", quotes[0].Timestamp)
	}
	r = runKite(t, kiteRun{Env: env, Timeout: 60 * time.Second}, "stream", "NSE:INFY", "--duration", "3s")
	if n := len(parseLines(t, r.Stdout)); r.Code != 0 || n != 1 {
		t.Errorf("stream at 02:00: exit %d, %d ticks in 3 s at 50 ms, want only the subscription's; stderr:\n%s", r.Code, n, r.Stderr)
	}
}

// TestE2ESandboxAlwaysOpen: by default the market trades at 02:00 IST too,
// stamped with the clock's time.
func TestE2ESandboxAlwaysOpen(t *testing.T) {
	env, _ := startSandboxProcess(t, "--market-time", "2026-11-24 02:00", "--tick-interval", "50ms")
	r := runKite(t, kiteRun{Env: env}, "quote", "NSE:INFY", "-o", "json")
	var quotes []struct {
		Timestamp string `json:"timestamp"`
	}
	if r.Code != 0 || json.Unmarshal([]byte(r.Stdout), &quotes) != nil || len(quotes) != 1 || !strings.HasPrefix(quotes[0].Timestamp, "2026-11-24T02:0") {
		t.Fatalf("quote: %+v", r)
	}
	r = runKite(t, kiteRun{Env: env}, "orders", "place", "NSE:INFY", "--buy", "--qty", "1", "--type", "MARKET", "--yes", "-o", "json")
	if r.Code != 0 || !strings.Contains(r.Stdout, `"COMPLETE"`) {
		t.Fatalf("a MARKET order at 02:00 under --market-hours always: %+v", r)
	}
	r = runKite(t, kiteRun{Env: env, Timeout: 60 * time.Second}, "stream", "NSE:INFY", "--count", "5")
	if n := len(parseLines(t, r.Stdout)); r.Code != 0 || n != 5 {
		t.Errorf("stream: exit %d, %d ticks; stderr:\n%s", r.Code, n, r.Stderr)
	}
}

func TestE2ESandboxClockFlagsUsage(t *testing.T) {
	for _, args := range [][]string{
		{"sandbox", "--market-hours", "sometimes"},
		{"sandbox", "--market-time", "tomorrow"},
	} {
		r := runKite(t, kiteRun{Timeout: 20 * time.Second}, args...)
		if r.Code != 2 || !strings.Contains(r.Stderr, args[1]) || !strings.Contains(r.Stderr, "kite sandbox --help") {
			t.Errorf("%v: %+v", args, r)
		}
	}
}
