package kite

import (
	"encoding/json"
	"time"
)

// Candle is one historical candle. Prices and volumes keep Kite's digits
// exactly (json.Number); Date is RFC 3339 in IST per kite's output
// contract; OI is empty unless asked for.
type Candle struct {
	Date   string      `json:"date"`
	Open   json.Number `json:"open"`
	High   json.Number `json:"high"`
	Low    json.Number `json:"low"`
	Close  json.Number `json:"close"`
	Volume json.Number `json:"volume"`
	OI     json.Number `json:"oi,omitempty"`
	Time   time.Time   `json:"-"`
}

// AppendJSON appends c as a JSON object ({"date":…,"open":…,…}), the same
// bytes encoding/json would write, without reflection: a year of minute
// candles is ~100k records.
func (c *Candle) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"date":"`...)
	dst = append(dst, c.Date...)
	dst = append(dst, `","open":`...)
	dst = append(dst, c.Open...)
	dst = append(dst, `,"high":`...)
	dst = append(dst, c.High...)
	dst = append(dst, `,"low":`...)
	dst = append(dst, c.Low...)
	dst = append(dst, `,"close":`...)
	dst = append(dst, c.Close...)
	dst = append(dst, `,"volume":`...)
	dst = append(dst, c.Volume...)
	if c.OI != "" {
		dst = append(dst, `,"oi":`...)
		dst = append(dst, c.OI...)
	}
	return append(dst, '}')
}

// AppendCSV appends c as a CSV row date,open,high,low,close,volume[,oi]
// (with oi, an empty cell when Kite sent none). No field can contain a
// comma or quote: the date is RFC 3339 and the rest are JSON numbers.
func (c *Candle) AppendCSV(dst []byte, oi bool) []byte {
	for i, s := range [...]string{c.Date, string(c.Open), string(c.High), string(c.Low), string(c.Close), string(c.Volume)} {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, s...)
	}
	if oi {
		dst = append(dst, ',')
		dst = append(dst, c.OI...)
	}
	return append(dst, '\n')
}

// CandleColumns are the CSV columns of AppendCSV, in its order.
func CandleColumns(oi bool) []string {
	cols := []string{"date", "open", "high", "low", "close", "volume"}
	if oi {
		cols = append(cols, "oi")
	}
	return cols
}
