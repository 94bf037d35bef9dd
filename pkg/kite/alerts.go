package kite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// Alert types and the limits Kite documents
// (kite.trade/docs/connect/v3/alerts).
const (
	AlertSimple = "simple"
	AlertATO    = "ato"
	// AlertMaxActive: "The maximum number of active alerts allowed per
	// user is 500."
	AlertMaxActive = 500
)

// AlertOperators are the comparisons an alert can make.
func AlertOperators() []string { return []string{"<=", ">=", "<", ">", "=="} }

// AlertAttributes are the instrument attributes an alert can watch.
func AlertAttributes() []string {
	return []string{"LastTradedPrice", "OpenPrice", "HighPrice", "LowPrice", "ClosePrice", "DayChange", "DayChangePercent"}
}

// Alert is one price alert.
type Alert struct {
	Type             string  `json:"type"`
	UserID           string  `json:"user_id"`
	UUID             string  `json:"uuid"`
	Name             string  `json:"name"`
	Status           string  `json:"status"`
	DisabledReason   string  `json:"disabled_reason"`
	LHSAttribute     string  `json:"lhs_attribute"`
	LHSExchange      string  `json:"lhs_exchange"`
	LHSTradingsymbol string  `json:"lhs_tradingsymbol"`
	Operator         string  `json:"operator"`
	RHSType          string  `json:"rhs_type"`
	RHSAttribute     string  `json:"rhs_attribute"`
	RHSExchange      string  `json:"rhs_exchange"`
	RHSTradingsymbol string  `json:"rhs_tradingsymbol"`
	RHSConstant      float64 `json:"rhs_constant"`
	AlertCount       int     `json:"alert_count"`
	CreatedAt        Time    `json:"created_at"`
	UpdatedAt        Time    `json:"updated_at"`
	Basket           *Basket `json:"basket,omitempty"`
}

// Basket is an ATO alert's orders.
type Basket struct {
	Name  string       `json:"name,omitempty"`
	Type  string       `json:"type,omitempty"`
	Tags  []string     `json:"tags,omitempty"`
	Items []BasketItem `json:"items"`
}

// BasketItem is one order of a basket.
type BasketItem struct {
	ID              int               `json:"id,omitempty"`
	Type            string            `json:"type,omitempty"`
	Tradingsymbol   string            `json:"tradingsymbol"`
	Exchange        string            `json:"exchange"`
	InstrumentToken uint32            `json:"instrument_token,omitempty"`
	Weight          int               `json:"weight"`
	Params          BasketOrderParams `json:"params"`
}

// BasketOrderParams are a basket order's fields.
type BasketOrderParams struct {
	TransactionType   string   `json:"transaction_type"`
	Product           string   `json:"product"`
	OrderType         string   `json:"order_type"`
	Validity          string   `json:"validity"`
	ValidityTTL       int      `json:"validity_ttl"`
	Quantity          int      `json:"quantity"`
	Price             float64  `json:"price"`
	TriggerPrice      float64  `json:"trigger_price"`
	DisclosedQuantity int      `json:"disclosed_quantity"`
	Variety           string   `json:"variety"`
	Tags              []string `json:"tags"`
	MarketProtection  float64  `json:"market_protection"`
}

// AlertHistory is one firing of an alert.
type AlertHistory struct {
	UUID      string          `json:"uuid"`
	Type      string          `json:"type"`
	Meta      json.RawMessage `json:"meta"`
	Condition string          `json:"condition"`
	CreatedAt Time            `json:"created_at"`
	OrderMeta json.RawMessage `json:"order_meta"`
}

// AlertParams are an alert to create or modify. RHSConstant is used when
// RHSType is "constant"; the RHS instrument fields when "instrument".
type AlertParams struct {
	Name             string  `json:"name"`
	Type             string  `json:"type"`
	LHSExchange      string  `json:"lhs_exchange"`
	LHSTradingsymbol string  `json:"lhs_tradingsymbol"`
	LHSAttribute     string  `json:"lhs_attribute"`
	Operator         string  `json:"operator"`
	RHSType          string  `json:"rhs_type"`
	RHSConstant      float64 `json:"rhs_constant"`
	RHSExchange      string  `json:"rhs_exchange"`
	RHSTradingsymbol string  `json:"rhs_tradingsymbol"`
	RHSAttribute     string  `json:"rhs_attribute"`
	Basket           *Basket `json:"basket,omitempty"`
}

// AlertParamsOf is the params that recreate an alert: what a modify
// starts from, as Kite recommends (fetch, change, send).
func AlertParamsOf(a Alert) AlertParams {
	p := AlertParams{
		Name: a.Name, Type: a.Type, LHSExchange: a.LHSExchange, LHSTradingsymbol: a.LHSTradingsymbol,
		LHSAttribute: a.LHSAttribute, Operator: a.Operator, RHSType: a.RHSType, RHSConstant: a.RHSConstant,
		RHSExchange: a.RHSExchange, RHSTradingsymbol: a.RHSTradingsymbol, RHSAttribute: a.RHSAttribute,
	}
	if a.Basket != nil {
		b := *a.Basket
		b.Items = slices.Clone(a.Basket.Items)
		p.Basket = &b
	}
	return p
}

// Values encodes the params as Kite's form.
func (p AlertParams) Values() url.Values {
	v := url.Values{
		"name": {p.Name}, "type": {p.Type}, "lhs_exchange": {p.LHSExchange}, "lhs_tradingsymbol": {p.LHSTradingsymbol},
		"lhs_attribute": {p.LHSAttribute}, "operator": {p.Operator}, "rhs_type": {p.RHSType},
	}
	if p.RHSType == "constant" {
		v.Set("rhs_constant", strconv.FormatFloat(p.RHSConstant, 'f', -1, 64))
	} else {
		v.Set("rhs_exchange", p.RHSExchange)
		v.Set("rhs_tradingsymbol", p.RHSTradingsymbol)
		v.Set("rhs_attribute", p.RHSAttribute)
	}
	if p.Basket != nil {
		b, _ := json.Marshal(p.Basket)
		v.Set("basket", string(b))
	}
	return v
}

// Validate checks what can be checked without the market, and reports
// every problem.
func (p AlertParams) Validate() error {
	var errs []error
	if p.Name == "" {
		errs = append(errs, errors.New("the alert needs a name"))
	}
	if p.Type != AlertSimple && p.Type != AlertATO {
		errs = append(errs, fmt.Errorf("type %q is not simple or ato", p.Type))
	}
	if !slices.Contains(AlertAttributes(), p.LHSAttribute) {
		errs = append(errs, fmt.Errorf("attribute %q is not one of %v", p.LHSAttribute, AlertAttributes()))
	}
	if !slices.Contains(AlertOperators(), p.Operator) {
		errs = append(errs, fmt.Errorf("operator %q is not one of %v", p.Operator, AlertOperators()))
	}
	switch p.RHSType {
	case "constant":
		if math.IsNaN(p.RHSConstant) || math.IsInf(p.RHSConstant, 0) {
			errs = append(errs, fmt.Errorf("%v is not a number", p.RHSConstant))
		}
	case "instrument":
		if !slices.Contains(AlertAttributes(), p.RHSAttribute) {
			errs = append(errs, fmt.Errorf("attribute %q is not one of %v", p.RHSAttribute, AlertAttributes()))
		}
	default:
		errs = append(errs, fmt.Errorf("right-hand side %q is not constant or instrument", p.RHSType))
	}
	if p.Type == AlertATO {
		if p.Basket == nil || len(p.Basket.Items) == 0 {
			errs = append(errs, errors.New("an ATO alert needs at least one order"))
		} else {
			for i, it := range p.Basket.Items {
				o := it.Params
				if NeedsMarketProtection(o.OrderType) && o.MarketProtection == 0 {
					errs = append(errs, fmt.Errorf("order %d: %s", i+1, MsgNoMarketProtection))
				}
				if o.Quantity <= 0 {
					errs = append(errs, fmt.Errorf("order %d: quantity %d must be positive", i+1, o.Quantity))
				}
			}
		}
	}
	return errors.Join(errs...)
}

// Alerts lists the account's alerts; status "" is every one not deleted.
func (c *Client) Alerts(ctx context.Context, status string) ([]Alert, error) {
	var q url.Values
	if status != "" {
		q = url.Values{"status": {status}}
	}
	var list []Alert
	err := c.Do(ctx, http.MethodGet, "/alerts", q, &list)
	return nonNil(list), err
}

// Alert fetches one alert.
func (c *Client) Alert(ctx context.Context, uuid string) (Alert, error) {
	var a Alert
	err := c.Do(ctx, http.MethodGet, "/alerts/"+url.PathEscape(uuid), nil, &a)
	return a, err
}

// CreateAlert creates an alert. Never retried.
func (c *Client) CreateAlert(ctx context.Context, p AlertParams) (Alert, error) {
	var a Alert
	err := c.Do(ctx, http.MethodPost, "/alerts", p.Values(), &a)
	return a, err
}

// ModifyAlert replaces an alert's definition. Never retried.
func (c *Client) ModifyAlert(ctx context.Context, uuid string, p AlertParams) (Alert, error) {
	var a Alert
	err := c.Do(ctx, http.MethodPut, "/alerts/"+url.PathEscape(uuid), p.Values(), &a)
	return a, err
}

// DeleteAlerts deletes alerts by UUID in one request. Never retried.
func (c *Client) DeleteAlerts(ctx context.Context, uuids ...string) error {
	return c.Do(ctx, http.MethodDelete, "/alerts", url.Values{"uuid": uuids}, nil)
}

// AlertHistory fetches every firing of an alert.
func (c *Client) AlertHistory(ctx context.Context, uuid string) ([]AlertHistory, error) {
	var h []AlertHistory
	err := c.Do(ctx, http.MethodGet, "/alerts/"+url.PathEscape(uuid)+"/history", nil, &h)
	return nonNil(h), err
}
