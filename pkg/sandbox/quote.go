package sandbox

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/ticks"
)

// Kite's limits on instruments per quote request.
const (
	maxQuoteInstruments = 500
	maxLTPInstruments   = 1000 // /quote/ohlc and /quote/ltp
)

type ohlcJSON struct {
	Open  float64 `json:"open"`
	High  float64 `json:"high"`
	Low   float64 `json:"low"`
	Close float64 `json:"close"`
}

type depthItemJSON struct {
	Price    float64 `json:"price"`
	Quantity uint32  `json:"quantity"`
	Orders   uint16  `json:"orders"`
}

type depthJSON struct {
	Buy  [5]depthItemJSON `json:"buy"`
	Sell [5]depthItemJSON `json:"sell"`
}

// quoteJSON is one instrument of GET /quote.
type quoteJSON struct {
	InstrumentToken   uint32    `json:"instrument_token"`
	Timestamp         string    `json:"timestamp"`
	LastTradeTime     *string   `json:"last_trade_time"`
	LastPrice         float64   `json:"last_price"`
	LastQuantity      uint32    `json:"last_quantity"`
	BuyQuantity       uint32    `json:"buy_quantity"`
	SellQuantity      uint32    `json:"sell_quantity"`
	Volume            uint32    `json:"volume"`
	AveragePrice      float64   `json:"average_price"`
	OI                uint32    `json:"oi"`
	OIDayHigh         uint32    `json:"oi_day_high"`
	OIDayLow          uint32    `json:"oi_day_low"`
	NetChange         float64   `json:"net_change"`
	LowerCircuitLimit float64   `json:"lower_circuit_limit"`
	UpperCircuitLimit float64   `json:"upper_circuit_limit"`
	OHLC              ohlcJSON  `json:"ohlc"`
	Depth             depthJSON `json:"depth"`
}

type ohlcQuoteJSON struct {
	InstrumentToken uint32   `json:"instrument_token"`
	LastPrice       float64  `json:"last_price"`
	OHLC            ohlcJSON `json:"ohlc"`
}

type ltpJSON struct {
	InstrumentToken uint32  `json:"instrument_token"`
	LastPrice       float64 `json:"last_price"`
}

// quoteArgs resolves the repeated i= parameters ("NSE:INFY" or a numeric
// instrument token). Unknown instruments are left out of the answer, as
// Kite does; an empty or oversized list is an InputException.
func (s *Server) quoteArgs(w http.ResponseWriter, r *http.Request, limit int) (keys []string, insts []market.Instrument, ok bool) {
	args := r.Form["i"]
	if len(args) == 0 {
		inputError(w, "No instruments given: pass i=EXCHANGE:TRADINGSYMBOL (or an instrument token), once per instrument.")
		return nil, nil, false
	}
	if len(args) > limit {
		inputError(w, fmt.Sprintf("Too many instruments: at most %d per request.", limit))
		return nil, nil, false
	}
	for _, a := range args {
		var (
			in    market.Instrument
			found bool
		)
		if ex, sym, isKey := strings.Cut(a, ":"); isKey {
			in, found = s.world.market.Lookup(ex, sym)
		} else if tok, err := strconv.ParseUint(a, 10, 32); err == nil {
			in, found = s.world.market.ByToken(uint32(tok))
		}
		if found {
			keys = append(keys, a)
			insts = append(insts, in)
		}
	}
	return keys, insts, true
}

func price(in *market.Instrument, v int32) float64 { return in.Rupees(int64(v)) }

func kiteTimestamp(unix uint32) string {
	return time.Unix(int64(unix), 0).In(market.IST).Format(kiteTime)
}

func (s *Server) handleQuote(w http.ResponseWriter, r *http.Request, _ session) {
	keys, insts, ok := s.quoteArgs(w, r, maxQuoteInstruments)
	if !ok {
		return
	}
	out := make(map[string]quoteJSON, len(keys))
	for k, key := range keys {
		in := &insts[k]
		t, _ := s.world.market.Tick(in.Token, ticks.ModeFull)
		lower, upper, _ := s.world.market.Circuit(in.Token)
		q := quoteJSON{
			InstrumentToken:   in.Token,
			Timestamp:         kiteTimestamp(t.ExchangeTimestamp), // the market's time, or its last session's close
			LastPrice:         price(in, t.LastPrice),
			LastQuantity:      t.LastTradedQuantity,
			BuyQuantity:       t.TotalBuyQuantity,
			SellQuantity:      t.TotalSellQuantity,
			Volume:            t.VolumeTraded,
			AveragePrice:      price(in, t.AverageTradedPrice),
			OI:                t.OI,
			OIDayHigh:         t.OIDayHigh,
			OIDayLow:          t.OIDayLow,
			NetChange:         in.Rupees(int64(t.LastPrice) - int64(t.Close)),
			LowerCircuitLimit: in.Rupees(lower),
			UpperCircuitLimit: in.Rupees(upper),
			OHLC:              ohlcOf(in, &t),
		}
		if t.LastTradeTime != 0 {
			ltt := kiteTimestamp(t.LastTradeTime)
			q.LastTradeTime = &ltt
		}
		for i := range 5 {
			b, a := t.Depth.Buy[i], t.Depth.Sell[i]
			q.Depth.Buy[i] = depthItemJSON{Price: price(in, b.Price), Quantity: b.Quantity, Orders: b.Orders}
			q.Depth.Sell[i] = depthItemJSON{Price: price(in, a.Price), Quantity: a.Quantity, Orders: a.Orders}
		}
		out[key] = q
	}
	writeData(w, out)
}

func ohlcOf(in *market.Instrument, t *ticks.Tick) ohlcJSON {
	return ohlcJSON{Open: price(in, t.Open), High: price(in, t.High), Low: price(in, t.Low), Close: price(in, t.Close)}
}

func (s *Server) handleOHLC(w http.ResponseWriter, r *http.Request, _ session) {
	keys, insts, ok := s.quoteArgs(w, r, maxLTPInstruments)
	if !ok {
		return
	}
	out := make(map[string]ohlcQuoteJSON, len(keys))
	for k, key := range keys {
		in := &insts[k]
		t, _ := s.world.market.Tick(in.Token, ticks.ModeQuote)
		out[key] = ohlcQuoteJSON{InstrumentToken: in.Token, LastPrice: price(in, t.LastPrice), OHLC: ohlcOf(in, &t)}
	}
	writeData(w, out)
}

func (s *Server) handleLTP(w http.ResponseWriter, r *http.Request, _ session) {
	keys, insts, ok := s.quoteArgs(w, r, maxLTPInstruments)
	if !ok {
		return
	}
	out := make(map[string]ltpJSON, len(keys))
	for k, key := range keys {
		in := &insts[k]
		t, _ := s.world.market.Tick(in.Token, ticks.ModeLTP)
		out[key] = ltpJSON{InstrumentToken: in.Token, LastPrice: price(in, t.LastPrice)}
	}
	writeData(w, out)
}

// handleInstruments serves Kite's CSV dump, not enveloped.
func (s *Server) handleInstruments(w http.ResponseWriter, r *http.Request, _ session) {
	ex := r.PathValue("exchange")
	body, ok := s.world.instrumentsCSV(ex)
	if !ok {
		inputError(w, fmt.Sprintf("Invalid exchange %q: use NSE, BSE, NFO, BFO, CDS, BCD or MCX.", ex))
		return
	}
	w.Header().Set("Content-Type", "text/csv")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}
