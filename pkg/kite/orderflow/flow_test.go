package orderflow_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/kite/orderflow"
	"github.com/kitecli/kite/pkg/retry"
	"github.com/kitecli/kite/pkg/sandbox"
	"github.com/kitecli/kite/pkg/sandbox/sandboxtest"
)

// The flow is tested against the sandbox over loopback: a real Kite-shaped
// server with a paper order book, whose faults drop a place's response
// after placing it or hide a new order from the book for a while.

// startSandbox serves a sandbox with faults whose request log the test
// reads.
func startSandbox(t *testing.T, faults sandbox.Faults) (*sandboxtest.Server, *sandboxtest.RequestLog) {
	t.Helper()
	log := &sandboxtest.RequestLog{}
	srv := sandboxtest.NewServer(t, sandbox.Options{
		Seed: 17, RateLimits: sandbox.NoRateLimits(), Faults: faults, Logger: log.Logger(),
	})
	return srv, log
}

func client(baseURL, token string) *kite.Client {
	return &kite.Client{
		BaseURL:     baseURL,
		Credentials: kite.Credentials{Kind: kite.Connect, APIKey: sandbox.APIKey, AccessToken: token},
		HTTPClient:  &http.Client{Transport: kite.NewTransport()},
		UserAgent:   "orderflow-test",
		Retry:       retry.Policy{Base: time.Millisecond, Max: 5 * time.Millisecond, Attempts: 3},
	}
}

// buyINFY is a limit buy below INFY's price (about ₹1540 in the
// sandbox; its lower circuit is ₹1386), so it stays open.
func buyINFY(tag string) kite.OrderParams {
	return kite.OrderParams{
		Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: kite.Buy, Quantity: 1,
		Product: "CNC", OrderType: kite.OrderTypeLimit, Price: 1400, Validity: kite.ValidityDay, Tag: tag,
	}
}

// bookTagged is the sandbox's own order book, filtered by tag.
func bookTagged(t *testing.T, c *kite.Client, tag string) []kite.Order {
	t.Helper()
	book, err := c.Orders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []kite.Order
	for _, o := range book {
		if o.HasTag(tag) {
			out = append(out, o)
		}
	}
	return out
}

func TestPlaceSucceedsAndSettles(t *testing.T) {
	srv, log := startSandbox(t, sandbox.Faults{})
	f := &orderflow.Flow{Client: client(srv.URL(), srv.AccessToken()), Window: time.Second}
	ctx := context.Background()

	placed, err := f.Place(ctx, kite.VarietyRegular, buyINFY("ok01"), false)
	if err != nil {
		t.Fatal(err)
	}
	if placed.OrderID == "" || len(placed.Reconciled) != 0 {
		t.Fatalf("placed = %+v, want Kite's order ID and nothing reconciled", placed)
	}
	rows, single, err := f.SettlePlaced(ctx, kite.VarietyRegular, "ok01", placed)
	if err != nil || !single || len(rows) != 1 {
		t.Fatalf("settle: %v single=%v rows=%+v", err, single, rows)
	}
	want := orderflow.Result{OrderID: placed.OrderID, Tag: "ok01", Variety: "regular", Status: kite.StatusOpen,
		Exchange: "NSE", Tradingsymbol: "INFY", TransactionType: "BUY", Quantity: 1}
	got := rows[0]
	got.StatusMessage = ""
	if got != want {
		t.Fatalf("settled %+v\nwant     %+v", got, want)
	}
	if n := log.Count("POST", "/orders/regular"); n != 1 {
		t.Fatalf("%d place requests, want 1", n)
	}
	if book := bookTagged(t, f.Client, "ok01"); len(book) != 1 || book[0].OrderID != placed.OrderID {
		t.Fatalf("book has %+v, want the one order", book)
	}
}

// A place whose response is lost after the sandbox placed it is found by
// its tag, reported as reconciled, and never sent again. An order that
// carried the (user-given) tag before does not count.
func TestAmbiguousPlaceIsReconciledByTag(t *testing.T) {
	srv, log := startSandbox(t, sandbox.Faults{})
	c := client(srv.URL(), srv.AccessToken())
	ctx := context.Background()
	var notices bytes.Buffer // Place writes them in this goroutine
	f := &orderflow.Flow{Client: c, Window: 10 * time.Second, Notices: &notices}

	earlier, err := f.Place(ctx, kite.VarietyRegular, buyINFY("strat01"), true)
	if err != nil {
		t.Fatal(err)
	}
	srv.SetFaults(sandbox.Faults{DropPlaceResponse: true})
	placed, err := f.Place(ctx, kite.VarietyRegular, buyINFY("strat01"), true)
	if err != nil {
		t.Fatalf("a dropped response of a placed order: %v", err)
	}
	if len(placed.Reconciled) != 1 || placed.Reconciled[0].OrderID == earlier.OrderID {
		t.Fatalf("reconciled %+v, want the one new order (not %s)", placed.Reconciled, earlier.OrderID)
	}
	if !strings.Contains(notices.String(), "looking for tag strat01") {
		t.Fatalf("notices = %q, want the reconciliation announced", notices.String())
	}
	srv.SetFaults(sandbox.Faults{})
	rows, single, err := f.SettlePlaced(ctx, kite.VarietyRegular, "strat01", placed)
	if err != nil || !single || !rows[0].Reconciled || rows[0].OrderID != placed.Reconciled[0].OrderID || rows[0].Status != kite.StatusOpen {
		t.Fatalf("settle: %v %+v", err, rows)
	}
	if n := log.Count("POST", "/orders/regular"); n != 2 {
		t.Fatalf("%d place requests for two places, want 2: the lost one was sent again", n)
	}
	if book := bookTagged(t, c, "strat01"); len(book) != 2 {
		t.Fatalf("%d orders tagged strat01, want 2", len(book))
	}
}

// When the book does not show the order within the window, the outcome is
// unknown, never "not placed": the order is in fact there, as the book
// shows once its lag has passed, exactly once.
func TestAmbiguousPlaceTheBookDoesNotShowIsUnknown(t *testing.T) {
	srv, log := startSandbox(t, sandbox.Faults{DropPlaceResponse: true, BookLag: 2 * time.Second})
	c := client(srv.URL(), srv.AccessToken())
	f := &orderflow.Flow{Client: c, Window: 300 * time.Millisecond}

	_, err := f.Place(context.Background(), kite.VarietyRegular, buyINFY("lagging01"), false)
	var unknown *orderflow.UnknownOutcomeError
	if !errors.As(err, &unknown) || unknown.Tag != "lagging01" {
		t.Fatalf("err = %v, want an unknown outcome naming the tag", err)
	}
	var notPlaced *orderflow.NotPlacedError
	if errors.As(err, &notPlaced) || strings.Contains(err.Error(), "not placed") {
		t.Fatalf("an ambiguous failure said not placed: %v", err)
	}
	if !strings.Contains(err.Error(), "no order tagged lagging01 appeared in the order book within 300ms") {
		t.Fatalf("err = %v, want why the book did not settle it", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(bookTagged(t, c, "lagging01")) == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if book := bookTagged(t, c, "lagging01"); len(book) != 1 {
		t.Fatalf("%d orders tagged lagging01 once the lag passed, want exactly 1", len(book))
	}
	if n := log.Count("POST", "/orders/regular"); n != 1 {
		t.Fatalf("%d place requests, want 1", n)
	}
}

// "Not placed" is said only when it is known: Kite refused the order (the
// book proves it: nothing carries the tag), or the request never left.
func TestNotPlacedOnlyWhenKnown(t *testing.T) {
	srv, log := startSandbox(t, sandbox.Faults{})
	c := client(srv.URL(), srv.AccessToken())
	f := &orderflow.Flow{Client: c, Window: time.Second}

	bad := buyINFY("refused01")
	bad.Tradingsymbol = "NOSUCHSTOCK"
	_, err := f.Place(context.Background(), kite.VarietyRegular, bad, false)
	var notPlaced *orderflow.NotPlacedError
	if !errors.As(err, &notPlaced) || kite.IsNotSent(err) {
		t.Fatalf("err = %v, want Kite's refusal as not placed", err)
	}
	if !strings.HasPrefix(err.Error(), "the order was not placed: BUY 1 NSE:NOSUCHSTOCK: ") {
		t.Fatalf("err = %q", err)
	}
	if book := bookTagged(t, c, "refused01"); len(book) != 0 {
		t.Fatalf("a refused order is in the book: %+v", book)
	}
	if n := log.Count("POST", "/orders/regular"); n != 1 {
		t.Fatalf("%d place requests, want 1", n)
	}

	// A port nothing listens on: connection refused, nothing sent.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	f = &orderflow.Flow{Client: client(closed, srv.AccessToken())}
	_, err = f.Place(context.Background(), kite.VarietyRegular, buyINFY("refused02"), false)
	if !errors.As(err, &notPlaced) || !kite.IsNotSent(err) {
		t.Fatalf("err = %v, want not placed, not sent", err)
	}
}

// Modify and cancel go once; a failure after sending is unknown and names
// the order; a closed order cannot change.
func TestModifyAndCancel(t *testing.T) {
	srv, log := startSandbox(t, sandbox.Faults{})
	c := client(srv.URL(), srv.AccessToken())
	ctx := context.Background()
	f := &orderflow.Flow{Client: c}

	placed, err := f.Place(ctx, kite.VarietyRegular, buyINFY("mod01"), false)
	if err != nil {
		t.Fatal(err)
	}
	id := placed.OrderID
	pl, err := f.PlanModify(ctx, id, "", kite.OrderParams{Quantity: 3, Price: 1401.5})
	if err != nil {
		t.Fatal(err)
	}
	// 3 × 1401.50 = 4204.50
	if pl.Variety != "regular" || pl.Quantity != 3 || pl.Price != 1401.5 || pl.OrderType != kite.OrderTypeLimit || pl.Value != 4204.5 {
		t.Fatalf("plan = %+v", pl)
	}
	res, err := f.Modify(ctx, pl.Variety, id, "mod01", pl.Changes)
	if err != nil || res.Quantity != 3 || res.Status != kite.StatusOpen || res.Tag != "mod01" {
		t.Fatalf("modify: %v %+v", err, res)
	}

	srv.SetFaults(sandbox.Faults{ErrorRate: 1})
	_, err = f.Modify(ctx, "regular", id, "mod01", kite.OrderParams{Quantity: 2})
	var unknown *orderflow.UnknownOutcomeError
	if !errors.As(err, &unknown) || unknown.OrderID != id {
		t.Fatalf("a 5xx on modify: %v, want an unknown outcome for order %s", err, id)
	}
	if n := log.Count("PUT", "/orders/regular/"+id); n != 2 {
		t.Fatalf("%d modify requests, want 2: a failed modify is not retried", n)
	}
	srv.SetFaults(sandbox.Faults{})

	res, err = f.Cancel(ctx, "regular", id, "", "mod01")
	if err != nil || res.Status != kite.StatusCancelled {
		t.Fatalf("cancel: %v %+v", err, res)
	}
	var closed *orderflow.ClosedOrderError
	if _, err := f.Open(ctx, id); !errors.As(err, &closed) || closed.Status != kite.StatusCancelled {
		t.Fatalf("open after cancel: %v", err)
	}
	var none *orderflow.NoSuchOrderError
	if _, err := f.Open(ctx, "999"); !errors.As(err, &none) {
		t.Fatalf("open of an unknown order: %v", err)
	}
}

func TestFailureClassifies(t *testing.T) {
	if orderflow.Failure("creating the GTT", nil) != nil {
		t.Fatal("no error is no failure")
	}
	refused := &kite.Error{Status: 400, ErrorType: kite.InputException, Message: "Invalid trigger"}
	var we *orderflow.WriteError
	if err := orderflow.Failure("creating the GTT", refused); !errors.As(err, &we) || !strings.HasPrefix(err.Error(), "creating the GTT: Invalid trigger") {
		t.Fatalf("a refusal: %v", err)
	}
	cut := &kite.Error{Status: 503, ErrorType: kite.NetworkException, Message: "Service unavailable"}
	var unknown *orderflow.UnknownOutcomeError
	if err := orderflow.Failure("creating the GTT", cut); !errors.As(err, &unknown) {
		t.Fatalf("a 503 after sending: %v, want an unknown outcome", err)
	}
}
