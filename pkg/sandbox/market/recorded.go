package market

import "github.com/kitecli/kite/pkg/ticks"

// SetRecorded makes t, a recorded tick, the instrument's state: Tick,
// AppendTicks and so the quotes, the ticker and the paper engine show it
// instead of the model's, until the next SetRecorded for the token. It is
// how the sandbox serves a recorded day. It reports false for a token
// outside the universe.
func (m *Market) SetRecorded(t ticks.Tick) bool {
	if _, ok := m.byTok[t.InstrumentToken]; !ok {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rec == nil {
		m.rec = make(map[uint32]ticks.Tick)
	}
	m.rec[t.InstrumentToken] = t
	return true
}

// fill is state.fill, or the recorded tick cut to mode. m.mu is held.
func (m *Market) fill(i int, t *ticks.Tick, token uint32, mode ticks.Mode) {
	r, ok := m.rec[token]
	if !ok {
		m.st[i].fill(t, token, mode)
		return
	}
	*t = r
	t.Mode = mode
	switch mode {
	case ticks.ModeLTP:
		*t = ticks.Tick{Mode: mode, InstrumentToken: token, LastPrice: r.LastPrice}
	case ticks.ModeQuote:
		t.LastTradeTime, t.OI, t.OIDayHigh, t.OIDayLow, t.ExchangeTimestamp = 0, 0, 0, 0, 0
		t.Depth = ticks.Depth{}
	}
}
