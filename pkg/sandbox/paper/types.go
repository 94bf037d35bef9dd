package paper

import (
	"encoding/json"
	"time"

	"github.com/kitecli/kite/pkg/sandbox/market"
)

// TimeLayout is how Kite's REST API writes timestamps (IST wall time).
const TimeLayout = "2006-01-02 15:04:05"

// Timestamp is a time Kite writes as "2006-01-02 15:04:05" in IST, or null
// when it is unset.
type Timestamp struct{ time.Time }

// MarshalJSON writes the Kite layout, or null for the zero time.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	b := make([]byte, 0, len(TimeLayout)+2)
	b = append(b, '"')
	b = t.In(market.IST).AppendFormat(b, TimeLayout)
	return append(b, '"'), nil
}

// UnmarshalJSON reads the Kite layout or null.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseInLocation(TimeLayout, s, market.IST)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// Order is one order, or one state of it in its history, with Kite's JSON
// field names and types. Fields Kite sends as null when unset are pointers.
type Order struct {
	AccountID               string         `json:"account_id"`
	PlacedBy                string         `json:"placed_by"`
	OrderID                 string         `json:"order_id"`
	ExchangeOrderID         *string        `json:"exchange_order_id"`
	ParentOrderID           *string        `json:"parent_order_id"`
	Status                  string         `json:"status"`
	StatusMessage           *string        `json:"status_message"`
	StatusMessageRaw        *string        `json:"status_message_raw"`
	OrderTimestamp          Timestamp      `json:"order_timestamp"`
	ExchangeUpdateTimestamp Timestamp      `json:"exchange_update_timestamp"`
	ExchangeTimestamp       Timestamp      `json:"exchange_timestamp"`
	Variety                 string         `json:"variety"`
	Modified                bool           `json:"modified"`
	Exchange                string         `json:"exchange"`
	Tradingsymbol           string         `json:"tradingsymbol"`
	InstrumentToken         uint32         `json:"instrument_token"`
	OrderType               string         `json:"order_type"`
	TransactionType         string         `json:"transaction_type"`
	Validity                string         `json:"validity"`
	ValidityTTL             int            `json:"validity_ttl"`
	Product                 string         `json:"product"`
	Quantity                int            `json:"quantity"`
	DisclosedQuantity       int            `json:"disclosed_quantity"`
	Price                   float64        `json:"price"`
	TriggerPrice            float64        `json:"trigger_price"`
	AveragePrice            float64        `json:"average_price"`
	FilledQuantity          int            `json:"filled_quantity"`
	PendingQuantity         int            `json:"pending_quantity"`
	CancelledQuantity       int            `json:"cancelled_quantity"`
	AuctionNumber           string         `json:"auction_number,omitempty"`
	MarketProtection        float64        `json:"market_protection"`
	AlgoID                  string         `json:"algo_id,omitempty"`
	Meta                    map[string]any `json:"meta"`
	Tag                     *string        `json:"tag"`
	Tags                    []string       `json:"tags,omitempty"`
	GUID                    string         `json:"guid"`
}

// Trade is one fill, as Kite's trade book lists it.
type Trade struct {
	TradeID           string    `json:"trade_id"`
	OrderID           string    `json:"order_id"`
	Exchange          string    `json:"exchange"`
	Tradingsymbol     string    `json:"tradingsymbol"`
	InstrumentToken   uint32    `json:"instrument_token"`
	Product           string    `json:"product"`
	AveragePrice      float64   `json:"average_price"`
	Quantity          int       `json:"quantity"`
	ExchangeOrderID   string    `json:"exchange_order_id"`
	TransactionType   string    `json:"transaction_type"`
	FillTimestamp     Timestamp `json:"fill_timestamp"`
	OrderTimestamp    string    `json:"order_timestamp"` // a time of day, "15:04:05", as Kite has it
	ExchangeTimestamp Timestamp `json:"exchange_timestamp"`
}

// Position is one position of the day or the account (values in rupees,
// quantities in the instrument's units, values including the multiplier).
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

// Positions is Kite's /portfolio/positions answer.
type Positions struct {
	Net []Position `json:"net"`
	Day []Position `json:"day"`
}

// MTF is a holding's margin-trading-facility part.
type MTF struct {
	Quantity      int     `json:"quantity"`
	UsedQuantity  int     `json:"used_quantity"`
	AveragePrice  float64 `json:"average_price"`
	Value         float64 `json:"value"`
	InitialMargin float64 `json:"initial_margin"`
}

// Holding is one equity holding, as /portfolio/holdings lists it.
type Holding struct {
	Tradingsymbol       string         `json:"tradingsymbol"`
	Exchange            string         `json:"exchange"`
	InstrumentToken     uint32         `json:"instrument_token"`
	ISIN                string         `json:"isin"`
	Product             string         `json:"product"`
	Price               float64        `json:"price"`
	Quantity            int            `json:"quantity"`
	UsedQuantity        int            `json:"used_quantity"`
	T1Quantity          int            `json:"t1_quantity"`
	RealisedQuantity    int            `json:"realised_quantity"`
	AuthorisedQuantity  int            `json:"authorised_quantity"`
	AuthorisedDate      Timestamp      `json:"authorised_date"`
	Authorisation       map[string]any `json:"authorisation"`
	OpeningQuantity     int            `json:"opening_quantity"`
	ShortQuantity       int            `json:"short_quantity"`
	CollateralQuantity  int            `json:"collateral_quantity"`
	CollateralType      string         `json:"collateral_type"`
	Discrepancy         bool           `json:"discrepancy"`
	AveragePrice        float64        `json:"average_price"`
	LastPrice           float64        `json:"last_price"`
	ClosePrice          float64        `json:"close_price"`
	PnL                 float64        `json:"pnl"`
	DayChange           float64        `json:"day_change"`
	DayChangePercentage float64        `json:"day_change_percentage"`
	MTF                 MTF            `json:"mtf"`
}

// Available is the available part of a segment's margins.
type Available struct {
	AdhocMargin    float64 `json:"adhoc_margin"`
	Cash           float64 `json:"cash"`
	OpeningBalance float64 `json:"opening_balance"`
	LiveBalance    float64 `json:"live_balance"`
	Collateral     float64 `json:"collateral"`
	IntradayPayin  float64 `json:"intraday_payin"`
}

// Utilised is the utilised part of a segment's margins.
type Utilised struct {
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

// SegmentMargins is one segment of /user/margins.
type SegmentMargins struct {
	Enabled   bool      `json:"enabled"`
	Net       float64   `json:"net"`
	Available Available `json:"available"`
	Utilised  Utilised  `json:"utilised"`
}

// Margins is Kite's /user/margins answer.
type Margins struct {
	Equity    SegmentMargins `json:"equity"`
	Commodity SegmentMargins `json:"commodity"`
}
