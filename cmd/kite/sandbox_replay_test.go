package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/recording"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/ticks"
)

// kite sandbox --replay serves a recorded day: kite stream gets the
// recorded ticks in recorded order, re-stamped to now; a quote and a
// MARKET paper order see recorded prices, not the sandbox's own model
// (the replaying sandbox runs another seed).
func TestSandboxReplayServesRecording(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{TickInterval: 20 * time.Millisecond, Seed: 1})
	infy := sandboxToken(t, srv, symINFY)
	dir := t.TempDir()
	if r := runKite(t, kiteRun{Env: env}, "record", symINFY, symRELIANCE, "--mode", "full", "--dir", dir, "--duration", "3s"); r.Code != 0 {
		t.Fatalf("record: %+v", r)
	}
	files := recordings(t, dir)
	type key struct {
		token  uint32
		price  int32
		volume uint32
	}
	var order []key            // INFY's recorded ticks in order
	prices := map[int32]bool{} // every INFY price recorded: last, bids, asks
	var stamps []uint32
	for _, path := range files {
		for _, f := range readRecording(t, path).frames {
			if f.Kind != recording.KindBinary {
				continue
			}
			it := ticks.NewIter(f.Data)
			var tk ticks.Tick
			for it.Next(&tk) {
				if tk.InstrumentToken != infy || tk.Mode != ticks.ModeFull {
					continue
				}
				order = append(order, key{tk.InstrumentToken, tk.LastPrice, tk.VolumeTraded})
				stamps = append(stamps, tk.ExchangeTimestamp)
				prices[tk.LastPrice] = true
				for i := range 5 {
					prices[tk.Depth.Buy[i].Price], prices[tk.Depth.Sell[i].Price] = true, true
				}
			}
		}
	}
	if len(order) < 20 {
		t.Fatalf("%d INFY ticks recorded", len(order))
	}
	inRecording := func(rupees float64) bool {
		return prices[int32(rupees*100+0.5)] && float64(int32(rupees*100+0.5))/100 == rupees
	}

	renv := startKiteSandbox(t, "--replay", files[0], "--tick-interval", "50ms")
	r := runKite(t, kiteRun{Env: renv}, "stream", symINFY, "--mode", "full", "--count", "15",
		"--jq", `[.instrument_token, .last_price, .volume_traded, .exchange_timestamp] | @tsv`)
	if r.Code != 0 {
		t.Fatalf("stream from the replay: %+v", r)
	}
	next := 0 // the streamed ticks are the recorded ones, in order (a slow reader may skip some)
	for _, line := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
		f := strings.Split(line, "\t")
		price, _ := strconv.ParseFloat(f[1], 64)
		vol, _ := strconv.ParseUint(f[2], 10, 32)
		ts, err := time.Parse(time.RFC3339, f[3])
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		k := key{infy, int32(price*100 + 0.5), uint32(vol)}
		for next < len(order) && order[next] != k {
			next++
		}
		if f[0] != fmt.Sprint(infy) || next == len(order) {
			t.Fatalf("streamed tick %q is not the next recorded one (recorded: %v)", line, order)
		}
		if ts.Unix() <= int64(stamps[next]) {
			t.Errorf("tick %q keeps its recorded time %d: not re-stamped to now", line, stamps[next])
		}
		next++
	}

	q := runKite(t, kiteRun{Env: renv}, "quote", symINFY, "--mode", "ltp", "-o", "json")
	var quote []struct {
		LastPrice float64 `json:"last_price"`
	}
	if q.Code != 0 || json.Unmarshal([]byte(q.Stdout), &quote) != nil || len(quote) != 1 || !inRecording(quote[0].LastPrice) {
		t.Fatalf("quote from the replay is not a recorded price: %+v", q)
	}
	o := runKite(t, kiteRun{Env: renv}, "orders", "place", symINFY, "--buy", "--qty", "1", "--type", "MARKET", "--yes")
	if o.Code != 0 {
		t.Fatalf("MARKET order: %+v", o)
	}
	b := runKite(t, kiteRun{Env: renv}, "orders", "-o", "json", "--jq", `.[] | select(.status == "COMPLETE") | .average_price`)
	fill, err := strconv.ParseFloat(strings.TrimSpace(b.Stdout), 64)
	if b.Code != 0 || err != nil || !inRecording(fill) {
		t.Fatalf("the paper fill %q is not at a recorded price", b.Stdout)
	}
}

func TestSandboxReplayUsageErrors(t *testing.T) {
	raw := writeTicksFile(t, "b.bin", ticksBE(uint16(1), uint16(8), uint32(408065), int32(157370)))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sandbox", "--replay", raw}, "not a recording made by kite record"},
		{[]string{"sandbox", "--replay", "/no/such.krec"}, "cannot read /no/such.krec"},
		{[]string{"sandbox", "extra.krec"}, "did you mean --replay extra.krec"},
	} {
		r := runKite(t, kiteRun{Timeout: 20 * time.Second}, tc.args...)
		if r.Code != 2 || !strings.Contains(r.Stderr, tc.want) || r.Stdout != "" {
			t.Errorf("kite %s: exit %d, stderr %q; want 2 and %q", strings.Join(tc.args, " "), r.Code, r.Stderr, tc.want)
		}
	}
}
