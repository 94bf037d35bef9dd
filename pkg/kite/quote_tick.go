package kite

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/kitecli/kite/pkg/ticks"
)

// quoteData is the part of a REST quote that maps onto a tick. Numbers
// stay json.Number so prices convert to integer units from their digits.
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

// QuoteTick converts one instrument's REST quote (a value of the object
// Quote returns, from /quote or /quote/ltp) into the tick the ticker would
// send for it in mode. The token gives the segment, and so the price
// divisor. Fields the quote lacks stay zero; a quote that is not a JSON
// object of Kite's shape is an error.
func QuoteTick(raw json.RawMessage, token uint32, mode ticks.Mode) (ticks.Tick, error) {
	var q quoteData
	if err := json.Unmarshal(raw, &q); err != nil {
		return ticks.Tick{}, fmt.Errorf("a quote of instrument %d is not in Kite's shape: %w", token, err)
	}
	dec := ticks.DivisorDecimals(uint8(token))
	t := ticks.Tick{
		Mode:               mode,
		InstrumentToken:    token,
		LastPrice:          quotePrice(q.LastPrice, dec),
		LastTradedQuantity: q.LastQuantity,
		AverageTradedPrice: quotePrice(q.AveragePrice, dec),
		VolumeTraded:       q.Volume,
		TotalBuyQuantity:   q.BuyQuantity,
		TotalSellQuantity:  q.SellQuantity,
		Open:               quotePrice(q.OHLC.Open, dec),
		High:               quotePrice(q.OHLC.High, dec),
		Low:                quotePrice(q.OHLC.Low, dec),
		Close:              quotePrice(q.OHLC.Close, dec),
		NetChange:          quotePrice(q.NetChange, dec),
		LastTradeTime:      quoteUnix(q.LastTradeTime),
		OI:                 q.OI,
		OIDayHigh:          q.OIDayHigh,
		OIDayLow:           q.OIDayLow,
		ExchangeTimestamp:  quoteUnix(q.Timestamp),
	}
	for i := range min(len(q.Depth.Buy), 5) {
		b := q.Depth.Buy[i]
		t.Depth.Buy[i] = ticks.DepthItem{Quantity: b.Quantity, Price: quotePrice(b.Price, dec), Orders: b.Orders}
	}
	for i := range min(len(q.Depth.Sell), 5) {
		s := q.Depth.Sell[i]
		t.Depth.Sell[i] = ticks.DepthItem{Quantity: s.Quantity, Price: quotePrice(s.Price, dec), Orders: s.Orders}
	}
	return t, nil
}

// quotePrice converts a quoted price to integer units with dec decimals:
// exactly from its digits (ticks.ParsePrice) when it has no more decimals
// than that, else rounded from the float, as a computed field such as
// net_change can carry float noise (4.349999999999909). A value outside
// the tick's range is 0.
func quotePrice(n json.Number, dec int) int32 {
	if n == "" {
		return 0
	}
	if v, ok := ticks.ParsePrice(string(n), dec); ok {
		return v
	}
	f, err := n.Float64()
	if err != nil {
		return 0
	}
	v := math.Round(f * math.Pow10(dec))
	if v > math.MaxInt32 || v < math.MinInt32 || math.IsNaN(v) {
		return 0
	}
	return int32(v)
}

// quoteUnix is a quote's timestamp (ParseTime's formats) as Unix seconds,
// 0 when absent or unreadable, as the ticker sends a missing time.
func quoteUnix(s string) uint32 {
	t, err := ParseTime(s)
	if err != nil || t.IsZero() || t.Unix() < 0 || t.Unix() > math.MaxUint32 {
		return 0
	}
	return uint32(t.Unix())
}
