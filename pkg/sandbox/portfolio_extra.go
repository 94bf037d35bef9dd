package sandbox

import (
	"fmt"
	"html"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/kitecli/kite/pkg/sandbox/paper"
)

// portfolioExtraRoutes are the rest of Kite's portfolio and user API:
// position conversion, the holdings summary and compact list, CDSL
// authorisation, auction instruments and the full profile.
func (s *Server) portfolioExtraRoutes(api route) {
	api("PUT /portfolio/positions", classOther, s.handleConvertPosition)
	api("GET /portfolio/holdings/summary", classOther, s.handleHoldingsSummary)
	api("GET /portfolio/holdings/compact", classOther, s.handleHoldingsCompact)
	api("POST /portfolio/holdings/authorise", classOther, s.handleHoldingsAuthorise)
	api("GET /portfolio/holdings/auctions", classOther, s.handleAuctions)
	api("GET /user/profile/full", classOther, s.handleFullProfile)
}

// portfolioPages are the pages a browser opens: Kite's CDSL authorisation
// page, which the sandbox completes as soon as it is opened.
func (s *Server) portfolioPages(mux *http.ServeMux) {
	mux.Handle("GET /connect/portfolio/authorise/holdings/{api_key}/{request_id}", s.rest(s.handleAuthorisePage))
}

// holdingsAuth is the CDSL authorisations: requests made, and what has
// been authorised (by ISIN), which /portfolio/holdings reports.
type holdingsAuth struct {
	mu         sync.Mutex
	requests   map[string]map[string]int // request_id → ISIN → quantity (0 = all)
	authorised map[string]authorisation
}

type authorisation struct {
	qty  int
	date time.Time
}

func (s *Server) handleConvertPosition(w http.ResponseWriter, r *http.Request, _ session) {
	qty, err := strconv.Atoi(r.PostForm.Get("quantity"))
	if err != nil {
		inputError(w, "Invalid `quantity`: "+strconv.Quote(r.PostForm.Get("quantity"))+" is not a whole number.")
		return
	}
	err = s.world.paper.ConvertPosition(paper.ConvertParams{
		Exchange: r.PostForm.Get("exchange"), Tradingsymbol: r.PostForm.Get("tradingsymbol"),
		TransactionType: r.PostForm.Get("transaction_type"), PositionType: r.PostForm.Get("position_type"),
		Quantity: qty, OldProduct: r.PostForm.Get("old_product"), NewProduct: r.PostForm.Get("new_product"),
	})
	if err != nil {
		writeErr(w, err)
		return
	}
	writeData(w, true)
}

// holdingsSummary is Kite's /portfolio/holdings/summary.
type holdingsSummary struct {
	TotalPnL        float64 `json:"total_pnl"`
	TotalPnLPercent float64 `json:"total_pnl_percent"`
	TodayPnL        float64 `json:"today_pnl"`
	TodayPnLPercent float64 `json:"today_pnl_percent"`
	InvestedAmount  float64 `json:"invested_amount"`
	CurrentValue    float64 `json:"current_value"`
}

// summarise totals holdings: invested at the average price, valued at the
// last price, today's P&L against the close; percentages of what was
// invested, and of yesterday's value.
func summarise(hs []paper.Holding) holdingsSummary {
	var sum holdingsSummary
	var yesterday float64
	for _, h := range hs {
		q := float64(h.Quantity + h.T1Quantity)
		sum.InvestedAmount += h.AveragePrice * q
		sum.CurrentValue += h.LastPrice * q
		sum.TodayPnL += (h.LastPrice - h.ClosePrice) * q
		yesterday += h.ClosePrice * q
	}
	sum.TotalPnL = sum.CurrentValue - sum.InvestedAmount
	if sum.InvestedAmount != 0 {
		sum.TotalPnLPercent = sum.TotalPnL / sum.InvestedAmount * 100
	}
	if yesterday != 0 {
		sum.TodayPnLPercent = sum.TodayPnL / yesterday * 100
	}
	return sum
}

func (s *Server) handleHoldingsSummary(w http.ResponseWriter, r *http.Request, _ session) {
	writeData(w, summarise(s.world.paper.Holdings()))
}

// compactHolding is one row of /portfolio/holdings/compact.
type compactHolding struct {
	Exchange        string `json:"exchange"`
	Tradingsymbol   string `json:"tradingsymbol"`
	InstrumentToken uint32 `json:"instrument_token"`
	T1Quantity      int    `json:"t1_quantity"`
	Quantity        int    `json:"quantity"`
}

func (s *Server) handleHoldingsCompact(w http.ResponseWriter, r *http.Request, _ session) {
	out := []compactHolding{}
	for _, h := range s.world.paper.Holdings() {
		out = append(out, compactHolding{h.Exchange, h.Tradingsymbol, h.InstrumentToken, h.T1Quantity, h.Quantity})
	}
	writeData(w, out)
}

func (s *Server) handleHoldingsAuthorise(w http.ResponseWriter, r *http.Request, sess session) {
	f := r.PostForm
	switch f.Get("type") {
	case "", "equity", "mf":
	default:
		inputError(w, "Invalid `type`: use equity or mf.")
		return
	}
	switch f.Get("transfer_type") {
	case "", "pre", "post", "off", "gift":
	default:
		inputError(w, "Invalid `transfer_type`: use pre, post, off or gift.")
		return
	}
	isins, qtys := f["isin"], f["quantity"]
	if len(qtys) != 0 && len(qtys) != len(isins) {
		inputError(w, "Give a `quantity` for every `isin`, or none.")
		return
	}
	held := map[string]int{}
	for _, h := range s.world.paper.Holdings() {
		held[h.ISIN] += h.Quantity
	}
	want := map[string]int{}
	for i, isin := range isins {
		if _, ok := held[isin]; !ok {
			inputError(w, "Invalid `isin`: "+isin+" is not in the holdings.")
			return
		}
		q := held[isin]
		if len(qtys) > 0 {
			// Official clients send quantities as decimals ("5.000000").
			v, err := strconv.ParseFloat(qtys[i], 64)
			n := int(v)
			if err != nil || v != float64(n) || n <= 0 || n > held[isin] {
				inputError(w, fmt.Sprintf("Invalid `quantity` for %s: a whole number from 1 to %d.", isin, held[isin]))
				return
			}
			q = n
		}
		want[isin] = q
	}
	if len(want) == 0 {
		want = held // no ISINs: the page offers every holding; the sandbox authorises them all
	}
	id := randomToken(32)
	s.auth.mu.Lock()
	if s.auth.requests == nil {
		s.auth.requests, s.auth.authorised = map[string]map[string]int{}, map[string]authorisation{}
	}
	s.auth.requests[id] = want
	s.auth.mu.Unlock()
	writeData(w, struct {
		RequestID string `json:"request_id"`
	}{id})
}

// handleAuthorisePage is the page the user opens to enter the CDSL TPIN:
// in the sandbox, opening it completes the authorisation.
func (s *Server) handleAuthorisePage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("request_id")
	s.auth.mu.Lock()
	want, ok := s.auth.requests[id]
	if ok {
		now := s.opts.MarketClock()
		for isin, q := range want {
			s.auth.authorised[isin] = authorisation{q, now}
		}
		delete(s.auth.requests, id)
	}
	s.auth.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if !ok || r.PathValue("api_key") != APIKey {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<!doctype html><title>Kite sandbox</title><p>Unknown or used authorisation request.</p>")
		return
	}
	fmt.Fprintf(w, "<!doctype html><title>Kite sandbox</title><p>CDSL authorisation %s complete: the holdings can be sold today.</p>", html.EscapeString(id))
}

// withAuthorisations reports the authorisations on holdings.
func (s *Server) withAuthorisations(hs []paper.Holding) []paper.Holding {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	for i := range hs {
		if a, ok := s.auth.authorised[hs[i].ISIN]; ok {
			hs[i].AuthorisedQuantity = min(a.qty, hs[i].Quantity)
			hs[i].AuthorisedDate = paper.Timestamp{Time: a.date}
		}
	}
	return hs
}

// auctionInstrument is one row of /portfolio/holdings/auctions: a holding
// and the auction it can be sold in.
type auctionInstrument struct {
	Tradingsymbol       string          `json:"tradingsymbol"`
	Exchange            string          `json:"exchange"`
	InstrumentToken     uint32          `json:"instrument_token"`
	ISIN                string          `json:"isin"`
	Product             string          `json:"product"`
	Price               float64         `json:"price"`
	Quantity            int             `json:"quantity"`
	T1Quantity          int             `json:"t1_quantity"`
	RealisedQuantity    int             `json:"realised_quantity"`
	AuthorisedQuantity  int             `json:"authorised_quantity"`
	AuthorisedDate      paper.Timestamp `json:"authorised_date"`
	OpeningQuantity     int             `json:"opening_quantity"`
	CollateralQuantity  int             `json:"collateral_quantity"`
	CollateralType      string          `json:"collateral_type"`
	Discrepancy         bool            `json:"discrepancy"`
	AveragePrice        float64         `json:"average_price"`
	LastPrice           float64         `json:"last_price"`
	ClosePrice          float64         `json:"close_price"`
	PnL                 float64         `json:"pnl"`
	DayChange           float64         `json:"day_change"`
	DayChangePercentage float64         `json:"day_change_percentage"`
	AuctionNumber       string          `json:"auction_number"`
}

func (s *Server) handleAuctions(w http.ResponseWriter, r *http.Request, _ session) {
	out := []auctionInstrument{}
	for _, h := range s.withAuthorisations(s.world.paper.Holdings()) {
		if h.Quantity <= 0 {
			continue // only settled holdings are in an auction
		}
		out = append(out, auctionInstrument{
			Tradingsymbol: h.Tradingsymbol, Exchange: h.Exchange, InstrumentToken: h.InstrumentToken, ISIN: h.ISIN,
			Product: h.Product, Price: h.Price, Quantity: h.Quantity, T1Quantity: h.T1Quantity,
			RealisedQuantity: h.RealisedQuantity, AuthorisedQuantity: h.AuthorisedQuantity, AuthorisedDate: h.AuthorisedDate,
			OpeningQuantity: h.OpeningQuantity, CollateralQuantity: h.CollateralQuantity, CollateralType: h.CollateralType,
			Discrepancy: h.Discrepancy, AveragePrice: h.AveragePrice, LastPrice: h.LastPrice, ClosePrice: h.ClosePrice,
			PnL: h.PnL, DayChange: h.DayChange, DayChangePercentage: h.DayChangePercentage,
			AuctionNumber: paper.AuctionNumber(h.InstrumentToken),
		})
	}
	writeData(w, out)
}

// fullProfile is the data of GET /user/profile/full: the profile plus the
// account's contact, bank and demat details (masked, as Kite masks them).
type fullProfile struct {
	UserID            string          `json:"user_id"`
	TwoFAType         string          `json:"twofa_type"`
	UserName          string          `json:"user_name"`
	UserType          string          `json:"user_type"`
	Email             string          `json:"email"`
	Phone             string          `json:"phone"`
	Broker            string          `json:"broker"`
	BankAccounts      []bankAccount   `json:"bank_accounts"`
	DPIDs             []string        `json:"dp_ids"`
	Products          []string        `json:"products"`
	OrderTypes        []string        `json:"order_types"`
	Exchanges         []string        `json:"exchanges"`
	PAN               string          `json:"pan"`
	UserShortname     string          `json:"user_shortname"`
	AvatarURL         *string         `json:"avatar_url"`
	Tags              []string        `json:"tags"`
	PasswordTimestamp paper.Timestamp `json:"password_timestamp"`
	TwoFATimestamp    paper.Timestamp `json:"twofa_timestamp"`
	Meta              fullProfileMeta `json:"meta"`
}

type bankAccount struct {
	Name    string `json:"name"`
	Branch  string `json:"branch"`
	Account string `json:"account"`
}

type fullProfileMeta struct {
	POA           string   `json:"poa"`
	Silo          string   `json:"silo"`
	AccountBlocks []string `json:"account_blocks"`
}

func (s *Server) handleFullProfile(w http.ResponseWriter, r *http.Request, _ session) {
	p := profileData()
	since := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	writeData(w, fullProfile{
		UserID: p.UserID, TwoFAType: "totp", UserName: p.UserName, UserType: p.UserType, Email: p.Email,
		Phone: "*0001", Broker: p.Broker,
		BankAccounts: []bankAccount{{Name: "SANDBOX BANK", Account: "*0001"}},
		DPIDs:        []string{"1208160000000001"},
		Products:     p.Products, OrderTypes: p.OrderTypes, Exchanges: p.Exchanges,
		PAN: "*001S", UserShortname: p.UserShortname, Tags: []string{},
		PasswordTimestamp: paper.Timestamp{Time: since}, TwoFATimestamp: paper.Timestamp{Time: since},
		Meta: fullProfileMeta{POA: "consent", Silo: "sandbox", AccountBlocks: []string{}},
	})
}
