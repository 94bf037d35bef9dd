package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kitecli/kite/internal/exitcode"
	"github.com/kitecli/kite/pkg/kite"
	"github.com/kitecli/kite/pkg/kite/orderflow"
)

// What kite says after an order write failed. The order flow
// (pkg/kite/orderflow) decides what is known: it says "not placed" only
// when the request never left or Kite refused the order, and calls
// anything else (a timeout, a 5xx, a connection cut after the request was
// sent) an unknown outcome once the order book has not settled it. Here
// those typed errors get their exit codes and the command that settles or
// fixes each.

// maxReconcileWindow bounds KITE_RECONCILE_WINDOW.
const maxReconcileWindow = 10 * time.Minute

// reconcileWindow reads KITE_RECONCILE_WINDOW (a Go duration such as 15s;
// 0 looks once).
func reconcileWindow(getenv func(string) string) (time.Duration, error) {
	v := strings.TrimSpace(getenv("KITE_RECONCILE_WINDOW"))
	if v == "" {
		return orderflow.DefaultWindow, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > maxReconcileWindow {
		return 0, exitcode.Usagef("KITE_RECONCILE_WINDOW=%q is not a duration from 0s to %v, such as 15s", v, maxReconcileWindow)
	}
	return d, nil
}

// explainWrite maps the order flow's errors to exit codes and adds the
// next command: check is the command that shows whether a write other than
// an order's happened (kite gtt, kite alerts); base is the API's URL, for
// a place that could not reach it. Errors joined by errors.Join (the
// slices of an autosliced order) are explained one by one.
func explainWrite(err error, base, check string) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var errs []error
		for _, e := range j.Unwrap() {
			errs = append(errs, explainWrite(e, base, check))
		}
		return errors.Join(errs...)
	}
	var (
		unknown   *orderflow.UnknownOutcomeError
		notPlaced *orderflow.NotPlacedError
		failed    *orderflow.WriteError
		rejected  *orderflow.RejectedError
		none      *orderflow.NoSuchOrderError
	)
	switch {
	case errors.As(err, &unknown):
		switch {
		case unknown.Tag != "":
			return exitcode.With(exitcode.Unknown, fmt.Errorf("%w. It may still appear: run `kite orders reconcile %s` before placing it again", err, unknown.Tag))
		case unknown.OrderID != "":
			check = "kite orders show " + unknown.OrderID
		}
		return exitcode.With(exitcode.Unknown, fmt.Errorf("%w; check with %s before trying again (not retried)", err, check))
	case errors.As(err, &notPlaced):
		if kite.IsNotSent(notPlaced.Err) {
			return exitcode.With(exitcode.Network, fmt.Errorf("the order was not placed: cannot reach %s (%w); check the network or KITE_BASE_URL and try again", kite.RedactURL(base), notPlaced.Err))
		}
		if serr := staticIPRefusal(notPlaced.Err, "place the order"); serr != nil {
			return serr
		}
	case errors.As(err, &failed):
		if kite.IsNotSent(failed.Err) {
			return exitcode.With(exitcode.Network, fmt.Errorf("nothing was sent: %w; check the network or KITE_BASE_URL and try again", err))
		}
		if serr := staticIPRefusal(failed.Err, infinitive(failed.Action)); serr != nil {
			return serr
		}
	case errors.As(err, &rejected):
		return exitcode.With(exitcode.Order, err)
	case errors.As(err, &none):
		if none.Err == nil {
			return fmt.Errorf("order %s has no history: see kite orders for today's IDs", none.OrderID)
		}
		return exitcode.With(exitcode.Error, fmt.Errorf("no order %s today: list today's orders with kite orders (Kite said: %w)", none.OrderID, none.Err))
	}
	return err
}

// staticIPRefusal turns Kite's refusal of an order write from an IP not
// registered on the app into the fix (exit 4), or returns nil for any
// other error. action is what could not be done: "place the order".
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

// infinitive turns the flow's name of a write ("cancelling order 1") into
// what could not be done ("cancel order 1").
func infinitive(action string) string {
	verb, rest, _ := strings.Cut(action, " ")
	if v, ok := map[string]string{"placing": "place", "modifying": "modify", "cancelling": "cancel",
		"creating": "create", "deleting": "delete"}[verb]; ok {
		return v + " " + rest
	}
	return action
}

// writeFailureCheck explains a failed write that is not an order's (a
// GTT's, an alert's): what is the action ("creating the GTT"), check the
// command that shows whether it happened.
func writeFailureCheck(what, check string, err error) error {
	return explainWrite(orderflow.Failure(what, err), "", check)
}

// noSuchOrder turns Kite's answer to a read of an order it does not know
// into a plain error with the next command, instead of "order rejected".
func noSuchOrder(orderID string, err error) error {
	if orderflow.UnknownOrder(err) {
		return explainWrite(&orderflow.NoSuchOrderError{OrderID: orderID, Err: err}, "", "")
	}
	return err
}

// closedOrder adds to the flow's refusal of an order that can no longer
// change what was not done to it (done: "cancelled", "modified").
func closedOrder(err error, done string) error {
	var closed *orderflow.ClosedOrderError
	if errors.As(err, &closed) {
		return fmt.Errorf("%w: only open orders can be %s", err, done)
	}
	return explainWrite(err, "", "")
}
