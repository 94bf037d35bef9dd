package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/kitecli/kite/pkg/kite"
)

// printPlaced prints what a place produced, each order as it stands right
// after placing: the one order, every child of an autosliced order (a
// child Kite refused shows its error), or the orders found by reconciling.
// A rejected order exits 5.
func printPlaced(ctx context.Context, f *Factory, c *kite.Client, variety, tag string, placed kite.PlaceResult, reconciled []kite.Order) error {
	if len(placed.Children) == 0 && len(reconciled) <= 1 {
		res := writeResult{OrderID: placed.OrderID, Tag: tag, Variety: variety}
		if len(reconciled) == 1 {
			res.OrderID, res.Reconciled = reconciled[0].OrderID, true
		}
		res, serr := settle(ctx, f, c, res)
		if err := f.Printer().Print(res); err != nil {
			return err
		}
		return serr
	}
	var rows []writeResult
	var errs []error
	add := func(res writeResult) {
		res, serr := settle(ctx, f, c, res)
		rows = append(rows, res)
		if serr != nil {
			errs = append(errs, serr)
		}
	}
	for _, o := range sortedByID(reconciled) {
		add(writeResult{OrderID: o.OrderID, Tag: tag, Variety: variety, Reconciled: true})
	}
	for _, ch := range placed.Children {
		if ch.Error != nil {
			rows = append(rows, writeResult{ParentOrderID: placed.OrderID, Tag: tag, Variety: variety,
				Status: "NOT PLACED", StatusMessage: ch.Error.Message})
			// The slice's error carries Kite's error type, which picks the
			// exit code as for any order Kite refuses.
			kerr := &kite.Error{Status: ch.Error.Code, ErrorType: ch.Error.ErrorType, Message: ch.Error.Message}
			errs = append(errs, fmt.Errorf("a slice of order %s was not placed: %w", placed.OrderID, kerr))
			continue
		}
		add(writeResult{OrderID: ch.OrderID, ParentOrderID: placed.OrderID, Tag: tag, Variety: variety})
	}
	if err := f.Printer().Print(rows); err != nil {
		return err
	}
	return errors.Join(errs...)
}

// rulesSummary is the part of the confirmation that Kite's 2026 rules
// add: the market protection, the algo ID and autoslice.
func rulesSummary(p kite.OrderParams) string {
	var s string
	switch {
	case p.MarketProtection == kite.MarketProtectionAuto:
		s += "  market protection auto (-1)"
	case p.MarketProtection > 0:
		s += fmt.Sprintf("  market protection %v%%", p.MarketProtection)
	}
	if p.AlgoID != "" {
		s += "  algo " + p.AlgoID
	}
	if p.Autoslice {
		s += "  autoslice"
	}
	return s
}
