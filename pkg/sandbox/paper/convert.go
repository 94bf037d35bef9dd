package paper

import "github.com/kitecli/kite/pkg/sandbox/market"

// ConvertParams are Kite's position conversion form (PUT
// /portfolio/positions).
type ConvertParams struct {
	Exchange        string
	Tradingsymbol   string
	TransactionType string // the side of the position: BUY for a long one
	PositionType    string // day or overnight
	Quantity        int
	OldProduct      string
	NewProduct      string
}

// ConvertPosition moves part of a position to another product, as Kite's
// conversion does: the quantity and its average price go over, the margin
// follows from the new product (margin.go computes it from positions), and
// a long equity position converted to or from CNC/MTF moves in or out of
// the T1 holdings. A conversion the account cannot fund is refused and
// changes nothing.
func (e *Engine) ConvertPosition(p ConvertParams) error {
	in, ok := e.m.Lookup(p.Exchange, p.Tradingsymbol)
	switch {
	case !ok && (p.Exchange == "" || p.Tradingsymbol == ""):
		return inputErr("Missing `exchange` or `tradingsymbol`.")
	case !ok:
		return inputErr("Invalid `tradingsymbol`: %s:%s is not an instrument.", p.Exchange, p.Tradingsymbol)
	case p.TransactionType != "BUY" && p.TransactionType != "SELL":
		return inputErr("Invalid `transaction_type`: use BUY or SELL.")
	case p.PositionType == "overnight":
		return inputErr("There is no overnight position of %s to convert: the sandbox's positions are all today's (position_type day).", in.Key())
	case p.PositionType != "day":
		return inputErr("Invalid `position_type`: use day or overnight.")
	case p.Quantity <= 0 || int64(p.Quantity)%max(in.LotSize, 1) != 0:
		return inputErr("Invalid `quantity`: a multiple of the lot size (%d) greater than 0.", in.LotSize)
	case p.OldProduct == p.NewProduct:
		return inputErr("The old and new products are the same (%s).", p.OldProduct)
	}
	if err := convertible(&in, p.OldProduct); err != nil {
		return err
	}
	if err := convertible(&in, p.NewProduct); err != nil {
		return err
	}
	sign := int64(1)
	if p.TransactionType == "SELL" {
		sign = -1
		if isDelivery(p.OldProduct) || isDelivery(p.NewProduct) {
			return inputErr("A short position cannot be converted to or from %s.", deliveryOf(p.OldProduct, p.NewProduct))
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	from := e.positions[posKey{in.Token, p.OldProduct}]
	q := int64(p.Quantity)
	have := int64(0)
	if from != nil {
		have = sign * (from.buyQty - from.sellQty)
	}
	if have < q {
		return inputErr("Insufficient quantity to convert: the %s %s position of %s is %d.", p.OldProduct, sideWord(sign), in.Key(), max(have, 0))
	}
	before := e.margins()[segmentOf(&in)].Net
	undo := e.move(&in, from, p.NewProduct, sign, q)
	if after := e.margins()[segmentOf(&in)].Net; after < 0 && after < before {
		undo()
		return orderErr("Insufficient funds to convert: %s needs %.2f more margin than is available.", p.NewProduct, -after)
	}
	return nil
}

func isDelivery(product string) bool { return product == "CNC" || product == "MTF" }

func deliveryOf(a, b string) string {
	if isDelivery(a) {
		return a
	}
	return b
}

func sideWord(sign int64) string {
	if sign > 0 {
		return "long"
	}
	return "short"
}

func convertible(in *market.Instrument, product string) error {
	switch {
	case !validProduct(product):
		return inputErr("Invalid product %q: use CNC, MIS, NRML or MTF.", product)
	case isEquity(in) && product == "NRML":
		return inputErr("Product NRML is only for F&O, currency and commodity; use CNC or MIS for %s.", in.Exchange)
	case !isEquity(in) && isDelivery(product):
		return inputErr("Product %s is only for equity delivery; use NRML or MIS for %s.", product, in.Exchange)
	}
	return nil
}

// move carries q units (of the side sign) of from to product at from's
// average price, and returns how to put them back.
func (e *Engine) move(in *market.Instrument, from *position, product string, sign, q int64) (undo func()) {
	k := posKey{in.Token, product}
	to := e.positions[k]
	created := to == nil
	if created {
		to = &position{in: *in, product: product}
		e.positions[k] = to
		e.posOrder = append(e.posOrder, k)
	}
	saveFrom, saveTo := *from, *to
	if sign > 0 {
		val := from.buyVal / float64(from.buyQty) * float64(q)
		from.buyQty, from.buyVal = from.buyQty-q, from.buyVal-val
		to.buyQty, to.buyVal = to.buyQty+q, to.buyVal+val
	} else {
		val := from.sellVal / float64(from.sellQty) * float64(q)
		from.sellQty, from.sellVal = from.sellQty-q, from.sellVal-val
		to.sellQty, to.sellVal = to.sellQty+q, to.sellVal+val
	}
	// A long delivery position is T1 holdings: they follow the conversion.
	var h *holding
	var saveH holding
	nHoldings := len(e.holdings)
	if sign > 0 && (isDelivery(from.product) || isDelivery(product)) {
		h = e.holding(in)
		saveH = *h
		if isDelivery(product) {
			unit := to.buyVal / float64(to.buyQty)
			total := float64(h.qty+h.t1-h.used) * h.avg
			h.t1 += q
			h.avg = (total + unit*float64(q)) / float64(h.qty+h.t1-h.used)
		} else {
			h.t1 -= q
		}
	}
	return func() {
		*from, *to = saveFrom, saveTo
		if h != nil {
			*h = saveH
			e.holdings = e.holdings[:nHoldings] // drop a holding the move created
		}
		if created {
			delete(e.positions, k)
			e.posOrder = e.posOrder[:len(e.posOrder)-1]
		}
	}
}
