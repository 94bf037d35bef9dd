package paper

import "github.com/kitecli/kite/pkg/sandbox/market"

// validated is what validate finds out about an order: its instrument and
// prices in segment units, and its meta.
type validated struct {
	in             market.Instrument
	price, trigger int64
	meta           map[string]any
}

// validate checks an order's form the way Kite does and fills in its
// defaults. Invalid input is an InputException.
func (e *Engine) validate(p *PlaceParams) (validated, error) {
	if p.Variety == "" {
		p.Variety = "regular"
	}
	if p.Validity == "" {
		p.Validity = "DAY"
	}
	switch p.Variety {
	case "regular", "amo", "iceberg":
	case "co":
		return validated{}, inputErr("Cover orders are not available in the sandbox. Use the regular variety with an SL order.")
	case "auction":
	default:
		return validated{}, inputErr("Invalid `variety`.")
	}
	in, ok := e.m.Lookup(p.Exchange, p.Tradingsymbol)
	if !ok {
		if p.Exchange == "" || p.Tradingsymbol == "" {
			return validated{}, inputErr("Missing `exchange` or `tradingsymbol`.")
		}
		return validated{}, inputErr("Invalid `tradingsymbol`: %s:%s is not an instrument.", p.Exchange, p.Tradingsymbol)
	}
	if in.IsIndex() {
		return validated{}, inputErr("%s is an index and cannot be traded.", in.Key())
	}
	if err := checkAuction(p, &in); err != nil {
		return validated{}, err
	}
	if p.TransactionType != "BUY" && p.TransactionType != "SELL" {
		return validated{}, inputErr("Invalid `transaction_type`: use BUY or SELL.")
	}
	if !validOrderType(p.OrderType) {
		return validated{}, inputErr("Invalid `order_type`: use MARKET, LIMIT, SL or SL-M.")
	}
	if !validProduct(p.Product) {
		return validated{}, inputErr("Invalid `product`: use CNC, MIS, NRML or MTF.")
	}
	equity := in.Segment == "NSE" || in.Segment == "BSE"
	switch {
	case (p.Product == "CNC" || p.Product == "MTF") && !equity:
		return validated{}, inputErr("Product %s is only for equity delivery; use NRML or MIS for %s.", p.Product, in.Exchange)
	case p.Product == "NRML" && equity:
		return validated{}, inputErr("Product NRML is only for F&O, currency and commodity; use CNC or MIS for %s.", in.Exchange)
	}
	if p.Quantity <= 0 {
		return validated{}, inputErr("Invalid `quantity`: it must be greater than 0.")
	}
	if p.Quantity%int(in.LotSize) != 0 {
		return validated{}, inputErr("Quantity should be a multiple of the lot size (%d) for %s.", in.LotSize, in.Key())
	}
	if p.DisclosedQuantity < 0 || p.DisclosedQuantity > p.Quantity {
		return validated{}, inputErr("Invalid `disclosed_quantity`: it must be between 0 and the quantity.")
	}
	switch p.Validity {
	case "DAY", "IOC":
		if p.ValidityTTL != 0 {
			return validated{}, inputErr("Invalid `validity_ttl`: it is only for TTL validity.")
		}
	case "TTL":
		if p.ValidityTTL < 1 {
			return validated{}, inputErr("Invalid `validity_ttl`: TTL orders need a validity_ttl in minutes.")
		}
		if p.OrderType != "LIMIT" {
			return validated{}, inputErr("TTL validity is only for LIMIT orders.")
		}
	default:
		return validated{}, inputErr("Invalid `validity`: use DAY, IOC or TTL.")
	}
	price, trigger, err := checkPrices(&in, p.OrderType, p.Price, p.TriggerPrice)
	if err != nil {
		return validated{}, err
	}
	meta := map[string]any{}
	if p.Variety == "iceberg" {
		if p.IcebergLegs < 2 || p.IcebergLegs > 10 {
			return validated{}, inputErr("Invalid `iceberg_legs`: it must be between 2 and 10.")
		}
		if p.IcebergQuantity <= 0 || p.IcebergQuantity*p.IcebergLegs < p.Quantity || p.IcebergQuantity > p.Quantity {
			return validated{}, inputErr("Invalid `iceberg_quantity`: legs × iceberg quantity must cover the quantity.")
		}
		if p.OrderType == "MARKET" || p.OrderType == "SL-M" {
			return validated{}, inputErr("Iceberg orders must be LIMIT or SL.")
		}
		meta["iceberg"] = map[string]any{
			"leg": 1, "legs": p.IcebergLegs, "leg_quantity": p.IcebergQuantity,
			"total_quantity": p.Quantity, "remaining_quantity": p.Quantity - p.IcebergQuantity,
		}
	} else if p.IcebergLegs != 0 || p.IcebergQuantity != 0 {
		return validated{}, inputErr("Iceberg legs and quantity are only for the iceberg variety.")
	}
	if err := checkMarketProtection(p.OrderType, p.MarketProtection); err != nil {
		return validated{}, err
	}
	if p.Tag != "" && len(p.Tag) > 20 {
		return validated{}, inputErr("Invalid `tag`: at most 20 characters.")
	}
	if len(p.AlgoID) > maxAlgoIDLen {
		return validated{}, inputErr("Invalid `algo_id`: at most %d characters.", maxAlgoIDLen)
	}

	return validated{in, price, trigger, meta}, nil
}

// checkPrices validates the price and trigger price for an order type and
// converts them to segment units.
func checkPrices(in *market.Instrument, orderType string, priceR, triggerR float64) (price, trigger int64, err error) {
	tick := market.FormatPrice(in.TickSize, in.Divisor())
	needPrice := orderType == "LIMIT" || orderType == "SL"
	needTrigger := orderType == "SL" || orderType == "SL-M"
	switch {
	case needPrice && priceR <= 0:
		return 0, 0, inputErr("Invalid `price`: a %s order needs a price greater than 0.", orderType)
	case needTrigger && triggerR <= 0:
		return 0, 0, inputErr("Invalid `trigger_price`: a %s order needs a trigger price greater than 0.", orderType)
	case priceR < 0 || triggerR < 0:
		return 0, 0, inputErr("Invalid `price`: prices cannot be negative.")
	}
	if needPrice {
		var ok bool
		if price, ok = toUnits(in, priceR); !ok {
			return 0, 0, inputErr("Tick size for this script is %s. Kindly enter the price in multiples of the tick size.", tick)
		}
	}
	if needTrigger {
		var ok bool
		if trigger, ok = toUnits(in, triggerR); !ok {
			return 0, 0, inputErr("Tick size for this script is %s. Kindly enter the trigger price in multiples of the tick size.", tick)
		}
	}
	return price, trigger, nil
}
