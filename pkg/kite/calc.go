package kite

import (
	"context"
	"net/http"
	"net/url"
)

// MarginOrder is one order of a margin calculation (POST /margins/orders,
// /margins/basket), with Kite's JSON names.
type MarginOrder struct {
	Exchange        string  `json:"exchange"`
	Tradingsymbol   string  `json:"tradingsymbol"`
	TransactionType string  `json:"transaction_type"`
	Variety         string  `json:"variety"`
	Product         string  `json:"product"`
	OrderType       string  `json:"order_type"`
	Quantity        float64 `json:"quantity"`
	Price           float64 `json:"price,omitempty"`
	TriggerPrice    float64 `json:"trigger_price,omitempty"`
}

// GSTCharges is the GST part of an order's charges.
type GSTCharges struct {
	IGST  float64 `json:"igst"`
	CGST  float64 `json:"cgst"`
	SGST  float64 `json:"sgst"`
	Total float64 `json:"total"`
}

// Charges are an order's charges: brokerage and the statutory levies.
type Charges struct {
	TransactionTax         float64    `json:"transaction_tax"`
	TransactionTaxType     string     `json:"transaction_tax_type"`
	ExchangeTurnoverCharge float64    `json:"exchange_turnover_charge"`
	SEBITurnoverCharge     float64    `json:"sebi_turnover_charge"`
	Brokerage              float64    `json:"brokerage"`
	StampDuty              float64    `json:"stamp_duty"`
	GST                    GSTCharges `json:"gst"`
	Total                  float64    `json:"total"`
}

// MarginPnL is the profit a margin figure carries.
type MarginPnL struct {
	Realised   float64 `json:"realised"`
	Unrealised float64 `json:"unrealised"`
}

// OrderMargin is the margin an order needs (or a basket's total).
type OrderMargin struct {
	Type          string    `json:"type"`
	Tradingsymbol string    `json:"tradingsymbol"`
	Exchange      string    `json:"exchange"`
	Span          float64   `json:"span"`
	Exposure      float64   `json:"exposure"`
	OptionPremium float64   `json:"option_premium"`
	Additional    float64   `json:"additional"`
	BO            float64   `json:"bo"`
	Cash          float64   `json:"cash"`
	VaR           float64   `json:"var"`
	PnL           MarginPnL `json:"pnl"`
	Leverage      float64   `json:"leverage"`
	Charges       Charges   `json:"charges"`
	Total         float64   `json:"total"`
}

// BasketMargins are a basket's margins: the orders alone (Initial), the
// basket as a whole with hedges netted (Final), each order, and charges.
type BasketMargins struct {
	Initial OrderMargin   `json:"initial"`
	Final   OrderMargin   `json:"final"`
	Orders  []OrderMargin `json:"orders"`
	Charges Charges       `json:"charges"`
}

// ChargeOrder is an executed (or planned) order whose charges are asked
// for (POST /charges/orders).
type ChargeOrder struct {
	OrderID         string  `json:"order_id"`
	Exchange        string  `json:"exchange"`
	Tradingsymbol   string  `json:"tradingsymbol"`
	TransactionType string  `json:"transaction_type"`
	Variety         string  `json:"variety"`
	Product         string  `json:"product"`
	OrderType       string  `json:"order_type"`
	Quantity        float64 `json:"quantity"`
	AveragePrice    float64 `json:"average_price"`
}

// ContractNote is one row of the virtual contract note.
type ContractNote struct {
	TransactionType string  `json:"transaction_type"`
	Tradingsymbol   string  `json:"tradingsymbol"`
	Exchange        string  `json:"exchange"`
	Variety         string  `json:"variety"`
	Product         string  `json:"product"`
	OrderType       string  `json:"order_type"`
	Quantity        float64 `json:"quantity"`
	Price           float64 `json:"price"`
	Charges         Charges `json:"charges"`
}

// OrderMargins asks Kite for each order's margin and charges.
func (c *Client) OrderMargins(ctx context.Context, orders []MarginOrder) ([]OrderMargin, error) {
	var out []OrderMargin
	err := c.DoJSON(ctx, http.MethodPost, "/margins/orders", nil, orders, &out)
	return out, err
}

// BasketMargins asks Kite for a basket's margins; considerPositions nets
// the basket against the account's open positions.
func (c *Client) BasketMargins(ctx context.Context, orders []MarginOrder, considerPositions bool) (BasketMargins, error) {
	var out BasketMargins
	q := url.Values{}
	if considerPositions {
		q.Set("consider_positions", "true")
	}
	err := c.DoJSON(ctx, http.MethodPost, "/margins/basket", q, orders, &out)
	return out, err
}

// OrderCharges asks Kite for the virtual contract note of orders.
func (c *Client) OrderCharges(ctx context.Context, orders []ChargeOrder) ([]ContractNote, error) {
	var out []ContractNote
	err := c.DoJSON(ctx, http.MethodPost, "/charges/orders", nil, orders, &out)
	return out, err
}
