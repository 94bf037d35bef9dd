package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/ticks"
)

// quoteData is the part of a REST quote that maps onto a tick. Numbers
// stay json.Number so prices convert to integer units without float error.
type quoteData struct {
	InstrumentToken uint32      `json:"instrument_token"`
	Timestamp       string      `json:"timestamp"`
	LastTradeTime   string      `json:"last_trade_time"`
	LastPrice       json.Number `json:"last_price"`
	LastQuantity    uint32      `json:"last_quantity"`
	BuyQuantity     uint32      `json:"buy_quantity"`
	SellQuantity    uint32      `json:"sell_quantity"`
	Volume          uint32      `json:"volume"`
	AveragePrice    json.Number `json:"average_price"`
	OI              uint32      `json:"oi"`
	OIDayHigh       uint32      `json:"oi_day_high"`
	OIDayLow        uint32      `json:"oi_day_low"`
	NetChange       json.Number `json:"net_change"`
	OHLC            struct {
		Open, High, Low, Close json.Number
	} `json:"ohlc"`
	Depth struct {
		Buy, Sell []struct {
			Price    json.Number `json:"price"`
			Quantity uint32      `json:"quantity"`
			Orders   uint16      `json:"orders"`
		}
	} `json:"depth"`
}

// snapshot prints one record per instrument from the REST quote endpoints,
// in the tick record's shape (so a consumer reads it like any tick) with
// "snapshot":true. Kite answers /quote for at most 500 instruments and
// /quote/ltp for 1000 at a time, and at one request a second; the client's
// rate limiter paces the batches.
func (w *tickWriter) snapshot(ctx context.Context, f *Factory, insts []instrument, mode ticks.Mode) error {
	c, err := f.Client(ctx)
	if err != nil {
		return err
	}
	qm := kite.QuoteFull
	if mode == ticks.ModeLTP {
		qm = kite.QuoteLTP
	}
	for len(insts) > 0 {
		batch := insts[:min(len(insts), qm.BatchSize())]
		insts = insts[len(batch):]
		keys := make([]string, len(batch))
		for i, in := range batch {
			keys[i] = in.symbol
			if keys[i] == "" {
				keys[i] = strconv.FormatUint(uint64(in.token), 10)
			}
		}
		quotes, err := c.Quote(ctx, qm, keys)
		if err != nil {
			return fmt.Errorf("--snapshot: %w", err)
		}
		buf := w.out1[:0]
		for i, in := range batch {
			raw, ok := quotes[keys[i]]
			if !ok {
				f.Logger.Warn("--snapshot: no quote from Kite", "instrument", keys[i])
				continue
			}
			var q quoteData
			if err := json.Unmarshal(raw, &q); err != nil {
				return fmt.Errorf("--snapshot: decoding the quote of %s: %w", keys[i], err)
			}
			tick := quoteTick(&q, in.token, mode)
			start := len(buf)
			buf = ticks.AppendJSON(buf, &tick, in.symbol)
			buf = append(buf[:len(buf)-2], `,"snapshot":true}`+"\n"...)
			if w.jq != nil {
				if buf, err = w.applyJQ(buf, start); err != nil {
					return err
				}
			}
		}
		w.out1 = buf
		if err := w.write(buf); err != nil {
			return err
		}
	}
	return nil
}

// quoteTick converts a REST quote into the Tick the ticker would send.
func quoteTick(q *quoteData, token uint32, mode ticks.Mode) ticks.Tick {
	seg := uint8(token)
	dec := ticks.DivisorDecimals(seg)
	t := ticks.Tick{
		Mode:               mode,
		InstrumentToken:    token,
		LastPrice:          units(q.LastPrice, dec),
		LastTradedQuantity: q.LastQuantity,
		AverageTradedPrice: units(q.AveragePrice, dec),
		VolumeTraded:       q.Volume,
		TotalBuyQuantity:   q.BuyQuantity,
		TotalSellQuantity:  q.SellQuantity,
		Open:               units(q.OHLC.Open, dec),
		High:               units(q.OHLC.High, dec),
		Low:                units(q.OHLC.Low, dec),
		Close:              units(q.OHLC.Close, dec),
		NetChange:          units(q.NetChange, dec),
		LastTradeTime:      istUnix(q.LastTradeTime),
		OI:                 q.OI,
		OIDayHigh:          q.OIDayHigh,
		OIDayLow:           q.OIDayLow,
		ExchangeTimestamp:  istUnix(q.Timestamp),
	}
	for i := range min(len(q.Depth.Buy), 5) {
		b := q.Depth.Buy[i]
		t.Depth.Buy[i] = ticks.DepthItem{Quantity: b.Quantity, Price: units(b.Price, dec), Orders: b.Orders}
	}
	for i := range min(len(q.Depth.Sell), 5) {
		s := q.Depth.Sell[i]
		t.Depth.Sell[i] = ticks.DepthItem{Quantity: s.Quantity, Price: units(s.Price, dec), Orders: s.Orders}
	}
	return t
}

// units converts a decimal such as "1573.7" to integer units with dec
// decimal places (157370 for dec 2) from its digits, so no float rounding
// creeps in; exponent forms fall back to rounding the float.
func units(n json.Number, dec int) int32 {
	s := string(n)
	if s == "" {
		return 0
	}
	if !strings.ContainsAny(s, "eE") {
		neg := strings.HasPrefix(s, "-")
		s = strings.TrimPrefix(s, "-")
		whole, frac, _ := strings.Cut(s, ".")
		if len(frac) > dec {
			frac = frac[:dec]
		}
		frac += strings.Repeat("0", dec-len(frac))
		if v, err := strconv.ParseInt(whole+frac, 10, 64); err == nil && v <= math.MaxInt32 {
			if neg {
				v = -v
			}
			return int32(v)
		}
	}
	f, err := n.Float64()
	if err != nil {
		return 0
	}
	return int32(math.Round(f * math.Pow10(dec)))
}

// istUnix parses Kite's "2006-01-02 15:04:05" IST timestamps (or RFC 3339).
func istUnix(s string) uint32 {
	if s == "" {
		return 0
	}
	t, err := time.ParseInLocation(time.DateTime, s, kite.IST)
	if err != nil {
		if t, err = time.Parse(time.RFC3339, s); err != nil {
			return 0
		}
	}
	return uint32(t.Unix())
}
