package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/retry"
)

// What kite says after an order write failed. It says "not placed" only
// when that is known: the request never left (connection refused, unknown
// host) or Kite answered with a definitive error. Anything else (a
// timeout, a 5xx, a connection cut after the request was sent) may have
// placed the order, so kite looks for its tag in the order book for a
// while, and if it is not there yet says the outcome is unknown (exit 8)
// with the command that settles it. Kite's order book can lag a placement
// by seconds, so a single look proves nothing.

// defaultReconcileWindow is how long an ambiguous place is looked for in
// the order book unless KITE_RECONCILE_WINDOW says otherwise: long enough
// to cover the few seconds Kite's book has been seen to lag.
const defaultReconcileWindow = 15 * time.Second

// maxReconcileWindow bounds KITE_RECONCILE_WINDOW.
const maxReconcileWindow = 10 * time.Minute

// reconcileWindow reads KITE_RECONCILE_WINDOW (a Go duration such as 15s;
// 0 looks once).
func reconcileWindow(getenv func(string) string) (time.Duration, error) {
	v := strings.TrimSpace(getenv("KITE_RECONCILE_WINDOW"))
	if v == "" {
		return defaultReconcileWindow, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > maxReconcileWindow {
		return 0, exitcode.Usagef("KITE_RECONCILE_WINDOW=%q is not a duration from 0s to %v, such as 15s", v, maxReconcileWindow)
	}
	return d, nil
}

// reconcileSpacing spaces the order-book lookups: quick at first (the
// order is usually there at once), then every 2 s.
var reconcileSpacing = retry.Policy{Base: 250 * time.Millisecond, Max: 2 * time.Second}

// outcomeUnknown is an order write that may or may not have happened.
func outcomeUnknown(format string, args ...any) error {
	return exitcode.With(exitcode.Unknown, fmt.Errorf(format, args...))
}

// reconcilePlace answers an ambiguous place failure by looking the order's
// tag up in the order book until it appears or the window ends, never by
// sending the order again. Orders in earlier carried the tag before this
// place and do not count. It returns the new orders carrying the tag (more
// than one for an autosliced order), or an outcome-unknown error.
func reconcilePlace(ctx context.Context, f *Factory, c *kite.Client, tag string, earlier map[string]bool, window time.Duration, placeErr error) ([]kite.Order, error) {
	fmt.Fprintf(f.IO.ErrOut, "placing the order failed after it was sent (%v); looking for tag %s in the order book for up to %v…\n", placeErr, tag, window)
	deadline := time.Now().Add(window)
	var lookupErr error
	for i := 0; ; i++ {
		found, err := ordersTagged(ctx, c, tag)
		lookupErr = err
		var fresh []kite.Order
		for _, o := range found {
			if !earlier[o.OrderID] {
				fresh = append(fresh, o)
			}
		}
		if len(fresh) > 0 {
			return fresh, nil
		}
		wait := reconcileSpacing.Backoff(i)
		if ctx.Err() != nil || time.Now().Add(wait).After(deadline) {
			break
		}
		if retry.Sleep(ctx, wait) != nil {
			break
		}
	}
	why := fmt.Sprintf("no order tagged %s appeared in the order book within %v", tag, window)
	switch {
	case ctx.Err() != nil:
		why = "the lookup was interrupted"
	case lookupErr != nil:
		why = fmt.Sprintf("the order book could not be read (%v)", lookupErr)
	}
	return nil, outcomeUnknown("the outcome of the order is unknown: placing it failed after the request was sent (%v) and %s. It may still appear: run `kite orders reconcile %s` before placing it again", placeErr, why, tag)
}

// placeFailure explains a place that failed without ambiguity: the
// request never left, or Kite refused the order.
func placeFailure(c *kite.Client, p kite.OrderParams, err error) error {
	if kite.IsNotSent(err) {
		return exitcode.With(exitcode.Network, fmt.Errorf("the order was not placed: cannot reach %s (%w); check the network or KITE_BASE_URL and try again", kite.RedactURL(c.BaseURL), err))
	}
	if err := staticIPRefusal(err, "place the order"); err != nil {
		return err
	}
	return fmt.Errorf("the order was not placed: %s %d %s:%s: %w", p.TransactionType, p.Quantity, p.Exchange, p.Tradingsymbol, err)
}

// staticIPRefusal turns Kite's refusal of an order write from an IP not
// registered on the app into the fix (exit 4), or returns nil for any
// other error.
func staticIPRefusal(err error, action string) error {
	ip, ok := kite.StaticIPRefusal(err)
	if !ok {
		return nil
	}
	from := "this machine's address"
	if ip != "" {
		from = ip + " (the address Kite saw)"
	}
	return exitcode.With(exitcode.Permission, fmt.Errorf(
		"could not %s: Kite admits orders only from the static IPs registered on your Kite Connect app, and %s is not a registered static IP. "+
			"Register it in the Kite developer console (https://developers.kite.trade: Profile, IP Whitelist), or run kite from a registered address. Nothing was done (Kite said: %w)",
		action, from, err))
}

// writeFailure explains a failed modify or cancel (verb "modify" or
// "cancel"): unknown outcome when the request may have been applied, the
// static-IP fix, or the error.
func writeFailure(orderID, verb string, err error) error {
	gerund := map[string]string{"modify": "modifying", "cancel": "cancelling"}[verb]
	if kite.IsAmbiguous(err) {
		return outcomeUnknown("the outcome is unknown: %s order %s failed after the request was sent (%v), so it may have been applied; check with kite orders show %s before trying again (not retried)", gerund, orderID, err, orderID)
	}
	if serr := staticIPRefusal(err, verb+" order "+orderID); serr != nil {
		return serr
	}
	return fmt.Errorf("%s order %s: %w", gerund, orderID, err)
}

// noSuchOrder turns Kite's answer to a read of an order it does not know
// (an OrderException or InputException on a GET, which rejects nothing)
// into a plain error with the next command, instead of "order rejected".
func noSuchOrder(orderID string, err error) error {
	var ke *kite.Error
	if !errors.As(err, &ke) {
		return err
	}
	switch {
	case ke.ErrorType == kite.OrderException, ke.ErrorType == kite.InputException, ke.Status == http.StatusNotFound:
		return exitcode.With(exitcode.Error, fmt.Errorf("no order %s today: list today's orders with kite orders (Kite said: %w)", orderID, err))
	}
	return err
}

// sortedByID orders reconciled orders as Kite numbers them.
func sortedByID(os []kite.Order) []kite.Order {
	slices.SortFunc(os, func(a, b kite.Order) int { return strings.Compare(a.OrderID, b.OrderID) })
	return os
}
