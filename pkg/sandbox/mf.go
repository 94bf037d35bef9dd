package sandbox

import (
	"bytes"
	"encoding/csv"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/kitecli/kite/pkg/kitespec"
	"github.com/kitecli/kite/pkg/sandbox/market"
)

// The sandbox's mutual funds: a small fixed fund universe, holdings in
// three of them, a few orders and two SIPs, all reads. Kite Connect's
// mutual fund endpoints are read-only for apps (Zerodha on the Kite
// Connect forum: "our Mutual Fund endpoints are limited to the GET
// method"); orders and SIPs are placed on Coin. The sandbox answers the
// write endpoints as Kite does, with a PermissionException.

// mfRoutes registers the mutual fund endpoints.
func (s *Server) mfRoutes(api route) {
	api("GET /mf/holdings", classOther, s.handleMFHoldings)
	api("GET /mf/holdings/{isin}", classOther, s.handleMFHoldingTrades)
	api("GET /mf/allotments", classOther, s.handleMFAllotments)
	api("GET /mf/orders", classOther, s.handleMFOrders)
	api("GET /mf/orders/{id}", classOther, s.handleMFOrder)
	api("GET /mf/sips", classOther, s.handleMFSIPs)
	api("GET /mf/sips/{id}", classOther, s.handleMFSIP)
	api("GET /mf/instruments", classOther, s.handleMFInstruments)
	for _, p := range []string{"POST /mf/orders", "DELETE /mf/orders/{id}", "POST /mf/sips", "PUT /mf/sips/{id}", "DELETE /mf/sips/{id}"} {
		api(p, classOther, handleMFWrite)
	}
}

// MsgMFReadOnly is the sandbox's answer to a mutual fund write.
const MsgMFReadOnly = "Insufficient permission for that call: mutual fund orders and SIPs cannot be placed through Kite Connect. Use Coin (coin.zerodha.com)."

func handleMFWrite(w http.ResponseWriter, r *http.Request, _ session) {
	writeError(w, http.StatusForbidden, kitespec.PermissionException, MsgMFReadOnly)
}

// mfFund is one fund of the universe (the columns of /mf/instruments).
type mfFund struct {
	ISIN, AMC, Name        string
	Dividend, Scheme, Plan string
	MinPurchase, MinAdd    float64
	Settlement             string
	NAV                    float64
}

// mfFunds is the sandbox's fund universe; the ISINs are made up (INF…S…),
// so none is a real scheme.
var mfFunds = []mfFund{
	{"INF000S01AA1", "SandboxMutualFund_MF", "Sandbox Nifty 50 Index Fund - Direct Plan", "growth", "equity", "direct", 100, 100, "T1", 152.4321},
	{"INF000S01AB9", "SandboxMutualFund_MF", "Sandbox Nifty 50 Index Fund - Regular Plan", "growth", "equity", "regular", 100, 100, "T1", 148.1107},
	{"INF000S01AC7", "SandboxMutualFund_MF", "Sandbox Flexi Cap Fund - Direct Plan", "growth", "equity", "direct", 500, 100, "T2", 81.9054},
	{"INF000S01AD5", "SandboxMutualFund_MF", "Sandbox Liquid Fund - Direct Plan", "idcw", "liquid", "direct", 1000, 1000, "T1", 1043.2187},
	{"INF000S01AE3", "LoopbackAMC_MF", "Loopback Corporate Bond Fund - Direct Plan", "growth", "debt", "direct", 1000, 1000, "T1", 31.0466},
	{"INF000S01AF0", "LoopbackAMC_MF", "Loopback ELSS Tax Saver Fund - Direct Plan", "growth", "elss", "direct", 500, 500, "T3", 64.7719},
}

func mfFundByISIN(isin string) (mfFund, bool) {
	for _, f := range mfFunds {
		if f.ISIN == isin {
			return f, true
		}
	}
	return mfFund{}, false
}

// navDate is the date the funds' NAVs are for: the business day before
// the market clock's.
func (s *Server) navDate() time.Time {
	d := s.opts.MarketClock().In(market.IST)
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, market.IST).AddDate(0, 0, -1)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

type mfHolding struct {
	Folio           string  `json:"folio"`
	Fund            string  `json:"fund"`
	Tradingsymbol   string  `json:"tradingsymbol"`
	AveragePrice    float64 `json:"average_price"`
	LastPrice       float64 `json:"last_price"`
	LastPriceDate   string  `json:"last_price_date"`
	PledgedQuantity float64 `json:"pledged_quantity"`
	PnL             float64 `json:"pnl"`
	Quantity        float64 `json:"quantity"`
}

// mfHoldingsSeed: ISIN, folio, units, average NAV.
var mfHoldingsSeed = []struct {
	isin, folio string
	units, avg  float64
}{
	{"INF000S01AA1", "SB0001001", 412.337, 121.27},
	{"INF000S01AC7", "SB0001002", 950.112, 64.5},
	{"INF000S01AF0", "SB0001003", 230.5, 58.9},
}

func (s *Server) handleMFHoldings(w http.ResponseWriter, r *http.Request, _ session) {
	date := s.navDate().Format("2006-01-02")
	out := []mfHolding{}
	for _, h := range mfHoldingsSeed {
		f, _ := mfFundByISIN(h.isin)
		out = append(out, mfHolding{Folio: h.folio, Fund: f.Name, Tradingsymbol: f.ISIN, AveragePrice: h.avg,
			LastPrice: f.NAV, LastPriceDate: date, PnL: math.Round((f.NAV-h.avg)*h.units*100) / 100, Quantity: h.units})
	}
	writeData(w, out)
}

// mfTrade is one allotment of a holding (GET /mf/holdings/{isin}).
type mfTrade struct {
	Fund              string  `json:"fund"`
	Tradingsymbol     string  `json:"tradingsymbol"`
	AveragePrice      float64 `json:"average_price"`
	Variety           string  `json:"variety"`
	ExchangeTimestamp string  `json:"exchange_timestamp"`
	Amount            float64 `json:"amount"`
	Folio             string  `json:"folio"`
	Quantity          float64 `json:"quantity"`
}

// handleMFHoldingTrades breaks a holding into its allotments: the sandbox
// bought each holding in one lumpsum a year before the NAV date.
func (s *Server) handleMFHoldingTrades(w http.ResponseWriter, r *http.Request, _ session) {
	for _, h := range mfHoldingsSeed {
		if h.isin != r.PathValue("isin") {
			continue
		}
		f, _ := mfFundByISIN(h.isin)
		when := s.navDate().AddDate(-1, 0, 0).Add(10 * time.Hour)
		writeData(w, []mfTrade{{Fund: f.Name, Tradingsymbol: f.ISIN, AveragePrice: h.avg, Variety: "regular",
			ExchangeTimestamp: when.Format(kiteTime), Amount: math.Round(h.avg*h.units*100) / 100, Folio: h.folio, Quantity: h.units}})
		return
	}
	inputError(w, "Invalid `isin`: "+r.PathValue("isin")+" is not in the mutual fund holdings.")
}

// handleMFAllotments lists the ISINs the account has been allotted.
func (s *Server) handleMFAllotments(w http.ResponseWriter, r *http.Request, _ session) {
	out := []string{}
	for _, h := range mfHoldingsSeed {
		out = append(out, h.isin)
	}
	writeData(w, out)
}

type mfOrder struct {
	OrderID           string  `json:"order_id"`
	ExchangeOrderID   *string `json:"exchange_order_id"`
	Tradingsymbol     string  `json:"tradingsymbol"`
	Status            string  `json:"status"`
	StatusMessage     string  `json:"status_message"`
	Folio             *string `json:"folio"`
	Fund              string  `json:"fund"`
	OrderTimestamp    string  `json:"order_timestamp"`
	ExchangeTimestamp *string `json:"exchange_timestamp"`
	SettlementID      *string `json:"settlement_id"`
	TransactionType   string  `json:"transaction_type"`
	Variety           string  `json:"variety"`
	PurchaseType      string  `json:"purchase_type"`
	Quantity          float64 `json:"quantity"`
	Amount            float64 `json:"amount"`
	LastPrice         float64 `json:"last_price"`
	AveragePrice      float64 `json:"average_price"`
	PlacedBy          string  `json:"placed_by"`
	LastPriceDate     string  `json:"last_price_date"`
	Tag               *string `json:"tag"`
}

func strPtr(s string) *string { return &s }

// mfOrders are the account's recent fund orders, dated back from the NAV
// date: a completed SIP instalment, a redemption, a rejected order and an
// open one.
func (s *Server) mfOrders() []mfOrder {
	nav := s.navDate()
	at := func(daysAgo int) time.Time { return nav.AddDate(0, 0, -daysAgo).Add(10*time.Hour + 15*time.Minute) }
	order := func(id, isin, status, msg, side, variety string, amount, qty, avg float64, when time.Time, folio string) mfOrder {
		f, _ := mfFundByISIN(isin)
		o := mfOrder{OrderID: id, Tradingsymbol: isin, Status: status, StatusMessage: msg, Fund: f.Name,
			OrderTimestamp: when.Format(kiteTime), TransactionType: side, Variety: variety, PurchaseType: "ADDITIONAL",
			Quantity: qty, Amount: amount, LastPrice: f.NAV, AveragePrice: avg, PlacedBy: UserID,
			LastPriceDate: nav.Format("2006-01-02")}
		if folio != "" {
			o.Folio = strPtr(folio)
		}
		if status == "COMPLETE" {
			o.ExchangeOrderID = strPtr("5" + id[len(id)-8:])
			o.ExchangeTimestamp = strPtr(when.Format("2006-01-02"))
			o.SettlementID = strPtr("2526" + id[len(id)-3:])
		}
		return o
	}
	return []mfOrder{
		order("sb-mf-0000-0000-000000000104", "INF000S01AD5", "OPEN", "", "BUY", "regular", 5000, 0, 0, at(0), ""),
		order("sb-mf-0000-0000-000000000103", "INF000S01AE3", "REJECTED", "Insufficient fund. 1/5", "BUY", "regular", 10000, 0, 0, at(2), ""),
		order("sb-mf-0000-0000-000000000102", "INF000S01AC7", "COMPLETE", "", "SELL", "regular", 0, 50, 80.12, at(5), "SB0001002"),
		order("sb-mf-0000-0000-000000000101", "INF000S01AA1", "COMPLETE", "", "BUY", "sip", 2500, 16.582, 150.76, at(9), "SB0001001"),
	}
}

func (s *Server) handleMFOrders(w http.ResponseWriter, r *http.Request, _ session) {
	q := r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	var lo, hi time.Time
	if from != "" || to != "" {
		var err1, err2 error
		lo, err1 = time.ParseInLocation("2006-01-02", from, market.IST)
		hi, err2 = time.ParseInLocation("2006-01-02", to, market.IST)
		if err1 != nil || err2 != nil || hi.Before(lo) {
			inputError(w, "Invalid `from` or `to`: give both dates as YYYY-MM-DD, from not after to.")
			return
		}
		hi = hi.AddDate(0, 0, 1)
	}
	out := []mfOrder{}
	for _, o := range s.mfOrders() {
		ts, _ := time.ParseInLocation(kiteTime, o.OrderTimestamp, market.IST)
		if !lo.IsZero() && (ts.Before(lo) || !ts.Before(hi)) {
			continue
		}
		out = append(out, o)
	}
	writeData(w, out)
}

func (s *Server) handleMFOrder(w http.ResponseWriter, r *http.Request, _ session) {
	for _, o := range s.mfOrders() {
		if o.OrderID == r.PathValue("id") {
			writeData(w, o)
			return
		}
	}
	writeError(w, http.StatusBadRequest, kitespec.InputException, "Couldn't find that `order_id`.")
}

type mfSIP struct {
	SIPID                string             `json:"sip_id"`
	Tradingsymbol        string             `json:"tradingsymbol"`
	Fund                 string             `json:"fund"`
	DividendType         string             `json:"dividend_type"`
	TransactionType      string             `json:"transaction_type"`
	Status               string             `json:"status"`
	SIPType              string             `json:"sip_type"`
	Created              string             `json:"created"`
	Frequency            string             `json:"frequency"`
	InstalmentAmount     float64            `json:"instalment_amount"`
	Instalments          int                `json:"instalments"`
	LastInstalment       string             `json:"last_instalment"`
	PendingInstalments   int                `json:"pending_instalments"`
	InstalmentDay        int                `json:"instalment_day"`
	CompletedInstalments int                `json:"completed_instalments"`
	NextInstalment       string             `json:"next_instalment"`
	TriggerPrice         float64            `json:"trigger_price"`
	StepUp               map[string]float64 `json:"step_up"`
	Tag                  string             `json:"tag"`
	SIPRegNum            *string            `json:"sip_reg_num"`
}

func (s *Server) mfSIPs() []mfSIP {
	nav := s.navDate()
	sip := func(id, isin, status, freq string, amount float64, instalments, done, day int, created time.Time, next time.Time) mfSIP {
		f, _ := mfFundByISIN(isin)
		pending := -1
		if instalments > 0 {
			pending = instalments - done
		}
		return mfSIP{SIPID: id, Tradingsymbol: isin, Fund: f.Name, DividendType: f.Dividend, TransactionType: "BUY",
			Status: status, SIPType: "sip", Created: created.Format(kiteTime), Frequency: freq, InstalmentAmount: amount,
			Instalments: instalments, LastInstalment: nav.AddDate(0, 0, -9).Add(10 * time.Hour).Format(kiteTime),
			PendingInstalments: pending, InstalmentDay: day, CompletedInstalments: done,
			NextInstalment: next.Format("2006-01-02"), StepUp: map[string]float64{}, Tag: "sandboxsip",
			SIPRegNum: strPtr("SB" + id[len(id)-6:])}
	}
	monthly := nav.AddDate(0, 1, 0)
	return []mfSIP{
		sip("800000000000101", "INF000S01AA1", "ACTIVE", "monthly", 2500, -1, 14, monthly.Day(), nav.AddDate(-1, -2, 0), monthly),
		sip("800000000000102", "INF000S01AF0", "PAUSED", "monthly", 1000, 36, 12, 5, nav.AddDate(-1, 0, 0), nav.AddDate(0, 2, 0)),
	}
}

func (s *Server) handleMFSIPs(w http.ResponseWriter, r *http.Request, _ session) {
	writeData(w, s.mfSIPs())
}

func (s *Server) handleMFSIP(w http.ResponseWriter, r *http.Request, _ session) {
	for _, sp := range s.mfSIPs() {
		if sp.SIPID == r.PathValue("id") {
			// One SIP also says where its instalments are paid from.
			writeData(w, struct {
				mfSIP
				FundSource string `json:"fund_source"`
			}{sp, "pool"})
			return
		}
	}
	writeError(w, http.StatusBadRequest, kitespec.InputException, "Couldn't find that `sip_id`.")
}

// mfColumns are Kite's /mf/instruments columns.
var mfColumns = []string{"tradingsymbol", "amc", "name", "purchase_allowed", "redemption_allowed", "minimum_purchase_amount",
	"purchase_amount_multiplier", "minimum_additional_purchase_amount", "minimum_redemption_quantity",
	"redemption_quantity_multiplier", "dividend_type", "scheme_type", "plan", "settlement_type", "last_price", "last_price_date"}

func (s *Server) handleMFInstruments(w http.ResponseWriter, r *http.Request, _ session) {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	_ = cw.Write(mfColumns)
	date := s.navDate().Format("2006-01-02")
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, f := range mfFunds {
		_ = cw.Write([]string{f.ISIN, f.AMC, f.Name, "1", "1", num(f.MinPurchase), "1", num(f.MinAdd), "0.001", "0.001",
			f.Dividend, f.Scheme, f.Plan, f.Settlement, num(f.NAV), date})
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	_, _ = w.Write(b.Bytes())
}
