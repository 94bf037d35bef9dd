package main

import (
	"github.com/kitecli/kite/pkg/recording"
	"github.com/kitecli/kite/pkg/ticks"
)

// tickRow is one Parquet row: the columns kite ticks convert --help lists.
// Pointers are nullable columns, nil where kite ticks decode leaves the
// field out.
type tickRow struct {
	RecvTime           *int64   `parquet:"recv_time,optional,timestamp(nanosecond)"`
	InstrumentToken    int64    `parquet:"instrument_token"`
	Symbol             *string  `parquet:"symbol,optional,dict"`
	Exchange           *string  `parquet:"exchange,optional,dict"`
	Mode               string   `parquet:"mode,dict"`
	Tradable           bool     `parquet:"tradable"`
	LastPrice          float64  `parquet:"last_price"`
	LastTradedQuantity *int64   `parquet:"last_traded_quantity,optional"`
	AverageTradedPrice *float64 `parquet:"average_traded_price,optional"`
	VolumeTraded       *int64   `parquet:"volume_traded,optional"`
	TotalBuyQuantity   *int64   `parquet:"total_buy_quantity,optional"`
	TotalSellQuantity  *int64   `parquet:"total_sell_quantity,optional"`
	Open               *float64 `parquet:"open,optional"`
	High               *float64 `parquet:"high,optional"`
	Low                *float64 `parquet:"low,optional"`
	Close              *float64 `parquet:"close,optional"`
	Change             *float64 `parquet:"change,optional"`
	LastTradeTime      *int64   `parquet:"last_trade_time,optional,timestamp(nanosecond)"`
	OI                 *int64   `parquet:"oi,optional"`
	OIDayHigh          *int64   `parquet:"oi_day_high,optional"`
	OIDayLow           *int64   `parquet:"oi_day_low,optional"`
	ExchangeTimestamp  *int64   `parquet:"exchange_timestamp,optional,timestamp(nanosecond)"`

	BidPrice1    *float64 `parquet:"bid_price_1,optional"`
	BidPrice2    *float64 `parquet:"bid_price_2,optional"`
	BidPrice3    *float64 `parquet:"bid_price_3,optional"`
	BidPrice4    *float64 `parquet:"bid_price_4,optional"`
	BidPrice5    *float64 `parquet:"bid_price_5,optional"`
	BidQuantity1 *int64   `parquet:"bid_quantity_1,optional"`
	BidQuantity2 *int64   `parquet:"bid_quantity_2,optional"`
	BidQuantity3 *int64   `parquet:"bid_quantity_3,optional"`
	BidQuantity4 *int64   `parquet:"bid_quantity_4,optional"`
	BidQuantity5 *int64   `parquet:"bid_quantity_5,optional"`
	BidOrders1   *int64   `parquet:"bid_orders_1,optional"`
	BidOrders2   *int64   `parquet:"bid_orders_2,optional"`
	BidOrders3   *int64   `parquet:"bid_orders_3,optional"`
	BidOrders4   *int64   `parquet:"bid_orders_4,optional"`
	BidOrders5   *int64   `parquet:"bid_orders_5,optional"`
	AskPrice1    *float64 `parquet:"ask_price_1,optional"`
	AskPrice2    *float64 `parquet:"ask_price_2,optional"`
	AskPrice3    *float64 `parquet:"ask_price_3,optional"`
	AskPrice4    *float64 `parquet:"ask_price_4,optional"`
	AskPrice5    *float64 `parquet:"ask_price_5,optional"`
	AskQuantity1 *int64   `parquet:"ask_quantity_1,optional"`
	AskQuantity2 *int64   `parquet:"ask_quantity_2,optional"`
	AskQuantity3 *int64   `parquet:"ask_quantity_3,optional"`
	AskQuantity4 *int64   `parquet:"ask_quantity_4,optional"`
	AskQuantity5 *int64   `parquet:"ask_quantity_5,optional"`
	AskOrders1   *int64   `parquet:"ask_orders_1,optional"`
	AskOrders2   *int64   `parquet:"ask_orders_2,optional"`
	AskOrders3   *int64   `parquet:"ask_orders_3,optional"`
	AskOrders4   *int64   `parquet:"ask_orders_4,optional"`
	AskOrders5   *int64   `parquet:"ask_orders_5,optional"`
}

// fillRow sets r from t, with the fields kite ticks decode prints for t's
// mode and kind (see ticks.JSONEncoder.Append).
func fillRow(r *tickRow, t *ticks.Tick, recv int64, mapping map[uint32]recording.Instrument) {
	div := float64(ticks.Divisor(t.Segment()))
	price := func(v int32) float64 { return float64(v) / div }
	*r = tickRow{InstrumentToken: int64(t.InstrumentToken), Mode: t.Mode.String(), Tradable: t.Tradable(), LastPrice: price(t.LastPrice)}
	if recv != 0 {
		r.RecvTime = ptr(recv)
	}
	if in, ok := mapping[t.InstrumentToken]; ok {
		r.Symbol, r.Exchange = ptr(in.Exchange+":"+in.Tradingsymbol), ptr(in.Exchange)
	}
	if t.Mode != ticks.ModeLTP && t.Mode != ticks.ModeQuote {
		r.Mode = "full" // as decode prints any other mode
	}
	if t.Mode == ticks.ModeLTP {
		return
	}
	r.Open, r.High, r.Low, r.Close = ptr(price(t.Open)), ptr(price(t.High)), ptr(price(t.Low)), ptr(price(t.Close))
	r.Change = ptr(float64(ticks.ChangeE4(t.LastPrice, t.Close)) / 1e4)
	full := t.Mode != ticks.ModeQuote
	if t.IsIndex() {
		if full {
			r.ExchangeTimestamp = unixNS(t.ExchangeTimestamp)
		}
		return
	}
	r.LastTradedQuantity = ptr(int64(t.LastTradedQuantity))
	r.AverageTradedPrice = ptr(price(t.AverageTradedPrice))
	r.VolumeTraded = ptr(int64(t.VolumeTraded))
	r.TotalBuyQuantity = ptr(int64(t.TotalBuyQuantity))
	r.TotalSellQuantity = ptr(int64(t.TotalSellQuantity))
	if !full {
		return
	}
	r.LastTradeTime = unixNS(t.LastTradeTime)
	r.OI, r.OIDayHigh, r.OIDayLow = ptr(int64(t.OI)), ptr(int64(t.OIDayHigh)), ptr(int64(t.OIDayLow))
	r.ExchangeTimestamp = unixNS(t.ExchangeTimestamp)
	b, s := &t.Depth.Buy, &t.Depth.Sell
	r.BidPrice1, r.BidPrice2, r.BidPrice3, r.BidPrice4, r.BidPrice5 = ptr(price(b[0].Price)), ptr(price(b[1].Price)), ptr(price(b[2].Price)), ptr(price(b[3].Price)), ptr(price(b[4].Price))
	r.BidQuantity1, r.BidQuantity2, r.BidQuantity3, r.BidQuantity4, r.BidQuantity5 = ptr(int64(b[0].Quantity)), ptr(int64(b[1].Quantity)), ptr(int64(b[2].Quantity)), ptr(int64(b[3].Quantity)), ptr(int64(b[4].Quantity))
	r.BidOrders1, r.BidOrders2, r.BidOrders3, r.BidOrders4, r.BidOrders5 = ptr(int64(b[0].Orders)), ptr(int64(b[1].Orders)), ptr(int64(b[2].Orders)), ptr(int64(b[3].Orders)), ptr(int64(b[4].Orders))
	r.AskPrice1, r.AskPrice2, r.AskPrice3, r.AskPrice4, r.AskPrice5 = ptr(price(s[0].Price)), ptr(price(s[1].Price)), ptr(price(s[2].Price)), ptr(price(s[3].Price)), ptr(price(s[4].Price))
	r.AskQuantity1, r.AskQuantity2, r.AskQuantity3, r.AskQuantity4, r.AskQuantity5 = ptr(int64(s[0].Quantity)), ptr(int64(s[1].Quantity)), ptr(int64(s[2].Quantity)), ptr(int64(s[3].Quantity)), ptr(int64(s[4].Quantity))
	r.AskOrders1, r.AskOrders2, r.AskOrders3, r.AskOrders4, r.AskOrders5 = ptr(int64(s[0].Orders)), ptr(int64(s[1].Orders)), ptr(int64(s[2].Orders)), ptr(int64(s[3].Orders)), ptr(int64(s[4].Orders))
}

// unixNS is a Kite timestamp (Unix seconds) in ns; nil for Kite's zero.
func unixNS(sec uint32) *int64 {
	if sec == 0 {
		return nil
	}
	return ptr(int64(sec) * 1e9)
}
