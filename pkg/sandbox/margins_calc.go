package sandbox

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/kitecli/kite/pkg/sandbox/paper"
)

// route registers an authenticated endpoint (see routes).
type route func(pattern string, c endpointClass, h apiHandler)

// marginsCalcRoutes are Kite's margin calculators: POST /margins/orders
// and POST /margins/basket, each a JSON array of orders.
func (s *Server) marginsCalcRoutes(api route) {
	api("POST /margins/orders", classOther, s.handleOrderMargins)
	api("POST /margins/basket", classOther, s.handleBasketMargins)
}

// maxCalcBody bounds a calculator request: a basket of a few hundred
// orders is far below it.
const maxCalcBody = 1 << 20

// readJSONArray decodes a JSON array body into out, answering Kite's
// InputException (and false) when it is not one.
func readJSONArray(w http.ResponseWriter, r *http.Request, out any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCalcBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			inputError(w, "Request body too large.")
			return false
		}
		inputError(w, "Could not read the request body.")
		return false
	}
	if msg := decodeJSONArray(body, out); msg != "" {
		inputError(w, msg)
		return false
	}
	return true
}

// decodeJSONArray is readJSONArray's parser: the body must be a JSON array
// of objects whose fields have Kite's types. It answers Kite's message for
// a bad body, or "".
func decodeJSONArray(body []byte, out any) string {
	trimmed := strings.TrimSpace(string(body))
	if !strings.HasPrefix(trimmed, "[") {
		return "Invalid request: send a JSON array of orders with Content-Type: application/json."
	}
	if err := json.Unmarshal([]byte(trimmed), out); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return "Invalid `" + te.Field + "`: wrong type."
		}
		return "Invalid request: the body is not a JSON array of orders."
	}
	return ""
}

func (s *Server) handleOrderMargins(w http.ResponseWriter, r *http.Request, _ session) {
	var orders []paper.MarginParams
	if !readJSONArray(w, r, &orders) {
		return
	}
	m, err := s.world.paper.OrderMargins(orders)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeData(w, m)
}

func (s *Server) handleBasketMargins(w http.ResponseWriter, r *http.Request, _ session) {
	var orders []paper.MarginParams
	if !readJSONArray(w, r, &orders) {
		return
	}
	consider := false
	switch r.URL.Query().Get("consider_positions") {
	case "", "false":
	case "true":
		consider = true
	default:
		inputError(w, "Invalid `consider_positions`: use true or false.")
		return
	}
	m, err := s.world.paper.BasketMargins(orders, consider)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeData(w, m)
}
