package kite

import (
	"context"
	"encoding/json"
	"net/http"
)

// Holding is one long-term equity holding (GET /portfolio/holdings).
type Holding struct {
	Tradingsymbol       string          `json:"tradingsymbol"`
	Exchange            string          `json:"exchange"`
	InstrumentToken     uint32          `json:"instrument_token"`
	ISIN                string          `json:"isin"`
	Product             string          `json:"product"`
	Price               float64         `json:"price"`
	Quantity            int             `json:"quantity"`
	UsedQuantity        int             `json:"used_quantity"`
	T1Quantity          int             `json:"t1_quantity"`
	RealisedQuantity    int             `json:"realised_quantity"`
	AuthorisedQuantity  int             `json:"authorised_quantity"`
	AuthorisedDate      Time            `json:"authorised_date"`
	Authorisation       json.RawMessage `json:"authorisation,omitempty"`
	OpeningQuantity     int             `json:"opening_quantity"`
	ShortQuantity       int             `json:"short_quantity"`
	CollateralQuantity  int             `json:"collateral_quantity"`
	CollateralType      string          `json:"collateral_type"`
	Discrepancy         bool            `json:"discrepancy"`
	AveragePrice        float64         `json:"average_price"`
	LastPrice           float64         `json:"last_price"`
	ClosePrice          float64         `json:"close_price"`
	PnL                 float64         `json:"pnl"`
	DayChange           float64         `json:"day_change"`
	DayChangePercentage float64         `json:"day_change_percentage"`
	MTF                 MTFHolding      `json:"mtf"`
}

// MTFHolding is the margin-trading-facility part of a holding.
type MTFHolding struct {
	Quantity      int     `json:"quantity"`
	UsedQuantity  int     `json:"used_quantity"`
	AveragePrice  float64 `json:"average_price"`
	Value         float64 `json:"value"`
	InitialMargin float64 `json:"initial_margin"`
}

// Position is one open or closed position of the day or the account.
type Position struct {
	Tradingsymbol     string  `json:"tradingsymbol"`
	Exchange          string  `json:"exchange"`
	InstrumentToken   uint32  `json:"instrument_token"`
	Product           string  `json:"product"`
	Quantity          int     `json:"quantity"`
	OvernightQuantity int     `json:"overnight_quantity"`
	Multiplier        float64 `json:"multiplier"`
	AveragePrice      float64 `json:"average_price"`
	ClosePrice        float64 `json:"close_price"`
	LastPrice         float64 `json:"last_price"`
	Value             float64 `json:"value"`
	PnL               float64 `json:"pnl"`
	M2M               float64 `json:"m2m"`
	Unrealised        float64 `json:"unrealised"`
	Realised          float64 `json:"realised"`
	BuyQuantity       int     `json:"buy_quantity"`
	BuyPrice          float64 `json:"buy_price"`
	BuyValue          float64 `json:"buy_value"`
	BuyM2M            float64 `json:"buy_m2m"`
	SellQuantity      int     `json:"sell_quantity"`
	SellPrice         float64 `json:"sell_price"`
	SellValue         float64 `json:"sell_value"`
	SellM2M           float64 `json:"sell_m2m"`
	DayBuyQuantity    int     `json:"day_buy_quantity"`
	DayBuyPrice       float64 `json:"day_buy_price"`
	DayBuyValue       float64 `json:"day_buy_value"`
	DaySellQuantity   int     `json:"day_sell_quantity"`
	DaySellPrice      float64 `json:"day_sell_price"`
	DaySellValue      float64 `json:"day_sell_value"`
}

// Positions are the account's net positions and the day's (GET
// /portfolio/positions).
type Positions struct {
	Net []Position `json:"net"`
	Day []Position `json:"day"`
}

// Holdings fetches the account's holdings.
func (c *Client) Holdings(ctx context.Context) ([]Holding, error) {
	var hs []Holding
	err := c.Do(ctx, http.MethodGet, "/portfolio/holdings", nil, &hs)
	return nonNil(hs), err
}

// Positions fetches the net and day positions.
func (c *Client) Positions(ctx context.Context) (Positions, error) {
	var p Positions
	err := c.Do(ctx, http.MethodGet, "/portfolio/positions", nil, &p)
	p.Net, p.Day = nonNil(p.Net), nonNil(p.Day)
	return p, err
}

// nonNil turns a JSON null list into an empty one, so output is [] and a
// script's `.[]` never fails on null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
