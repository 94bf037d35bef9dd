package kite

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// ConvertParams change a position's product (PUT /portfolio/positions).
type ConvertParams struct {
	Exchange        string `json:"exchange"`
	Tradingsymbol   string `json:"tradingsymbol"`
	TransactionType string `json:"transaction_type"` // the position's side: BUY for a long one
	PositionType    string `json:"position_type"`    // day or overnight
	Quantity        int    `json:"quantity"`
	OldProduct      string `json:"old_product"`
	NewProduct      string `json:"new_product"`
}

// Values is the form Kite expects.
func (p ConvertParams) Values() url.Values {
	return url.Values{
		"exchange": {p.Exchange}, "tradingsymbol": {p.Tradingsymbol}, "transaction_type": {p.TransactionType},
		"position_type": {p.PositionType}, "quantity": {strconv.Itoa(p.Quantity)},
		"old_product": {p.OldProduct}, "new_product": {p.NewProduct},
	}
}

// ConvertPosition converts a position's product. It is a write: sent once.
func (c *Client) ConvertPosition(ctx context.Context, p ConvertParams) error {
	return c.Do(ctx, http.MethodPut, "/portfolio/positions", p.Values(), nil)
}

// HoldingsSummary is the holdings' totals (GET /portfolio/holdings/summary).
type HoldingsSummary struct {
	TotalPnL        float64 `json:"total_pnl"`
	TotalPnLPercent float64 `json:"total_pnl_percent"`
	TodayPnL        float64 `json:"today_pnl"`
	TodayPnLPercent float64 `json:"today_pnl_percent"`
	InvestedAmount  float64 `json:"invested_amount"`
	CurrentValue    float64 `json:"current_value"`
}

// HoldingsSummary fetches the holdings' totals.
func (c *Client) HoldingsSummary(ctx context.Context) (HoldingsSummary, error) {
	var s HoldingsSummary
	err := c.Do(ctx, http.MethodGet, "/portfolio/holdings/summary", nil, &s)
	return s, err
}

// CompactHolding is a holding as /portfolio/holdings/compact lists it.
type CompactHolding struct {
	Exchange        string `json:"exchange"`
	Tradingsymbol   string `json:"tradingsymbol"`
	InstrumentToken uint32 `json:"instrument_token"`
	T1Quantity      int    `json:"t1_quantity"`
	Quantity        int    `json:"quantity"`
}

// HoldingsCompact fetches the holdings' quantities only.
func (c *Client) HoldingsCompact(ctx context.Context) ([]CompactHolding, error) {
	var hs []CompactHolding
	err := c.Do(ctx, http.MethodGet, "/portfolio/holdings/compact", nil, &hs)
	return hs, err
}

// AuthoriseParams ask for a CDSL authorisation of holdings to sell
// (POST /portfolio/holdings/authorise). No ISINs: the page offers them all.
type AuthoriseParams struct {
	Type         string `json:"type"`          // equity or mf
	TransferType string `json:"transfer_type"` // pre, post, off or gift
	ExecDate     string `json:"exec_date,omitempty"`
	ISINs        []AuthoriseISIN
}

// AuthoriseISIN is one holding to authorise.
type AuthoriseISIN struct {
	ISIN     string `json:"isin"`
	Quantity int    `json:"quantity"`
}

// Values is the form Kite expects: isin and quantity repeated in step.
func (p AuthoriseParams) Values() url.Values {
	v := url.Values{}
	if p.Type != "" {
		v.Set("type", p.Type)
	}
	if p.TransferType != "" {
		v.Set("transfer_type", p.TransferType)
	}
	if p.ExecDate != "" {
		v.Set("exec_date", p.ExecDate)
	}
	for _, i := range p.ISINs {
		v.Add("isin", i.ISIN)
		v.Add("quantity", strconv.Itoa(i.Quantity))
	}
	return v
}

// AuthoriseHoldings starts a CDSL authorisation and returns its request ID;
// the user completes it on AuthorisationURL.
func (c *Client) AuthoriseHoldings(ctx context.Context, p AuthoriseParams) (string, error) {
	var out struct {
		RequestID string `json:"request_id"`
	}
	err := c.Do(ctx, http.MethodPost, "/portfolio/holdings/authorise", p.Values(), &out)
	return out.RequestID, err
}

// AuthorisationURL is the page where the user enters the CDSL TPIN for a
// request: on Kite's web host, or root (a sandbox) when set.
func AuthorisationURL(root, apiKey, requestID string) string {
	if root == "" {
		root = DefaultWebBase
	}
	return strings.TrimRight(root, "/") + "/connect/portfolio/authorise/holdings/" + url.PathEscape(apiKey) + "/" + url.PathEscape(requestID)
}

// AuctionInstruments lists the holdings in today's auctions.
func (c *Client) AuctionInstruments(ctx context.Context) ([]json.RawMessage, error) {
	var out []json.RawMessage
	err := c.Do(ctx, http.MethodGet, "/portfolio/holdings/auctions", nil, &out)
	return out, err
}

// FullProfile fetches the user's full profile (GET /user/profile/full),
// as Kite sends it: bank accounts, DP IDs and PAN come masked.
func (c *Client) FullProfile(ctx context.Context) (json.RawMessage, error) {
	var out json.RawMessage
	err := c.Do(ctx, http.MethodGet, "/user/profile/full", nil, &out)
	return out, err
}
