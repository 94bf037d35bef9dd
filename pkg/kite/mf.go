package kite

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// Kite Connect's mutual fund endpoints are read-only for apps: orders and
// SIPs are placed on Coin. The records are returned as Kite sends them.

// MFHoldings lists the mutual fund holdings.
func (c *Client) MFHoldings(ctx context.Context) ([]json.RawMessage, error) {
	var out []json.RawMessage
	err := c.Do(ctx, http.MethodGet, "/mf/holdings", nil, &out)
	return out, err
}

// MFOrders lists mutual fund orders: the recent ones, or those placed
// between from and to (YYYY-MM-DD) when both are given.
func (c *Client) MFOrders(ctx context.Context, from, to string) ([]json.RawMessage, error) {
	var q url.Values
	if from != "" || to != "" {
		q = url.Values{"from": {from}, "to": {to}}
	}
	var out []json.RawMessage
	err := c.Do(ctx, http.MethodGet, "/mf/orders", q, &out)
	return out, err
}

// MFOrder fetches one mutual fund order.
func (c *Client) MFOrder(ctx context.Context, orderID string) (json.RawMessage, error) {
	var out json.RawMessage
	err := c.Do(ctx, http.MethodGet, "/mf/orders/"+url.PathEscape(orderID), nil, &out)
	return out, err
}

// MFSIPs lists the SIPs.
func (c *Client) MFSIPs(ctx context.Context) ([]json.RawMessage, error) {
	var out []json.RawMessage
	err := c.Do(ctx, http.MethodGet, "/mf/sips", nil, &out)
	return out, err
}

// MFSIP fetches one SIP.
func (c *Client) MFSIP(ctx context.Context, sipID string) (json.RawMessage, error) {
	var out json.RawMessage
	err := c.Do(ctx, http.MethodGet, "/mf/sips/"+url.PathEscape(sipID), nil, &out)
	return out, err
}

// MFInstrument is one fund of /mf/instruments.
type MFInstrument struct {
	Tradingsymbol                   string  `json:"tradingsymbol"`
	AMC                             string  `json:"amc"`
	Name                            string  `json:"name"`
	PurchaseAllowed                 bool    `json:"purchase_allowed"`
	RedemptionAllowed               bool    `json:"redemption_allowed"`
	MinimumPurchaseAmount           float64 `json:"minimum_purchase_amount"`
	PurchaseAmountMultiplier        float64 `json:"purchase_amount_multiplier"`
	MinimumAdditionalPurchaseAmount float64 `json:"minimum_additional_purchase_amount"`
	MinimumRedemptionQuantity       float64 `json:"minimum_redemption_quantity"`
	RedemptionQuantityMultiplier    float64 `json:"redemption_quantity_multiplier"`
	DividendType                    string  `json:"dividend_type"`
	SchemeType                      string  `json:"scheme_type"`
	Plan                            string  `json:"plan"`
	SettlementType                  string  `json:"settlement_type"`
	LastPrice                       float64 `json:"last_price"`
	LastPriceDate                   string  `json:"last_price_date"`
}

// MFInstruments fetches and parses the fund list.
func (c *Client) MFInstruments(ctx context.Context) ([]MFInstrument, error) {
	raw, err := c.DoRaw(ctx, http.MethodGet, "/mf/instruments", nil)
	if err != nil {
		return nil, err
	}
	return ParseMFInstrumentsCSV(bytes.NewReader(raw))
}

// ParseMFInstrumentsCSV parses Kite's fund list. Columns are found by
// name, so an added column does not break it; a missing one or a bad
// number is an error naming the line and column.
func ParseMFInstrumentsCSV(r io.Reader) ([]MFInstrument, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	head, err := cr.Read()
	if err != nil {
		return nil, errors.New("fund list: no header line")
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, need := range []string{"tradingsymbol", "name", "last_price"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("fund list: no %s column", need)
		}
	}
	var out []MFInstrument
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("fund list line %d: malformed CSV", line)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return rec[i]
			}
			return ""
		}
		var bad string
		num := func(name string) float64 {
			s := get(name)
			if s == "" {
				return 0
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil && bad == "" {
				bad = name
			}
			return v
		}
		in := MFInstrument{
			Tradingsymbol: get("tradingsymbol"), AMC: get("amc"), Name: get("name"),
			PurchaseAllowed: get("purchase_allowed") == "1", RedemptionAllowed: get("redemption_allowed") == "1",
			MinimumPurchaseAmount: num("minimum_purchase_amount"), PurchaseAmountMultiplier: num("purchase_amount_multiplier"),
			MinimumAdditionalPurchaseAmount: num("minimum_additional_purchase_amount"),
			MinimumRedemptionQuantity:       num("minimum_redemption_quantity"),
			RedemptionQuantityMultiplier:    num("redemption_quantity_multiplier"),
			DividendType:                    get("dividend_type"), SchemeType: get("scheme_type"), Plan: get("plan"),
			SettlementType: get("settlement_type"), LastPrice: num("last_price"), LastPriceDate: get("last_price_date"),
		}
		if bad != "" {
			return nil, fmt.Errorf("fund list line %d: %s is not a number", line, bad)
		}
		out = append(out, in)
	}
}
