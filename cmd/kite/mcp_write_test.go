package main

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/internal/iostreams"
	"github.com/kitecli/kite/pkg/sandbox"
)

type mcpPreview struct {
	Action         string          `json:"action"`
	Summary        string          `json:"summary"`
	Order          json.RawMessage `json:"order"`
	Value          float64         `json:"value"`
	Margin         *float64        `json:"margin"`
	Charges        *float64        `json:"charges"`
	MaxValue       float64         `json:"max_value"`
	ConfirmationID string          `json:"confirmation_id"`
	OrdersLeft     int             `json:"orders_left"`
}

type mcpOrder struct {
	OrderID  string  `json:"order_id"`
	Tag      string  `json:"tag"`
	Status   string  `json:"status"`
	Quantity int     `json:"quantity"`
	Price    float64 `json:"price"`
}

type mcpConfirm struct {
	Action     string     `json:"action"`
	Orders     []mcpOrder `json:"orders"`
	OrdersLeft int        `json:"orders_left"`
}

type mcpOrders struct {
	Count  int        `json:"count"`
	Orders []mcpOrder `json:"orders"`
}

func TestMCPWriteFlowNeedsConfirmation(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	env["KITE_HOME"] = t.TempDir()
	cs, stderr := mcpSession(t, env, MCPOptions{AllowOrders: true, MaxOrders: 3, Safety: writeSafety{MaxValue: 500000}})
	if got, want := listToolNames(t, cs), slices.Sorted(slices.Values(append(slices.Clone(mcpReadTools), mcpWriteTools...))); !slices.Equal(got, want) {
		t.Fatalf("tools with --allow-orders = %v, want %v", got, want)
	}

	// A limit buy 3% under the market (inside the circuit limits) stays open for modify and cancel.
	q := callOK[struct {
		Quotes []struct {
			LastPrice float64 `json:"last_price"`
		} `json:"quotes"`
	}](t, cs, "quote", map[string]any{"symbols": []string{"NSE:INFY"}, "mode": "ltp"})
	price := math.Floor(q.Quotes[0].LastPrice * 0.97)

	pv := callOK[mcpPreview](t, cs, "place_order", map[string]any{"symbol": "NSE:INFY", "side": "BUY", "quantity": 2, "price": price})
	var resolved struct {
		InstrumentToken uint32 `json:"instrument_token"`
		Tag             string `json:"tag"`
		OrderType       string `json:"order_type"`
		Product         string `json:"product"`
	}
	if err := json.Unmarshal(pv.Order, &resolved); err != nil {
		t.Fatal(err)
	}
	if pv.Action != "place" || pv.ConfirmationID == "" || pv.Value != 2*price || pv.MaxValue != 500000 ||
		resolved.InstrumentToken == 0 || resolved.Tag == "" || resolved.OrderType != "LIMIT" || resolved.Product != "CNC" || pv.OrdersLeft != 3 {
		t.Fatalf("preview = %+v (order %s), want a LIMIT CNC place worth %v with a token, a tag and an id", pv, pv.Order, 2*price)
	}
	// Delivery (CNC) blocks the full value; the charges are positive.
	if pv.Margin == nil || pv.Charges == nil || *pv.Margin != pv.Value || *pv.Charges <= 0 {
		t.Fatalf("preview margin %v charges %v, want the CNC value %v and positive charges", pv.Margin, pv.Charges, pv.Value)
	}
	// The preview sent nothing.
	if book := callOK[mcpOrders](t, cs, "orders", nil); book.Count != 0 {
		t.Fatalf("after a preview the book has %d orders, want 0: a preview must send nothing", book.Count)
	}

	placed := callOK[mcpConfirm](t, cs, "confirm_order", map[string]any{"confirmation_id": pv.ConfirmationID})
	if len(placed.Orders) != 1 || placed.Orders[0].OrderID == "" || placed.Orders[0].Tag != resolved.Tag || placed.OrdersLeft != 2 {
		t.Fatalf("confirm_order = %+v, want one order tagged %s, 2 writes left", placed, resolved.Tag)
	}
	id := placed.Orders[0].OrderID
	book := callOK[mcpOrders](t, cs, "orders", nil)
	if book.Count != 1 || book.Orders[0].OrderID != id || book.Orders[0].Status != "OPEN" {
		t.Fatalf("book after confirming = %+v, want order %s OPEN", book, id)
	}

	// The id works once: a second confirmation sends nothing.
	callErr(t, cs, "confirm_order", map[string]any{"confirmation_id": pv.ConfirmationID}, "not a pending preview", "Nothing was sent")
	callErr(t, cs, "confirm_order", map[string]any{"confirmation_id": "cdeadbeef"}, "not a pending preview")
	if book := callOK[mcpOrders](t, cs, "orders", nil); book.Count != 1 {
		t.Fatalf("book after reusing the id has %d orders, want 1", book.Count)
	}

	// The value cap: 1000 × price is over ₹5,00,000 for any INFY price
	// above ₹500; refused at the preview, nothing held.
	callErr(t, cs, "place_order", map[string]any{"symbol": "NSE:INFY", "side": "BUY", "quantity": 1000, "price": price}, "invalid input", "exceeds")
	// Kite's rules applied before anything is held: the tick size.
	callErr(t, cs, "place_order", map[string]any{"symbol": "NSE:INFY", "side": "BUY", "quantity": 1, "price": price + 0.01}, "tick size")

	hist := callOK[mcpOrders](t, cs, "order_history", map[string]any{"order_id": id})
	if hist.Count == 0 || hist.Orders[hist.Count-1].Status != "OPEN" {
		t.Errorf("order_history %s = %+v, want it ending OPEN", id, hist)
	}
	if tr := callOK[mcpOrders](t, cs, "trades", map[string]any{"order_id": id}); tr.Count != 0 {
		t.Errorf("an open limit order has %d trades, want 0", tr.Count)
	}

	newPrice := price - 1
	mv := callOK[mcpPreview](t, cs, "modify_order", map[string]any{"order_id": id, "price": newPrice})
	if mv.Action != "modify" || mv.Value != 2*newPrice || !strings.Contains(mv.Summary, id) {
		t.Fatalf("modify preview = %+v, want order %s worth %v", mv, id, 2*newPrice)
	}
	if book := callOK[mcpOrders](t, cs, "orders", nil); book.Orders[0].Price != price {
		t.Fatalf("the order's price is %v after a modify preview, want %v unchanged", book.Orders[0].Price, price)
	}
	callOK[mcpConfirm](t, cs, "confirm_order", map[string]any{"confirmation_id": mv.ConfirmationID})
	if book := callOK[mcpOrders](t, cs, "orders", nil); book.Orders[0].Price != newPrice {
		t.Fatalf("the order's price is %v after confirming the modify, want %v", book.Orders[0].Price, newPrice)
	}

	cv := callOK[mcpPreview](t, cs, "cancel_order", map[string]any{"order_id": id})
	if cv.Action != "cancel" || cv.OrdersLeft != 1 {
		t.Fatalf("cancel preview = %+v, want a cancel with 1 write left", cv)
	}
	cancelled := callOK[mcpConfirm](t, cs, "confirm_order", map[string]any{"confirmation_id": cv.ConfirmationID})
	if len(cancelled.Orders) != 1 || cancelled.Orders[0].Status != "CANCELLED" || cancelled.OrdersLeft != 0 {
		t.Fatalf("cancel = %+v, want the order CANCELLED and no writes left", cancelled)
	}
	callErr(t, cs, "cancel_order", map[string]any{"order_id": id}, "already CANCELLED")

	// The session's cap: 3 writes sent, the 4th is refused at the preview.
	callErr(t, cs, "place_order", map[string]any{"symbol": "NSE:INFY", "side": "BUY", "quantity": 1, "price": price}, "--max-orders")

	// Every write logged to stderr and audited under KITE_HOME, 0600.
	for _, w := range []string{"mcp: write previewed", "mcp: sending write", "mcp: write sent", pv.ConfirmationID} {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("stderr does not log %q:\n%s", w, stderr)
		}
	}
	path := filepath.Join(env["KITE_HOME"], "config", mcpAuditFile)
	fi, err := os.Stat(path)
	if err != nil {
		matches, _ := filepath.Glob(filepath.Join(env["KITE_HOME"], "*", mcpAuditFile))
		t.Fatalf("audit file: %v (found %v)", err, matches)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("audit file mode %v, want 0600", fi.Mode().Perm())
	}
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var sent []string
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		var rec struct {
			Event  string `json:"event"`
			Action string `json:"action"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		if rec.Event == "sent" {
			sent = append(sent, rec.Action)
		}
	}
	if !slices.Equal(sent, []string{"place", "modify", "cancel"}) {
		t.Errorf("audited writes = %v, want place, modify, cancel", sent)
	}
}

// A write that fails after it was sent is never resent: it is looked up by
// its tag (found: the order, marked reconciled), and what the book does not
// settle is an "outcome unknown" tool error giving the tag.
func TestMCPAmbiguousWriteIsReconciledOrUnknown(t *testing.T) {
	srv, env := startTestSandbox(t, sandbox.Options{})
	env["KITE_RECONCILE_WINDOW"] = "1s"
	cs, _ := mcpSession(t, env, MCPOptions{AllowOrders: true})
	place := map[string]any{"symbol": "NSE:SBIN", "side": "BUY", "quantity": 1, "order_type": "MARKET", "product": "MIS"}

	srv.SetFaults(sandbox.Faults{DropPlaceResponse: true})
	pv := callOK[mcpPreview](t, cs, "place_order", place)
	got := callOK[struct {
		Orders []struct {
			OrderID    string `json:"order_id"`
			Tag        string `json:"tag"`
			Reconciled bool   `json:"reconciled"`
		} `json:"orders"`
	}](t, cs, "confirm_order", map[string]any{"confirmation_id": pv.ConfirmationID})
	if len(got.Orders) != 1 || !got.Orders[0].Reconciled || got.Orders[0].OrderID == "" {
		t.Fatalf("dropped response = %+v, want the order found by its tag, reconciled", got)
	}

	// The book lags past the reconcile window: the outcome is unknown.
	srv.SetFaults(sandbox.Faults{DropPlaceResponse: true, BookLag: time.Minute})
	pv = callOK[mcpPreview](t, cs, "place_order", place)
	var order struct {
		Tag string `json:"tag"`
	}
	if err := json.Unmarshal(pv.Order, &order); err != nil {
		t.Fatal(err)
	}
	callErr(t, cs, "confirm_order", map[string]any{"confirmation_id": pv.ConfirmationID},
		"order outcome unknown", order.Tag, "kite orders reconcile "+order.Tag)
	// And it was sent once: exactly two orders reached the book.
	srv.SetFaults(sandbox.Faults{})
	if book := callOK[mcpOrders](t, cs, "orders", nil); book.Count < 1 || book.Count > 2 {
		t.Fatalf("the book has %d orders, want 1 or 2 (the second may still lag; each write sent once)", book.Count)
	}
}

// The audit file is opened as kite opens its other files: never through a
// symbolic link (which could point the append anywhere).
func TestMCPAuditFileRefusesSymlink(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "config"), 0o700); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.Symlink(target, filepath.Join(home, "config", mcpAuditFile)); err != nil {
		t.Fatal(err)
	}
	io, _, _, _ := iostreams.Test()
	f := newFactory(io, func(k string) string { return map[string]string{"KITE_HOME": home}[k] })
	_, _, err := newMCPServer(f, &MCPOptions{AllowOrders: true, CallTimeout: time.Second})
	if err == nil || !strings.Contains(err.Error(), "mcp audit file") {
		t.Fatalf("newMCPServer with a symlinked audit file: %v, want a refusal naming the audit file", err)
	}
	if _, err := os.Lstat(target); !os.IsNotExist(err) {
		t.Errorf("the symlink's target was created: %v", err)
	}
}

// GTT writes go through the same preview and one-use confirmation.
func TestMCPGTTWritesNeedConfirmation(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	cs, _ := mcpSession(t, env, MCPOptions{AllowOrders: true})
	q := callOK[struct {
		Quotes []struct {
			LastPrice float64 `json:"last_price"`
		} `json:"quotes"`
	}](t, cs, "quote", map[string]any{"symbols": []string{"NSE:INFY"}, "mode": "ltp"})
	below := math.Floor(q.Quotes[0].LastPrice * 0.95)
	type gttList struct {
		Count int `json:"count"`
		GTTs  []struct {
			ID     int    `json:"id"`
			Status string `json:"status"`
		} `json:"gtts"`
	}
	type gttDone struct {
		GTT struct {
			ID     int    `json:"id"`
			Status string `json:"status"`
		} `json:"gtt"`
	}

	pv := callOK[mcpPreview](t, cs, "gtt_create", map[string]any{"symbol": "NSE:INFY", "side": "BUY", "quantity": 2,
		"triggers": []float64{below}, "prices": []float64{below}})
	if pv.Action != "gtt_create" || pv.Value != 2*below || pv.ConfirmationID == "" {
		t.Fatalf("gtt_create preview = %+v, want a GTT worth %v with an id", pv, 2*below)
	}
	if l := callOK[gttList](t, cs, "gtts", nil); l.Count != 0 {
		t.Fatalf("a GTT preview created %d GTTs, want 0", l.Count)
	}
	made := callOK[gttDone](t, cs, "confirm_order", map[string]any{"confirmation_id": pv.ConfirmationID})
	if made.GTT.ID == 0 || made.GTT.Status != "active" {
		t.Fatalf("confirmed GTT = %+v, want an active GTT with an ID", made.GTT)
	}
	callErr(t, cs, "confirm_order", map[string]any{"confirmation_id": pv.ConfirmationID}, "not a pending preview")
	if l := callOK[gttList](t, cs, "gtts", nil); l.Count != 1 {
		t.Fatalf("after one confirmation and one reuse there are %d GTTs, want 1", l.Count)
	}
	// One price per trigger, checked before any preview is held.
	callErr(t, cs, "gtt_create", map[string]any{"symbol": "NSE:INFY", "side": "BUY", "quantity": 1,
		"triggers": []float64{below}, "prices": []float64{below, below}}, "invalid input")

	del := callOK[mcpPreview](t, cs, "gtt_delete", map[string]any{"id": made.GTT.ID})
	if del.Action != "gtt_delete" {
		t.Fatalf("gtt_delete preview = %+v", del)
	}
	if l := callOK[gttList](t, cs, "gtts", nil); l.GTTs[0].Status != "active" {
		t.Fatalf("a delete preview changed the GTT to %s", l.GTTs[0].Status)
	}
	gone := callOK[gttDone](t, cs, "confirm_order", map[string]any{"confirmation_id": del.ConfirmationID})
	if gone.GTT.ID != made.GTT.ID || gone.GTT.Status != "deleted" {
		t.Fatalf("deleted GTT = %+v, want GTT %d deleted", gone.GTT, made.GTT.ID)
	}
	callErr(t, cs, "gtt_delete", map[string]any{"id": 0}, "invalid input")
}

// Alert writes go through the same preview and one-use confirmation.
func TestMCPAlertWritesNeedConfirmation(t *testing.T) {
	_, env := startTestSandbox(t, sandbox.Options{})
	cs, _ := mcpSession(t, env, MCPOptions{AllowOrders: true})
	type alertList struct {
		Count int `json:"count"`
	}
	type alertDone struct {
		Alert struct {
			UUID        string  `json:"uuid"`
			Name        string  `json:"name"`
			Status      string  `json:"status"`
			RHSConstant float64 `json:"rhs_constant"`
		} `json:"alert"`
	}
	pv := callOK[mcpPreview](t, cs, "alert_create", map[string]any{"symbol": "NSE:INFY", "operator": ">=", "value": 2000.5, "name": "infy high"})
	if pv.Action != "alert_create" || pv.ConfirmationID == "" || !strings.Contains(pv.Summary, "infy high") {
		t.Fatalf("alert_create preview = %+v", pv)
	}
	if l := callOK[alertList](t, cs, "alerts", nil); l.Count != 0 {
		t.Fatalf("an alert preview created %d alerts, want 0", l.Count)
	}
	made := callOK[alertDone](t, cs, "confirm_order", map[string]any{"confirmation_id": pv.ConfirmationID})
	if made.Alert.UUID == "" || made.Alert.Name != "infy high" || made.Alert.RHSConstant != 2000.5 || made.Alert.Status != "enabled" {
		t.Fatalf("created alert = %+v, want enabled \"infy high\" at 2000.5", made.Alert)
	}
	callErr(t, cs, "confirm_order", map[string]any{"confirmation_id": pv.ConfirmationID}, "not a pending preview")
	if l := callOK[alertList](t, cs, "alerts", nil); l.Count != 1 {
		t.Fatalf("after one confirmation and one reuse there are %d alerts, want 1", l.Count)
	}
	callErr(t, cs, "alert_create", map[string]any{"symbol": "NSE:INFY", "operator": "=>", "value": 1}, "invalid input")

	del := callOK[mcpPreview](t, cs, "alert_delete", map[string]any{"uuid": made.Alert.UUID})
	if l := callOK[alertList](t, cs, "alerts", map[string]any{"status": "enabled"}); l.Count != 1 {
		t.Fatalf("a delete preview changed the alerts: %d enabled, want 1", l.Count)
	}
	gone := callOK[alertDone](t, cs, "confirm_order", map[string]any{"confirmation_id": del.ConfirmationID})
	if gone.Alert.UUID != made.Alert.UUID || gone.Alert.Status != "deleted" {
		t.Fatalf("deleted alert = %+v, want %s deleted", gone.Alert, made.Alert.UUID)
	}
	callErr(t, cs, "alert_delete", map[string]any{"uuid": "../x"}, "invalid input")
}
