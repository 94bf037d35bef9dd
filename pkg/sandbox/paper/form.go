package paper

import (
	"math"
	"net/url"
	"strconv"
)

// ParsePlaceForm reads Kite's order form (POST /orders/:variety) into
// PlaceParams. A field that is present but not a number is an
// InputException naming it, as Kite answers.
func ParsePlaceForm(variety string, v url.Values) (PlaceParams, error) {
	p := PlaceParams{
		Variety:         variety,
		Exchange:        v.Get("exchange"),
		Tradingsymbol:   v.Get("tradingsymbol"),
		TransactionType: v.Get("transaction_type"),
		Product:         v.Get("product"),
		OrderType:       v.Get("order_type"),
		Validity:        v.Get("validity"),
		Tag:             v.Get("tag"),
		AuctionNumber:   v.Get("auction_number"),
		AlgoID:          v.Get("algo_id"),
	}
	switch v.Get("autoslice") {
	case "", "false":
	case "true":
		p.Autoslice = true
	default:
		return p, inputErr("Invalid `autoslice`: use true or false.")
	}
	var err error
	ints := []struct {
		name string
		dst  *int
	}{
		{"quantity", &p.Quantity}, {"validity_ttl", &p.ValidityTTL}, {"disclosed_quantity", &p.DisclosedQuantity},
		{"iceberg_legs", &p.IcebergLegs}, {"iceberg_quantity", &p.IcebergQuantity},
	}
	for _, f := range ints {
		if *f.dst, err = formInt(v, f.name); err != nil {
			return p, err
		}
	}
	floats := []struct {
		name string
		dst  *float64
	}{{"price", &p.Price}, {"trigger_price", &p.TriggerPrice}, {"market_protection", &p.MarketProtection}}
	for _, f := range floats {
		if *f.dst, err = formFloat(v, f.name); err != nil {
			return p, err
		}
	}
	return p, nil
}

// ParseModifyForm reads Kite's modify form (PUT /orders/:variety/:id):
// absent fields stay nil, so they are left as they are.
func ParseModifyForm(v url.Values) (ModifyParams, error) {
	var p ModifyParams
	intp := func(name string) (*int, error) {
		if !v.Has(name) || v.Get(name) == "" {
			return nil, nil
		}
		n, err := formInt(v, name)
		return &n, err
	}
	floatp := func(name string) (*float64, error) {
		if !v.Has(name) || v.Get(name) == "" {
			return nil, nil
		}
		f, err := formFloat(v, name)
		return &f, err
	}
	strp := func(name string) *string {
		if !v.Has(name) || v.Get(name) == "" {
			return nil
		}
		s := v.Get(name)
		return &s
	}
	var err error
	if p.Quantity, err = intp("quantity"); err != nil {
		return p, err
	}
	if p.DisclosedQuantity, err = intp("disclosed_quantity"); err != nil {
		return p, err
	}
	if p.Price, err = floatp("price"); err != nil {
		return p, err
	}
	if p.TriggerPrice, err = floatp("trigger_price"); err != nil {
		return p, err
	}
	if p.MarketProtection, err = floatp("market_protection"); err != nil {
		return p, err
	}
	p.OrderType = strp("order_type")
	p.Validity = strp("validity")
	return p, nil
}

func formInt(v url.Values, name string) (int, error) {
	s := v.Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, inputErr("Invalid `%s`: %q is not a whole number.", name, s)
	}
	return n, nil
}

func formFloat(v url.Values, name string) (float64, error) {
	s := v.Get(name)
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, inputErr("Invalid `%s`: %q is not a number.", name, s)
	}
	return f, nil
}
