package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kitecli/kite/internal/mcpserver"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/kite/orderflow"
)

// mcpBackend gives the MCP server the CLI's own flows: the session and
// client of the Factory, the instrument cache, quote batching, history
// chunking, the option chain and the order flow with its validation,
// tagging, market protection and reconciliation.
//
// The Factory builds its client and caches lazily and is not safe for
// concurrent use, and the SDK may run tool calls concurrently: mu
// serialises every use of it. Each call holds it for at most its deadline.
type mcpBackend struct {
	f      *Factory
	mu     sync.Mutex
	window time.Duration // KITE_RECONCILE_WINDOW
	now    func() time.Time
}

var _ mcpserver.Backend = (*mcpBackend)(nil)

// lock takes mu unless ctx ends first, so a call stuck behind another
// still honours its own deadline.
func (b *mcpBackend) lock(ctx context.Context) error {
	got := make(chan struct{})
	go func() {
		b.mu.Lock()
		close(got)
	}()
	select {
	case <-got:
		return nil
	case <-ctx.Done():
		go func() { <-got; b.mu.Unlock() }()
		return ctx.Err()
	}
}

// lockedClient takes the Factory's lock and its client; the caller runs
// unlock when done with both.
func (b *mcpBackend) lockedClient(ctx context.Context) (c *kite.Client, unlock func(), err error) {
	if err := b.lock(ctx); err != nil {
		return nil, nil, err
	}
	if c, err = b.f.Client(ctx); err != nil {
		b.mu.Unlock()
		return nil, nil, err
	}
	return c, b.mu.Unlock, nil
}

func (b *mcpBackend) Client(ctx context.Context) (*kite.Client, error) {
	if err := b.lock(ctx); err != nil {
		return nil, err
	}
	defer b.mu.Unlock()
	return b.f.Client(ctx)
}

// Explain is the CLI's message for err. A dead session also drops the
// client built on it, so the next call reads the session again: after the
// user runs kite login, the server uses the new session without a restart.
func (b *mcpBackend) Explain(err error) error {
	err = explain(err)
	if !kite.IsTokenError(err) {
		return b.f.forgetSessionOn(err) // reads no session state then
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	defer func() { b.f.restClient, b.f.cachedToken, b.f.cachedSession = nil, "", nil }()
	return b.f.forgetSessionOn(err)
}

func (b *mcpBackend) Quote(ctx context.Context, mode kite.QuoteMode, symbols []string) ([]json.RawMessage, []string, error) {
	c, unlock, err := b.lockedClient(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	recs, unknown, noQuote, err := fetchQuotes(ctx, b.f.deps(), c, mode, symbols)
	return recs, append(unknown, noQuote...), err
}

func (b *mcpBackend) History(ctx context.Context, q mcpserver.HistoryInput) (string, []kite.Candle, error) {
	opts := &historyOptions{Symbol: q.Symbol, Interval: q.Interval, From: q.From, To: q.To, OI: q.OI, now: b.now}
	if opts.To == "" {
		opts.To = "now"
	}
	plan, err := planHistory(opts)
	if err != nil {
		return "", nil, err
	}
	c, unlock, err := b.lockedClient(ctx)
	if err != nil {
		return "", nil, err
	}
	defer unlock()
	res, err := b.f.resolverFor(ctx, []string{q.Symbol})
	if err != nil {
		return "", nil, err
	}
	inst, err := res.Resolve(q.Symbol)
	if err != nil {
		return "", nil, err
	}
	req := kite.HistoryRequest{Token: inst.InstrumentToken, Interval: q.Interval, OI: q.OI}
	if c.Credentials.Kind == kite.Web {
		req.UserID = c.Credentials.UserID
	}
	var all []kite.Candle
	err = c.FetchHistory(ctx, req, plan.chunks, 3, func(cs []kite.Candle, _, _ int) error {
		all = append(all, cs...)
		return nil
	})
	return inst.Symbol(), all, err
}

func (b *mcpBackend) Search(ctx context.Context, q mcpserver.SearchInput) ([]kite.Instrument, error) {
	if err := b.lock(ctx); err != nil {
		return nil, err
	}
	defer b.mu.Unlock()
	insts, err := b.f.instruments(ctx, strings.ToUpper(q.Exchange))
	if err != nil {
		return nil, err
	}
	hits := kite.NewResolver(insts).Search(q.Query, kite.SearchOptions{
		Exchange: q.Exchange, Type: q.Type, Expiry: q.Expiry, Limit: q.Limit,
	})
	if hits == nil {
		hits = []kite.Instrument{}
	}
	return hits, nil
}

func (b *mcpBackend) Chain(ctx context.Context, q mcpserver.ChainInput) (mcpserver.ChainOutput, error) {
	opts := &ChainOptions{Underlying: q.Underlying, Expiry: q.Expiry, Strikes: q.Strikes, Price: "last", Now: b.now}
	if opts.Expiry == "" {
		opts.Expiry = "next"
	}
	if err := opts.validate(b.f); err != nil {
		return mcpserver.ChainOutput{}, err
	}
	if err := b.lock(ctx); err != nil {
		return mcpserver.ChainOutput{}, err
	}
	defer b.mu.Unlock()
	st, err := loadChain(ctx, b.f, opts)
	if err != nil {
		return mcpserver.ChainOutput{}, err
	}
	recs, sum := st.view(opts, opts.now())
	out := mcpserver.ChainOutput{
		Underlying: sum.Underlying, Price: sum.Price, Model: sum.Model, ATMStrike: sum.ATMStrike,
		ATMIV: sum.ATMIV, Days: sum.Days, PCR: sum.PCR, MaxPain: sum.MaxPain,
		Strikes: make([]json.RawMessage, 0, len(recs)),
	}
	for _, r := range recs {
		out.Expiry = r.Expiry
		raw, err := json.Marshal(r)
		if err != nil {
			return mcpserver.ChainOutput{}, err
		}
		out.Strikes = append(out.Strikes, raw)
	}
	return out, nil
}

// mcpSafety is the order flow's safety for a write the MCP server
// confirms itself: its preview and confirmation id replace the terminal
// prompt (Yes), and its cap is the server's.
func mcpSafety(maxValue float64) writeSafety {
	return writeSafety{Yes: true, MaxValue: maxValue, capSource: "the kite mcp --max-value cap"}
}

// placeOptions are the options kite orders place would have for in.
func (b *mcpBackend) placeOptions(in mcpserver.PlaceInput, maxValue float64) *ordersPlaceOptions {
	opts := &ordersPlaceOptions{
		Symbol: in.Symbol, Side: in.Side, Qty: in.Quantity, Product: in.Product, Type: in.OrderType,
		Price: in.Price, Trigger: in.TriggerPrice, Validity: in.Validity, Tag: in.Tag,
		Variety: in.Variety, Safety: mcpSafety(maxValue),
		AlgoID: strings.TrimSpace(b.f.Getenv("KITE_ALGO_ID")),
	}
	if opts.Variety == "" {
		opts.Variety = kite.VarietyRegular
	}
	if in.MarketProtection != 0 {
		opts.MarketProtection, opts.mpSet = in.MarketProtection, true
	}
	return opts
}

func (b *mcpBackend) OrderMargins(ctx context.Context, in mcpserver.PlaceInput) (kite.OrderMargin, error) {
	p, variety, err := b.placeOptions(in, 0).params(b.now())
	if err != nil {
		return kite.OrderMargin{}, err
	}
	c, err := b.Client(ctx)
	if err != nil {
		return kite.OrderMargin{}, err
	}
	ms, err := c.OrderMargins(ctx, []kite.MarginOrder{marginOrderOf(p, variety)})
	if err != nil {
		return kite.OrderMargin{}, err
	}
	if len(ms) != 1 {
		return kite.OrderMargin{}, fmt.Errorf("the margin calculator gave %d answers for one order; try again, or use kite margins order", len(ms))
	}
	return ms[0], nil
}

func (b *mcpBackend) PreviewPlace(ctx context.Context, in mcpserver.PlaceInput, maxValue float64) (mcpserver.Preview, mcpserver.Send, error) {
	opts := b.placeOptions(in, maxValue)
	p, variety, err := opts.params(b.now())
	if err != nil {
		return mcpserver.Preview{}, nil, err
	}
	c, unlock, err := b.lockedClient(ctx)
	if err != nil {
		return mcpserver.Preview{}, nil, err
	}
	defer unlock()
	r, err := resolveOrder(ctx, b.f.resolverFor, c, variety, p)
	if err != nil {
		return mcpserver.Preview{}, nil, err
	}
	r.MaxValue = maxValue
	if err := opts.Safety.checkValue(r.Value); err != nil {
		return mcpserver.Preview{}, nil, err
	}
	r.Margin, r.Charges = dryRunCosts(ctx, b.f.IO.ErrOut, c, variety, p)
	raw, err := json.Marshal(r)
	if err != nil {
		return mcpserver.Preview{}, nil, err
	}
	userTag := in.Tag != ""
	send := b.locked(func(ctx context.Context) (mcpserver.SendResult, error) {
		flow := orderFlow(b.f.IO, b.f.Logger, c, b.window)
		placed, err := flow.Place(ctx, variety, p, userTag)
		if err != nil {
			return mcpserver.SendResult{}, explainWrite(err, c.BaseURL, "")
		}
		rows, _, err := flow.SettlePlaced(ctx, variety, p.Tag, placed)
		return mcpserver.SendResult{Orders: rows}, explainWrite(err, c.BaseURL, "")
	})
	return mcpserver.Preview{Action: "place", Summary: r.summary(), Order: raw, Value: r.Value, Margin: r.Margin, Charges: r.Charges}, send, nil
}

func (b *mcpBackend) PreviewModify(ctx context.Context, in mcpserver.ModifyInput, maxValue float64) (mcpserver.Preview, mcpserver.Send, error) {
	opts := &ordersModifyOptions{
		cmdDeps: b.f.deps(),
		OrderID: in.OrderID, Qty: in.Quantity, Price: in.Price, Trigger: in.TriggerPrice,
		Type: in.OrderType, Validity: in.Validity, Safety: mcpSafety(maxValue),
	}
	if err := b.lock(ctx); err != nil {
		return mcpserver.Preview{}, nil, err
	}
	defer b.mu.Unlock()
	pv, flow, err := planModify(ctx, opts)
	if err != nil {
		return mcpserver.Preview{}, nil, err
	}
	raw, err := json.Marshal(pv)
	if err != nil {
		return mcpserver.Preview{}, nil, err
	}
	send := b.sendWrite(flow, func(ctx context.Context) (orderflow.Result, error) {
		return flow.Modify(ctx, pv.Variety, in.OrderID, pv.current.Tag, pv.Changes)
	})
	return mcpserver.Preview{Action: "modify", Summary: pv.summary(), Order: raw, Value: pv.Value}, send, nil
}

func (b *mcpBackend) PreviewCancel(ctx context.Context, in mcpserver.CancelInput) (mcpserver.Preview, mcpserver.Send, error) {
	opts := &ordersCancelOptions{cmdDeps: b.f.deps(), OrderID: in.OrderID, Safety: writeSafety{Yes: true}}
	if err := b.lock(ctx); err != nil {
		return mcpserver.Preview{}, nil, err
	}
	defer b.mu.Unlock()
	pl, err := planCancel(ctx, opts)
	if err != nil {
		return mcpserver.Preview{}, nil, err
	}
	raw, err := json.Marshal(pl.Current)
	if err != nil {
		return mcpserver.Preview{}, nil, err
	}
	send := b.sendWrite(pl.Flow, func(ctx context.Context) (orderflow.Result, error) {
		return pl.Flow.Cancel(ctx, pl.Variety, in.OrderID, "", pl.Current.Tag)
	})
	return mcpserver.Preview{Action: "cancel", Summary: pl.summary(), Order: raw}, send, nil
}

// sendWrite is the Send of a modify or cancel: the flow sends it once (an
// ambiguous failure is "outcome unknown", as kite orders says) and reads
// the order back.
func (b *mcpBackend) sendWrite(flow *orderflow.Flow, write func(context.Context) (orderflow.Result, error)) mcpserver.Send {
	return b.locked(func(ctx context.Context) (mcpserver.SendResult, error) {
		res, err := write(ctx)
		if res.OrderID == "" {
			return mcpserver.SendResult{}, explainWrite(err, flow.Client.BaseURL, "")
		}
		return mcpserver.SendResult{Orders: []orderflow.Result{res}}, explainWrite(err, flow.Client.BaseURL, "")
	})
}

// locked is a Send that runs fn under the backend's lock; a lock not had
// before the deadline means nothing was sent.
func (b *mcpBackend) locked(fn mcpserver.Send) mcpserver.Send {
	return func(ctx context.Context) (mcpserver.SendResult, error) {
		if err := b.lock(ctx); err != nil {
			return mcpserver.SendResult{}, fmt.Errorf("nothing was sent: %w", err)
		}
		defer b.mu.Unlock()
		return fn(ctx)
	}
}

func (b *mcpBackend) PreviewGTTCreate(ctx context.Context, in mcpserver.GTTCreateInput, maxValue float64) (mcpserver.Preview, mcpserver.Send, error) {
	opts := &gttCreateOptions{cmdDeps: b.f.deps(), gttLegFlags: gttLegFlags{Symbol: in.Symbol, Side: in.Side, Qty: in.Quantity, Product: in.Product,
		Type: kite.OrderTypeLimit, Triggers: in.Triggers, Prices: in.Prices, Safety: mcpSafety(maxValue)}}
	if err := b.lock(ctx); err != nil {
		return mcpserver.Preview{}, nil, err
	}
	defer b.mu.Unlock()
	p, pv, c, err := planGTTCreate(ctx, opts)
	if err != nil {
		return mcpserver.Preview{}, nil, err
	}
	raw, err := json.Marshal(pv)
	if err != nil {
		return mcpserver.Preview{}, nil, err
	}
	send := b.locked(func(ctx context.Context) (mcpserver.SendResult, error) {
		id, err := c.PlaceGTT(ctx, p)
		if err != nil {
			return mcpserver.SendResult{}, gttWriteFailure("creating the GTT", err)
		}
		return b.gttAfter(ctx, c, id)
	})
	return mcpserver.Preview{Action: "gtt_create", Summary: pv.summary("create"), Order: raw, Value: pv.Value}, send, nil
}

func (b *mcpBackend) PreviewGTTDelete(ctx context.Context, in mcpserver.GTTDeleteInput) (mcpserver.Preview, mcpserver.Send, error) {
	c, unlock, err := b.lockedClient(ctx)
	if err != nil {
		return mcpserver.Preview{}, nil, err
	}
	defer unlock()
	cur, err := c.GTT(ctx, in.ID)
	if err != nil {
		return mcpserver.Preview{}, nil, noSuchGTT(in.ID, err)
	}
	raw, err := json.Marshal(cur)
	if err != nil {
		return mcpserver.Preview{}, nil, err
	}
	summary := fmt.Sprintf("delete %s GTT %d on %s:%s, triggers %v (%s)", cur.Type, in.ID,
		cur.Condition.Exchange, cur.Condition.Tradingsymbol, cur.Condition.TriggerValues, cur.Status)
	send := b.locked(func(ctx context.Context) (mcpserver.SendResult, error) {
		if _, err := c.DeleteGTT(ctx, in.ID); err != nil {
			return mcpserver.SendResult{}, gttWriteFailure(fmt.Sprintf("deleting GTT %d", in.ID), err)
		}
		return b.gttAfter(ctx, c, in.ID)
	})
	return mcpserver.Preview{Action: "gtt_delete", Summary: summary, Order: raw}, send, nil
}

func (b *mcpBackend) PreviewAlertCreate(ctx context.Context, in mcpserver.AlertCreateInput) (mcpserver.Preview, mcpserver.Send, error) {
	given := map[string]bool{"operator": true, "value": true, "attribute": in.Attribute != "", "name": in.Name != ""}
	opts := &alertFlags{Symbol: in.Symbol, Attribute: in.Attribute, Operator: in.Operator, Name: in.Name,
		Value: strconv.FormatFloat(in.Value, 'f', -1, 64), Safety: writeSafety{Yes: true},
		set: func(name string) bool { return given[name] }}
	if opts.Attribute == "" {
		opts.Attribute = "LastTradedPrice"
	}
	p := kite.AlertParams{Type: kite.AlertSimple}
	if err := opts.apply(&p); err != nil {
		return mcpserver.Preview{}, nil, err
	}
	c, unlock, err := b.lockedClient(ctx)
	if err != nil {
		return mcpserver.Preview{}, nil, err
	}
	defer unlock()
	pv, err := checkAlert(ctx, b.f.deps(), c, opts, p)
	if err != nil {
		return mcpserver.Preview{}, nil, err
	}
	raw, err := json.Marshal(pv)
	if err != nil {
		return mcpserver.Preview{}, nil, err
	}
	send := b.locked(func(ctx context.Context) (mcpserver.SendResult, error) {
		a, err := c.CreateAlert(ctx, p)
		if err != nil {
			return mcpserver.SendResult{}, writeFailureCheck("creating the alert", "kite alerts", err)
		}
		return mcpserver.SendResult{Alert: &a}, nil
	})
	return mcpserver.Preview{Action: "alert_create", Summary: pv.summary("create"), Order: raw}, send, nil
}

func (b *mcpBackend) PreviewAlertDelete(ctx context.Context, in mcpserver.AlertDeleteInput) (mcpserver.Preview, mcpserver.Send, error) {
	if err := checkAlertUUID(in.UUID); err != nil {
		return mcpserver.Preview{}, nil, err
	}
	c, unlock, err := b.lockedClient(ctx)
	if err != nil {
		return mcpserver.Preview{}, nil, err
	}
	defer unlock()
	cur, err := c.Alert(ctx, in.UUID)
	if err != nil {
		return mcpserver.Preview{}, nil, noSuchAlert(in.UUID, err)
	}
	raw, err := json.Marshal(cur)
	if err != nil {
		return mcpserver.Preview{}, nil, err
	}
	summary := fmt.Sprintf("delete alert %s %q %s (%s)", cur.UUID, cur.Name, alertCondition(cur), cur.Status)
	send := b.locked(func(ctx context.Context) (mcpserver.SendResult, error) {
		if err := c.DeleteAlerts(ctx, in.UUID); err != nil {
			return mcpserver.SendResult{}, writeFailureCheck("deleting the alert", "kite alerts --status deleted", err)
		}
		a, err := c.Alert(ctx, in.UUID)
		if err != nil {
			cur.Status = "deleted"
			return mcpserver.SendResult{Alert: &cur}, nil
		}
		return mcpserver.SendResult{Alert: &a}, nil
	})
	return mcpserver.Preview{Action: "alert_delete", Summary: summary, Order: raw}, send, nil
}

// gttAfter is the GTT as it stands after a write; the write succeeded even
// if it cannot be read back.
func (b *mcpBackend) gttAfter(ctx context.Context, c *kite.Client, id int) (mcpserver.SendResult, error) {
	g, err := c.GTT(ctx, id)
	if err != nil {
		fmt.Fprintf(b.f.IO.ErrOut, "GTT %d written; reading it back failed: %v\n", id, err)
		return mcpserver.SendResult{GTT: &kite.GTT{ID: id}}, nil
	}
	return mcpserver.SendResult{GTT: &g}, nil
}
