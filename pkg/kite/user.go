package kite

import (
	"context"
	"fmt"
	"net/http"
)

// Profile is the user's profile (GET /user/profile).
type Profile struct {
	UserID        string      `json:"user_id"`
	UserType      string      `json:"user_type"`
	Email         string      `json:"email"`
	UserName      string      `json:"user_name"`
	UserShortname string      `json:"user_shortname"`
	Broker        string      `json:"broker"`
	Exchanges     []string    `json:"exchanges"`
	Products      []string    `json:"products"`
	OrderTypes    []string    `json:"order_types"`
	AvatarURL     string      `json:"avatar_url"`
	Meta          ProfileMeta `json:"meta"`
}

// ProfileMeta is the profile's meta object.
type ProfileMeta struct {
	DematConsent string `json:"demat_consent"`
}

// Margin segments, as in /user/margins/:segment.
const (
	SegmentEquity    = "equity"
	SegmentCommodity = "commodity"
)

// Margins are the funds of both segments (GET /user/margins).
type Margins struct {
	Equity    SegmentMargins `json:"equity"`
	Commodity SegmentMargins `json:"commodity"`
}

// SegmentMargins are one segment's funds (GET /user/margins/:segment).
type SegmentMargins struct {
	Enabled   bool             `json:"enabled"`
	Net       float64          `json:"net"`
	Available AvailableMargins `json:"available"`
	Utilised  UtilisedMargins  `json:"utilised"`
}

// AvailableMargins is the "available" part of a segment's margins.
type AvailableMargins struct {
	AdhocMargin    float64 `json:"adhoc_margin"`
	Cash           float64 `json:"cash"`
	OpeningBalance float64 `json:"opening_balance"`
	LiveBalance    float64 `json:"live_balance"`
	Collateral     float64 `json:"collateral"`
	IntradayPayin  float64 `json:"intraday_payin"`
}

// UtilisedMargins is the "utilised" part of a segment's margins.
type UtilisedMargins struct {
	Debits           float64 `json:"debits"`
	Exposure         float64 `json:"exposure"`
	M2MRealised      float64 `json:"m2m_realised"`
	M2MUnrealised    float64 `json:"m2m_unrealised"`
	OptionPremium    float64 `json:"option_premium"`
	Payout           float64 `json:"payout"`
	Span             float64 `json:"span"`
	HoldingSales     float64 `json:"holding_sales"`
	Turnover         float64 `json:"turnover"`
	LiquidCollateral float64 `json:"liquid_collateral"`
	StockCollateral  float64 `json:"stock_collateral"`
	Delivery         float64 `json:"delivery"`
}

// Profile fetches the user's profile.
func (c *Client) Profile(ctx context.Context) (Profile, error) {
	var p Profile
	err := c.Do(ctx, http.MethodGet, "/user/profile", nil, &p)
	return p, err
}

// Margins fetches the funds of both segments.
func (c *Client) Margins(ctx context.Context) (Margins, error) {
	var m Margins
	err := c.Do(ctx, http.MethodGet, "/user/margins", nil, &m)
	return m, err
}

// SegmentMargins fetches one segment's funds: SegmentEquity or
// SegmentCommodity.
func (c *Client) SegmentMargins(ctx context.Context, segment string) (SegmentMargins, error) {
	if segment != SegmentEquity && segment != SegmentCommodity {
		return SegmentMargins{}, fmt.Errorf("unknown margin segment %q: use %s or %s", segment, SegmentEquity, SegmentCommodity)
	}
	var m SegmentMargins
	err := c.Do(ctx, http.MethodGet, "/user/margins/"+segment, nil, &m)
	return m, err
}
