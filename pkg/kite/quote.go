package kite

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// QuoteMode picks one of Kite's three quote endpoints.
type QuoteMode string

// Quote modes.
const (
	QuoteFull QuoteMode = "full" // GET /quote: depth, OHLC, volume, OI, circuit limits
	QuoteOHLC QuoteMode = "ohlc" // GET /quote/ohlc
	QuoteLTP  QuoteMode = "ltp"  // GET /quote/ltp
)

// ParseQuoteMode validates a --mode value.
func ParseQuoteMode(s string) (QuoteMode, error) {
	switch m := QuoteMode(s); m {
	case QuoteFull, QuoteOHLC, QuoteLTP:
		return m, nil
	}
	return "", fmt.Errorf("unknown quote mode %q: use full, ohlc or ltp", s)
}

// Path is the endpoint of the mode.
func (m QuoteMode) Path() string {
	if m == QuoteFull {
		return "/quote"
	}
	return "/quote/" + string(m)
}

// BatchSize is the most instruments Kite accepts in one request of the
// mode: 500 for /quote, 1000 for /quote/ohlc and /quote/ltp.
func (m QuoteMode) BatchSize() int {
	if m == QuoteFull {
		return 500
	}
	return 1000
}

// Quote fetches one batch (at most mode.BatchSize() instruments, each
// EXCHANGE:TRADINGSYMBOL or an instrument token). The result is Kite's
// object keyed by instrument, each value as Kite sent it, so prices keep
// their exact digits. Instruments Kite does not know are simply absent.
func (c *Client) Quote(ctx context.Context, mode QuoteMode, instruments []string) (map[string]json.RawMessage, error) {
	if n := len(instruments); n > mode.BatchSize() {
		return nil, fmt.Errorf("%d instruments in one %s request: Kite accepts at most %d", n, mode.Path(), mode.BatchSize())
	}
	out := map[string]json.RawMessage{}
	if len(instruments) == 0 {
		return out, nil
	}
	if err := c.Do(ctx, http.MethodGet, mode.Path(), url.Values{"i": instruments}, &out); err != nil {
		return nil, err
	}
	return out, nil
}
