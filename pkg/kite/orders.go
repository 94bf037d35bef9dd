package kite

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Order varieties (the :variety of /orders/:variety).
const (
	VarietyRegular = "regular"
	VarietyAMO     = "amo"
	VarietyCO      = "co"
	VarietyIceberg = "iceberg"
	VarietyAuction = "auction"
)

// Order types.
const (
	OrderTypeMarket = "MARKET"
	OrderTypeLimit  = "LIMIT"
	OrderTypeSL     = "SL"
	OrderTypeSLM    = "SL-M"
)

// Transaction types.
const (
	Buy  = "BUY"
	Sell = "SELL"
)

// Validities().
const (
	ValidityDay = "DAY"
	ValidityIOC = "IOC"
	ValidityTTL = "TTL"
)

// Order statuses Kite reports in the order book.
const (
	StatusOpen           = "OPEN"
	StatusComplete       = "COMPLETE"
	StatusCancelled      = "CANCELLED"
	StatusRejected       = "REJECTED"
	StatusTriggerPending = "TRIGGER PENDING"
)

// The values Kite accepts for each order enum, in the order help texts list
// them. They are functions rather than variables so no caller can change
// them.

// Varieties are the order varieties (the :variety path segment).
func Varieties() []string {
	return []string{VarietyRegular, VarietyAMO, VarietyCO, VarietyIceberg, VarietyAuction}
}

// OrderTypes are the order types.
func OrderTypes() []string {
	return []string{OrderTypeMarket, OrderTypeLimit, OrderTypeSL, OrderTypeSLM}
}

// Products are the products an order can be placed under.
func Products() []string { return []string{"CNC", "MIS", "NRML", "MTF"} }

// Validities are the order validities.
func Validities() []string { return []string{ValidityDay, ValidityIOC, ValidityTTL} }

// TransactionTypes are the sides of an order.
func TransactionTypes() []string { return []string{Buy, Sell} }

// OrderExchanges are the exchanges orders can be placed on.
func OrderExchanges() []string { return []string{"NSE", "BSE", "NFO", "BFO", "CDS", "BCD", "MCX"} }

// MaxTagLen is the longest order tag Kite accepts.
const MaxTagLen = 20

// Order is one order, or one state of an order in its history.
type Order struct {
	AccountID               string          `json:"account_id,omitempty"`
	PlacedBy                string          `json:"placed_by"`
	OrderID                 string          `json:"order_id"`
	ExchangeOrderID         string          `json:"exchange_order_id"`
	ParentOrderID           string          `json:"parent_order_id"`
	Status                  string          `json:"status"`
	StatusMessage           string          `json:"status_message"`
	StatusMessageRaw        string          `json:"status_message_raw"`
	OrderTimestamp          Time            `json:"order_timestamp"`
	ExchangeUpdateTimestamp Time            `json:"exchange_update_timestamp"`
	ExchangeTimestamp       Time            `json:"exchange_timestamp"`
	Variety                 string          `json:"variety"`
	Modified                bool            `json:"modified"`
	Exchange                string          `json:"exchange"`
	Tradingsymbol           string          `json:"tradingsymbol"`
	InstrumentToken         uint32          `json:"instrument_token"`
	OrderType               string          `json:"order_type"`
	TransactionType         string          `json:"transaction_type"`
	Validity                string          `json:"validity"`
	ValidityTTL             int             `json:"validity_ttl"`
	Product                 string          `json:"product"`
	Quantity                int             `json:"quantity"`
	DisclosedQuantity       int             `json:"disclosed_quantity"`
	Price                   float64         `json:"price"`
	TriggerPrice            float64         `json:"trigger_price"`
	AveragePrice            float64         `json:"average_price"`
	FilledQuantity          int             `json:"filled_quantity"`
	PendingQuantity         int             `json:"pending_quantity"`
	CancelledQuantity       int             `json:"cancelled_quantity"`
	AuctionNumber           string          `json:"auction_number,omitempty"`
	MarketProtection        float64         `json:"market_protection"`
	AlgoID                  string          `json:"algo_id,omitempty"`
	Meta                    json.RawMessage `json:"meta,omitempty"`
	Tag                     string          `json:"tag"`
	Tags                    []string        `json:"tags"`
	GUID                    string          `json:"guid"`
}

// HasTag reports whether the order carries tag, as its tag or among its
// tags.
func (o Order) HasTag(tag string) bool {
	return o.Tag == tag || slices.Contains(o.Tags, tag)
}

// Trade is one fill of an order.
type Trade struct {
	TradeID         string  `json:"trade_id"`
	OrderID         string  `json:"order_id"`
	Exchange        string  `json:"exchange"`
	Tradingsymbol   string  `json:"tradingsymbol"`
	InstrumentToken uint32  `json:"instrument_token"`
	Product         string  `json:"product"`
	AveragePrice    float64 `json:"average_price"`
	Quantity        int     `json:"quantity"`
	ExchangeOrderID string  `json:"exchange_order_id"`
	TransactionType string  `json:"transaction_type"`
	FillTimestamp   Time    `json:"fill_timestamp"`
	// OrderTimestamp is a time of day ("09:16:39") in Kite's trade book,
	// not a full timestamp, so it stays a string.
	OrderTimestamp    string `json:"order_timestamp"`
	ExchangeTimestamp Time   `json:"exchange_timestamp"`
}

// OrderParams are the parameters of an order to place, or the fields to
// change when modifying one (zero values are not sent). JSON names are
// Kite's, so a dry run prints what would be sent.
type OrderParams struct {
	Exchange          string  `json:"exchange,omitempty"`
	Tradingsymbol     string  `json:"tradingsymbol,omitempty"`
	TransactionType   string  `json:"transaction_type,omitempty"`
	Quantity          int     `json:"quantity,omitempty"`
	Product           string  `json:"product,omitempty"`
	OrderType         string  `json:"order_type,omitempty"`
	Price             float64 `json:"price,omitempty"`
	TriggerPrice      float64 `json:"trigger_price,omitempty"`
	Validity          string  `json:"validity,omitempty"`
	ValidityTTL       int     `json:"validity_ttl,omitempty"`
	DisclosedQuantity int     `json:"disclosed_quantity,omitempty"`
	Tag               string  `json:"tag,omitempty"`
	IcebergLegs       int     `json:"iceberg_legs,omitempty"`
	IcebergQuantity   int     `json:"iceberg_quantity,omitempty"`
	AuctionNumber     string  `json:"auction_number,omitempty"`
	// MarketProtection is a percentage for MARKET and SL-M orders; -1 asks
	// Kite for its default (MarketProtectionAuto). 0 is not sent, and since
	// April 2026 Kite refuses a MARKET or SL-M order without it.
	MarketProtection float64 `json:"market_protection,omitempty"`
	// AlgoID identifies the algo an order comes from (SEBI's retail-algo
	// framework); "" is not sent.
	AlgoID string `json:"algo_id,omitempty"`
	// Autoslice asks Kite to split an order above the exchange's freeze
	// quantity into child orders (regular variety only).
	Autoslice bool `json:"autoslice,omitempty"`
}

// Values is the form body Kite expects.
func (p OrderParams) Values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	num := func(k string, n int) {
		if n != 0 {
			v.Set(k, strconv.Itoa(n))
		}
	}
	dec := func(k string, f float64) {
		if f != 0 {
			v.Set(k, strconv.FormatFloat(f, 'f', -1, 64))
		}
	}
	set("exchange", p.Exchange)
	set("tradingsymbol", p.Tradingsymbol)
	set("transaction_type", p.TransactionType)
	num("quantity", p.Quantity)
	set("product", p.Product)
	set("order_type", p.OrderType)
	dec("price", p.Price)
	dec("trigger_price", p.TriggerPrice)
	set("validity", p.Validity)
	num("validity_ttl", p.ValidityTTL)
	num("disclosed_quantity", p.DisclosedQuantity)
	set("tag", p.Tag)
	num("iceberg_legs", p.IcebergLegs)
	num("iceberg_quantity", p.IcebergQuantity)
	set("auction_number", p.AuctionNumber)
	dec("market_protection", p.MarketProtection)
	set("algo_id", p.AlgoID)
	if p.Autoslice {
		v.Set("autoslice", "true")
	}
	return v
}

// Validate checks a new order the way Kite would, so a mistake costs a
// usage error instead of a rejected (or worse, accepted) order. Every
// problem found is reported, one per line.
func (p OrderParams) Validate(variety string) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	oneOf := func(name, v string, allowed []string) {
		if !slices.Contains(allowed, v) {
			bad("%s %q is not one of %s", name, v, strings.Join(allowed, ", "))
		}
	}
	oneOf("variety", variety, Varieties())
	oneOf("exchange", p.Exchange, OrderExchanges())
	if p.Tradingsymbol == "" {
		bad("tradingsymbol is required")
	}
	oneOf("transaction type", p.TransactionType, TransactionTypes())
	oneOf("product", p.Product, Products())
	oneOf("order type", p.OrderType, OrderTypes())
	if p.Quantity <= 0 {
		bad("quantity must be positive, got %d", p.Quantity)
	}
	errs = append(errs, p.validatePrices()...)
	if p.Validity != "" {
		oneOf("validity", p.Validity, Validities())
	}
	switch {
	case p.Validity == ValidityTTL && p.ValidityTTL <= 0:
		bad("TTL validity needs a validity_ttl in minutes (1 or more)")
	case p.Validity != ValidityTTL && p.ValidityTTL != 0:
		bad("validity_ttl is only for TTL validity")
	}
	if p.DisclosedQuantity < 0 || p.DisclosedQuantity > p.Quantity && p.Quantity > 0 {
		bad("disclosed quantity must be between 0 and the quantity (%d), got %d", p.Quantity, p.DisclosedQuantity)
	}
	if err := ValidateTag(p.Tag); err != nil && p.Tag != "" {
		errs = append(errs, err)
	}
	switch variety {
	case VarietyIceberg:
		if p.IcebergLegs < 2 || p.IcebergLegs > 10 {
			bad("an iceberg order needs 2 to 10 iceberg legs, got %d", p.IcebergLegs)
		}
		if p.IcebergQuantity <= 0 {
			bad("an iceberg order needs a positive iceberg quantity (per leg)")
		}
		if p.OrderType == OrderTypeMarket || p.OrderType == OrderTypeSLM {
			bad("an iceberg order must be LIMIT or SL, not %s", p.OrderType)
		}
	default:
		if p.IcebergLegs != 0 || p.IcebergQuantity != 0 {
			bad("iceberg legs and quantity are only for the iceberg variety")
		}
	}
	switch variety {
	case VarietyAuction:
		if p.AuctionNumber == "" {
			bad("an auction order needs an auction number")
		}
	default:
		if p.AuctionNumber != "" {
			bad("an auction number is only for the auction variety")
		}
	}
	if variety == VarietyCO && p.TriggerPrice <= 0 {
		bad("a cover order (co) needs a stop-loss trigger price")
	}
	if p.Autoslice && variety != VarietyRegular {
		bad("autoslice is only for the regular variety, not %s", variety)
	}
	errs = append(errs, p.validateMarketProtection(p.OrderType)...)
	return errors.Join(errs...)
}

// validatePrices checks price and trigger price against the order type.
func (p OrderParams) validatePrices() []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !ValidPrice(p.Price) {
		bad("price must be a positive number, got %v", p.Price)
	}
	if !ValidPrice(p.TriggerPrice) {
		bad("trigger price must be a positive number, got %v", p.TriggerPrice)
	}
	switch p.OrderType {
	case OrderTypeLimit:
		if p.Price <= 0 {
			bad("a LIMIT order needs a price")
		}
	case OrderTypeSL:
		if p.Price <= 0 {
			bad("an SL order needs a price (the limit once triggered)")
		}
		if p.TriggerPrice <= 0 {
			bad("an SL order needs a trigger price")
		}
	case OrderTypeSLM:
		if p.TriggerPrice <= 0 {
			bad("an SL-M order needs a trigger price")
		}
		if p.Price != 0 {
			bad("an SL-M order executes at market once triggered: drop the price")
		}
	case OrderTypeMarket:
		if p.Price != 0 {
			bad("a MARKET order takes no price: use LIMIT to set one")
		}
	}
	return errs
}

// ValidPrice is false for negative prices and for NaN and infinities, which
// a float flag accepts and which would otherwise reach Kite as text. 0 is
// valid: it means no price.
func ValidPrice(v float64) bool {
	return v >= 0 && !math.IsInf(v, 1)
}

// ValidateModify checks the fields of a modification. Only what is set is
// changed; at least one field must be.
func (p OrderParams) ValidateModify() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if p.Exchange != "" || p.Tradingsymbol != "" || p.TransactionType != "" || p.Product != "" || p.Tag != "" {
		bad("an order's instrument, side, product and tag cannot be modified: cancel it and place a new one")
	}
	if p == (OrderParams{}) {
		bad("nothing to modify: give at least one of quantity, price, trigger price, order type, validity or disclosed quantity")
	}
	if p.Quantity < 0 {
		bad("quantity must be positive, got %d", p.Quantity)
	}
	if p.OrderType != "" {
		if !slices.Contains(OrderTypes(), p.OrderType) {
			bad("order type %q is not one of %s", p.OrderType, strings.Join(OrderTypes(), ", "))
		} else {
			errs = append(errs, p.validatePrices()...)
		}
	} else if !ValidPrice(p.Price) || !ValidPrice(p.TriggerPrice) {
		bad("prices must be positive numbers, got %v and trigger %v", p.Price, p.TriggerPrice)
	}
	if p.Validity != "" && !slices.Contains(Validities(), p.Validity) {
		bad("validity %q is not one of %s", p.Validity, strings.Join(Validities(), ", "))
	}
	if p.DisclosedQuantity < 0 {
		bad("disclosed quantity cannot be negative")
	}
	if p.AlgoID != "" || p.Autoslice {
		bad("an order's algo ID and autoslice are set when it is placed, not modified")
	}
	if p.MarketProtection != 0 && p.OrderType == "" {
		// The order's current type is not known here; the caller checks
		// it against the order book.
		if !ValidMarketProtection(p.MarketProtection) {
			bad("market protection %v is not a percentage from 1 to 100, or -1 (automatic)", p.MarketProtection)
		}
	} else {
		errs = append(errs, p.validateMarketProtection(p.OrderType)...)
	}
	return errors.Join(errs...)
}

// ValidateTag checks a tag against Kite's rule: 1 to 20 letters and digits.
func ValidateTag(tag string) error {
	if tag == "" || len(tag) > MaxTagLen {
		return fmt.Errorf("tag %q must be 1 to %d letters and digits", tag, MaxTagLen)
	}
	for _, r := range tag {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return fmt.Errorf("tag %q must be letters and digits only (Kite's rule), max %d", tag, MaxTagLen)
		}
	}
	return nil
}

// NewTag returns a fresh order tag: "k", the time in base 36 (milliseconds,
// so tags sort by placement time) and 6 random base-36 characters. It is
// 15 characters, within Kite's 20, and unique enough to find one order in
// a day's book.
func NewTag(now time.Time) string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	var b strings.Builder
	b.WriteString("k")
	b.WriteString(strconv.FormatInt(now.UnixMilli(), 36))
	size := big.NewInt(int64(len(alphabet)))
	for range 6 {
		n, err := rand.Int(rand.Reader, size)
		if err != nil {
			// crypto/rand does not fail on supported platforms; fall back
			// to the clock's nanoseconds rather than give up on the order.
			n = big.NewInt(int64(now.Nanosecond()) % size.Int64())
		}
		b.WriteByte(alphabet[n.Int64()])
	}
	return b.String()
}

// orderResponse is the data of a place, modify or cancel.
type orderResponse struct {
	OrderID string `json:"order_id"`
}

// Orders fetches today's order book.
func (c *Client) Orders(ctx context.Context) ([]Order, error) {
	var list []Order
	err := c.Do(ctx, http.MethodGet, "/orders", nil, &list)
	return nonNil(list), err
}

// OrderHistory fetches every state an order went through, oldest first.
func (c *Client) OrderHistory(ctx context.Context, orderID string) ([]Order, error) {
	var list []Order
	err := c.Do(ctx, http.MethodGet, "/orders/"+url.PathEscape(orderID), nil, &list)
	return nonNil(list), err
}

// OrderTrades fetches the fills of one order.
func (c *Client) OrderTrades(ctx context.Context, orderID string) ([]Trade, error) {
	var ts []Trade
	err := c.Do(ctx, http.MethodGet, "/orders/"+url.PathEscape(orderID)+"/trades", nil, &ts)
	return nonNil(ts), err
}

// Trades fetches today's trade book.
func (c *Client) Trades(ctx context.Context) ([]Trade, error) {
	var ts []Trade
	err := c.Do(ctx, http.MethodGet, "/trades", nil, &ts)
	return nonNil(ts), err
}

// PlaceOrder places an order and returns its order ID. It is sent once and
// never retried: an ambiguous failure (see IsAmbiguous) must be reconciled
// by looking the order's tag up in the order book.
func (c *Client) PlaceOrder(ctx context.Context, variety string, p OrderParams) (string, error) {
	var r orderResponse
	err := c.Do(ctx, http.MethodPost, "/orders/"+url.PathEscape(variety), p.Values(), &r)
	return r.OrderID, err
}

// ModifyOrder changes the set fields of an open order. Never retried.
func (c *Client) ModifyOrder(ctx context.Context, variety, orderID string, p OrderParams) (string, error) {
	var r orderResponse
	path := "/orders/" + url.PathEscape(variety) + "/" + url.PathEscape(orderID)
	err := c.Do(ctx, http.MethodPut, path, p.Values(), &r)
	return r.OrderID, err
}

// CancelOrder cancels an open order (parentOrderID only for the second leg
// of a cover order). Never retried.
func (c *Client) CancelOrder(ctx context.Context, variety, orderID, parentOrderID string) (string, error) {
	var r orderResponse
	var params url.Values
	if parentOrderID != "" {
		params = url.Values{"parent_order_id": {parentOrderID}}
	}
	path := "/orders/" + url.PathEscape(variety) + "/" + url.PathEscape(orderID)
	err := c.Do(ctx, http.MethodDelete, path, params, &r)
	return r.OrderID, err
}

// IsAmbiguous reports whether a failed write may nevertheless have reached
// Kite: a server error (5xx), or a network failure other than one that
// proves nothing was sent (connection refused, unknown host). A rejected
// request (4xx, or an error envelope) is not ambiguous: Kite said no.
func IsAmbiguous(err error) bool {
	if err == nil {
		return false
	}
	var ke *Error
	if errors.As(err, &ke) {
		return ke.Status >= 500 && ke.Status != http.StatusTooManyRequests
	}
	if errors.Is(err, context.Canceled) {
		// Interrupted by the user: the request may have been in flight.
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return false
	}
	var dnsErr *net.DNSError
	return !errors.As(err, &dnsErr)
}
