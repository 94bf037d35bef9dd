package sandbox

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/kitecli/kite/pkg/kitespec"
	"github.com/kitecli/kite/pkg/sandbox/apierr"
)

// Kite's messages for the errors every endpoint can answer.
const (
	msgBadAuth     = "Incorrect `api_key` or `access_token`."
	msgTooMany     = "Too many requests"
	msgNoRoute     = "Route not found"
	msgUnavailable = "Service temporarily unavailable. Please try again."
	msgInternal    = "Something went wrong. Please try again."
)

// writeJSON writes v as the whole response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"status":"error","message":"` + msgInternal + `","error_type":"GeneralException"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeData writes Kite's success envelope.
func writeData(w http.ResponseWriter, data any) {
	writeJSON(w, http.StatusOK, struct {
		Status string `json:"status"`
		Data   any    `json:"data"`
	}{"success", data})
}

// writeError writes Kite's error envelope.
func writeError(w http.ResponseWriter, status int, errorType, message string) {
	writeJSON(w, status, struct {
		Status    string `json:"status"`
		Message   string `json:"message"`
		Data      any    `json:"data"`
		ErrorType string `json:"error_type"`
	}{"error", message, nil, errorType})
}

// writeErr writes err, which should be a *apierr.Error (as the paper engine
// answers); anything else is a GeneralException.
func writeErr(w http.ResponseWriter, err error) {
	var ke *apierr.Error
	if errors.As(err, &ke) {
		status := ke.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		writeError(w, status, ke.ErrorType, ke.Message)
		return
	}
	writeError(w, http.StatusInternalServerError, kitespec.GeneralException, err.Error())
}

func inputError(w http.ResponseWriter, msg string) {
	writeError(w, http.StatusBadRequest, kitespec.InputException, msg)
}

// apiHandler is an authenticated endpoint.
type apiHandler func(w http.ResponseWriter, r *http.Request, sess session)

// routes builds the whole HTTP surface.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /ws", http.HandlerFunc(s.ticker.serve))

	// Logins: not authenticated, but subject to the REST faults.
	mux.Handle("GET /connect/login", s.rest(s.handleConnectLogin))
	mux.Handle("POST /session/token", s.rest(s.handleSessionToken))
	mux.Handle("DELETE /session/token", s.rest(s.handleSessionDelete))
	mux.Handle("POST /api/login", s.rest(s.handleWebLogin))
	mux.Handle("POST /api/twofa", s.rest(s.handleTwoFA))

	// The API proper, twice: Kite Connect at the root, Kite web under /oms.
	for _, web := range []bool{false, true} {
		prefix := ""
		if web {
			prefix = "/oms"
		}
		api := func(pattern string, c endpointClass, h apiHandler) {
			method, path, _ := strings.Cut(pattern, " ")
			mux.Handle(method+" "+prefix+path, s.rest(s.authed(web, c, h)))
		}
		api("GET /user/profile", classOther, s.handleProfile)
		api("GET /user/margins", classOther, s.handleMargins)
		api("GET /user/margins/{segment}", classOther, s.handleMarginsSegment)
		api("GET /portfolio/holdings", classOther, s.handleHoldings)
		api("GET /portfolio/positions", classOther, s.handlePositions)
		api("GET /orders", classOther, s.handleOrders)
		api("GET /orders/{id}", classOther, s.handleOrderHistory)
		api("GET /orders/{id}/trades", classOther, s.handleOrderTrades)
		api("GET /trades", classOther, s.handleTrades)
		api("POST /orders/{variety}", classOrderPlace, s.staticIP(s.handlePlaceOrder))
		api("PUT /orders/{variety}/{id}", classOrderWrite, s.staticIP(s.handleModifyOrder))
		api("DELETE /orders/{variety}/{id}", classOrderWrite, s.staticIP(s.handleCancelOrder))
		api("GET /quote", classQuote, s.handleQuote)
		api("GET /quote/ohlc", classQuote, s.handleOHLC)
		api("GET /quote/ltp", classQuote, s.handleLTP)
		api("GET /instruments", classOther, s.handleInstruments)
		api("GET /instruments/{exchange}", classOther, s.handleInstruments)
		api("GET /instruments/historical/{token}/{interval}", classHistorical, s.handleHistorical)
		s.marginsCalcRoutes(api)
		s.chargesRoutes(api)
		s.portfolioExtraRoutes(api)
		s.mfRoutes(api)
		s.gttRoutes(api)
		s.alertRoutes(api)
	}
	s.portfolioPages(mux)
	mux.Handle("/", s.rest(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, kitespec.GeneralException, msgNoRoute)
	}))
	return mux
}

// rest applies the REST faults (RateLimit, ErrorRate) before h.
func (s *Server) rest(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.Debug("request", "method", r.Method, "path", r.URL.Path)
		if s.currentFaults().RateLimit {
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusTooManyRequests, kitespec.NetworkException, msgTooMany)
			return
		}
		if fail, status := s.failNow(); fail {
			if status == http.StatusServiceUnavailable {
				w.Header().Set("Retry-After", "1")
				writeError(w, status, kitespec.NetworkException, msgUnavailable)
			} else {
				writeError(w, status, kitespec.GeneralException, msgInternal)
			}
			return
		}
		h(w, r)
	})
}

// authed checks the Authorization header (token for Kite Connect, enctoken
// under /oms) and the rate limit of the endpoint's class, then calls h.
func (s *Server) authed(web bool, c endpointClass, h apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.authenticate(web, r)
		if !ok {
			writeError(w, http.StatusForbidden, kitespec.TokenException, msgBadAuth)
			return
		}
		key := sess.apiKey
		if sess.web {
			key = "web:" + sess.userID
		}
		if !s.limiter.allow(key, c) {
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusTooManyRequests, kitespec.NetworkException, msgTooMany)
			return
		}
		if err := r.ParseForm(); err != nil {
			inputError(w, "Invalid request parameters: "+err.Error())
			return
		}
		h(w, r, sess)
	}
}

func (s *Server) authenticate(web bool, r *http.Request) (session, bool) {
	scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if web {
		if !strings.EqualFold(scheme, "enctoken") {
			return session{}, false
		}
		return s.sessions.lookupEnc(strings.TrimSpace(cred))
	}
	if !strings.EqualFold(scheme, "token") {
		return session{}, false
	}
	key, tok, ok := strings.Cut(strings.TrimSpace(cred), ":")
	if !ok {
		return session{}, false
	}
	return s.sessions.lookupAccess(key, tok)
}
