package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"

	"github.com/kitecli/kite/pkg/kitespec"

	"github.com/kitecli/kite/pkg/sandbox/market"
	"github.com/kitecli/kite/pkg/sandbox/paper"
)

// seedHoldings are the sandbox account's long-term holdings, so that
// /portfolio/holdings has something to show before any trade.
func seedHoldings() []paper.SeedHolding {
	return []paper.SeedHolding{
		{Exchange: "NSE", Tradingsymbol: "INFY", Quantity: 10, AveragePrice: 1402.35},
		{Exchange: "NSE", Tradingsymbol: "ITC", Quantity: 100, AveragePrice: 388.1},
		{Exchange: "BSE", Tradingsymbol: "SBIN", Quantity: 16, AveragePrice: 801.75},
	}
}

// list makes an empty list [] in JSON, never null: Kite answers [] and
// clients range over it.
func list[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Server) handleMargins(w http.ResponseWriter, r *http.Request, _ session) {
	writeData(w, s.world.paper.Margins())
}

func (s *Server) handleMarginsSegment(w http.ResponseWriter, r *http.Request, _ session) {
	m := s.world.paper.Margins()
	switch r.PathValue("segment") {
	case "equity":
		writeData(w, m.Equity)
	case "commodity":
		writeData(w, m.Commodity)
	default:
		inputError(w, "Invalid segment: use equity or commodity.")
	}
}

func (s *Server) handleHoldings(w http.ResponseWriter, r *http.Request, _ session) {
	writeData(w, list(s.withAuthorisations(s.world.paper.Holdings())))
}

func (s *Server) handlePositions(w http.ResponseWriter, r *http.Request, _ session) {
	p := s.world.paper.Positions()
	p.Net, p.Day = list(p.Net), list(p.Day)
	writeData(w, p)
}

func (s *Server) handleOrders(w http.ResponseWriter, r *http.Request, _ session) {
	writeData(w, list(s.visibleOrders()))
}

// msgNoOrder is Kite's answer for an order ID it does not know.
const msgNoOrder = "Couldn't find that `order_id`."

func (s *Server) handleOrderHistory(w http.ResponseWriter, r *http.Request, _ session) {
	if s.orderHidden(r.PathValue("id")) {
		writeError(w, http.StatusBadRequest, kitespec.OrderException, msgNoOrder)
		return
	}
	h, err := s.world.paper.OrderHistory(r.PathValue("id"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeData(w, list(h))
}

func (s *Server) handleOrderTrades(w http.ResponseWriter, r *http.Request, _ session) {
	if s.orderHidden(r.PathValue("id")) {
		writeError(w, http.StatusBadRequest, kitespec.OrderException, msgNoOrder)
		return
	}
	t, err := s.world.paper.OrderTrades(r.PathValue("id"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeData(w, list(t))
}

func (s *Server) handleTrades(w http.ResponseWriter, r *http.Request, _ session) {
	writeData(w, list(s.world.paper.Trades()))
}

type orderIDJSON struct {
	OrderID string `json:"order_id"`
}

func (s *Server) handleModifyOrder(w http.ResponseWriter, r *http.Request, _ session) {
	p, err := paper.ParseModifyForm(r.PostForm)
	if err != nil {
		writeErr(w, err)
		return
	}
	id, err := s.world.paper.Modify(r.PathValue("variety"), r.PathValue("id"), p)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeData(w, orderIDJSON{id})
}

func (s *Server) handleCancelOrder(w http.ResponseWriter, r *http.Request, _ session) {
	id, err := s.world.paper.Cancel(r.PathValue("variety"), r.PathValue("id"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeData(w, orderIDJSON{id})
}

// orderUpdate is an order as the ticker pushes it: Kite's postback payload,
// the order plus who it belongs to and a checksum
// sha256(order_id + order_timestamp + api_secret).
type orderUpdate struct {
	paper.Order
	UserID           string `json:"user_id"`
	UnfilledQuantity int    `json:"unfilled_quantity"`
	AppID            int    `json:"app_id"`
	Checksum         string `json:"checksum"`
}

func newOrderUpdate(o paper.Order, userID string) orderUpdate {
	ts := ""
	if !o.OrderTimestamp.IsZero() {
		ts = o.OrderTimestamp.In(market.IST).Format(kiteTime)
	}
	sum := sha256.Sum256([]byte(o.OrderID + ts + APISecret))
	return orderUpdate{
		Order:            o,
		UserID:           userID,
		UnfilledQuantity: o.PendingQuantity,
		AppID:            appID,
		Checksum:         hex.EncodeToString(sum[:]),
	}
}

// appID is the sandbox Connect app's numeric id in order updates.
const appID = 1
