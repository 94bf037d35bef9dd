package paper

import "github.com/kitecli/kite/pkg/sandbox/market"

// The charges of a trade follow Zerodha's published schedule (the sources
// and their dates are cited in charges_test.go, whose table checks each
// segment by hand). Rates are fractions of the turnover (price × quantity ×
// multiplier; the premium for options). Nothing is rounded: Kite's
// calculators answer unrounded figures too.
const (
	sebiRate = 10.0 / 1e7 // ₹10 a crore, every segment
	gstRate  = 0.18       // on brokerage + exchange charges + SEBI fees
	// Zerodha's brokerage: 0.03% capped at ₹20 an executed order, a flat
	// ₹20 for options, nothing for equity delivery.
	brokerageRate = 0.0003
	brokerageCap  = 20.0
)

// schedule is one segment's rates.
type schedule struct {
	flatBrokerage bool    // options: ₹20 an order
	noBrokerage   bool    // equity delivery
	taxBuy        float64 // STT/CTT on the buy side
	taxSell       float64 // STT/CTT on the sell side
	taxType       string  // "stt" or "ctt"
	exchange      float64 // exchange transaction charge
	stampBuy      float64 // stamp duty, buy side only
}

// scheduleFor picks the rates for an instrument traded under a product.
func scheduleFor(in *market.Instrument, product string) schedule {
	opt := isOption(in)
	switch in.Exchange {
	case "NSE", "BSE":
		exch := 0.0000297 // NSE 0.00297%
		if in.Exchange == "BSE" {
			exch = 0.0000375 // BSE 0.00375%
		}
		if product == "MIS" {
			return schedule{taxSell: 0.00025, taxType: "stt", exchange: exch, stampBuy: 0.00003}
		}
		return schedule{noBrokerage: true, taxBuy: 0.001, taxSell: 0.001, taxType: "stt", exchange: exch, stampBuy: 0.00015}
	case "NFO", "BFO":
		if opt {
			exch := 0.0003503 // NSE 0.03503% of premium
			if in.Exchange == "BFO" {
				exch = 0.000325 // BSE 0.0325%
			}
			return schedule{flatBrokerage: true, taxSell: 0.001, taxType: "stt", exchange: exch, stampBuy: 0.00003}
		}
		exch := 0.0000173 // NSE 0.00173%
		if in.Exchange == "BFO" {
			exch = 0 // BSE: none
		}
		return schedule{taxSell: 0.0002, taxType: "stt", exchange: exch, stampBuy: 0.00002}
	case "CDS", "BCD":
		if opt {
			exch := 0.000311 // NSE 0.0311% of premium
			if in.Exchange == "BCD" {
				exch = 0.00001 // BSE 0.001%
			}
			return schedule{flatBrokerage: true, taxType: "stt", exchange: exch, stampBuy: 0.000001}
		}
		exch := 0.0000035 // NSE 0.00035%
		if in.Exchange == "BCD" {
			exch = 0.0000045 // BSE 0.00045%
		}
		return schedule{taxType: "stt", exchange: exch, stampBuy: 0.000001}
	case "MCX":
		if opt {
			return schedule{flatBrokerage: true, taxSell: 0.0005, taxType: "ctt", exchange: 0.000418, stampBuy: 0.00003}
		}
		return schedule{taxSell: 0.0001, taxType: "ctt", exchange: 0.000021, stampBuy: 0.00002}
	}
	return schedule{taxType: "stt"}
}

// GST is the GST part of the charges. The sandbox's user is billed IGST,
// as Zerodha's examples are.
type GST struct {
	IGST  float64 `json:"igst"`
	CGST  float64 `json:"cgst"`
	SGST  float64 `json:"sgst"`
	Total float64 `json:"total"`
}

// Charges are one order's charges, as Kite's margin and charge calculators
// itemise them.
type Charges struct {
	TransactionTax         float64 `json:"transaction_tax"`
	TransactionTaxType     string  `json:"transaction_tax_type"`
	ExchangeTurnoverCharge float64 `json:"exchange_turnover_charge"`
	SEBITurnoverCharge     float64 `json:"sebi_turnover_charge"`
	Brokerage              float64 `json:"brokerage"`
	StampDuty              float64 `json:"stamp_duty"`
	GST                    GST     `json:"gst"`
	Total                  float64 `json:"total"`
}

// ChargesFor is the charges of buying or selling qty (the order's
// quantity, in the instrument's units) of in at price (rupees) under
// product.
func ChargesFor(in *market.Instrument, product, transactionType string, qty, price float64) Charges {
	s := scheduleFor(in, product)
	mult := float64(in.Multiplier)
	if mult == 0 {
		mult = 1
	}
	turnover := qty * price * mult
	c := Charges{TransactionTaxType: s.taxType}
	switch {
	case s.noBrokerage:
	case s.flatBrokerage:
		c.Brokerage = brokerageCap
	default:
		c.Brokerage = min(turnover*brokerageRate, brokerageCap)
	}
	if transactionType == "BUY" {
		c.TransactionTax = turnover * s.taxBuy
		c.StampDuty = turnover * s.stampBuy
	} else {
		c.TransactionTax = turnover * s.taxSell
	}
	c.ExchangeTurnoverCharge = turnover * s.exchange
	c.SEBITurnoverCharge = turnover * sebiRate
	gst := (c.Brokerage + c.ExchangeTurnoverCharge + c.SEBITurnoverCharge) * gstRate
	c.GST = GST{IGST: gst, Total: gst}
	c.Total = c.Brokerage + c.TransactionTax + c.ExchangeTurnoverCharge + c.SEBITurnoverCharge + c.StampDuty + gst
	return c
}
