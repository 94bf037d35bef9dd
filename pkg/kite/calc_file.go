package kite

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// FileOrder is one order of a basket file: Kite's field names, as the
// margin calculators take them, plus AveragePrice for charges (Price
// stands in when it is absent).
type FileOrder struct {
	MarginOrder
	AveragePrice float64 `json:"average_price"`
}

// BadFileError is a basket file that cannot be read: where and why.
type BadFileError struct {
	Unit   string // "order" (an array element) or "line" (NDJSON)
	Record int    // from 1
	Reason string
}

func (e *BadFileError) Error() string {
	if e.Record == 0 {
		return e.Reason
	}
	return fmt.Sprintf("%s %d: %s", e.Unit, e.Record, e.Reason)
}

// MaxFileOrders bounds a basket: Kite's basket holds at most 50 orders,
// the calculators a few more; a file of thousands is a mistake.
const MaxFileOrders = 200

// ParseOrderFile reads a basket: a JSON array of orders, or NDJSON (one
// order per line; blank lines and lines starting with # are skipped).
// Every order is checked for the fields Kite needs and given the defaults
// orders place gives: variety regular, product CNC on NSE/BSE and NRML
// elsewhere, order type LIMIT with a price and MARKET without. Symbols are
// upper-cased.
func ParseOrderFile(data []byte) ([]FileOrder, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, &BadFileError{Reason: "the file has no orders"}
	}
	var orders []FileOrder
	if trimmed[0] == '[' {
		var raws []json.RawMessage
		if err := json.Unmarshal(trimmed, &raws); err != nil {
			return nil, &BadFileError{Reason: "not a JSON array of orders (or NDJSON, one order per line)"}
		}
		for i, raw := range raws {
			o, err := decodeFileOrder(raw, "order", i+1)
			if err != nil {
				return nil, err
			}
			orders = append(orders, o)
		}
	} else {
		for i, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			o, err := decodeFileOrder([]byte(line), "line", i+1)
			if err != nil {
				return nil, err
			}
			orders = append(orders, o)
		}
	}
	switch {
	case len(orders) == 0:
		return nil, &BadFileError{Reason: "the file has no orders"}
	case len(orders) > MaxFileOrders:
		return nil, &BadFileError{Reason: fmt.Sprintf("%d orders: at most %d in one file", len(orders), MaxFileOrders)}
	}
	return orders, nil
}

func decodeFileOrder(raw []byte, unit string, n int) (FileOrder, error) {
	var o FileOrder
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te) && te.Field != "":
			field := te.Field[strings.LastIndex(te.Field, ".")+1:] // "MarginOrder.quantity" names the embedded struct
			return o, &BadFileError{unit, n, fmt.Sprintf("%s must be a %s", field, jsonKind(te.Type.Kind().String()))}
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return o, &BadFileError{unit, n, "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ") +
				" (fields: exchange, tradingsymbol, transaction_type, quantity, price, trigger_price, product, order_type, variety, average_price)"}
		}
		return o, &BadFileError{unit, n, "not a JSON object"}
	}
	if dec.More() {
		return o, &BadFileError{unit, n, "more than one JSON value: put one order per line"}
	}
	o.Exchange, o.Tradingsymbol = strings.ToUpper(strings.TrimSpace(o.Exchange)), strings.ToUpper(strings.TrimSpace(o.Tradingsymbol))
	o.TransactionType, o.Product = strings.ToUpper(o.TransactionType), strings.ToUpper(o.Product)
	o.OrderType, o.Variety = strings.ToUpper(o.OrderType), strings.ToLower(o.Variety)
	var problems []string
	if o.Exchange == "" || o.Tradingsymbol == "" {
		problems = append(problems, "exchange and tradingsymbol are required")
	}
	if o.TransactionType != Buy && o.TransactionType != Sell {
		problems = append(problems, "transaction_type must be BUY or SELL")
	}
	if o.Quantity <= 0 || o.Quantity != float64(int64(o.Quantity)) {
		problems = append(problems, "quantity must be a whole number above 0")
	}
	if !ValidPrice(o.Price) || !ValidPrice(o.TriggerPrice) || !ValidPrice(o.AveragePrice) {
		problems = append(problems, "prices must be positive numbers")
	}
	if len(problems) > 0 {
		return o, &BadFileError{unit, n, strings.Join(problems, "; ")}
	}
	if o.Variety == "" {
		o.Variety = VarietyRegular
	}
	if o.Product == "" {
		o.Product = "NRML"
		if o.Exchange == "NSE" || o.Exchange == "BSE" {
			o.Product = "CNC"
		}
	}
	if o.OrderType == "" {
		o.OrderType = OrderTypeMarket
		switch {
		case o.Price > 0 && o.TriggerPrice > 0:
			o.OrderType = OrderTypeSL
		case o.Price > 0:
			o.OrderType = OrderTypeLimit
		case o.TriggerPrice > 0:
			o.OrderType = OrderTypeSLM
		}
	}
	return o, nil
}

func jsonKind(k string) string {
	switch k {
	case "float64", "int", "int64":
		return "number"
	}
	return k
}

// ChargeOrder is the order as the charge calculator takes it: executed at
// AveragePrice, else at Price.
func (o FileOrder) ChargeOrder() ChargeOrder {
	avg := o.AveragePrice
	if avg == 0 {
		avg = o.Price
	}
	return ChargeOrder{Exchange: o.Exchange, Tradingsymbol: o.Tradingsymbol, TransactionType: o.TransactionType,
		Variety: o.Variety, Product: o.Product, OrderType: o.OrderType, Quantity: o.Quantity, AveragePrice: avg}
}
