package sandbox

import (
	"net/http"

	"github.com/kitecli/kite/pkg/sandbox/paper"
)

// chargesRoutes is Kite's charge calculator, the virtual contract note:
// POST /charges/orders with a JSON array of executed orders.
func (s *Server) chargesRoutes(api route) {
	api("POST /charges/orders", classOther, s.handleCharges)
}

// chargeOrder is one order of a charges request and of its answer.
type chargeOrder struct {
	OrderID         string  `json:"order_id,omitempty"`
	TransactionType string  `json:"transaction_type"`
	Tradingsymbol   string  `json:"tradingsymbol"`
	Exchange        string  `json:"exchange"`
	Variety         string  `json:"variety"`
	Product         string  `json:"product"`
	OrderType       string  `json:"order_type"`
	Quantity        float64 `json:"quantity"`
	AveragePrice    float64 `json:"average_price,omitempty"`
}

// contractNote is one row of the answer: the order, its price and charges.
type contractNote struct {
	TransactionType string        `json:"transaction_type"`
	Tradingsymbol   string        `json:"tradingsymbol"`
	Exchange        string        `json:"exchange"`
	Variety         string        `json:"variety"`
	Product         string        `json:"product"`
	OrderType       string        `json:"order_type"`
	Quantity        float64       `json:"quantity"`
	Price           float64       `json:"price"`
	Charges         paper.Charges `json:"charges"`
}

func (s *Server) handleCharges(w http.ResponseWriter, r *http.Request, _ session) {
	var orders []chargeOrder
	if !readJSONArray(w, r, &orders) {
		return
	}
	if len(orders) == 0 {
		inputError(w, "No orders: send a JSON array of orders.")
		return
	}
	out := make([]contractNote, 0, len(orders))
	for _, o := range orders {
		in, ok := s.world.market.Lookup(o.Exchange, o.Tradingsymbol)
		switch {
		case !ok:
			inputError(w, "Invalid `tradingsymbol`: "+o.Exchange+":"+o.Tradingsymbol+" is not an instrument.")
			return
		case o.TransactionType != "BUY" && o.TransactionType != "SELL":
			inputError(w, "Invalid `transaction_type`: use BUY or SELL.")
			return
		case o.Quantity <= 0:
			inputError(w, "Invalid `quantity`: it must be greater than 0.")
			return
		case o.AveragePrice <= 0:
			inputError(w, "Invalid `average_price`: it must be greater than 0.")
			return
		}
		switch o.Product {
		case "CNC", "MIS", "NRML", "MTF":
		default:
			inputError(w, "Invalid `product`: use CNC, MIS, NRML or MTF.")
			return
		}
		out = append(out, contractNote{
			TransactionType: o.TransactionType, Tradingsymbol: in.Tradingsymbol, Exchange: in.Exchange,
			Variety: o.Variety, Product: o.Product, OrderType: o.OrderType, Quantity: o.Quantity, Price: o.AveragePrice,
			Charges: paper.ChargesFor(&in, o.Product, o.TransactionType, o.Quantity, o.AveragePrice),
		})
	}
	writeData(w, out)
}
