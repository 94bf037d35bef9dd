package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Units says what every number means; each description ends with it so an
// agent never guesses.
const units = " Prices and values are rupees (₹) as exact decimals, as Kite sent them; quantities are units; times are RFC 3339 in IST (+05:30)."

// Inputs of the read tools. The jsonschema tags are the descriptions an
// agent reads.
type (
	NoInput      struct{}
	MarginsInput struct {
		Segment string `json:"segment,omitempty" jsonschema:"equity or commodity; omit for both"`
	}
	OrderIDInput struct {
		OrderID string `json:"order_id" jsonschema:"Kite order ID, as listed by orders (e.g. 151220000000000)"`
	}
	TradesInput struct {
		OrderID string `json:"order_id,omitempty" jsonschema:"only this order's trades; omit for all of today's"`
	}
	QuoteInput struct {
		Symbols []string `json:"symbols" jsonschema:"instruments: EXCHANGE:TRADINGSYMBOL (e.g. NSE:INFY, NSE:NIFTY 50, NFO:NIFTY26DECFUT) or instrument tokens; any number"`
		Mode    string   `json:"mode,omitempty" jsonschema:"full (default: OHLC, volume, OI, circuit limits, depth), ohlc or ltp (last price only, lightest)"`
	}
	HistoryInput struct {
		Symbol   string `json:"symbol" jsonschema:"one instrument: EXCHANGE:TRADINGSYMBOL or instrument token"`
		Interval string `json:"interval" jsonschema:"candle interval: minute, 3minute, 5minute, 10minute, 15minute, 30minute, 60minute or day"`
		From     string `json:"from" jsonschema:"start, IST: a date (2024-01-31), a datetime (2024-01-31 09:15), or relative (today, yesterday, 30min, 6h, 7d, 2w, 3mo, 1y)"`
		To       string `json:"to,omitempty" jsonschema:"end, IST, same forms as from; default now"`
		OI       bool   `json:"oi,omitempty" jsonschema:"include open interest (futures and options)"`
		MaxRows  int    `json:"max_rows,omitempty" jsonschema:"return at most this many candles, the most recent (default 200, at most 5000); the summary covers all"`
	}
	SearchInput struct {
		Query    string `json:"query" jsonschema:"words of the trading symbol or name, e.g. infy or nifty 26000 ce"`
		Exchange string `json:"exchange,omitempty" jsonschema:"only this exchange: NSE, BSE, NFO, BFO, CDS, MCX"`
		Type     string `json:"type,omitempty" jsonschema:"only this instrument type: EQ, FUT, CE or PE (indices are EQ)"`
		Expiry   string `json:"expiry,omitempty" jsonschema:"only this expiry date (2026-11-26) or month (2026-11)"`
		Limit    int    `json:"limit,omitempty" jsonschema:"at most this many results (default 20, at most 500)"`
	}
	GTTsInput struct {
		ID int `json:"id,omitempty" jsonschema:"only this GTT (its trigger ID); omit for all"`
	}
	AlertsInput struct {
		Status string `json:"status,omitempty" jsonschema:"only alerts with this status: enabled, disabled or deleted; omit for all"`
	}
	ChainInput struct {
		Underlying string `json:"underlying" jsonschema:"underlying name: NIFTY, BANKNIFTY, SENSEX, a stock (INFY) or a commodity (CRUDEOIL)"`
		Expiry     string `json:"expiry,omitempty" jsonschema:"expiry date YYYY-MM-DD, next (default) or monthly"`
		Strikes    int    `json:"strikes,omitempty" jsonschema:"strikes either side of the ATM strike (default 10; 0 is the default)"`
	}
)

// Outputs of the read tools.
type (
	MarginsOutput struct {
		Equity    *kite.SegmentMargins `json:"equity,omitempty"`
		Commodity *kite.SegmentMargins `json:"commodity,omitempty"`
	}
	HoldingsOutput struct {
		Count    int            `json:"count"`
		Holdings []kite.Holding `json:"holdings"`
	}
	OrdersOutput struct {
		Count  int          `json:"count"`
		Orders []kite.Order `json:"orders"`
	}
	TradesOutput struct {
		Count  int          `json:"count"`
		Trades []kite.Trade `json:"trades"`
	}
	QuoteOutput struct {
		Quotes  []json.RawMessage `json:"quotes" jsonschema:"Kite's quote objects in the order asked, each with symbol first and change (percent against the previous close) added"`
		Unknown []string          `json:"unknown,omitempty" jsonschema:"symbols asked for that are not instruments, or that Kite sent no quote for (check them with instruments_search)"`
	}
	HistoryOutput struct {
		Symbol    string          `json:"symbol"`
		Interval  string          `json:"interval"`
		Rows      int             `json:"rows" jsonschema:"candles in the range"`
		Returned  int             `json:"returned" jsonschema:"candles in candles (the most recent)"`
		Truncated bool            `json:"truncated" jsonschema:"true when rows > returned: raise max_rows or narrow the range for the rest"`
		Summary   *HistorySummary `json:"summary,omitempty" jsonschema:"over all rows; absent when there are none"`
		Candles   []kite.Candle   `json:"candles"`
	}
	HistorySummary struct {
		First  string      `json:"first" jsonschema:"time of the first candle"`
		Last   string      `json:"last" jsonschema:"time of the last candle"`
		Open   json.Number `json:"open"`
		High   json.Number `json:"high"`
		Low    json.Number `json:"low"`
		Close  json.Number `json:"close"`
		Volume json.Number `json:"volume"`
	}
	GTTsOutput struct {
		Count int        `json:"count"`
		GTTs  []kite.GTT `json:"gtts"`
	}
	AlertsOutput struct {
		Count  int          `json:"count"`
		Alerts []kite.Alert `json:"alerts"`
	}
	SearchOutput struct {
		Count       int               `json:"count"`
		Instruments []kite.Instrument `json:"instruments"`
	}
	ChainOutput struct {
		Underlying string            `json:"underlying"`
		Price      float64           `json:"price" jsonschema:"the underlying's last price"`
		Expiry     string            `json:"expiry"`
		Days       float64           `json:"days" jsonschema:"days to expiry"`
		Model      string            `json:"model" jsonschema:"pricing model of the implied volatilities"`
		ATMStrike  float64           `json:"atm_strike"`
		ATMIV      *float64          `json:"atm_iv,omitempty" jsonschema:"implied volatility at the money, percent"`
		PCR        *float64          `json:"pcr,omitempty" jsonschema:"put-call ratio of open interest, all strikes"`
		MaxPain    *float64          `json:"max_pain,omitempty" jsonschema:"strike of least payout to option buyers"`
		Strikes    []json.RawMessage `json:"strikes" jsonschema:"one record per strike: strike, call and put (last price, bid, ask, volume, OI, IV percent, greeks)"`
	}
)

const (
	defaultHistoryRows = 200
	maxHistoryRows     = 5000
	defaultSearchLimit = 20
	maxSearchLimit     = 500
	defaultChainWidth  = 10
)

func readOnly() *mcp.ToolAnnotations {
	return &mcp.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: new(true)}
}

func (s *Server) addReadTools() {
	t := s.opts.CallTimeout
	addTool(s, &mcp.Tool{Name: "profile", Annotations: readOnly(),
		Description: "The Kite user's profile: user ID, name, email, broker, enabled exchanges, products and order types. Use it to check the session works."},
		t, func(ctx context.Context, _ NoInput) (kite.Profile, error) {
			c, err := s.backend.Client(ctx)
			if err != nil {
				return kite.Profile{}, err
			}
			return c.Profile(ctx)
		})
	addTool(s, &mcp.Tool{Name: "margins", Annotations: readOnly(),
		Description: "Funds and margins: available cash, collateral, utilised margin (SPAN, exposure, option premium) and net, per segment (equity, commodity)." + units},
		t, func(ctx context.Context, in MarginsInput) (MarginsOutput, error) {
			seg := strings.ToLower(in.Segment)
			if seg != "" && seg != kite.SegmentEquity && seg != kite.SegmentCommodity {
				return MarginsOutput{}, exitcode.Usagef("segment %q: use equity or commodity, or omit it", in.Segment)
			}
			c, err := s.backend.Client(ctx)
			if err != nil {
				return MarginsOutput{}, err
			}
			if seg == "" {
				m, err := c.Margins(ctx)
				return MarginsOutput{Equity: &m.Equity, Commodity: &m.Commodity}, err
			}
			m, err := c.SegmentMargins(ctx, seg)
			if seg == kite.SegmentEquity {
				return MarginsOutput{Equity: &m}, err
			}
			return MarginsOutput{Commodity: &m}, err
		})
	addTool(s, &mcp.Tool{Name: "holdings", Annotations: readOnly(),
		Description: "Long-term holdings (demat): quantity, average buy price, last price, P&L, day change." + units},
		t, func(ctx context.Context, _ NoInput) (HoldingsOutput, error) {
			c, err := s.backend.Client(ctx)
			if err != nil {
				return HoldingsOutput{}, err
			}
			h, err := c.Holdings(ctx)
			return HoldingsOutput{Count: len(h), Holdings: h}, err
		})
	addTool(s, &mcp.Tool{Name: "positions", Annotations: readOnly(),
		Description: "Open positions: net (carried and today's) and day (today's trades only), with quantity, average price, last price and P&L." + units},
		t, func(ctx context.Context, _ NoInput) (kite.Positions, error) {
			c, err := s.backend.Client(ctx)
			if err != nil {
				return kite.Positions{}, err
			}
			return c.Positions(ctx)
		})
	addTool(s, &mcp.Tool{Name: "orders", Annotations: readOnly(),
		Description: "Today's orders, each as it stands now: ID, tag, status (OPEN, COMPLETE, CANCELLED, REJECTED, TRIGGER PENDING…), quantities, prices. Kite clears the book each day." + units},
		t, func(ctx context.Context, _ NoInput) (OrdersOutput, error) {
			c, err := s.backend.Client(ctx)
			if err != nil {
				return OrdersOutput{}, err
			}
			o, err := c.Orders(ctx)
			return OrdersOutput{Count: len(o), Orders: o}, err
		})
	addTool(s, &mcp.Tool{Name: "order_history", Annotations: readOnly(),
		Description: "Every state an order went through today (put order req received, validation pending, open, complete…), oldest first; the last is its current state." + units},
		t, func(ctx context.Context, in OrderIDInput) (OrdersOutput, error) {
			if err := checkOrderID(in.OrderID); err != nil {
				return OrdersOutput{}, err
			}
			c, err := s.backend.Client(ctx)
			if err != nil {
				return OrdersOutput{}, err
			}
			o, err := c.OrderHistory(ctx, in.OrderID)
			return OrdersOutput{Count: len(o), Orders: o}, err
		})
	addTool(s, &mcp.Tool{Name: "trades", Annotations: readOnly(),
		Description: "Today's trades (fills), or one order's: trade ID, order ID, quantity, fill price, fill time." + units},
		t, func(ctx context.Context, in TradesInput) (TradesOutput, error) {
			c, err := s.backend.Client(ctx)
			if err != nil {
				return TradesOutput{}, err
			}
			var tr []kite.Trade
			if in.OrderID != "" {
				if err := checkOrderID(in.OrderID); err != nil {
					return TradesOutput{}, err
				}
				tr, err = c.OrderTrades(ctx, in.OrderID)
			} else {
				tr, err = c.Trades(ctx)
			}
			return TradesOutput{Count: len(tr), Trades: tr}, err
		})
	addTool(s, &mcp.Tool{Name: "quote", Annotations: readOnly(),
		Description: "Market quotes for any number of instruments, fetched in batches at Kite's rate limit (1 request a second, 500 instruments per full request): last price, OHLC (the day's; close is the previous close), change percent, volume, OI, circuit limits and 5-level depth. Unknown symbols are listed apart." + units},
		t, func(ctx context.Context, in QuoteInput) (QuoteOutput, error) {
			if len(in.Symbols) == 0 {
				return QuoteOutput{}, exitcode.Usagef("symbols is empty: give at least one, e.g. [\"NSE:INFY\"]")
			}
			mode := kite.QuoteFull
			if in.Mode != "" {
				m, err := kite.ParseQuoteMode(in.Mode)
				if err != nil {
					return QuoteOutput{}, exitcode.Usagef("mode: %v", err)
				}
				mode = m
			}
			recs, unknown, err := s.backend.Quote(ctx, mode, in.Symbols)
			if err != nil && len(recs) == 0 {
				return QuoteOutput{}, err
			}
			if err != nil {
				return QuoteOutput{}, fmt.Errorf("stopped after %d of %d quotes: %w", len(recs), len(in.Symbols), err)
			}
			return QuoteOutput{Quotes: recs, Unknown: unknown}, nil
		})
	addTool(s, &mcp.Tool{Name: "history", Annotations: readOnly(),
		Description: "Historical candles (OHLCV, optionally OI) of one instrument over any range, fetched in chunks of Kite's per-request limits. Returns at most max_rows candles, the most recent, with a summary (first and last time, open, high, low, close, total volume) over the whole range, so ask for a long range freely. Needs Kite's historical data add-on." + units},
		t, func(ctx context.Context, in HistoryInput) (HistoryOutput, error) {
			maxRows := in.MaxRows
			switch {
			case maxRows < 0 || maxRows > maxHistoryRows:
				return HistoryOutput{}, exitcode.Usagef("max_rows %d: use 1 to %d", maxRows, maxHistoryRows)
			case maxRows == 0:
				maxRows = defaultHistoryRows
			}
			sym, candles, err := s.backend.History(ctx, in)
			if err != nil {
				return HistoryOutput{}, err
			}
			return historyOutput(sym, in.Interval, candles, maxRows), nil
		})
	addTool(s, &mcp.Tool{Name: "instruments_search", Annotations: readOnly(),
		Description: "Search Kite's instrument list (refreshed daily) by words of the trading symbol or name; narrow by exchange, type and expiry. Gives the EXCHANGE:TRADINGSYMBOL the other tools take, the token, lot size, tick size, expiry and strike."},
		t, func(ctx context.Context, in SearchInput) (SearchOutput, error) {
			if strings.TrimSpace(in.Query) == "" {
				return SearchOutput{}, exitcode.Usagef("query is empty: give words of the symbol or name, e.g. infy")
			}
			switch {
			case in.Limit < 0 || in.Limit > maxSearchLimit:
				return SearchOutput{}, exitcode.Usagef("limit %d: use 1 to %d", in.Limit, maxSearchLimit)
			case in.Limit == 0:
				in.Limit = defaultSearchLimit
			}
			hits, err := s.backend.Search(ctx, in)
			return SearchOutput{Count: len(hits), Instruments: hits}, err
		})
	addTool(s, &mcp.Tool{Name: "order_margins", Annotations: readOnly(),
		Description: "Kite's margin and charge calculators for one order, sending nothing: the margin it would block (SPAN, exposure, option premium, VaR, total) and its charges (brokerage, STT/CTT, exchange charges, SEBI fee, stamp duty, GST, total), against the account's positions." + units},
		t, func(ctx context.Context, in PlaceInput) (kite.OrderMargin, error) {
			return s.backend.OrderMargins(ctx, in)
		})
	addTool(s, &mcp.Tool{Name: "gtts", Annotations: readOnly(),
		Description: "Good-till-triggered orders (GTT): ID, type (single or two-leg OCO), status (active, triggered, disabled, expired, cancelled, rejected, deleted), the trigger condition (instrument, trigger values, last price when set) and the orders each trigger places; they live a year." + units},
		t, func(ctx context.Context, in GTTsInput) (GTTsOutput, error) {
			if in.ID < 0 {
				return GTTsOutput{}, exitcode.Usagef("id %d is not a GTT ID: list them without an id", in.ID)
			}
			c, err := s.backend.Client(ctx)
			if err != nil {
				return GTTsOutput{}, err
			}
			if in.ID > 0 {
				g, err := c.GTT(ctx, in.ID)
				if err != nil {
					return GTTsOutput{}, err
				}
				return GTTsOutput{Count: 1, GTTs: []kite.GTT{g}}, nil
			}
			gs, err := c.GTTs(ctx)
			return GTTsOutput{Count: len(gs), GTTs: gs}, err
		})
	addTool(s, &mcp.Tool{Name: "alerts", Annotations: readOnly(),
		Description: "Price alerts: UUID, name, status, the condition (an instrument's attribute such as last_price compared by an operator with a constant or another instrument's), times triggered, and the basket an ATO alert places." + units},
		t, func(ctx context.Context, in AlertsInput) (AlertsOutput, error) {
			status := strings.ToLower(in.Status)
			switch status {
			case "", "enabled", "disabled", "deleted":
			default:
				return AlertsOutput{}, exitcode.Usagef("status %q: use enabled, disabled or deleted, or omit it", in.Status)
			}
			c, err := s.backend.Client(ctx)
			if err != nil {
				return AlertsOutput{}, err
			}
			as, err := c.Alerts(ctx, status)
			return AlertsOutput{Count: len(as), Alerts: as}, err
		})
	addTool(s, &mcp.Tool{Name: "option_chain", Annotations: readOnly(),
		Description: "Option chain of an index, stock or commodity for one expiry: per strike, call and put last price, bid, ask, volume, OI, implied volatility (percent) and greeks; with the underlying's price, ATM strike and IV, put-call ratio and max pain over all strikes." + units},
		t, func(ctx context.Context, in ChainInput) (ChainOutput, error) {
			if strings.TrimSpace(in.Underlying) == "" {
				return ChainOutput{}, exitcode.Usagef("underlying is empty: e.g. NIFTY")
			}
			if in.Strikes < 0 {
				return ChainOutput{}, exitcode.Usagef("strikes %d: use a number of strikes either side of the ATM strike", in.Strikes)
			}
			if in.Strikes == 0 {
				in.Strikes = defaultChainWidth
			}
			return s.backend.Chain(ctx, in)
		})
}

// checkOrderID refuses what cannot be an order ID before any request.
func checkOrderID(id string) error {
	if id == "" || len(id) > 40 || strings.ContainsAny(id, "/?#% ") {
		return exitcode.Usagef("order_id %q is not an order ID: list today's with the orders tool", id)
	}
	return nil
}

// historyOutput keeps the most recent maxRows candles and summarises all.
func historyOutput(symbol, interval string, cs []kite.Candle, maxRows int) HistoryOutput {
	out := HistoryOutput{Symbol: symbol, Interval: interval, Rows: len(cs)}
	if len(cs) == 0 {
		out.Candles = []kite.Candle{}
		return out
	}
	sum := &HistorySummary{First: cs[0].Date, Last: cs[len(cs)-1].Date, Open: cs[0].Open, Close: cs[len(cs)-1].Close,
		High: cs[0].High, Low: cs[0].Low}
	vol := newDecimalSum()
	for _, c := range cs {
		if decLess(sum.High, c.High) {
			sum.High = c.High
		}
		if decLess(c.Low, sum.Low) {
			sum.Low = c.Low
		}
		vol.add(c.Volume)
	}
	sum.Volume = vol.number()
	out.Summary = sum
	out.Candles = cs[max(0, len(cs)-maxRows):]
	out.Returned = len(out.Candles)
	out.Truncated = out.Returned < out.Rows
	return out
}
