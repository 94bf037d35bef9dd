package kite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"

	"github.com/kitecli/kite/pkg/kitespec"
)

// GTT trigger types.
const (
	GTTSingle = "single"
	GTTOCO    = "two-leg"
)

// Kite's GTT limits; kitespec has their sources.
const (
	GTTMaxActive = kitespec.GTTMaxActive
	// GTTMaxLimitDistance bounds how far (a fraction of the trigger) a
	// leg's limit price may be from its trigger. Kite does not publish
	// its bound; this is kite's and the sandbox's convention (see
	// docs/design.md).
	GTTMaxLimitDistance = kitespec.GTTMaxLimitDistance
)

// GTTMinDistance is how far a trigger must be from the last price: 0.25%
// of it above ₹50, 9 paise at or below.
func GTTMinDistance(lastPrice float64) float64 {
	if lastPrice > kitespec.GTTMinDistanceAbove {
		return lastPrice * kitespec.GTTMinDistanceFraction
	}
	return kitespec.GTTMinDistanceFloor
}

// GTTCondition is what a GTT watches.
type GTTCondition struct {
	Exchange        string    `json:"exchange"`
	Tradingsymbol   string    `json:"tradingsymbol"`
	LastPrice       float64   `json:"last_price"`
	TriggerValues   []float64 `json:"trigger_values"`
	InstrumentToken uint32    `json:"instrument_token,omitempty"`
}

// GTTOrder is one leg of a GTT; Result is set once it has fired.
type GTTOrder struct {
	Exchange        string     `json:"exchange"`
	Tradingsymbol   string     `json:"tradingsymbol"`
	Product         string     `json:"product"`
	OrderType       string     `json:"order_type"`
	TransactionType string     `json:"transaction_type"`
	Quantity        int        `json:"quantity"`
	Price           float64    `json:"price"`
	Result          *GTTResult `json:"result,omitempty"`
}

// GTTResult is what happened when a leg fired.
type GTTResult struct {
	Timestamp   Time    `json:"timestamp"`
	TriggeredAt float64 `json:"triggered_at"`
	OrderResult struct {
		Status          string `json:"status"`
		OrderID         string `json:"order_id"`
		RejectionReason string `json:"rejection_reason"`
	} `json:"order_result"`
}

// GTT is one good-till-triggered order.
type GTT struct {
	ID        int             `json:"id"`
	UserID    string          `json:"user_id"`
	Type      string          `json:"type"`
	CreatedAt Time            `json:"created_at"`
	UpdatedAt Time            `json:"updated_at"`
	ExpiresAt Time            `json:"expires_at"`
	Status    string          `json:"status"`
	Condition GTTCondition    `json:"condition"`
	Orders    []GTTOrder      `json:"orders"`
	Meta      json.RawMessage `json:"meta,omitempty"`
}

// GTTParams are a GTT to create or modify: a condition and its legs (one
// for single, the stop-loss then the target for two-leg).
type GTTParams struct {
	Type      string
	Condition GTTCondition
	Orders    []GTTOrder
}

// Values encodes the params as Kite's form: type, and condition and orders
// as JSON.
func (p GTTParams) Values() url.Values {
	cond, _ := json.Marshal(p.Condition)
	orders := make([]GTTOrder, len(p.Orders))
	for i, o := range p.Orders {
		o.Result = nil
		orders[i] = o
	}
	ords, _ := json.Marshal(orders)
	return url.Values{"type": {p.Type}, "condition": {string(cond)}, "orders": {string(ords)}}
}

// Validate checks the params against Kite's rules, given the instrument's
// current last price, and reports every problem.
func (p GTTParams) Validate(lastPrice float64) error {
	var errs []error
	tv := p.Condition.TriggerValues
	switch p.Type {
	case GTTSingle:
		if len(tv) != 1 || len(p.Orders) != 1 {
			errs = append(errs, errors.New("a single GTT has one trigger and one order"))
		}
	case GTTOCO:
		if len(tv) != 2 || len(p.Orders) != 2 {
			errs = append(errs, errors.New("a two-leg GTT has two triggers (stop-loss, target) and two orders"))
			break
		}
		if !(tv[0] < lastPrice && lastPrice < tv[1]) {
			errs = append(errs, fmt.Errorf("a two-leg GTT's triggers must be below and above the last price %v: the stop-loss first, then the target (got %v, %v)", lastPrice, tv[0], tv[1]))
		}
		if p.Orders[0].TransactionType != p.Orders[1].TransactionType {
			errs = append(errs, errors.New("both legs of a two-leg GTT must buy, or both sell"))
		}
	default:
		errs = append(errs, fmt.Errorf("GTT type %q is not single or two-leg", p.Type))
	}
	if !(p.Condition.LastPrice > 0) {
		errs = append(errs, errors.New("the last price is missing"))
	}
	minD := GTTMinDistance(lastPrice)
	for i, v := range tv {
		if !ValidPrice(v) || v <= 0 {
			errs = append(errs, fmt.Errorf("trigger %v is not a price", v))
			continue
		}
		if math.Abs(v-lastPrice) < minD-1e-9 {
			errs = append(errs, fmt.Errorf("trigger %v is too close to the last price %v: Kite wants it at least %.2f away (0.25%%, or 9 paise at ₹50 and below)", v, lastPrice, minD))
		}
		if i >= len(p.Orders) {
			continue
		}
		o := p.Orders[i]
		if o.OrderType != OrderTypeLimit {
			errs = append(errs, fmt.Errorf("leg %d is %s: Kite places GTT legs as LIMIT orders only", i+1, o.OrderType))
		}
		if o.Quantity <= 0 {
			errs = append(errs, fmt.Errorf("leg %d's quantity %d must be positive", i+1, o.Quantity))
		}
		if o.TransactionType != Buy && o.TransactionType != Sell {
			errs = append(errs, fmt.Errorf("leg %d's side %q is not BUY or SELL", i+1, o.TransactionType))
		}
		if !ValidPrice(o.Price) || o.Price <= 0 {
			errs = append(errs, fmt.Errorf("leg %d has no limit price", i+1))
		} else if math.Abs(o.Price-v) > v*GTTMaxLimitDistance+1e-9 {
			errs = append(errs, fmt.Errorf("leg %d's limit price %v is more than %.0f%% from its trigger %v", i+1, o.Price, GTTMaxLimitDistance*100, v))
		}
	}
	return errors.Join(errs...)
}

type gttResponse struct {
	TriggerID int `json:"trigger_id"`
}

// GTTs lists the account's GTTs.
func (c *Client) GTTs(ctx context.Context) ([]GTT, error) {
	var list []GTT
	err := c.Do(ctx, http.MethodGet, "/gtt/triggers", nil, &list)
	return nonNil(list), err
}

// GTT fetches one GTT.
func (c *Client) GTT(ctx context.Context, id int) (GTT, error) {
	var g GTT
	err := c.Do(ctx, http.MethodGet, "/gtt/triggers/"+strconv.Itoa(id), nil, &g)
	return g, err
}

// PlaceGTT creates a GTT and returns its ID. Never retried.
func (c *Client) PlaceGTT(ctx context.Context, p GTTParams) (int, error) {
	var r gttResponse
	err := c.Do(ctx, http.MethodPost, "/gtt/triggers", p.Values(), &r)
	return r.TriggerID, err
}

// ModifyGTT replaces an active GTT's condition and orders. Never retried.
func (c *Client) ModifyGTT(ctx context.Context, id int, p GTTParams) (int, error) {
	var r gttResponse
	err := c.Do(ctx, http.MethodPut, "/gtt/triggers/"+strconv.Itoa(id), p.Values(), &r)
	return r.TriggerID, err
}

// DeleteGTT deletes a GTT. Never retried.
func (c *Client) DeleteGTT(ctx context.Context, id int) (int, error) {
	var r gttResponse
	err := c.Do(ctx, http.MethodDelete, "/gtt/triggers/"+strconv.Itoa(id), nil, &r)
	return r.TriggerID, err
}
