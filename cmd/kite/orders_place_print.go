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
	rows, single, err := placedResults(ctx, f, c, variety, tag, placed, reconciled)
	var perr error
	if single {
		perr = f.Printer().Print(rows[0])
	} else {
		perr = f.Printer().Print(rows)
	}
	if perr != nil {
		return perr
	}
	return err
}

// placedResults settles each order a place produced: one row for a plain
// order (single), else one per child or reconciled order. The error joins
// rejections and slices not placed; the rows are complete regardless.
func placedResults(ctx context.Context, f *Factory, c *kite.Client, variety, tag string, placed kite.PlaceResult, reconciled []kite.Order) ([]writeResult, bool, error) {
	if len(placed.Children) == 0 && len(reconciled) <= 1 {
		res := writeResult{OrderID: placed.OrderID, Tag: tag, Variety: variety}
		if len(reconciled) == 1 {
			res.OrderID, res.Reconciled = reconciled[0].OrderID, true
		}
		res, serr := settle(ctx, f, c, res)
		return []writeResult{res}, true, serr
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
			kerr := &kite.Error{Status: ch.Error.Code, ErrorType: ch.Error.ErrorType, Message: ch.Error.Message}
			errs = append(errs, fmt.Errorf("a slice of order %s was not placed: %w", placed.OrderID, kerr))
			continue
		}
		add(writeResult{OrderID: ch.OrderID, ParentOrderID: placed.OrderID, Tag: tag, Variety: variety})
	}
	return rows, false, errors.Join(errs...)
}

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
