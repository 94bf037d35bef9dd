package mcpserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/kite/orderflow"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Inputs of the write tools.
type (
	PlaceInput struct {
		Symbol           string  `json:"symbol" jsonschema:"instrument: EXCHANGE:TRADINGSYMBOL, e.g. NSE:INFY or NFO:NIFTY26DECFUT"`
		Side             string  `json:"side" jsonschema:"BUY or SELL"`
		Quantity         int     `json:"quantity" jsonschema:"units (shares; for derivatives a multiple of the lot size)"`
		OrderType        string  `json:"order_type,omitempty" jsonschema:"LIMIT, MARKET, SL or SL-M; default from the prices: price alone LIMIT, price and trigger_price SL, trigger_price alone SL-M"`
		Price            float64 `json:"price,omitempty" jsonschema:"limit price in rupees (LIMIT, SL), on the instrument's tick size"`
		TriggerPrice     float64 `json:"trigger_price,omitempty" jsonschema:"trigger price in rupees (SL, SL-M)"`
		Product          string  `json:"product,omitempty" jsonschema:"CNC (delivery; default on NSE/BSE), NRML (default on derivatives), MIS (intraday) or MTF"`
		Validity         string  `json:"validity,omitempty" jsonschema:"DAY (default), IOC or TTL"`
		Variety          string  `json:"variety,omitempty" jsonschema:"regular (default), amo, co, iceberg or auction"`
		Tag              string  `json:"tag,omitempty" jsonschema:"order tag, up to 20 letters and digits (default: generated)"`
		MarketProtection float64 `json:"market_protection,omitempty" jsonschema:"MARKET and SL-M only: a percentage from 1 to 100; default -1, Kite's automatic protection"`
	}
	ModifyInput struct {
		OrderID      string  `json:"order_id" jsonschema:"the open order to change"`
		Quantity     int     `json:"quantity,omitempty" jsonschema:"new quantity in units"`
		Price        float64 `json:"price,omitempty" jsonschema:"new limit price in rupees"`
		TriggerPrice float64 `json:"trigger_price,omitempty" jsonschema:"new trigger price in rupees"`
		OrderType    string  `json:"order_type,omitempty" jsonschema:"new order type: LIMIT, MARKET, SL or SL-M"`
		Validity     string  `json:"validity,omitempty" jsonschema:"new validity: DAY or IOC"`
	}
	CancelInput struct {
		OrderID string `json:"order_id" jsonschema:"the open order to cancel"`
	}
	GTTCreateInput struct {
		Symbol   string    `json:"symbol" jsonschema:"instrument: EXCHANGE:TRADINGSYMBOL, e.g. NSE:INFY"`
		Side     string    `json:"side" jsonschema:"BUY or SELL when triggered"`
		Quantity int       `json:"quantity" jsonschema:"units (a multiple of the lot size for derivatives)"`
		Product  string    `json:"product,omitempty" jsonschema:"CNC (default on NSE/BSE), NRML (default on derivatives) or MIS"`
		Triggers []float64 `json:"triggers" jsonschema:"one trigger price in rupees (single), or two: stop-loss then target (two-leg OCO)"`
		Prices   []float64 `json:"prices" jsonschema:"the limit price of each leg's order, in rupees, one per trigger"`
	}
	GTTDeleteInput struct {
		ID int `json:"id" jsonschema:"the GTT's trigger ID, as listed by gtts"`
	}
	AlertCreateInput struct {
		Symbol    string  `json:"symbol" jsonschema:"instrument to watch: EXCHANGE:TRADINGSYMBOL, e.g. NSE:INFY or INDICES:NIFTY 50"`
		Attribute string  `json:"attribute,omitempty" jsonschema:"what to compare: LastTradedPrice (default), or another of Kite's alert attributes"`
		Operator  string  `json:"operator" jsonschema:"one of <= >= < > =="`
		Value     float64 `json:"value" jsonschema:"the number to compare with, in the attribute's unit (rupees for LastTradedPrice)"`
		Name      string  `json:"name,omitempty" jsonschema:"a name for the alert (default: its condition)"`
	}
	AlertDeleteInput struct {
		UUID string `json:"uuid" jsonschema:"the alert's UUID, as listed by alerts"`
	}
	ConfirmInput struct {
		ConfirmationID string `json:"confirmation_id" jsonschema:"the confirmation_id of a preview from place_order, modify_order or cancel_order; each works once"`
	}
)

// Preview is what a write would do; nothing has been sent.
type Preview struct {
	Action  string `json:"action" jsonschema:"place, modify, cancel, gtt_create, gtt_delete, alert_create or alert_delete"`
	Summary string `json:"summary" jsonschema:"one line to show the user before confirming"`
	// Order is the resolved write as it would be sent: instrument (token,
	// lot and tick size), parameters, tag.
	Order json.RawMessage `json:"order" jsonschema:"the order as it would be sent, with the resolved instrument"`
	Value float64         `json:"value" jsonschema:"rupees: quantity × price (the trigger for SL-M, the last price for MARKET; a GTT's largest leg); 0 for a cancel or delete"`
	// Filled by the server.
	MaxValue       float64  `json:"max_value" jsonschema:"the server's cap on an order's value, rupees (0 = none)"`
	Margin         *float64 `json:"margin,omitempty" jsonschema:"rupees the order would block, from Kite's margin calculator (absent when it could not answer)"`
	Charges        *float64 `json:"charges,omitempty" jsonschema:"rupees of brokerage, taxes and fees, from Kite's charge calculator (absent when it could not answer)"`
	Note           string   `json:"note,omitempty"`
	ConfirmationID string   `json:"confirmation_id" jsonschema:"pass to confirm_order to send this write; once only"`
	ExpiresAt      string   `json:"expires_at" jsonschema:"the confirmation_id is void after this time (IST)"`
	OrdersLeft     int      `json:"orders_left" jsonschema:"writes this session may still send"`
}

// OrderResult is one order after a write, as it stands right after: the
// order flow's result.
type OrderResult = orderflow.Result

// ConfirmOutput is what a confirmed write did.
type ConfirmOutput struct {
	Action     string        `json:"action"`
	Summary    string        `json:"summary"`
	Orders     []OrderResult `json:"orders,omitempty" jsonschema:"the orders as they stand right after (place, modify, cancel)"`
	GTT        *kite.GTT     `json:"gtt,omitempty" jsonschema:"the GTT as it stands right after (gtt_create, gtt_delete)"`
	Alert      *kite.Alert   `json:"alert,omitempty" jsonschema:"the alert as it stands right after (alert_create, alert_delete)"`
	OrdersLeft int           `json:"orders_left"`
}

// writeGuard holds the previews awaiting confirmation and the session's
// write count. A confirmation id is removed when it is used, whatever
// the outcome, so no preview is ever sent twice.
type writeGuard struct {
	mu      sync.Mutex
	pending map[string]pendingWrite
	sent    int
}

type pendingWrite struct {
	preview Preview
	send    Send
	expires time.Time
}

func newWriteGuard(Options) *writeGuard {
	return &writeGuard{pending: map[string]pendingWrite{}}
}

func newConfirmationID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	return "c" + hex.EncodeToString(b[:])
}

func (s *Server) ordersLeft() int {
	if s.opts.MaxOrders <= 0 {
		return -1
	}
	return max(0, s.opts.MaxOrders-s.writes.sent)
}

// hold stores a preview and gives it its confirmation id.
func (s *Server) hold(p Preview, send Send) (Preview, error) {
	if p.Value > 0 && s.opts.MaxOrderValue > 0 && p.Value > s.opts.MaxOrderValue {
		return Preview{}, exitcode.Usagef("order value ₹%.2f exceeds this server's cap of ₹%.2f (kite mcp --max-value): check the quantity and price", p.Value, s.opts.MaxOrderValue)
	}
	s.writes.mu.Lock()
	defer s.writes.mu.Unlock()
	if s.opts.MaxOrders > 0 && s.writes.sent >= s.opts.MaxOrders {
		return Preview{}, exitcode.Usagef("this session has sent its %d writes (kite mcp --max-orders): the user restarts the server to allow more", s.opts.MaxOrders)
	}
	now := s.opts.Now()
	// Expired previews go, so an agent that never confirms holds nothing.
	for id, w := range s.writes.pending {
		if now.After(w.expires) {
			delete(s.writes.pending, id)
		}
	}
	p.ConfirmationID = newConfirmationID()
	p.MaxValue = s.opts.MaxOrderValue
	p.ExpiresAt = now.Add(s.opts.ConfirmTTL).In(ist).Format(time.RFC3339)
	p.OrdersLeft = s.ordersLeft()
	if p.Action == "place" && (p.Margin == nil || p.Charges == nil) {
		p.Note = "Kite's calculators did not give this order's margin and charges; check available funds with margins, and costs with order_margins"
	}
	s.writes.pending[p.ConfirmationID] = pendingWrite{preview: p, send: send, expires: now.Add(s.opts.ConfirmTTL)}
	s.audit(map[string]any{"event": "preview", "action": p.Action, "confirmation_id": p.ConfirmationID, "summary": p.Summary, "order": p.Order, "value": p.Value})
	s.opts.Log.Info("mcp: write previewed", "action", p.Action, "confirmation_id", p.ConfirmationID, "summary", p.Summary)
	return p, nil
}

// take removes and returns a pending write: an id works once.
func (s *Server) take(id string) (pendingWrite, error) {
	s.writes.mu.Lock()
	defer s.writes.mu.Unlock()
	w, ok := s.writes.pending[id]
	if !ok {
		return w, exitcode.Usagef("confirmation_id %q is not a pending preview: it was already used, has expired, or was never issued. Nothing was sent. Call the write tool again for a new preview", id)
	}
	delete(s.writes.pending, id)
	if s.opts.Now().After(w.expires) {
		return w, exitcode.Usagef("confirmation_id %q expired at %s: nothing was sent. Ask for a new preview", id, w.preview.ExpiresAt)
	}
	if s.opts.MaxOrders > 0 && s.writes.sent >= s.opts.MaxOrders {
		return w, exitcode.Usagef("this session has sent its %d writes (kite mcp --max-orders): nothing was sent", s.opts.MaxOrders)
	}
	s.writes.sent++ // counted before sending: a failed send may still have reached Kite
	return w, nil
}

func (s *Server) audit(rec map[string]any) {
	rec["time"] = s.opts.Now().In(ist).Format(time.RFC3339Nano)
	b, err := json.Marshal(rec)
	if err != nil {
		return
	}
	if _, err := s.opts.Audit.Write(append(b, '\n')); err != nil {
		s.opts.Log.Warn("mcp: could not append to the audit file", "err", err)
	}
}

var ist = time.FixedZone("IST", 5*3600+30*60)

func writeTool() *mcp.ToolAnnotations {
	return &mcp.ToolAnnotations{ReadOnlyHint: false, DestructiveHint: new(true), IdempotentHint: false, OpenWorldHint: new(true)}
}

const previewNote = " Sends nothing: returns a preview with a confirmation_id; show it to the user, then call confirm_order with the id to send it. The id works once and expires."

func (s *Server) addWriteTools() {
	t := s.opts.CallTimeout
	addTool(s, &mcp.Tool{Name: "place_order", Annotations: writeTool(),
		Description: "Preview a new order: validated (quantity against the lot size, prices against the tick size), resolved to its instrument and valued (quantity × price; the last price for MARKET), against the server's value cap." + previewNote + units},
		t, func(ctx context.Context, in PlaceInput) (Preview, error) {
			p, send, err := s.backend.PreviewPlace(ctx, in, s.opts.MaxOrderValue)
			if err != nil {
				return Preview{}, err
			}
			return s.hold(p, send)
		})
	addTool(s, &mcp.Tool{Name: "modify_order", Annotations: writeTool(),
		Description: "Preview a change to an open order (quantity, price, trigger, type, validity): the order as it would be and its value, against the server's value cap." + previewNote + units},
		t, func(ctx context.Context, in ModifyInput) (Preview, error) {
			if err := checkOrderID(in.OrderID); err != nil {
				return Preview{}, err
			}
			p, send, err := s.backend.PreviewModify(ctx, in, s.opts.MaxOrderValue)
			if err != nil {
				return Preview{}, err
			}
			return s.hold(p, send)
		})
	addTool(s, &mcp.Tool{Name: "cancel_order", Annotations: writeTool(),
		Description: "Preview cancelling an open order." + previewNote},
		t, func(ctx context.Context, in CancelInput) (Preview, error) {
			if err := checkOrderID(in.OrderID); err != nil {
				return Preview{}, err
			}
			p, send, err := s.backend.PreviewCancel(ctx, in)
			if err != nil {
				return Preview{}, err
			}
			return s.hold(p, send)
		})
	addTool(s, &mcp.Tool{Name: "gtt_create", Annotations: writeTool(),
		Description: "Preview a new GTT (good-till-triggered order, lives a year): one trigger and price (single), or stop-loss and target (two-leg OCO); checked against the lot and tick size and Kite's GTT rules (triggers on the right side of the last price), valued (largest leg) against the server's value cap." + previewNote + units},
		t, func(ctx context.Context, in GTTCreateInput) (Preview, error) {
			p, send, err := s.backend.PreviewGTTCreate(ctx, in, s.opts.MaxOrderValue)
			if err != nil {
				return Preview{}, err
			}
			return s.hold(p, send)
		})
	addTool(s, &mcp.Tool{Name: "gtt_delete", Annotations: writeTool(),
		Description: "Preview deleting a GTT." + previewNote},
		t, func(ctx context.Context, in GTTDeleteInput) (Preview, error) {
			if in.ID <= 0 {
				return Preview{}, exitcode.Usagef("id %d is not a GTT ID: list them with gtts", in.ID)
			}
			p, send, err := s.backend.PreviewGTTDelete(ctx, in)
			if err != nil {
				return Preview{}, err
			}
			return s.hold(p, send)
		})
	addTool(s, &mcp.Tool{Name: "alert_create", Annotations: writeTool(),
		Description: "Preview a new price alert (simple: Kite notifies when the condition holds; no order is placed): an instrument's attribute compared with a number." + previewNote},
		t, func(ctx context.Context, in AlertCreateInput) (Preview, error) {
			p, send, err := s.backend.PreviewAlertCreate(ctx, in)
			if err != nil {
				return Preview{}, err
			}
			return s.hold(p, send)
		})
	addTool(s, &mcp.Tool{Name: "alert_delete", Annotations: writeTool(),
		Description: "Preview deleting a price alert." + previewNote},
		t, func(ctx context.Context, in AlertDeleteInput) (Preview, error) {
			p, send, err := s.backend.PreviewAlertDelete(ctx, in)
			if err != nil {
				return Preview{}, err
			}
			return s.hold(p, send)
		})
	addTool(s, &mcp.Tool{Name: "confirm_order", Annotations: writeTool(),
		Description: "Send a previewed write (place, modify, cancel, gtt_create, gtt_delete, alert_create, alert_delete), exactly once. Only with a confirmation_id from a preview the user has seen. Returns the orders as they stand right after. If the outcome cannot be known (the request failed after it was sent and the order book does not show it), the error says so and gives the order's tag: check orders before anything else." + units},
		s.opts.WriteTimeout, func(ctx context.Context, in ConfirmInput) (ConfirmOutput, error) {
			w, err := s.take(strings.TrimSpace(in.ConfirmationID))
			if err != nil {
				return ConfirmOutput{}, err
			}
			p := w.preview
			s.opts.Log.Warn("mcp: sending write", "action", p.Action, "confirmation_id", p.ConfirmationID, "summary", p.Summary)
			sent, err := w.send(ctx)
			res := sent.Orders
			rec := map[string]any{"event": "sent", "action": p.Action, "confirmation_id": p.ConfirmationID, "summary": p.Summary, "orders": res, "gtt": sent.GTT, "alert": sent.Alert}
			if err != nil {
				rec["error"] = s.explain(ctx, err, s.opts.WriteTimeout).Error()
				s.opts.Log.Warn("mcp: write failed", "confirmation_id", p.ConfirmationID, "err", rec["error"])
			} else {
				s.opts.Log.Warn("mcp: write sent", "confirmation_id", p.ConfirmationID, "orders", len(res))
			}
			s.audit(rec)
			if err != nil {
				if len(res) > 0 {
					return ConfirmOutput{}, fmt.Errorf("%w (orders: %s)", err, ordersLine(res))
				}
				return ConfirmOutput{}, err
			}
			s.writes.mu.Lock()
			left := s.ordersLeft()
			s.writes.mu.Unlock()
			return ConfirmOutput{Action: p.Action, Summary: p.Summary, Orders: res, GTT: sent.GTT, Alert: sent.Alert, OrdersLeft: left}, nil
		})
}

func ordersLine(rs []OrderResult) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%s %s %s", r.OrderID, r.Status, r.StatusMessage)
	}
	return strings.Join(parts, "; ")
}
