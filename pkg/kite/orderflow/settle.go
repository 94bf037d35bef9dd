package orderflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kitecli/kite/pkg/kite"
)

// Result is an order as it stands right after a write.
type Result struct {
	OrderID         string  `json:"order_id"`
	Tag             string  `json:"tag,omitempty"`
	Variety         string  `json:"variety"`
	Status          string  `json:"status"`
	StatusMessage   string  `json:"status_message"`
	Exchange        string  `json:"exchange,omitempty"`
	Tradingsymbol   string  `json:"tradingsymbol,omitempty"`
	TransactionType string  `json:"transaction_type,omitempty"`
	Quantity        int     `json:"quantity"`
	FilledQuantity  int     `json:"filled_quantity"`
	AveragePrice    float64 `json:"average_price"`
	// ParentOrderID is the autoslice parent of a child order.
	ParentOrderID string `json:"parent_order_id,omitempty"`
	// Reconciled is set when the write's response was lost but the order
	// was found in the order book by its tag. (The jsonschema tag describes
	// the field to MCP clients, which receive this struct as it is.)
	Reconciled bool `json:"reconciled,omitempty" jsonschema:"the request failed after being sent and the order was found in the book by its tag"`
}

// StatusNotPlaced is the status of an autoslice child Kite refused.
const StatusNotPlaced = "NOT PLACED"

// Settle reads the order of res back after a write, so the result says
// whether Kite accepted it: a rejection is a *RejectedError beside the
// filled-in result. When the read fails the write still happened: res
// keeps the order ID, its status stays blank, and the Logger warns.
func (f *Flow) Settle(ctx context.Context, res Result) (Result, error) {
	hist, err := f.Client.OrderHistory(ctx, res.OrderID)
	if err != nil || len(hist) == 0 {
		f.logger().Warn("could not read the order's status", "order_id", res.OrderID, "err", err)
		return res, nil
	}
	last := hist[len(hist)-1]
	res.Status, res.StatusMessage = last.Status, last.StatusMessage
	res.Exchange, res.Tradingsymbol, res.TransactionType = last.Exchange, last.Tradingsymbol, last.TransactionType
	res.Quantity, res.FilledQuantity, res.AveragePrice = last.Quantity, last.FilledQuantity, last.AveragePrice
	if res.Tag == "" {
		res.Tag = last.Tag
	}
	if res.Variety == "" {
		res.Variety = last.Variety
	}
	if last.Status == kite.StatusRejected {
		return res, &RejectedError{OrderID: res.OrderID, Message: last.StatusMessage}
	}
	return res, nil
}

// SettlePlaced settles each order a place produced: one row for a plain
// order (single), else one per autoslice child or reconciled order. The
// error joins rejections and slices Kite refused; the rows are complete
// regardless.
func (f *Flow) SettlePlaced(ctx context.Context, variety, tag string, placed Placed) (rows []Result, single bool, err error) {
	if len(placed.Children) == 0 && len(placed.Reconciled) <= 1 {
		res := Result{OrderID: placed.OrderID, Tag: tag, Variety: variety}
		if len(placed.Reconciled) == 1 {
			res.OrderID, res.Reconciled = placed.Reconciled[0].OrderID, true
		}
		res, serr := f.Settle(ctx, res)
		return []Result{res}, true, serr
	}
	var errs []error
	add := func(res Result) {
		res, serr := f.Settle(ctx, res)
		rows = append(rows, res)
		if serr != nil {
			errs = append(errs, serr)
		}
	}
	// Reconciled orders are listed as Kite numbers them.
	rec := slices.Clone(placed.Reconciled)
	slices.SortFunc(rec, func(a, b kite.Order) int { return strings.Compare(a.OrderID, b.OrderID) })
	for _, o := range rec {
		add(Result{OrderID: o.OrderID, Tag: tag, Variety: variety, Reconciled: true})
	}
	for _, ch := range placed.Children {
		if ch.Error != nil {
			rows = append(rows, Result{ParentOrderID: placed.OrderID, Tag: tag, Variety: variety,
				Status: StatusNotPlaced, StatusMessage: ch.Error.Message})
			kerr := &kite.Error{Status: ch.Error.Code, ErrorType: ch.Error.ErrorType, Message: ch.Error.Message}
			errs = append(errs, fmt.Errorf("a slice of order %s was not placed: %w", placed.OrderID, kerr))
			continue
		}
		add(Result{OrderID: ch.OrderID, ParentOrderID: placed.OrderID, Tag: tag, Variety: variety})
	}
	return rows, false, errors.Join(errs...)
}

// Open is an order's latest state, which a modify or cancel needs for its
// variety and to show what it changes. An order Kite does not know is a
// *NoSuchOrderError; one that can no longer change, a *ClosedOrderError.
func (f *Flow) Open(ctx context.Context, orderID string) (kite.Order, error) {
	hist, err := f.Client.OrderHistory(ctx, orderID)
	if err != nil {
		if UnknownOrder(err) {
			return kite.Order{}, &NoSuchOrderError{OrderID: orderID, Err: err}
		}
		return kite.Order{}, fmt.Errorf("looking up order %s: %w", orderID, err)
	}
	if len(hist) == 0 {
		return kite.Order{}, &NoSuchOrderError{OrderID: orderID}
	}
	cur := hist[len(hist)-1]
	switch cur.Status {
	case kite.StatusComplete, kite.StatusCancelled, kite.StatusRejected:
		return kite.Order{}, &ClosedOrderError{OrderID: orderID, Status: cur.Status}
	}
	return cur, nil
}

// Modify sends a modification of an open order once, then settles it.
// tag is the order's tag, carried into the result. A failure is an
// *UnknownOutcomeError or a *WriteError, as from Failure.
func (f *Flow) Modify(ctx context.Context, variety, orderID, tag string, changes kite.OrderParams) (Result, error) {
	if _, err := f.Client.ModifyOrder(ctx, variety, orderID, changes); err != nil {
		return Result{}, f.orderFailure("modifying order "+orderID, orderID, err)
	}
	return f.Settle(ctx, Result{OrderID: orderID, Variety: variety, Tag: tag})
}

// Cancel sends a cancellation once (parent: the parent of a cover
// order's second leg, or ""), then settles it.
func (f *Flow) Cancel(ctx context.Context, variety, orderID, parent, tag string) (Result, error) {
	if _, err := f.Client.CancelOrder(ctx, variety, orderID, parent); err != nil {
		return Result{}, f.orderFailure("cancelling order "+orderID, orderID, err)
	}
	return f.Settle(ctx, Result{OrderID: orderID, Variety: variety, Tag: tag})
}

func (f *Flow) orderFailure(action, orderID string, err error) error {
	err = Failure(action, err)
	var u *UnknownOutcomeError
	if errors.As(err, &u) {
		u.OrderID = orderID
	}
	return err
}

// ErrNoLastPrice is a LastPrice Kite had no price for.
var ErrNoLastPrice = errors.New("no last price")

// LastPrice is an instrument's last traded price from /quote/ltp, which
// values a MARKET order; the instrument dump's last_price is a day old.
// No price is ErrNoLastPrice.
func (f *Flow) LastPrice(ctx context.Context, symbol string) (float64, error) {
	quotes, err := f.Client.Quote(ctx, kite.QuoteLTP, []string{symbol})
	if err != nil {
		return 0, fmt.Errorf("fetching the last price of %s to value the order: %w", symbol, err)
	}
	var q struct {
		LastPrice float64 `json:"last_price"`
	}
	if raw, ok := quotes[symbol]; !ok || json.Unmarshal(raw, &q) != nil || q.LastPrice <= 0 {
		return 0, fmt.Errorf("%w for %s to value the order", ErrNoLastPrice, symbol)
	}
	return q.LastPrice, nil
}
