package bench

import (
	"bytes"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/recording"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/sandboxtest"
	"github.com/kitecli/kite/pkg/ticks"
	kiteconnect "github.com/zerodha/gokiteconnect/v4"
	kiteticker "github.com/zerodha/gokiteconnect/v4/ticker"
)

// replayToken is an NSE equity token of the test's own (segment 1, the low
// byte), not one the sandbox's universe lists, so every tick the official
// client sees for it can only have come from the recording.
const replayToken = 0x00ABCD01

// recordingOf writes a recording of one instrument whose last price walks
// through prices (in paise), one full-mode message every 20 ms.
func recordingOf(t *testing.T, prices []int32) *recording.Reader {
	t.Helper()
	var buf bytes.Buffer
	w, err := recording.NewWriter(&buf, recording.Header{
		Created: time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC),
		Instruments: []recording.Instrument{{
			Token: replayToken, Exchange: "NSE", Tradingsymbol: "REPLAYTEST", Name: "REPLAY TEST",
			InstrumentType: "EQ", Segment: "NSE", LotSize: 1, TickSize: 0.05,
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 20, 9, 15, 1, 0, time.UTC)
	for i, p := range prices {
		tk := ticks.Tick{
			Mode: ticks.ModeFull, InstrumentToken: replayToken, LastPrice: p,
			LastTradedQuantity: 1, AverageTradedPrice: p, VolumeTraded: uint32(100 * (i + 1)),
			Open: prices[0], High: p, Low: prices[0], Close: prices[0],
			ExchangeTimestamp: uint32(start.Unix()) + uint32(i),
		}
		tk.Depth.Buy[0] = ticks.DepthItem{Quantity: 10, Price: p - 5, Orders: 1}
		tk.Depth.Sell[0] = ticks.DepthItem{Quantity: 10, Price: p + 5, Orders: 1}
		f := recording.Frame{
			Recv: start.Add(time.Duration(i) * 20 * time.Millisecond).UnixNano(),
			Conn: 1, Kind: recording.KindBinary, Data: ticks.AppendMessage(nil, tk),
		}
		if err := w.Write(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := recording.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// readerReplay serves a recording.Reader as the sandbox's replay source.
type readerReplay struct{ r *recording.Reader }

func (s readerReplay) Instruments() []recording.Instrument { return s.r.Header().Instruments }
func (s readerReplay) Next() (recording.Frame, error)      { return s.r.Next() }

// TestConformanceReplayTicker: the sandbox serves a recorded day to
// Zerodha's own Go ticker, which decodes the recorded prices, in the
// recorded order.
func TestConformanceReplayTicker(t *testing.T) {
	// 1500.00, 1500.05, … : twenty distinct prices, written out by hand as
	// a walk of one tick (5 paise) up, then down.
	prices := []int32{150000, 150005, 150010, 150015, 150020, 150025, 150030, 150035, 150040, 150045,
		150040, 150035, 150030, 150025, 150020, 150015, 150010, 150005, 150000, 149995}
	srv := sandboxtest.NewServer(t, sandbox.Options{
		Seed: 3, TickInterval: 20 * time.Millisecond,
		Replay: readerReplay{recordingOf(t, prices)},
	})
	kc := kiteconnect.New(sandbox.APIKey)
	kc.SetBaseURI(srv.URL())
	sess := connectLogin(t, srv, kc)

	ticksC, _, errC := serveOfficialTicker(t, srv, sess.AccessToken, replayToken)

	// The client may join after the first ticks or see a price twice (a
	// mode change re-sends it), but what it sees is the recording's walk,
	// in order, ending on its last price.
	next := 0
	deadline := time.After(20 * time.Second)
	for next < len(prices) {
		select {
		case tick := <-ticksC:
			if tick.InstrumentToken != replayToken {
				t.Fatalf("a tick for %d: the replay recorded only %d", tick.InstrumentToken, replayToken)
			}
			if tick.Mode != string(kiteticker.ModeFull) {
				continue
			}
			paise := int32(tick.LastPrice*100 + 0.5)
			for next < len(prices) && prices[next] != paise {
				next++
			}
			if next == len(prices) {
				t.Fatalf("price %v is not in the recording at or after its place", tick.LastPrice)
			}
			if tick.Depth.Buy[0].Price != float64(paise-5)/100 || tick.Depth.Sell[0].Price != float64(paise+5)/100 {
				t.Fatalf("depth %+v / %+v around %v: want the recorded ±0.05", tick.Depth.Buy[0], tick.Depth.Sell[0], tick.LastPrice)
			}
			if next == len(prices)-1 {
				return
			}
		case err := <-errC:
			t.Fatalf("ticker error: %v", err)
		case <-deadline:
			t.Fatalf("the recording's last price never arrived; reached %d of %d", next, len(prices))
		}
	}
}
